"""Faults as data: what goes wrong, for which datasets, and when.

Rules are immutable; a :class:`FaultBook` holds them together with how often each
has fired, answers the engine's questions ("does this stage fail?", "how many
record errors?", "how much slower?") and the HTTP layer's ("does this call fail?"),
and logs every fault that took effect. A rule's ``dataset`` is an id, a uid, ``*``
for all, or a glob pattern for datasets created at run time.
"""

from __future__ import annotations

import fnmatch
import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from .harvest_faults import HarvestFailure, RemoteOutage, SlowRemote
from .models import Dataset
from .retention import Retention, overflow
from .statemachine import DELETING_STAGES, RECORD_STAGES, Status

S = Status

ANY_DATASET = "*"


def is_pattern(target: str) -> bool:
    """Whether a dataset reference is a glob pattern rather than a name."""
    return any(c in target for c in "*?[")


Matcher = Callable[[Dataset], bool]


@cache
def matcher(target: str) -> Matcher:
    """A test of whether a rule's ``dataset`` names a dataset, compiled once."""
    if target == ANY_DATASET:
        return lambda ds: True
    if is_pattern(target):
        match = re.compile(fnmatch.translate(target)).match
        return lambda ds: match(ds.dataset_id) is not None or match(ds.dataset_uid) is not None
    return lambda ds: ds.dataset_id == target or ds.dataset_uid == target


def _bind(rule: Any) -> None:
    object.__setattr__(rule, "applies_to", matcher(rule.dataset))


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
    applies_to: Matcher = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        _bind(self)

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
    applies_to: Matcher = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        _bind(self)

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
    applies_to: Matcher = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        _bind(self)


@dataclass(frozen=True)
class WorkerOutage:
    """``workers`` workers leave the pool from ``start`` to ``end`` (virtual seconds).

    Jobs already running finish; no new job starts while the pool is short.
    """

    start: float
    end: float | None
    workers: int


#: Failure kinds: the stages they hit by default, their default message and params,
#: and where they stop by default (``None``: half-way through the stage's records).
FAILURE_KINDS: dict[str, tuple[frozenset[Status], str, dict[str, Any], int | None]] = {
    "processing_error": (
        RECORD_STAGES,
        "Could not process resource records: {reason}",
        {"reason": "the source returned invalid data"},
        None,
    ),
    "processor_misconfigured": (
        RECORD_STAGES,
        "Processor {processor_id} is misconfigured for field {field}: {msg}",
        {"processor_id": "pr_000000", "field": "value", "msg": "invalid type"},
        0,
    ),
    "deleting_error": (
        DELETING_STAGES,
        "Could not delete dataset records: {reason}",
        {"reason": "the index did not answer"},
        None,
    ),
    "aborting_error": (
        frozenset({S.ABORTING_PROCESSING}),
        "Could not abort the processing: {reason}",
        {"reason": "the worker did not stop"},
        None,
    ),
    "saving_error": (
        frozenset({S.SAVING_DATASET_VERSION}),
        "Could not save the dataset version: {reason}",
        {"reason": "the version store is full"},
        None,
    ),
}

#: A processing stopped part-way as if another user had aborted it: the stage ends,
#: then the job goes through ``aborting_processing`` as an abort does.
ABORT = "abort_processing"

#: Every fault type a scenario may name.
FAULT_TYPES: tuple[str, ...] = (
    *FAILURE_KINDS,
    ABORT,
    "record_errors",
    "slow_stage",
    "worker_outage",
    "http",
    # on harvests (see .harvest_faults)
    "harvest_error",
    "slow_harvest",
    "remote_outage",
)

HTTP_METHODS: tuple[str, ...] = ("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS")

#: How an HTTP fault may fail on the wire: the connection reset before any answer
#: (the call is not processed), the answer cut short or garbled after it was, or a
#: real wall-clock wait before it.
TRANSPORTS: tuple[str, ...] = ("reset", "truncate", "garble", "delay", "stall")
#: The longest real wait a ``delay`` may ask for, in wall-clock seconds.
MAX_WALL_DELAY = 60.0


