"""The dataset status state machine, declared as data.

The engine runs on fifteen fine statuses; the API shows them either as they are or
projected onto the platform's coarse public names. The transition table below is the
only place that says which moves exist: the engine refuses any other, the control API
serves it, the diagram is drawn from it and the tests walk it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal


class Status(StrEnum):
    """The fine statuses of a dataset; the values are the wire names."""

    IDLE = "idle"
    QUEUED = "queued"
    PROCESSING_DATASET = "processing_dataset"
    PROCESSING_RESOURCE_RECORDS = "processing_resource_records"
    PROCESSING_ALL_DATASET_DATA = "processing_all_dataset_data"
    PROCESSING_REALTIME = "processing_realtime"
    RECOVERING_REALTIME_RECORDS = "recovering_realtime_records"
    DELETING_DATASET = "deleting_dataset"
    DELETING_RESOURCE_RECORDS = "deleting_resource_records"
    DELETING_ALL_DATASET_DATA = "deleting_all_dataset_data"
    SCRATCHING_REALTIME_RECOVER_DATA = "scratching_realtime_recover_data"
    SAVING_DATASET_VERSION = "saving_dataset_version"
    ABORTING_PROCESSING = "aborting_processing"
    ERROR = "error"
    LIMIT_REACHED = "limit_reached"


#: Pseudo destination: the dataset no longer exists.
REMOVED = "removed"

Vocabulary = Literal["coarse", "fine"]
VOCABULARIES: tuple[Vocabulary, ...] = ("coarse", "fine")

S = Status

#: The public (coarse) name of every fine status.
PUBLIC_NAME: dict[Status, str] = {
    S.IDLE: "idle",
    S.QUEUED: "queued",
    S.PROCESSING_DATASET: "processing",
    S.PROCESSING_RESOURCE_RECORDS: "processing",
    S.PROCESSING_ALL_DATASET_DATA: "processing",
    S.PROCESSING_REALTIME: "processing",
    S.RECOVERING_REALTIME_RECORDS: "processing",
    S.DELETING_DATASET: "deleting",
    S.DELETING_RESOURCE_RECORDS: "deleting",
    S.DELETING_ALL_DATASET_DATA: "deleting",
    S.SCRATCHING_REALTIME_RECOVER_DATA: "deleting",
    S.SAVING_DATASET_VERSION: "saving_version",
    S.ABORTING_PROCESSING: "aborting_processing",
    S.ERROR: "error",
    S.LIMIT_REACHED: "limit_reached",
}

#: The public name of each fine status, by wire name (and of the pseudo status).
PUBLIC_OF: dict[str, str] = {s.value: PUBLIC_NAME[s] for s in Status} | {REMOVED: REMOVED}

#: The coarse names in display order.
PUBLIC_NAMES: tuple[str, ...] = tuple(dict.fromkeys(PUBLIC_NAME.values()))


def project(status: Status | str, vocabulary: Vocabulary) -> str:
    """Name a fine status (a member or its wire name) in the chosen vocabulary."""
    return PUBLIC_OF[status] if vocabulary == "coarse" else str(status)


@dataclass(frozen=True, slots=True)
class Transition:
    """One allowed move, with what makes the engine take it."""

    source: Status
    destination: Status | str
    trigger: str


def _rows(sources: tuple[Status, ...], moves: dict[Status | str, str]) -> list[Transition]:
    return [Transition(src, dst, why) for src in sources for dst, why in moves.items()]


_ACCEPTED = "an action is accepted"
_WORKER = "a worker is free"
_FAILED = "the stage fails"
_ABORT = "abort_processing is received"
_LIMIT = "the license's record limit is hit"

TRANSITIONS: tuple[Transition, ...] = tuple(
    _rows((S.IDLE, S.ERROR, S.LIMIT_REACHED), {S.QUEUED: _ACCEPTED})
    + _rows((S.IDLE, S.ERROR), {REMOVED: "an unpublished dataset is deleted"})
    + _rows(
        (S.QUEUED,),
        {
            S.PROCESSING_DATASET: f"{_WORKER}: publish or publish_metadata starts",
            S.PROCESSING_REALTIME: f"{_WORKER}: pushed realtime records are indexed",
            S.DELETING_ALL_DATASET_DATA: f"{_WORKER}: unpublish, delete or full reprocess",
            S.SAVING_DATASET_VERSION: f"{_WORKER}: save_version starts",
            S.RECOVERING_REALTIME_RECORDS: f"{_WORKER}: realtime recover starts",
            S.SCRATCHING_REALTIME_RECOVER_DATA: f"{_WORKER}: recover data deletion starts",
        },
    )
    + _rows(
        (S.PROCESSING_DATASET,),
        {
            S.PROCESSING_ALL_DATASET_DATA: "all records must be processed",
            S.PROCESSING_RESOURCE_RECORDS: "only changed resources must be processed",
            S.DELETING_RESOURCE_RECORDS: "a resource was removed since the last publish",
            S.IDLE: "metadata processed, no records to process",
            S.ERROR: _FAILED,
            S.ABORTING_PROCESSING: _ABORT,
        },
    )
    + _rows(
        (S.DELETING_RESOURCE_RECORDS,),
        {S.PROCESSING_RESOURCE_RECORDS: "removed resource's records deleted", S.ERROR: _FAILED},
    )
    + _rows(
        (S.PROCESSING_RESOURCE_RECORDS, S.PROCESSING_ALL_DATASET_DATA),
        {
            S.IDLE: "all records processed",
            S.ERROR: _FAILED,
            S.LIMIT_REACHED: _LIMIT,
            S.ABORTING_PROCESSING: _ABORT,
        },
    )
    + _rows(
        (S.PROCESSING_REALTIME, S.RECOVERING_REALTIME_RECORDS),
        {S.IDLE: "records indexed", S.ERROR: _FAILED, S.LIMIT_REACHED: _LIMIT},
    )
    + _rows(
        (S.DELETING_ALL_DATASET_DATA,),
        {
            S.DELETING_DATASET: "records deleted, the dataset is being removed",
            S.PROCESSING_DATASET: "records deleted, reprocessing starts",
            S.ERROR: _FAILED,
        },
    )
    + _rows(
        (S.DELETING_DATASET,),
        {S.IDLE: "unpublished", S.ERROR: _FAILED, REMOVED: "the dataset is deleted"},
    )
    + _rows(
        (S.ABORTING_PROCESSING, S.SAVING_DATASET_VERSION, S.SCRATCHING_REALTIME_RECOVER_DATA),
        {S.IDLE: "the stage ends", S.ERROR: _FAILED},
    )
)

ALLOWED: frozenset[tuple[Status, Status | str]] = frozenset(
    (t.source, t.destination) for t in TRANSITIONS
)


#: For each allowed move: the two wire names, and whether the public name changes.
MOVES: dict[tuple[Status, Status | str], tuple[str, str, bool]] = {
    (t.source, t.destination): (
        t.source.value,
        str(t.destination),
        PUBLIC_NAME[t.source] != PUBLIC_OF[t.destination],
    )
    for t in TRANSITIONS
}


class IllegalTransition(RuntimeError):
    """The engine tried a move the table does not allow (a bug, never bad input)."""


def check(source: Status, destination: Status | str) -> None:
    """Refuse any move that is not in the table."""
    if (source, destination) not in ALLOWED:
        raise IllegalTransition(f"{source} -> {destination} is not in the transition table")


#: The asynchronous actions of the API, each a ``PUT .../datasets/{uid}/{action}``.
ACTIONS: tuple[str, ...] = (
    "publish",
    "unpublish",
    "abort_processing",
    "save_version",
    "publish_metadata",
)

#: Statuses from which a new action is accepted.
ACTION_ORIGINS: tuple[Status, ...] = (S.IDLE, S.ERROR, S.LIMIT_REACHED)

#: Statuses from which abort_processing is accepted (the real platform's list).
ABORTABLE: tuple[Status, ...] = (
    S.PROCESSING_DATASET,
    S.PROCESSING_RESOURCE_RECORDS,
    S.PROCESSING_ALL_DATASET_DATA,
)

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

#: Statuses that hold a worker.
WORKING: frozenset[Status] = frozenset(PUBLIC_NAME) - {S.IDLE, S.QUEUED, S.ERROR, S.LIMIT_REACHED}


def origins_text(origins: tuple[Status, ...]) -> str:
    """Spell allowed origins as the real platform does: ``idle, error, limit_reached``."""
    return ", ".join(s.value for s in origins)


def table() -> dict[str, object]:
    """Describe the machine as plain JSON-ready data."""
    return {
        "statuses": [
            {"name": s.value, "public_name": PUBLIC_NAME[s], "holds_worker": s in WORKING}
            for s in Status
        ],
        "public_names": list(PUBLIC_NAMES),
        "pseudo_statuses": [REMOVED],
        "transitions": [
            {"from": t.source.value, "to": str(t.destination), "trigger": t.trigger}
            for t in TRANSITIONS
        ],
        "action_origins": [s.value for s in ACTION_ORIGINS],
        "abortable": [s.value for s in ABORTABLE],
        "harvesters": harvester_table(),
    }


# harvesters ------------------------------------------------------------------------------


class HarvesterStatus(StrEnum):
    """A harvester's statuses: the Automation API's enum, the only full list published."""

    NEW = "new"
    QUEUED = "queued"
    PROCESSING = "processing"
    ABORTING = "aborting"
    DELETING = "deleting"
    IDLE = "idle"


H = HarvesterStatus

#: Every move a harvester makes. ``deleting`` is listed by the platform but never
#: entered here: a delete is immediate. An abort (the Automation API's; the Management
#: API has none) stops a harvest under way: ``aborting`` holds its worker a moment,
#: then the harvester is ``idle``, its harvest's datasets not made.
HARVESTER_TRANSITIONS: tuple[tuple[HarvesterStatus, HarvesterStatus | str, str], ...] = (
    (H.NEW, H.QUEUED, "start is accepted"),
    (H.IDLE, H.QUEUED, "start is accepted"),
    (H.QUEUED, H.PROCESSING, _WORKER),
    (H.PROCESSING, H.IDLE, "the remote catalogue is harvested"),
    (H.PROCESSING, H.ABORTING, "abort is accepted"),
    (H.ABORTING, H.IDLE, "the harvest is aborted"),
    (H.NEW, REMOVED, "the harvester is deleted"),
    (H.IDLE, REMOVED, "the harvester is deleted"),
)

HARVESTER_ALLOWED: frozenset[tuple[HarvesterStatus, HarvesterStatus | str]] = frozenset(
    (source, destination) for source, destination, _ in HARVESTER_TRANSITIONS
)

#: Statuses from which a harvester may be started, published, unpublished or deleted.
HARVESTER_ACTION_ORIGINS: tuple[HarvesterStatus, ...] = (H.NEW, H.IDLE)
#: Statuses from which a harvest may be aborted: only one a worker runs, as a dataset's.
HARVESTER_ABORTABLE: tuple[HarvesterStatus, ...] = (H.PROCESSING,)


def check_harvester(source: HarvesterStatus, destination: HarvesterStatus | str) -> None:
    """Refuse any harvester move that is not in the table."""
    if (source, destination) not in HARVESTER_ALLOWED:
        raise IllegalTransition(f"harvester {source} -> {destination} is not in the table")


def harvester_table() -> dict[str, object]:
    """The harvesters' machine as plain JSON-ready data."""
    return {
        "statuses": [s.value for s in HarvesterStatus],
        "transitions": [
            {"from": s.value, "to": str(d), "trigger": why} for s, d, why in HARVESTER_TRANSITIONS
        ],
        "action_origins": [s.value for s in HARVESTER_ACTION_ORIGINS],
    }
