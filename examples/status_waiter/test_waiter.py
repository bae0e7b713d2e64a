"""The robust waiter's tests: plain ``time.sleep`` made virtual, faults put in mid-test,
and the requests it made asserted from the simulator's request log."""

from __future__ import annotations

import pytest
import requests
from robust_waiter import PublishFailed, Waiter

from simulator.testing.handle import SimulatorHandle

PORTAL = "https://demo.opendatasoft.com"
TREES = "datasets: [{dataset_id: trees, dataset_uid: da_trees1, resources: [{records: 600}]}]"
STATUS = "/api/management/v2/datasets/da_trees1/status"
PUBLISH = "/api/management/v2/datasets/da_trees1/publish"


def waiter() -> Waiter:
    return Waiter(PORTAL, apikey="a-real-looking-key")


@pytest.mark.ods_virtual_sleep
@pytest.mark.ods_scenario(TREES)
def test_it_polls_every_ten_seconds_until_published(ods_intercept: SimulatorHandle) -> None:
    final = waiter().publish_and_wait("da_trees1")
    assert (final["name"], final["published"]) == ("idle", True)
    polls = ods_intercept.requests.count("GET", STATUS)
    # one poll at once, then one every 10 virtual seconds until the publish ends
    assert ods_intercept.now == 10 * (polls - 1)
    ods_intercept.requests.assert_order([f"PUT {PUBLISH}", f"GET {STATUS}"])
    ods_intercept.assert_transitions("trees", "idle > queued > processing > idle")


@pytest.mark.ods_virtual_sleep
@pytest.mark.ods_scenario(TREES)
def test_it_waits_as_long_as_a_429_asks(ods_intercept: SimulatorHandle) -> None:
    with ods_intercept.inject({"type": "http", "path": STATUS, "retry_after": 30, "times": 1}):
        final = waiter().publish_and_wait("da_trees1")
    assert final["published"]
    first, second = ods_intercept.requests.filter(method="GET", path=STATUS)[:2]
    assert (first.status, second.status) == (429, 200)
    assert second.time - first.time == 30


@pytest.mark.ods_virtual_sleep
@pytest.mark.ods_scenario(TREES)
def test_a_reset_connection_is_tried_again(ods_intercept: SimulatorHandle) -> None:
    rule = {"type": "http", "path": PUBLISH, "transport": "reset", "times": 1}
    with ods_intercept.inject(rule) as fault:
        final = waiter().publish_and_wait("da_trees1")
    assert fault.fired == 1 and final["published"]
    # the first publish was lost on the way, the second went through
    puts = ods_intercept.requests.filter(method="PUT")
    assert len(puts) == 2 and puts[-1].status == 200


@pytest.mark.ods_virtual_sleep
@pytest.mark.ods_scenario(TREES)
def test_a_cut_answer_to_the_publish_is_recognised(ods_intercept: SimulatorHandle) -> None:
    # the publish went through, its answer was cut: the retry is refused as already queued
    rule = {"type": "http", "path": PUBLISH, "transport": "truncate", "times": 1}
    with ods_intercept.inject(rule):
        final = waiter().publish_and_wait("da_trees1")
    assert final["published"]
    assert [r.status for r in ods_intercept.requests.filter(method="PUT")] == [200, 400]


@pytest.mark.ods_virtual_sleep
@pytest.mark.ods_scenario(TREES + "\nfaults: [{type: processing_error, dataset: trees}]")
def test_a_processing_error_is_reported_with_the_platform_message(
    ods_intercept: SimulatorHandle,
) -> None:
    with pytest.raises(PublishFailed, match="Could not process resource records") as caught:
        waiter().publish_and_wait("da_trees1")
    assert caught.value.status["name"] == "error"


@pytest.mark.ods_virtual_sleep
@pytest.mark.ods_scenario(TREES)
def test_the_same_waiter_against_a_served_simulator(ods: SimulatorHandle) -> None:
    final = Waiter(ods.url, apikey=ods.apikey).publish_and_wait("da_trees1")
    assert final["published"]
    assert requests.get(f"{ods.api_url}/datasets/da_trees1", headers=ods.headers).ok
