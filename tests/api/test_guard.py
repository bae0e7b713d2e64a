"""The control API's guard: Host, Origin and an optional token, before any /_sim view."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient

from simulator.api.control.guard import host_name
from tests.conftest import API, AUTH

Make = Callable[..., FlaskClient]

WORLD = "datasets: [{dataset_id: a, dataset_uid: da_aaaaaa, resources: [{records: 10}]}]"
TOKEN = "t0ken-of-the-day"


def test_scripts_and_curl_change_the_world_as_before(make_client: Make) -> None:
    c = make_client(WORLD)
    assert c.post("/_sim/clock/advance", data='{"seconds": 5}').status_code == 200
    form = {"Content-Type": "application/x-www-form-urlencoded"}  # what curl -d sends
    assert c.post("/_sim/clock/advance", data='{"seconds": 5}', headers=form).status_code == 200
    assert c.post("/_sim/reset").status_code == 200


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Referer": "https://evil.example/page.html"},
        {"Origin": "http://localhost", "Sec-Fetch-Site": "same-site"},
    ],
    ids=["other-origin", "null-origin", "cross-site", "other-referer", "same-site"],
)
def test_another_site_cannot_change_the_world(make_client: Make, headers: dict[str, str]) -> None:
    c = make_client(WORLD)
    for path, body in [
        ("/_sim/reset", None),
        ("/_sim/clock/advance", '{"seconds": 5}'),
        ("/_sim/datasets/a/actions/publish", None),
    ]:
        answer = c.post(path, data=body, headers={**headers, "Content-Type": "text/plain"})
        assert answer.status_code == 403, path
        assert answer.get_json()["error_key"] == "ControlForbiddenException"
    assert c.put("/_sim/scenario", data="seed: 9", headers=headers).status_code == 403
    assert c.get("/_sim/clock").get_json()["now"] == 0
    status = c.get(f"{API}/datasets/da_aaaaaa/status", headers=AUTH).get_json()
    assert status["name"] == "idle"


def test_the_simulators_own_pages_may_change_it_saying_so(make_client: Make) -> None:
    c = make_client(WORLD)
    page = {"Origin": "http://localhost", "Sec-Fetch-Site": "same-origin"}
    plain = c.post("/_sim/datasets/a/actions/publish", headers=page)
    assert plain.status_code == 403, "a form could send this: the page must say it is the page"
    marked = c.post("/_sim/datasets/a/actions/publish", headers={**page, "X-Sim-Control": "1"})
    assert marked.status_code == 200
    as_json = c.post("/_sim/clock/advance", json={"seconds": 5}, headers=page)
    assert as_json.status_code == 200


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8000", "10.0.0.7"])
def test_a_name_that_is_not_loopback_reaches_no_control_view(make_client: Make, host: str) -> None:
    c = make_client(WORLD)
    for method, path in [
        ("GET", "/_sim/scenario"),
        ("GET", "/_sim/snapshot"),
        ("POST", "/_sim/reset"),
    ]:
        answer = c.open(path, method=method, headers={"Host": host})
        assert answer.status_code == 403, (method, path)
        assert "--allow-host" in answer.get_json()["message"]
    # the Management API answers on any name: it has credentials of its own
    assert c.get(f"{API}/datasets", headers={**AUTH, "Host": host}).status_code == 200


@pytest.mark.parametrize(
    "host", ["localhost:8000", "127.0.0.1:41234", "[::1]:8000", "app.localhost"]
)
def test_loopback_names_reach_the_control_api(make_client: Make, host: str) -> None:
    c = make_client(WORLD)
    assert c.get("/_sim/clock", headers={"Host": host}).status_code == 200


def test_a_token_locks_the_control_api_and_the_dashboard(make_client: Make) -> None:
    c = make_client(f"control_token: {TOKEN}\n{WORLD}")
    for method, path in [
        ("GET", "/_sim/clock"),
        ("GET", "/_sim/scenario"),
        ("GET", "/_sim/dashboard"),
        ("GET", "/_sim/ui"),
        ("POST", "/_sim/reset"),
        ("PUT", "/_sim/scenario"),
    ]:
        answer = c.open(path, method=method)
        assert answer.status_code == 401, path
        assert answer.get_json()["error_key"] == "ControlTokenRequiredException"
        wrong = c.open(path, method=method, headers={"X-Sim-Token": "guess"})
        assert wrong.status_code == 401, path
    for headers, query in [
        ({"X-Sim-Token": TOKEN}, None),
        ({"Authorization": f"Bearer {TOKEN}"}, None),
        ({}, {"token": TOKEN}),
    ]:
        assert c.get("/_sim/scenario", headers=headers, query_string=query).status_code == 200
    for open_path in ["/_sim/health", "/_sim/openapi.json", "/_sim/ui/dashboard.js"]:
        assert c.get(open_path).status_code == 200, open_path
    # the Management API keeps its own credentials, token or not
    assert c.get(f"{API}/datasets", headers=AUTH).status_code == 200


def test_a_token_given_on_the_command_line_outlives_loaded_scenarios(make_client: Make) -> None:
    c = make_client(WORLD, control_token=TOKEN)
    loaded = c.put("/_sim/scenario", data="seed: 3", headers={"X-Sim-Token": TOKEN})
    assert loaded.status_code == 200
    assert c.get("/_sim/clock").status_code == 401


@pytest.mark.parametrize(
    ("header", "name"),
    [("LocalHost:80", "localhost"), ("[::1]:8000", "::1"), ("::1", "::1"), ("a.b", "a.b")],
)
def test_host_names_are_read_without_port_or_case(header: str, name: str) -> None:
    assert host_name(header) == name
