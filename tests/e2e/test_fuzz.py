"""Fuzzing: schemathesis sends what the OpenAPI documents allow, and worse, to a live server.

A bounded, deterministic run (the same cases every time) over every operation of every
document, in every phase: the documents' examples, boundary values ("coverage"),
random cases, and stateful sequences that follow the links (create a dataset, then
publish it, read its status...). It passes when no answer is a 5xx and every answer
has a documented status code, media type, headers and schema. The server's own
answers are also checked by the contract test, like every live server's.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from simulator.scenario.loading import DEFAULT_API_KEY, default_scenario
from tests.conftest import Live

pytestmark = pytest.mark.e2e

CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
)
#: Cases per operation and phase: enough to reach every operation, small for CI.
EXAMPLES = 3


def schemathesis() -> str:
    found = shutil.which("st", path=str(Path(sys.executable).parent)) or shutil.which("st")
    assert found, "schemathesis is missing: install the test extra (pip install -e '.[test]')"
    return found


def fuzz(document: str, report: Path, *options: str) -> dict[str, Any]:
    """Run schemathesis on one document; its JSON report."""
    command = [
        schemathesis(),
        "run",
        document,
        "--max-examples",
        str(EXAMPLES),
        "--generation-deterministic",
        "--checks",
        ",".join(CHECKS),
        "--request-timeout",
        "10",
        "--report",
        "json",
        "--report-json-path",
        str(report),
        "--no-color",
        *options,
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=report.parent)
    assert report.exists(), f"schemathesis did not run:\n{done.stdout[-3000:]}{done.stderr}"
    result: dict[str, Any] = json.loads(report.read_text())
    assert result["exit_code"] == 0, done.stdout[-6000:]
    return result


def summary(name: str, result: dict[str, Any]) -> str:
    operations, cases = result["operations"], result["test_cases"]
    failures = sum(f["count"] for f in result["failures"])
    return (
        f"{name}: {operations['tested']}/{operations['total']} operations, "
        f"{cases['generated']} cases, {failures} failures, {result['running_time']:.0f} s"
    )


def test_every_api_survives_fuzzing(make_live: Callable[..., Live], tmp_path: Path) -> None:
    live = make_live(default_scenario().text)
    management = fuzz(
        f"{live.url}/api/management/v2/openapi.json",
        tmp_path / "management.json",
        "--header",
        f"Authorization: Apikey {DEFAULT_API_KEY}",
    )
    automation = fuzz(
        f"{live.url}/api/automation/v1.0/openapi.json",
        tmp_path / "automation.json",
        "--header",
        f"Authorization: apikey {DEFAULT_API_KEY}",
    )
    control = fuzz(f"{live.url}/_sim/openapi.json", tmp_path / "control.json")
    for result in (management, automation, control):
        operations = result["operations"]
        assert operations["tested"] == operations["total"] > 0
        assert result["test_cases"]["generated"] > 0
        assert not result["failures"] and not result["errors"]
    print(
        summary("management", management),
        summary("automation", automation),
        summary("control", control),
        sep="\n",
    )
