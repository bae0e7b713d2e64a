"""Virtual sleep and the platform guard through the pytest plugin, as a user meets them."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e

CLIENT = '''
import time
from time import sleep

import requests

WORLD = """
status_names: fine
datasets: [{dataset_id: t, dataset_uid: da_tttttt, resources: [{records: 5000}]}]
"""


def publish_and_wait(api_url, headers, pause=None):
    """A client as found in the wild: publish, then read the status every 10 s until idle."""
    seen = []
    uid = "da_tttttt"
    requests.put(f"{api_url}/datasets/{uid}/publish", headers=headers).raise_for_status()
    while True:
        status = requests.get(f"{api_url}/datasets/{uid}/status", headers=headers).json()["name"]
        if not seen or seen[-1] != status:
            seen.append(status)
        if status == "idle":
            return seen
        (pause or time.sleep)(10)
'''


def test_the_marker_turns_it_on_over_the_loopback_server_and_through_interception(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        CLIENT
        + """
import pytest

EXPECTED = ["processing_dataset", "processing_all_dataset_data", "idle"]


@pytest.mark.ods_virtual_sleep
@pytest.mark.ods_scenario(WORLD)
def test_loopback(ods):
    assert ods.url.startswith("http://127.0.0.1:")
    assert publish_and_wait(ods.api_url, ods.headers) == EXPECTED
    assert ods.now == 70


@pytest.mark.ods_virtual_sleep
@pytest.mark.ods_scenario(WORLD)
def test_a_name_imported_before_the_patch(ods):
    # the test module's own ``from time import sleep`` is rebound too
    assert publish_and_wait(ods.api_url, ods.headers, pause=sleep) == EXPECTED
    assert ods.now == 70


@pytest.mark.ods_virtual_sleep
@pytest.mark.ods_scenario(WORLD)
def test_intercepted(ods_intercept):
    api = "https://city.opendatasoft.com/api/management/v2"
    assert publish_and_wait(api, {"Authorization": "Apikey prod"}) == EXPECTED
    assert ods_intercept.now == 70


def test_off_without_the_marker(ods):
    time.sleep(0.01)
    assert ods.now == 0 and time.sleep.__module__ == "time"
"""
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=4)


def test_on_for_every_test_from_a_conftest_off_per_test_and_the_budget(
    pytester: pytest.Pytester,
) -> None:
    pytester.makeconftest(
        """
import pytest

@pytest.fixture(scope="session")
def ods_virtual_sleep():
    return True

@pytest.fixture(scope="session")
def ods_sleep_budget():
    return 3600
"""
    )
    pytester.makepyfile(
        CLIENT
        + """
import pytest


@pytest.mark.ods_scenario(WORLD)
def test_on(ods_intercept):
    time.sleep(600)
    assert ods_intercept.now == 600


@pytest.mark.ods_virtual_sleep(False)
def test_off(ods):
    time.sleep(0.01)
    assert ods.now == 0


@pytest.mark.ods_scenario(WORLD)
def test_hangs(ods):
    while True:
        time.sleep(60)


@pytest.mark.ods_virtual_sleep(budget=7200)
def test_a_budget_per_test(ods):
    time.sleep(7200)
    assert ods.now == 7200


@pytest.mark.ods_virtual_sleep(until="idle")
def test_a_misspelt_marker(ods):
    pass
"""
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=3, failed=1, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*UsageError: @pytest.mark.ods_virtual_sleep takes on=True|False, budget= and modules=",
            "*SleepBudgetExceeded: slept 3600 virtual seconds and asked for 60 more, past the "
            "budget of 3600 (budget=, ods_sleep_budget)*dataset statuses: t=idle*",
        ]
    )


def test_a_call_to_the_platform_outside_interception_fails_the_test_loudly(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        """
import requests


def test_forgot_to_intercept(ods):
    # the client still points at production, not at ods.url
    requests.get("https://city.opendatasoft.com/api/management/v2/datasets")
"""
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*NotIntercepted: https://city.opendatasoft.com/api/management/v2/datasets: a call "
            "to the platform (*.opendatasoft.com, *.huwise.com) through urllib3 that nothing "
            "intercepts*"
        ]
    )
