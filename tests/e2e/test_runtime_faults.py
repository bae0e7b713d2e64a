"""Fault rules added and removed at run time, and faults on the wire (transport)."""

from __future__ import annotations

import json
import socket
from collections.abc import Callable
from typing import Any

import httpx
import pytest
import requests

from simulator.api import create_app
from simulator.api.certificates import certificate_names, local_certificate
from simulator.api.server import LiveServer
from simulator.api.transport import TRANSPORT
from simulator.scenario.loading import load_scenario_text
from simulator.service import Simulator
from simulator.testing import intercept
from tests.conftest import Live

pytestmark = pytest.mark.e2e

LIST = "/api/management/v2/datasets"
AUTH = {"Authorization": "Apikey ods-sim-admin-key"}
SCENARIO = """
datasets:
  - dataset_id: trees
faults:
  - {type: http, path: /api/management/v2/datasets/*/status, status: 500, times: 1}
"""


def _add(live: Live, rule: dict[str, Any]) -> requests.Response:
    # as client code sends it: JSON text, no content type
    return requests.post(f"{live.url}/_sim/faults", data=json.dumps(rule), timeout=10)


def test_a_rule_added_at_run_time_fires_shows_and_goes(make_live: Callable[..., Live]) -> None:
    live = make_live(SCENARIO)
    added = _add(live, {"type": "http", "path": "/api/*", "status": 503, "nth": 2})
    assert added.status_code == 201
    view = added.json()
    assert view == {
        "id": "run-1",
        "origin": "run time",
        "added_at": 0.0,
        "rule": {"type": "http", "path": "/api/*", "status": 503, "nth": 2},
        "fired": 0,
        "calls": 0,
    }
    assert live.http.get(f"{live.api}/datasets").status_code == 200
    second = live.http.get(f"{live.api}/datasets/")
    assert second.status_code == 503 and second.headers["X-Sim-Fault"] == "http"
    rules = live.control("GET", "faults/rules")
    assert [(r["id"], r["origin"]) for r in rules] == [
        ("scenario-0", "scenario"),
        ("run-1", "run time"),
    ]
    assert rules[1]["fired"] == 1 and rules[1]["calls"] == 2
    # the log is what it was: faults that took effect
    assert [e["status"] for e in live.control("GET", "faults")] == [503]
    live.advance(5)
    removed = requests.delete(f"{live.url}/_sim/faults/run-1/", timeout=10)
    assert removed.status_code == 200 and removed.json()["fired"] == 1
    assert [r["id"] for r in live.control("GET", "faults/rules")] == ["scenario-0"]
    assert requests.get(f"{live.url}/_sim/faults/run-1", timeout=10).status_code == 404
    timeline = live.control("GET", "timeline")
    assert [e for e in timeline if "fault_id" in e] == [
        {"t": 0.0, "fault_id": "run-1", "fault_type": "http", "change": "added"},
        {"t": 5.0, "fault_id": "run-1", "fault_type": "http", "change": "removed"},
    ]
    csv = requests.get(f"{live.url}/_sim/timeline?format=csv", timeout=10).text
    assert csv.splitlines()[0].endswith(",fault_id,fault_type,change")
    table = requests.get(f"{live.url}/_sim/timeline?format=table", timeout=10).text
    assert "fault:run-1" in table and "removed http" in table
    ndjson = requests.get(f"{live.url}/_sim/timeline?format=ndjson", timeout=10).text
    assert '"fault_id":"run-1"' in ndjson
    # filtered by dataset, the timeline holds the dataset's transitions only
    assert live.control("GET", "timeline", params={"dataset": "trees"}) == []


def test_a_bad_rule_is_refused_with_the_scenarios_message_and_changes_nothing(
    make_live: Callable[..., Live],
) -> None:
    live = make_live(SCENARIO)
    cases = [
        ({"type": "http", "path": "api"}, "path: 'api' is not valid"),
        ({"type": "http", "path": "/x", "transport": "delay"}, "wall_delay: transport: delay"),
        ({"type": "processing_error", "dataset": "oaks"}, "dataset: no dataset 'oaks'"),
        ({"type": "nonsense"}, "type"),
        ({"type": "http", "path": "/x", "status": 500, "until": 0}, "until"),
    ]
    for rule, message in cases:
        refused = _add(live, rule)
        assert refused.status_code == 400, rule
        assert refused.json()["error_key"] == "InvalidScenarioException"
        assert message in refused.json()["message"], refused.json()["message"]
    for body in ("[1]", "not json", ""):
        response = requests.post(f"{live.url}/_sim/faults", data=body, timeout=10)
        assert response.status_code == 400
    assert [r["id"] for r in live.control("GET", "faults/rules")] == ["scenario-0"]
    assert live.control("GET", "timeline") == []
    assert requests.delete(f"{live.url}/_sim/faults/run-9", timeout=10).status_code == 404


