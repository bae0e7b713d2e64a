"""What a sweep tries: one fault per case, at one point of a clean run.

A clean run is summed up as a :class:`Recording`: the calls the client made to the
platform's APIs, in order, and the stages its jobs went through. Each case adds one
fault to the scenario the run started from, aimed at one of those points: the n-th
call answered with an error or failing on the wire, or one job's stage failing,
slowed down, aborted by someone else, stopped by the license or kept waiting by a
worker outage. The case's scenario is an ordinary scenario document, so a failing
case can be replayed from its YAML file.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..domain.statemachine import DELETING_STAGES, PROCESSING_STAGES, Status

#: Faults aimed at one call of the client: the n-th call to the platform's APIs.
CALL_KINDS: tuple[str, ...] = ("http_500", "http_503", "http_429", "reset", "timeout")
#: Faults aimed at one stage of a job.
STAGE_KINDS: tuple[str, ...] = ("processing_error", "slow_stage", "abort")
#: Faults aimed at one job as a whole.
JOB_KINDS: tuple[str, ...] = ("limit_reached", "worker_outage")
#: Every kind, in the order a report lists them.
KINDS: tuple[str, ...] = (*CALL_KINDS, *STAGE_KINDS, *JOB_KINDS)

#: Seconds the platform asks a client to wait in a 429's ``Retry-After``.
RETRY_AFTER = 10
#: How much longer a slowed stage takes.
SLOW_FACTOR = 10
#: Virtual seconds a worker outage keeps the queue still (a quarter of an hour).
OUTAGE_SECONDS = 900
#: Wall seconds a stalled call holds a connection before the server gives up on it
#: (in-process, a client's own timeout fires at once instead).
STALL_SECONDS = 5
#: The cases a sweep runs at most, unless told otherwise.
DEFAULT_MAX_CASES = 200

#: Every path of the platform's APIs, as an HTTP fault rule matches it.
API_PATHS = "/api/*"


@dataclass(frozen=True)
class Call:
    """One call the client made: its rank among the calls to the platform's APIs."""

    number: int
    method: str
    path: str

    def label(self) -> str:
        return f"call {self.number} ({self.method} {self.path})"


@dataclass(frozen=True)
class Stage:
    """A stage a job went through: the dataset, the fine status, when it began."""

    dataset: str
    status: str
    t: float


@dataclass(frozen=True)
class Job:
    """A job of the clean run: its dataset, when it was queued, the records it held."""

    dataset: str
    queued_at: float
    records: int


@dataclass(frozen=True)
class Recording:
    """What a clean run did, as far as a sweep aims faults at it."""

    calls: tuple[Call, ...] = ()
    stages: tuple[Stage, ...] = ()
    jobs: tuple[Job, ...] = ()
    #: Datasets the scenario itself has (others were made by the client at run time).
    scenario_datasets: frozenset[str] = frozenset()
    #: The pool's size, which a worker outage empties.
    workers: int = 2


@dataclass(frozen=True)
class Case:
    """One fault at one point: the scenario's additions that make it happen."""

    number: int
    kind: str
    point: str
    faults: tuple[dict[str, Any], ...] = ()
    platform: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return f"{self.kind} at {self.point}"

    def scenario(self, base: dict[str, Any] | None) -> dict[str, Any]:
        """The document of the scenario that runs this case: ``base`` and the fault."""
        document = dict(base or {})
        if self.faults:
            document["faults"] = [*document.get("faults", []), *self.faults]
        if self.platform:
            platform = dict(document.get("platform", {}))
            for key, value in self.platform.items():
                platform[key] = {**platform.get(key, {}), **value}
            document["platform"] = platform
        return document


def plan(
    recording: Recording,
    kinds: Iterable[str] | None = None,
    max_cases: int = DEFAULT_MAX_CASES,
    seed: int = 0,
) -> list[Case]:
    """Every case of the chosen kinds, or a seeded sample of ``max_cases`` of them."""
    return planned_cases(recording, kinds, max_cases, seed)[0]