@dataclass(frozen=True)
class HttpFault:
    """Answers matching calls of the Management API with an error, or later.

    Calls match on ``methods`` (empty: any) and a glob ``path`` pattern. A rule fires
    on every matching call, on the ``nth`` ones only, or with a seeded
    ``probability``; at most ``times`` times; only between ``start`` and ``end``
    (virtual seconds). ``latency`` virtual seconds pass before the answer; ``status``
    (if any) replaces the answer with an error in the API's shape, or with ``body``.
    ``transport`` (if any) fails the call on the wire (see :data:`TRANSPORTS`);
    ``wall_delay`` is the real wait of a ``delay``.
    """

    path: str
    methods: frozenset[str] = frozenset()
    status: int | None = None
    body: dict[str, Any] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    latency: float = 0.0
    nth: frozenset[int] = frozenset()
    probability: float | None = None
    times: int | None = None
    start: float = 0.0
    end: float | None = None
    transport: str | None = None
    wall_delay: float = 0.0

    def matches(self, method: str, path: str, now: float) -> bool:
        return (
            (not self.methods or method in self.methods)
            and fnmatch.fnmatchcase(path, self.path)
            and self.start <= now
            and (self.end is None or now < self.end)
        )


@dataclass(frozen=True)
class Injection:
    """What an HTTP fault does to one call (``body``: its scenario's own, if it gives one)."""

    latency: float
    status: int | None
    body: dict[str, Any] | None
    headers: dict[str, str]
    transport: str | None = None
    wall_delay: float = 0.0


def book_list(fault_type: str) -> str:
    """The :class:`FaultBook` list a rule of this type goes to."""
    if fault_type in FAILURE_KINDS or fault_type == ABORT:
        return "failures"
    return {
        "record_errors": "record_errors",
        "slow_stage": "slow_stages",
        "worker_outage": "outages",
        "http": "http",
        "harvest_error": "harvest_failures",
        "slow_harvest": "slow_remotes",
        "remote_outage": "remote_outages",
    }[fault_type]


#: Where a rule in force comes from.
SCENARIO, RUN_TIME = "scenario", "run time"


@dataclass(frozen=True)
class RuleInForce:
    """A rule of the book with its id: from the scenario, or added at run time.

    ``item`` is the rule as it was given (a scenario's ``faults:`` item); ``added_at``
    the virtual second it was added at run time (``None``: the scenario's).
    """

    fault_id: str
    origin: str
    item: dict[str, Any]
    rule: Any
    added_at: float | None = None

    @property
    def fault_type(self) -> str:
        return str(self.item["type"])


