"""Fault rules from a user's tests: ods.inject, as a context manager and as a plain call."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e


def test_a_rule_injected_in_one_test_is_gone_in_the_next(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
import pytest
import requests

def test_injected(ods):
    s = ods.session()
    with ods.inject({"type": "http", "path": "/api/*", "status": 503, "times": 1}) as rule:
        assert s.get(f"{ods.api_url}/datasets").status_code == 503
        assert s.get(f"{ods.api_url}/datasets").status_code == 200
    assert rule.fired == 1 and not rule.in_force
    ods.inject({"type": "http", "path": "/api/*", "transport": "reset"})  # stays in force
    with pytest.raises(requests.exceptions.ConnectionError):
        s.get(f"{ods.api_url}/datasets")
    assert [r["id"] for r in ods.fault_rules()] == ["run-2"]
    assert [e["t"] for e in ods.timeline()] == [0.0, 0.0, 0.0]

def test_next(ods):
    assert ods.fault_rules() == []
    assert ods.session().get(f"{ods.api_url}/datasets").status_code == 200

def test_bad_rule(ods):
    with pytest.raises(Exception, match="wall_delay"):
        ods.inject({"type": "http", "path": "/api/*", "transport": "delay"})

def test_intercepted(ods_intercept):
    url = "https://example.opendatasoft.com/api/management/v2/datasets"
    with ods_intercept.inject({"type": "http", "path": "/api/*", "retry_after": 3}):
        answer = requests.get(url, headers=ods_intercept.headers)
        assert answer.status_code == 429 and answer.headers["Retry-After"] == "3"
    with ods_intercept.inject({"type": "http", "path": "/api/*", "transport": "truncate"}):
        with pytest.raises(requests.exceptions.ChunkedEncodingError):
            requests.get(url, headers=ods_intercept.headers)
    assert requests.get(url, headers=ods_intercept.headers).status_code == 200
"""
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=4)
