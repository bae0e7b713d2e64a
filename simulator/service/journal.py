"""The journal: every change made to the world since its scenario started, as data.

simpy's processes cannot be saved, but the simulator is deterministic: the same
scenario and seed, given the same operations at the same virtual times, is the same
world. So the journal keeps, for the current scenario, one line of JSON per operation
that changed something, ``[t, name, arguments]``, kept once the operation succeeds.
A refused operation changed nothing and leaves no line; moves of time leave none
either, since every line carries its time and a snapshot carries the final one.
Once long, the journal is written down whole as a checkpoint and starts again from
it (see :mod:`.snapshots`).

An operation that changes the world is declared with :func:`mutation`, which files
it in :data:`MUTATIONS` with how each of its parameters is written: a ``User`` as its
username, ``bytes`` as base64, a command's body (see :mod:`.commands`) as the object
of the command's fields, anything else as the JSON it already is. A line with a body
is written once the operation succeeds (it reads the body on its way); one whose
arguments are all values that cannot change waits until the journal is read, which
keeps the cheapest changes cheap; any other is written before its operation runs.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import functools
import inspect
import json
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec, Protocol, TypeVar, cast

from ..domain.models import User
from .commands import COMMANDS, Body
from .operation import operation

if TYPE_CHECKING:
    from .state import State

P = ParamSpec("P")
R = TypeVar("R")
Owner = TypeVar("Owner", bound="_Owner")

#: A line that replays an HTTP fault's effect on the fault book (a counted call).
INJECT = "inject"

#: A change whose line is still to write: its time, its writer, its arguments.
Pending = tuple[float, "_Writer", tuple[Any, ...]]
#: A journal entry: its line, or what writes it when the journal is read.
Entry = str | Pending


class _Owner(Protocol):
    """What a mutation's ``self`` is: a collaborator of the service, over its state."""

    @property
    def state(self) -> State: ...


class Journal:
    """The lines of the world's changes since its base, and that base."""

    def __init__(self) -> None:
        #: While a snapshot replays, the world is not written down anew.
        self.replaying = False
        self.restart()

    def restart(self, base: bytes | None = None, base_bytes: int = 0, dropped: int = 0) -> None:
        """Start again: from the scenario (no base), or from a world written down."""
        self.entries: list[Entry] = []
        #: About how many bytes of text the entries are.
        self.bytes = 0
        #: The world last written down whole (JSON, compressed); ``None``: the scenario's.
        self.base = base
        #: How many bytes of text the base is, uncompressed.
        self.base_bytes = base_bytes
        #: The store's ``dropped_bytes`` when the base was written.
        self.dropped_at_base = dropped
        #: Why the journal cannot replay this world, if an operation escaped it.
        self.unjournaled: str | None = None

    def __len__(self) -> int:
        return len(self.entries)

    def add(self, entry: Entry) -> None:
        self.entries.append(entry)
        self.bytes += _size(entry)

    def note_call(self, t: float, method: str, path: str) -> None:
        """A call an HTTP fault counted: it changed the fault book (written when read)."""
        self.add((t, INJECT_WRITER, (method, path)))

    def lines(self) -> list[str]:
        """The lines, writing those still to write (once: they replace their entry)."""
        entries = self.entries
        for i, entry in enumerate(entries):
            if not isinstance(entry, str):
                t, write, args = entry
                entries[i] = write(t, args, {})
        return cast(list[str], entries)  # every entry is a line now


# the registry ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Mutation:
    """An operation that changes the world, and how its journal lines are written."""

    name: str
    #: The collaborator class that holds it, and the method's name there.
    owner: str
    #: How each parameter is written, by name: ``user``, ``bytes``, ``json``, or for a
    #: body what it holds: ``body json``, ``body <Command>``, ``body list <Command>``.
    params: dict[str, str]
    #: The parameters a line must give (those without a default).
    required: frozenset[str]


#: Every journaled operation, by the name its lines give.
MUTATIONS: dict[str, Mutation] = {}


def _kinds(method: Callable[..., Any]) -> tuple[dict[str, str], frozenset[str]]:
    hints = typing.get_type_hints(method)
    parameters = list(inspect.signature(method).parameters.values())[1:]
    kinds: dict[str, str] = {}
    for p in parameters:
        hint = hints.get(p.name)
        if hint is User:
            kinds[p.name] = "user"
        elif hint is bytes:
            kinds[p.name] = "bytes"
        elif typing.get_origin(hint) is Body:
            kinds[p.name] = f"body {_held(typing.get_args(hint)[0])}"
        else:
            kinds[p.name] = "json"
    required = frozenset(p.name for p in parameters if p.default is inspect.Parameter.empty)
    return kinds, required


def _held(hint: Any) -> str:
    """How what a body holds is written: ``json``, a command, or a list of commands."""
    if typing.get_origin(hint) is list:
        return f"list {_held(typing.get_args(hint)[0])}"
    if isinstance(hint, type) and hint.__name__ in COMMANDS:
        return hint.__name__
    return "json"


#: Arguments that cannot change and are plain data: their line can wait.
_LATER = frozenset({str, int, bool, type(None), bytes, User})


