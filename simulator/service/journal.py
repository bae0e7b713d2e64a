"""The journal: every change made to the world since its scenario started, as data.

simpy's processes cannot be saved, but the simulator is deterministic: the same
scenario and seed, given the same operations at the same virtual times, is the same
world. So the facade keeps, for the current scenario, one line of JSON per operation
that changed something, ``[t, name, arguments]``, kept once the operation succeeds.
A refused operation changed nothing and leaves no line; moves of time leave none
either, since every line carries its time and a snapshot carries the final one.

A line is written before its operation runs when an argument could change under it
(a body: the operation may alter what it was given); when every argument is a value
that cannot (strings, numbers, a user, bytes), writing waits until the journal is
read, which keeps the cheapest changes cheap.

Arguments are kept by parameter name, the way the operation's annotations say: a
``User`` as its username, ``bytes`` as base64, an ``Ask`` not at all (it only shapes
answers); anything else is already JSON, as the HTTP layer hands it over.
"""

from __future__ import annotations

import base64
import binascii
import functools
import inspect
import json
import math
from collections.abc import Callable, Mapping
from json.encoder import c_make_encoder, encode_basestring_ascii  # type: ignore[attr-defined]
from typing import Any, ParamSpec, TypeVar

from ..domain.models import User

P = ParamSpec("P")
R = TypeVar("R")

#: How each parameter of a journaled operation is written: by its name, its kind.
Plan = dict[str, str]
#: Parameters without a default, by operation: a line must give them.
_REQUIRED: dict[str, frozenset[str]] = {}

#: Every journaled operation, by name: what a replay may call, and how to read its line.
MUTATIONS: dict[str, Plan] = {}

#: A line that replays an HTTP fault's effect on the fault book (see ``Core._inject``).
INJECT = "inject"

#: A change whose line is still to write: its time, its writer, its arguments.
Pending = tuple[float, "_Writer", tuple[Any, ...]]
#: A journal entry: its line, or what writes it when the journal is read.
Entry = str | Pending

_KINDS = {"User": "user", "Ask": "ask", "bytes": "bytes"}

#: Compact, and refusing NaN or infinities, which JSON cannot carry.
_encoder = json.JSONEncoder(separators=(",", ":"), allow_nan=False)
#: The same, as the C encoder ``JSONEncoder.encode`` would build anew for every call:
#: built once. No cycle check (a cycle fails all the same).
_c_encoder = c_make_encoder and c_make_encoder(
    None, None, encode_basestring_ascii, None, ":", ",", False, False, False
)


def _dumps(value: Any) -> str:
    if _c_encoder is None:
        return _encoder.encode(value)
    return "".join(_c_encoder(value, 0))


def _json(value: Any) -> str:
    """A value as compact JSON, as ``_encoder`` writes it; scalars at little cost."""
    kind = type(value)
    if kind is str:
        return encode_basestring_ascii(value)  # type: ignore[no-any-return]
    if kind is int:
        return int.__repr__(value)
    if kind is float:
        if not math.isfinite(value):
            raise ValueError(f"{value!r} is not a JSON number")
        return float.__repr__(value)
    if value is None:
        return "null"
    if kind is bool:
        return "true" if value else "false"
    return _dumps(value)


def lines(journal: list[Entry]) -> list[str]:
    """The journal's lines, writing those still to write (once: they replace their entry)."""
    for i, entry in enumerate(journal):
        if type(entry) is not str:
            t, write, args = entry  # type: ignore[misc]
            journal[i] = write(t, args, {})
    return journal  # type: ignore[return-value]


def _plan(method: Callable[..., Any]) -> Plan:
    params = list(inspect.signature(method).parameters.values())[1:]
    plan: Plan = {}
    for p in params:
        annotation = getattr(p.annotation, "__name__", p.annotation)
        plan[p.name] = _KINDS.get(str(annotation), "json")
    return plan


