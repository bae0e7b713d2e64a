"""HTTPS: a local test CA or the user's own certificate, and the server's bounds under TLS."""

from __future__ import annotations

import contextlib
import json
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import trustme

from simulator.api import create_app
from simulator.api.certificates import (
    CertificateError,
    ServerCertificate,
    certificate_names,
    local_certificate,
    own_certificate,
)
from simulator.api.server import LiveServer
from simulator.scenario.loading import DEFAULT_API_KEY
from tests.conftest import check_contract, recorded, scenario_from
from tests.contract import Recorder
from tests.spawn import Spawned

pytestmark = pytest.mark.e2e

V1 = "/api/automation/v1.0"
KEY = {"Authorization": f"apikey {DEFAULT_API_KEY}"}


class Secure:
    """A simulator served over HTTPS, and a requests session that trusts its CA."""

    def __init__(self, server: LiveServer, ca_file: str) -> None:
        self.server = server
        self.url = server.url
        self.ca_file = ca_file
        self.http = requests.Session()
        self.http.headers.update(KEY)

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        # requests lets REQUESTS_CA_BUNDLE override a session's verify: given per call
        kwargs.setdefault("timeout", 10)
        return self.http.request(method, f"{self.url}{path}", verify=self.ca_file, **kwargs)


@pytest.fixture
def make_secure() -> Iterator[Callable[..., Secure]]:
    """Start HTTPS servers; every answer is checked against the OpenAPI documents."""
    started: list[tuple[Secure, ServerCertificate]] = []
    recorders: list[Recorder] = []

    def make(
        text: str = "",
        tls: ServerCertificate | None = None,
        ca_file: Path | None = None,
        **server: Any,
    ) -> Secure:
        tls = tls or local_certificate(certificate_names("127.0.0.1"))
        app = recorded(
            create_app(config={"clock_mode": "manual"}, scenario=scenario_from(text)), recorders
        )
        live = LiveServer(app, tls=tls, **server).start()
        secure = Secure(live, str(ca_file or tls.ca_file))
        started.append((secure, tls))
        return secure

    yield make
    for secure, tls in started:
        secure.http.close()
        secure.server.stop()
        tls.remove()
    check_contract(recorders)


@pytest.fixture
def secure(make_secure: Callable[..., Secure]) -> Secure:
    return make_secure("datasets: [{dataset_id: a}, {dataset_id: b}, {dataset_id: c}]")


def test_both_apis_and_the_control_api_answer_over_https(secure: Secure) -> None:
    assert secure.url.startswith("https://127.0.0.1:")
    assert secure.get("/_sim/health").json() == {"status": "ok"}
    assert secure.get("/api/management/v2/datasets/").json()["nhits"] == 3
    created = secure.request("POST", f"{V1}/datasets/", data=json.dumps({"dataset_id": "d"}))
    assert created.status_code == 201
    uid = created.json()["uid"]
    assert secure.request("POST", f"{V1}/datasets/{uid}/publish/").json() == {"detail": "ok"}
    assert secure.get(f"{V1}/datasets/{uid}/status").json()["status"] == "processing"
    assert secure.get("/_sim/ui").status_code == 200


def test_page_links_keep_the_https_scheme_and_the_callers_host(secure: Secure) -> None:
    url = secure.url.replace("127.0.0.1", "localhost")
    page = secure.http.get(f"{url}{V1}/datasets?limit=1", verify=secure.ca_file, timeout=10)
    assert page.json()["next"] == f"{url}{V1}/datasets/?limit=1&offset=1"
    follow = secure.http.get(page.json()["next"], verify=secure.ca_file, timeout=10)
    assert follow.json()["previous"] == f"{url}{V1}/datasets/?limit=1"


def test_the_certificate_names_every_loopback_name_and_is_refused_untrusted(
    secure: Secure,
) -> None:
    context = ssl.create_default_context(cafile=secure.ca_file)
    for name in ("localhost", "127.0.0.1"):
        with (
            socket.create_connection((secure.server.host, secure.server.port), timeout=5) as raw,
            context.wrap_socket(raw, server_hostname=name) as tls,
        ):
            assert tls.version() in ("TLSv1.2", "TLSv1.3")
            assert tls.selected_alpn_protocol() in (None, "http/1.1")
    with pytest.raises(requests.exceptions.SSLError):
        requests.get(f"{secure.url}/_sim/health", verify=True, timeout=10)
    assert certificate_names("0.0.0.0", ["Box.example"]) == (
        "localhost",
        "127.0.0.1",
        "::1",
        "box.example",
    )
    assert certificate_names("[::1]") == ("localhost", "127.0.0.1", "::1")
    assert certificate_names("10.0.0.7") == ("localhost", "127.0.0.1", "::1", "10.0.0.7")


def test_plain_http_on_the_https_port_gets_no_answer(secure: Secure) -> None:
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get(secure.url.replace("https://", "http://") + "/_sim/health", timeout=5)
    assert secure.get("/_sim/health").status_code == 200


