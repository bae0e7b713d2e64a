"""simulate --format ndjson|csv: the timeline and, interleaved, what the script did and found."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]

STORY = (
    "datasets:\n"
    "  - {dataset_id: a, resources: [{records: 100}]}\n"
    "  - {dataset_id: b, resources: [{records: 100}]}\n"
    "script:\n"
    "  - {at: 0, action: publish, dataset: a}\n"
    "  - {at: 0, action: abort_processing, dataset: b}\n"
    "  - {at: 10, expect: {dataset: a, status: idle, published: true}}\n"
    "  - {at: 500, expect: {dataset: a, status: idle, published: true}}\n"
    "  - {at: 500, action: unpublish, dataset: a}\n"
)


def simulate(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "run_simulator.py"), "simulate", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )


def story(tmp_path: Path) -> str:
    path = tmp_path / "story.yaml"
    path.write_text(STORY)
    return str(path)


def test_ndjson_interleaves_steps_and_expectations_with_the_transitions(tmp_path: Path) -> None:
    result = simulate(story(tmp_path), "--format", "ndjson")
    assert result.returncode == 1  # the expectation at 10 s fails
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    kinds = [row["kind"] if "kind" in row else f"{row['from']}>{row['to']}" for row in rows]
    assert kinds[:4] == ["step", "idle>queued", "queued>processing_dataset", "step"]
    assert kinds[-6:-3] == ["expect", "step", "idle>queued"]  # then the unpublishing job
    assert kinds.count("step") == 3 and kinds.count("expect") == 2
    publish, refused, early, late, unpublish = (row for row in rows if "kind" in row)
    assert (publish["action"], publish["ok"]) == ("publish", True)
    assert publish["job_id"] == rows[1]["job_id"]  # the step, then what it caused
    assert (refused["dataset"], refused["ok"]) == ("b", False)
    assert refused["error"]["error_key"] == "InvalidDatasetStatusPreconditionException"
    assert (early["t"], early["ok"], early["actual"]["published"]) == (10.0, False, False)
    assert early["expect"] == {"status": "idle", "published": True}
    assert late["ok"] is True
    assert unpublish["t"] == 500.0 and rows[-4]["cause"] == "unpublish"
    assert "expect a status=idle published=true: FAILED" in result.stderr


def test_the_timeline_lines_are_the_timeline_of_the_json_report(tmp_path: Path) -> None:
    scenario = story(tmp_path)
    ndjson = simulate(scenario, "--format", "ndjson").stdout.splitlines()
    timeline = json.loads(simulate(scenario, "--format", "json").stdout)["timeline"]
    assert [json.loads(line) for line in ndjson if '"kind"' not in line] == timeline


def test_csv_adds_the_script_columns_and_a_kind_to_every_row(tmp_path: Path) -> None:
    result = simulate(story(tmp_path), "--format", "csv")
    assert result.returncode == 1
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0])[-7:] == ["kind", "step", "action", "expect", "actual", "ok", "error"]
    assert {row["kind"] for row in rows} == {"transition", "step", "expect"}
    steps = [row for row in rows if row["kind"] != "transition"]
    assert [(r["step"], r["kind"], r["dataset_id"], r["ok"]) for r in steps] == [
        ("0", "step", "a", "true"),
        ("1", "step", "b", "false"),
        ("2", "expect", "a", "false"),
        ("3", "expect", "a", "true"),
        ("4", "step", "a", "true"),
    ]
    assert steps[0]["job_id"] == rows[1]["job_id"] != ""
    assert steps[1]["error"].startswith("Invalid precondition, dataset status is 'idle'")
    assert json.loads(steps[2]["expect"]) == {"status": "idle", "published": True}
    assert json.loads(steps[2]["actual"])["published"] is False
    assert all(row["from"] and row["to"] for row in rows if row["kind"] == "transition")


def test_harvester_steps_name_their_harvester() -> None:
    result = simulate("scenarios/harvest-catalogue.yaml", "--format", "csv")
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    scripted = [row for row in rows if row["kind"] in ("step", "expect")]
    assert scripted and all(row["ok"] == "true" for row in scripted)
    assert any(row["harvester_id"] and not row["dataset_id"] for row in scripted)


def test_without_a_script_the_formats_are_the_timeline_alone(tmp_path: Path) -> None:
    path = tmp_path / "plain.yaml"
    path.write_text("datasets: [{dataset_id: a, published: true}]\n")
    assert simulate(str(path), "--format", "ndjson").stdout == ""
    header = simulate(str(path), "--format", "csv").stdout
    assert header == "t,dataset_uid,dataset_id,from,to,from_public,to_public,cause,job_id\n"
