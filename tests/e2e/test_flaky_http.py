"""The flaky-http scenario against a client that retries, over real HTTP."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest

from tests.conftest import Live

pytestmark = pytest.mark.e2e

MakeLive = Callable[..., Live]
ROOT = Path(__file__).resolve().parents[2]


def test_a_retrying_client_gets_through_429_and_503(make_live: MakeLive) -> None:
    live = make_live((ROOT / "scenarios" / "flaky-http.yaml").read_text())
    publish = f"{live.api}/datasets/da_wifi01/publish"

    first = live.http.put(publish, timeout=10)
    assert first.status_code == 429
    assert first.headers["Retry-After"] == "5"
    assert first.headers["X-Sim-Fault"] == "http"
    assert first.json()["error_key"] == "TooManyRequestsException"
    assert live.control("GET", "clock")["now"] == 0  # no latency on this fault

    live.advance(5)  # the client honours Retry-After
    second = live.http.put(publish, timeout=10)
    assert second.status_code == 200

    answers: list[tuple[int, float]] = []
    for _ in range(12):
        r = live.http.get(f"{live.api}/datasets/da_wifi01/status", timeout=10)
        answers.append((r.status_code, float(r.headers.get("X-Sim-Latency", 0))))
        if r.status_code == 200 and r.json()["name"] == "idle":
            break
        live.advance(5)
    # every third poll fails after 2 s; the others take 1 s; 900 records are done by the 5th
    assert answers == [(200, 1), (200, 1), (503, 2), (200, 1), (200, 1)]

    kinds = [(f["method"], f["status"]) for f in live.control("GET", "faults")]
    assert kinds[0] == ("PUT", 429)
    assert kinds.count(("GET", 503)) == 1


def test_latency_moves_the_virtual_clock_before_the_answer(make_live: MakeLive) -> None:
    live = make_live((ROOT / "scenarios" / "flaky-http.yaml").read_text())
    status = f"{live.api}/datasets/da_sport1/status"
    dates = [
        parsedate_to_datetime(live.http.get(status, timeout=10).headers["Date"]) for _ in range(3)
    ]
    gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(dates)]
    assert gaps == [1, 2]  # the second call waited 1 s, the third (503) 2 s
    assert live.control("GET", "clock")["now"] == 4


def test_the_control_api_is_never_faulted(make_live: MakeLive) -> None:
    live = make_live("faults: [{type: http, path: '/*', status: 503}]\ndatasets: [{dataset_id: a}]")
    assert live.http.get(f"{live.api}/datasets", timeout=10).status_code == 503
    assert live.control("GET", "clock")["now"] == 0
