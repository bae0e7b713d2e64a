"""``ods.requests``: the requests client code made, and assertions on them.

A live view of the simulator's request log (see :mod:`simulator.domain.request_log`):
each read sees the requests answered so far, oldest first, to the platform's two
APIs unless ``surface=`` says otherwise (``control``, ``other``, ``all``). Paths are
globs (``*`` spans slashes) or the route templates of the APIs' documents::

    ods.requests.assert_called("PUT", "/api/management/v2/datasets/*/publish")
    assert ods.requests.count("GET", "*/status") == 3
    ods.requests.assert_order(["POST /api/management/v2/datasets", "PUT */publish"])
    ods.requests.assert_called_with("POST", "*/datasets", json={"dataset_id": "trees"})

Failed assertions list the requests that were received.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any, overload

from ..domain.request_log import PLATFORM_SURFACES, SURFACES, LoggedRequest, RequestLog

#: Requests listed in a failed assertion's message, at most (the newest).
SHOWN = 30

_ANY = object()


class Requests(Sequence[LoggedRequest]):
    """The requests answered since the test began (or the last :meth:`clear`)."""

    def __init__(
        self,
        log: RequestLog,
        surfaces: Iterable[str] | None = PLATFORM_SURFACES,
        method: str | None = None,
        path: str | None = None,
        status: str | int | None = None,
    ) -> None:
        self._log = log
        self._surfaces = None if surfaces is None else frozenset(surfaces)
        self._filter = (method, path, status)

    def _all(self) -> list[LoggedRequest]:
        method, path, status = self._filter
        return self._log.entries(method, path, status, self._surfaces)

    # a sequence ------------------------------------------------------------------------

    @overload
    def __getitem__(self, index: int) -> LoggedRequest: ...
    @overload
    def __getitem__(self, index: slice) -> list[LoggedRequest]: ...
    def __getitem__(self, index: int | slice) -> LoggedRequest | list[LoggedRequest]:
        return self._all()[index]

    def __len__(self) -> int:
        return len(self._all())

    def __iter__(self) -> Iterator[LoggedRequest]:
        return iter(self._all())

    def __repr__(self) -> str:
        return f"<requests: {len(self)}>"

    @property
    def last(self) -> LoggedRequest:
        """The newest request (an assertion error if there is none)."""
        entries = self._all()
        if not entries:
            raise AssertionError("no request was received")
        return entries[-1]

    def filter(
        self,
        method: str | None = None,
        path: str | None = None,
        status: str | int | None = None,
        surface: str | Iterable[str] | None = None,
    ) -> Requests:
        """The requests that fit, as another view; ``surface="all"`` includes the control API."""
        m, p, s = self._filter
        return Requests(
            self._log,
            _surfaces(surface) if surface is not None else self._surfaces,
            method if method is not None else m,
            path if path is not None else p,
            status if status is not None else s,
        )

    def clear(self) -> None:
        """Forget the requests so far (of every surface)."""
        self._log.clear()

    # assertions --------------------------------------------------------------------------

    def matching(self, method: str | None = None, path: str | None = None) -> list[LoggedRequest]:
        return [e for e in self._all() if e.matches(method, path)]

    def count(self, method: str | None = None, path: str | None = None) -> int:
        """How many requests fit ``method`` (``None`` or ``"*"``: any) and ``path``."""
        return len(self.matching(method, path))

    def assert_called(
        self, method: str | None = None, path: str | None = None, times: int | None = None
    ) -> LoggedRequest:
        """At least one request fits (exactly ``times``, if given); returns the newest."""
        found = self.matching(method, path)
        if not found or (times is not None and len(found) != times):
            wanted = "at least once" if times is None else f"{times} time(s)"
            raise AssertionError(
                f"expected {_call(method, path)} {wanted}, got {len(found)}\n{self._received()}"
            )
        return found[-1]

    def assert_not_called(self, method: str | None = None, path: str | None = None) -> None:
        found = self.matching(method, path)
        if found:
            shown = "\n".join(f"  {e.line()}" for e in found[-SHOWN:])
            raise AssertionError(f"expected no {_call(method, path)}, got {len(found)}:\n{shown}")

    def assert_called_with(
        self,
        method: str | None = None,
        path: str | None = None,
        *,
        json: Any = _ANY,
        body: str | bytes | None = None,
        params: dict[str, str] | None = None,
        status: int | None = None,
    ) -> LoggedRequest:
        """The newest request that fits was sent with this JSON body, body, query
        parameters (those given; others may be there too) and got this status."""
        entry = self.assert_called(method, path)
        problems = _differences(entry, json, body, params, status)
        if problems:
            raise AssertionError(
                f"the last {_call(method, path)} ({entry.line()}) differs:\n"
                + "\n".join(f"  {p}" for p in problems)
            )
        return entry

    def assert_any_call(
        self,
        method: str | None = None,
        path: str | None = None,
        *,
        json: Any = _ANY,
        body: str | bytes | None = None,
        params: dict[str, str] | None = None,
        status: int | None = None,
    ) -> LoggedRequest:
        """As :meth:`assert_called_with`, for any request that fits, not only the newest."""
        found = self.matching(method, path)
        for entry in reversed(found):
            if not _differences(entry, json, body, params, status):
                return entry
        raise AssertionError(
            f"no {_call(method, path)} was sent with {_wanted(json, body, params, status)}"
            f"\n{self._received()}"
        )

    def assert_order(self, calls: Iterable[str | tuple[str | None, str | None]]) -> None:
        """These calls were made in this order (others may come between): each a
        ``"METHOD path"`` string or a ``(method, path)`` pair."""
        wanted = [_pair(c) for c in calls]
        entries = self._all()
        at = 0
        for i, (method, path) in enumerate(wanted):
            while at < len(entries) and not entries[at].matches(method, path):
                at += 1
            if at == len(entries):
                seen = ", ".join(_call(m, p) for m, p in wanted[:i]) or "nothing before"
                raise AssertionError(
                    f"expected {_call(method, path)} after {seen}; not found in order"
                    f"\n{self._received()}"
                )
            at += 1

    def _received(self) -> str:
        entries = self._all()
        if not entries:
            return "no request was received"
        head = f"received {len(entries)} request(s)"
        if len(entries) > SHOWN:
            head += f", the newest {SHOWN}"
        return head + ":\n" + "\n".join(f"  {e.line()}" for e in entries[-SHOWN:])


def _surfaces(surface: str | Iterable[str]) -> frozenset[str] | None:
    names = {surface} if isinstance(surface, str) else set(surface)
    if "all" in names:
        return None
    unknown = names - set(SURFACES)
    if unknown:
        raise ValueError(f"not surfaces: {sorted(unknown)} (known: {', '.join(SURFACES)}, all)")
    return frozenset(names)


def _pair(call: str | tuple[str | None, str | None]) -> tuple[str | None, str | None]:
    if isinstance(call, tuple):
        return call
    method, _, path = call.strip().partition(" ")
    return (method, path.strip() or None) if path.strip() else (None, method)


def _call(method: str | None, path: str | None) -> str:
    return f"{(method or '*').upper()} {path or '*'}"


def _wanted(json: Any, body: str | bytes | None, params: Any, status: int | None) -> str:
    parts = [] if json is _ANY else [f"json={json!r}"]
    parts += [] if body is None else [f"body={body!r}"]
    parts += [] if params is None else [f"params={params!r}"]
    parts += [] if status is None else [f"status={status}"]
    return ", ".join(parts) or "anything"


def _differences(
    entry: LoggedRequest, json: Any, body: str | bytes | None, params: Any, status: int | None
) -> list[str]:
    problems = []
    if json is not _ANY and entry.json != json:
        sent = "a body cut short" if entry.truncated else repr(entry.json)
        problems.append(f"json: expected {json!r}, sent {sent}")
    if body is not None:
        wanted = body.encode() if isinstance(body, str) else body
        if entry.body != wanted:
            problems.append(f"body: expected {wanted!r}, sent {entry.body!r}")
    if params is not None:
        sent_params = entry.params
        wrong = {k: v for k, v in params.items() if sent_params.get(k) != str(v)}
        if wrong:
            problems.append(f"params: expected {wrong!r} among {sent_params!r}")
    if status is not None and entry.status != status:
        problems.append(f"status: expected {status}, answered {entry.status}")
    return problems
