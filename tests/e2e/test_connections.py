"""The HTTP server under many connections, and its own refusals in the API's shape."""

from __future__ import annotations

import contextlib
import json
import select
import socket
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack

import pytest
import requests

from tests.conftest import Live

pytestmark = pytest.mark.e2e

SHAPE = {"status_code", "error_key", "message", "raw_message", "raw_params"}


def _open(live: Live, count: int, first_bytes: bytes, stack: ExitStack) -> None:
    for _ in range(count):
        sock = stack.enter_context(socket.create_connection((live.server.host, live.server.port)))
        if first_bytes:
            sock.sendall(first_bytes)


@pytest.fixture
def crowded(make_live: Callable[..., Live]) -> Iterator[Live]:
    """A live server holding 100 idle connections and 100 half-sent requests."""
    live = make_live()
    with ExitStack() as stack:
        _open(live, 100, b"", stack)
        _open(live, 100, b"GET /_sim/health HTTP/1.1\r\nHost: localhost\r\nX-Slow: ", stack)
        yield live


def test_a_new_client_is_served_at_once_beside_200_stalled_connections(crowded: Live) -> None:
    started = time.perf_counter()
    answer = requests.get(f"{crowded.url}/_sim/health", timeout=5)
    assert answer.json() == {"status": "ok"}
    assert time.perf_counter() - started < 1.0


def _raw(live: Live, request: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send a request 16 KB at a time, reading the answer as soon as it comes.

    The server may answer and close before it has read all of a request it refuses;
    what it answered is read before the rest of the request could reset the connection.
    """
    data = b""
    with socket.create_connection((live.server.host, live.server.port), timeout=10) as sock:
        for start in range(0, len(request), 16384):
            if select.select([sock], [], [], 0)[0]:
                break
            with contextlib.suppress(OSError):  # the server already closed its side
                sock.sendall(request[start : start + 16384])
        with contextlib.suppress(ConnectionResetError):
            while chunk := sock.recv(65536):
                data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:])
    return int(lines[0].split()[1]), headers, body


@pytest.mark.parametrize(
    ("request_bytes", "status"),
    [
        (
            b"POST /api/management/v2/datasets HTTP/1.1\r\nHost: x\r\n"
            b"Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n",
            400,
        ),
        (
            b"GET /_sim/health HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 300_000 + b"\r\n\r\n",
            431,
        ),
    ],
    ids=["bad-chunk", "headers-too-large"],
)
def test_the_servers_own_refusals_are_json_errors(
    make_live: Callable[..., Live], request_bytes: bytes, status: int
) -> None:
    live = make_live()
    code, headers, body = _raw(live, request_bytes)
    assert code == status
    assert headers["Content-Type"] == "application/json"
    error = json.loads(body)
    assert set(error) == SHAPE and error["status_code"] == status


def test_a_body_past_what_the_server_buffers_is_a_json_413(make_live: Callable[..., Live]) -> None:
    live = make_live()
    limit = 50 * 2**20 + 2**20  # the upload limit, and a margin: waitress refuses past it
    head = (
        f"POST /api/management/v2/files HTTP/1.1\r\nHost: x\r\nContent-Length: {limit + 10}\r\n\r\n"
    ).encode()
    code, headers, body = _raw(live, head)
    assert code == 413 and headers["Content-Type"] == "application/json"
    assert json.loads(body)["error_key"] == "RequestEntityTooLargeException"
