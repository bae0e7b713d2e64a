"""Bounds on everything the simulator accepts, and a JSON reader that keeps to them.

A test double left running for days must not be walked into a broken state, or out
of memory, by one request: every input is bounded in size, depth and value. The
numbers are decisions of the simulator's own; the README's bad-input section lists
them.
"""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from typing import Any

#: Records one resource may say it holds (a scenario, a resource body).
MAX_RECORDS = 1_000_000_000
#: Workers a platform may have (each is a process of the engine).
MAX_WORKERS = 1000
#: HTTP worker threads of the server (``--threads``).
MAX_THREADS = 256
#: Longest span a scenario may give a stage's base or a call's latency (about 317 years).
MAX_SPAN = 1e10
#: Largest factor of a slow_stage fault.
MAX_SLOWDOWN = 1e6
#: Earliest and latest start of virtual time (``clock.start``).
EARLIEST_START = datetime(1970, 1, 1, tzinfo=UTC)
LATEST_START = datetime(9000, 1, 1, tzinfo=UTC)
#: What a control token may be: it travels in a header.
CONTROL_TOKEN_PATTERN = "^[!-~]{1,200}$"
#: Deepest nesting of objects and lists in a JSON body or a scenario.
MAX_DEPTH = 64
#: A snapshot holds bodies within its own structure: it may nest this much deeper.
SNAPSHOT_DEPTH = MAX_DEPTH + 8
#: Digits of an integer in JSON (Python's own limit is 4,300; no count needs more).
MAX_INT_DIGITS = 30
#: Default largest request body, except uploads (``--max-body``).
MAX_BODY = 10 * 2**20
#: Largest uploaded file (``POST /files``).
MAX_UPLOAD = 50 * 2**20
#: Largest scenario file or text.
MAX_SCENARIO = 64 * 2**20
#: Nodes that YAML aliases may add to a scenario once expanded ("billion laughs").
MAX_ALIAS_NODES = 100_000
#: Longest http(s) URL of an attachment or an alternative export (a download redirects to it).
MAX_URL = 2048
#: Longest text a message repeats back from the input.
MAX_ECHO = 200
#: Mistakes a refused scenario lists one by one (the rest are counted).
MAX_MISTAKES = 20


class JSONProblem(ValueError):
    """JSON that cannot be read, or that goes past a bound: what is wrong, for people."""


class NotJSON(JSONProblem):
    """Text that is not JSON at all (as opposed to JSON past a bound)."""


def _no_constants(name: str) -> None:
    raise JSONProblem(f"{name} is not a JSON value")


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise JSONProblem(f"an integer of {len(text)} digits (at most {MAX_INT_DIGITS} are read)")
    return int(text)


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise JSONProblem(f"{text} is too large a number")
    return value


def load_json(text: str | bytes, depth: int = MAX_DEPTH) -> Any:
    """Parse JSON text within the bounds: ``depth``, integer size, no NaN or infinities.

    Raises :class:`JSONProblem` (with line and column where the parser gives them);
    ``UnicodeDecodeError`` for bytes that are not UTF-8.
    """
    if isinstance(text, bytes):
        text = text.decode("utf-8")
    try:
        data = json.loads(
            text,
            parse_constant=_no_constants,
            parse_int=_bounded_int,
            parse_float=_finite_float,
        )
    except json.JSONDecodeError as exc:
        raise NotJSON(f"{exc.msg} at line {exc.lineno} column {exc.colno}") from None
    except RecursionError:
        raise JSONProblem(f"nested deeper than {depth} levels") from None
    check_depth(data, depth)
    return data


def check_depth(data: Any, limit: int = MAX_DEPTH) -> None:
    """Refuse objects and lists nested deeper than ``limit`` (without recursing)."""
    if not isinstance(data, (dict, list)):
        return
    level: list[Any] = [data]
    depth = 0
    while level:
        depth += 1
        if depth > limit:
            raise JSONProblem(f"nested deeper than {limit} levels")
        below: list[Any] = []
        for item in level:
            values = item.values() if isinstance(item, dict) else item
            below.extend(v for v in values if isinstance(v, (dict, list)))
        level = below


def as_integer(value: Any) -> int | None:
    """An integer given in JSON, also as a float with nothing after the point (``8217.0``).

    JSON has one kind of number, and JSON Schema counts ``8217.0`` as an integer:
    so does the simulator. ``None`` for anything else, booleans included.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer() and abs(value) <= 2.0**53:
        return int(value)
    return None


#: The spellings of a boolean the platform's web framework reads, by value: JSON
#: booleans, the integers 1 and 0, and these words in any case.
_TRUE_WORDS = frozenset({"true", "t", "yes", "y", "on", "1"})
_FALSE_WORDS = frozenset({"false", "f", "no", "n", "off", "0"})


def as_boolean(value: Any) -> bool | None:
    """A boolean as clients send it: ``true``, ``"true"``, ``"True"``, ``1``, ``"1"``, ``"on"``...

    ``None`` for anything else. Strings and numbers are read as the platform's
    framework reads them, so ``{"override_remote_value": "true"}`` is ``True``.
    """
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return True if value == 1 else False if value == 0 else None
    if isinstance(value, str):
        word = value.strip().lower()
        if word in _TRUE_WORDS:
            return True
        if word in _FALSE_WORDS:
            return False
    return None


def echo(value: Any) -> str:
    """A value as a message repeats it: its ``repr``, cut short if long."""
    text = repr(value) if not isinstance(value, str) else f"'{value}'"
    return text if len(text) <= MAX_ECHO else f"{text[: MAX_ECHO - 3]}..."


#: Fault rules that may be in force at once besides the scenario's (added at run time).
MAX_FAULT_RULES = 1000
