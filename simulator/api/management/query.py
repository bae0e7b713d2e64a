"""The small query language of dataset listings: ``where``, ``sort``, paging."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from ...domain.errors import InvalidParameter
from ...domain.limits import MAX_INT_DIGITS, echo
from ...domain.models import Dataset

_WHERE_FIELDS: dict[str, Callable[[Dataset], str]] = {
    "datasetid": lambda d: d.dataset_id,
    "dataset_id": lambda d: d.dataset_id,
    "datasetuid": lambda d: d.dataset_uid,
    "dataset_uid": lambda d: d.dataset_uid,
    "published": lambda d: "true" if d.published else "false",
    "visibility": lambda d: d.visibility,
}

Predicate = Callable[[Dataset], bool]

#: Clauses a ``where`` may join (the simulator's own bound).
MAX_CLAUSES = 1_000

#: One clause at a given position, and what follows it: ``AND`` and another, or the end.
#: Every part is read by a class the part before cannot match (letters, then spaces,
#: then ``=``...), so matching at a position never backtracks: reading a ``where`` is
#: linear in its length, however long.
_CLAUSE = re.compile(
    r"""\s*(?P<field>[a-z_]+)\s*=\s*(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'|(?P<bare>[^\s"']+))"""
    r"""(?P<next>\s+(?i:and)\s|\s*$)"""
)


def parse_where(where: str) -> Predicate:
    """Parse ``datasetid="x"``-style equality clauses joined by ``AND``, in one pass.

    Clauses on the same field are folded into one test, so a long ``where`` costs
    a dataset at most one comparison a field.
    """
    wanted: dict[str, set[str]] = {}
    for field, value in _clauses(where):
        if field not in _WHERE_FIELDS:
            raise InvalidParameter(
                "where", f"unknown field {echo(field)}; known: {', '.join(_WHERE_FIELDS)}"
            )
        wanted.setdefault(field, set()).add(value)
    if any(len(values) > 1 for values in wanted.values()):
        return lambda d: False  # one field cannot equal two values
    tests = [(_WHERE_FIELDS[field], values.pop()) for field, values in wanted.items()]
    return lambda d: all(get(d) == value for get, value in tests)


def _clauses(where: str) -> Iterator[tuple[str, str]]:
    """``(field, value)`` of each clause, from left to right, up to :data:`MAX_CLAUSES`."""
    position = 0
    for _ in range(MAX_CLAUSES):
        m = _CLAUSE.match(where, position)
        if m is None:
            raise InvalidParameter(
                "where",
                f"cannot parse {echo(where[position:].strip())}; the simulator understands "
                f"field=value clauses joined by AND, on {', '.join(_WHERE_FIELDS)}",
            )
        field, dq, sq, bare, after = m.group("field", "dq", "sq", "bare", "next")
        yield field, dq if dq is not None else sq if sq is not None else bare
        if not after.strip():
            return
        position = m.end()
    raise InvalidParameter("where", f"more than {MAX_CLAUSES:,} clauses")


_SORT_KEYS: dict[str, Callable[[Dataset], Any]] = {
    "dataset_id": lambda d: d.dataset_id,
    "datasetid": lambda d: d.dataset_id,
    "dataset_uid": lambda d: d.dataset_uid,
    "last_modified": lambda d: d.last_modified,
    "created": lambda d: d.created,
    "title": lambda d: str(d.metas.get("default", {}).get("title") or ""),
    "published": lambda d: d.published,
}


def sort_datasets(datasets: list[Dataset], sort: str) -> list[Dataset]:
    """Sort by comma-separated fields, each ``-`` prefixed for descending.

    A field named again adds nothing (the first mention decides), so it is sorted on once.
    """
    result = list(datasets)
    keys: dict[str, str] = {}
    for key in (k.strip() for k in sort.split(",")):
        if key and key.lstrip("-") not in keys:
            keys[key.lstrip("-")] = key
    for key in reversed(keys.values()):
        name = key.lstrip("-")
        if name not in _SORT_KEYS:
            raise InvalidParameter(
                "sort", f"unknown field '{name}'; known: {', '.join(_SORT_KEYS)}"
            )
        result.sort(key=_SORT_KEYS[name], reverse=key.startswith("-"))
    return result


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
    lowered = raw.lower()
    if lowered in ("true", "1", "yes"):
        return True
    if lowered in ("false", "0", "no"):
        return False
    raise InvalidParameter(name, f"expected true or false, got '{raw}'")
