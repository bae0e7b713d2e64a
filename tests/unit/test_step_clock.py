"""The step clock's rule: each call of a platform API moves time to the next event first."""

from __future__ import annotations

import pytest

from simulator.domain.clock import Clock
from simulator.domain.errors import AuthenticationRequired, UnknownDataset
from simulator.scenario.loading import DEFAULT_API_KEY, ScenarioError, load_scenario_text
from simulator.service import statefile
from tests.conftest import FakeWall, scenario_from
from tests.facade import Simulated

# one worker: counts waits queued while trees is processed
WORLD = """
platform: {workers: 1}
datasets:
  - {dataset_id: trees, dataset_uid: da_trees1, resources: [{records: 1800}]}
  - {dataset_id: counts, dataset_uid: da_count1, resources: [{records: 1200}]}
"""


def call(sim: Simulated, key: str | None = DEFAULT_API_KEY) -> float:
    """What a platform API does first for every call (faults, credentials); the time after."""
    sim.simulator.access.admit("GET", "/api/management/v2/datasets", key, None, None)
    return sim.simulator.control.clock().now


def test_a_step_clock_never_moves_on_its_own() -> None:
    wall = FakeWall(1000.0)
    clock = Clock("step", speed=60, wall=wall)
    wall.t += 3600
    assert clock.target(12.0) == 12.0
    assert clock.steps and not Clock("manual").steps and not Clock("realtime").steps


def test_each_call_moves_to_the_next_event_and_stays_once_nothing_is_scheduled() -> None:
    sim = Simulated(scenario_from(WORLD, clock_mode="step"))
    admin = sim.store.users["admin"]
    sim.act(admin, "da_trees1", "publish")
    events = []
    while (nxt := sim.simulator.state.engine.next_event()) is not None:
        events.append(nxt)
        sim.simulator.state.engine.advance_to(nxt)
    sim.reset()
    sim.act(admin, "da_trees1", "publish")
    assert call(sim) == 0.0  # the call right after the publish sees it at its instant
    assert [call(sim) for _ in events] == events  # then one event per call
    assert [call(sim), call(sim)] == [events[-1]] * 2
    assert sim.observe("trees")["status"] == "idle"


def test_only_a_change_made_by_a_call_holds_the_next_step_back() -> None:
    sim = Simulated(scenario_from(WORLD, clock_mode="step"))
    admin = sim.store.users["admin"]
    sim.act(admin, "da_trees1", "publish")
    call(sim)  # answered at the publish's instant
    first = call(sim)
    assert first > 0.0
    with pytest.raises(UnknownDataset):  # refused: changes nothing, so the next call steps
        sim.act(admin, "da_nosuch1", "publish")
    assert call(sim) > first


def test_a_refused_call_takes_its_step_too() -> None:
    sim = Simulated(scenario_from(WORLD, clock_mode="step"))
    sim.act(sim.store.users["admin"], "da_trees1", "publish")
    call(sim)
    with pytest.raises(AuthenticationRequired):
        call(sim, key="not-a-key")
    assert sim.simulator.control.clock().now > 0.0


def test_manual_and_realtime_clocks_take_no_step() -> None:
    for mode in ("manual", "realtime"):
        wall = FakeWall()
        sim = Simulated(scenario_from(WORLD, clock_mode=mode), wall=wall)
        sim.act(sim.store.users["admin"], "da_trees1", "publish")
        assert [call(sim), call(sim), call(sim)] == [0.0, 0.0, 0.0]


def test_the_clock_can_be_set_to_step_and_back() -> None:
    sim = Simulated(scenario_from(WORLD))
    assert sim.simulator.control.configure_clock(mode="step").mode == "step"
    sim.act(sim.store.users["admin"], "da_trees1", "publish")
    call(sim)
    assert call(sim) > 0.0
    sim.simulator.control.configure_clock(mode="manual")
    now = call(sim)
    assert call(sim) == now


def test_a_scenario_sets_the_step_clock_and_a_typo_gets_a_hint() -> None:
    assert load_scenario_text("clock: {mode: step}\n", "s.yaml").clock_mode == "step"
    with pytest.raises(ScenarioError) as caught:
        load_scenario_text("clock: {mode: stpe}\n", "s.yaml")
    assert str(caught.value) == (
        "s.yaml:1: clock.mode: 'stpe' is not one of manual, realtime, step (did you mean 'step'?)"
    )


def test_a_snapshot_of_a_step_clock_replays_and_keeps_stepping() -> None:
    sim = Simulated(scenario_from(WORLD, clock_mode="step"))
    admin = sim.store.users["admin"]
    sim.act(admin, "da_trees1", "publish")
    sim.act(admin, "da_count1", "publish")
    call(sim)
    stepped = call(sim)
    copy = Simulated.from_snapshot(statefile.parse(sim.snapshot(), "<test>"))
    clock = copy.clock_state()
    assert (clock["now"], clock["mode"]) == (stepped, "step")
    assert copy.timeline() == sim.timeline()
    assert [call(copy), call(copy)] == [call(sim), call(sim)]
    assert copy.timeline() == sim.timeline()
