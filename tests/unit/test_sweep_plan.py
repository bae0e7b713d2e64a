"""The cases a sweep plans from a clean run, and the report it writes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from simulator.scenario.loading import parse_scenario
from simulator.sweep.plan import KINDS, Call, Case, Job, Recording, Stage, plan
from simulator.sweep.report import Outcome, Report, detail_of, with_replays

RUN = Recording(
    calls=(
        Call(1, "POST", "/api/management/v2/datasets"),
        Call(2, "PUT", "/api/management/v2/datasets/da_1/publish"),
        Call(3, "GET", "/api/management/v2/datasets/da_1/status"),
    ),
    stages=(
        Stage("trees", "processing_dataset", 2.0),
        Stage("trees", "processing_all_dataset_data", 3.0),
    ),
    jobs=(Job("trees", 1.0, 1800),),
    workers=3,
)


def test_every_kind_is_aimed_at_every_point_it_applies_to():
    cases = plan(RUN)
    kinds = [c.kind for c in cases]
    assert kinds.count("http_503") == 3  # one per call
    assert kinds.count("processing_error") == 2  # one per processing stage
    assert kinds.count("limit_reached") == kinds.count("worker_outage") == 1
    assert [c.number for c in cases] == list(range(1, len(cases) + 1))
    assert set(kinds) == set(KINDS)


def test_a_call_fault_fires_on_that_call_only():
    case = next(c for c in plan(RUN, ["http_429"]) if c.point.startswith("call 2"))
    assert case.faults == (
        {
            "type": "http",
            "path": "/api/*",
            "nth": [2],
            "status": 429,
            "headers": {"Retry-After": "10"},
        },
    )
    assert case.point == "call 2 (PUT /api/management/v2/datasets/da_1/publish)"


def test_a_dataset_made_at_run_time_is_named_by_a_pattern():
    case = plan(RUN, ["processing_error"])[1]
    assert case.faults[0]["dataset"] == "trees*"
    known = Recording(stages=RUN.stages, scenario_datasets=frozenset({"trees"}))
    assert plan(known, ["processing_error"])[1].faults[0]["dataset"] == "trees"


def test_a_case_adds_its_fault_to_the_scenario_and_keeps_the_rest():
    base = {"seed": 7, "platform": {"workers": 3, "license": {"other": 1}}, "faults": [{"x": 1}]}
    limit = plan(RUN, ["limit_reached"])[0]
    document = limit.scenario(base)
    assert document["platform"] == {
        "workers": 3,
        "license": {"other": 1, "max_records_by_dataset": 900},
    }
    assert document["faults"] == [{"x": 1}]
    error = plan(RUN, ["processing_error"])[0]
    assert error.scenario(base)["faults"][1]["type"] == "processing_error"
    assert base["faults"] == [{"x": 1}]  # the base is not changed


def test_the_planned_scenarios_load():
    base = {"datasets": [{"dataset_id": "trees", "resources": [{"records": 1800}]}]}
    known = Recording(
        calls=RUN.calls,
        stages=RUN.stages,
        jobs=RUN.jobs,
        scenario_datasets=frozenset({"trees"}),
        workers=2,
    )
    for case in plan(known, [k for k in KINDS if k not in ("reset", "timeout")]):
        parse_scenario(case.scenario(base))  # raises on a bad document


def test_a_large_plan_is_sampled_the_same_way_for_the_same_seed():
    many = Recording(calls=tuple(Call(n, "GET", "/api/x") for n in range(1, 301)))
    first = plan(many, max_cases=50, seed=3)
    assert len(first) == 50
    assert [c.point for c in first] == [c.point for c in plan(many, max_cases=50, seed=3)]
    assert [c.point for c in first] != [c.point for c in plan(many, max_cases=50, seed=4)]


def test_an_unknown_kind_is_refused_with_the_known_ones():
    with pytest.raises(ValueError, match="unknown fault kinds \\['http_5OO'\\]; known: http_500"):
        plan(RUN, ["http_5OO"])


def test_the_report_marks_each_case_and_writes_a_replay_per_failure(tmp_path):
    cases = plan(RUN, ["http_503"])
    outcomes = [
        Outcome(cases[0]),
        Outcome(cases[1], "exception", detail_of("HTTPError: 503\nmore")),
        Outcome(cases[2], "hang", "slept past the budget"),
    ]
    written = with_replays(outcomes, tmp_path, "tests/test_x.py::test_publish", {"seed": 1})
    report = Report("test_publish", RUN, written, planned=3)
    table = report.table()
    assert "3 cases, 1 survived, 2 failed" in table
    assert "  http_503  .EH" in table
    assert (
        "FAILED #2 http_503 at call 2 (PUT /api/management/v2/datasets/da_1/publish): "
        "exception: HTTPError: 503" in table
    )
    replay = written[1].replay
    assert replay is not None and f"replay: {replay}" in table
    text = Path(replay).read_text(encoding="utf-8")
    assert text.startswith("# ods sweep of tests/test_x.py::test_publish: case 2, http_503")
    assert yaml.safe_load(text)["faults"][0]["nth"] == [2]
    assert json.loads(report.to_json())["outcomes"][2] == {
        "number": 3,
        "kind": "http_503",
        "point": "call 3 (GET /api/management/v2/datasets/da_1/status)",
        "result": "failed",
        "how": "hang",
        "detail": "slept past the budget",
        "replay": written[2].replay,
    }


def test_a_case_without_additions_is_the_base():
    assert Case(1, "x", "y").scenario({"seed": 2}) == {"seed": 2}


def test_the_table_details_two_failures_a_kind_and_counts_the_rest():
    many = Recording(calls=tuple(Call(n, "GET", "/api/x") for n in range(1, 6)))
    outcomes = tuple(Outcome(c, "exception", "boom") for c in plan(many, ["http_500"]))
    table = Report("t", many, outcomes, planned=5).table()
    assert table.count("FAILED #") == 2
    assert "and 3 http_500 failed cases more (each with its replay file)" in table
