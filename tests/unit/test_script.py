"""Scripts play on the virtual clock, in manual and realtime mode alike."""

from __future__ import annotations

from simulator.api.management.render import Ask
from tests.conftest import FakeWall, scenario_from
from tests.facade import Simulated as Simulator

SCRIPT = """
datasets: [{dataset_id: a, dataset_uid: da_aaaaaa, resources: [{records: 1000}]}]
script:
  - {at: 25, expect: {dataset: a, status: idle, published: false}}
  - {at: 30, action: publish, dataset: a}
  - {at: 55, expect: {dataset: a, status: idle, published: true}}
"""


def test_in_realtime_mode_steps_run_as_time_passes() -> None:
    wall = FakeWall()
    sim = Simulator(scenario_from(SCRIPT, clock_mode="realtime", speed=10), wall=wall)
    admin = sim.store.users["admin"]
    wall.t = 2.9
    assert sim.dataset_status(admin, "da_aaaaaa", Ask())["name"] == "idle"
    wall.t = 3.1  # 31 virtual seconds: the publish at 30 has happened
    assert sim.dataset_status(admin, "da_aaaaaa", Ask())["name"] == "processing"
    wall.t = 6.0
    results = sim.script_results()
    assert (results["done"], results["failed"]) == (True, 0)


def test_a_step_sees_everything_due_at_its_instant() -> None:
    # the publish ends exactly at 55 (30 + 5 + 10 + 1000/100): the check at 55 sees it ended
    sim = Simulator(scenario_from(SCRIPT))
    sim.advance(55)
    assert [r["ok"] for r in sim.script_results()["results"]] == [True, True, True]


def test_steps_are_checked_like_api_calls() -> None:
    text = """
users:
  - {username: boss, permissions: all}
  - {username: intern, permissions: [edit_dataset]}
datasets: [{dataset_id: a}]
script:
  - {at: 0, action: publish, dataset: a, user: intern}
  - {at: 1, action: publish, dataset: a, user: boss}
"""
    sim = Simulator(scenario_from(text))
    sim.advance(2)
    denied, accepted = sim.script_results()["results"]
    assert denied["error"]["error_key"] == "PermissionDeniedException"
    assert accepted["ok"] is True


def test_run_to_end_stops_when_the_script_and_every_job_are_done() -> None:
    sim = Simulator(scenario_from(SCRIPT))
    assert sim.run_to_end() is True
    assert sim.engine.now == 55
