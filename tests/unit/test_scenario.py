"""Loading scenarios: typed settings, defaults and errors that say where."""

from __future__ import annotations

import pytest

from simulator.faults import RECORD_STAGES
from simulator.scenario import (
    DEFAULT_API_KEY,
    ScenarioError,
    default_scenario,
    load_scenario,
    load_scenario_text,
)
from simulator.statemachine import Status


def test_an_empty_scenario_has_the_default_admin_and_two_workers() -> None:
    s = load_scenario_text("")
    assert s.platform.workers == 2
    [admin] = s.users
    assert (admin.username, admin.api_keys) == ("admin", (DEFAULT_API_KEY,))
    assert "create_dataset" in admin.permissions


def test_the_built_in_default_scenario_loads() -> None:
    s = default_scenario()
    assert [d.dataset_id for d in s.datasets] == [
        "trees",
        "bike-counters",
        "public-toilets",
        "air-quality",
    ]
    assert s.platform.max_records_by_dataset == 100000


def test_stage_timings_override_only_what_they_name() -> None:
    s = load_scenario_text("platform: {stages: {processing_dataset: {base: 1}}}")
    timing = s.platform.timings[Status.PROCESSING_DATASET]
    assert (timing.base, timing.rate) == (1, None)
    assert s.platform.timings[Status.PROCESSING_ALL_DATASET_DATA].rate == 100


def test_faults_get_their_kinds_defaults() -> None:
    s = load_scenario_text("faults: [{type: processor_misconfigured, dataset: x}]")
    [rule] = s.faults.failures
    assert rule.stages == RECORD_STAGES
    assert rule.after_records == 0
    assert rule.raw_message == "Processor {processor_id} is misconfigured for field {field}: {msg}"


def test_overrides_replace_only_what_is_given() -> None:
    s = load_scenario_text("seed: 3\nplatform: {workers: 5}").with_overrides(workers=1, seed=None)
    assert (s.seed, s.platform.workers) == (3, 1)


@pytest.mark.parametrize(
    ("text", "path", "message"),
    [
        ("seeed: 1", "seeed", "unknown key (did you mean 'seed'?)"),
        ("platform: {workers: two}", "platform.workers", "expected an integer, got a string"),
        ("platform: {workers: -1}", "platform.workers", "must be at least 0"),
        ("clock: {mode: fast}", "clock.mode", "'fast' is not one of manual, realtime"),
        (
            "platform: {stages: {procesing_dataset: {base: 1}}}",
            "platform.stages.procesing_dataset",
            "did you mean 'processing_dataset'?",
        ),
        (
            "datasets: [{dataset_id: a}, {dataset_id: a}]",
            "datasets[1].dataset_id",
            "'a' is used twice",
        ),
        (
            "datasets: [{dataset_id: a, metas: {default: {titel: x}}}]",
            "datasets[0].metas",
            "did you mean 'title'?",
        ),
        ("faults: [{type: procesing_error}]", "faults[0].type", "did you mean 'processing_error'?"),
        (
            "faults: [{type: record_errors, dataset: a}]",
            "faults[0].count",
            "exactly one of count or rate",
        ),
        (
            "users: [{username: u, permissions: [publish]}]",
            "users[0].permissions[0]",
            "unknown permission 'publish'",
        ),
        ("status_names: [fine]", "status_names", "expected a string, got a list"),
    ],
)
def test_errors_name_the_key_path(text: str, path: str, message: str) -> None:
    with pytest.raises(ScenarioError) as err:
        load_scenario_text(text, "s.yaml")
    assert err.value.path == path
    assert message in err.value.problem


def test_invalid_yaml_is_reported_with_its_line() -> None:
    with pytest.raises(ScenarioError, match=r"s.yaml: line 2: not valid YAML"):
        load_scenario_text("seed: 1\nplatform: {workers: 2]\nusers: []\n", "s.yaml")


def test_a_missing_file_is_reported_clearly(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ScenarioError, match="cannot read the file"):
        load_scenario(tmp_path / "nope.yaml")
