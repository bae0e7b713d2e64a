"""The engine on its own: whole timelines of jobs on the virtual clock, no HTTP."""

from __future__ import annotations

import random

import pytest

from simulator.domain.models import Dataset, Job
from simulator.domain.platform import Platform
from simulator.domain.statemachine import ALLOWED, IllegalTransition, Status
from simulator.domain.store import Store
from simulator.domain.timeline import Timeline
from simulator.engine.pool import Engine
from simulator.service import World
from tests.conftest import scenario_from

S = Status

FAST = """
platform:
  workers: {workers}
  license: {{max_records_by_dataset: {limit}}}
  stages:
    processing_dataset: {{base: 5}}
    processing_all_dataset_data: {{base: 10, rate: 100}}
    processing_resource_records: {{base: 4, rate: 100}}
    deleting_resource_records: {{base: 2, rate: 1000}}
    deleting_all_dataset_data: {{base: 3, rate: 1000}}
    deleting_dataset: {{base: 2}}
    saving_dataset_version: {{base: 6, rate: 500}}
    aborting_processing: {{base: 4}}
"""


def world(datasets: str, *, workers: int = 2, limit: int = 1_000_000, extra: str = "") -> World:
    text = FAST.format(workers=workers, limit=limit) + "datasets:\n" + datasets + extra
    return World(scenario_from(text))


def submit(w: World, dataset_id: str, function: str = "publish") -> Job:
    ds = w.store.dataset_by_id(dataset_id)
    assert ds is not None
    return w.engine.submit(ds, function, "admin")


def moves(w: World) -> list[tuple[float, str, str, str, str]]:
    return [(e.t, e.dataset_id, e.source, str(e.destination), e.cause) for e in w.timeline]


def get(w: World, dataset_id: str) -> Dataset:
    ds = w.store.dataset_by_id(dataset_id)
    assert ds is not None
    return ds


ONE = """
  - dataset_id: a
    resources: [{title: a.csv, records: 1000}]
"""


def test_first_publish_runs_both_processing_stages_then_goes_idle_published() -> None:
    w = world(ONE)
    submit(w, "a")
    assert w.engine.run_until_idle()
    assert moves(w) == [
        (0, "a", "idle", "queued", "publish"),
        (0, "a", "queued", "processing_dataset", "worker_free"),
        (5, "a", "processing_dataset", "processing_all_dataset_data", "stage_done"),
        (25, "a", "processing_all_dataset_data", "idle", "job_done"),
    ]
    a = get(w, "a")
    assert (a.status, a.published, a.records, a.since) == (S.IDLE, True, 1000, 25)


def test_jobs_wait_queued_in_fifo_order_when_every_worker_is_busy() -> None:
    w = world(
        """
  - {dataset_id: a, resources: [{records: 1000}]}
  - {dataset_id: b, resources: [{records: 500}]}
  - {dataset_id: c, resources: [{records: 100}]}
""",
        workers=1,
    )
    for name in "abc":
        submit(w, name)
    w.engine.settle()
    assert [get(w, n).status for n in "abc"] == [S.PROCESSING_DATASET, S.QUEUED, S.QUEUED]
    w.engine.run_until_idle()
    starts = [(t, d) for t, d, src, _, _ in moves(w) if src == "queued"]
    assert starts == [(0, "a"), (25, "b"), (45, "c")]
    assert w.engine.now == 45 + 5 + 10 + 1


def test_abort_interrupts_the_stage_and_keeps_the_records_already_indexed() -> None:
    w = world(ONE)
    job = submit(w, "a")
    w.engine.advance_to(17)  # records flow from t=15 (5 s metadata, 10 s base): 200 by t=17
    w.engine.abort(get(w, "a"))
    w.engine.run_until_idle()
    assert moves(w)[-3:] == [
        (5, "a", "processing_dataset", "processing_all_dataset_data", "stage_done"),
        (17, "a", "processing_all_dataset_data", "aborting_processing", "abort_processing"),
        (21, "a", "aborting_processing", "idle", "aborted"),
    ]
    a = get(w, "a")
    assert (a.records, a.published, job.state) == (200, True, "aborted")
    assert [(p.status, p.records_done) for p in job.progresses] == [
        (S.PROCESSING_DATASET, 0),
        (S.PROCESSING_ALL_DATASET_DATA, 200),
        (S.ABORTING_PROCESSING, 0),
    ]


