"""Fault rules put in force and taken out at run time: the book, checkpoints, determinism."""

from __future__ import annotations

import json

from simulator.domain.timeline import Timeline, subject
from simulator.scenario.loading import load_scenario_text
from simulator.service import Simulator, checkpoint

SCENARIO = """
seed: 3
datasets:
  - {dataset_id: trees, dataset_uid: da_tree01, resources: [{records: 300}]}
faults:
  - {type: http, path: /api/*/jobs, status: 502}
"""


def _session(sim: Simulator) -> None:
    """The same calls, in the same order: a run-time rule among scenario ones."""
    admin = sim.state.store.users["admin"]
    rules = sim.fault_rules
    rules.add_fault({"type": "processing_error", "dataset": "trees", "times": 1})
    rules.add_fault({"type": "http", "path": "/api/*", "status": 503, "probability": 0.5})
    for _ in range(6):
        sim.access.admit("GET", "/api/v2/datasets", "ods-sim-admin-key", None, None)
    sim.datasets.act(admin, "da_tree01", "publish")
    sim.control.run_until_idle()
    rules.remove_fault("scenario-0")


def test_the_same_calls_give_the_same_timeline_and_counts() -> None:
    worlds = [Simulator(load_scenario_text(SCENARIO)) for _ in range(2)]
    for sim in worlds:
        _session(sim)
    first, second = worlds
    assert first.control.timeline_text("ndjson") == second.control.timeline_text("ndjson")
    assert first.fault_rules.rules() == second.fault_rules.rules()
    assert first.control.fault_log() == second.control.fault_log()
    assert [r["id"] for r in first.fault_rules.rules()] == ["run-1", "run-2"]
    assert first.control.describe("trees")["status"] == "error"


def test_a_checkpoint_keeps_the_rules_in_force_and_one_written_before_loads() -> None:
    sim = Simulator(load_scenario_text(SCENARIO))
    _session(sim)
    state = sim.state
    data = checkpoint.capture(state.store, state.world.timeline, state.world.faults, state.engine)
    assert data["faults"]["rules"]["withdrawn"] == ["scenario-0"]
    again = json.loads(json.dumps(data))
    other = Simulator(load_scenario_text(SCENARIO))
    world = other.state.world
    checkpoint.revive(again, other.state.store, world.faults, world.timeline, other.scenario)
    assert other.fault_rules.rules() == sim.fault_rules.rules()
    assert world.timeline.fault_changes == state.world.timeline.fault_changes
    # a world that never changed its rules writes what it wrote before
    plain = Simulator(load_scenario_text(SCENARIO)).state
    written = checkpoint.capture(
        plain.store, plain.world.timeline, plain.world.faults, plain.engine
    )
    assert "rules" not in written["faults"] and "fault_changes" not in written["timeline"]


def test_a_long_journal_written_down_replays_the_rules() -> None:
    text = SCENARIO + "retention: {journal: 2}\n"
    sim = Simulator(load_scenario_text(text))
    _session(sim)
    sim.fault_rules.add_fault({"type": "slow_stage", "factor": 2})
    assert sim.state.journal.base is not None  # written down at least once
    copy = Simulator(load_scenario_text(text))
    copy.snapshots.restore(json.loads(sim.snapshots.take()))
    assert copy.fault_rules.rules() == sim.fault_rules.rules()
    assert copy.control.timeline_text("csv") == sim.control.timeline_text("csv")


def test_fault_changes_come_in_the_timeline_in_the_order_they_were_logged() -> None:
    timeline = Timeline()
    timeline.add_harvester_move(5.0, "h1", "H", "idle", "queued", "start", "j1")
    timeline.add_fault_change(5.0, "run-1", "http", "added")
    timeline.add_harvester_move(5.0, "h1", "H", "queued", "processing", "worker_free", "j1")
    timeline.add_fault_change(5.0, "run-1", "http", "removed")
    lines = timeline.merged()
    assert [subject(line) for line in lines] == [
        "harvester:h1",
        "fault:run-1",
        "harvester:h1",
        "fault:run-1",
    ]
    assert [getattr(line, "change", None) for line in lines] == [None, "added", None, "removed"]
    assert timeline.merged(since=6.0) == []
    assert timeline.merged(harvesters={"h1"}) == [lines[0], lines[2]]
