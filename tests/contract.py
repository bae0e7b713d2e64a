"""Check answers against the simulator's OpenAPI documents.

:class:`Recorder` wraps an app's WSGI callable and keeps every exchange;
:meth:`Contract.problems` says, for each, what the documents do not allow: an
undocumented path, method or status code, a media type not listed, or a JSON body
that breaks the documented schema. The test fixtures wrap every app they build, so
each test checks the answers it received.
"""

from __future__ import annotations

import functools
import json
import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import jsonschema_rs

from simulator.api.automation.openapi import automation_document
from simulator.api.control.openapi import control_document
from simulator.api.management.openapi import management_document

AUTOMATION = "/api/automation/v1.0"


@dataclass(frozen=True)
class Exchange:
    method: str
    path: str
    status: int
    media: str
    headers: dict[str, str]
    body: bytes


class Recorder:
    """WSGI middleware that records every answer (the body is read whole)."""

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app
        self.exchanges: list[Exchange] = []
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        seen: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], *exc: Any) -> Any:
            seen["status"], seen["headers"] = status, headers
            return start_response(status, headers, *exc)

        method, path = environ.get("REQUEST_METHOD", ""), environ.get("PATH_INFO", "")
        result = self.app(environ, capture)
        try:
            body = b"".join(result)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
        headers = {k.lower(): v for k, v in seen["headers"]}
        media = headers.get("content-type", "").split(";")[0].strip()
        exchange = Exchange(method, path, int(seen["status"][:3]), media, headers, body)
        with self._lock:
            self.exchanges.append(exchange)
        return [body]


@dataclass(frozen=True)
class Route:
    method: str
    pattern: re.Pattern[str]
    template: str
    document: str
    pointer: str
    operation: dict[str, Any]


class Contract:
    """The two documents, their operations by path pattern, and compiled validators."""

    def __init__(self) -> None:
        self.documents = {
            "management": management_document(),
            "automation": automation_document(),
            "control": control_document(),
        }
        self.routes: list[Route] = []
        for name, doc in self.documents.items():
            prefix = doc["servers"][0]["url"].rstrip("/")
            for template, item in doc["paths"].items():
                path = (prefix + template).rstrip("/") or "/"  # served with and without it
                regex = re.sub(r"\\{(\w+)\\}", r"[^/]+", re.escape(path))
                for method, op in item.items():
                    if method == "parameters":
                        continue
                    pointer = "/paths/" + _escape(template) + "/" + method
                    self.routes.append(
                        Route(method.upper(), re.compile(regex + "$"), template, name, pointer, op)
                    )

    def problems(self, exchanges: Iterable[Exchange]) -> list[str]:
        found: list[str] = []
        for exchange in exchanges:
            problem = self.problem(exchange)
            if problem is not None:
                found.append(f"{exchange.method} {exchange.path} -> {exchange.status}: {problem}")
        return found

    def problem(self, ex: Exchange) -> str | None:
        """What is wrong with one exchange, or ``None``."""
        if ex.method in ("HEAD", "OPTIONS") or "x-sim-fault" in ex.headers:
            return None  # answered by the HTTP layer itself, or scripted by the scenario
        path = ex.path
        if path.startswith(AUTOMATION + "//"):  # a doubled slash after the version: served
            path = AUTOMATION + "/" + path[len(AUTOMATION) :].lstrip("/")
        path = path.rstrip("/") or "/"
        on_path = [r for r in self.routes if r.pattern.match(path)]
        route = next((r for r in on_path if r.method == ex.method), None)
        if route is None:
            expected = 405 if on_path else 404
            if ex.status != expected:
                return f"no such operation, so expected {expected}"
            surface = "automation" if path.startswith(AUTOMATION + "/") else "management"
            return self._json(ex, surface, "/components/schemas/Error")
        responses = route.operation["responses"]
        key = str(ex.status)
        if key not in responses:
            return f"status not documented for {route.operation['operationId']}"
        response = responses[key]
        pointer = f"{route.pointer}/responses/{key}"
        if "$ref" in response:
            pointer = response["$ref"].removeprefix("#")
            response = self._resolve(route.document, pointer)
        content = response.get("content")
        if not content:
            return f"expected no body, got {len(ex.body)} bytes" if ex.body else None
        media = _media(ex.media, content)
        if media is None:
            return f"media type {ex.media!r} not documented (allowed: {', '.join(content)})"
        if media != "application/json":
            return None
        return self._json(ex, route.document, f"{pointer}/content/{_escape(media)}/schema")

    def _resolve(self, document: str, pointer: str) -> dict[str, Any]:
        node: Any = self.documents[document]
        for part in pointer.strip("/").split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        return node  # type: ignore[no-any-return]

    def _json(self, ex: Exchange, document: str, pointer: str) -> str | None:
        if ex.media != "application/json":
            return f"expected JSON, got {ex.media!r}"
        try:
            data = json.loads(ex.body)
        except ValueError as exc:
            return f"body is not JSON: {exc}"
        first = next(self._validator(document, pointer).iter_errors(data), None)
        if first is None:
            return None
        where = "/".join(str(p) for p in first.instance_path) or "(root)"
        return f"breaks {pointer} at {where}: {first.message[:300]}"

    @functools.cache  # noqa: B019 - one contract per session
    def _validator(self, document: str, pointer: str) -> Any:
        """A validator of the schema at ``pointer``, its references resolved in the document.

        The document itself is the root schema (its other keys are no keywords of
        JSON Schema), so ``#/components/...`` references resolve as they are.
        """
        root = {**self.documents[document], "$ref": "#" + quote(pointer, safe="/~")}
        return jsonschema_rs.Draft202012Validator(root, validate_formats=True)


def _escape(part: str) -> str:
    return part.replace("~", "~0").replace("/", "~1")


def _media(actual: str, content: dict[str, Any]) -> str | None:
    """The documented media type the answer's matches, if any."""
    if actual in content:
        return actual
    if "*/*" in content:
        return "*/*"
    return None


@functools.cache
def contract() -> Contract:
    return Contract()
