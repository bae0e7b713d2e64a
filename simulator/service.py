"""The simulator facade: every public operation, behind one lock.

The HTTP layer, the command line and in-process users all go through
:class:`Simulator`. Each operation takes the lock, lets the clock policy catch the
engine up to "now", checks everything it was given, and only then changes state, so
a refused request leaves nothing half-done. Answers are JSON-ready dicts rendered
under the lock, never live model objects.
"""

from __future__ import annotations

import functools
import math
import random
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ParamSpec, TypeVar

from . import statemachine as sm
from .clock import CLOCK_MODES, END_OF_TIME, MAX_SPEED, Clock, ClockMode
from .datagen import DEFAULT_FIELDS, sample_records
from .engine import Engine
from .errors import (
    AuthenticationRequired,
    BadRequest,
    InvalidParameter,
    InvalidScenario,
    InvalidStatusPrecondition,
    PermissionDenied,
    UnknownDataset,
    UnknownJob,
)
from .faults import FaultBook, Injection
from .metadata import check_metas, closest
from .models import Dataset, Job, Resource, User
from .query import parse_where, sort_datasets
from .render import View, dataset_json, job_json, status_json
from .scenario import DatasetSpec, Scenario, ScenarioError, ScriptStep, load_scenario_text
from .script import Script
from .statemachine import Status, Vocabulary
from .store import Store, slugify
from .timeline import Timeline, to_csv, to_ndjson, to_table

P = ParamSpec("P")
R = TypeVar("R")

TIMELINE_FORMATS = {"ndjson": to_ndjson, "csv": to_csv, "table": to_table}

#: Demo speed when a scenario sets none: a publish moves visibly in a few seconds.
DEFAULT_SPEED = 10.0


_DATASET_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$")
_WRITABLE = ("dataset_id", "metas", "visibility")
#: Keys of a fetched dataset that a client may send back unchanged; ignored on write.
_READ_ONLY = (
    "dataset_uid",
    "published",
    "status",
    "last_modified",
    "default_security",
    "changes",
    "metadata",
    "created",
)
VISIBILITIES = ("domain", "restricted")


@dataclass(frozen=True)
class Ask:
    """How the caller wants the answer: status vocabulary and relations to expand."""

    vocabulary: Vocabulary | None = None
    expand: frozenset[str] = frozenset()


def _operation(method: Callable[P, R]) -> Callable[P, R]:
    """Run a public operation under the lock, with the clock caught up first."""

    @functools.wraps(method)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        self = args[0]
        with self._lock:  # type: ignore[attr-defined]
            self._sync()  # type: ignore[attr-defined]
            return method(*args, **kwargs)

    return wrapper


class World:
    """Everything one run of a scenario holds; a reset builds a new one."""

    def __init__(self, scenario: Scenario) -> None:
        seed = scenario.seed
        self.store = Store(random.Random(f"{seed}:ids"))
        self.timeline = Timeline()
        self.faults = FaultBook(
            failures=list(scenario.faults.failures),
            record_errors=list(scenario.faults.record_errors),
            slow_stages=list(scenario.faults.slow_stages),
            outages=list(scenario.faults.outages),
            http=list(scenario.faults.http),
            rng=random.Random(f"{seed}:http"),
        )
        self.engine = Engine(
            scenario.platform,
            self.store,
            self.timeline,
            self.faults,
            random.Random(f"{seed}:jitter"),
        )
        for spec in scenario.users:
            self.store.add_user(User(spec.username, spec.password, spec.api_keys, spec.permissions))
        for ds_spec in scenario.datasets:
            self._add_dataset(ds_spec)

    def _add_dataset(self, spec: DatasetSpec) -> None:
        store = self.store
        ds = Dataset(
            dataset_uid=spec.dataset_uid or store.new_dataset_uid(),
            dataset_id=spec.dataset_id,
            metas={t: dict(v) for t, v in spec.metas.items()},
            owner=spec.owner,
            created=0.0,
            last_modified=0.0,
            visibility=spec.visibility,
            status_user=spec.owner,
        )
        for res in spec.resources:
            uid = store.new_resource_uid(ds)
            ds.resources[uid] = Resource(
                uid, res.title, res.url, res.type, res.records, fields=dict(res.fields)
            )
            if spec.published:
                ds.indexed[uid] = res.records
                ds.indexed_revisions[uid] = 1
        ds.published = spec.published
        store.add_dataset(ds)