def test_abort_before_any_record_leaves_a_first_publish_unpublished() -> None:
    w = world(ONE)
    submit(w, "a")
    w.engine.advance_to(2)
    w.engine.abort(get(w, "a"))
    w.engine.run_until_idle()
    a = get(w, "a")
    assert (a.status, a.published, a.records) == (S.IDLE, False, 0)
    assert moves(w)[-2][2:4] == ("processing_dataset", "aborting_processing")


def test_an_abort_fault_aborts_part_way_as_another_user_would() -> None:
    faults = """
faults:
  - {type: abort_processing, dataset: a, stage: processing_all_dataset_data, times: 1}
"""
    w = world(ONE, extra=faults)
    job = submit(w, "a")
    w.engine.run_until_idle()
    # half the stage's records: 10 s base and 500 records at 100/s after 5 s of metadata
    assert moves(w)[-2:] == [
        (20, "a", "processing_all_dataset_data", "aborting_processing", "abort_processing"),
        (24, "a", "aborting_processing", "idle", "aborted"),
    ]
    a = get(w, "a")
    assert (a.records, a.published, job.state) == (500, True, "aborted")
    assert [f["kind"] for f in w.faults.log] == ["abort_processing"]
    submit(w, "a")  # it fired its one time: the next publish goes through
    w.engine.run_until_idle()
    assert (get(w, "a").status, get(w, "a").records) == (S.IDLE, 1000)


def test_license_limit_caps_records_and_ends_in_limit_reached_published() -> None:
    w = world(ONE, limit=600)
    job = submit(w, "a")
    w.engine.run_until_idle()
    assert moves(w)[-1] == (
        21,
        "a",
        "processing_all_dataset_data",
        "limit_reached",
        "license_limit",
    )
    a = get(w, "a")
    assert (a.status, a.published, a.records) == (S.LIMIT_REACHED, True, 600)
    assert a.limit == {"limit_type": "max_records_by_dataset", "limit": 600, "value": 1000}
    assert job.result == {"status": "limit_reached", "records": 600}


def test_processing_error_fires_at_its_fraction_with_the_platform_message() -> None:
    faults = """
faults:
  - type: processor_misconfigured
    dataset: a
    after_records: 300
    raw_params: {processor_id: pr_abc123, field: address, msg: invalid type}
"""
    w = world(ONE, extra=faults)
    job = submit(w, "a")
    w.engine.run_until_idle()
    # 5 s metadata, then 10 s base and 300 records at 100/s
    assert moves(w)[-1] == (
        18,
        "a",
        "processing_all_dataset_data",
        "error",
        "processor_misconfigured",
    )
    a = get(w, "a")
    assert a.failure is not None
    assert (
        a.failure.message == "Processor pr_abc123 is misconfigured for field address: invalid type"
    )
    assert (a.records, job.state) == (300, "error")


def test_a_fault_with_times_fires_only_that_often() -> None:
    faults = """
faults:
  - {type: processing_error, dataset: a, at_fraction: 0.5, times: 1}
"""
    w = world(ONE, extra=faults)
    submit(w, "a")
    w.engine.run_until_idle()
    assert get(w, "a").status == S.ERROR
    submit(w, "a")
    w.engine.run_until_idle()
    a = get(w, "a")
    assert (a.status, a.records, a.failure) == (S.IDLE, 1000, None)