def test_body_limits_hold_over_tls_in_the_surfaces_error_shape(
    make_secure: Callable[..., Secure],
) -> None:
    secure = make_secure()
    answer = secure.request("POST", f"{V1}/datasets/", data=b"x" * (11 * 2**20))
    assert answer.status_code == 413
    assert set(answer.json()) >= {"error_code", "message"}
    answer = secure.request("POST", "/api/management/v2/datasets/", data=b"x" * (11 * 2**20))
    assert answer.status_code == 413
    assert answer.json()["error_key"] == "RequestEntityTooLargeException"
    # past what the server buffers, waitress refuses on the announced length alone
    small = make_secure(max_body=2**20)
    with _tls_connection(small) as sock:
        sock.sendall(
            b"POST /api/management/v2/datasets/ HTTP/1.1\r\nHost: localhost\r\n"
            b"Content-Length: 5242880\r\n\r\n"
        )
        head, _, body = _read_all(sock).partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 413 ")
    assert json.loads(body)["error_key"] == "RequestEntityTooLargeException"
    assert secure.get("/_sim/health").status_code == 200


def _read_all(sock: ssl.SSLSocket) -> bytes:
    data = b""
    with contextlib.suppress(ConnectionResetError, ssl.SSLError):
        while chunk := sock.recv(65536):
            data += chunk
    return data


def _tls_connection(secure: Secure) -> ssl.SSLSocket:
    context = ssl.create_default_context(cafile=secure.ca_file)
    raw = socket.create_connection((secure.server.host, secure.server.port), timeout=5)
    return context.wrap_socket(raw, server_hostname="localhost")


def _health(sock: ssl.SSLSocket) -> bytes:
    sock.sendall(b"GET /_sim/health HTTP/1.1\r\nHost: localhost\r\n\r\n")
    return sock.recv(4096)


def test_the_connection_limit_holds_over_tls(make_secure: Callable[..., Secure]) -> None:
    secure = make_secure(connection_limit=2)
    first, second = _tls_connection(secure), _tls_connection(secure)
    try:
        assert b"200 OK" in _health(first)
        assert b"200 OK" in _health(second)
        raw = socket.create_connection((secure.server.host, secure.server.port), timeout=5)
        context = ssl.create_default_context(cafile=secure.ca_file)
        raw.settimeout(1.0)
        with pytest.raises((TimeoutError, socket.timeout)):  # waits to be accepted
            context.wrap_socket(raw, server_hostname="localhost")
        raw.close()
        first.close()
        third = _tls_connection(secure)  # a slot is free again
        assert b"200 OK" in _health(third)
        third.close()
    finally:
        first.close()
        second.close()


def test_a_stalled_handshake_and_an_idle_connection_are_closed(
    make_secure: Callable[..., Secure],
) -> None:
    secure = make_secure(channel_timeout=1)
    with socket.create_connection((secure.server.host, secure.server.port), timeout=10) as raw:
        started = time.perf_counter()
        assert raw.recv(1) == b""  # no ClientHello: closed after the handshake timeout
        assert 0.5 < time.perf_counter() - started < 5
    idle = _tls_connection(secure)
    idle.settimeout(30)
    started = time.perf_counter()
    with contextlib.suppress(ConnectionResetError, ssl.SSLError):
        assert idle.recv(1) == b""  # waitress closes an idle connection; so does the front
    assert time.perf_counter() - started < 20
    idle.close()
    assert secure.get("/_sim/health").status_code == 200


def test_the_users_own_certificate_and_key(
    make_secure: Callable[..., Secure], tmp_path: Path
) -> None:
    ca = trustme.CA()
    leaf = ca.issue_cert("localhost", "127.0.0.1")
    cert, key, ca_file = tmp_path / "cert.pem", tmp_path / "key.pem", tmp_path / "ca.pem"
    leaf.cert_chain_pems[0].write_to_path(str(cert))
    leaf.private_key_pem.write_to_path(str(key))
    ca.cert_pem.write_to_path(str(ca_file))
    tls = own_certificate(cert, key)
    assert tls.ca_file is None
    secure = make_secure(tls=tls, ca_file=ca_file)
    assert secure.get("/_sim/health").json() == {"status": "ok"}
    both = tmp_path / "both.pem"
    both.write_bytes(cert.read_bytes() + key.read_bytes())
    assert own_certificate(both, None).ca_file is None
    with pytest.raises(CertificateError, match="no such file"):
        own_certificate(tmp_path / "missing.pem", None)
    with pytest.raises(CertificateError, match="not a PEM certificate chain"):
        own_certificate(key, None)


def test_the_command_line_serves_https_and_prints_the_ca_file() -> None:
    server = Spawned("--port", "0", "--clock", "manual", "--tls")
    try:
        assert server.url.startswith("https://127.0.0.1:")
        ca_file = server.line("  CA file").split()[2]
        assert Path(ca_file).is_file()
        assert "--cacert" in server.banner[-1]
        answer = requests.get(
            f"{server.url}{V1}/datasets/?limit=0", headers=KEY, verify=ca_file, timeout=10
        )
        assert answer.json() == {"total_count": 4, "next": None, "previous": None, "results": []}
    finally:
        code, _ = server.stop()
    assert code == 0
    assert not Path(ca_file).exists()  # made for that run only


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--tls-cert", "missing.pem"], "error: no such file: missing.pem"),
        (["--tls-cert", "README.md"], "error: cannot serve with README.md: not a PEM"),
        (["--tls-key", "README.md"], "error: --tls-key needs --tls-cert"),
    ],
)
def test_the_command_line_refuses_a_certificate_it_cannot_use(
    flags: list[str], message: str
) -> None:
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, str(root / "run_simulator.py"), "--port", "0", *flags],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr.startswith(message)
