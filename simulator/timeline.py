"""The transition log: every move of every dataset, in virtual-time order."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, NamedTuple

from .statemachine import PUBLIC_NAME, Status


class Entry(NamedTuple):
    t: float
    dataset_uid: str
    dataset_id: str
    source: Status
    destination: Status | str
    cause: str
    job_id: str | None

    def to_dict(self) -> dict[str, Any]:
        dst = self.destination
        return {
            "t": self.t,
            "dataset_uid": self.dataset_uid,
            "dataset_id": self.dataset_id,
            "from": self.source.value,
            "to": str(dst),
            "from_public": PUBLIC_NAME[self.source],
            "to_public": PUBLIC_NAME[dst] if isinstance(dst, Status) else str(dst),
            "cause": self.cause,
            "job_id": self.job_id,
        }


class Timeline:
    """Append-only; entries are only ever added, in the order they happen."""

    def __init__(self) -> None:
        self.entries: list[Entry] = []

    def __len__(self) -> int:
        return len(self.entries)

    def __iter__(self) -> Iterator[Entry]:
        return iter(self.entries)

    def query(
        self,
        datasets: set[str] | None = None,
        since: float | None = None,
        until: float | None = None,
    ) -> list[Entry]:
        """Entries for the given datasets (uid or id) between two virtual times, inclusive."""
        return [
            e
            for e in self.entries
            if (datasets is None or e.dataset_uid in datasets or e.dataset_id in datasets)
            and (since is None or e.t >= since)
            and (until is None or e.t <= until)
        ]
