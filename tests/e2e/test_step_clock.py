"""The step clock over HTTP: a client in another process that never touches the clock."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.conftest import AUTH, Live
from tests.spawn import Spawned

pytestmark = pytest.mark.e2e

MakeLive = Callable[..., Live]

ROOT = Path(__file__).resolve().parents[2]

ONE = """
datasets:
  - {dataset_id: trees, dataset_uid: da_trees1, resources: [{records: 1800}]}
"""

# one worker: counts waits queued while trees is processed
TWO = """
platform: {workers: 1}
datasets:
  - {dataset_id: trees, dataset_uid: da_trees1, resources: [{records: 1800}]}
  - {dataset_id: counts, dataset_uid: da_count1, resources: [{records: 1200}]}
"""


def now(live: Live) -> float:
    return live.control("GET", "clock")["now"]


def status(live: Live, uid: str, slash: str = "", **params: str) -> str:
    """A status read as client code sends it: no content type, query values as strings."""
    r = requests.get(
        f"{live.api}/datasets/{uid}/status{slash}", headers=AUTH, params=params, timeout=10
    )
    assert r.status_code == 200, r.text
    return r.json()["name"]


def poll_until_idle(live: Live, uid: str, limit: int = 50, **params: str) -> list[str]:
    """Every status a client polling without any sleep reads, up to the first idle."""
    seen: list[str] = []
    for i in range(limit):
        seen.append(status(live, uid, "/" if i % 2 else "", **params))
        if seen[-1] == "idle":
            return seen
    raise AssertionError(f"{uid} never got back to idle: {seen}")


def publish(live: Live, uid: str) -> None:
    r = requests.put(f"{live.api}/datasets/{uid}/publish", headers=AUTH, timeout=10)
    assert r.status_code == 200, r.text


def instants(live: Live, uid: str | None = None) -> list[float]:
    """The distinct times at which the timeline moved after time zero."""
    params = {"dataset": uid} if uid else {}
    moves: list[dict[str, Any]] = live.control("GET", "timeline", params=params)
    return sorted({m["t"] for m in moves if m["t"] > 0})


def test_a_polling_client_sees_one_status_per_poll_then_idle(make_live: MakeLive) -> None:
    live = make_live(ONE, clock_mode="step")
    assert status(live, "da_trees1", status_names="fine") == "idle"
    publish(live, "da_trees1")
    seen = poll_until_idle(live, "da_trees1", status_names="fine")
    assert seen == ["processing_dataset", "processing_all_dataset_data", "idle"]
    assert len(seen) == 1 + len(instants(live))  # one poll at the publish, one per event
    finished = now(live)
    assert [status(live, "da_trees1") for _ in range(3)] == ["idle"] * 3
    assert now(live) == finished  # nothing scheduled: answered at the same time


def test_a_dataset_waiting_for_a_worker_is_seen_queued_first(make_live: MakeLive) -> None:
    live = make_live(TWO, clock_mode="step")
    assert status(live, "da_count1") == "idle"
    publish(live, "da_trees1")
    publish(live, "da_count1")
    seen = poll_until_idle(live, "da_count1")
    collapsed = [s for i, s in enumerate(seen) if i == 0 or seen[i - 1] != s]
    assert collapsed == ["queued", "processing", "idle"]
    assert len(seen) == 1 + len(instants(live))  # counts' wait took trees' events too


def test_writes_and_refused_calls_step_too_and_the_automation_api_steps(
    make_live: MakeLive,
) -> None:
    events = instants(run_to_end(make_live))
    live = make_live(TWO, clock_mode="step")
    publish(live, "da_trees1")
    automation = f"{live.url}/api/automation/v1.0/datasets"
    r = requests.get(f"{automation}/da_trees1/status", headers=AUTH, timeout=10)
    assert (r.status_code, now(live)) == (200, 0.0)  # right after the publish: no step
    publish(live, "da_count1")  # a write takes its step first, then changes the world
    assert now(live) == events[0]
    refused = requests.post(f"{automation}/da_count1/publish", timeout=10)
    assert (refused.status_code, now(live)) == (401, events[0])  # right after a change
    unknown = requests.put(f"{live.api}/datasets/da_nosuch1/publish", headers=AUTH, timeout=10)
    assert (unknown.status_code, now(live)) == (404, events[1])  # refused, still a step


def test_the_control_api_and_the_documents_take_no_step(make_live: MakeLive) -> None:
    live = make_live(ONE, clock_mode="step")
    publish(live, "da_trees1")
    status(live, "da_trees1")  # at the publish's instant
    for path in ("openapi.json", "../../../_sim/dashboard", "../../../_sim/openapi.json"):
        assert requests.get(f"{live.api}/{path}", timeout=10).status_code == 200
    assert [now(live), now(live)] == [0.0, 0.0]
    assert live.control("GET", "clock")["next_event"] == 5.0


def test_concurrent_calls_each_take_their_own_step(make_live: MakeLive) -> None:
    live = make_live(TWO, clock_mode="step")
    publish(live, "da_trees1")
    publish(live, "da_count1")
    status(live, "da_trees1")  # at the publishes' instant
    events = instants(run_to_end(make_live))
    with ThreadPoolExecutor(4) as pool:
        names = list(pool.map(lambda _: status(live, "da_count1"), range(4)))
    assert now(live) == events[3]
    assert set(names) <= {"queued", "processing", "idle"}


def run_to_end(make_live: MakeLive) -> Live:
    other = make_live(TWO)
    publish(other, "da_trees1")
    publish(other, "da_count1")
    other.control("POST", "clock/run_until_idle")
    return other


def test_the_same_polls_give_the_same_timeline_byte_for_byte(make_live: MakeLive) -> None:
    timelines = []
    for _ in range(2):
        live = make_live(TWO, clock_mode="step")
        publish(live, "da_trees1")
        status(live, "da_trees1")
        publish(live, "da_count1")
        poll_until_idle(live, "da_count1")
        r = requests.get(f"{live.url}/_sim/timeline", params={"format": "ndjson"}, timeout=10)
        timelines.append(r.content)
    assert timelines[0] and timelines[0] == timelines[1]


def test_the_control_api_sets_the_step_mode_and_refuses_a_misspelt_one(
    make_live: MakeLive,
) -> None:
    live = make_live(ONE)
    assert live.control("PUT", "clock", json={"mode": "step"})["mode"] == "step"
    assert live.control("GET", "clock")["mode"] == "step"
    r = requests.put(f"{live.url}/_sim/clock", data='{"mode": "steps"}', timeout=10)
    assert r.status_code == 400
    assert "expected one of manual, realtime, step" in r.text
    assert live.control("GET", "clock")["mode"] == "step"
    publish(live, "da_trees1")
    assert poll_until_idle(live, "da_trees1") == ["processing", "processing", "idle"]
    live.control("PUT", "clock", json={"mode": "manual"})
    publish(live, "da_trees1")
    assert [status(live, "da_trees1") for _ in range(3)] == ["processing"] * 3


def test_an_http_latency_fault_adds_its_time_after_the_step(make_live: MakeLive) -> None:
    live = make_live(
        ONE
        + """
