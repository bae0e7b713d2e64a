"""The request log: every request the simulator answered, newest kept, credentials masked.

Not to be confused with the service's journal (:mod:`simulator.service.journal`),
which writes down the world's changes for snapshots. The request log is what a
test or a person looks at to learn what a client sent: method, path, query, a
bounded excerpt of the body, the answer's status, and when (virtual and wall time).
Recording reads the clock and changes nothing in the world.

Bounded: a ring of the newest entries (``retention.requests``), each body cut at
:data:`BODY_EXCERPT` bytes with ``truncated`` saying so. Credentials are never
kept: the ``Authorization`` header leaves only its scheme, ``apikey=`` in the
query string and password-like keys of a JSON body become ``***``.
"""

from __future__ import annotations

import fnmatch
import json
import re
import threading
from collections import deque
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import Any, NamedTuple
from urllib.parse import parse_qsl

#: Bytes of a request body kept with its entry.
BODY_EXCERPT = 8 * 1024
#: Characters of a path, and of a query string, kept with an entry (through
#: interception nothing else bounds them).
PATH_EXCERPT = 2 * 1024
QUERY_EXCERPT = 8 * 1024
#: What stands in for a credential.
MASK = "***"
#: Where a request went: the platform's two APIs, the control API, anything else.
SURFACES = ("management", "automation", "control", "other")
#: The surfaces views show unless asked: the platform's two APIs.
PLATFORM_SURFACES = frozenset({"management", "automation"})

_PREFIXES = (
    ("/api/management/", "management"),
    ("/api/automation/", "automation"),
    ("/_sim/", "control"),
)
_SECRET_QUERY = re.compile(r"(?i)(^|&)(apikey|api_key|token)=[^&]*")
#: JSON keys whose values are never kept (any case): what a body may carry as a secret.
_SECRET_KEYS = frozenset({"password", "apikey", "api_key", "token", "secret"})
_SECRET_HINT = re.compile(rb"(?i)password|api_?key|token|secret")
_SECRET_FORM = re.compile(rb"(?i)\b(password|api_?key|token|secret)=[^&\s]*")
_STATUS = re.compile(r"^[1-5]([0-9]{2}|xx)$")


def surface_of(path: str) -> str:
    for prefix, surface in _PREFIXES:
        if path.startswith(prefix):
            return surface
    return "other"


def mask_query(query: str) -> str:
    """The query string with credentials (``apikey=``, ``token=``) replaced by ``***``."""
    if "=" not in query:
        return query
    return _SECRET_QUERY.sub(lambda m: f"{m.group(1)}{m.group(2)}={MASK}", query)


def scheme_of(authorization: str | None) -> str | None:
    """What is kept of an ``Authorization`` header: its scheme alone (``Apikey``, ``Basic``)."""
    if not authorization:
        return None
    return authorization.strip().split(" ", 1)[0][:20] or None


def mask_body(body: bytes) -> bytes:
    """A JSON body with the values of password-like keys replaced by ``***``.

    Only a body that names such a key is parsed; any other is kept as it came.
    """
    if not body or not _SECRET_HINT.search(body):
        return body
    try:
        data = json.loads(body)
    except ValueError:  # not JSON, or cut short: form fields, at least, are masked
        return _SECRET_FORM.sub(lambda m: m.group(1) + b"=" + MASK.encode(), body)
    return json.dumps(_masked(data), separators=(",", ":")).encode()


def _masked(data: Any, depth: int = 0) -> Any:
    if depth > 32:
        return MASK
    if isinstance(data, dict):
        return {
            k: MASK if k.lower() in _SECRET_KEYS else _masked(v, depth + 1) for k, v in data.items()
        }
    if isinstance(data, list):
        return [_masked(v, depth + 1) for v in data]
    return data


@lru_cache(maxsize=64)
def glob(pattern: str) -> re.Pattern[str]:
    """A path glob, compiled (``*`` spans slashes); the newest few are kept compiled."""
    return re.compile(fnmatch.translate(pattern))


@lru_cache(maxsize=512)
def route_template(rule: str) -> str:
    """A Flask rule as an OpenAPI path: ``/d/<dataset_uid>`` becomes ``/d/{dataset_uid}``."""
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)


