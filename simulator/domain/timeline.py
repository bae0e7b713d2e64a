"""The transition log: every move of every dataset and harvester, in virtual-time order."""

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


class HarvesterEntry(NamedTuple):
    """One move of a harvester. ``position`` is how many dataset transitions came before
    it: it puts the move among them, in the order things happened."""

    t: float
    harvester_id: str
    harvester_name: str
    source: str
    destination: str
    cause: str
    job_id: str | None
    position: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "t": self.t,
            "harvester_id": self.harvester_id,
            "harvester_name": self.harvester_name,
            "from": self.source,
            "to": self.destination,
            "cause": self.cause,
            "job_id": self.job_id,
        }


class FaultChange(NamedTuple):
    """A fault rule put in force or taken out of it at run time; ``position`` as for
    a harvester's move, and ``moves`` how many harvester moves came before it."""

    t: float
    fault_id: str
    fault_type: str
    change: str
    position: int
    moves: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "t": self.t,
            "fault_id": self.fault_id,
            "fault_type": self.fault_type,
            "change": self.change,
        }


#: A line of the timeline: a dataset's transition, a harvester's move, a fault rule's change.
Move = Entry | HarvesterEntry | FaultChange

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
        #: The harvesters' moves, rows in HarvesterEntry's field order, kept as long.
        self.harvester_moves: list[tuple[Any, ...]] = []
        #: How many of the oldest harvester moves were let go.
        self.harvester_dropped = 0
        #: Fault rules added or removed at run time, rows in FaultChange's field order.
        self.fault_changes: list[tuple[Any, ...]] = []

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

    def add_harvester_move(
        self,
        t: float,
        harvester_id: str,
        name: str,
        source: str,
        destination: str,
        cause: str,
        job_id: str | None,
    ) -> None:
        """Log a harvester's move, after every dataset transition logged so far."""
        moves = self.harvester_moves
        moves.append((t, harvester_id, name, source, destination, cause, job_id, len(self)))
        if len(moves) > self.trim_at:
            cut = len(moves) - self.limit
            del moves[:cut]
            self.harvester_dropped += cut

    def add_fault_change(self, t: float, fault_id: str, fault_type: str, change: str) -> None:
        """Log a fault rule ``added`` or ``removed``, after every dataset transition so far."""
        changes = self.fault_changes
        moves = self.harvester_dropped + len(self.harvester_moves)
        changes.append((t, fault_id, fault_type, change, len(self), moves))
        if len(changes) > self.trim_at:
            del changes[: len(changes) - self.limit]

    def merged(
        self,
        datasets: set[str] | None = None,
        harvesters: set[str] | None = None,
        since: float | None = None,
        until: float | None = None,
    ) -> list[Move]:
        """Dataset transitions and harvester moves, in the order they happened.

        With no filter, all of both; with ``datasets`` only, those datasets' transitions;
        with ``harvesters`` only, those harvesters' moves (id or name); with both, both.
        """
        ds_entries: list[tuple[int, Entry]] = []
        if datasets is not None or harvesters is None:
            first = self.dropped
            ds_entries = [
                (first + i, e)
                for i, row in enumerate(self.entries)
                for e in (_as_entry(Entry, row),)
                if (datasets is None or e.dataset_uid in datasets or e.dataset_id in datasets)
                and (since is None or e.t >= since)
                and (until is None or e.t <= until)
            ]
        hv_entries: list[HarvesterEntry] = []
        if harvesters is not None or datasets is None:
            hv_entries = [
                h
                for row in self.harvester_moves
                for h in (_as_entry(HarvesterEntry, row),)
                if (
                    harvesters is None
                    or h.harvester_id in harvesters
                    or h.harvester_name in harvesters
                )
                and (since is None or h.t >= since)
                and (until is None or h.t <= until)
            ]
        extra: list[HarvesterEntry | FaultChange] = list(hv_entries)
        if datasets is None and harvesters is None and self.fault_changes:
            extra = self._with_fault_changes(since, until)
        if not extra:
            return [e for _, e in ds_entries]
        out: list[Move] = []
        k = 0
        for position, e in ds_entries:
            while k < len(extra) and extra[k].position <= position:
                out.append(extra[k])
                k += 1
            out.append(e)
        out += extra[k:]
        return out

    def _with_fault_changes(
        self, since: float | None, until: float | None
    ) -> list[HarvesterEntry | FaultChange]:
        """Harvester moves and fault rules' changes, in the order they were logged."""

        def within(t: float) -> bool:
            return (since is None or t >= since) and (until is None or t <= until)

        # a change comes after the moves logged before it (``moves``), before the others
        keyed: list[tuple[tuple[int, int, int], HarvesterEntry | FaultChange]] = []
        first = self.harvester_dropped
        for i, row in enumerate(self.harvester_moves):
            move = _as_entry(HarvesterEntry, row)
            if within(move.t):
                keyed.append(((move.position, first + i, 1), move))
        for row in self.fault_changes:
            change = _as_entry(FaultChange, row)
            if within(change.t):
                keyed.append(((change.position, change.moves, 0), change))
        keyed.sort(key=lambda pair: pair[0])
        return [line for _, line in keyed]

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


