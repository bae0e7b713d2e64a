"""Datasource connections: their rules, and checkpoints that keep them (and load those
written before connections were kept)."""

from __future__ import annotations

import pytest

from simulator.domain import connections as rules
from simulator.domain.errors import InvalidParameter
from simulator.service import checkpoint
from simulator.service.commands import Body, ConnectionFields
from tests.conftest import scenario_from
from tests.facade import Simulated

WORLD = "users: [{username: admin, password: admin, permissions: all}]\n"


def test_the_rules_name_the_field_refused() -> None:
    assert rules.check_type("http") == "http"
    with pytest.raises(InvalidParameter) as refused:
        rules.check_type("htpp")
    assert "did you mean 'http'" in str(refused.value.raw_params["reason"])
    assert rules.check_headers([{"name": "a", "value": "b"}]) == [{"name": "a", "value": "b"}]
    with pytest.raises(InvalidParameter):
        rules.check_headers([{"name": "a", "value": 1}])
    with pytest.raises(InvalidParameter):
        rules.check_auth({"username": "u"})
    assert rules.shown_auth({"type": "basic_auth", "password": "p"}) == {
        "type": "basic_auth",
        "password": None,
    }


def test_a_checkpoint_keeps_connections_and_one_written_before_loads() -> None:
    sim = Simulated(scenario_from(WORLD)).simulator
    admin = sim.state.store.users["admin"]
    fields = ConnectionFields(type="ftp", url="ftp://f.org", given=["type", "url"])
    made = sim.connections.create_connection(admin, Body.of(fields))
    state = sim.state
    data = checkpoint.capture(state.store, state.world.timeline, state.world.faults, state.engine)
    assert [c["uid"] for c in data["store"]["connections"]] == [made.uid]
    other = Simulated(scenario_from(WORLD)).simulator.state
    checkpoint.revive(data, other.store, other.world.faults, other.world.timeline)
    assert other.store.connections == state.store.connections
    # written before connections were kept: the key is not there, and none is kept
    del data["store"]["connections"]
    older = Simulated(scenario_from(WORLD)).simulator.state
    checkpoint.revive(data, older.store, older.world.faults, older.world.timeline)
    assert older.store.connections == {}
    # and a world without connections writes what it wrote before
    quiet = Simulated(scenario_from(WORLD)).simulator.state
    written = checkpoint.capture(
        quiet.store, quiet.world.timeline, quiet.world.faults, quiet.engine
    )
    assert "connections" not in written["store"]