class _Writer:
    """Writes one operation's journal lines, straight from the arguments it was given.

    ``[t, name, arguments by name]`` as compact JSON, without building the arguments'
    object first: a line is written on every change, so it must cost little.
    """

    def __init__(self, name: str, plan: Plan) -> None:
        self.head = f",{_json(name)},{{"
        #: (kind, '"name":') by position, and by name for keyword arguments.
        self.fields = [(kind, f"{_json(param)}:") for param, kind in plan.items()]
        self.by_name = dict(zip(plan, self.fields, strict=True))

    def __call__(self, t: float, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> str:
        parts = [
            key + _value(kind, value)
            for (kind, key), value in zip(self.fields, args, strict=False)
            if kind != "ask"
        ]
        for param, value in kwargs.items():
            kind, key = self.by_name[param]
            if kind != "ask":
                parts.append(key + _value(kind, value))
        return f"[{_json(t)}{self.head}{','.join(parts)}}}]"


#: Writes the line of a call an HTTP fault rule counted (see ``Core._inject``).
INJECT_WRITER = _Writer(INJECT, {"method": "json", "path": "json"})


def _value(kind: str, value: Any) -> str:
    if kind == "json":
        return _json(value)
    if kind == "user":
        return _json(value.username)
    return f'"{base64.b64encode(value).decode("ascii")}"'


def _size(entry: Entry) -> int:
    """About how many bytes of text an entry is, or will be once written."""
    if isinstance(entry, str):
        return len(entry)
    return 64 + sum(len(a) for a in entry[2] if isinstance(a, (str, bytes)))


def decode(name: str, arguments: Any, users: Mapping[str, User], ask: Any) -> dict[str, Any]:
    """Keyword arguments to call an operation with, from its journal line.

    ``ask`` stands for every ``Ask`` parameter. Raises ``ValueError`` naming what
    does not fit the operation.
    """
    plan = MUTATIONS[name]
    if not isinstance(arguments, dict):
        raise ValueError("its arguments are not an object")
    missing = sorted(_REQUIRED[name] - set(arguments))
    if missing:
        raise ValueError(f"missing argument {', '.join(repr(m) for m in missing)}")
    kwargs: dict[str, Any] = {name: ask for name, kind in plan.items() if kind == "ask"}
    for name, value in arguments.items():
        kind = plan.get(name)
        if kind is None or kind == "ask":
            raise ValueError(f"the operation takes no argument '{name}'")
        if kind == "user":
            if not isinstance(value, str) or value not in users:
                raise ValueError(f"no user {value!r} in the scenario")
            kwargs[name] = users[value]
        elif kind == "bytes":
            try:
                kwargs[name] = base64.b64decode(value, validate=True)
            except (TypeError, binascii.Error):
                raise ValueError(f"'{name}' is not base64") from None
        else:
            kwargs[name] = value
    return kwargs


def mutation(method: Callable[P, R]) -> Callable[P, R]:
    """An operation that changes the world: as ``operation``, and journaled if it succeeds."""
    plan = _plan(method)
    name = method.__name__
    MUTATIONS[name] = plan
    _REQUIRED[name] = frozenset(
        p.name
        for p in list(inspect.signature(method).parameters.values())[1:]
        if p.default is inspect.Parameter.empty and plan[p.name] != "ask"
    )

    write = _Writer(name, plan)
    from .core import Ask, operation  # here, not above: the core imports this module

    #: Arguments that cannot change and are always JSON: their line can wait.
    later = frozenset({str, int, bool, type(None), bytes, User, Ask})

    @functools.wraps(method)
    def journaled(*args: P.args, **kwargs: P.kwargs) -> R:
        self: Any = args[0]
        given = args[1:]
        entry: Entry | None
        if not kwargs and later.issuperset(map(type, given)):
            entry = (self.engine.now, write, given)  # written when the journal is read
        else:  # written now, before the operation runs: it may change what it was given
            try:
                entry = write(self.engine.now, given, kwargs)
            except (TypeError, ValueError, AttributeError, KeyError, RecursionError) as exc:
                entry, problem = None, f"{name} was given arguments JSON cannot hold ({exc})"
        result = method(*args, **kwargs)
        if entry is not None:
            self.journal.append(entry)
            self.journal_bytes += _size(entry)
        else:
            self.unjournaled = problem
        self.changed()
        return result

    return operation(journaled)  # under the lock, with the clock caught up first
