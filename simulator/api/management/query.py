"""The small query language of dataset listings: ``where``, ``sort``, paging."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ...domain.errors import InvalidParameter
from ...domain.limits import echo
from ...domain.metadata import closest, find_field
from ...domain.pages import SORT_FIELDS as PAGE_SORT_FIELDS

#: The fields ``where`` may name, each with the field it filters (``datasetid`` is the
#: platform's own spelling, without the underscore).
WHERE_FIELDS: dict[str, str] = {
    "datasetid": "dataset_id",
    "dataset_id": "dataset_id",
    "datasetuid": "dataset_uid",
    "dataset_uid": "dataset_uid",
    "published": "published",
    "visibility": "visibility",
}

#: The fields ``sort`` may name, each with the field it sorts on.
SORT_FIELDS: dict[str, str] = {
    "dataset_id": "dataset_id",
    "datasetid": "dataset_id",
    "dataset_uid": "dataset_uid",
    "last_modified": "last_modified",
    "created": "created",
    "title": "title",
    "published": "published",
}

#: Clauses a ``where`` may join (the simulator's own bound).
MAX_CLAUSES = 1_000

#: One clause at a given position, and what follows it: ``AND`` and another, or the end.
#: Every part is read by a class the part before cannot match (letters, then spaces,
#: then ``=``...), so matching at a position never backtracks: reading a ``where`` is
#: linear in its length, however long.
_CLAUSE = re.compile(
    r"""\s*(?P<field>[a-z_]+(?:\.[a-z_]+)?)\s*=\s*"""
    r"""(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'|(?P<bare>[^\s"']+))"""
    r"""(?P<next>\s+(?i:and)\s|\s*$)"""
)


def parse_where(where: str) -> dict[str, list[str]]:
    """``datasetid="x"``-style equality clauses joined by ``AND``, read in one pass.

    Answers the values each field must equal, each value once: clauses on the same
    field fold into one test, so a long ``where`` costs a dataset one comparison a field.
    """
    wanted: dict[str, list[str]] = {}
    for name, value in _clauses(where):
        if name not in WHERE_FIELDS and not _is_metadata(name):
            raise InvalidParameter(
                "where",
                f"unknown field {echo(name)}; known: {', '.join(WHERE_FIELDS)}, "
                "and metadata as template.name (default.title)",
            )
        values = wanted.setdefault(WHERE_FIELDS.get(name, name), [])
        if value not in values:
            values.append(value)
    return wanted


def _clauses(where: str) -> Iterator[tuple[str, str]]:
    """``(field, value)`` of each clause, from left to right, up to :data:`MAX_CLAUSES`."""
    position = 0
    for _ in range(MAX_CLAUSES):
        m = _CLAUSE.match(where, position)
        if m is None:
            raise InvalidParameter(
                "where",
                f"cannot parse {echo(where[position:].strip())}; the simulator understands "
                f"field=value clauses joined by AND, on {', '.join(WHERE_FIELDS)}",
            )
        name, dq, sq, bare, after = m.group("field", "dq", "sq", "bare", "next")
        yield name, dq if dq is not None else sq if sq is not None else bare
        if not after.strip():
            return
        position = m.end()
    raise InvalidParameter("where", f"more than {MAX_CLAUSES:,} clauses")


def parse_sort(sort: str) -> list[tuple[str, bool]]:
    """Comma-separated fields, each ``-`` prefixed for descending: (field, descending).

    A field named again adds nothing (the first mention decides), so it is sorted on once.
    """
    keys: dict[str, bool] = {}
    for key in (k.strip() for k in sort.split(",")):
        name = key.lstrip("-")
        if not key:
            continue
        if name not in SORT_FIELDS and not _is_metadata(name):
            raise InvalidParameter(
                "sort",
                f"unknown field {echo(name)}; known: {', '.join(SORT_FIELDS)}, "
                "and metadata as template.name (default.modified)",
            )
        keys.setdefault(SORT_FIELDS.get(name, name), key.startswith("-"))
    return list(keys.items())


def _is_metadata(name: str) -> bool:
    """``template.name`` of a metadata (``default.title``, ``publishing.published``)."""
    template, dot, field = name.partition(".")
    return bool(dot) and find_field(template, field) is not None


def parse_page_sort(sort: str) -> tuple[tuple[str, bool], ...]:
    """A page list's order: comma-separated page fields, each ``-`` prefixed for descending."""
    keys: dict[str, bool] = {}
    for key in (k.strip() for k in sort.split(",")):
        name = key.lstrip("-")
        if not key:
            continue
        if name not in PAGE_SORT_FIELDS:
            raise InvalidParameter(
                "sort",
                f"unknown field {echo(name)}{closest(name, PAGE_SORT_FIELDS)}; "
                f"known: {', '.join(PAGE_SORT_FIELDS)}",
            )
        keys.setdefault(name, key.startswith("-"))
    return tuple(keys.items())