@dataclass
class FaultBook:
    failures: list[StageFailure] = field(default_factory=list)
    record_errors: list[RecordErrors] = field(default_factory=list)
    slow_stages: list[SlowStage] = field(default_factory=list)
    outages: list[WorkerOutage] = field(default_factory=list)
    http: list[HttpFault] = field(default_factory=list)
    harvest_failures: list[HarvestFailure] = field(default_factory=list)
    slow_remotes: list[SlowRemote] = field(default_factory=list)
    remote_outages: list[RemoteOutage] = field(default_factory=list)
    #: Seeded draws for probabilistic HTTP faults.
    rng: random.Random = field(default_factory=lambda: random.Random(0))
    fired: dict[int, int] = field(default_factory=dict)
    _calls: dict[int, int] = field(default_factory=dict)
    #: Calls that at least one HTTP rule counted: each one changed the book.
    counted_calls: int = 0
    #: The newest faults that took effect: virtual time, kind, dataset (or path), detail.
    log: list[dict[str, Any]] = field(default_factory=list)
    #: How many of them the log keeps (see :mod:`.retention`).
    log_limit: int = Retention().faults
    #: Every rule in force with its id, scenario's first, then as added at run time.
    rules: list[RuleInForce] = field(default_factory=list)
    #: How many rules were ever added at run time: the next one is ``run-<added + 1>``.
    added: int = 0
    #: The scenario's rules taken out of force, by id.
    withdrawn: list[str] = field(default_factory=list)

    def find(self, fault_id: str) -> RuleInForce | None:
        return next((r for r in self.rules if r.fault_id == fault_id), None)

    def add(self, entry: RuleInForce) -> None:
        """Put a rule in force. One added at run time comes before every other rule
        of its kind: where rules are tried in order, the newest is tried first."""
        rules: list[Any] = getattr(self, book_list(entry.fault_type))
        if entry.origin == RUN_TIME:
            rules.insert(0, entry.rule)
        else:
            rules.append(entry.rule)
        self.rules.append(entry)

    def remove(self, entry: RuleInForce) -> None:
        """Take a rule out of force, with its counts."""
        rules: list[Any] = getattr(self, book_list(entry.fault_type))
        for i, rule in enumerate(rules):
            if rule is entry.rule:
                del rules[i]
                break
        self.rules = [r for r in self.rules if r is not entry]
        if entry.origin == SCENARIO:
            self.withdrawn.append(entry.fault_id)
        self.fired.pop(id(entry.rule), None)
        self._calls.pop(id(entry.rule), None)

    def counts(self, entry: RuleInForce) -> dict[str, int]:
        """How often a rule fired, and how many calls an HTTP rule counted: kept for
        HTTP rules and rules limited by ``times`` only (others are not counted)."""
        key = id(entry.rule)
        if entry.fault_type == "http":
            return {"fired": self.fired.get(key, 0), "calls": self._calls.get(key, 0)}
        if getattr(entry.rule, "times", None) is not None:
            return {"fired": self.fired.get(key, 0)}
        return {}

    def note(self, t: float, kind: str, target: str, **detail: Any) -> None:
        self.log.append({"t": t, "kind": kind, "target": target, **detail})
        if overflow(len(self.log), self.log_limit):
            del self.log[: len(self.log) - self.log_limit]

    def counters(self) -> dict[str, list[int]]:
        """How often each rule fired, and each HTTP rule counted a call, in rule order."""
        return {
            "failures_fired": [self.fired.get(id(r), 0) for r in self.failures],
            "http_fired": [self.fired.get(id(r), 0) for r in self.http],
            "http_calls": [self._calls.get(id(r), 0) for r in self.http],
            # only with harvest failures: a book from before they existed digests the same
            **(
                {"harvest_fired": [self.fired.get(id(r), 0) for r in self.harvest_failures]}
                if self.harvest_failures
                else {}
            ),
        }

    def restore_counters(self, counters: dict[str, list[int]]) -> None:
        """Take up the counts :meth:`counters` gave, for the same rules."""
        self.fired = {
            **_by_rule(self.failures, counters["failures_fired"]),
            **_by_rule(self.http, counters["http_fired"]),
            # absent from books written before harvests had faults
            **_by_rule(
                self.harvest_failures,
                counters.get("harvest_fired", [0] * len(self.harvest_failures)),
            ),
        }
        self._calls = _by_rule(self.http, counters["http_calls"])

    def failure_for(self, dataset: Dataset, status: Status) -> StageFailure | None:
        for rule in self.failures:
            if (
                status in rule.stages
                and rule.applies_to(dataset)
                and (rule.times is None or self.fired.get(id(rule), 0) < rule.times)
            ):
                return rule
        return None

    def note_fired(self, rule: StageFailure) -> None:
        if rule.times is not None:  # only a limited rule needs counting
            self.fired[id(rule)] = self.fired.get(id(rule), 0) + 1

    def record_errors_for(self, dataset: Dataset, status: Status) -> list[RecordErrors]:
        return [r for r in self.record_errors if status in r.stages and r.applies_to(dataset)]

    def slowdown(self, dataset: Dataset, status: Status) -> float:
        factor = 1.0
        for rule in self.slow_stages:
            if status in rule.stages and rule.applies_to(dataset):
                factor *= rule.factor
        return factor

    def inject(self, method: str, path: str, now: float) -> Injection | None:
        """The first HTTP fault that fires on this call, if any; counts the call."""
        counted = False
        for rule in self.http:
            if not rule.matches(method, path, now):
                continue
            if not counted:
                counted = True
                self.counted_calls += 1
            key = id(rule)
            self._calls[key] = call = self._calls.get(key, 0) + 1
            if rule.times is not None and self.fired.get(key, 0) >= rule.times:
                continue
            if rule.nth and call not in rule.nth:
                continue
            if rule.probability is not None and self.rng.random() >= rule.probability:
                continue
            self.fired[key] = self.fired.get(key, 0) + 1
            body = dict(rule.body) if rule.body is not None else None
            self.note(
                now,
                "http",
                path,
                method=method,
                status=rule.status,
                latency=rule.latency,
                call=call,
                # only when given: a log without transport faults reads as it did
                **({"transport": rule.transport} if rule.transport else {}),
            )
            return Injection(
                rule.latency,
                rule.status,
                body,
                dict(rule.headers),
                rule.transport,
                rule.wall_delay,
            )
        return None


def _by_rule(rules: list[Any], counts: list[int]) -> dict[int, int]:
    """Counts in rule order, keyed as the book keys them (by rule)."""
    if len(rules) != len(counts):
        raise ValueError(f"{len(counts)} counts for {len(rules)} rules")
    return {id(rule): n for rule, n in zip(rules, counts, strict=True) if n}
