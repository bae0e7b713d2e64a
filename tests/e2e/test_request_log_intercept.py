"""The request log under interception, without pytest's fixtures: ``intercept(...)``."""

from __future__ import annotations

import httpx
import pytest
import requests

from simulator.testing import intercept

pytestmark = pytest.mark.e2e

BASE = "https://demo.opendatasoft.com/api/management/v2"
TREES = "datasets: [{dataset_id: trees, dataset_uid: da_trees1}]"


def test_requests_and_httpx_calls_are_logged_and_a_reset_empties_the_log() -> None:
    with intercept(TREES) as ods:
        requests.put(f"{BASE}/datasets/da_trees1/publish", auth=("me", "secret"), timeout=5)
        with httpx.Client(headers={"Authorization": "Apikey real-key"}) as client:
            client.get(f"{BASE}/datasets/da_trees1/status/", params={"apikey": "other-key"})
        publish, status = ods.requests
        assert (publish.seq, publish.method, publish.auth, publish.status) == (
            1,
            "PUT",
            "Basic",
            200,
        )
        assert (status.seq, status.path, status.query) == (
            2,
            f"{BASE.removeprefix('https://demo.opendatasoft.com')}/datasets/da_trees1/status",
            "apikey=***",
        )
        assert "real-key" not in repr(status) and "secret" not in repr(publish)
        ods.requests.assert_order(["PUT */publish", "GET */status"])
        ods.reset()
        assert len(ods.requests) == 0
        requests.get(f"{BASE}/datasets", headers=ods.headers, timeout=5)
        assert ods.requests.last.seq == 1


def test_a_disabled_log_records_nothing_and_changes_no_answer() -> None:
    with intercept(TREES) as ods:
        ods.simulator.requests.enabled = False
        r = requests.get(f"{BASE}/datasets/da_trees1/status", headers=ods.headers, timeout=5)
        assert r.status_code == 200 and len(ods.requests) == 0
        ods.simulator.requests.enabled = True
        again = requests.get(f"{BASE}/datasets/da_trees1/status", headers=ods.headers, timeout=5)
        assert again.json() == r.json() and len(ods.requests) == 1
