"""The pytest plugin, as a user's test suite meets it (pytester runs inner sessions)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e

PUBLISH_AND_CHECK = """
import requests

def publish(ods, dataset_id):
    s = ods.session()
    uid = s.post(f"{ods.api_url}/datasets", json={"dataset_id": dataset_id}).json()["dataset_uid"]
    assert s.put(f"{ods.api_url}/datasets/{uid}/publish").status_code == 200
    return uid
"""


def test_each_test_starts_from_a_fresh_world_on_one_session_server(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        PUBLISH_AND_CHECK
        + """
PORTS = []

def test_first(ods):
    assert ods.automation_url == ods.url + "/api/automation/v1.0"
    PORTS.append(ods.url)
    publish(ods, "a")
    ods.run_until_idle()
    ods.assert_transitions("a", "idle > queued > processing > idle")
    assert ods.now > 0

def test_second(ods):
    PORTS.append(ods.url)
    assert ods.now == 0
    assert requests.get(f"{ods.api_url}/datasets", headers=ods.headers).json()["nhits"] == 0
    listing = requests.get(f"{ods.automation_url}/datasets/", headers=ods.headers).json()
    assert listing["total_count"] == 0
    assert ods.timeline() == []

def test_one_server(ods):
    assert len(set(PORTS)) == 1
"""
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=3)


def test_a_marker_loads_a_scenario_from_text_a_path_a_mapping_or_a_name(
    pytester: pytest.Pytester,
) -> None:
    pytester.makefile(
        ".yaml", story="datasets: [{dataset_id: from-file, resources: [{records: 10}]}]\n"
    )
    pytester.makepyfile(
        """
import pytest

@pytest.mark.ods_scenario("story.yaml")
def test_path(ods):
    assert ods.state("from-file")["exists"]

@pytest.mark.ods_scenario("datasets: [{dataset_id: inline}]")
def test_text(ods):
    assert ods.state("inline")["exists"]

@pytest.mark.ods_scenario({"datasets": [{"dataset_id": "mapped"}]})
def test_mapping(ods):
    assert ods.state("mapped")["exists"]

@pytest.mark.ods_scenario("abort-midway")
def test_library_name(ods):
    assert ods.state("building-permits")["exists"]

@pytest.mark.ods_scenario("datasets: [{dataset_id: a, datset_uid: x}]")
def test_invalid(ods):
    pass
"""
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=4, errors=1)
    result.stdout.fnmatch_lines(
        ["*invalid scenario: <inline>:1: datasets[[]0[]].datset_uid: unknown key*"]
    )


def test_configuration_fixtures_can_be_overridden_in_a_conftest(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        """
import pytest

@pytest.fixture(scope="session")
def ods_workers():
    return 5

@pytest.fixture(scope="session")
def ods_status_names():
    return "fine"

@pytest.fixture(scope="session")
def ods_default_scenario():
    return "datasets: [{dataset_id: everywhere, dataset_uid: da_every1, resources: [{records: 9}]}]"
"""
    )
    pytester.makepyfile(
        """
import requests

def test_overrides(ods):
    assert ods.simulator.control.clock().workers == 5
    s = ods.session()
    s.put(f"{ods.api_url}/datasets/da_every1/publish")
    assert s.get(f"{ods.api_url}/datasets/da_every1/status").json()["name"] == "processing_dataset"

def test_default_again(ods):
    assert ods.status("everywhere") == "idle"
"""
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=2)


def test_a_wrong_sequence_fails_with_both_paths(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        PUBLISH_AND_CHECK
        + """
def test_wrong(ods):
    publish(ods, "a")
    ods.run_until_idle()
    ods.assert_transitions("a", "idle > queued > processing > error")
"""
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        ["*a went through*", "*idle > queued > processing > idle*", "*not*"]
    )


def test_two_xdist_workers_get_a_simulator_each_and_nothing_leaks(
    pytester: pytest.Pytester,
) -> None:
    tests = "".join(
        f"""
def test_{i}(ods):
    uid = publish(ods, "d{i}")
    ods.run_until_idle()
    ods.assert_transitions("d{i}", "idle > queued > processing > idle")
    listed = ods.session().get(f"{{ods.api_url}}/datasets").json()["datasets"]
    assert [d["dataset_id"] for d in listed] == ["d{i}"]
    with open("urls.txt", "a") as f:
        f.write(ods.url + "\\n")
"""
        for i in range(12)
    )
    pytester.makepyfile(PUBLISH_AND_CHECK + tests)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-n", "2")
    result.assert_outcomes(passed=12)
    urls = (pytester.path / "urls.txt").read_text().split()
    assert len(urls) == 12 and len(set(urls)) == 2


def test_the_intercept_fixture_answers_the_real_hosts(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        """
import pytest

@pytest.fixture(scope="session")
def ods_intercept_hosts():
    return ("data.example.org",)
"""
    )
    pytester.makepyfile(
        """
import pytest, requests
from simulator.testing import NotIntercepted

@pytest.mark.ods_scenario("datasets: [{dataset_id: t, dataset_uid: da_tttttt}]")
def test_hosts(ods_intercept):
    for host in ("https://city.opendatasoft.com", "https://data.example.org"):
        url = f"{host}/api/management/v2/datasets/da_tttttt"
        r = requests.get(url, headers={"Authorization": "Apikey prod"})
        assert r.json()["dataset_id"] == "t"
    for host in ("https://city.huwise.com", "https://data.example.org"):
        url = f"{host}/api/automation/v1.0/datasets/da_tttttt/status"
        r = requests.get(url, headers={"Authorization": "apikey prod"})
        assert list(r.json())[:2] == ["status", "since"]
    assert ods_intercept.automation_url.endswith("/api/automation/v1.0")
    with pytest.raises(NotIntercepted, match="not intercepted"):
        requests.get("https://elsewhere.example.com/")
"""
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_a_test_may_put_the_clock_in_step_mode_until_its_reset(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        """
import requests

def test_step(ods):
    assert ods.clock_mode == "manual"
    ods.clock_mode = "step"
    headers = ods.headers
    requests.put(f"{ods.api_url}/datasets/da_trees1/publish", headers=headers, timeout=10)
    seen = []
    while not seen or seen[-1] != "idle":
        answer = requests.get(f"{ods.api_url}/datasets/da_trees1/status/", headers=headers)
        seen.append(answer.json()["name"])
    assert seen == ["processing", "processing", "idle"]
    ods.assert_transitions("trees", "idle > queued > processing > idle")

def test_manual_again(ods):
    assert ods.clock_mode == "manual"

def test_a_misspelt_mode(ods):
    ods.clock_mode = "stepp"
"""
    )
    pytester.makeconftest(
        """
import pytest

@pytest.fixture(scope="session")
def ods_default_scenario():
    return '''
datasets:
  - {dataset_id: trees, dataset_uid: da_trees1, resources: [{records: 1800}]}
'''
"""
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(["*expected one of manual, realtime, step, got 'stepp'*"])
