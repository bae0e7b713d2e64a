"""The soak's invariants catch what they are meant to (see tests/soak.py)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from simulator.domain import statemachine as sm
from tests import soak

PUBLISH = "a" * 40


def move(t: float, uid: str, source: str, to: str, cause: str, job: str | None) -> dict[str, Any]:
    return {
        "t": t,
        "dataset_uid": uid,
        "dataset_id": uid,
        "from": source,
        "to": to,
        "from_public": sm.PUBLIC_OF[source],
        "to_public": sm.PUBLIC_OF[to],
        "cause": cause,
        "job_id": job,
    }


def world() -> tuple[soak.Snapshot, soak.Ledger]:
    """A soak's end where everything holds: da_aaaaaa published, da_bbbbbb deleted."""
    timeline = [
        move(0, "da_aaaaaa", "idle", "queued", "publish", PUBLISH),
        move(0, "da_aaaaaa", "queued", "processing_dataset", "worker_free", PUBLISH),
        move(1, "da_bbbbbb", "idle", "removed", "deleted", None),
        move(5, "da_aaaaaa", "processing_dataset", "processing_all_dataset_data", "x", PUBLISH),
        move(25, "da_aaaaaa", "processing_all_dataset_data", "idle", "job_done", PUBLISH),
    ]
    job = {
        "job_id": PUBLISH,
        "function": "publish",
        "dataset_uid": "da_aaaaaa",
        "state": "done",
        "created": "2026-01-01T00:00:00+00:00",
        "started": "2026-01-01T00:00:00+00:00",
        "ended": "2026-01-01T00:00:25+00:00",
        "result": {"status": "idle", "records": 1000},
    }
    listed = {
        "dataset_uid": "da_aaaaaa",
        "dataset_id": "trees",
        "published": True,
        "status": {"name": "idle"},
    }
    row = {
        "dataset_uid": "da_aaaaaa",
        "status": "idle",
        "published": True,
        "records": 1000,
        "job": None,
    }
    clock = {"now": 30.0, "mode": "manual", "active_jobs": 0, "busy_workers": 0}
    snapshot = soak.Snapshot(sm.table(), timeline, clock, True, [job], 1, [[listed]], [1], [row])
    ledger = soak.Ledger(
        initial={"da_aaaaaa"}, created=["da_bbbbbb"], deleted_now=["da_bbbbbb"], job_ids={PUBLISH}
    )
    return snapshot, ledger


def test_a_consistent_world_passes() -> None:
    assert soak.check(*world()) == []


def _illegal(s: soak.Snapshot, _: soak.Ledger) -> None:
    s.timeline[3]["to"] = s.timeline[3]["to_public"] = "limit_reached"
    s.timeline[4]["from"] = "limit_reached"


def _backwards(s: soak.Snapshot, _: soak.Ledger) -> None:
    s.timeline[3]["t"] = 0.5


def _broken_chain(s: soak.Snapshot, _: soak.Ledger) -> None:
    s.timeline[1]["from"] = "idle"


def _status(s: soak.Snapshot, _: soak.Ledger) -> None:
    s.pages[0][0]["status"]["name"] = s.rows[0]["status"] = "error"


def _lost(s: soak.Snapshot, _: soak.Ledger) -> None:
    s.pages, s.totals, s.rows = [[]], [0], []


def _twice(s: soak.Snapshot, _: soak.Ledger) -> None:
    s.pages, s.totals = [s.pages[0], copy.deepcopy(s.pages[0])], [2, 2]


def _not_ended(s: soak.Snapshot, _: soak.Ledger) -> None:
    s.jobs[0].update(state="running", ended=None)


def _unknown_job(_: soak.Snapshot, ledger: soak.Ledger) -> None:
    ledger.job_ids = set()


def _lost_job(s: soak.Snapshot, _: soak.Ledger) -> None:
    s.jobs, s.jobs_total = [], 0


def _wrong_end(s: soak.Snapshot, _: soak.Ledger) -> None:
    s.jobs[0]["state"] = "aborted"


def _records(s: soak.Snapshot, _: soak.Ledger) -> None:
    s.pages[0][0]["published"] = s.rows[0]["published"] = False


def _not_removed(_: soak.Snapshot, ledger: soak.Ledger) -> None:
    ledger.created.append("da_cccccc")
    ledger.deleted_now.append("da_cccccc")


def _busy(s: soak.Snapshot, _: soak.Ledger) -> None:
    s.clock["active_jobs"] = 1


def _client(_: soak.Snapshot, ledger: soak.Ledger) -> None:
    ledger.failures.append("publish: PUT /x: 500 boom")


@pytest.mark.parametrize(
    ("corrupt", "found"),
    [
        (_illegal, "is not in the table"),
        (_backwards, "time goes back"),
        (_broken_chain, "leaves idle but was in queued"),
        (_status, "is error but its last transition went to idle"),
        (_lost, "1 datasets lost"),
        (_twice, "datasets listed twice"),
        (_not_ended, "did not end"),
        (_unknown_job, "no client was given"),
        (_lost_job, "are not listed"),
        (_wrong_end, "is aborted but aborting_processing: False"),
        (_records, "is not published but holds 1000 records"),
        (_not_removed, "acknowledged but not removed: ['da_cccccc']"),
        (_busy, "jobs still active"),
        (_client, "client saw: publish"),
    ],
)
def test_each_kind_of_inconsistency_is_reported(
    corrupt: Callable[[soak.Snapshot, soak.Ledger], None], found: str
) -> None:
    snapshot, ledger = world()
    corrupt(snapshot, ledger)
    violations = soak.check(snapshot, ledger)
    assert any(found in v for v in violations), violations


def test_a_buffered_push_job_is_the_servers_own() -> None:
    snapshot, ledger = world()
    push = dict(snapshot.jobs[0], job_id="b" * 40, function="push")
    snapshot.jobs.append(push)
    snapshot.jobs_total = 2
    assert any("no client was given" in v for v in soak.check(snapshot, ledger))
    ledger.buffered.add("da_aaaaaa")
    assert not any("no client was given" in v for v in soak.check(snapshot, ledger))


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ({"status_code": 400, "error_key": "K", "message": "m", "raw_message": "m"}, "raw_params"),
        ({"status_code": 404, "error_key": "K", "message": "m", "raw_message": "m"}, "differs"),
        ({"status_code": 400, "message": "m", "raw_message": "m", "raw_params": {}}, "error_key"),
        (["not", "an", "object"], "not an object"),
    ],
)
def test_an_error_body_out_of_shape_is_named(body: Any, problem: str) -> None:
    assert problem in (soak.error_shape_problem(body, 400) or "")
    good = {"status_code": 400, "error_key": "K", "message": "m", "raw_message": "m"}
    assert soak.error_shape_problem({**good, "raw_params": {}}, 400) is None
