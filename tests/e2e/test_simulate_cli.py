"""ods-simulator simulate, run as a user runs it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]


def simulate(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "run_simulator.py"), "simulate", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )


def test_a_story_that_holds_exits_0_with_a_table_and_its_script() -> None:
    result = simulate("scenarios/license-limit.yaml")
    assert result.returncode == 0, result.stderr
    assert "processing_all_dataset_data -> limit_reached" in result.stdout
    assert "expectations: 3 passed, 0 failed" in result.stdout
    assert "transitions over" in result.stderr


def test_a_library_scenario_is_played_by_its_name_from_any_directory(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "run_simulator.py"), "simulate", "license-limit"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "expectations: 3 passed, 0 failed" in result.stdout


def test_a_failed_expectation_exits_1_with_a_diff(tmp_path: Path) -> None:
    scenario = tmp_path / "wrong.yaml"
    scenario.write_text(
        "datasets: [{dataset_id: a, resources: [{records: 100}]}]\n"
        "script:\n"
        "  - {at: 0, action: publish, dataset: a}\n"
        "  - {at: 10, expect: {dataset: a, status: idle, published: true}}\n"
    )
    result = simulate(str(scenario))
    assert result.returncode == 1
    assert "expect a status=idle published=true: FAILED" in result.stdout
    assert "- status: idle\n" in result.stdout
    assert "+ status: processing_all_dataset_data\n" in result.stdout
    assert "- published: true\n" in result.stdout


def test_an_invalid_scenario_exits_2_naming_file_line_and_key(tmp_path: Path) -> None:
    scenario = tmp_path / "bad.yaml"
    scenario.write_text("seed: 1\nscript:\n  - {at: 5, action: publsh, dataset: a}\n")
    result = simulate(str(scenario))
    assert result.returncode == 2
    assert f"{scenario}:3: script[0].action:" in result.stderr
    assert "(did you mean 'publish'?)" in result.stderr


def test_machine_formats_and_until(tmp_path: Path) -> None:
    as_json = json.loads(simulate("scenarios/abort-midway.yaml", "--format", "json").stdout)
    assert set(as_json) == {"timeline", "script", "faults"}
    early = simulate(
        "scenarios/abort-midway.yaml", "--format", "csv", "--until", "30"
    ).stdout.splitlines()
    assert early[0].startswith("t,dataset_uid,dataset_id,from,to")
    # header, the script's publish, queued, processing_dataset, processing_all_dataset_data
    assert len(early) == 1 + 1 + 3
    assert early[1].endswith(",step,0,publish,,,true,")
