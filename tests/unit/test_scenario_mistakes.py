"""A scenario with several mistakes: each independent one told in one run, and no more."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulator.domain.limits import MAX_MISTAKES
from simulator.scenario.loading import ScenarioError, load_scenario_text, parse_text
from simulator.scenario.schema import build_schema
from simulator.scenario.validator import Validator

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = sorted((ROOT / "fixtures" / "broken").glob("*.yaml"))
LIBRARY = sorted((ROOT / "scenarios").glob("*.yaml"))


def mistakes(text: str) -> list[str]:
    with pytest.raises(ScenarioError) as err:
        load_scenario_text(text, "s.yaml")
    return [m.mistake for m in err.value.mistakes]


def _document(path: Path) -> object:
    try:
        return parse_text(path.read_text(encoding="utf-8"), str(path))
    except ScenarioError:
        return None


@pytest.mark.parametrize("path", FIXTURES + LIBRARY, ids=lambda p: p.stem)
def test_the_first_of_all_problems_is_the_first_problem(path: Path) -> None:
    validator = Validator(build_schema())
    document = _document(path)
    first = next(validator.problems(document), None)
    assert first == validator.first_problem(document)


def test_independent_mistakes_across_sections_are_all_told_in_document_order() -> None:
    text = (
        "status_names: finee\n"
        "users: [{username: ed}]\n"
        "groups: [{group_id: g, usernames: [eddy]}]\n"
        "datasets: [{dataset_id: trees}]\n"
        "faults:\n"
        "  - {type: processing_error, dataset: treees}\n"
        "  - {type: processing_error, dataset: bikes}\n"
    )
    assert mistakes(text) == [
        "s.yaml:1: status_names: 'finee' is not one of coarse, fine (did you mean 'fine'?)",
        "s.yaml:3: groups[0].usernames[0]: no user 'eddy' in this scenario (did you mean 'ed'?)",
        "s.yaml:6: faults[0].dataset: no dataset 'treees' in this scenario (did you mean "
        "'trees'?); for datasets created at run time, use a glob pattern such as 'treees*'",
        "s.yaml:7: faults[1].dataset: no dataset 'bikes' in this scenario; for datasets "
        "created at run time, use a glob pattern such as 'bikes*'",
    ]


def test_each_item_of_a_section_is_checked_on_its_own() -> None:
    users = "users: [{username: ed}, {username: ed}, {username: al}, {username: al}]\n"
    assert [m.split(": ", 2)[1] for m in mistakes(users)] == [
        "users[1].username",
        "users[3].username",
    ]
    pages = "pages: [{slug: a, author: bob}, {slug: b}, {slug: a}, {slug: c, author: eve}]\n"
    assert [m.split(": ", 2)[1] for m in mistakes(pages)] == [
        "pages[0].author",
        "pages[2].slug",
        "pages[3].author",
    ]


def test_datasets_with_mistakes_leave_the_faults_naming_datasets_unchecked() -> None:
    text = (
        "datasets: [{dataset_id: a, owner: bob}, {dataset_id: b}, {dataset_id: b}]\n"
        "faults: [{type: processing_error, dataset: a}]\n"
    )
    assert [m.split(": ", 2)[1] for m in mistakes(text)] == [
        "datasets[0].owner",
        "datasets[2].dataset_id",
    ]


def test_a_value_of_the_wrong_type_is_one_mistake_not_one_per_check() -> None:
    assert mistakes("datasets: 5\nusers: {username: ed}\n") == [
        "s.yaml:1: datasets: expected a list, got an integer",
        "s.yaml:2: users: expected a list, got a mapping",
    ]


def test_a_wrong_section_leaves_the_checks_that_need_it_unmade() -> None:
    # the users are wrong: who is or is not a member of the group cannot be told
    told = mistakes("users: [{username: ed, permissions: [publsh]}]\ngroups: [{usernames: [x]}]\n")
    assert len(told) == 1 and told[0].startswith("s.yaml:1: users[0].permissions[0]: 'publsh'")


def test_the_clock_s_mode_spoils_nothing_but_its_start_spoils_what_has_a_time() -> None:
    fault = "faults: [{type: processing_error, dataset: nothing}]\n"
    assert len(mistakes("clock: {mode: manuel}\n" + fault)) == 2
    assert len(mistakes("clock: {start: 5}\n" + fault)) == 1


def test_a_misspelled_section_does_not_make_its_references_unknown() -> None:
    text = "datsets: [{dataset_id: trees}]\nfaults: [{type: processing_error, dataset: trees}]\n"
    told = mistakes(text)
    assert len(told) == 1
    assert told[0].startswith("s.yaml:1: datsets: unknown key (did you mean 'datasets'?)")


def test_the_mistakes_told_are_bounded_and_the_rest_counted() -> None:
    text = "faults:\n" + "".join(
        f"  - {{type: processing_error, dataset: missing{i}}}\n" for i in range(MAX_MISTAKES + 7)
    )
    with pytest.raises(ScenarioError) as err:
        load_scenario_text(text, "s.yaml")
    assert len(err.value.mistakes) == MAX_MISTAKES
    assert err.value.more == 7
    lines = str(err.value).splitlines()
    assert lines[0] == f"s.yaml: {MAX_MISTAKES + 7} mistakes"
    assert lines[1].startswith("  s.yaml:2: faults[0].dataset: no dataset 'missing0'")
    assert lines[-1] == "  and 7 more"


def test_many_bad_values_are_told_without_keeping_them_all() -> None:
    text = '{"users": [' + ",".join('{"username": 1}' for _ in range(5000)) + "]}"
    with pytest.raises(ScenarioError) as err:
        load_scenario_text(text, "s.json")
    assert (len(err.value.mistakes), err.value.more) == (MAX_MISTAKES, 5000 - MAX_MISTAKES)


def test_one_mistake_reads_as_it_always_did() -> None:
    with pytest.raises(ScenarioError) as err:
        load_scenario_text("platform:\n  wrokers: 3\n", "s.yaml")
    assert str(err.value).startswith("s.yaml:2: platform.wrokers: unknown key")
    assert err.value.mistakes == (err.value,) and err.value.more == 0