def test_record_errors_are_counted_and_kept_in_detail() -> None:
    faults = """
faults:
  - {type: record_errors, dataset: a, rate: 0.01, field: height,
     raw_message: 'Cannot convert "{value}" to "{type}"', raw_params: {value: tall, type: int}}
"""
    w = world(ONE, extra=faults)
    submit(w, "a")
    w.engine.run_until_idle()
    a = get(w, "a")
    assert a.records_errors_count == 10
    assert {e.field_uid for e in a.records_errors} == {"height"}
    assert len({e.record_id for e in a.records_errors}) == 10
    assert a.records_errors[0].to_dict()["message"] == 'Cannot convert "tall" to "int"'


def test_unpublish_deletes_every_record_then_the_dataset_from_the_index() -> None:
    w = world("  - {dataset_id: a, published: true, resources: [{records: 3000}]}\n")
    submit(w, "a", "unpublish")
    w.engine.run_until_idle()
    assert moves(w) == [
        (0, "a", "idle", "queued", "unpublish"),
        (0, "a", "queued", "deleting_all_dataset_data", "worker_free"),
        (6, "a", "deleting_all_dataset_data", "deleting_dataset", "stage_done"),
        (8, "a", "deleting_dataset", "idle", "job_done"),
    ]
    a = get(w, "a")
    assert (a.published, a.records) == (False, 0)


def test_deleting_a_published_dataset_removes_it_at_the_end() -> None:
    w = world("  - {dataset_id: a, published: true, resources: [{records: 3000}]}\n")
    submit(w, "a", "delete")
    w.engine.run_until_idle()
    assert moves(w)[-1] == (8, "a", "deleting_dataset", "removed", "deleted")
    assert w.store.dataset_by_id("a") is None


def test_save_version_records_a_version_of_the_indexed_records() -> None:
    w = world("  - {dataset_id: a, published: true, resources: [{records: 3000}]}\n")
    job = submit(w, "a", "save_version")
    w.engine.run_until_idle()
    assert moves(w)[-1] == (12, "a", "saving_dataset_version", "idle", "job_done")
    [version] = get(w, "a").versions
    assert (version.version, version.records, version.job_id) == (1, 3000, job.job_id)


def test_republishing_unchanged_data_reprocesses_resource_records() -> None:
    w = world("  - {dataset_id: a, published: true, resources: [{records: 400}]}\n")
    submit(w, "a")
    w.engine.run_until_idle()
    assert [m[3] for m in moves(w)] == [
        "queued",
        "processing_dataset",
        "processing_resource_records",
        "idle",
    ]
    assert w.engine.now == 5 + 4 + 4


def test_only_changed_resources_are_reprocessed_and_removed_ones_deleted() -> None:
    w = world(
        "  - {dataset_id: a, published: true, resources: [{title: x, records: 400}, "
        "{title: y, records: 700}, {title: z, records: 100}]}\n"
    )
    a = get(w, "a")
    x, y, z = a.resources.values()
    y.records, y.revision = 900, 2
    del a.resources[z.resource_uid]
    submit(w, "a")
    w.engine.run_until_idle()
    assert [m[3] for m in moves(w)] == [
        "queued",
        "processing_dataset",
        "deleting_resource_records",
        "processing_resource_records",
        "idle",
    ]
    assert a.indexed == {x.resource_uid: 400, y.resource_uid: 900}
    # 5 s metadata, 2 + 100/1000 s deleting z, 4 + 900/100 s processing y only
    assert w.engine.now == pytest.approx(5 + 2.1 + 13)


def test_limit_counts_the_records_kept_from_unchanged_resources() -> None:
    w = world(
        "  - {dataset_id: a, published: true, resources: [{records: 400}, {records: 300}]}\n",
        limit=1000,
    )
    a = get(w, "a")
    second = list(a.resources.values())[1]
    second.records, second.revision = 900, 2
    submit(w, "a")
    w.engine.run_until_idle()
    assert (a.status, a.records) == (S.LIMIT_REACHED, 1000)