def test_delete_all_removes_the_run_time_rules_only(make_live: Callable[..., Live]) -> None:
    live = make_live(SCENARIO)
    _add(live, {"type": "http", "path": "/a", "status": 500})
    _add(live, {"type": "slow_stage", "factor": 2})
    removed = requests.delete(f"{live.url}/_sim/faults", timeout=10).json()
    assert [r["id"] for r in removed] == ["run-1", "run-2"]
    assert [r["id"] for r in live.control("GET", "faults/rules")] == ["scenario-0"]
    # a scenario's rule can go by its id; a reset brings it back
    assert requests.delete(f"{live.url}/_sim/faults/scenario-0", timeout=10).status_code == 200
    assert live.control("GET", "faults/rules") == []
    live.control("POST", "reset")
    assert [r["id"] for r in live.control("GET", "faults/rules")] == ["scenario-0"]


def test_retry_after_answers_429_with_the_header(make_live: Callable[..., Live]) -> None:
    live = make_live("")
    _add(live, {"type": "http", "path": LIST, "retry_after": 10, "times": 1})
    limited = live.http.get(f"{live.api}/datasets")
    assert limited.status_code == 429 and limited.headers["Retry-After"] == "10"
    assert live.http.get(f"{live.api}/datasets").status_code == 200
    # the long form, a 503 window with its header, from a scenario
    windowed = make_live(
        "faults:\n  - {type: http, path: /api/*, status: 503, from: 10, until: 20,"
        " headers: {Retry-After: '5'}}\n"
    )
    assert windowed.http.get(f"{windowed.api}/datasets").status_code == 200
    windowed.advance(10)
    down = windowed.http.get(f"{windowed.api}/datasets")
    assert down.status_code == 503 and down.headers["Retry-After"] == "5"
    windowed.advance(10)
    assert windowed.http.get(f"{windowed.api}/datasets").status_code == 200


# transport faults on a real socket -------------------------------------------------------


def test_a_reset_resets_the_connection_and_processes_nothing(
    make_live: Callable[..., Live],
) -> None:
    live = make_live("")
    _add(live, {"type": "http", "path": LIST, "method": "POST", "transport": "reset"})
    with pytest.raises(requests.exceptions.ConnectionError) as caught:
        requests.post(f"{live.api}/datasets", data='{"dataset_id": "a"}', headers=AUTH, timeout=5)
    assert "reset" in str(caught.value).lower()
    assert live.http.get(f"{live.api}/datasets").json()["nhits"] == 0
    assert live.control("GET", "faults")[0]["transport"] == "reset"
    # before the credentials are looked at, as any HTTP fault; after, they are as usual
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.post(f"{live.api}/datasets", data="{}", timeout=5)
    _add(live, {"type": "http", "path": LIST, "transport": "garble", "times": 1})
    refused = requests.get(f"{live.api}/datasets", timeout=5)
    assert refused.status_code == 401 and refused.headers["X-Sim-Fault"] == "garble"


def test_a_truncated_answer_stops_short_of_its_content_length(
    make_live: Callable[..., Live],
) -> None:
    live = make_live("datasets:\n  - dataset_id: trees\n")
    _add(live, {"type": "http", "path": LIST, "transport": "truncate", "times": 2})
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        requests.get(f"{live.api}/datasets", headers=AUTH, timeout=5)
    # on the wire: fewer bytes than promised, then the connection closes
    with socket.create_connection((live.server.host, live.server.port), timeout=5) as sock:
        sock.sendall(
            b"GET /api/management/v2/datasets HTTP/1.1\r\nHost: x\r\n"
            b"Authorization: Apikey ods-sim-admin-key\r\n\r\n"
        )
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    promised = int(
        next(line for line in head.split(b"\r\n") if line.startswith(b"Content-Length")).split(
            b":"
        )[1]
    )
    assert 0 < len(body) < promised


def test_a_garbled_answer_has_the_promised_length_and_is_not_json(
    make_live: Callable[..., Live],
) -> None:
    live = make_live("")
    _add(live, {"type": "http", "path": LIST, "transport": "garble", "times": 1})
    answer = requests.get(f"{live.api}/datasets", headers=AUTH, timeout=5)
    assert answer.status_code == 200 and answer.headers["X-Sim-Fault"] == "garble"
    assert len(answer.content) == int(answer.headers["Content-Length"])
    with pytest.raises(requests.exceptions.JSONDecodeError):
        answer.json()


