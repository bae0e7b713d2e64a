"""Status objects, the five actions and jobs, through the Flask test client."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.conftest import API, AUTH

Make = Callable[..., FlaskClient]

WORLD = """
platform:
  workers: 1
  license: {max_records_by_dataset: 5000}
datasets:
  - {dataset_id: small, dataset_uid: da_small1, resources: [{records: 1000}]}
  - {dataset_id: big, dataset_uid: da_big001, resources: [{records: 8000}]}
  - {dataset_id: live, dataset_uid: da_live01, published: true, resources: [{records: 2000}]}
faults:
  - type: processor_misconfigured
    dataset: "broken*"
    raw_params: {processor_id: pr_abc123, field: address, msg: invalid type}
  - {type: record_errors, dataset: small, count: 3, field: height}
"""


@pytest.fixture
def c(make_client: Make) -> FlaskClient:
    return make_client(WORLD)


def put(c: FlaskClient, uid: str, action: str) -> Any:
    return c.put(f"{API}/datasets/{uid}/{action}", headers=AUTH)


def status(c: FlaskClient, uid: str, query: str = "") -> dict[str, Any]:
    return c.get(f"{API}/datasets/{uid}/status{query}", headers=AUTH).get_json()


def advance(c: FlaskClient, seconds: float) -> None:
    assert c.post("/_sim/clock/advance", json={"seconds": seconds}).status_code == 200


@pytest.mark.parametrize("action", ["publish", "unpublish", "save_version", "publish_metadata"])
def test_every_action_answers_a_40_hex_job_id_and_queues_the_dataset(
    c: FlaskClient, action: str
) -> None:
    r = put(c, "da_live01", action)
    assert r.status_code == 200
    assert list(r.get_json()) == ["job_id"]
    assert re.fullmatch(r"[0-9a-f]{40}", r.get_json()["job_id"])
    assert status(c, "da_live01")["name"] != "idle"


def test_a_publish_moves_through_processing_to_idle_on_the_virtual_clock(c: FlaskClient) -> None:
    put(c, "da_small1", "publish")
    assert status(c, "da_small1") == {
        "name": "processing",
        "published": False,
        "since": "2026-01-01T00:00:00+00:00",
        "user": {"username": "admin"},
    }
    advance(c, 5)
    assert status(c, "da_small1", "?status_names=fine")["name"] == "processing_all_dataset_data"
    advance(c, 20)
    final = status(c, "da_small1")
    assert (final["name"], final["published"], final["since"]) == (
        "idle",
        True,
        "2026-01-01T00:00:25+00:00",
    )


def test_coarse_since_only_moves_when_the_public_name_changes(c: FlaskClient) -> None:
    put(c, "da_small1", "publish")
    advance(c, 7)
    assert status(c, "da_small1")["since"] == "2026-01-01T00:00:00+00:00"
    assert status(c, "da_small1", "?status_names=fine")["since"] == "2026-01-01T00:00:05+00:00"


def test_the_status_vocabulary_can_be_chosen_per_request_by_header(c: FlaskClient) -> None:
    put(c, "da_small1", "publish")
    r = c.get(f"{API}/datasets/da_small1/status", headers={**AUTH, "X-Sim-Status-Names": "fine"})
    assert r.get_json()["name"] == "processing_dataset"
    bad = c.get(
        f"{API}/datasets/da_small1/status", headers={**AUTH, "X-Sim-Status-Names": "medium"}
    )
    assert bad.status_code == 400
    # found by fuzzing: a bad query parameter went unnoticed next to a good header
    both = c.get(
        f"{API}/datasets/da_small1/status?status_names=null",
        headers={**AUTH, "X-Sim-Status-Names": "coarse"},
    )
    assert (both.status_code, both.get_json()["raw_params"]["parameter"]) == (400, "status_names")


def test_the_scenario_can_make_fine_names_the_default(make_client: Make) -> None:
    c = make_client(WORLD, status_names="fine")
    put(c, "da_small1", "publish")
    assert status(c, "da_small1")["name"] == "processing_dataset"


def test_an_action_on_a_busy_dataset_gets_the_platforms_precondition_error(c: FlaskClient) -> None:
    put(c, "da_small1", "publish")
    r = put(c, "da_small1", "publish")
    assert r.status_code == 400
    assert r.get_json() == {
        "status_code": 400,
        "error_key": "InvalidDatasetStatusPreconditionException",
        "message": "Invalid precondition, dataset status is 'processing_dataset' "
        "but must be one of 'idle, error, limit_reached'",
        "raw_message": "Invalid precondition, dataset status is '{current_status}' "
        "but must be one of '{authorized_origin_status}'",
        "raw_params": {
            "current_status": "processing_dataset",
            "authorized_origin_status": "idle, error, limit_reached",
        },
    }


def test_a_queued_dataset_refuses_actions_too(c: FlaskClient) -> None:
    put(c, "da_small1", "publish")
    put(c, "da_big001", "publish")
    assert status(c, "da_big001")["name"] == "queued"
    r = put(c, "da_big001", "unpublish")
    assert r.get_json()["raw_params"]["current_status"] == "queued"


def test_abort_outside_processing_names_the_abortable_statuses(c: FlaskClient) -> None:
    r = put(c, "da_small1", "abort_processing")
    assert r.status_code == 400
    assert r.get_json()["raw_params"] == {
        "current_status": "idle",
        "authorized_origin_status": "processing_dataset, processing_resource_records, "
        "processing_all_dataset_data",
    }


def test_abort_mid_way_keeps_indexed_records_and_returns_to_idle(c: FlaskClient) -> None:
    job_id = put(c, "da_small1", "publish").get_json()["job_id"]
    advance(c, 20)  # records flow from t=15 at 100/s
    r = put(c, "da_small1", "abort_processing")
    assert r.get_json() == {"job_id": job_id}
    assert status(c, "da_small1")["name"] == "aborting_processing"
    c.post("/_sim/clock/run_until_idle")
    final = status(c, "da_small1")
    assert (final["name"], final["published"]) == ("idle", True)
    job = c.get(f"{API}/jobs/{job_id}", headers=AUTH).get_json()
    assert job["state"] == "aborted"
    assert job["result"] == {"status": "idle", "records": 500}


def test_the_license_limit_shows_limit_reached_with_its_params(c: FlaskClient) -> None:
    put(c, "da_big001", "publish")
    c.post("/_sim/clock/run_until_idle")
    assert status(c, "da_big001") == {
        "name": "limit_reached",
        "published": True,
        "since": "2026-01-01T00:01:05+00:00",
        "user": {"username": "admin"},
        "params": {"limit_type": "max_records_by_dataset", "limit": 5000, "value": 8000},
    }


def test_a_failed_processing_shows_error_with_message_raw_message_and_raw_params(
    make_client: Make,
) -> None:
    c = make_client(WORLD)
    created = c.post(f"{API}/datasets", data='{"dataset_id": "broken"}', headers=AUTH).get_json()
    uid = created["dataset_uid"]
    put(c, uid, "publish")
    c.post("/_sim/clock/run_until_idle")
    body = status(c, uid)
    assert body["name"] == "error"
    assert body["message"] == "Processor pr_abc123 is misconfigured for field address: invalid type"
    assert (
        body["raw_message"] == "Processor {processor_id} is misconfigured for field {field}: {msg}"
    )
    assert body["raw_params"] == {
        "processor_id": "pr_abc123",
        "field": "address",
        "msg": "invalid type",
    }
    # error accepts a new action like idle does
    assert put(c, uid, "publish").status_code == 200


def test_record_errors_are_a_count_or_a_list_when_expanded(c: FlaskClient) -> None:
    put(c, "da_small1", "publish")
    c.post("/_sim/clock/run_until_idle")
    assert status(c, "da_small1")["records_errors"] == 3
    errors = status(c, "da_small1", "?expand=records_errors")["records_errors"]
    assert len(errors) == 3
    assert set(errors[0]) == {
        "record_id",
        "processor_uid",
        "field_uid",
        "message",
        "raw_message",
        "raw_params",
    }
    listed = c.get(f"{API}/datasets/da_small1/status/records_errors", headers=AUTH).get_json()
    assert listed == errors


def test_unpublish_ends_idle_and_unpublished(c: FlaskClient) -> None:
    put(c, "da_live01", "unpublish")
    assert status(c, "da_live01")["name"] == "deleting"
    c.post("/_sim/clock/run_until_idle")
    final = status(c, "da_live01")
    assert (final["name"], final["published"]) == ("idle", False)
    assert "records_errors" not in final


def test_save_version_passes_through_saving_version(c: FlaskClient) -> None:
    job_id = put(c, "da_live01", "save_version").get_json()["job_id"]
    assert status(c, "da_live01")["name"] == "saving_version"
    c.post("/_sim/clock/run_until_idle")
    job = c.get(f"{API}/jobs/{job_id}", headers=AUTH).get_json()
    assert job["function"] == "save_version"
    assert job["state"] == "done"
    assert [p["fine_status"] for p in job["progresses"]] == ["saving_dataset_version"]


def test_publish_metadata_leaves_records_untouched(c: FlaskClient) -> None:
    put(c, "da_live01", "publish_metadata")
    c.post("/_sim/clock/run_until_idle")
    timeline = c.get("/_sim/timeline?dataset=live").get_json()
    assert [e["to"] for e in timeline] == ["queued", "processing_dataset", "idle"]


def test_jobs_are_listed_and_described_in_virtual_time(c: FlaskClient) -> None:
    job_id = put(c, "da_small1", "publish").get_json()["job_id"]
    c.post("/_sim/clock/run_until_idle")
    listed = c.get(f"{API}/jobs", headers=AUTH).get_json()
    assert [j["job_id"] for j in listed["jobs"]] == [job_id]
    job = c.get(f"{API}/jobs/{job_id}", headers=AUTH).get_json()
    assert job == {
        "job_id": job_id,
        "function": "publish",
        "dataset_uid": "da_small1",
        "user": {"username": "admin"},
        "state": "done",
        "created": "2026-01-01T00:00:00+00:00",
        "started": "2026-01-01T00:00:00+00:00",
        "ended": "2026-01-01T00:00:25+00:00",
        "progresses": [
            {
                "status": "processing",
                "fine_status": "processing_dataset",
                "started": "2026-01-01T00:00:00+00:00",
                "ended": "2026-01-01T00:00:05+00:00",
                "records_total": 0,
                "records_done": 0,
            },
            {
                "status": "processing",
                "fine_status": "processing_all_dataset_data",
                "started": "2026-01-01T00:00:05+00:00",
                "ended": "2026-01-01T00:00:25+00:00",
                "records_total": 1000,
                "records_done": 1000,
            },
        ],
        "result": {"status": "idle", "records": 1000},
    }


def test_a_running_job_shows_its_progress(c: FlaskClient) -> None:
    job_id = put(c, "da_small1", "publish").get_json()["job_id"]
    advance(c, 18)
    job = c.get(f"{API}/jobs/{job_id}", headers=AUTH).get_json()
    assert job["state"] == "running"
    assert job["progresses"][-1]["records_done"] == 300
    assert job["progresses"][-1]["ended"] is None


def test_an_unknown_job_is_a_404(c: FlaskClient) -> None:
    r = c.get(f"{API}/jobs/{'0' * 40}", headers=AUTH)
    assert (r.status_code, r.get_json()["error_key"]) == (404, "UnknownJobException")


def test_actions_are_put_only(c: FlaskClient) -> None:
    r = c.post(f"{API}/datasets/da_small1/publish", headers=AUTH)
    assert r.status_code == 405
    assert r.get_json()["raw_params"]["allowed"] == "PUT"
    assert status(c, "da_small1")["name"] == "idle"


def test_the_date_header_comes_from_the_virtual_clock(c: FlaskClient) -> None:
    advance(c, 3600)
    r = c.get(f"{API}/datasets", headers=AUTH)
    assert r.headers["Date"] == "Thu, 01 Jan 2026 01:00:00 GMT"


def test_every_answer_carries_one_virtual_date_errors_included(c: FlaskClient) -> None:
    advance(c, 90)
    answers = [
        c.get(f"{API}/datasets/da_nope/status", headers=AUTH),  # 404 from a view
        c.get(f"{API}/datasets/da_small1/status"),  # 401 before any view
        c.get(f"{API}/nowhere/", headers=AUTH),  # 404 from routing, trailing slash
        c.get("/_sim/clock"),
    ]
    assert [r.status_code for r in answers] == [404, 401, 404, 200]
    for r in answers:
        assert r.headers.getlist("Date") == ["Thu, 01 Jan 2026 00:01:30 GMT"]


DELAYED = """
datasets:
  - {dataset_id: slow, dataset_uid: da_slow01}
