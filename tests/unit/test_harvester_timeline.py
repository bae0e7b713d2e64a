"""Harvester moves in the timeline: merged among dataset transitions, trimmed like them,
written into checkpoints (and absent from those written before)."""

from __future__ import annotations

from simulator.domain.timeline import Entry, HarvesterEntry, Timeline, to_csv, to_table
from simulator.service import checkpoint
from tests.conftest import scenario_from
from tests.facade import Simulated

WORLD = """
users: [{username: admin, password: admin, permissions: all}]
datasets: [{dataset_id: a, dataset_uid: da_aaaaaa}]
harvesters: [{name: Portal, params: {domain_id: x.example.org}, remote_datasets: 2}]
"""


def _dataset_move(timeline: Timeline, t: float, uid: str) -> None:
    timeline.entries.append((t, uid, uid, "idle", "queued", "publish", None))


def test_moves_are_merged_where_they_happened_and_filtered() -> None:
    timeline = Timeline()
    _dataset_move(timeline, 0, "da_a")
    timeline.add_harvester_move(0, "h", "H", "new", "queued", "start", "j1")
    _dataset_move(timeline, 0, "da_b")
    timeline.add_harvester_move(5, "h", "H", "queued", "processing", "worker_free", "j1")
    merged = timeline.merged()
    assert [type(e) for e in merged] == [Entry, HarvesterEntry, Entry, HarvesterEntry]
    assert timeline.merged(datasets={"da_b"}) == [merged[2]]
    assert timeline.merged(harvesters={"H"}) == [merged[1], merged[3]]
    assert timeline.merged(harvesters={"h"}, since=1) == [merged[3]]
    assert timeline.merged(datasets={"da_a"}, harvesters={"h"}) == [merged[0], merged[1], merged[3]]
    assert "harvester:h" in to_table(merged) and "subject" in to_table(merged)
    assert to_csv(merged).splitlines()[2] == "0,,,new,queued,,,start,j1,h,H"


def test_harvester_moves_keep_the_transitions_retention() -> None:
    timeline = Timeline(limit=10)
    for i in range(12):
        timeline.add_harvester_move(i, "h", "H", "idle", "queued", "start", None)
    assert len(timeline.harvester_moves) == 10 and timeline.harvester_dropped == 2
    assert timeline.merged()[0].t == 2


def test_a_checkpoint_keeps_harvester_moves_and_one_written_before_loads() -> None:
    sim = Simulated(scenario_from(WORLD)).simulator
    admin = sim.state.store.users["admin"]
    sim.harvesters.start_harvester(admin, "portal")
    sim.control.run_until_idle()
    state = sim.state
    data = checkpoint.capture(state.store, state.world.timeline, state.world.faults, state.engine)
    assert len(data["timeline"]["harvester_moves"]) == 3
    revived = Timeline()
    older = Simulated(scenario_from(WORLD)).simulator.state
    checkpoint.revive(data, older.store, older.world.faults, revived)
    assert revived.merged() == state.world.timeline.merged()
    # written before harvester moves were logged: the keys are not there
    for key in ("harvester_moves", "harvester_dropped"):
        del data["timeline"][key]
    plain = Timeline()
    checkpoint.revive(data, older.store, older.world.faults, plain)
    assert plain.harvester_moves == [] and plain.merged() == list(state.world.timeline)
    # and a world where no harvester moved writes what it wrote before
    quiet = Simulated(scenario_from(WORLD)).simulator.state
    written = checkpoint.capture(
        quiet.store, quiet.world.timeline, quiet.world.faults, quiet.engine
    )
    assert list(written["timeline"]) == ["dropped", "entries"]
