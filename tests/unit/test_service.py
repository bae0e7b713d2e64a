"""The facade on its own: realtime catch-up, locking, answers that do not leak."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from simulator.api.management.render import Ask
from simulator.domain.errors import InvalidParameter
from tests.conftest import FakeWall, scenario_from
from tests.facade import Simulated as Simulator

WORLD = "datasets: [{dataset_id: a, dataset_uid: da_aaaaaa, resources: [{records: 1000}]}]"


def test_realtime_catches_up_lazily_on_the_next_question() -> None:
    wall = FakeWall()
    sim = Simulator(scenario_from(WORLD, clock_mode="realtime", speed=10), wall=wall)
    admin = sim.store.users["admin"]
    sim.act(admin, "da_aaaaaa", "publish")
    wall.t = 1.0  # ten virtual seconds later
    assert (
        sim.dataset_status(admin, "da_aaaaaa", Ask("fine"))["name"] == "processing_all_dataset_data"
    )
    wall.t = 3.0
    status = sim.dataset_status(admin, "da_aaaaaa", Ask())
    assert (status["name"], status["since"]) == ("idle", "2026-01-01T00:00:25+00:00")
    assert sim.clock_state()["now"] == 30


def test_a_manual_jump_in_realtime_mode_does_not_move_time_backwards() -> None:
    wall = FakeWall()
    sim = Simulator(scenario_from(WORLD, clock_mode="realtime", speed=10), wall=wall)
    wall.t = 1.0
    assert sim.advance(100)["now"] == 110
    wall.t = 1.5
    assert sim.clock_state()["now"] == 115


def test_answers_are_plain_data_that_later_changes_do_not_touch(
    make_sim: Callable[..., Simulator],
) -> None:
    sim = make_sim(WORLD)
    admin = sim.store.users["admin"]
    before = sim.get_dataset(admin, "da_aaaaaa", Ask())
    sim.act(admin, "da_aaaaaa", "publish")
    sim.run_until_idle()
    assert before["published"] is False
    assert before["metas"]["publishing"] == {"published": False}


def test_concurrent_callers_are_serialised_by_the_lock(make_sim: Callable[..., Simulator]) -> None:
    sim = make_sim("")
    admin = sim.store.users["admin"]
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(50):
                created = sim.create_dataset(admin, {}, Ask())
                sim.act(admin, created["dataset_uid"], "publish")
                sim.advance(1)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sim.run_until_idle()["idle"] is True
    listed = sim.list_datasets(admin, Ask(), rows=100)
    assert listed["nhits"] == 200
    assert len({uid for uid in sim.store.datasets}) == 200


def test_an_unknown_action_is_refused_by_the_facade_itself() -> None:
    # the dashboard's route, a script and a snapshot's replay all end in the same check
    sim = Simulator(scenario_from(WORLD, clock_mode="manual"))
    before = sim.snapshot()
    with pytest.raises(InvalidParameter, match=r"expected one of publish, .*got 'explode'"):
        sim.act_as_first_user("a", "explode")
    assert sim.store.jobs == {} and sim.snapshot() == before
    assert "job_id" in sim.act_as_first_user("a", "publish")
