"""``ods.requests`` as a user's test suite meets it: what their client sent, asserted."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e

CLIENT = """
import json
import pytest
import requests

TREES = "datasets: [{dataset_id: trees, dataset_uid: da_trees1}]"

def publish(base, headers, uid):
    requests.put(f"{base}/datasets/{uid}/publish/", headers=headers, timeout=10)
    for _ in range(3):
        requests.get(f"{base}/datasets/{uid}/status", headers=headers, timeout=10)

def create(base, headers, dataset_id):
    body = json.dumps({"dataset_id": dataset_id})  # no content type, as clients send
    return requests.post(f"{base}/datasets", data=body, headers=headers, timeout=10)
"""


def test_the_requests_a_client_made_are_asserted_and_cleared_per_test(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        CLIENT
        + """
@pytest.mark.ods_scenario(TREES)
def test_publish_over_the_loopback_server(ods):
    publish(ods.api_url, ods.headers, "da_trees1")
    ods.advance(5)  # in-process: not a request
    create(ods.api_url, ods.headers, "oaks")
    ods.requests.assert_called("PUT", "/api/management/v2/datasets/*/publish")
    ods.requests.assert_called("GET", "*/status", times=3)
    assert ods.requests.count("GET", "/api/management/v2/datasets/{dataset_uid}/status") == 3
    assert ods.requests.count() == len(ods.requests) == 5
    ods.requests.assert_order(["PUT */publish", "GET */status", "POST */datasets"])
    ods.requests.assert_called_with("POST", "*/datasets", json={"dataset_id": "oaks"}, status=200)
    ods.requests.assert_not_called("DELETE")
    last = ods.requests.last
    assert (last.seq, last.method, last.route) == (5, "POST", "/api/management/v2/datasets")
    assert ods.requests[0].path.endswith("/publish") and ods.requests[0].auth == "Apikey"
    assert [e.seq for e in ods.requests.filter(method="GET")] == [2, 3, 4]

def test_each_test_starts_with_none(ods):
    assert len(ods.requests) == 0
    requests.post(f"{ods.url}/_sim/clock/advance", json={"seconds": 1}, timeout=10)
    assert len(ods.requests) == 0
    assert [e.path for e in ods.requests.filter(surface="all")] == ["/_sim/clock/advance"]
    ods.requests.clear()
    assert len(ods.requests.filter(surface="control")) == 0

@pytest.mark.ods_scenario(TREES)
def test_through_interception(ods_intercept):
    base = "https://demo.opendatasoft.com/api/management/v2"
    headers = {"Authorization": "Apikey real-key"}
    publish(base, headers, "da_trees1")
    create(base, headers, "x" * 300)
    ods_intercept.requests.assert_any_call("GET", "*/status", status=200)
    entry = ods_intercept.requests.assert_called("POST", "*/datasets")
    assert entry.status == 400 and entry.json == {"dataset_id": "x" * 300}
    assert "real-key" not in repr(list(ods_intercept.requests))
"""
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=3)


def test_failed_assertions_list_what_was_received(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        CLIENT
        + """
@pytest.mark.ods_scenario(TREES)
def test_never_published(ods):
    requests.get(f"{ods.api_url}/datasets/da_trees1/status", headers=ods.headers, timeout=10)
    ods.requests.assert_called("PUT", "*/publish")

def test_other_body(ods):
    create(ods.api_url, ods.headers, "oaks")
    ods.requests.assert_called_with("POST", "*/datasets", json={"dataset_id": "elms"})

@pytest.mark.ods_scenario(TREES)
def test_wrong_order(ods):
    publish(ods.api_url, ods.headers, "da_trees1")
    ods.requests.assert_order(["GET */status", "PUT */publish"])
"""
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=3)
    result.stdout.fnmatch_lines(
        [
            "*AssertionError: expected PUT */publish at least once, got 0",
            "*received 1 request(s):",
            "*#1 GET /api/management/v2/datasets/da_trees1/status -> 200",
            "*the last POST */datasets (#1 POST /api/management/v2/datasets -> 200) differs:",
            "*json: expected {'dataset_id': 'elms'}, sent {'dataset_id': 'oaks'}",
            "*expected PUT */publish after GET */status; not found in order",
        ]
    )