def mutation(method: Callable[Concatenate[Owner, P], R]) -> Callable[Concatenate[Owner, P], R]:
    """An operation that changes the world: under the lock, and journaled if it succeeds.

    After it, the world may be written down whole (the journal's ``changed`` hook).
    """
    kinds, required = _kinds(method)
    owner, name = method.__qualname__.split(".")[-2:]
    MUTATIONS[name] = Mutation(name, owner, kinds, required)
    write = _Writer(name, kinds)

    @functools.wraps(method)
    def journaled(self: Owner, /, *args: P.args, **kwargs: P.kwargs) -> R:
        state = self.state
        journal: Journal = state.journal
        given = args
        now = state.engine.now
        entry: Entry | None = None
        problem = ""
        bodies = Body in map(type, given) or Body in map(type, kwargs.values())
        if not kwargs and not bodies and _LATER.issuperset(map(type, given)):
            entry = (now, write, given)  # written when the journal is read
        elif not bodies:  # written now, before the operation runs: it may change them
            entry, problem = _written(write, name, now, given, kwargs)
        result = method(self, *args, **kwargs)
        if bodies:  # the operation read them: written now that it succeeded
            entry, problem = _written(write, name, now, given, kwargs)
        if entry is not None:
            journal.add(entry)
        else:
            journal.unjournaled = problem
        if not journal.replaying:  # a world restored steps on its first call
            state.changes += 1
        state.changed()
        return result

    return operation(journaled)


def _written(
    write: _Writer, name: str, now: float, given: tuple[Any, ...], kwargs: Mapping[str, Any]
) -> tuple[str | None, str]:
    """A line, or why none can be written."""
    try:
        return write(now, given, kwargs), ""
    except (TypeError, ValueError, AttributeError, KeyError, RecursionError) as exc:
        return None, f"{name} was given arguments JSON cannot hold ({exc})"


def decode(mutation: Mutation, arguments: Any, users: Mapping[str, User]) -> dict[str, Any]:
    """Keyword arguments to call an operation with, from its journal line.

    Raises ``ValueError`` naming what does not fit the operation.
    """
    if not isinstance(arguments, dict):
        raise ValueError("its arguments are not an object")
    missing = sorted(mutation.required - set(arguments))
    if missing:
        raise ValueError(f"missing argument {', '.join(repr(m) for m in missing)}")
    kwargs: dict[str, Any] = {}
    for name, value in arguments.items():
        kind = mutation.params.get(name)
        if kind is None:
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
        elif kind == "json":
            kwargs[name] = value
        else:
            kwargs[name] = Body.of(_held_value(kind.removeprefix("body "), name, value))
    return kwargs


def _held_value(kind: str, name: str, value: Any) -> Any:
    """What a body held, from its line: JSON as it is, commands from their fields."""
    if kind == "json":
        return value
    if kind.startswith("list "):
        if not isinstance(value, list):
            raise ValueError(f"'{name}' is not a list")
        return [_held_value(kind.removeprefix("list "), name, item) for item in value]
    if not isinstance(value, dict):
        raise ValueError(f"'{name}' is not an object")
    cls = COMMANDS[kind]
    known = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(value) - known)
    if unknown:
        raise ValueError(f"'{name}' has no field {unknown[0]!r}")
    return cls(**value)


# writing lines ------------------------------------------------------------------------

#: Compact, and refusing NaN or infinities, which JSON cannot carry.
_encoder = json.JSONEncoder(separators=(",", ":"), allow_nan=False)


def _json(value: Any) -> str:
    """A value as compact JSON."""
    return _encoder.encode(value)


def _size(entry: Entry) -> int:
    """About how many bytes of text an entry is, or will be once written."""
    if isinstance(entry, str):
        return len(entry)
    return 64 + sum(len(a) for a in entry[2] if isinstance(a, (str, bytes)))


class _Writer:
    """Writes one operation's journal lines, straight from the arguments it was given.

    ``[t, name, arguments by name]`` as compact JSON, without building the arguments'
    object first: a line is written on every change, so it must cost little.
    """

    def __init__(self, name: str, kinds: dict[str, str]) -> None:
        self.head = f",{_json(name)},{{"
        #: (kind, '"name":') by position, and by name for keyword arguments.
        self.fields = [(kind, f"{_json(param)}:") for param, kind in kinds.items()]
        self.by_name = dict(zip(kinds, self.fields, strict=True))

    def __call__(self, t: float, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> str:
        parts = [
            key + _value(kind, value) for (kind, key), value in zip(self.fields, args, strict=False)
        ]
        for param, value in kwargs.items():
            kind, key = self.by_name[param]
            parts.append(key + _value(kind, value))
        return f"[{_json(t)}{self.head}{','.join(parts)}}}]"


#: Writes the line of a call an HTTP fault rule counted.
INJECT_WRITER = _Writer(INJECT, {"method": "json", "path": "json"})


def _value(kind: str, value: Any) -> str:
    if kind == "json":
        return _json(value)
    if kind == "user":
        return _json(value.username)
    if kind == "bytes":
        return f'"{base64.b64encode(value).decode("ascii")}"'
    return _json(_plain(value.command))  # a body the operation read


def _plain(held: Any) -> Any:
    """What a body holds, as JSON data: commands as the object of their fields."""
    if isinstance(held, list):
        return [_plain(item) for item in held]
    if dataclasses.is_dataclass(held) and not isinstance(held, type):
        return {f.name: getattr(held, f.name) for f in dataclasses.fields(held)}
    return held