def planned_cases(
    recording: Recording,
    kinds: Iterable[str] | None = None,
    max_cases: int = DEFAULT_MAX_CASES,
    seed: int = 0,
) -> tuple[list[Case], int]:
    """The cases :func:`plan` gives, and how many there were before sampling."""
    chosen = KINDS if kinds is None else tuple(kinds)
    unknown = [k for k in chosen if k not in KINDS]
    if unknown:
        raise ValueError(f"unknown fault kinds {unknown}; known: {', '.join(KINDS)}")
    drafts: list[tuple[str, str, tuple[dict[str, Any], ...], dict[str, Any]]] = []
    for kind in (k for k in KINDS if k in chosen):
        drafts += _drafts(kind, recording)
    total = len(drafts)
    if total > max_cases:
        keep = sorted(random.Random(seed).sample(range(len(drafts)), max_cases))
        drafts = [drafts[i] for i in keep]
    cases = [
        Case(number, kind, point, faults, platform)
        for number, (kind, point, faults, platform) in enumerate(drafts, 1)
    ]
    return cases, total


Draft = tuple[str, str, tuple[dict[str, Any], ...], dict[str, Any]]


def _drafts(kind: str, recording: Recording) -> list[Draft]:
    if kind in CALL_KINDS:
        return [(kind, call.label(), (_call_fault(kind, call),), {}) for call in recording.calls]
    if kind in STAGE_KINDS:
        return [
            (kind, f"{stage.dataset} {stage.status}", (fault,), {})
            for stage in recording.stages
            if (fault := _stage_fault(kind, stage, recording)) is not None
        ]
    if kind == "limit_reached":
        return [
            (
                kind,
                f"{job.dataset} job queued at {job.queued_at:g}s",
                (),
                {"license": {"max_records_by_dataset": job.records // 2}},
            )
            for job in _distinct_datasets(recording.jobs)
            if job.records >= 2
        ]
    return [
        (
            kind,
            f"{job.dataset} job queued at {job.queued_at:g}s",
            (
                {
                    "type": "worker_outage",
                    "from": job.queued_at,
                    "until": job.queued_at + OUTAGE_SECONDS,
                    "workers": recording.workers,
                },
            ),
            {},
        )
        for job in recording.jobs
    ]


def _call_fault(kind: str, call: Call) -> dict[str, Any]:
    rule: dict[str, Any] = {"type": "http", "path": API_PATHS, "nth": [call.number]}
    if kind == "http_500":
        rule["status"] = 500
    elif kind == "http_503":
        rule["status"] = 503
    elif kind == "http_429":
        rule.update(status=429, headers={"Retry-After": str(RETRY_AFTER)})
    elif kind == "reset":
        rule["transport"] = "reset"
    else:
        rule.update(transport="stall", wall_delay=STALL_SECONDS)
    return rule


def _stage_fault(kind: str, stage: Stage, recording: Recording) -> dict[str, Any] | None:
    status = Status(stage.status)
    dataset = _reference(stage.dataset, recording)
    if kind == "slow_stage":
        if status not in PROCESSING_STAGES | DELETING_STAGES:
            return None
        return {
            "type": "slow_stage",
            "dataset": dataset,
            "stage": stage.status,
            "factor": SLOW_FACTOR,
        }
    if status not in PROCESSING_STAGES:
        return None
    if kind == "abort":
        return {"type": "abort_processing", "dataset": dataset, "stage": stage.status, "times": 1}
    return {
        "type": "processing_error",
        "dataset": dataset,
        "stage": stage.status,
        "at_fraction": 0.5,
        "times": 1,
    }


def _reference(dataset: str, recording: Recording) -> str:
    """How a rule names a dataset: by id if the scenario has it, else by a pattern that
    matches the one the client made (a rule may not name a dataset the scenario lacks)."""
    return dataset if dataset in recording.scenario_datasets else f"{dataset}*"


def _distinct_datasets(jobs: Sequence[Job]) -> list[Job]:
    seen: dict[str, Job] = {}
    for job in jobs:
        seen.setdefault(job.dataset, job)
    return list(seen.values())
