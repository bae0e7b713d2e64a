"""A real server on a loopback port, driven with requests as client code would drive it."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
import requests

from simulator.scenario.loading import DEFAULT_API_KEY
from tests.conftest import Live

pytestmark = pytest.mark.e2e

MakeLive = Callable[..., Live]

WORLD = """
platform:
  workers: 1
  license: {max_records_by_dataset: 3000}
users:
  - {username: admin, password: admin, api_keys: [ods-sim-admin-key], permissions: all}
datasets:
  - {dataset_id: trees, dataset_uid: da_trees1, resources: [{records: 1800}]}
  - {dataset_id: counts, dataset_uid: da_count1, resources: [{records: 4200}]}
  - {dataset_id: stations, dataset_uid: da_stati1, published: true, resources: [{records: 2500}]}
  - {dataset_id: broken, dataset_uid: da_broke1, resources: [{records: 900}]}
faults:
  - type: processing_error
    dataset: broken
    after_records: 450
    raw_message: "Could not read {resource}: {reason}"
    raw_params: {resource: trees.csv, reason: timeout}
"""


def wait_for(
    live: Live, uid: str, names: set[str], poll: float = 5.0, limit: int = 200
) -> tuple[dict[str, Any], list[str]]:
    """Poll /status as real clients do, letting `poll` virtual seconds pass between polls."""
    seen: list[str] = []
    for _ in range(limit):
        r = live.http.get(f"{live.api}/datasets/{uid}/status", timeout=10)
        assert r.status_code == 200, r.text
        body = r.json()
        if not seen or seen[-1] != body["name"]:
            seen.append(body["name"])
        if body["name"] in names:
            return body, seen
        live.advance(poll)
    raise AssertionError(f"{uid} never reached {names}; saw {seen}")


def publish(live: Live, uid: str) -> requests.Response:
    return live.http.put(f"{live.api}/datasets/{uid}/publish", timeout=10)


def test_publish_then_poll_status_until_idle(make_live: MakeLive) -> None:
    live = make_live(WORLD)
    r = publish(live, "da_trees1")
    assert r.status_code == 200
    job_id = r.json()["job_id"]
    final, seen = wait_for(live, "da_trees1", {"idle"})
    assert seen == ["processing", "idle"]
    assert final["published"] is True
    assert final["records_errors"] == 0
    job = live.http.get(f"{live.api}/jobs/{job_id}/", timeout=10).json()
    assert job["state"] == "done"
    assert job["result"] == {"status": "idle", "records": 1800}


def test_a_dataset_waits_queued_behind_a_busy_worker(make_live: MakeLive) -> None:
    live = make_live(WORLD)
    publish(live, "da_trees1")
    publish(live, "da_count1")
    _, seen = wait_for(live, "da_count1", {"limit_reached"})
    assert seen[:2] == ["queued", "processing"]


def test_publishing_a_busy_dataset_is_refused_with_400(make_live: MakeLive) -> None:
    live = make_live(WORLD)
    publish(live, "da_trees1")
    r = publish(live, "da_trees1")
    assert r.status_code == 400
    assert r.json()["error_key"] == "InvalidDatasetStatusPreconditionException"
    assert r.json()["raw_params"]["current_status"] == "processing_dataset"


def test_abort_mid_way_then_republish(make_live: MakeLive) -> None:
    live = make_live(WORLD)
    publish(live, "da_trees1")
    live.advance(20)
    r = live.http.put(f"{live.api}/datasets/da_trees1/abort_processing", timeout=10)
    assert r.status_code == 200
    final, seen = wait_for(live, "da_trees1", {"idle"})
    assert seen == ["aborting_processing", "idle"]
    assert final["published"] is True
    assert publish(live, "da_trees1").status_code == 200


def test_license_limit_is_reported_and_a_new_publish_is_accepted(make_live: MakeLive) -> None:
    live = make_live(WORLD)
    publish(live, "da_count1")
    final, _ = wait_for(live, "da_count1", {"limit_reached", "idle", "error"})
    assert final["name"] == "limit_reached"
    assert final["params"] == {"limit_type": "max_records_by_dataset", "limit": 3000, "value": 4200}
    assert publish(live, "da_count1").status_code == 200


def test_processing_error_is_reported_with_its_message(make_live: MakeLive) -> None:
    live = make_live(WORLD)
    publish(live, "da_broke1")
    final, _ = wait_for(live, "da_broke1", {"idle", "error"})
    assert final["name"] == "error"
    assert final["message"] == "Could not read trees.csv: timeout"
    assert final["raw_params"] == {"resource": "trees.csv", "reason": "timeout"}


def test_unpublish_then_wait_for_published_false(make_live: MakeLive) -> None:
    live = make_live(WORLD)
    r = live.http.put(f"{live.api}/datasets/da_stati1/unpublish/", timeout=10)
    assert r.status_code == 200
    final, seen = wait_for(live, "da_stati1", {"idle"})
    assert seen == ["deleting", "idle"]
    assert final["published"] is False


def test_save_version_passes_through_saving_version(make_live: MakeLive) -> None:
    live = make_live(WORLD)
    live.http.put(f"{live.api}/datasets/da_stati1/save_version", timeout=10)
    _, seen = wait_for(live, "da_stati1", {"idle"}, poll=1)
    assert seen == ["saving_version", "idle"]


def test_the_fine_vocabulary_shows_every_stage(make_live: MakeLive) -> None:
    live = make_live(WORLD, status_names="fine")
    publish(live, "da_trees1")
    _, seen = wait_for(live, "da_trees1", {"idle"}, poll=1)
    assert seen == ["processing_dataset", "processing_all_dataset_data", "idle"]


def test_create_with_a_raw_json_body_and_no_content_type(make_live: MakeLive) -> None:
    live = make_live(WORLD)
    body = json.dumps({"metas": {"default": {"title": "Noise levels"}}})
    r = requests.post(
        f"{live.api}/datasets/",
        data=body,
        headers={"Authorization": f"Apikey {DEFAULT_API_KEY}"},
        timeout=10,
    )
    assert r.status_code == 200
    assert "Content-Type" not in r.request.headers
    created = r.json()
    assert created["dataset_id"] == "noise-levels"
    found = live.http.get(
        f"{live.api}/datasets", params={"where": 'datasetid="noise-levels"'}, timeout=10
    ).json()
    assert [d["dataset_uid"] for d in found["datasets"]] == [created["dataset_uid"]]


@pytest.mark.parametrize(
    "how",
    ["header", "header-lowercase", "query", "basic"],
)
def test_authentication_variants_over_http(make_live: MakeLive, how: str) -> None:
    live = make_live(WORLD)
    url = f"{live.api}/datasets"
    kwargs: dict[str, Any] = {
        "header": {"headers": {"Authorization": f"Apikey {DEFAULT_API_KEY}"}},
        "header-lowercase": {"headers": {"authorization": f"apikey {DEFAULT_API_KEY}"}},
        "query": {"params": {"apikey": DEFAULT_API_KEY}},
        "basic": {"auth": ("admin", "admin")},
    }[how]
    assert requests.get(url, timeout=10, **kwargs).status_code == 200
    assert requests.get(url, timeout=10).status_code == 401
    assert requests.get(url, auth=("admin", "wrong"), timeout=10).status_code == 401


def test_responses_carry_the_virtual_date(make_live: MakeLive) -> None:
    live = make_live(WORLD)
    live.advance(86400)
    r = live.http.get(f"{live.api}/datasets", timeout=10)
    assert r.headers["Date"] == "Fri, 02 Jan 2026 00:00:00 GMT"
    assert r.headers["Content-Type"] == "application/json"