def test_a_delay_makes_the_clients_own_timeout_fire(make_live: Callable[..., Live]) -> None:
    live = make_live("")
    rule = {"type": "http", "path": LIST, "transport": "delay", "wall_delay": 0.05}
    _add(live, {**rule, "times": 1})
    with pytest.raises(requests.exceptions.ReadTimeout):
        requests.get(f"{live.api}/datasets", headers=AUTH, timeout=0.01)
    _add(live, {**rule, "times": 1})
    assert requests.get(f"{live.api}/datasets", headers=AUTH, timeout=5).status_code == 200
    assert live.control("GET", "clock")["now"] == 0  # a wall delay moves no virtual time


def test_a_stall_holds_the_connection_then_resets_it_unanswered(
    make_live: Callable[..., Live],
) -> None:
    live = make_live("")
    rule = {"type": "http", "path": LIST, "method": "POST", "transport": "stall"}
    _add(live, {**rule, "wall_delay": 0.05, "times": 1})
    with pytest.raises(requests.exceptions.ReadTimeout):
        requests.post(f"{live.api}/datasets", data="{}", headers=AUTH, timeout=0.01)
    _add(live, {**rule, "wall_delay": 0.02, "times": 1})
    with pytest.raises(requests.exceptions.ConnectionError):  # no timeout: held, then reset
        requests.post(f"{live.api}/datasets", data="{}", headers=AUTH)
    assert live.http.get(f"{live.api}/datasets").json()["nhits"] == 0  # neither processed
    refused = _add(live, {**rule, "status": 503, "wall_delay": 1})
    assert refused.status_code == 400
    assert "a stall answers nothing" in refused.json()["message"]


def test_transport_faults_from_a_scenario_file(make_live: Callable[..., Live]) -> None:
    live = make_live(
        "faults:\n  - {type: http, path: /api/*, transport: reset, nth: 1}\n"
        "  - {type: http, path: /api/*, transport: garble, nth: 1}\n"
    )
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get(f"{live.api}/datasets", headers=AUTH, timeout=5)
    with pytest.raises(requests.exceptions.JSONDecodeError):
        requests.get(f"{live.api}/datasets", headers=AUTH, timeout=5).json()
    assert requests.get(f"{live.api}/datasets", headers=AUTH, timeout=5).json()["nhits"] == 0


# under interception -----------------------------------------------------------------------

PLATFORM = "https://example.opendatasoft.com/api/management/v2/datasets"


def _rule(transport: str, **more: Any) -> dict[str, Any]:
    return {"type": "http", "path": "/api/*", "transport": transport, **more}


def test_interception_raises_what_requests_would() -> None:
    with intercept() as ods:
        ods.inject(_rule("reset", times=1))  # a plain call: in force until it has fired
        with pytest.raises(requests.exceptions.ConnectionError):
            requests.get(PLATFORM, headers=AUTH)
        with ods.inject(_rule("truncate")), pytest.raises(requests.exceptions.ChunkedEncodingError):
            requests.get(PLATFORM, headers=AUTH)
        with ods.inject(_rule("garble")), pytest.raises(requests.exceptions.JSONDecodeError):
            requests.get(PLATFORM, headers=AUTH).json()
        with ods.inject(_rule("delay", wall_delay=30)) as slow:
            with pytest.raises(requests.exceptions.ReadTimeout):
                requests.get(PLATFORM, headers=AUTH, timeout=(1, 2))
            # no timeout, or a longer one: the answer, at once
            assert requests.get(PLATFORM, headers=AUTH).status_code == 200
            assert requests.get(PLATFORM, headers=AUTH, timeout=60).status_code == 200
            assert slow.fired == 3
        assert not slow.in_force and slow.fired == 3
        assert requests.get(PLATFORM, headers=AUTH).json()["nhits"] == 0


def test_under_interception_a_stall_times_out_or_fails_a_client_without_timeout() -> None:
    from simulator.testing.transport_errors import StalledForever

    with intercept() as ods, ods.inject(_rule("stall", wall_delay=5)):
        with pytest.raises(requests.exceptions.ReadTimeout):
            requests.get(PLATFORM, headers=AUTH, timeout=60)  # at once, whatever the timeout
        with pytest.raises(StalledForever, match="set no read timeout: it would wait for ever"):
            requests.get(PLATFORM, headers=AUTH)
        with httpx.Client(headers=AUTH) as client, pytest.raises(httpx.ReadTimeout):
            client.get(PLATFORM)
        with httpx.Client(headers=AUTH, timeout=None) as client, pytest.raises(StalledForever):
            client.get(PLATFORM)


