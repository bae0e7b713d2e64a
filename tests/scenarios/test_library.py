"""The scenario library: each story plays to its end as its golden file says."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from simulator.scenario.headless import simulate
from simulator.scenario.loading import load_scenario

ROOT = Path(__file__).resolve().parents[2]
LIBRARY = sorted((ROOT / "scenarios").glob("*.yaml"))
GOLDEN = ROOT / "tests" / "golden"

STORIES = {
    "default",
    "happy-publish",
    "worker-contention",
    "license-limit",
    "abort-midway",
    "processor-error",
    "record-errors",
    "flaky-http",
    "unpublish-republish",
    "worker-outage",
    "long-tail-jitter",
    "showcase",
    "harvest-catalogue",
}


def play(path: Path) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    code = simulate(load_scenario(path.relative_to(ROOT)), out=out, err=err)
    return code, out.getvalue()


def test_the_library_tells_every_story_the_issue_asks_for() -> None:
    assert {p.stem for p in LIBRARY} >= STORIES


@pytest.mark.parametrize("path", LIBRARY, ids=lambda p: p.stem)
def test_each_scenario_starts_with_its_story(path: Path) -> None:
    comments = [
        line for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("#")
    ]
    story = [line for line in comments if "schema=" not in line and line.strip("# ")]
    assert len(story) >= 3, "a header comment of a few lines tells what the scenario shows"


@pytest.mark.parametrize("path", LIBRARY, ids=lambda p: p.stem)
def test_each_scenario_plays_as_its_golden_file_says(
    path: Path, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    code, report = play(path)
    golden = GOLDEN / f"{path.stem}.txt"
    if request.config.getoption("--update-golden"):
        golden.write_text(report, encoding="utf-8")
    assert golden.exists(), f"no golden file: run pytest {__file__} --update-golden"
    assert report == golden.read_text(encoding="utf-8")
    assert code == 0, "every expectation of a library scenario holds"


def test_a_golden_file_has_no_scenario_left_behind() -> None:
    assert {p.stem for p in GOLDEN.glob("*.txt")} == {p.stem for p in LIBRARY}
