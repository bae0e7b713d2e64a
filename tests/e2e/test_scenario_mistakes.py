"""A scenario file with several mistakes, met where a user meets it: every mistake, one run."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import requests

from simulator.scenario.loading import ScenarioError, load_scenario
from tests.conftest import Live

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
SEVERAL = "fixtures/broken/several-mistakes.yaml"


def told() -> str:
    """The message the fixture states on its first lines."""
    lines = (ROOT / SEVERAL).read_text(encoding="utf-8").splitlines()
    return "\n".join(x.removeprefix("# expect: ") for x in lines if x.startswith("# expect: "))


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "run_simulator.py"), *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )


def test_the_fixture_has_six_mistakes_each_on_its_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    with pytest.raises(ScenarioError) as err:
        load_scenario(SEVERAL)
    assert len(err.value.mistakes) == 6
    assert [m.line for m in err.value.mistakes] == [10, 17, 22, 25, 26, 33]
    assert told().startswith(f"{SEVERAL}: 6 mistakes\n  {SEVERAL}:10: status_names: ")


@pytest.mark.parametrize("command", [["--scenario", SEVERAL], ["simulate", SEVERAL]])
def test_the_command_line_prints_every_mistake_and_exits_2(command: list[str]) -> None:
    result = cli(*command)
    assert result.returncode == 2
    assert result.stderr == f"error: {told()}\n"


def test_the_control_api_refuses_with_every_mistake_and_changes_nothing(
    make_live: Callable[..., Live],
) -> None:
    live = make_live("datasets: [{dataset_id: keep}]")
    text = (ROOT / SEVERAL).read_text(encoding="utf-8")
    answer = requests.put(f"{live.url}/_sim/scenario", data=text.encode(), timeout=10)
    assert answer.status_code == 400
    error = answer.json()
    assert error["error_key"] == "InvalidScenarioException"
    assert error["message"] == told().replace(SEVERAL, "<request>")
    mistakes = error["raw_params"]["mistakes"]
    assert [(m["line"], m["path"]) for m in mistakes] == [
        (10, "status_names"),
        (17, "groups[0].usernames[1]"),
        (22, "pages[0].titel"),
        (25, "faults[0].dataset"),
        (26, "faults[1].status"),
        (33, "script[0].user"),
    ]
    assert error["raw_params"]["more"] == 0
    assert (error["raw_params"]["line"], error["raw_params"]["path"]) == (10, "status_names")
    listed = live.http.get(f"{live.api}/datasets").json()
    assert [d["dataset_id"] for d in listed["datasets"]] == ["keep"]


def test_the_pytest_plugin_reports_every_mistake(pytester: pytest.Pytester) -> None:
    (pytester.path / "broken.yaml").write_text((ROOT / SEVERAL).read_text(encoding="utf-8"))
    pytester.makepyfile(
        """
import pytest

@pytest.mark.ods_scenario("broken.yaml")
def test_broken(ods):
    pass
"""
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        [
            "*invalid scenario: */broken.yaml: 6 mistakes",
            "*  */broken.yaml:10: status_names: 'finee' is not one of coarse, fine*",
            "*  */broken.yaml:33: script[[]0[]].user: no user 'alicia'*",
        ]
    )
