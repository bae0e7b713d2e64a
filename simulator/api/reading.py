"""Reading a request, the same way on every surface: JSON bodies, numbers in a query.

A JSON body is read whatever its ``Content-Type`` says (real clients often send none),
within the bounds of :mod:`simulator.domain.limits`.
"""

from __future__ import annotations

from typing import Any

from flask import request

from ..domain.errors import InvalidJSON, InvalidParameter
from ..domain.limits import MAX_DEPTH, MAX_INT_DIGITS, JSONProblem, as_boolean, echo, load_json


def json_body(depth: int = MAX_DEPTH) -> Any:
    """Parse the body as JSON whatever the content type says; ``None`` if empty."""
    raw = request.get_data(cache=True)
    if not raw.strip():
        return None
    try:
        return load_json(raw, depth)
    except UnicodeDecodeError:
        raise InvalidJSON("the body is not UTF-8 text") from None
    except JSONProblem as exc:
        raise InvalidJSON(str(exc)) from None


def int_param(name: str, raw: str | None, default: int, low: int, high: int | None = None) -> int:
    """Read an integer query parameter within bounds, or refuse it naming the parameter."""
    if raw is None or raw == "":
        return default
    try:
        value = _integer(raw)
    except ValueError:
        raise InvalidParameter(name, f"expected an integer, got {echo(raw)}") from None
    if value < low or (high is not None and value > high):
        bounds = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise InvalidParameter(name, f"must be {bounds}, got {value}")
    return value


def _integer(raw: str) -> int:
    """An integer from a query string: digits, or a number with nothing after the point."""
    text = raw.strip()
    if len(text) > MAX_INT_DIGITS:
        raise ValueError(raw)
    whole, point, fraction = text.partition(".")
    if point and fraction.strip("0"):
        raise ValueError(raw)
    return int(whole)


def bool_param(name: str, raw: str | None, default: bool = False) -> bool:
    if raw is None or raw == "":
        return default
    value = as_boolean(raw)
    if value is None:
        raise InvalidParameter(name, f"expected true or false, got '{raw}'")
    return value
