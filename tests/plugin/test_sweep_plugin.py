"""The fault sweep in pytest, as a user's suite meets it (pytester runs inner sessions)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.e2e

CLIENTS = """
import time

import pytest
import requests

PORTAL = "https://demo.opendatasoft.com/api/management/v2/datasets/da_trees1"
SCENARIO = "datasets: [{dataset_id: trees, dataset_uid: da_trees1, resources: [{records: 600}]}]"
HEADERS = {"Authorization": "Apikey k"}


def naive():
    requests.put(f"{PORTAL}/publish", headers=HEADERS).raise_for_status()
    while True:
        answer = requests.get(f"{PORTAL}/status", headers=HEADERS)
        answer.raise_for_status()
        if answer.json()["name"] == "idle":
            return answer.json()
        time.sleep(5)


def careful():
    for _ in range(5):
        answer = requests.put(f"{PORTAL}/publish", headers=HEADERS, timeout=10)
        if answer.status_code != 429:
            break
        time.sleep(int(answer.headers["Retry-After"]))
    while True:
        answer = requests.get(f"{PORTAL}/status", headers=HEADERS, timeout=10)
        if answer.status_code == 429:
            time.sleep(int(answer.headers["Retry-After"]))
            continue
        name = answer.json()["name"]
        if name in ("idle", "error", "limit_reached"):
            return answer.json()
        time.sleep(5)
"""


def test_a_sweep_flags_what_breaks_a_client_and_writes_a_replay_per_case(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        CLIENTS
        + """
@pytest.mark.ods_scenario(SCENARIO)
@pytest.mark.ods_sweep(kinds="http_429,processing_error")
def test_naive(ods_intercept):
    assert naive()["published"]
"""
    )
    result = pytester.runpytest("-p", "no:cacheprovider", "--ods-sweep-json", "sweep.json")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*ods sweep: test_a_sweep_flags*.py::test_naive: * cases, * survived, * failed",
            "*http_429          EE*",
            "*FAILED #1 http_429 at call 1 (PUT /api/management/v2/datasets/da_trees1/publish): "
            "exception: HTTPError: 429 Client Error*",
            "*processing_error at trees processing_dataset: hang: slept * virtual seconds*"
            "trees=error*",
        ]
    )
    report = json.loads((pytester.path / "sweep.json").read_text())[0]
    assert report["failed"] == report["cases"] > 0
    hang = next(o for o in report["outcomes"] if o["how"] == "hang")
    replay = yaml.safe_load(Path(hang["replay"]).read_text(encoding="utf-8"))
    assert replay["datasets"][0]["dataset_uid"] == "da_trees1"
    assert replay["faults"] == [
        {
            "type": "processing_error",
            "dataset": "trees",
            "stage": hang["point"].split()[-1],
            "at_fraction": 0.5,
            "times": 1,
        }
    ]


def test_a_replay_file_reproduces_the_failure_it_was_written_for(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        CLIENTS
        + """
@pytest.mark.ods_scenario(SCENARIO)
@pytest.mark.ods_sweep(kinds="http_429", max_cases=1)
def test_naive(ods_intercept):
    naive()
"""
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(failed=1)
    headless, replay = sorted((pytester.path / ".ods-sweep").rglob("*.yaml"))
    assert (replay.name, headless.name) == (
        "case-001-http_429.yaml",
        "case-001-http_429.simulate.yaml",
    )
    pytester.makepyfile(
        test_replay=CLIENTS
        + f"""
@pytest.mark.ods_virtual_sleep
@pytest.mark.ods_scenario({str(replay)!r})
def test_naive_again(ods_intercept):
    with pytest.raises(requests.HTTPError, match="429"):
        naive()
    assert [r.status for r in ods_intercept.requests][-1] == 429
"""
    )
    pytester.runpytest("-p", "no:cacheprovider", "test_replay.py").assert_outcomes(passed=1)


def test_a_client_that_copes_passes_its_sweep_and_the_summary_shows_it(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        CLIENTS
        + """
@pytest.mark.ods_scenario(SCENARIO)
@pytest.mark.ods_sweep(kinds="http_429,processing_error,limit_reached,worker_outage,slow_stage")
def test_careful(ods_intercept):
    assert careful()["name"] in ("idle", "error", "limit_reached")
"""
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(
        ["*= ods sweep =*", "*test_careful: * cases, * survived, 0 failed", "*worker_outage *."]
    )


def test_the_option_sweeps_every_test_with_the_fixtures_and_shards_split_cases(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        CLIENTS
        + """
@pytest.mark.ods_scenario(SCENARIO)
def test_careful(ods_intercept):
    careful()

def test_without_the_simulator():
    assert True

@pytest.mark.ods_scenario(SCENARIO)
@pytest.mark.ods_sweep(kinds="http_429", shards=2)
def test_sharded(ods_intercept):
    careful()
"""
    )
    result = pytester.runpytest(
        "-p", "no:cacheprovider", "--ods-sweep", "--ods-sweep-kinds", "http_429", "-v"
    )
    result.assert_outcomes(passed=4)
    result.stdout.fnmatch_lines(["*test_sharded?sweep1of2?*", "*test_sharded?sweep2of2?*"])
    counts = [line for line in result.outlines if "ods sweep:" in line]
    assert len(counts) == 3  # two tests swept, one of them in two shards


def test_wrong_settings_are_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        CLIENTS
        + """
@pytest.mark.ods_sweep(kinds="http_5OO")
def test_typo(ods_intercept):
    careful()

@pytest.mark.ods_sweep
def test_no_simulator():
    pass
"""
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=2)
    output = result.stdout.str()
    assert "@pytest.mark.ods_sweep: unknown fault kinds ['http_5OO']; known: http_500" in output
    assert "test_no_simulator: a swept test uses the ods or ods_intercept fixture" in output