faults:
  - {type: http, path: /api/management/v2/datasets/*/status, latency: 2}
""",
        clock_mode="step",
    )
    publish(live, "da_trees1")
    status(live, "da_trees1")
    assert now(live) == 2.0  # no step right after the publish, then the latency
    status(live, "da_trees1")
    assert now(live) == 7.0  # the next event (at 5), then 2 seconds more


def test_the_command_line_serves_a_step_clock(tmp_path: Path) -> None:
    scenario = tmp_path / "one.yaml"
    scenario.write_text(ONE)
    server = Spawned("--port", "0", "--scenario", str(scenario), "--clock", "step")
    try:
        assert server.line("  clock ") == (
            "  clock        step (each API call moves it to the next event), status names coarse"
        )
        api = f"{server.url}/api/management/v2/datasets/da_trees1"
        session = requests.Session()
        session.auth = ("admin", "admin")
        assert session.put(f"{api}/publish", timeout=10).status_code == 200
        seen = [session.get(f"{api}/status", timeout=10).json()["name"] for _ in range(4)]
        assert seen == ["processing", "processing", "idle", "idle"]
        clock = requests.get(f"{server.url}/_sim/clock", timeout=10).json()
        assert (clock["mode"], clock["now"], clock["next_event"]) == ("step", 33.0, None)
    finally:
        assert server.stop(timeout=10)[0] == 0


def test_the_help_offers_the_step_clock() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "run_simulator.py"), "--help"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    text = " ".join(result.stdout.split())
    assert "--clock {manual,realtime,step}" in text
    assert "step: each call of the platform APIs first moves time to the next scheduled" in text


def test_an_intercepted_client_steps_the_clock_as_one_over_http_does() -> None:
    from simulator.testing import intercept

    with intercept(ONE) as ods:
        ods.clock_mode = "step"
        api = "https://example.opendatasoft.com/api/management/v2/datasets/da_trees1"
        session = requests.Session()
        session.headers.update(AUTH)
        assert session.put(f"{api}/publish", timeout=10).status_code == 200
        seen = [session.get(f"{api}/status", timeout=10).json()["name"] for _ in range(4)]
        assert seen == ["processing", "processing", "idle", "idle"]
        assert (ods.now, ods.clock_mode) == (33.0, "step")
