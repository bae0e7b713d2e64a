"""Recording each request in the request log, at the WSGI edge of the app.

The edge (:mod:`.app`) calls :func:`answer_recorded` for every request, so the log
sees every answer: the APIs', the control API's, errors and injected faults, over
a server or through interception. The body is read up to the log's excerpt first
and put back in front of the rest, so the app reads it whole as before.

Reads of the control API (``GET``, ``HEAD``) are not recorded: observers such as
the dashboard poll them twice a second and would push a client's requests out of
the ring. Its calls that change something are, as the surface ``control``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from flask import Flask, Request
from werkzeug.routing import Rule

from ..domain.request_log import (
    BODY_EXCERPT,
    PATH_EXCERPT,
    QUERY_EXCERPT,
    RequestLog,
    mask_body,
    mask_query,
    route_template,
    scheme_of,
    surface_of,
)

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

_READS = frozenset({"GET", "HEAD", "OPTIONS"})
#: Where a request keeps the route it matched, for the edge to read once it is answered.
ROUTE = "simulator.route"


class RecordedRequest(Request):
    """Flask's request, which keeps the route it matched in its environ as Flask sets it
    (Flask forgets the request at its end; the edge reads the route after that)."""

    @property
    def url_rule(self) -> Rule | None:
        return self.__dict__.get("_url_rule")

    @url_rule.setter
    def url_rule(self, rule: Rule | None) -> None:
        self.__dict__["_url_rule"] = rule
        if rule is not None:
            self.environ[ROUTE] = rule.rule


def register(app: Flask) -> None:
    """Have the app's requests keep their route for the log."""
    app.request_class = RecordedRequest


class _Rejoined:
    """A WSGI input whose first bytes were read already: those, then the rest."""

    def __init__(self, head: bytes, rest: Any) -> None:
        self._head = head
        self._rest = rest

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:
            head, self._head = self._head, b""
            return head + self._rest.read()
        if self._head:
            head, self._head = self._head[:size], self._head[size:]
            return head + self._rest.read(size - len(head)) if len(head) < size else head
        return self._rest.read(size)

    def readline(self, size: int | None = -1) -> bytes:
        if self._head:
            end = self._head.find(b"\n") + 1 or len(self._head)
            if size is not None and size >= 0:
                end = min(end, size)
            line, self._head = self._head[:end], self._head[end:]
            if line.endswith(b"\n") or (size is not None and 0 <= size <= len(line)):
                return line
            more = -1 if size is None or size < 0 else size - len(line)
            return line + self._rest.readline(more)
        return self._rest.readline(size)

    def readlines(self, hint: int = -1) -> list[bytes]:
        return list(iter(self.readline, b""))

    def __iter__(self) -> Any:
        return iter(self.readline, b"")


def _excerpt(environ: WSGIEnvironment) -> tuple[bytes, int]:
    """The body's first bytes (the app still reads it whole) and its announced length."""
    try:
        size = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return b"", 0
    if size <= 0:
        return b"", 0
    stream = environ["wsgi.input"]
    head = stream.read(min(size, BODY_EXCERPT))
    environ["wsgi.input"] = _Rejoined(head, stream)
    return head, size


def answer_recorded(
    app: WSGIApplication,
    environ: WSGIEnvironment,
    start_response: StartResponse,
    log: RequestLog,
    now: Callable[[], float],
) -> Iterable[bytes]:
    """Answer a request through ``app`` and record it in ``log`` (``now``: virtual time)."""
    method = environ.get("REQUEST_METHOD", "GET")
    path = environ.get("PATH_INFO", "")
    surface = surface_of(path)
    if not log.enabled or (surface == "control" and method in _READS):
        return app(environ, start_response)
    wall, started = time.time(), time.perf_counter()
    body, size = _excerpt(environ)
    statuses: list[str] = []

    def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        statuses.append(status)
        return start_response(status, headers, exc_info)

    try:
        return app(environ, start)
    finally:
        rule = environ.get(ROUTE)
        log.record(
            method=method,
            path=path[:PATH_EXCERPT],
            route=None if rule is None else route_template(rule),
            query=mask_query(environ.get("QUERY_STRING", "")[:QUERY_EXCERPT]),
            body=mask_body(body),
            size=size,
            truncated=size > len(body),  # the excerpt as read, before any masking
            content_type=environ.get("CONTENT_TYPE") or None,
            auth=scheme_of(environ.get("HTTP_AUTHORIZATION")),
            status=int(statuses[-1].split(" ", 1)[0]) if statuses else 500,
            surface=surface,
            time=now(),
            wall=wall,
            duration_ms=(time.perf_counter() - started) * 1000,
        )
