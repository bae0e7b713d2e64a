"""The transition log: every move of every dataset, in virtual-time order."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from typing import Any, NamedTuple

from .retention import Retention, bound
from .statemachine import PUBLIC_OF


class Entry(NamedTuple):
    """One transition, as the timeline hands it out (statuses are wire names)."""

    t: float
    dataset_uid: str
    dataset_id: str
    source: str
    destination: str
    cause: str
    job_id: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "t": self.t,
            "dataset_uid": self.dataset_uid,
            "dataset_id": self.dataset_id,
            "from": self.source,
            "to": self.destination,
            "from_public": PUBLIC_OF[self.source],
            "to_public": PUBLIC_OF[self.destination],
            "cause": self.cause,
            "job_id": self.job_id,
        }


#: Reads a stored row as an Entry without copying it into a new tuple.
_as_entry = tuple.__new__


class Timeline:
    """Entries are added in the order they happen; the oldest go once there are too many.

    Rows are stored as exact tuples of plain values, in Entry's field order: the
    garbage collector stops tracking those (it never does a named tuple, a tuple
    subclass). They are read back as Entry. Positions count every entry ever added,
    those let go included, so a reader that asks for what came after position ``n``
    is never sent an entry twice.
    """

    def __init__(self, limit: int = Retention.transitions) -> None:
        self.entries: list[tuple[Any, ...]] = []
        #: How many entries the timeline keeps (a tenth more before it trims).
        self.limit = limit
        #: The length past which it is trimmed down to ``limit``.
        self.trim_at = bound(limit)
        #: How many of the oldest entries were let go.
        self.dropped = 0

    def __len__(self) -> int:
        """How many entries were ever added (see :attr:`dropped`)."""
        return self.dropped + len(self.entries)

    def __iter__(self) -> Iterator[Entry]:
        return (_as_entry(Entry, row) for row in self.entries)

    def since(self, index: int) -> Iterator[Entry]:
        """The entries kept after position ``index``."""
        return (_as_entry(Entry, row) for row in self.entries[max(0, index - self.dropped) :])

    def trim(self) -> set[str]:
        """Let the oldest entries go, down to the limit; the dataset uids they named."""
        cut = len(self.entries) - self.limit
        if cut <= 0:
            return set()
        named = {row[1] for row in self.entries[:cut]}
        del self.entries[:cut]
        self.dropped += cut
        return named

    def naming(self, uids: set[str]) -> set[str]:
        """Those of ``uids`` that entries still kept name."""
        return {row[1] for row in self.entries if row[1] in uids}

    def query(
        self,
        datasets: set[str] | None = None,
        since: float | None = None,
        until: float | None = None,
    ) -> list[Entry]:
        """Entries for the given datasets (uid or id) between two virtual times, inclusive."""
        return [
            e
            for e in self
            if (datasets is None or e.dataset_uid in datasets or e.dataset_id in datasets)
            and (since is None or e.t >= since)
            and (until is None or e.t <= until)
        ]


COLUMNS = (
    "t",
    "dataset_uid",
    "dataset_id",
    "from",
    "to",
    "from_public",
    "to_public",
    "cause",
    "job_id",
)


#: The text formats of a timeline, besides JSON, and the media type of each.
MEDIA_TYPES = {"ndjson": "application/x-ndjson", "csv": "text/csv", "table": "text/plain"}


def to_ndjson(entries: Iterable[Entry]) -> str:
    """One JSON object a line, keys in a fixed order: byte-identical for equal timelines."""
    return "".join(json.dumps(e.to_dict(), separators=(",", ":")) + "\n" for e in entries)


def to_csv(entries: Iterable[Entry]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for e in entries:
        writer.writerow(e.to_dict())
    return out.getvalue()


def to_table(entries: Iterable[Entry]) -> str:
    """A table for people: virtual time, dataset, from -> to, cause."""
    rows = [
        (f"{e.t:10.1f}", e.dataset_id, f"{e.source} -> {e.destination}", e.cause) for e in entries
    ]
    if not rows:
        return "(no transitions)\n"
    ds_width = max(len("dataset"), *(len(r[1]) for r in rows))
    arrow_width = max(len("transition"), *(len(r[2]) for r in rows))
    head = f"{'t (s)':>10}  {'dataset':<{ds_width}}  {'transition':<{arrow_width}}  cause"
    lines = [head, "-" * len(head)]
    lines += [
        f"{t}  {ds:<{ds_width}}  {arrow:<{arrow_width}}  {cause}" for t, ds, arrow, cause in rows
    ]
    return "\n".join(lines) + "\n"
