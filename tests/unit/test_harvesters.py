"""The harvesters' rules: their status table, fetchers, parameters and remote catalogues."""

from __future__ import annotations

import pytest

from simulator.domain import harvesters as rules
from simulator.domain import statemachine as sm
from simulator.domain.errors import InvalidParameter
from simulator.domain.statemachine import HarvesterStatus
from simulator.scenario.loading import ScenarioError, load_scenario_text

H = HarvesterStatus


def test_the_statuses_are_the_automation_apis_six() -> None:
    assert [s.value for s in H] == ["new", "queued", "processing", "aborting", "deleting", "idle"]


def test_a_harvest_goes_from_queued_through_processing_to_idle_and_nothing_else() -> None:
    sm.check_harvester(H.NEW, H.QUEUED)
    sm.check_harvester(H.QUEUED, H.PROCESSING)
    sm.check_harvester(H.PROCESSING, H.IDLE)
    sm.check_harvester(H.IDLE, sm.REMOVED)
    # an abort (the Automation API's) stops a harvest under way, then rests idle
    sm.check_harvester(H.PROCESSING, H.ABORTING)
    sm.check_harvester(H.ABORTING, H.IDLE)
    assert sm.HARVESTER_ABORTABLE == (H.PROCESSING,)
    refused = [
        (H.PROCESSING, H.QUEUED),
        (H.QUEUED, sm.REMOVED),
        (H.NEW, H.IDLE),
        (H.QUEUED, H.ABORTING),
        (H.ABORTING, sm.REMOVED),
    ]
    for source, destination in refused:
        with pytest.raises(sm.IllegalTransition):
            sm.check_harvester(source, destination)
    table = sm.harvester_table()
    assert sm.table()["harvesters"] == table  # served beside the datasets' table
    assert table["action_origins"] == ["new", "idle"]
    # every status a move names is a harvester status, or the pseudo status removed
    names = {s.value for s in H} | {sm.REMOVED}
    assert all({t["from"], t["to"]} <= names for t in table["transitions"])  # type: ignore[attr-defined]


def test_the_id_is_a_slug_of_the_name() -> None:
    assert rules.harvester_id("My Harvester") == "my-harvester"
    assert rules.harvester_id("Stata FTP CSV") == "stata-ftp-csv"


def test_the_ods_fetcher_lists_the_documented_parameters() -> None:
    names = sorted(p[0] for p in rules.parameters("ods"))
    assert names == ["api_key", "delete", "domain_id", "forced_metas", "refines",
                     "restrict_visibility"]  # fmt: skip
    assert rules.missing("ods", {}) == ["domain_id"]


def test_parameters_are_read_leniently_and_refused_by_name() -> None:
    read = rules.check_params("ods", {"delete": "True", "domain_id": 12, "refines": None})
    assert read == {"delete": True, "domain_id": "12"}
    with pytest.raises(InvalidParameter) as refused:
        rules.check_params("ods", {"domain": "x"})
    assert refused.value.raw_params["parameter"] == "params.domain"
    assert "domain_id" in refused.value.message
    with pytest.raises(InvalidParameter):
        rules.check_fetcher({"type": "nope"})
    assert rules.check_fetcher({"type": "csw", "label": "CSW"}) == "csw"


def test_a_generated_catalogue_is_the_same_for_the_same_seed_and_harvester() -> None:
    one = rules.remote_catalogue(3, "h", 5)
    assert one == rules.remote_catalogue(3, "h", 5)
    assert one != rules.remote_catalogue(4, "h", 5)
    assert len({d.remote_id for d in one}) == 5 and all(d.title for d in one)


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("harvesters: [{name: A b}, {name: a-b}]", "harvesters[1].name"),
        ("harvesters: [{name: A, params: {domian_id: x}}]", "harvesters[0].params"),
        ("harvesters: [{name: A, remote_datasets: [{id: x}, {id: x}]}]",
         "harvesters[0].remote_datasets"),
        ("harvesters: [{name: A, fetcher: odss}]", "harvesters[0].fetcher"),
    ],
)  # fmt: skip
def test_a_scenario_names_the_harvester_key_at_fault(text: str, where: str) -> None:
    with pytest.raises(ScenarioError) as refused:
        load_scenario_text(text, "<test>")
    assert where in str(refused.value)


def test_a_scenario_harvester_exists_unless_told_otherwise() -> None:
    scenario = load_scenario_text(
        "seed: 2\nharvesters: [{name: One}, {name: Two, exists: false, remote_datasets: 1}]"
    )
    one, two = scenario.harvesters
    assert (one.harvester_id, one.exists, len(one.remote)) == ("one", True, 3)
    assert (two.exists, len(two.remote)) == (False, 1)