class LoggedRequest(NamedTuple):
    """One request and its answer, as the log keeps it (a tuple: made in a microsecond)."""

    #: 1 for the first request after a reset, then one more for each.
    seq: int
    method: str
    #: The path served (a trailing slash removed), without the query string.
    path: str
    #: The API's path template it matched (``/api/.../datasets/{dataset_uid}``), or None.
    route: str | None
    #: The query string, credentials masked.
    query: str
    #: The first :data:`BODY_EXCERPT` bytes of the body, password-like values masked.
    body: bytes
    #: The body's whole length in bytes, and whether ``body`` is only its beginning.
    size: int
    truncated: bool
    content_type: str | None
    #: The scheme of the credentials sent in ``Authorization`` (``Apikey``, ``Basic``).
    auth: str | None
    status: int
    surface: str
    #: Virtual seconds when the answer was given.
    time: float
    #: Wall-clock time the request arrived (seconds since the epoch), and how long it took.
    wall: float
    duration_ms: float

    @property
    def params(self) -> dict[str, str]:
        """The query string as a mapping (the last value of a repeated name)."""
        return dict(parse_qsl(self.query, keep_blank_values=True))

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    @property
    def json(self) -> Any:
        """The body read as JSON; ``None`` if it is empty, cut short or not JSON."""
        if not self.body or self.truncated:
            return None
        try:
            return json.loads(self.body)
        except ValueError:
            return None

    def matches(
        self,
        method: str | None = None,
        path: str | None = None,
        status: str | int | None = None,
        surfaces: Iterable[str] | None = None,
    ) -> bool:
        """Whether this request fits: ``path`` is a glob on the path (``*`` spans
        slashes) or the route template itself, ``status`` a code or a class (``4xx``)."""
        if method is not None and method != "*" and self.method != method.upper():
            return False
        if path is not None and path != self.route and not glob(path).match(self.path):
            return False
        if status is not None and not _status_fits(self.status, str(status)):
            return False
        return surfaces is None or self.surface in surfaces

    def line(self) -> str:
        """One line for people: ``#3 PUT /api/.../publish -> 200``."""
        query = f"?{self.query}" if self.query else ""
        return f"#{self.seq} {self.method} {self.path}{query} -> {self.status}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "time": self.time,
            "wall": self.wall,
            "duration_ms": round(self.duration_ms, 3),
            "surface": self.surface,
            "method": self.method,
            "path": self.path,
            "route": self.route,
            "query": self.query,
            "auth": self.auth,
            "content_type": self.content_type,
            "body": self.text,
            "size": self.size,
            "truncated": self.truncated,
            "status": self.status,
        }


def _status_fits(actual: int, wanted: str) -> bool:
    if wanted.endswith("xx"):
        return str(actual)[0] == wanted[0]
    return str(actual) == wanted


def check_status(value: str) -> bool:
    """Whether a status filter is one: a code (``404``) or a class (``4xx``)."""
    return bool(_STATUS.match(value))


class RequestLog:
    """The newest requests, numbered from 1 after each reset.

    Thread-safe on its own lock (not the simulator's: recording waits for no
    operation). ``clear`` empties it and keeps numbering; ``restart`` (a reset)
    empties it and numbers from 1 again, so the same run numbers the same way.
    """

    def __init__(self, limit: int = 1_000) -> None:
        self._entries: deque[LoggedRequest] = deque(maxlen=limit)
        self._lock = threading.Lock()
        self._next = 1
        #: Whether requests are recorded (a benchmark turns it off to compare).
        self.enabled = True

    @property
    def limit(self) -> int:
        return self._entries.maxlen or 0

    def restart(self, limit: int | None = None) -> None:
        with self._lock:
            self._entries = deque(maxlen=limit or self.limit)
            self._next = 1

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def record(self, **fields: Any) -> LoggedRequest:
        """Number a request and keep it (the oldest goes once the ring is full)."""
        with self._lock:
            entry = LoggedRequest(seq=self._next, **fields)
            self._next += 1
            self._entries.append(entry)
        return entry

    def entries(
        self,
        method: str | None = None,
        path: str | None = None,
        status: str | int | None = None,
        surfaces: Iterable[str] | None = None,
        since: int = 0,
        limit: int | None = None,
    ) -> list[LoggedRequest]:
        """The kept requests that fit, oldest first: after ``since`` (a ``seq``), the
        newest ``limit`` of them."""
        with self._lock:
            kept = list(self._entries)
        wanted = None if surfaces is None else frozenset(surfaces)
        found = [e for e in kept if e.seq > since and e.matches(method, path, status, wanted)]
        return found if limit is None else found[max(0, len(found) - limit) :]

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[LoggedRequest]:
        with self._lock:
            return iter(list(self._entries))
