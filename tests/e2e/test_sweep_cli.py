"""``ods-simulator sweep -- COMMAND``: a client in another process, swept over HTTP."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
#: The command line as a checkout runs it (the same as the ods-simulator script).
SIMULATOR = [sys.executable, str(ROOT / "run_simulator.py")]

pytestmark = pytest.mark.e2e

SCENARIO = """
datasets:
  - {dataset_id: trees, dataset_uid: da_trees1, resources: [{records: 600}]}
"""

#: Publishes, then polls until idle; no retry, and an error keeps it polling forever.
NAIVE = """
import os, requests
api = os.environ["ODS_API_URL"] + "/datasets/da_trees1"
headers = {"Authorization": "Apikey " + os.environ["ODS_APIKEY"]}
requests.put(api + "/publish", headers=headers).raise_for_status()
while True:
    answer = requests.get(api + "/status", headers=headers)
    answer.raise_for_status()
    if answer.json()["name"] == "idle":
        break
"""

#: Retries a 429 and stops on any final status: exit 0 on idle, 3 on a failure.
CAREFUL = """
import os, sys, requests
api = os.environ["ODS_API_URL"] + "/datasets/da_trees1"
headers = {"Authorization": "Apikey " + os.environ["ODS_APIKEY"]}
def call(method, path):
    while True:
        answer = requests.request(method, api + path, headers=headers, timeout=10)
        if answer.status_code != 429:
            return answer
requests.Response.raise_for_status(call("PUT", "/publish"))
while True:
    name = call("GET", "/status").json()["name"]
    if name == "idle":
        sys.exit(0)
    if name in ("error", "limit_reached"):
        sys.exit(3)
"""


def sweep(tmp_path: Path, client: str, *options: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "client.py").write_text(client, encoding="utf-8")
    (tmp_path / "world.yaml").write_text(SCENARIO, encoding="utf-8")
    return subprocess.run(
        [*SIMULATOR, "sweep", "--scenario", "world.yaml",
         "--out", "replays", "--json", "report.json", *options,
         "--", sys.executable, "client.py"],
        cwd=tmp_path, capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def test_a_naive_client_is_flagged_case_by_case_with_replays(tmp_path: Path) -> None:
    done = sweep(tmp_path, NAIVE, "--kinds", "http_429,processing_error")
    assert done.returncode == 1, done.stderr
    assert "ods sweep:" in done.stdout and " failed" in done.stdout
    report = json.loads((tmp_path / "report.json").read_text())
    by_kind = {o["kind"]: o for o in report["outcomes"]}
    assert by_kind["http_429"]["how"] == "exit"
    assert "429 Client Error" in by_kind["http_429"]["detail"]
    hang = by_kind["processing_error"]
    assert (hang["how"], hang["detail"]) == ("hang", f"more than {hang_budget(report)} requests")
    replay = yaml.safe_load((tmp_path / hang["replay"]).read_text())
    assert replay["faults"][0]["type"] == "processing_error"
    assert report["calls"][0] == {
        "number": 1,
        "method": "PUT",
        "path": "/api/management/v2/datasets/da_trees1/publish",
    }


def hang_budget(report: dict) -> int:
    """The default request budget: ten times the clean run's requests, plus 100."""
    return 10 * len(report["calls"]) + 100


def test_a_careful_client_survives_and_the_sweep_exits_0(tmp_path: Path) -> None:
    done = sweep(
        tmp_path, CAREFUL, "--kinds", "http_429,limit_reached,worker_outage", "--max-cases", "5"
    )
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["failed"] == 0 and report["cases"] == 5 < report["planned"]
    assert not (tmp_path / "replays").exists()


def test_a_command_that_fails_clean_is_not_swept(tmp_path: Path) -> None:
    done = sweep(tmp_path, "raise SystemExit(4)")
    assert done.returncode == 2
    assert "the command fails without any fault: exit status 4" in done.stderr


def test_usage_errors_say_what_is_wrong(tmp_path: Path) -> None:
    done = sweep(tmp_path, NAIVE, "--kinds", "http_5OO")
    assert done.returncode == 2
    assert "unknown fault kinds ['http_5OO']; known: http_500" in done.stderr
    missing = subprocess.run([*SIMULATOR, "sweep"], capture_output=True, text=True)
    assert missing.returncode == 2 and "give the command to sweep after --" in missing.stderr
