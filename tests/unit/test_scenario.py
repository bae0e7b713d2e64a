"""Loading scenarios: typed settings, defaults, generation, and errors that say where."""

from __future__ import annotations

import json
from datetime import UTC
from pathlib import Path

import jsonschema
import pytest
import yaml

from simulator.domain.statemachine import RECORD_STAGES, Status
from simulator.scenario.loading import (
    DEFAULT_API_KEY,
    ScenarioError,
    default_scenario,
    load_scenario,
    load_scenario_text,
    parse_text,
)
from simulator.scenario.schema import SCHEMA_FILE, build_schema, schema_text
from simulator.scenario.validator import KEYWORDS, Validator, _keywords

ROOT = Path(__file__).resolve().parents[2]
BROKEN = sorted((ROOT / "fixtures" / "broken").glob("*.yaml"))
LIBRARY = sorted((ROOT / "scenarios").glob("*.yaml"))


def test_there_are_at_least_fifteen_broken_fixtures() -> None:
    assert len(BROKEN) >= 15


@pytest.mark.parametrize("path", BROKEN, ids=lambda p: p.stem)
def test_each_broken_fixture_is_refused_with_its_message(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("# expect: "), "a fixture states its message on its first lines"
    stated = [line.removeprefix("# expect: ") for line in lines if line.startswith("# expect: ")]
    monkeypatch.chdir(ROOT)
    with pytest.raises(ScenarioError) as err:
        load_scenario(path.relative_to(ROOT))
    assert str(err.value) == "\n".join(stated)
    assert err.value.line is not None


def _parsable(path: Path) -> bool:
    try:
        parse_text(path.read_text(encoding="utf-8"), str(path))
    except ScenarioError:
        return False
    return True


#: Every fixture and library file that holds a document of JSON values.
DOCUMENTS = [p for p in BROKEN + LIBRARY if _parsable(p)]
#: Fixtures whose text is refused before any schema is looked at.
UNREADABLE = [
    "alias-contains-itself",  # a node that contains itself
    "billion-laughs",  # aliases that expand past the bound
    "date-in-fault-body",  # a YAML date where JSON has none
    "invalid-yaml",  # no document at all
    "nested-too-deep",  # deeper than the bound
]


def test_only_the_unreadable_fixtures_hold_no_document() -> None:
    assert [p.stem for p in BROKEN + LIBRARY if p not in DOCUMENTS] == UNREADABLE


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.stem)
def test_our_validator_agrees_with_the_reference_implementation(path: Path) -> None:
    document = parse_text(path.read_text(encoding="utf-8"), str(path))
    ours = Validator(build_schema()).first_problem(document)
    reference = list(jsonschema.Draft7Validator(build_schema()).iter_errors(document))
    assert (ours is None) == (not reference), (ours, [e.message for e in reference])


def test_the_schema_uses_only_keywords_our_validator_implements() -> None:
    assert _keywords(build_schema()) <= KEYWORDS


def test_the_shipped_schema_file_is_up_to_date() -> None:
    assert SCHEMA_FILE.read_text(encoding="utf-8") == schema_text(), (
        "regenerate it: python -m simulator.scenario.schema"
    )


def test_the_schema_is_a_valid_draft_7_schema() -> None:
    jsonschema.Draft7Validator.check_schema(build_schema())


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
    s = load_scenario_text(
        "datasets: [{dataset_id: x}]\nfaults: [{type: processor_misconfigured, dataset: x}]"
    )
    [rule] = s.faults.failures
    assert rule.stages == RECORD_STAGES
    assert rule.after_records == 0
    assert rule.raw_message == "Processor {processor_id} is misconfigured for field {field}: {msg}"


def test_a_fault_may_aim_at_datasets_created_later_with_a_pattern() -> None:
    s = load_scenario_text("faults: [{type: processing_error, dataset: 'import-*'}]")
    assert s.faults.failures[0].dataset == "import-*"


def test_overrides_replace_only_what_is_given() -> None:
    s = load_scenario_text("seed: 3\nplatform: {workers: 5}").with_overrides(workers=1, seed=None)
    assert (s.seed, s.platform.workers) == (3, 1)


