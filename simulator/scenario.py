"""Scenarios: a YAML description of a simulated world, turned into typed settings.

A scenario names the seed, the clock, the platform (workers, license, stage timings),
the users, the datasets that exist at time zero and the faults to inject. Every
problem is reported with the key path where it was found.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from importlib.resources import files
from pathlib import Path
from typing import Any, TypeVar

import yaml

from .clock import CLOCK_MODES, DEFAULT_EPOCH, MAX_SPEED, ClockMode
from .errors import SimulatorError
from .faults import (
    ANY_DATASET,
    DELETING_STAGES,
    PROCESSING_STAGES,
    RECORD_STAGES,
    RecordErrors,
    SlowStage,
    StageFailure,
    WorkerOutage,
)
from .metadata import check_metas, closest
from .models import DOMAIN_PERMISSIONS
from .platform import DEFAULT_TIMINGS, Platform, StageTiming
from .statemachine import VOCABULARIES, WORKING, Status, Vocabulary

T = TypeVar("T")

DEFAULT_USERNAME = "admin"
DEFAULT_PASSWORD = "admin"
DEFAULT_API_KEY = "ods-sim-admin-key"


class ScenarioError(ValueError):
    """A scenario that cannot be loaded; says where and why."""

    def __init__(self, source: str, path: str, message: str) -> None:
        self.source = source
        self.path = path
        self.problem = message
        where = f"{source}: {path}" if path else source
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class UserSpec:
    username: str
    password: str | None
    api_keys: tuple[str, ...]
    permissions: frozenset[str]


@dataclass(frozen=True)
class ResourceSpec:
    title: str
    records: int
    url: str
    type: str = "csvfile"


@dataclass(frozen=True)
class DatasetSpec:
    dataset_id: str
    dataset_uid: str | None
    metas: dict[str, dict[str, Any]]
    visibility: str
    published: bool
    resources: tuple[ResourceSpec, ...]
    owner: str


@dataclass(frozen=True)
class Faults:
    failures: tuple[StageFailure, ...] = ()
    record_errors: tuple[RecordErrors, ...] = ()
    slow_stages: tuple[SlowStage, ...] = ()
    outages: tuple[WorkerOutage, ...] = ()


@dataclass(frozen=True)
class Scenario:
    name: str = "built-in"
    seed: int = 0
    status_names: Vocabulary | None = None
    clock_mode: ClockMode | None = None
    speed: float | None = None
    epoch: datetime = DEFAULT_EPOCH
    platform: Platform = field(default_factory=Platform)
    users: tuple[UserSpec, ...] = ()
    datasets: tuple[DatasetSpec, ...] = ()
    faults: Faults = field(default_factory=Faults)

    def with_overrides(self, **changes: Any) -> Scenario:
        """Return a copy with command-line settings applied (``None`` keeps the file's)."""
        changes = {k: v for k, v in changes.items() if v is not None}
        workers = changes.pop("workers", None)
        scenario = replace(self, **changes)
        if workers is not None:
            scenario = replace(scenario, platform=replace(scenario.platform, workers=workers))
        return scenario


def default_user() -> UserSpec:
    return UserSpec(
        DEFAULT_USERNAME, DEFAULT_PASSWORD, (DEFAULT_API_KEY,), frozenset(DOMAIN_PERMISSIONS)
    )


# reading ------------------------------------------------------------------------


class _Reader:
    """Walks one mapping of the document, tracking the key path for errors."""

    def __init__(self, data: Any, path: str, source: str, known: tuple[str, ...]) -> None:
        self.source = source
        self.path = path
        if not isinstance(data, dict):
            self.fail("", f"expected a mapping, got {_kind(data)}")
        self.data = data
        for key in data:
            if key not in known:
                self.fail(
                    str(key), f"unknown key{closest(str(key), known)}; known: {', '.join(known)}"
                )

    def at(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def fail(self, key: str, message: str) -> None:
        raise ScenarioError(self.source, self.at(key) if key else self.path, message)

    def get(self, key: str, kind: type[T] | tuple[type, ...], default: Any = None) -> Any:
        if key not in self.data or self.data[key] is None:
            return default
        value = self.data[key]
        if isinstance(value, bool) and bool not in _as_tuple(kind):
            self.fail(key, f"expected {_names(kind)}, got a boolean")
        if not isinstance(value, kind):
            self.fail(key, f"expected {_names(kind)}, got {_kind(value)}")
        return value

    def number(self, key: str, default: float | None = None, low: float = 0.0) -> float | None:
        value = self.get(key, (int, float), default)
        if value is not None and value < low:
            self.fail(key, f"must be at least {low:g}, got {value}")
        return None if value is None else float(value)

    def count(self, key: str, default: int | None = None, low: int = 0) -> int | None:
        value = self.get(key, int, default)
        if value is not None and value < low:
            self.fail(key, f"must be at least {low}, got {value}")
        return value

    def choice(self, key: str, choices: tuple[str, ...], default: str | None = None) -> Any:
        value = self.get(key, str, default)
        if value is not None and value not in choices:
            self.fail(key, f"'{value}' is not one of {', '.join(choices)}{closest(value, choices)}")
        return value

    def items(self, key: str) -> list[tuple[str, Any]]:
        value = self.get(key, list, [])
        return [(f"{self.at(key)}[{i}]", item) for i, item in enumerate(value)]


def _as_tuple(kind: type | tuple[type, ...]) -> tuple[type, ...]:
    return kind if isinstance(kind, tuple) else (kind,)


def _names(kind: type | tuple[type, ...]) -> str:
    words = {
        int: "an integer",
        float: "a number",
        str: "a string",
        list: "a list",
        dict: "a mapping",
        bool: "true or false",
    }
    return " or ".join(dict.fromkeys(words.get(k, k.__name__) for k in _as_tuple(kind)))


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    return (
        _names(type(value))
        if type(value) in (int, float, str, list, dict, bool)
        else type(value).__name__
    )


# sections -----------------------------------------------------------------------

_TOP = ("seed", "status_names", "clock", "platform", "users", "datasets", "faults")


def parse_scenario(data: Any, source: str = "<scenario>") -> Scenario:
    """Turn a loaded YAML document into a :class:`Scenario`, or raise :class:`ScenarioError`."""
    if data is None:
        data = {}
    top = _Reader(data, "", source, _TOP)
    clock = _Reader(top.get("clock", dict, {}), "clock", source, ("mode", "speed", "start"))
    users = tuple(_user(_Reader(u, p, source, _USER_KEYS)) for p, u in top.items("users"))
    usernames = {u.username for u in users} or {DEFAULT_USERNAME}
    datasets = tuple(
        _dataset(_Reader(d, p, source, _DATASET_KEYS), usernames) for p, d in top.items("datasets")
    )
    _check_unique(source, "datasets", [d.dataset_id for d in datasets], "dataset_id")
    _check_unique(
        source, "datasets", [d.dataset_uid for d in datasets if d.dataset_uid], "dataset_uid"
    )
    _check_unique(source, "users", [u.username for u in users], "username")
    return Scenario(
        name=source,
        seed=top.count("seed", 0),
        status_names=top.choice("status_names", VOCABULARIES),
        clock_mode=clock.choice("mode", CLOCK_MODES),
        speed=_speed(clock, "speed"),
        epoch=_epoch(clock),
        platform=_platform(top.get("platform", dict, {}), source),
        users=users or (default_user(),),
        datasets=datasets,
        faults=_faults(top.items("faults"), source),
    )


def _check_unique(source: str, path: str, values: list[str], what: str) -> None:
    seen: set[str] = set()
    for i, value in enumerate(values):
        if value in seen:
            raise ScenarioError(source, f"{path}[{i}].{what}", f"'{value}' is used twice")
        seen.add(value)


def _speed(r: _Reader, key: str) -> float | None:
    value = r.number(key)
    if value is not None and not 0 < value <= MAX_SPEED:
        r.fail(key, f"must be above 0 and at most {MAX_SPEED:g}")
    return value


def _epoch(clock: _Reader) -> datetime:
    raw = clock.get("start", (str, datetime))
    if raw is None:
        return DEFAULT_EPOCH
    if isinstance(raw, str):
        try:
            raw = datetime.fromisoformat(raw.replace("Z", "+00:00"))
        except ValueError:
            clock.fail("start", f"'{raw}' is not an ISO 8601 datetime")
    return raw if raw.tzinfo else raw.replace(tzinfo=UTC)


_STAGE_NAMES = tuple(s.value for s in Status if s in WORKING)


def _platform(data: Any, source: str) -> Platform:
    r = _Reader(data, "platform", source, ("workers", "license", "stages"))
    lic = _Reader(
        r.get("license", dict, {}), "platform.license", source, ("max_records_by_dataset",)
    )
    stages = _Reader(r.get("stages", dict, {}), "platform.stages", source, _STAGE_NAMES)
    timings = dict(DEFAULT_TIMINGS)
    for name in stages.data:
        s = _Reader(stages.data[name], stages.at(name), source, ("base", "rate", "jitter"))
        default = DEFAULT_TIMINGS[Status(name)]
        rate = s.number("rate", default.rate)
        if rate is not None and rate <= 0:
            s.fail("rate", "must be greater than 0 (leave it out for a stage without records)")
        jitter = s.number("jitter", default.jitter)
        if jitter is not None and jitter >= 1:
            s.fail("jitter", f"must be below 1 (a relative spread), got {jitter:g}")
        timings[Status(name)] = StageTiming(
            s.number("base", default.base) or 0.0, rate, jitter or 0.0
        )
    return Platform(
        workers=r.count("workers", 2) or 0,
        max_records_by_dataset=lic.count("max_records_by_dataset"),
        timings=timings,
    )


_USER_KEYS = ("username", "password", "api_keys", "permissions")


def _user(r: _Reader) -> UserSpec:
    username = r.get("username", str)
    if not username:
        r.fail("username", "is required")
    keys = r.get("api_keys", list, [])
    for i, key in enumerate(keys):
        if not isinstance(key, str) or not key:
            r.fail(f"api_keys[{i}]", "expected a non-empty string")
    perms = r.get("permissions", (list, str), [])
    if perms == "all":
        perms = list(DOMAIN_PERMISSIONS)
    elif isinstance(perms, str):
        r.fail("permissions", "expected a list of permissions, or 'all'")
    for i, perm in enumerate(perms):
        if perm not in DOMAIN_PERMISSIONS:
            r.fail(
                f"permissions[{i}]",
                f"unknown permission '{perm}'{closest(str(perm), DOMAIN_PERMISSIONS)}; "
                f"known: {', '.join(DOMAIN_PERMISSIONS)}",
            )
    return UserSpec(username, r.get("password", str), tuple(keys), frozenset(perms))


_DATASET_KEYS = (
    "dataset_id",
    "dataset_uid",
    "metas",
    "visibility",
    "published",
    "resources",
    "owner",
)


def _dataset(r: _Reader, usernames: set[str]) -> DatasetSpec:
    dataset_id = r.get("dataset_id", str)
    if not dataset_id:
        r.fail("dataset_id", "is required")
    uid = r.get("dataset_uid", str)
    if uid is not None and not _is_uid(uid):
        r.fail("dataset_uid", f"'{uid}' is not 'da_' followed by 6 lowercase letters or digits")
    try:
        metas = check_metas(r.get("metas", dict, {}))
    except SimulatorError as exc:
        r.fail("metas", exc.message)
    metas.setdefault("default", {}).setdefault("title", dataset_id)
    resources = []
    for path, item in r.items("resources"):
        res = _Reader(item, path, r.source, ("title", "records", "url", "type"))
        title = res.get("title", str) or f"{dataset_id}.csv"
        resources.append(
            ResourceSpec(
                title=title,
                records=res.count("records", 0) or 0,
                url=res.get("url", str) or f"odsfile://{title}",
                type=res.choice("type", ("csvfile", "realtime", "http"), "csvfile"),
            )
        )
    owner = r.get("owner", str, next(iter(sorted(usernames))))
    if owner not in usernames:
        r.fail("owner", f"no user '{owner}' in this scenario{closest(owner, usernames)}")
    return DatasetSpec(
        dataset_id=dataset_id,
        dataset_uid=uid,
        metas=metas,
        visibility=r.choice("visibility", ("domain", "restricted"), "domain"),
        published=r.get("published", bool, False),
        resources=tuple(resources),
        owner=owner,
    )


def _is_uid(uid: str) -> bool:
    return (
        len(uid) == 9 and uid.startswith("da_") and uid[3:].isalnum() and uid[3:] == uid[3:].lower()
    )


# faults -------------------------------------------------------------------------

_FAILURE_KINDS: dict[str, tuple[frozenset[Status], str, dict[str, Any], int | None]] = {
    # kind: (default stages, default raw_message, default raw_params, default after_records)
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
        frozenset({Status.ABORTING_PROCESSING}),
        "Could not abort the processing: {reason}",
        {"reason": "the worker did not stop"},
        None,
    ),
    "saving_error": (
        frozenset({Status.SAVING_DATASET_VERSION}),
        "Could not save the dataset version: {reason}",
        {"reason": "the version store is full"},
        None,
    ),
}
_FAULT_TYPES = (*_FAILURE_KINDS, "record_errors", "slow_stage", "worker_outage")


def _faults(items: list[tuple[str, Any]], source: str) -> Faults:
    failures: list[StageFailure] = []
    record_errors: list[RecordErrors] = []
    slow: list[SlowStage] = []
    outages: list[WorkerOutage] = []
    for path, item in items:
        kind = item.get("type") if isinstance(item, dict) else None
        if kind not in _FAULT_TYPES:
            hint = closest(str(kind), _FAULT_TYPES) if kind else ""
            raise ScenarioError(
                source, f"{path}.type", f"expected one of {', '.join(_FAULT_TYPES)}{hint}"
            )
        builder = _FAULT_BUILDERS.get(kind, _failure)
        rule = builder(item, path, source)
        {
            StageFailure: failures,
            RecordErrors: record_errors,
            SlowStage: slow,
            WorkerOutage: outages,
        }[type(rule)].append(rule)  # type: ignore[attr-defined]
    return Faults(tuple(failures), tuple(record_errors), tuple(slow), tuple(outages))


def _stages(r: _Reader, default: frozenset[Status]) -> frozenset[Status]:
    raw = r.get("stage", (str, list))
    if raw is None:
        return default
    names = [raw] if isinstance(raw, str) else raw
    for name in names:
        if name not in _STAGE_NAMES:
            r.fail("stage", f"'{name}' is not a working status{closest(str(name), _STAGE_NAMES)}")
    return frozenset(Status(n) for n in names)


def _message(
    r: _Reader, default_message: str, default_params: dict[str, Any]
) -> tuple[str, dict[str, Any]]:
    raw_message = r.get("raw_message", str, default_message)
    params = r.get("raw_params", dict, default_params if "raw_message" not in r.data else {})
    try:
        raw_message.format(**params)
    except (KeyError, IndexError, ValueError) as exc:
        r.fail("raw_message", f"cannot be filled from raw_params: {exc!r}")
    return raw_message, dict(params)


def _failure(item: Any, path: str, source: str) -> StageFailure:
    keys = (
        "type",
        "dataset",
        "stage",
        "after_records",
        "at_fraction",
        "times",
        "raw_message",
        "raw_params",
    )
    r = _Reader(item, path, source, keys)
    kind = item["type"]
    stages, message, params, after = _FAILURE_KINDS[kind]
    raw_message, raw_params = _message(r, message, params)
    fraction = r.number("at_fraction")
    if fraction is not None and fraction > 1:
        r.fail("at_fraction", f"must be between 0 and 1, got {fraction:g}")
    if fraction is not None and "after_records" in item:
        r.fail("at_fraction", "give either after_records or at_fraction, not both")
    return StageFailure(
        kind=kind,
        dataset=r.get("dataset", str, ANY_DATASET),
        stages=_stages(r, stages),
        raw_message=raw_message,
        raw_params=raw_params,
        after_records=r.count("after_records", after if fraction is None else None),
        at_fraction=fraction,
        times=r.count("times", None, low=1),
    )


def _record_errors(item: Any, path: str, source: str) -> RecordErrors:
    keys = (
        "type",
        "dataset",
        "stage",
        "count",
        "rate",
        "field",
        "processor_uid",
        "raw_message",
        "raw_params",
    )
    r = _Reader(item, path, source, keys)
    count, rate = r.count("count"), r.number("rate")
    if (count is None) == (rate is None):
        r.fail("count", "give exactly one of count or rate")
    if rate is not None and rate > 1:
        r.fail("rate", f"must be between 0 and 1, got {rate:g}")
    field_uid = r.get("field", str, "value")
    raw_message, raw_params = _message(
        r, 'Cannot convert "{value}" to "{type}"', {"value": "n/a", "type": "int"}
    )
    return RecordErrors(
        dataset=r.get("dataset", str, ANY_DATASET),
        field_uid=field_uid,
        raw_message=raw_message,
        raw_params=raw_params,
        count=count,
        rate=rate,
        processor_uid=r.get("processor_uid", str),
        stages=_stages(r, RECORD_STAGES),
    )


def _slow_stage(item: Any, path: str, source: str) -> SlowStage:
    r = _Reader(item, path, source, ("type", "dataset", "stage", "factor"))
    factor = r.number("factor")
    if factor is None or factor <= 0:
        r.fail("factor", "is required and must be greater than 0")
    return SlowStage(r.get("dataset", str, ANY_DATASET), _stages(r, PROCESSING_STAGES), factor)


def _worker_outage(item: Any, path: str, source: str) -> WorkerOutage:
    r = _Reader(item, path, source, ("type", "from", "until", "workers"))
    start = r.number("from", 0.0)
    end = r.number("until")
    if end is not None and start is not None and end <= start:
        r.fail("until", f"must be after 'from' ({start:g}), got {end:g}")
    workers = r.count("workers", 1, low=1)
    return WorkerOutage(start or 0.0, end, workers or 1)


_FAULT_BUILDERS: dict[str, Callable[[Any, str, str], Any]] = {
    "record_errors": _record_errors,
    "slow_stage": _slow_stage,
    "worker_outage": _worker_outage,
}


# loading ------------------------------------------------------------------------


def load_scenario_text(text: str, source: str = "<scenario>") -> Scenario:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else ""
        raise ScenarioError(
            source, where, f"not valid YAML: {getattr(exc, 'problem', exc)}"
        ) from None
    return parse_scenario(data, source)


def load_scenario(path: str | Path) -> Scenario:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ScenarioError(str(path), "", f"cannot read the file: {exc.strerror}") from None
    return load_scenario_text(text, str(path))


def default_scenario() -> Scenario:
    """The built-in scenario the quick start runs."""
    text = (files("simulator.scenarios") / "default.yaml").read_text(encoding="utf-8")
    return load_scenario_text(text, "default.yaml")
