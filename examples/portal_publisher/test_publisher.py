"""The publisher's tests, written with the simulator's pytest plugin.

Most run with ``ods_intercept``: the publisher keeps its real portal URL and
calls are answered in-process. One runs against ``ods``, the simulator served on
a loopback port, as a client in any language would use it. The publisher's
``sleep`` advances the virtual clock, so an hour of publishing takes milliseconds.
"""

from __future__ import annotations

import pytest
from publisher import ApiError, LicenseLimit, Publisher, PublishError, PublishTimeout

from simulator.testing.handle import SimulatorHandle

PORTAL = "https://demo.opendatasoft.com"
CSV = "name;height\n" + "".join(f"tree {i};{i % 30}\n" for i in range(250))


def publisher_for(
    ods: SimulatorHandle, url: str = PORTAL, **options: float
) -> tuple[Publisher, list[float]]:
    """A publisher on virtual time; also the list of what it slept."""
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        ods.sleep(seconds)

    return Publisher(
        url, apikey="a-real-looking-key", sleep=sleep, clock=lambda: ods.now, **options
    ), slept


def test_a_csv_is_published_and_waited_for(ods_intercept: SimulatorHandle) -> None:
    publisher, slept = publisher_for(ods_intercept)
    final = publisher.publish_csv("Street trees", "trees.csv", CSV)
    assert (final["name"], final["published"]) == ("idle", True)
    ods_intercept.assert_transitions("street-trees", "idle > queued > processing > idle")
    assert ods_intercept.state("street-trees")["records"] == 250
    assert slept == [5.0, 7.5, 11.25]  # polls back off: 5, 7.5, 11.25 s


@pytest.mark.ods_scenario("platform: {license: {max_records_by_dataset: 100}}")
def test_the_license_limit_is_reported(ods_intercept: SimulatorHandle) -> None:
    publisher, _ = publisher_for(ods_intercept)
    with pytest.raises(LicenseLimit, match="license limit of 100 records") as caught:
        publisher.publish_csv("Street trees", "trees.csv", CSV)
    assert caught.value.status["params"] == {
        "limit_type": "max_records_by_dataset",
        "limit": 100,
        "value": 250,
    }
    assert ods_intercept.state("street-trees")["records"] == 100


@pytest.mark.ods_scenario(
    """
faults:
  - type: processor_misconfigured
    dataset: "*"
    raw_params: {processor_id: pr_geo001, field: address, msg: cannot geocode}
"""
)
def test_a_processing_error_carries_the_platforms_message(ods_intercept: SimulatorHandle) -> None:
    publisher, _ = publisher_for(ods_intercept)
    with pytest.raises(PublishError) as caught:
        publisher.publish_csv("Street trees", "trees.csv", CSV)
    assert (
        str(caught.value)
        == "Processor pr_geo001 is misconfigured for field address: cannot geocode"
    )
    ods_intercept.assert_transitions("street-trees", "idle > queued > processing > error")


def test_an_aborted_publish_ends_idle_with_what_was_indexed(ods_intercept: SimulatorHandle) -> None:
    publisher, _ = publisher_for(ods_intercept)
    upload = publisher.upload("trees.csv", CSV)
    uid = publisher.create_dataset("Street trees")["dataset_uid"]
    publisher.add_resource(uid, upload["url"], "trees.csv")
    publisher.publish(uid)
    ods_intercept.advance(16)  # 5 s of metadata, 10 s of set-up, 1 s of records at 100/s
    publisher.abort(uid)
    final = publisher.wait(uid)
    assert final["name"] == "idle"
    ods_intercept.assert_transitions(uid, "idle > queued > processing > aborting_processing > idle")
    assert ods_intercept.state(uid)["records"] == 100


@pytest.mark.ods_scenario("scenarios/flaky-http.yaml")
def test_the_publisher_rides_out_429_and_503(ods_intercept: SimulatorHandle) -> None:
    publisher, slept = publisher_for(ods_intercept)
    publisher.publish("da_wifi01")
    final = publisher.wait("da_wifi01")
    assert final["name"] == "idle"
    assert slept[0] == 5.0  # the first publish got 429 with Retry-After: 5
    kinds = [(f["method"], f["status"]) for f in ods_intercept.faults()]
    assert ("PUT", 429) in kinds and ("GET", 503) in kinds


@pytest.mark.ods_scenario("faults: [{type: http, path: /api/management/v2/files, status: 503}]")
def test_a_platform_that_never_recovers_is_an_error_after_the_retries(
    ods_intercept: SimulatorHandle,
) -> None:
    publisher, slept = publisher_for(ods_intercept, retries=3)
    with pytest.raises(ApiError, match="503 ServiceUnavailableException"):
        publisher.upload("trees.csv", CSV)
    assert slept == [1.0, 2.0, 4.0]


@pytest.mark.ods_scenario(
    "platform: {stages: {processing_all_dataset_data: {base: 10, rate: 0.01}}}"
)
def test_a_publish_that_takes_too_long_times_out(ods_intercept: SimulatorHandle) -> None:
    publisher, _ = publisher_for(ods_intercept, timeout=600)
    with pytest.raises(PublishTimeout, match="still processing after 600 s"):
        publisher.publish_csv("Street trees", "trees.csv", CSV)
    assert 600 < ods_intercept.now < 700


def test_the_same_client_against_a_live_simulator(ods: SimulatorHandle) -> None:
    publisher, _ = publisher_for(ods, url=ods.url)
    publisher.apikey = ods.apikey  # the live server checks credentials
    final = publisher.publish_csv("Street trees", "trees.csv", CSV)
    assert (final["name"], final["published"]) == ("idle", True)
