"""Fault sweeps of the two waiters: every fault at every point of a clean run.

The robust waiter either ends published or raises ``PublishFailed`` with the
platform's word, whatever happens: its sweep passes. The naive one is swept through
the sweep's Python API, to show what the sweep finds: each of its weaknesses, with a
scenario file that replays it.
"""

from __future__ import annotations

from pathlib import Path

import naive_waiter
import pytest
import requests
from robust_waiter import PublishFailed, Waiter

from simulator.sweep.inprocess import Settings, sweep
from simulator.testing.handle import SimulatorHandle
from simulator.testing.transport_errors import StalledForever
from simulator.testing.virtual_sleep import SleepBudgetExceeded

PORTAL = "https://demo.opendatasoft.com"
TREES = "datasets: [{dataset_id: trees, dataset_uid: da_trees1, resources: [{records: 600}]}]"


@pytest.mark.ods_scenario(TREES)
@pytest.mark.ods_sweep
def test_the_robust_waiter_publishes_or_says_why_whatever_happens(
    ods_intercept: SimulatorHandle,
) -> None:
    try:
        final = Waiter(PORTAL, apikey="a-real-looking-key").publish_and_wait("da_trees1")
    except PublishFailed as failed:
        assert failed.status["name"] in ("error", "limit_reached", "idle")
        return
    assert final["published"]


def naive_publish() -> None:
    assert naive_waiter.publish_and_wait(PORTAL, "a-real-looking-key", "da_trees1")["published"]


@pytest.mark.ods_scenario(TREES)
def test_the_sweep_finds_each_weakness_of_the_naive_waiter(
    ods_intercept: SimulatorHandle, tmp_path: Path
) -> None:
    report = sweep(
        ods_intercept,
        naive_publish,
        "naive_waiter",
        Settings(directory=tmp_path, modules=(naive_waiter,)),
    )
    failed = {(o.case.kind, o.how) for o in report.failures}
    # no retry on 429 or a server error, nor on a connection reset
    assert {("http_429", "exception"), ("http_503", "exception"), ("reset", "exception")} <= failed
    # no timeout: a stalled call would keep it waiting for ever
    assert ("timeout", "hang") in failed
    # waits for idle only: an error or the license limit keeps it polling for ever
    assert {("processing_error", "hang"), ("limit_reached", "hang")} <= failed
    # a slower platform, or workers away for a while, it does survive
    survived = {o.case.kind for o in report.outcomes if o.survived}
    assert {"slow_stage", "worker_outage"} <= survived
    assert all(o.replay and Path(o.replay).is_file() for o in report.failures)


@pytest.mark.ods_scenario(TREES)
def test_a_replay_file_reproduces_the_hang_it_was_written_for(
    ods_intercept: SimulatorHandle, tmp_path: Path
) -> None:
    report = sweep(
        ods_intercept,
        naive_publish,
        "naive_waiter",
        Settings(kinds=("processing_error", "timeout"), budget=600, directory=tmp_path),
    )
    for outcome in report.failures:
        ods_intercept.load(outcome.replay)
        with (
            ods_intercept.virtual_sleep(budget=600, modules=[naive_waiter]),
            pytest.raises((SleepBudgetExceeded, StalledForever)),
        ):
            naive_publish()
    assert len(report.failures) == len(report.outcomes) > 0


def test_the_naive_waiter_works_on_a_good_day(ods: SimulatorHandle) -> None:
    ods.load(TREES)
    with ods.virtual_sleep(modules=[naive_waiter]):
        final = naive_waiter.publish_and_wait(ods.url, ods.apikey, "da_trees1")
    assert final["published"]
    assert requests.get(f"{ods.api_url}/datasets/da_trees1", headers=ods.headers).ok
