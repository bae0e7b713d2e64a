"""Faults as data: what goes wrong, for which datasets, and when.

Rules are immutable; a :class:`FaultBook` holds them together with how often each
has fired, and answers the engine's questions ("does this stage fail?", "how many
record errors?", "how much slower?").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .models import Dataset
from .statemachine import Status

S = Status

#: Stages that index records.
RECORD_STAGES: frozenset[Status] = frozenset(
    {
        S.PROCESSING_ALL_DATASET_DATA,
        S.PROCESSING_RESOURCE_RECORDS,
        S.PROCESSING_REALTIME,
        S.RECOVERING_REALTIME_RECORDS,
    }
)
PROCESSING_STAGES: frozenset[Status] = RECORD_STAGES | {S.PROCESSING_DATASET}
DELETING_STAGES: frozenset[Status] = frozenset(
    {
        S.DELETING_DATASET,
        S.DELETING_RESOURCE_RECORDS,
        S.DELETING_ALL_DATASET_DATA,
        S.SCRATCHING_REALTIME_RECOVER_DATA,
    }
)

ANY_DATASET = "*"


def _matches(target: str, dataset: Dataset) -> bool:
    return target in (ANY_DATASET, dataset.dataset_id, dataset.dataset_uid)


@dataclass(frozen=True)
class StageFailure:
    """A stage that ends in ``error`` instead of going on.

    It stops at record ``after_records`` of the stage, or at ``at_fraction`` of the
    stage's records; a stage that handles no records fails when it would have ended.
    It fires ``times`` times (``None``: every time it applies).
    """

    kind: str
    dataset: str
    stages: frozenset[Status]
    raw_message: str
    raw_params: dict[str, Any] = field(default_factory=dict)
    after_records: int | None = None
    at_fraction: float | None = None
    times: int | None = None

    def stop_point(self, work: int) -> int | None:
        """The record at which the stage fails, or ``None`` if it never gets there."""
        if self.after_records is not None:
            return self.after_records if self.after_records <= work else None
        return int(work * (0.5 if self.at_fraction is None else self.at_fraction))


@dataclass(frozen=True)
class RecordErrors:
    """Bad values in records: a fixed ``count``, or a ``rate`` of the records processed."""

    dataset: str
    field_uid: str
    raw_message: str
    raw_params: dict[str, Any] = field(default_factory=dict)
    count: int | None = None
    rate: float | None = None
    processor_uid: str | None = None
    stages: frozenset[Status] = RECORD_STAGES

    def how_many(self, processed: int) -> int:
        if self.count is not None:
            return min(self.count, processed)
        return round(processed * (self.rate or 0.0))


@dataclass(frozen=True)
class SlowStage:
    """Stages that take ``factor`` times longer."""

    dataset: str
    stages: frozenset[Status]
    factor: float


@dataclass(frozen=True)
class WorkerOutage:
    """``workers`` workers leave the pool from ``start`` to ``end`` (virtual seconds).

    Jobs already running finish; no new job starts while the pool is short.
    """

    start: float
    end: float | None
    workers: int


@dataclass
class FaultBook:
    failures: list[StageFailure] = field(default_factory=list)
    record_errors: list[RecordErrors] = field(default_factory=list)
    slow_stages: list[SlowStage] = field(default_factory=list)
    outages: list[WorkerOutage] = field(default_factory=list)
    fired: dict[int, int] = field(default_factory=dict)

    def failure_for(self, dataset: Dataset, status: Status) -> StageFailure | None:
        for rule in self.failures:
            if (
                status in rule.stages
                and _matches(rule.dataset, dataset)
                and (rule.times is None or self.fired.get(id(rule), 0) < rule.times)
            ):
                return rule
        return None

    def note_fired(self, rule: StageFailure) -> None:
        self.fired[id(rule)] = self.fired.get(id(rule), 0) + 1

    def record_errors_for(self, dataset: Dataset, status: Status) -> list[RecordErrors]:
        return [
            r for r in self.record_errors if status in r.stages and _matches(r.dataset, dataset)
        ]

    def slowdown(self, dataset: Dataset, status: Status) -> float:
        factor = 1.0
        for rule in self.slow_stages:
            if status in rule.stages and _matches(rule.dataset, dataset):
                factor *= rule.factor
        return factor