def test_generated_datasets_get_numbered_ids_seeded_records_and_faker_metas() -> None:
    text = "seed: 9\ndatasets: [{generate: 12, prefix: station, records: {min: 10, max: 20}}]"
    s = load_scenario_text(text)
    assert [d.dataset_id for d in s.datasets][:3] == ["station-01", "station-02", "station-03"]
    counts = [d.resources[0].records for d in s.datasets]
    assert all(10 <= n <= 20 for n in counts)
    default = s.datasets[0].metas["default"]
    assert {"title", "description", "keyword", "publisher", "language"} <= set(default)
    again = load_scenario_text(text)
    assert [d.metas for d in again.datasets] == [d.metas for d in s.datasets]
    assert [d.resources[0].records for d in again.datasets] == counts
    other = load_scenario_text(text.replace("seed: 9", "seed: 10"))
    assert [d.metas for d in other.datasets] != [d.metas for d in s.datasets]


def test_a_dataset_without_metas_gets_generated_ones_and_an_id_from_its_title() -> None:
    s = load_scenario_text("seed: 4\ndatasets: [{resources: [{records: 5}]}]")
    [ds] = s.datasets
    title = ds.metas["default"]["title"]
    assert " in " in title
    assert ds.dataset_id == title.lower().replace(" ", "-").replace(".", "").replace("'", "")


def test_users_without_a_name_or_password_get_generated_ones() -> None:
    s = load_scenario_text("seed: 2\nusers: [{permissions: all}, {permissions: [edit_dataset]}]")
    first, second = s.users
    assert first.username != second.username
    assert first.password and len(first.password) == 12


def test_json_scenarios_load_like_their_yaml_twin() -> None:
    text = "seed: 5\ndatasets:\n  - {dataset_id: a, resources: [{records: 3}]}\n"
    as_json = json.dumps(yaml.safe_load(text))
    assert load_scenario_text(as_json).datasets == load_scenario_text(text).datasets


def test_script_steps_are_played_in_time_order() -> None:
    text = """
datasets: [{dataset_id: a}]
script:
  - {at: 50, expect: {dataset: a, status: idle}}
  - {at: 10, action: publish, dataset: a}
"""
    steps = load_scenario_text(text).script
    assert [(s.at, s.index) for s in steps] == [(10, 1), (50, 0)]


def test_a_missing_file_is_reported_clearly(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="cannot read the file"):
        load_scenario(tmp_path / "nope.yaml")


@pytest.mark.parametrize(
    ("written", "epoch"),
    [
        ("2026-03-02T08:00:00+01:00", "2026-03-02T07:00:00+00:00"),
        ('"2026-03-02T08:00:00+01:00"', "2026-03-02T07:00:00+00:00"),
        ("2026-03-02T08:00:00Z", "2026-03-02T08:00:00+00:00"),
        ("2026-03-02 08:00:00", "2026-03-02T08:00:00+00:00"),
        ("2026-03-02", "2026-03-02T00:00:00+00:00"),
    ],
)
def test_clock_start_may_be_written_unquoted(written: str, epoch: str) -> None:
    s = load_scenario_text(f"clock: {{start: {written}}}")
    assert s.epoch.astimezone(UTC).isoformat() == epoch


def test_a_date_elsewhere_must_be_quoted() -> None:
    with pytest.raises(ScenarioError, match="quote it to make it text"):
        load_scenario_text("datasets: [{dataset_id: 2026-03-02}]")


@pytest.mark.parametrize("name", ["abort-midway", "abort-midway.yaml"])
def test_a_library_scenario_loads_by_its_bare_name_from_anywhere(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    s = load_scenario(name)
    assert s.name == "abort-midway.yaml"
    assert [d.dataset_id for d in s.datasets] == ["building-permits", "bus-stops"]


def test_a_file_at_hand_wins_over_the_library(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "abort-midway.yaml").write_text("datasets: [{dataset_id: mine}]\n")
    assert [d.dataset_id for d in load_scenario("abort-midway.yaml").datasets] == ["mine"]


def test_an_unknown_name_lists_the_library(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ScenarioError, match="by name: abort-midway, default, "):
        load_scenario("abort-midwya")
    with pytest.raises(ScenarioError) as err:
        load_scenario("elsewhere/abort-midway")
    assert "by name" not in str(err.value)
