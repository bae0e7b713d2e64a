"""Faults on harvests over HTTP, and the errors and preview views that explain them."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from simulator.scenario.loading import ScenarioError, load_scenario_text
from tests.conftest import Live, call

pytestmark = pytest.mark.e2e

MakeLive = Callable[..., Live]

ROOT = Path(__file__).resolve().parents[2]

CATALOGUE = """
seed: 5
harvesters:
  - name: Nachbar Portal
    params: {domain_id: data.example.org}
    remote_datasets:
      - {id: trees, title: Trees, description: Every tree, records: 10}
      - {id: parks, title: Parks, records: 20}
      - {id: lakes, title: Lakes, records: 30}
"""


def harvester(live: Live, name: str = "nachbar-portal") -> dict:
    r = live.http.get(f"{live.api}/harvesters/{name}/", timeout=10)
    assert r.status_code == 200, r.text
    return r.json()


def errors(live: Live, name: str = "nachbar-portal") -> dict:
    r = live.http.get(f"{live.api}/harvesters/{name}/errors", timeout=10)
    assert r.status_code == 200, r.text
    return r.json()


def start(live: Live) -> None:
    r = call(live.http, "PUT", f"{live.api}/harvesters/nachbar-portal/start")
    assert r.status_code == 200, r.text


def test_a_harvest_under_a_remote_outage_ends_idle_with_the_harvester_error(
    make_live: MakeLive,
) -> None:
    live = make_live(
        CATALOGUE + "faults:\n  - {type: remote_outage, harvester: nachbar-portal, until: 600}\n"
    )
    assert errors(live) == {"harvester": None, "resources": {}}
    start(live)
    assert harvester(live)["status"] == "idle"  # it fails at once: the remote is down
    found = harvester(live)
    assert found["errors"] == {"resources": 0, "harvester": 1}
    assert found["counters"] == {"attached": 0, "published": 0}
    assert errors(live) == {
        "harvester": "Could not reach the remote portal: connection refused",
        "resources": {},
    }
    faults = live.control("GET", "faults")
    assert [(f["kind"], f["target"]) for f in faults] == [("remote_outage", "nachbar-portal")]
    # once the outage is over, a harvest succeeds and clears the errors
    live.advance(600)
    start(live)
    live.advance(35)
    assert harvester(live)["status"] == "idle"
    assert harvester(live)["errors"] == {"resources": 0, "harvester": 0}
    assert errors(live) == {"harvester": None, "resources": {}}
    assert harvester(live)["counters"]["attached"] == 3


def test_an_outage_that_begins_mid_harvest_fails_it_then(make_live: MakeLive) -> None:
    live = make_live(CATALOGUE + "faults:\n  - {type: remote_outage, from: 10, until: 20}\n")
    start(live)
    live.advance(9)
    assert harvester(live)["status"] == "processing"
    live.advance(1)
    assert harvester(live)["status"] == "idle"
    assert harvester(live)["errors"]["harvester"] == 1


def test_a_harvest_failing_at_the_catalogue_changes_nothing_once(make_live: MakeLive) -> None:
    live = make_live(
        CATALOGUE
        + """faults:
  - type: harvest_error
    times: 1
    raw_message: "The remote answered {status}"
    raw_params: {status: 500}
"""
    )
    start(live)
    live.advance(35)
    assert harvester(live)["errors"] == {"resources": 0, "harvester": 1}
    assert errors(live)["harvester"] == "The remote answered 500"
    assert harvester(live)["counters"]["attached"] == 0
    start(live)  # it fired once: the next harvest succeeds
    live.advance(35)
    assert harvester(live)["errors"] == {"resources": 0, "harvester": 0}


def test_resource_errors_skip_those_remote_datasets(make_live: MakeLive) -> None:
    live = make_live(
        CATALOGUE
        + """faults:
  - {type: harvest_error, step: datasets, remote_datasets: [parks]}
"""
    )
    start(live)
    live.advance(35)
    found = harvester(live)
    assert (found["status"], found["errors"]) == ("idle", {"resources": 1, "harvester": 0})
    assert found["counters"]["attached"] == 2
    assert errors(live) == {
        "harvester": None,
        "resources": {"parks": "Could not harvest the dataset: invalid metadata"},
    }


def test_a_slow_remote_takes_a_factor_longer_and_more(make_live: MakeLive) -> None:
    live = make_live(
        CATALOGUE + "faults:\n  - {type: slow_harvest, harvester: 'nachbar-*', factor: 2, "
        "latency: 10}\n"
    )
    start(live)
    live.advance(79)  # 2 x (20 + 3 x 5) + 10 = 80 s
    assert harvester(live)["status"] == "processing"
    live.advance(1)
    assert harvester(live)["status"] == "idle"
    assert live.control("GET", "faults")[0]["kind"] == "slow_harvest"


def test_the_preview_lists_the_remote_catalogue(make_live: MakeLive) -> None:
    live = make_live(CATALOGUE)
    for path in ("preview", "preview/"):
        r = live.http.get(f"{live.api}/harvesters/nachbar-portal/{path}", timeout=10)
        assert r.status_code == 200, r.text
        body = r.json()
        assert list(body) == ["total_count", "results"]
        assert body["total_count"] == 3
        assert body["results"][0] == {"id": "trees", "title": "Trees", "description": "Every tree"}
        assert list(body["results"][1]) == ["id", "title", "description"]
    for view in ("preview", "errors"):
        r = live.http.get(f"{live.api}/harvesters/nope/{view}", timeout=10)
        assert (r.status_code, r.json()["error_key"]) == (404, "UnknownHarvesterException")


SCRIPTED = (
    CATALOGUE
    + """faults:
  - {type: harvest_error, step: datasets, remote_datasets: [lakes]}