faults:
  - {type: http, method: GET, path: /api/management/v2/datasets/*/status, latency: 1.5}
  - {type: http, method: PUT, path: /api/management/v2/datasets/*/publish, latency: 2,
     status: 503}
"""


def test_a_delayed_call_says_its_latency_and_leaves_nothing_behind(make_client: Make) -> None:
    c = make_client(DELAYED)
    app = c.application
    c.get(f"{API}/datasets/da_slow01/status", headers=AUTH)
    c.put(f"{API}/datasets/da_slow01/publish", headers=AUTH)
    c.get("/_sim/clock")
    before = _hooks(app)
    for _ in range(50):
        r = c.get(f"{API}/datasets/da_slow01/status", headers=AUTH)
        assert (r.status_code, r.headers["X-Sim-Latency"]) == (200, "1.5")
    refused = c.put(f"{API}/datasets/da_slow01/publish", headers=AUTH)
    assert (refused.status_code, refused.headers["X-Sim-Latency"]) == (503, "2")
    assert "X-Sim-Latency" not in c.get("/_sim/clock").headers
    # each delayed call used to register a hook of its own, kept for the app's life
    assert _hooks(app) == before


def _hooks(app: Any) -> int:
    """How many request hooks an app has registered."""
    kinds = (app.before_request_funcs, app.after_request_funcs, app.teardown_request_funcs)
    return sum(len(funcs) for kind in kinds for funcs in kind.values())
