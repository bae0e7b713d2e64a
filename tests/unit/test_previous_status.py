"""The status a dataset left: followed from the timeline, started over in a new world."""

from __future__ import annotations

from simulator.domain.statemachine import Status
from simulator.domain.timeline import Timeline
from simulator.service.transitions import PreviousStatuses
from tests.conftest import scenario_from
from tests.facade import Simulated

WORLD = "datasets: [{dataset_id: a, dataset_uid: da_aaaaaa, resources: [{records: 1000}]}]"


def test_only_a_change_of_public_name_counts() -> None:
    timeline = Timeline()
    rows = [
        (0.0, "da_a", "a", "idle", "queued", "publish", None),
        (0.0, "da_a", "a", "queued", "processing_dataset", "publish", None),
        (1.0, "da_a", "a", "processing_dataset", "processing_all_dataset_data", "publish", None),
    ]
    timeline.entries.extend(rows)
    previous = PreviousStatuses()
    assert previous.of(timeline, "da_a") == Status.QUEUED
    assert previous.of(timeline, "da_b") is None
    timeline.entries.append((2.0, "da_a", "a", "processing_all_dataset_data", "idle", "", None))
    assert previous.of(timeline, "da_a") == Status.PROCESSING_ALL_DATASET_DATA
    timeline.entries.append((3.0, "da_a", "a", "idle", "removed", "deleted", None))
    assert previous.of(timeline, "da_a") is None


def test_a_reset_world_starts_over() -> None:
    sim = Simulated(scenario_from(WORLD))
    admin = sim.store.users["admin"]
    sim.act(admin, "da_aaaaaa", "publish")
    sim.run_until_idle()
    assert sim.datasets.status(admin, "da_aaaaaa").previous == Status.PROCESSING_ALL_DATASET_DATA
    sim.reset()
    assert sim.datasets.status(admin, "da_aaaaaa").previous is None
