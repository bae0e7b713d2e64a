"""Realtime resources: pushes, buffering, the license limit, recover, scratch."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.conftest import API, AUTH

Make = Callable[..., FlaskClient]

WORLD = """
platform:
  license: {max_records_by_dataset: 1000}
  stages:
    processing_realtime: {base: 2, rate: 100}
datasets:
  - dataset_id: sensors
    dataset_uid: da_sense1
    published: true
    resources:
      - {title: stations.csv, records: 200}
      - {title: live, type: realtime, url: "realtime://live"}
  - dataset_id: draft
    dataset_uid: da_draft1
    resources: [{title: live, type: realtime, url: "realtime://live"}]
"""
D = f"{API}/datasets/da_sense1"


@pytest.fixture
def c(make_client: Make) -> FlaskClient:
    return make_client(WORLD)


def live(c: FlaskClient, uid: str = "da_sense1") -> str:
    listed = c.get(f"{API}/datasets/{uid}/resources", headers=AUTH).get_json()
    return next(r["resource_uid"] for r in listed if r["type"] == "realtime")


def push(c: FlaskClient, records: Any, uid: str = "da_sense1") -> Any:
    return c.post(
        f"{API}/datasets/{uid}/resources/{live(c, uid)}/push",
        data=json.dumps(records),
        headers=AUTH,
    )


def moves(c: FlaskClient) -> list[tuple[str, str]]:
    return [(e["to"], e["cause"]) for e in c.get("/_sim/timeline?dataset=sensors").get_json()]


def test_a_push_is_indexed_through_processing_realtime(c: FlaskClient) -> None:
    r = push(c, [{"station": 1, "pm10": 12}, {"station": 2, "pm10": 30}])
    body = r.get_json()
    assert (r.status_code, body["status"], body["records"], body["buffered"]) == (
        200,
        "OK",
        2,
        False,
    )
    status = c.get(f"{D}/status?status_names=fine", headers=AUTH).get_json()
    assert status["name"] == "processing_realtime"
    c.post("/_sim/clock/run_until_idle")
    assert moves(c) == [
        ("queued", "push"),
        ("processing_realtime", "worker_free"),
        ("idle", "job_done"),
    ]
    job = c.get(f"{API}/jobs/{body['job_id']}", headers=AUTH).get_json()
    assert job["result"] == {"status": "idle", "records": 202}


def test_a_single_record_may_be_pushed_as_an_object(c: FlaskClient) -> None:
    assert push(c, {"station": 1}).get_json()["records"] == 1


def test_pushes_during_a_job_are_buffered_and_indexed_after_it(c: FlaskClient) -> None:
    c.put(f"{D}/save_version", headers=AUTH)
    r = push(c, [{"x": 1}] * 5)
    assert r.get_json() == {"status": "OK", "records": 5, "buffered": True}
    push(c, [{"x": 2}] * 3)
    c.post("/_sim/clock/run_until_idle")
    assert moves(c) == [
        ("queued", "save_version"),
        ("saving_dataset_version", "worker_free"),
        ("idle", "job_done"),
        ("queued", "push"),
        ("processing_realtime", "worker_free"),
        ("idle", "job_done"),
    ]
    last = c.get(f"{API}/jobs", headers=AUTH).get_json()["jobs"][-1]
    assert (last["function"], last["result"]["records"]) == ("push", 208)


def test_the_license_limit_applies_to_pushed_records(c: FlaskClient) -> None:
    push(c, [{"x": 1}] * 900)
    c.post("/_sim/clock/run_until_idle")
    status = c.get(f"{D}/status", headers=AUTH).get_json()
    assert status["name"] == "limit_reached"
    assert status["params"] == {
        "limit_type": "max_records_by_dataset",
        "limit": 1000,
        "value": 1100,
    }


def test_recover_reindexes_and_delete_recover_data_drops_pushed_records(c: FlaskClient) -> None:
    push(c, [{"x": 1}] * 50)
    c.post("/_sim/clock/run_until_idle")
    resource = f"{D}/resources/{live(c)}"
    assert c.get(resource, headers=AUTH).get_json()["records"] == 50  # kept as recover data
    job = c.put(f"{resource}/recover", headers=AUTH).get_json()["job_id"]
    assert (
        c.get(f"{D}/status?status_names=fine", headers=AUTH).get_json()["name"]
        == "recovering_realtime_records"
    )
    c.post("/_sim/clock/run_until_idle")
    assert c.get(f"{API}/jobs/{job}", headers=AUTH).get_json()["result"]["records"] == 250
    c.put(f"{resource}/delete_recover_data", headers=AUTH)
    assert c.get(f"{D}/status", headers=AUTH).get_json()["name"] == "deleting"
    c.post("/_sim/clock/run_until_idle")
    assert c.get(resource, headers=AUTH).get_json()["records"] == 0
    assert moves(c)[-2:] == [
        ("scratching_realtime_recover_data", "worker_free"),
        ("idle", "job_done"),
    ]


@pytest.mark.parametrize(
    ("records", "parameter"),
    [([], "body"), (None, "body"), ([{"a": 1}, 5], "body[1]"), ("text", "body[0]")],
)
def test_bad_pushes_are_refused(c: FlaskClient, records: Any, parameter: str) -> None:
    r = push(c, records)
    assert r.status_code == 400
    assert r.get_json()["raw_params"]["parameter"] == parameter
    assert moves(c) == []


def test_pushes_go_to_published_datasets_and_realtime_resources_only(c: FlaskClient) -> None:
    r = push(c, [{"x": 1}], uid="da_draft1")
    assert (r.status_code, "is not published" in r.get_json()["message"]) == (400, True)
    stations = c.get(f"{D}/resources", headers=AUTH).get_json()[0]["resource_uid"]
    r = c.post(f"{D}/resources/{stations}/push", data='[{"x": 1}]', headers=AUTH)
    assert (r.status_code, "not a realtime resource" in r.get_json()["message"]) == (400, True)
    r = c.put(f"{D}/resources/{stations}/recover", headers=AUTH)
    assert r.status_code == 400


def test_recover_needs_a_published_dataset(c: FlaskClient) -> None:
    resource = f"{D}/resources/{live(c)}"
    push(c, [{"x": 1}] * 5)
    c.post("/_sim/clock/run_until_idle")
    c.put(f"{D}/unpublish", headers=AUTH)
    c.post("/_sim/clock/run_until_idle")
    before = moves(c)
    r = c.put(f"{resource}/recover", headers=AUTH)
    assert (r.status_code, "is not published" in r.get_json()["message"]) == (400, True)
    assert moves(c) == before
    assert c.get(f"{D}/status", headers=AUTH).get_json()["published"] is False


def test_recover_follows_the_action_preconditions(c: FlaskClient) -> None:
    c.put(f"{D}/save_version", headers=AUTH)
    r = c.put(f"{D}/resources/{live(c)}/recover", headers=AUTH)
    assert r.get_json()["error_key"] == "InvalidDatasetStatusPreconditionException"


def test_a_realtime_resource_can_be_created_over_the_api(c: FlaskClient) -> None:
    r = c.post(
        f"{API}/datasets/da_draft1/resources",
        data='{"type": "realtime", "title": "feed"}',
        headers=AUTH,
    )
    assert r.get_json()["url"] == "realtime://feed"
    assert r.get_json()["type"] == "realtime"


def test_records_buffered_during_an_unpublish_are_dropped_with_the_index(c: FlaskClient) -> None:
    c.put(f"{D}/unpublish", headers=AUTH)
    r = push(c, [{"x": 1}] * 5)  # accepted while the dataset is still published
    assert r.get_json() == {"status": "OK", "records": 5, "buffered": True}
    c.post("/_sim/clock/run_until_idle")
    assert moves(c)[-1] == ("idle", "job_done")
    assert [j["function"] for j in c.get(f"{API}/jobs", headers=AUTH).get_json()["jobs"]] == [
        "unpublish"
    ]
    row = c.get("/_sim/dashboard").get_json()["datasets"][0]
    assert (row["dataset_id"], row["published"], row["records"]) == ("sensors", False, 0)
    assert c.get(f"{D}/resources/{live(c)}", headers=AUTH).get_json()["records"] == 0
