"""The end of virtual time: nothing is scheduled past it, and every endpoint still answers."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from flask.testing import FlaskClient

from simulator.domain.clock import DEFAULT_EPOCH
from tests.conftest import API, AUTH

Make = Callable[..., FlaskClient]

#: A publish whose records stage would end some 31,700 virtual years later.
ENDLESS = """
platform:
  stages:
    processing_all_dataset_data: {base: 10, rate: 0.001}
datasets:
  - dataset_id: huge
    dataset_uid: da_huge01
    resources: [{title: huge.csv, records: 1000000000}]
"""

EVERY_READ = [
    "/_sim/health",
    "/_sim/clock",
    "/_sim/timeline",
    "/_sim/timeline?format=csv",
    "/_sim/dashboard",
    "/_sim/snapshot",
    "/_sim/scenario",
    f"{API}/datasets",
    f"{API}/datasets/da_huge01?expand=status",
    f"{API}/datasets/da_huge01/status",
    f"{API}/jobs",
]


def test_a_stage_that_would_end_after_the_end_of_time_never_ends(make_client: Make) -> None:
    c = make_client(ENDLESS)
    assert c.put(f"{API}/datasets/da_huge01/publish", headers=AUTH).status_code == 200
    ran = c.post("/_sim/clock/run_until_idle").get_json()
    assert ran["idle"] is False and ran["active_jobs"] == 1
    assert ran["now"] == 5, "the clock did not move past the last event it could reach"
    assert c.post("/_sim/clock/next").get_json()["advanced"] is False
    status = c.get(f"{API}/datasets/da_huge01/status?status_names=fine", headers=AUTH).get_json()
    assert status["name"] == "processing_all_dataset_data"


def test_every_endpoint_answers_at_the_end_of_time(make_client: Make) -> None:
    c = make_client(ENDLESS)
    c.put(f"{API}/datasets/da_huge01/publish", headers=AUTH)
    end = (datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC) - DEFAULT_EPOCH).total_seconds()
    moved = c.post("/_sim/clock/advance", data=json.dumps({"seconds": end})).get_json()
    assert moved["datetime"] == "9999-12-31T23:59:59+00:00"
    for path in EVERY_READ:
        answer = c.get(path, headers=AUTH)
        assert answer.status_code == 200, (path, answer.get_data()[:200])
    assert c.get("/_sim/health").headers["Date"] == "Fri, 31 Dec 9999 23:59:59 GMT"
    refused = c.post("/_sim/clock/advance", data='{"seconds": 1}')
    assert refused.status_code == 400
    assert refused.get_json()["raw_params"]["parameter"] == "seconds"
    assert c.post("/_sim/clock/run_until_idle").get_json()["now"] == end
    assert c.put(f"{API}/datasets/da_huge01/abort_processing", headers=AUTH).status_code == 200
    assert c.get("/_sim/health").status_code == 200


@pytest.mark.parametrize(
    ("start", "last_local", "last_http"),
    [
        # both start at 9000-01-01T00:00:00Z; the last instant is the first date that
        # would overflow, written locally or in UTC
        ("9000-01-01T12:00:00+12:00", "9999-12-31T23:59:59+12:00", "11:59:59 GMT"),
        ("8999-12-31T12:00:00-12:00", "9999-12-31T11:59:59-12:00", "23:59:59 GMT"),
    ],
)
def test_a_start_with_an_offset_keeps_its_last_instant_writable(
    make_client: Make, start: str, last_local: str, last_http: str
) -> None:
    c = make_client(f'clock: {{start: "{start}"}}')
    last = datetime.fromisoformat(last_local)
    seconds = (last - datetime.fromisoformat(start)).total_seconds()
    moved = c.post("/_sim/clock/advance", data=json.dumps({"seconds": seconds}))
    assert moved.get_json()["datetime"] == last_local
    assert c.get("/_sim/health").headers["Date"] == f"Fri, 31 Dec 9999 {last_http}"
    assert c.post("/_sim/clock/advance", data='{"seconds": 1}').status_code == 400


def test_a_record_count_past_the_bound_is_refused_naming_the_field(client: FlaskClient) -> None:
    created = client.post(f"{API}/datasets", data="{}", headers=AUTH).get_json()
    uid = created["dataset_uid"]
    body = json.dumps({"url": "https://example.com/big.csv", "records": 10**14})
    refused = client.post(f"{API}/datasets/{uid}/resources", data=body, headers=AUTH)
    assert refused.status_code == 400
    assert refused.get_json()["raw_params"]["parameter"] == "records"
    assert client.get(f"{API}/datasets/{uid}/resources", headers=AUTH).get_json() == []
