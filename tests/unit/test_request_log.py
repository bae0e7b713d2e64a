"""The request log's rules: bound, numbering, masking, matching, the rejoined body."""

from __future__ import annotations

import io
from typing import Any

import pytest

from simulator.api.recording import _Rejoined
from simulator.domain.request_log import (
    LoggedRequest,
    RequestLog,
    mask_body,
    mask_query,
    route_template,
    scheme_of,
    surface_of,
)


def entry(
    log: RequestLog, method: str = "GET", path: str = "/api/x", **fields: Any
) -> LoggedRequest:
    values: dict[str, Any] = {
        "method": method,
        "path": path,
        "route": None,
        "query": "",
        "body": b"",
        "size": 0,
        "truncated": False,
        "content_type": None,
        "auth": None,
        "status": 200,
        "surface": surface_of(path),
        "time": 0.0,
        "wall": 0.0,
        "duration_ms": 0.0,
    }
    return log.record(**{**values, **fields})


def test_the_ring_keeps_the_newest_and_numbering_restarts_only_with_a_reset() -> None:
    log = RequestLog(limit=3)
    for i in range(5):
        entry(log, path=f"/api/{i}")
    assert [e.seq for e in log] == [3, 4, 5]
    log.clear()
    assert entry(log).seq == 6
    log.restart(limit=2)
    assert len(log) == 0 and log.limit == 2
    assert entry(log).seq == 1


def test_entries_filter_by_method_path_status_surface_since_and_limit() -> None:
    log = RequestLog()
    entry(
        log,
        "GET",
        "/api/management/v2/datasets/da_1/status",
        route="/api/management/v2/datasets/{dataset_uid}/status",
    )
    entry(log, "PUT", "/api/management/v2/datasets/da_1/publish", status=429)
    entry(log, "POST", "/_sim/reset")
    entry(log, "get", "/api/automation/v1.0/datasets", status=404)

    def seqs(**kw: Any) -> list[int]:
        return [e.seq for e in log.entries(**kw)]

    assert seqs() == [1, 2, 3, 4]
    assert seqs(method="get") == [1]  # methods are kept as sent, compared upper-cased
    assert seqs(path="*/publish") == [2]
    assert seqs(path="/api/management/v2/datasets/{dataset_uid}/status") == [1]
    assert seqs(status="4xx") == [2, 4]
    assert seqs(status=429) == [2]
    assert seqs(surfaces={"control"}) == [3]
    assert seqs(since=2) == [3, 4]
    assert seqs(limit=2) == [3, 4]


def test_credentials_are_masked() -> None:
    assert mask_query("apikey=abc&rows=10") == "apikey=***&rows=10"
    assert mask_query("rows=10&APIKEY=abc&token=t") == "rows=10&APIKEY=***&token=***"
    assert mask_query("where=x") == "where=x"
    assert scheme_of("Apikey 123456") == "Apikey"
    assert scheme_of("Basic YWRtaW46YWRtaW4=") == "Basic"
    assert scheme_of(None) is None and scheme_of("") is None
    assert mask_body(b'{"username":"a","password":"p"}') == b'{"username":"a","password":"***"}'
    assert mask_body(b'[{"nested":{"API_KEY":"k"}}]') == b'[{"nested":{"API_KEY":"***"}}]'
    assert mask_body(b"username=a&password=p") == b"username=a&password=***"
    assert mask_body(b'{"dataset_id":"trees"}') == b'{"dataset_id":"trees"}'


def test_routes_read_as_the_documents_write_them() -> None:
    assert route_template("/d/<dataset_uid>/r/<path:name>") == "/d/{dataset_uid}/r/{name}"
    assert surface_of("/_sim/reset") == "control"
    assert surface_of("/api/automation/v1.0/datasets") == "automation"
    assert surface_of("/") == "other"


def test_an_entry_reads_its_body_and_query() -> None:
    log = RequestLog()
    e = entry(log, query="a=1&b=2", body=b'{"x": 1}', size=8)
    assert (e.params, e.json, e.text) == ({"a": "1", "b": "2"}, {"x": 1}, '{"x": 1}')
    cut = entry(log, body=b'{"x": 1', size=100, truncated=True)
    assert cut.json is None
    assert cut.line() == "#2 GET /api/x -> 200"


@pytest.mark.parametrize(
    ("reads", "expected"),
    [([-1], 26), ([3, 100], 26), ([1, 1, 1, 1, 1, 100], 26), ([0, 5, 20], 25), ([14], 14)],
)
def test_a_rejoined_body_reads_as_the_whole(reads: list[int], expected: int) -> None:
    whole = b"line one\nline two\nthe rest"
    stream = _Rejoined(whole[:12], io.BytesIO(whole[12:]))
    got = b"".join(stream.read(n) for n in reads)
    assert got == whole[:expected]


def test_a_rejoined_body_reads_by_line() -> None:
    whole = b"line one\nline two\nthe rest"
    assert list(_Rejoined(whole[:12], io.BytesIO(whole[12:]))) == whole.splitlines(keepends=True)
    stream = _Rejoined(whole[:4], io.BytesIO(whole[4:]))
    assert stream.readline() == b"line one\n"
    assert stream.readline(4) == b"line"