def test_interception_raises_what_httpx_would() -> None:
    with intercept() as ods, httpx.Client(headers=AUTH) as client:
        with ods.inject(_rule("reset")), pytest.raises(httpx.ReadError):
            client.get(PLATFORM)
        with ods.inject(_rule("truncate")), pytest.raises(httpx.RemoteProtocolError):
            client.get(PLATFORM)
        with ods.inject(_rule("delay", wall_delay=9)):
            with pytest.raises(httpx.ReadTimeout):
                client.get(PLATFORM)  # httpx's own default: five seconds
            assert client.get(PLATFORM, timeout=10).status_code == 200
        assert client.get(PLATFORM).status_code == 200


# the service, as the next layer up uses it ---------------------------------------------------


def test_run_time_rules_replay_from_a_snapshot() -> None:
    scenario = load_scenario_text("datasets:\n  - dataset_id: trees\nfaults: []\n")
    sim = Simulator(scenario)
    sim.fault_rules.add_fault({"type": "processing_error", "dataset": "trees", "times": 1})
    sim.fault_rules.add_fault({"type": "http", "path": "/api/*", "status": 500, "nth": 3})
    sim.control.advance(3)
    sim.fault_rules.remove_fault("run-2")
    copy = Simulator(scenario)
    copy.snapshots.restore(json.loads(sim.snapshots.take()))
    assert copy.fault_rules.rules() == sim.fault_rules.rules()
    assert copy.control.timeline_text("ndjson") == sim.control.timeline_text("ndjson")


def test_a_worker_outage_added_at_run_time_starts_now_and_ends_when_removed() -> None:
    sim = Simulator(load_scenario_text("platform: {workers: 2}\n"))
    added = sim.fault_rules.add_fault({"type": "worker_outage", "workers": 2})
    assert sim.control.clock().workers == 0
    sim.control.advance(10)
    sim.fault_rules.remove_fault(added["id"])
    assert sim.control.clock().workers == 2
    assert [e["workers"] for e in sim.control.fault_log()] == [-2, 2]


def test_transport_faults_over_https() -> None:
    tls = local_certificate(certificate_names("127.0.0.1"))
    app = create_app(config={"clock_mode": "manual"}, scenario=load_scenario_text(""))
    server = LiveServer(app, tls=tls).start()
    try:
        https = requests.Session()
        https.headers.update(AUTH)
        url = f"{server.url}{LIST}"
        # requests lets REQUESTS_CA_BUNDLE override a session's verify: given per call
        trust = str(tls.ca_file)
        rules = app.extensions["simulator"].fault_rules
        rules.add_fault(_rule("reset", times=1))
        # the relay resets the client's connection too; under TLS, Python's ssl reads a
        # reset as an EOF, and requests says the remote end closed without an answer
        with pytest.raises(requests.exceptions.ConnectionError):
            https.get(url, timeout=5, verify=trust)
        rules.add_fault(_rule("truncate", times=1))
        with pytest.raises(requests.exceptions.ChunkedEncodingError):
            https.get(url, timeout=5, verify=trust)
        rules.add_fault(_rule("delay", wall_delay=0.05, times=1))
        with pytest.raises(requests.exceptions.ReadTimeout):
            https.get(url, timeout=0.01, verify=trust)
        assert https.get(url, timeout=5, verify=trust).json()["nhits"] == 0
    finally:
        server.stop()
        tls.remove()


def test_an_answer_of_unknown_length_is_truncated_too() -> None:
    """A streamed (chunked) answer never gets its last chunk."""

    def streamed(environ: dict[str, Any], start_response: Any) -> Any:
        environ[TRANSPORT] = ("truncate", 0.0)
        start_response("200 OK", [("Content-Type", "text/csv")])
        return iter([b"a,b\n" * 100, b"1,2\n" * 100])

    with LiveServer(streamed) as server:
        answer = requests.get(server.url, stream=True, timeout=5)
        assert answer.headers["Transfer-Encoding"] == "chunked"
        with pytest.raises(requests.exceptions.ChunkedEncodingError):
            answer.content  # noqa: B018  # reading it is the point


def test_without_a_socket_a_reset_is_a_502_in_the_apis_shape() -> None:
    """Run by a WSGI server that cannot reset (Flask's test client), the call still
    ends unprocessed, with an answer that says so."""
    app = create_app(config={"clock_mode": "manual"}, scenario=load_scenario_text(""))
    app.extensions["simulator"].fault_rules.add_fault(_rule("reset", times=1))
    client = app.test_client()
    answer = client.post(LIST, data='{"dataset_id": "a"}', headers=AUTH)
    assert answer.status_code == 502 and answer.headers["X-Sim-Fault"] == "reset"
    assert answer.get_json()["error_key"] == "BadGatewayException"
    assert client.get(LIST, headers=AUTH).get_json()["nhits"] == 0
