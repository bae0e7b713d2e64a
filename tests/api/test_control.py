"""The control API: the virtual clock, resets, the table and the timeline."""

from __future__ import annotations

from collections.abc import Callable

from flask.testing import FlaskClient

from simulator.domain import statemachine
from tests.conftest import API, AUTH

Make = Callable[..., FlaskClient]

WORLD = """
datasets:
  - {dataset_id: a, dataset_uid: da_aaaaaa, resources: [{records: 1000}]}
  - {dataset_id: b, dataset_uid: da_bbbbbb, resources: [{records: 100}]}
"""


def test_the_clock_starts_at_zero_in_manual_mode(client: FlaskClient) -> None:
    clock = client.get("/_sim/clock").get_json()
    assert clock["now"] == 0
    assert clock["datetime"] == "2026-01-01T00:00:00+00:00"
    assert (clock["mode"], clock["next_event"], clock["active_jobs"]) == ("manual", None, 0)


def test_advance_accepts_json_or_a_query_string(client: FlaskClient) -> None:
    assert client.post("/_sim/clock/advance", json={"seconds": 30}).get_json()["now"] == 30
    assert client.post("/_sim/clock/advance?seconds=1.5").get_json()["now"] == 31.5


def test_next_jumps_to_the_next_scheduled_event(make_client: Make) -> None:
    c = make_client(WORLD)
    c.put(f"{API}/datasets/da_aaaaaa/publish", headers=AUTH)
    assert c.get("/_sim/clock").get_json()["next_event"] == 5
    jumped = c.post("/_sim/clock/next").get_json()
    assert (jumped["now"], jumped["advanced"]) == (5, True)
    c.post("/_sim/clock/run_until_idle")
    assert c.post("/_sim/clock/next").get_json()["advanced"] is False


def test_run_until_idle_finishes_every_job(make_client: Make) -> None:
    c = make_client(WORLD)
    c.put(f"{API}/datasets/da_aaaaaa/publish", headers=AUTH)
    c.put(f"{API}/datasets/da_bbbbbb/publish", headers=AUTH)
    done = c.post("/_sim/clock/run_until_idle").get_json()
    assert (done["idle"], done["now"], done["active_jobs"]) == (True, 25, 0)


def test_reset_returns_to_the_scenarios_time_zero(make_client: Make) -> None:
    c = make_client(WORLD)
    c.put(f"{API}/datasets/da_aaaaaa/publish", headers=AUTH)
    c.post(f"{API}/datasets", data='{"dataset_id": "extra"}', headers=AUTH)
    c.post("/_sim/clock/run_until_idle")
    assert c.post("/_sim/reset").get_json()["now"] == 0
    listed = c.get(f"{API}/datasets", headers=AUTH).get_json()
    assert [d["dataset_id"] for d in listed["datasets"]] == ["a", "b"]
    assert all(d["published"] is False for d in listed["datasets"])
    assert c.get("/_sim/timeline").get_json() == []


def test_the_same_requests_after_a_reset_give_the_same_ids_and_timeline(make_client: Make) -> None:
    c = make_client(WORLD)

    def run() -> tuple[str, str, list[object]]:
        uid = c.post(f"{API}/datasets", data="{}", headers=AUTH).get_json()["dataset_uid"]
        job = c.put(f"{API}/datasets/da_aaaaaa/publish", headers=AUTH).get_json()["job_id"]
        c.post("/_sim/clock/run_until_idle")
        return uid, job, c.get("/_sim/timeline").get_json()

    first = run()
    c.post("/_sim/reset")
    assert run() == first


def test_the_clock_mode_and_speed_can_change(client: FlaskClient) -> None:
    clock = client.put("/_sim/clock", json={"mode": "realtime", "speed": 60}).get_json()
    assert (clock["mode"], clock["speed"]) == ("realtime", 60)
    assert client.put("/_sim/clock", data='{"mode": "manual"}').get_json()["mode"] == "manual"


def test_the_state_machine_is_served_as_data(client: FlaskClient) -> None:
    assert client.get("/_sim/statemachine").get_json() == statemachine.table()


def test_the_timeline_filters_by_dataset_and_time(make_client: Make) -> None:
    c = make_client(WORLD)
    c.put(f"{API}/datasets/da_aaaaaa/publish", headers=AUTH)
    c.put(f"{API}/datasets/da_bbbbbb/publish", headers=AUTH)
    c.post("/_sim/clock/run_until_idle")
    only_b = c.get("/_sim/timeline?dataset=b").get_json()
    assert {e["dataset_id"] for e in only_b} == {"b"}
    assert c.get("/_sim/timeline?dataset=da_bbbbbb").get_json() == only_b
    late = c.get("/_sim/timeline?since=6&until=25").get_json()
    assert [(e["t"], e["dataset_id"], e["to"]) for e in late] == [
        (16, "b", "idle"),
        (25, "a", "idle"),
    ]
    entry = only_b[1]
    assert entry == {
        "t": 0,
        "dataset_uid": "da_bbbbbb",
        "dataset_id": "b",
        "from": "queued",
        "to": "processing_dataset",
        "from_public": "queued",
        "to_public": "processing",
        "cause": "worker_free",
        "job_id": entry["job_id"],
    }


def test_the_control_api_needs_no_credentials(client: FlaskClient) -> None:
    assert client.get("/_sim/health").get_json() == {"status": "ok"}