class Simulator:
    """The simulated platform, serving one scenario at a time.

    ``overrides`` (``workers``, ``seed``, ``clock_mode``, ``speed``,
    ``status_names``) apply to every scenario it is given, the first and any loaded
    later; ``default_clock_mode`` applies when neither they nor the scenario say.
    """

    def __init__(
        self,
        scenario: Scenario,
        wall: Callable[[], float] = time.monotonic,
        overrides: dict[str, Any] | None = None,
        default_clock_mode: ClockMode = "manual",
    ) -> None:
        self.overrides = {k: v for k, v in (overrides or {}).items() if v is not None}
        self.default_clock_mode: ClockMode = default_clock_mode
        self._lock = threading.RLock()
        self._wall = wall
        self.clock = Clock(wall=wall)
        self.reset(scenario)

    # plumbing ----------------------------------------------------------------

    @property
    def vocabulary(self) -> Vocabulary:
        return self.scenario.status_names or "coarse"

    @property
    def engine(self) -> Engine:
        return self.world.engine

    @property
    def store(self) -> Store:
        return self.world.store

    def _sync(self) -> None:
        self.engine.advance_to(self.clock.target(self.engine.now))

    def _view(self, ask: Ask) -> View:
        return View(
            self.clock,
            ask.vocabulary or self.vocabulary,
            self.engine.now,
            ask.expand,
            self.store.users,
        )

    def http_date(self) -> str:
        return self.clock.http_date(self.engine.now)

    # authentication ------------------------------------------------------------

    @_operation
    def authenticate(self, apikey: str | None = None, basic: tuple[str, str] | None = None) -> User:
        """Find the user behind an API key or Basic credentials, or refuse with 401."""
        if apikey is not None:
            user = self.store.user_by_key(apikey)
            if user is None:
                raise AuthenticationRequired("Unknown API key")
            return user
        if basic is not None:
            user = self.store.users.get(basic[0])
            if user is None or user.password is None or user.password != basic[1]:
                raise AuthenticationRequired("Wrong username or password")
            return user
        raise AuthenticationRequired("No credentials were sent")

    def _require(self, user: User, *permissions: str) -> None:
        for permission in permissions:
            if permission not in user.permissions:
                raise PermissionDenied(user.username, permission)

    def _dataset(self, user: User, dataset_uid: str, *permissions: str) -> Dataset:
        ds = self.store.datasets.get(dataset_uid)
        if ds is None:
            raise UnknownDataset(dataset_uid)
        self._require(user, *permissions)
        return ds

    # datasets -------------------------------------------------------------------

    @_operation
    def list_datasets(
        self,
        user: User,
        ask: Ask,
        rows: int = 10,
        page: int = 1,
        where: str | None = None,
        sort: str | None = None,
    ) -> dict[str, Any]:
        self._require(user, "edit_dataset")
        found = list(self.store.datasets.values())
        if where:
            found = list(filter(parse_where(where), found))
        if sort:
            found = sort_datasets(found, sort)
        view = self._view(ask)
        start = (page - 1) * rows
        return {
            "datasets": [dataset_json(ds, view) for ds in found[start : start + rows]],
            "total_count": len(found),
        }

    @_operation
    def create_dataset(
        self, user: User, body: Any, ask: Ask, strict: bool = False
    ) -> dict[str, Any]:
        self._require(user, "create_dataset")
        body = _check_body(body)
        metas = check_metas(body.get("metas", {}))
        visibility = _visibility(body)
        wanted = _dataset_id(body.get("dataset_id"))
        title = metas.get("default", {}).get("title")
        store = self.store
        if strict:
            if wanted is None:
                raise BadRequest("A dataset_id is required when strict=true")
            if store.id_taken(wanted):
                raise BadRequest("The dataset_id '{dataset_id}' is already used", dataset_id=wanted)
        # every check passed: only now draw identifiers
        uid = store.new_dataset_uid()
        base = wanted or (slugify(title) if isinstance(title, str) else "")
        dataset_id = store.free_dataset_id(base) if base else uid
        now = self.engine.now
        metas.setdefault("default", {})
        metas["default"].setdefault("title", dataset_id)
        ds = Dataset(
            dataset_uid=uid,
            dataset_id=dataset_id,
            metas=metas,
            owner=user.username,
            created=now,
            last_modified=now,
            visibility=visibility or "domain",
            since=now,
            public_since=now,
            status_user=user.username,
        )
        store.add_dataset(ds)
        return dataset_json(ds, self._view(ask))

    @_operation
    def get_dataset(self, user: User, dataset_uid: str, ask: Ask) -> dict[str, Any]:
        ds = self._dataset(user, dataset_uid, "edit_dataset")
        return dataset_json(ds, self._view(ask))

    @_operation
    def update_dataset(self, user: User, dataset_uid: str, body: Any, ask: Ask) -> dict[str, Any]:
        ds = self._dataset(user, dataset_uid, "edit_dataset")
        body = _check_body(body)
        new_id = _dataset_id(body.get("dataset_id"))
        if new_id is not None and new_id != ds.dataset_id:
            if ds.published:
                raise BadRequest(
                    "The dataset_id of a published dataset cannot change; unpublish it first "
                    "(dataset '{dataset_uid}' is published)",
                    dataset_uid=ds.dataset_uid,
                )
            if self.store.id_taken(new_id):
                raise BadRequest("The dataset_id '{dataset_id}' is already used", dataset_id=new_id)
        metas = check_metas(body["metas"]) if "metas" in body else {}
        visibility = _visibility(body)
        # every check passed: apply
        if new_id is not None and new_id != ds.dataset_id:
            self.store.rename_dataset(ds, new_id)
        for template, values in metas.items():
            current = ds.metas.setdefault(template, {})
            for name, value in values.items():
                if value is None:
                    current.pop(name, None)
                else:
                    current[name] = value
        if visibility is not None:
            ds.visibility = visibility
        ds.last_modified = self.engine.now
        return dataset_json(ds, self._view(ask))

    @_operation
    def delete_dataset(self, user: User, dataset_uid: str) -> dict[str, Any]:
        result = self._act(user, self._dataset(user, dataset_uid), "delete")
        self.engine.settle()
        return result

    # status and actions -----------------------------------------------------------

    @_operation
    def dataset_status(self, user: User, dataset_uid: str, ask: Ask) -> dict[str, Any]:
        ds = self._dataset(user, dataset_uid, "edit_dataset", "publish_dataset")
        return status_json(ds, self._view(ask))

    @_operation
    def records_errors(self, user: User, dataset_uid: str) -> list[dict[str, Any]]:
        ds = self._dataset(user, dataset_uid, "edit_dataset", "publish_dataset")
        return [e.to_dict() for e in ds.records_errors]

    @_operation
    def act(self, user: User, dataset_uid: str, action: str) -> dict[str, Any]:
        """Accept an asynchronous action; answer its job id."""
        result = self._act(user, self._dataset(user, dataset_uid), action)
        self.engine.settle()
        return result

    def _act(self, user: User, ds: Dataset, action: str) -> dict[str, Any]:
        """Check and accept an action, from the API or a script; the caller settles."""
        if action == "delete":
            self._require(user, "edit_dataset", *(("publish_dataset",) if ds.published else ()))
            self._precondition(ds, sm.ACTION_ORIGINS)
            if not ds.published:
                self.engine.move(ds, sm.REMOVED, "deleted")
                self.store.remove_dataset(ds)
                return {}
            return {"job_id": self._submit(user, ds, "delete").job_id}
        self._require(user, "edit_dataset", "publish_dataset")
        if action == "abort_processing":
            self._precondition(ds, sm.ABORTABLE)
            assert ds.job is not None
            self.engine.abort(ds)
            return {"job_id": ds.job.job_id}
        self._precondition(ds, sm.ACTION_ORIGINS)
        return {"job_id": self._submit(user, ds, action).job_id}

    def _precondition(self, ds: Dataset, origins: tuple[Status, ...]) -> None:
        if ds.status not in origins:
            raise InvalidStatusPrecondition(ds.status.value, sm.origins_text(origins))

    def _submit(self, user: User, ds: Dataset, function: str) -> Job:
        job = Job(self.store.new_job_id(), function, ds.dataset_uid, user.username, self.engine.now)
        self.engine.submit(ds, job)
        return job

    @_operation
    def list_jobs(self, user: User, ask: Ask) -> dict[str, Any]:
        view = self._view(ask)
        jobs = [job_json(j, view) for j in self.store.jobs.values() if j.user == user.username]
        return {"jobs": jobs, "total_count": len(jobs)}

    @_operation
    def get_job(self, user: User, job_id: str, ask: Ask) -> dict[str, Any]:
        job = self.store.jobs.get(job_id)
        if job is None or job.user != user.username:
            raise UnknownJob(job_id)
        return job_json(job, self._view(ask))

    # control ------------------------------------------------------------------------

    def _clock_state(self) -> dict[str, Any]:
        engine = self.engine
        nxt = engine.next_event()
        return {
            "now": engine.now,
            "datetime": self.clock.iso(engine.now),
            "mode": self.clock.mode,
            "speed": self.clock.speed,
            "epoch": self.clock.iso(0.0),
            "next_event": nxt,
            "next_event_datetime": self.clock.iso(nxt),
            "active_jobs": engine.active_jobs,
            "workers": engine.capacity,
            "busy_workers": engine.busy,
        }

    @_operation
    def clock_state(self) -> dict[str, Any]:
        return self._clock_state()

    @_operation
    def advance(self, seconds: float) -> dict[str, Any]:
        """Move virtual time forward, running everything due on the way."""
        if not _finite(seconds) or seconds < 0:
            raise InvalidParameter("seconds", f"expected a number of seconds >= 0, got {seconds!r}")
        if self.engine.now + seconds > self.clock.horizon:
            raise InvalidParameter(
                "seconds", f"{seconds:g} would move the clock past {END_OF_TIME.isoformat()}"
            )
        self.engine.advance_to(self.engine.now + seconds)
        self.clock.anchor(self.engine.now)
        return self._clock_state()

    @_operation
    def advance_to_next_event(self) -> dict[str, Any]:
        nxt = self.engine.next_event()
        if nxt is not None:
            self.engine.advance_to(nxt)
            self.clock.anchor(self.engine.now)
        return {**self._clock_state(), "advanced": nxt is not None}

    @_operation
    def run_until_idle(self) -> dict[str, Any]:
        idle = self.engine.run_until_idle()
        self.clock.anchor(self.engine.now)
        return {**self._clock_state(), "idle": idle}

    @_operation
    def configure_clock(self, mode: Any = None, speed: Any = None) -> dict[str, Any]:
        if mode is not None and mode not in CLOCK_MODES:
            raise InvalidParameter(
                "mode", f"expected one of {', '.join(CLOCK_MODES)}, got {mode!r}"
            )
        if speed is not None and (not _finite(speed) or not 0 < speed <= MAX_SPEED):
            raise InvalidParameter(
                "speed", f"expected a number above 0 and at most {MAX_SPEED:g}, got {speed!r}"
            )
        self.clock.configure(
            self.engine.now, mode or self.clock.mode, float(speed or self.clock.speed)
        )
        return self._clock_state()

    def reset(self, scenario: Scenario | None = None) -> dict[str, Any]:
        """Start over from a scenario (the current one by default), at virtual time zero."""
        with self._lock:
            if scenario is not None:
                self.scenario = scenario.with_overrides(**self.overrides)
            s = self.scenario
            self.world = World(s)
            self.script = Script(s.script, self._perform, self._observe)
            self.script.start(self.engine.env)
            self.clock.epoch = s.epoch
            mode: ClockMode = s.clock_mode or self.default_clock_mode
            self.clock.configure(0.0, mode, s.speed or DEFAULT_SPEED)
            self.engine.settle()
            return self._clock_state()

    @_operation
    def load_scenario(self, text: str, source: str = "<request>") -> dict[str, Any]:
        """Replace the scenario with one given as YAML text, and reset to it."""
        try:
            scenario = load_scenario_text(text, source)  # refused before anything changes
        except ScenarioError as exc:
            raise InvalidScenario(exc.source, exc.line, exc.path, exc.problem) from None
        self.reset(scenario)
        return self.scenario_summary()

    @_operation
    def scenario_summary(self, with_text: bool = False) -> dict[str, Any]:
        s = self.scenario
        faults = s.faults
        summary: dict[str, Any] = {
            "name": s.name,
            "seed": s.seed,
            "status_names": self.vocabulary,
            "workers": s.platform.workers,
            "max_records_by_dataset": s.platform.max_records_by_dataset,
            "datasets": len(s.datasets),
            "users": [
                {
                    "username": u.username,
                    "password": u.password,
                    "api_keys": list(u.api_keys),
                    "permissions": sorted(u.permissions),
                }
                for u in s.users
            ],
            "faults": sum(
                len(group)
                for group in (
                    faults.failures,
                    faults.record_errors,
                    faults.slow_stages,
                    faults.outages,
                    faults.http,
                )
            ),
            "script_steps": len(s.script),
        }
        if with_text:
            summary["text"] = s.text
        return summary

    # script, faults, headless runs ---------------------------------------------------

    def _perform(self, step: ScriptStep) -> dict[str, Any]:
        """A script's action, through the same checks as the API's."""
        username = step.user or self.scenario.users[0].username
        user = self.store.users[username]
        ds = self._find(step.dataset)
        if ds is None:
            raise UnknownDataset(step.dataset)
        return self._act(user, ds, step.action or "")

    def _observe(self, step: ScriptStep) -> dict[str, Any]:
        ds = self._find(step.dataset)
        if ds is None:
            return {"exists": False}
        return {
            "exists": True,
            "status": sm.FINE_NAME[ds.status],
            "public_status": sm.PUBLIC_NAME[ds.status],
            "published": ds.published,
            "records": ds.records,
            "records_errors": ds.records_errors_count,
        }

    def _find(self, name: str) -> Dataset | None:
        return self.store.datasets.get(name) or self.store.dataset_by_id(name)

    @_operation
    def script_results(self) -> dict[str, Any]:
        return {
            "steps": len(self.script.steps),
            "done": self.script.done,
            "failed": len(self.script.failures),
            "results": list(self.script.results),
        }

    @_operation
    def fault_log(self) -> list[dict[str, Any]]:
        return [dict(entry) for entry in self.world.faults.log]

    @_operation
    def inject(self, method: str, path: str) -> Injection | None:
        """Apply the scenario's HTTP faults to one call: latency passes, maybe an error."""
        injection = self.world.faults.inject(method, path, self.engine.now)
        if injection is not None and injection.latency:
            self.engine.advance_to(min(self.clock.horizon, self.engine.now + injection.latency))
            self.clock.anchor(self.engine.now)
        return injection

    def run_to_end(self, until: float | None = None) -> bool:
        """Run until the script has played and every job ended, or until ``until``.

        Returns whether everything ended (``False`` if jobs can never end, or if
        ``until`` came first).
        """
        with self._lock:
            engine = self.engine
            if until is not None:
                engine.advance_to(min(until, self.clock.horizon))
                return self.script.done and not engine.active_jobs
            last = self.scenario.script[-1].at if self.scenario.script else 0.0
            if last > engine.now:
                engine.advance_to(last)
            return engine.run_until_idle() and self.script.done

    def state_machine(self) -> dict[str, Any]:
        return sm.table()

    @_operation
    def timeline(
        self,
        datasets: set[str] | None = None,
        since: float | None = None,
        until: float | None = None,
    ) -> list[dict[str, Any]]:
        return [e.to_dict() for e in self.world.timeline.query(datasets, since, until)]

    @_operation
    def timeline_text(
        self,
        fmt: str,
        datasets: set[str] | None = None,
        since: float | None = None,
        until: float | None = None,
    ) -> str:
        """The timeline as ``ndjson``, ``csv`` or a ``table`` for people."""
        if fmt not in TIMELINE_FORMATS:
            known = ", ".join(["json", *TIMELINE_FORMATS])
            raise InvalidParameter("format", f"expected one of {known}, got {fmt!r}")
        return TIMELINE_FORMATS[fmt](self.world.timeline.query(datasets, since, until))

    @_operation
    def sample_records(self, name: str, rows: int) -> dict[str, Any]:
        """Sample records of a dataset's resources, the same for the same scenario."""
        ds = self._find(name)
        if ds is None:
            raise UnknownDataset(name)
        records: list[dict[str, Any]] = []
        for uid, resource in ds.resources.items():
            if len(records) >= rows:
                break
            take = min(rows - len(records), resource.records)
            seed = f"{self.scenario.seed}:{ds.dataset_uid}:{uid}"
            fields = resource.fields or DEFAULT_FIELDS
            records += [{"resource_uid": uid, **r} for r in sample_records(seed, fields, take)]
        return {"dataset_uid": ds.dataset_uid, "records": records}


# helpers ------------------------------------------------------------------------------


def _finite(value: Any) -> bool:
    """A real number, not a boolean, not infinite, not NaN."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _check_body(body: Any) -> dict[str, Any]:
    if body is None:
        return {}
    if not isinstance(body, dict):
        raise InvalidParameter("body", f"expected a JSON object, got {type(body).__name__}")
    known = _WRITABLE + _READ_ONLY
    for key in body:
        if key not in known:
            raise InvalidParameter(
                key, f"unknown field{closest(key, known)}; writable: {', '.join(_WRITABLE)}"
            )
    return {k: v for k, v in body.items() if k in _WRITABLE}


def _dataset_id(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not _DATASET_ID.match(value):
        raise InvalidParameter(
            "dataset_id",
            f"{value!r} is not a valid identifier: use letters, digits, '-' and '_' "
            "(up to 100 characters, starting with a letter or digit)",
        )
    return value


def _visibility(body: dict[str, Any]) -> str | None:
    value = body.get("visibility")
    if value is not None and value not in VISIBILITIES:
        raise InvalidParameter(
            "visibility", f"expected one of {', '.join(VISIBILITIES)}, got {value!r}"
        )
    return value