script:
  - {at: 0, action: start, harvester: nachbar-portal}
  - {at: 5, action: publish, harvester: nachbar-portal}
  - at: 5
    expect: {harvester: nachbar-portal, status: processing}
  - {at: 40, action: publish, harvester: nachbar-portal}
  - at: 40
    expect:
      harvester: nachbar-portal
      status: idle
      counters: {attached: 2}
      errors: {resources: 1}
  - at: 200
    expect: {harvester: nachbar-portal, counters: {published: 2}, errors: {harvester: 0}}
  - at: 200
    expect: {harvester: nachbar-portal, counters: {published: 3}}
"""
)


def test_script_steps_drive_and_check_a_harvester(make_live: MakeLive) -> None:
    live = make_live(SCRIPTED)
    live.advance(300)
    played = live.control("GET", "script")
    assert (played["done"], played["failed"]) == (True, 1)
    results = played["results"]
    assert [r.get("action") for r in results] == [
        "start", "publish", None, "publish", None, None, None
    ]  # fmt: skip
    assert results[0]["harvester"] == "nachbar-portal" and "dataset" not in results[0]
    refused = results[1]
    assert not refused["ok"] and refused["error"]["error_key"] == (
        "InvalidHarvesterStatusException"
    )
    assert [r["ok"] for r in results[2:]] == [True, True, True, True, False]
    assert results[6]["actual"]["counters"] == {"attached": 2, "published": 2}


def test_simulate_prints_harvester_steps(tmp_path: Path) -> None:
    path = tmp_path / "harvest.yaml"
    path.write_text(SCRIPTED, encoding="utf-8")
    run = subprocess.run(
        [sys.executable, str(ROOT / "run_simulator.py"), "simulate", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert run.returncode == 1, run.stderr
    out = run.stdout
    assert "start harvester nachbar-portal: accepted" in out
    assert "publish harvester nachbar-portal: refused, Invalid transition from processing" in out
    assert 'expect harvester nachbar-portal counters={"published": 3}: FAILED' in out
    assert '+ counters: {"published": 2}' in out


@pytest.mark.parametrize(
    ("step", "where", "says"),
    [
        ("{at: 0, action: start, harvester: nachbar-portl}", "script[0].harvester",
         "no harvester 'nachbar-portl' in this scenario (did you mean 'nachbar-portal'?)"),
        ("{at: 0, action: abort_processing, harvester: nachbar-portal}", "script[0].action",
         "'abort_processing' is not an action of harvesters"),
        ("{at: 0, action: start, dataset: x}", "script[0].action",
         "'start' is an action of harvesters"),
        ("{at: 0, expect: {harvester: nachbar-portal, records: 3}}", "script[0].expect.records",
         "is a dataset's"),
        ("{at: 0, expect: {harvester: nachbar-portal, status: error}}", "script[0].expect.status",
         "not a harvester's status"),
        ("{at: 0, action: start, harvester: nachbar-portal, dataset: x}", "script[0].harvester",
         "not both"),
    ],
)  # fmt: skip
def test_bad_harvester_steps_say_where(step: str, where: str, says: str) -> None:
    text = CATALOGUE + "datasets: [{dataset_id: x}]\nscript:\n  - " + step + "\n"
    with pytest.raises(ScenarioError) as caught:
        load_scenario_text(text, "h.yaml")
    message = str(caught.value)
    assert f"h.yaml:{text.count(chr(10))}: {where}: " in message
    assert says in message


@pytest.mark.parametrize(
    ("fault", "where", "says"),
    [
        ("{type: remote_outage, harvester: nachbar, until: 10}", "faults[0].harvester",
         "no harvester 'nachbar'"),
        ("{type: remote_outage, from: 20, until: 10}", "faults[0].until", "must be after"),
        ("{type: slow_harvest}", "faults[0].factor", "a factor, a latency, or both"),
        ("{type: harvest_error, remote_datasets: [x]}", "faults[0].remote_datasets",
         "give step: datasets"),
        ("{type: harvest_error, step: fetch}", "faults[0].step", "is not one of"),
    ],
)  # fmt: skip
def test_bad_harvest_faults_say_where(fault: str, where: str, says: str) -> None:
    text = CATALOGUE + "faults:\n  - " + fault + "\n"
    with pytest.raises(ScenarioError) as caught:
        load_scenario_text(text, "f.yaml")
    assert f": {where}: " in str(caught.value) and says in str(caught.value)


def test_a_scenario_harvester_may_come_with_its_schedule() -> None:
    text = CATALOGUE + "    schedules: [{cron_schedule: '0 3 * * *', timezone: UTC}]\n"
    scenario = load_scenario_text(text, "s.yaml")
    assert scenario.harvesters[0].schedules == ({"cron_schedule": "0 3 * * *", "timezone": "UTC"},)
    bad = CATALOGUE + "    schedules: [{cron_schedule: '0 3 * *', timezone: UTC}]\n"
    with pytest.raises(ScenarioError) as caught:
        load_scenario_text(bad, "s.yaml")
    assert "harvesters[0].schedules[0].cron_schedule: expected five fields" in str(caught.value)


def test_a_scenario_schedule_fires_once_the_script_ran_the_harvester(make_live: MakeLive) -> None:
    live = make_live(
        CATALOGUE
        + """    schedules: [{cron_schedule: '0 3 * * *', timezone: UTC}]
script:
  - {at: 0, action: start, harvester: nachbar-portal}
  - at: 10801
    expect: {harvester: nachbar-portal, status: processing}
"""
    )
    live.advance(10801)
    played = live.control("GET", "script")
    assert (played["done"], played["failed"]) == (True, 0)
