"""What a long-running simulator keeps: bounded logs, and a journal written down whole."""

from __future__ import annotations

import json
import zlib
from typing import Any

import pytest

from simulator.api.management.render import Ask
from simulator.domain.errors import UnknownChange
from simulator.service import statefile
from tests.conftest import scenario_from
from tests.facade import Simulated
from tests.unit.test_snapshot import FAULTY, busy_day, everything, restored

ADMIN = "admin"


def admin(sim: Simulated) -> Any:
    return sim.store.users[ADMIN]


def uid_of(sim: Simulated, dataset_id: str) -> str:
    ds = sim.store.dataset_by_id(dataset_id)
    assert ds is not None
    return ds.dataset_uid


def publish_cycle(sim: Simulated, n: int) -> str:
    """Create a dataset with a resource, publish it, let it end, and delete it."""
    made = sim.create_dataset(admin(sim), {"dataset_id": f"cycle-{n}"}, Ask())
    uid = made["dataset_uid"]
    sim.create_resource(admin(sim), uid, {"url": "https://x.test/a.csv", "records": 100})
    sim.act(admin(sim), uid, "publish")
    sim.run_until_idle()
    sim.delete_dataset(admin(sim), uid)
    sim.run_until_idle()
    return uid


def test_the_timeline_keeps_its_newest_transitions_and_counts_every_one() -> None:
    sim = Simulated(scenario_from("retention: {transitions: 20}"))
    uids = [publish_cycle(sim, n) for n in range(10)]  # 8 transitions each
    timeline = sim.world.timeline
    assert len(timeline.entries) <= 22, "trimmed a tenth past its bound"
    assert len(timeline) == 80, "positions count every transition ever made"
    kept = sim.timeline()
    assert kept[-1]["to"] == "removed" and kept[-1]["dataset_uid"] == uids[-1]
    assert {e["dataset_uid"] for e in kept} <= set(uids[-3:])
    tail = sim.dashboard(since=75)["timeline"]
    assert tail == kept[-5:], "a reader at position 75 gets the five after it"
    assert sim.dashboard(since=0)["timeline"] == kept


def test_uids_the_timeline_no_longer_names_may_be_drawn_again() -> None:
    sim = Simulated(scenario_from("retention: {transitions: 20}"))
    uids = [publish_cycle(sim, n) for n in range(10)]
    remembered = sim.store.remembered_uids
    assert set(uids[-2:]) <= remembered, "the timeline still names these"
    assert not set(uids[:5]) & remembered


def test_ended_jobs_beyond_the_bound_are_forgotten_the_oldest_first() -> None:
    sim = Simulated(scenario_from("retention: {jobs: 5}"))
    for n in range(10):
        publish_cycle(sim, n)
    jobs = sim.list_jobs(admin(sim), Ask())["jobs"]
    assert 5 <= len(jobs) <= 5 + 5 // 10 + 1
    newest = sim.store.ended_jobs[-1]
    assert jobs[-1]["job_id"] == newest


def test_a_waiting_or_running_job_is_never_forgotten() -> None:
    text = "platform: {workers: 1}\nretention: {jobs: 2}\ndatasets:\n" + "".join(
        f"  - {{dataset_id: d{n}, resources: [{{records: 100}}]}}\n" for n in range(8)
    )
    sim = Simulated(scenario_from(text))
    for n in range(8):
        sim.act(admin(sim), uid_of(sim, f"d{n}"), "publish")
    sim.advance(5 * 16 + 1)  # each publish takes 16 s: five ended, one runs, two wait
    active = {ds.job.job_id for ds in sim.store.datasets.values() if ds.job is not None}
    assert len(active) == 3
    ended = [job for job in sim.store.jobs.values() if job.ended is not None]
    assert active <= set(sim.store.jobs)
    assert len(ended) == 2, "the two that ended last"


def test_the_fault_log_keeps_its_newest_entries() -> None:
    text = """
    retention: {faults: 10}
    faults: [{type: http, path: "/api/management/v2/*", latency: 1}]
    """
    sim = Simulated(scenario_from(text))
    for _ in range(30):
        sim.admit("GET", "/api/management/v2/datasets", "ods-sim-admin-key", None, None)
    log = sim.fault_log()
    assert len(log) <= 11 and log[-1]["call"] == 30


def test_a_change_log_keeps_its_newest_changes_and_their_uids() -> None:
    sim = Simulated(scenario_from("retention: {changes: 5}"))
    uid = sim.create_dataset(admin(sim), {"dataset_id": "edited"}, Ask())["dataset_uid"]
    for n in range(12):
        sim.update_dataset(admin(sim), uid, {"metas": {"default": {"title": f"T{n}"}}}, Ask())
    changes = sim.list_changes(admin(sim), uid, Ask())
    assert [c["change_uid"] for c in changes] == [13, 12, 11, 10, 9]
    restored_to = sim.restore_change(admin(sim), uid, {"change_uid": 10}, Ask())
    assert restored_to["metas"]["default"]["title"] == "T8"
    with pytest.raises(UnknownChange):
        sim.restore_change(admin(sim), uid, {"change_uid": 3}, Ask())