def test_a_worker_outage_holds_new_jobs_until_the_pool_recovers() -> None:
    extra = "faults:\n  - {type: worker_outage, from: 0, until: 100, workers: 1}\n"
    w = world(
        "  - {dataset_id: a, resources: [{records: 100}]}\n"
        "  - {dataset_id: b, resources: [{records: 100}]}\n",
        workers=1,
        extra=extra,
    )
    w.engine.settle()
    submit(w, "a")
    submit(w, "b")
    w.engine.run_until_idle()
    starts = [(t, d) for t, d, src, _, _ in moves(w) if src == "queued"]
    assert starts == [(100, "a"), (116, "b")]


def test_slow_stage_multiplies_the_duration_of_matching_stages() -> None:
    extra = "faults:\n  - {type: slow_stage, dataset: a, stage: processing_dataset, factor: 3}\n"
    w = world(ONE, extra=extra)
    submit(w, "a")
    w.engine.run_until_idle()
    assert moves(w)[2][0] == 15


def test_jitter_changes_durations_but_the_same_seed_repeats_them() -> None:
    text = "seed: SEED\nplatform: {stages: {processing_dataset: {base: 10, jitter: 0.5}}}\n"
    text += "datasets:\n" + ONE

    def end_time(seed: int) -> float:
        w = World(scenario_from(text.replace("SEED", str(seed))))
        submit(w, "a")
        w.engine.run_until_idle()
        return moves(w)[2][0]

    assert end_time(1) == end_time(1)
    assert 5 <= end_time(1) <= 15
    assert len({end_time(s) for s in range(5)}) == 5


def test_every_move_the_engine_makes_is_in_the_table() -> None:
    w = world(ONE, limit=500)
    submit(w, "a")
    w.engine.run_until_idle()
    submit(w, "a", "unpublish")
    w.engine.run_until_idle()
    assert all((e.source, e.destination) in ALLOWED for e in w.timeline)


def test_the_engine_refuses_a_move_outside_the_table() -> None:
    w = world(ONE)
    a = get(w, "a")
    with pytest.raises(IllegalTransition, match="idle -> processing_dataset"):
        w.engine.move(a, S.PROCESSING_DATASET, "test")
    assert a.status == S.IDLE
    assert len(w.timeline) == 0


def test_advance_to_runs_events_due_exactly_at_the_target() -> None:
    w = world(ONE)
    submit(w, "a")
    w.engine.advance_to(5)
    assert get(w, "a").status == S.PROCESSING_ALL_DATASET_DATA
    assert w.engine.now == 5


def test_run_until_idle_reports_work_that_can_never_finish() -> None:
    extra = "faults:\n  - {type: worker_outage, from: 0, workers: 2}\n"
    w = world(ONE, extra=extra)
    w.engine.settle()
    submit(w, "a")
    assert w.engine.run_until_idle() is False
    assert get(w, "a").status == S.QUEUED


def test_an_engine_without_work_stays_put() -> None:
    w = world(ONE)
    assert isinstance(w.engine, Engine)
    assert w.engine.run_until_idle() is True
    assert (w.engine.now, w.engine.next_event()) == (0, None)


def test_nothing_is_scheduled_past_the_horizon() -> None:
    engine = Engine(Platform(workers=0), Store(random.Random(0)), Timeline(), horizon=100.0)
    assert engine.after(100.0).env.peek() == 100.0
    never = engine.after(100.5)
    assert not never.triggered
    assert engine.env.peek() == 100.0, "the late event was not scheduled at all"


def test_a_slowdown_too_large_for_a_rate_leaves_the_stage_running_for_ever() -> None:
    w = world(
        ONE,
        extra="faults:\n" + "".join("  - {type: slow_stage, factor: 1000000}\n" for _ in range(60)),
    )
    submit(w, "a")
    assert w.engine.run_until_idle() is False
    ds = get(w, "a")
    assert ds.status == S.PROCESSING_DATASET
    assert ds.job is not None and ds.job.progresses[-1].done_at(w.engine.now) == 0
