"""What the dashboard page reads and does, without a browser."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from simulator.api.control.routes import UI_FILES

Make = Callable[..., FlaskClient]
STATIC = Path(__file__).resolve().parents[2] / "simulator" / "api" / "control" / "static"

WORLD = """
datasets:
  - {dataset_id: trees, dataset_uid: da_trees1, resources: [{records: 1800}]}
  - {dataset_id: counts, dataset_uid: da_count1, resources: [{records: 400}]}
faults:
  - {type: processing_error, dataset: counts, at_fraction: 0.5}
"""


@pytest.fixture
def c(make_client: Make) -> FlaskClient:
    return make_client(WORLD)


def test_the_root_and_the_page_and_its_files_are_served(c: FlaskClient) -> None:
    assert c.get("/").headers["Location"] == "/_sim/ui"
    page = c.get("/_sim/ui")
    assert page.mimetype == "text/html"
    assert b"/_sim/ui/dashboard.js" in page.data
    for name, mimetype in UI_FILES.items():
        assert c.get(f"/_sim/ui/{name}").mimetype == mimetype
    missing = c.get("/_sim/ui/../../pyproject.toml")
    assert missing.status_code == 404


def test_the_page_loads_nothing_from_elsewhere() -> None:
    for name in UI_FILES:
        text = (STATIC / name).read_text(encoding="utf-8")
        urls = set(re.findall(r"https?://[^\s\"')]+", text))
        assert {u for u in urls if not u.startswith("http://www.w3.org/")} == set(), name


def test_the_snapshot_carries_the_clock_the_datasets_and_new_transitions(c: FlaskClient) -> None:
    first = c.get("/_sim/dashboard").get_json()
    assert [d["dataset_id"] for d in first["datasets"]] == ["trees", "counts"]
    assert first["timeline"] == [] and first["clock"]["now"] == 0
    c.post("/_sim/datasets/trees/actions/publish")
    c.post("/_sim/clock/advance", json={"seconds": 20})
    snap = c.get("/_sim/dashboard?since=0").get_json()
    trees = snap["datasets"][0]
    assert (trees["public_status"], trees["status"]) == (
        "processing",
        "processing_all_dataset_data",
    )
    assert trees["job"]["function"] == "publish"
    assert (trees["job"]["records_done"], trees["job"]["records_total"]) == (500, 1800)
    assert len(snap["timeline"]) == snap["timeline_length"] == 3
    later = c.get(f"/_sim/dashboard?since={snap['timeline_length']}").get_json()
    assert later["timeline"] == []


def test_actions_are_made_as_the_first_user_with_the_apis_checks(c: FlaskClient) -> None:
    r = c.post("/_sim/datasets/counts/actions/publish")
    assert len(r.get_json()["job_id"]) == 40
    r = c.post("/_sim/datasets/counts/actions/publish")
    assert r.get_json()["error_key"] == "InvalidDatasetStatusPreconditionException"
    c.post("/_sim/clock/run_until_idle")
    snap = c.get("/_sim/dashboard").get_json()
    counts = snap["datasets"][1]
    assert counts["status"] == "error"
    assert counts["error"].startswith("Could not process resource records")
    assert [f["kind"] for f in snap["faults"]] == ["processing_error"]
    assert c.post("/_sim/datasets/counts/actions/explode").status_code == 400
    assert c.post("/_sim/datasets/nobody/actions/publish").status_code == 404


def test_a_reset_starts_a_new_generation(c: FlaskClient) -> None:
    before = c.get("/_sim/dashboard").get_json()["generation"]
    c.post("/_sim/reset")
    assert c.get("/_sim/dashboard").get_json()["generation"] == before + 1