#: The columns a CSV timeline adds once it holds harvester moves.
HARVESTER_COLUMNS = ("harvester_id", "harvester_name")
#: The columns a CSV timeline adds once it holds fault rules' changes.
FAULT_COLUMNS = ("fault_id", "fault_type", "change")

#: The text formats of a timeline, besides JSON, and the media type of each.
MEDIA_TYPES = {"ndjson": "application/x-ndjson", "csv": "text/csv", "table": "text/plain"}


def to_ndjson(entries: Iterable[Move]) -> str:
    """One JSON object a line, keys in a fixed order: byte-identical for equal timelines."""
    return "".join(json.dumps(e.to_dict(), separators=(",", ":")) + "\n" for e in entries)


def to_csv(entries: Iterable[Move]) -> str:
    """A header and a row each; harvester moves, if any, fill two more columns."""
    entries = list(entries)
    columns: tuple[str, ...] = COLUMNS
    if any(isinstance(e, HarvesterEntry) for e in entries):
        columns = COLUMNS + HARVESTER_COLUMNS
    if any(isinstance(e, FaultChange) for e in entries):
        columns = columns + FAULT_COLUMNS
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for e in entries:
        writer.writerow(e.to_dict())
    return out.getvalue()


def subject(e: Move) -> str:
    """What a line is about: a dataset's id, ``harvester:<id>`` or ``fault:<id>``."""
    if isinstance(e, HarvesterEntry):
        return f"harvester:{e.harvester_id}"
    if isinstance(e, FaultChange):
        return f"fault:{e.fault_id}"
    return e.dataset_id


def _transition(e: Move) -> tuple[str, str]:
    """A line's transition and cause, as the table shows them."""
    if isinstance(e, FaultChange):
        return f"{e.change} {e.fault_type}", "run time"
    return f"{e.source} -> {e.destination}", e.cause


def to_table(entries: Iterable[Move]) -> str:
    """A table for people: virtual time, dataset (or harvester), from -> to, cause.

    The second column is headed ``dataset`` while every line is a dataset's, and
    ``subject`` once harvester moves are among them.
    """
    entries = list(entries)
    rows = [(f"{e.t:10.1f}", subject(e), *_transition(e)) for e in entries]
    if not rows:
        return "(no transitions)\n"
    label = "dataset"
    if any(not isinstance(e, Entry) for e in entries):
        label = "subject"
    ds_width = max(len(label), *(len(r[1]) for r in rows))
    arrow_width = max(len("transition"), *(len(r[2]) for r in rows))
    head = f"{'t (s)':>10}  {label:<{ds_width}}  {'transition':<{arrow_width}}  cause"
    lines = [head, "-" * len(head)]
    lines += [
        f"{t}  {ds:<{ds_width}}  {arrow:<{arrow_width}}  {cause}" for t, ds, arrow, cause in rows
    ]
    return "\n".join(lines) + "\n"
