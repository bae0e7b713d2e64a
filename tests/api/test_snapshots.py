"""The snapshot endpoints: read the whole state, save it to the state file, restore one."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from flask.testing import FlaskClient

from simulator.api import get_simulator
from simulator.service import statefile
from tests.conftest import API, AUTH

WORLD = """
datasets:
  - {dataset_id: trees, dataset_uid: da_trees1, resources: [{records: 3000}]}
faults:
  - {type: http, path: "/api/management/v2/datasets/*", probability: 0.5, status: 503}
"""

Make = Callable[..., FlaskClient]


def busy(c: FlaskClient) -> None:
    for _ in range(5):
        c.get(f"{API}/datasets/da_trees1", headers=AUTH)
    while c.put(f"{API}/datasets/da_trees1/publish", headers=AUTH).status_code == 503:
        pass  # the seeded fault said no: ask again, as a client would
    c.post("/_sim/clock/advance", json={"seconds": 12})


def seen(c: FlaskClient) -> list[object]:
    return [
        c.get("/_sim/clock").get_json(),
        c.get("/_sim/timeline").get_json(),
        c.get("/_sim/faults").get_json(),
        c.get("/_sim/dashboard").get_json()["datasets"],
    ]


def test_a_snapshot_read_and_put_back_elsewhere_is_the_same_world(make_client: Make) -> None:
    source = make_client(WORLD)
    busy(source)
    r = source.get("/_sim/snapshot")
    assert r.status_code == 200 and r.mimetype == "application/json"
    document = r.get_json()
    assert document["format"] == "ods-simulator-snapshot"
    assert document["version"] == statefile.VERSION
    target = make_client("datasets: []")
    answer = target.put("/_sim/snapshot", data=r.data)
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json() == {
        "restored": True,
        "operations": len(document["journal"]),
        "now": 12,
        "datetime": "2026-01-01T00:00:12+00:00",
    }
    assert seen(target) == seen(source)


def test_post_saves_to_the_state_file(make_client: Make, tmp_path: Path) -> None:
    c = make_client(WORLD)
    busy(c)
    with c.application.app_context():
        get_simulator().state_file = tmp_path / "state.json"
    r = c.post("/_sim/snapshot")
    assert r.status_code == 200, r.get_json()
    answer = r.get_json()
    operations = len(c.get("/_sim/snapshot").get_json()["journal"])
    assert answer == {
        "path": str(tmp_path / "state.json"),
        "bytes": (tmp_path / "state.json").stat().st_size,
        "operations": operations,
        "now": 12,
        "datetime": "2026-01-01T00:00:12+00:00",
    }
    assert statefile.read(tmp_path / "state.json").clock["now"] == 12


def test_post_without_a_state_file_is_a_409_that_says_how(make_client: Make) -> None:
    r = make_client().post("/_sim/snapshot")
    assert r.status_code == 409
    body = r.get_json()
    assert body["error_key"] == "SnapshotUnavailableException"
    assert "--state-file" in body["message"]


def test_bad_snapshots_are_400s_and_change_nothing(make_client: Make) -> None:
    c = make_client(WORLD)
    busy(c)
    before = seen(c)
    document = c.get("/_sim/snapshot").get_json()
    edited = {**document, "state": {**document["state"], "now": 1}}
    for body, key, fragment in (
        (b"{not json", "InvalidJSONException", "not valid JSON"),
        (b"", "InvalidSnapshotException", "not a simulator snapshot"),
        (b"[1]", "InvalidSnapshotException", "not a simulator snapshot"),
        (json.dumps({**document, "version": 0}), "InvalidSnapshotException", "version 0"),
        (json.dumps(edited), "InvalidSnapshotException", "at state.now: saved 1, replayed 12"),
    ):
        r = c.put("/_sim/snapshot", data=body)
        assert r.status_code == 400, r.get_json()
        assert r.get_json()["error_key"] == key
        assert fragment in r.get_json()["message"]
        assert seen(c) == before
