"""A failing case's replay files: the marker's replays the run with the client, the
``.simulate.yaml`` one replays the same timeline headless, without the client."""

from __future__ import annotations

import io
import json
import time
from pathlib import Path

import pytest
import requests

from simulator.scenario.headless import simulate
from simulator.scenario.loading import load_scenario
from simulator.sweep.inprocess import Settings, sweep
from simulator.testing import intercept
from simulator.testing.handle import SimulatorHandle
from simulator.testing.virtual_sleep import SleepBudgetExceeded

pytestmark = pytest.mark.e2e

API = "https://demo.opendatasoft.com/api/management/v2/datasets"
WORLD = """
platform: {workers: 1}
datasets:
  - {dataset_id: trees, dataset_uid: da_trees1, resources: [{records: 600}]}
  - {dataset_id: bikes, dataset_uid: da_bikes1, resources: [{records: 900}]}
"""


def client() -> None:
    """Publishes both datasets, unpublishes the first once idle, waits for idle only."""
    headers = {"Authorization": "Apikey k"}
    for uid in ("da_trees1", "da_bikes1"):
        requests.put(f"{API}/{uid}/publish", headers=headers, timeout=10).raise_for_status()
    unpublished = False
    while True:
        names = [
            requests.get(f"{API}/{uid}/status", headers=headers, timeout=10).json()["name"]
            for uid in ("da_trees1", "da_bikes1")
        ]
        if names == ["idle", "idle"]:
            if unpublished:
                return
            requests.put(f"{API}/da_trees1/unpublish", headers=headers, timeout=10)
            unpublished = True
        time.sleep(7)


def transitions(handle: SimulatorHandle) -> list[tuple[float, str, str, str]]:
    return [(e["t"], e["dataset_id"], e["from"], e["to"]) for e in handle.timeline()]


def test_the_headless_replay_plays_the_failing_cases_timeline(tmp_path: Path) -> None:
    with intercept(WORLD) as ods:
        report = sweep(
            ods,
            client,
            "two-datasets",
            Settings(kinds=("processing_error", "http_503"), budget=900, directory=tmp_path),
        )
        failing = [o for o in report.failures if o.case.kind == "processing_error"]
        assert failing and all(o.how == "hang" for o in failing)
        for outcome in failing:
            assert outcome.replay is not None
            ods.load(outcome.replay)  # the marker's file: the world and the fault
            with ods.virtual_sleep(budget=900), pytest.raises(SleepBudgetExceeded):
                client()
            lived = transitions(ods)
            headless = Path(outcome.replay).with_suffix(".simulate.yaml")
            assert outcome.client is not None and len(outcome.client.steps) >= 2  # publishes
            steps = len(outcome.client.steps)
            assert f"the client's {steps} calls that changed the world" in headless.read_text()
            out = io.StringIO()
            simulate(load_scenario(headless), fmt="json", out=out, err=io.StringIO())
            played = [
                (e["t"], e["dataset_id"], e["from"], e["to"])
                for e in json.loads(out.getvalue())["timeline"]
            ]
            assert played == lived