def test_versions_keep_the_last_twenty_numbered_on() -> None:
    sim = Simulated(scenario_from("datasets: [{dataset_id: v, resources: [{records: 5}]}]"))
    uid = uid_of(sim, "v")
    for _ in range(23):
        sim.act(admin(sim), uid, "save_version")
        sim.run_until_idle()
    versions = sim.list_versions(admin(sim), uid, Ask())
    assert [v["version"] for v in versions] == list(range(4, 24))


def test_uploads_no_resource_uses_are_let_go_the_oldest_first() -> None:
    sim = Simulated(scenario_from("retention: {unused_files: 3, unused_file_bytes: 1000000}"))
    used = sim.upload_file(admin(sim), "used.csv", "text/csv", b"a\n1\n", Ask())
    uid = sim.create_dataset(admin(sim), {}, Ask())["dataset_uid"]
    sim.create_resource(admin(sim), uid, {"url": "odsfile://used.csv"})
    names = [
        sim.upload_file(admin(sim), f"f{n}.csv", "text/csv", b"a\n1\n", Ask())["file_id"]
        for n in range(10)
    ]
    kept = set(sim.store.files)
    assert used["file_id"] in kept, "a file a resource uses stays"
    assert names[-1] in kept, "the newest upload stays"
    assert len(kept - {used["file_id"]}) <= 3 + 1


def test_one_upload_past_the_byte_bound_stays_until_a_newer_one() -> None:
    sim = Simulated(scenario_from("retention: {unused_file_bytes: 1000}"))
    big = sim.upload_file(admin(sim), "big.csv", "text/csv", b"a\n" + b"1\n" * 1000, Ask())
    assert big["file_id"] in sim.store.files
    small = sim.upload_file(admin(sim), "small.csv", "text/csv", b"a\n1\n", Ask())
    assert set(sim.store.files) == {small["file_id"]}


# the journal, written down whole ---------------------------------------------------------


def test_a_long_journal_is_written_down_and_starts_again() -> None:
    sim = Simulated(scenario_from("retention: {journal: 10}"))
    for n in range(20):
        publish_cycle(sim, n)
    assert sim.journal.base is not None
    assert len(sim.journal) < 10 + 5, "written down at the first quiet moment past 10 lines"
    document = json.loads(sim.snapshot())
    assert document["version"] == statefile.VERSION
    assert document["base"]["now"] <= sim.clock_state()["now"]
    copy = restored(sim)
    assert everything(copy) == everything(sim)


def test_writing_down_changes_nothing_a_client_sees() -> None:
    busy = FAULTY + "retention: {journal: 3}\n"
    written, plain = Simulated(scenario_from(busy)), Simulated(scenario_from(FAULTY))
    for sim in (written, plain):
        busy_day(sim)
    assert written.journal.base is not None, "busy_day has quiet moments after enough changes"
    seen_written, seen_plain = everything(written), everything(plain)
    for seen in (seen_written, seen_plain):
        del seen["journal"]
    assert seen_written == seen_plain
    copy = restored(written)
    assert everything(copy) == everything(written)
    for world in (written, copy, plain):  # the same requests from here: the same futures
        world.run_until_idle()
        world.advance(500)
    assert everything(copy) == everything(written)
    assert copy.timeline() == plain.timeline()


def test_a_restore_resumes_an_outage_under_way_and_a_script_half_played() -> None:
    text = """
    retention: {journal: 2}
    platform: {workers: 2}
    datasets:
      - {dataset_id: a, resources: [{records: 1000}]}
      - {dataset_id: b, resources: [{records: 1000}]}
    faults:
      - {type: worker_outage, from: 10, until: 100, workers: 1}
      - {type: worker_outage, from: 50, until: 300, workers: 1}
    script:
      - {at: 5, action: save_version, dataset: a}
      - {at: 120, action: publish, dataset: a}
      - {at: 120, action: publish, dataset: b}
      - {at: 130, expect: {dataset: b, status: queued}}
    """
    written, plain = Simulated(scenario_from(text)), Simulated(scenario_from(text))
    for sim in (written, plain):
        sim.advance(60)  # both outages under way, the first script step played
        for n in range(3):
            sim.create_dataset(admin(sim), {"dataset_id": f"new-{n}"}, Ask())
    assert written.journal.base is not None and len(written.journal) == 1
    copy = restored(written)
    for sim in (copy, plain):
        sim.advance(400)
        sim.run_until_idle()
    assert copy.timeline() == plain.timeline()
    assert copy.fault_log() == plain.fault_log()
    assert copy.script_results() == plain.script_results()
    assert copy.script_results()["failed"] == 0


def test_content_let_go_leaves_the_snapshot() -> None:
    sim = Simulated(scenario_from(""))
    secret = "s" * (2 * 2**20)
    body = {"dataset_id": "big", "metas": {"default": {"description": secret}}}
    uid = sim.create_dataset(admin(sim), body, Ask())["dataset_uid"]
    assert secret in sim.snapshot()
    sim.delete_dataset(admin(sim), uid)
    assert secret not in sim.snapshot()
    assert sim.journal.base is not None and secret.encode() not in zlib.decompress(sim.journal.base)
    assert not any(secret in line for line in sim.journal.lines())
