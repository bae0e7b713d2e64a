"""The small query language of dataset listings: ``where``, ``sort``, paging."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from .errors import InvalidParameter
from .models import Dataset

_WHERE_FIELDS: dict[str, Callable[[Dataset], str]] = {
    "datasetid": lambda d: d.dataset_id,
    "dataset_id": lambda d: d.dataset_id,
    "datasetuid": lambda d: d.dataset_uid,
    "dataset_uid": lambda d: d.dataset_uid,
    "published": lambda d: "true" if d.published else "false",
    "visibility": lambda d: d.visibility,
}

_CLAUSE = re.compile(
    r"""\s*(?P<field>[a-z_]+)\s*=\s*(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'|(?P<bare>[^\s"']+))\s*""",
)
_AND = re.compile(r"\s+and\s+", re.IGNORECASE)

Predicate = Callable[[Dataset], bool]


def parse_where(where: str) -> Predicate:
    """Parse ``datasetid="x"``-style equality clauses joined by ``AND``."""
    tests: list[tuple[Callable[[Dataset], str], str]] = []
    for clause in _AND.split(where.strip()):
        m = _CLAUSE.fullmatch(clause)
        if m is None:
            raise InvalidParameter(
                "where",
                f"cannot parse '{clause}'; the simulator understands field=value clauses "
                f"joined by AND, on {', '.join(_WHERE_FIELDS)}",
            )
        field = m["field"]
        if field not in _WHERE_FIELDS:
            raise InvalidParameter(
                "where", f"unknown field '{field}'; known: {', '.join(_WHERE_FIELDS)}"
            )
        value = next(v for v in (m["dq"], m["sq"], m["bare"]) if v is not None)
        tests.append((_WHERE_FIELDS[field], value))
    return lambda d: all(get(d) == value for get, value in tests)


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
    """Sort by comma-separated fields, each ``-`` prefixed for descending."""
    result = list(datasets)
    for key in reversed([k.strip() for k in sort.split(",") if k.strip()]):
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
        value = int(raw)
    except ValueError:
        raise InvalidParameter(name, f"expected an integer, got '{raw}'") from None
    if value < low or (high is not None and value > high):
        bounds = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise InvalidParameter(name, f"must be {bounds}, got {value}")
    return value


def bool_param(name: str, raw: str | None, default: bool = False) -> bool:
    if raw is None or raw == "":
        return default
    lowered = raw.lower()
    if lowered in ("true", "1", "yes"):
        return True
    if lowered in ("false", "0", "no"):
        return False
    raise InvalidParameter(name, f"expected true or false, got '{raw}'")
