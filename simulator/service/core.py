"""The facade's core: state, the lock, the clock policy, authentication, permissions.

The HTTP layer, the command line and in-process users all go through
:class:`~simulator.service.Simulator`, assembled from this core and one mixin per
area. Each public operation takes the lock, lets the clock policy catch the engine
up to "now", checks everything it was given, and only then changes state, so a
refused request leaves nothing half-done. Answers are JSON-ready dicts rendered
under the lock, never live model objects.
"""

from __future__ import annotations

import functools
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

from ..api.management.render import View
from ..domain import history
from ..domain import statemachine as sm
from ..domain.clock import Clock, ClockMode, horizon
from ..domain.datagen import DEFAULT_FIELDS, sample_records
from ..domain.errors import (
    AuthenticationRequired,
    InvalidStatusPrecondition,
    PermissionDenied,
    UnknownDataset,
)
from ..domain.faults import FaultBook, Injection, StageFailure
from ..domain.history import Snapshot
from ..domain.models import Dataset, Job, Resource, User
from ..domain.processors import MISCONFIGURED, dataset_fields, misconfiguration
from ..domain.security import can_see, rights
from ..domain.statemachine import RECORD_STAGES, Status, Vocabulary
from ..domain.store import Store
from ..domain.timeline import Timeline
from ..engine.pool import Engine
from ..scenario.loading import DatasetSpec, Scenario
from . import checkpoint as checkpoints
from .journal import INJECT_WRITER, Entry

P = ParamSpec("P")
R = TypeVar("R")

#: Demo speed when a scenario sets none: a publish moves visibly in a few seconds.
DEFAULT_SPEED = 10.0


@dataclass(frozen=True)
class Ask:
    """How the caller wants the answer: status vocabulary and relations to expand."""

    vocabulary: Vocabulary | None = None
    expand: frozenset[str] = frozenset()


def operation(method: Callable[P, R]) -> Callable[P, R]:
    """Run a public operation under the lock, with the clock caught up first."""

    @functools.wraps(method)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        self = args[0]
        with self._lock:  # type: ignore[attr-defined]
            self._sync()  # type: ignore[attr-defined]
            return method(*args, **kwargs)

    return wrapper


def _misconfigured(ds: Dataset) -> StageFailure | None:
    """A misconfigured processor, as the failure it causes when records flow."""
    found = misconfiguration(ds.processors.values(), dataset_fields(ds))
    if found is None:
        return None
    processor_id, field, msg = found
    params = {"processor_id": processor_id, "field": field, "msg": msg}
    return StageFailure(
        "processor_misconfigured", "*", RECORD_STAGES, MISCONFIGURED, params, after_records=0
    )


class World:
    """Everything one run of a scenario holds; a reset builds a new one.

    Given a checkpoint (see :mod:`.checkpoint`), the world resumes from it instead of
    starting from the scenario's time zero.
    """

    def __init__(self, scenario: Scenario, checkpoint: dict[str, Any] | None = None) -> None:
        seed = scenario.seed
        retention = scenario.retention
        self.store = Store(random.Random(f"{seed}:ids"))
        self.timeline = Timeline(retention.transitions)
        self.faults = FaultBook(
            failures=list(scenario.faults.failures),
            record_errors=list(scenario.faults.record_errors),
            slow_stages=list(scenario.faults.slow_stages),
            outages=list(scenario.faults.outages),
            http=list(scenario.faults.http),
            rng=random.Random(f"{seed}:http"),
            log_limit=retention.faults,
        )
        if checkpoint is not None:
            checkpoints.revive(checkpoint, self.store, self.faults, self.timeline)
        self.engine = Engine(
            scenario.platform,
            self.store,
            self.timeline,
            self.faults,
            random.Random(f"{seed}:jitter"),
            horizon=horizon(scenario.epoch),
            retention=retention,
            resume_at=None if checkpoint is None else checkpoint["now"],
        )
        self.engine.misconfigured = _misconfigured
        if checkpoint is not None:
            checkpoints.resume_engine(checkpoint, self.engine)
            return
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


class Core:
    """The simulated platform's state, serving one scenario at a time.

    ``overrides`` (``workers``, ``seed``, ``clock_mode``, ``speed``,
    ``status_names``) apply to every scenario it is given, the first and any loaded
    later; ``default_clock_mode`` applies when neither they nor the scenario say.
    """

    #: Every change since the scenario started, or since the world was last written
    #: down whole (:attr:`base`), one JSON line each (see :mod:`.journal`).
    journal: list[Entry]
    #: About how many bytes of text the journal holds.
    journal_bytes: int
    #: The world as it was last written down whole (see :mod:`.checkpoint`): JSON text,
    #: compressed; ``None`` while the journal goes back to the scenario's time zero.
    base: bytes | None
    #: Why the journal cannot replay this world, if an operation escaped it.
    unjournaled: str | None
    #: How many bytes of text :attr:`base` is, uncompressed.
    base_bytes: int
    #: ``store.dropped_bytes`` when :attr:`base` was written.
    dropped_at_base: int
    #: While a snapshot replays, the world is not written down anew.
    replaying: bool = False

    def __init__(
        self,
        scenario: Scenario,
        wall: Callable[[], float] = time.monotonic,
        overrides: dict[str, Any] | None = None,
        default_clock_mode: ClockMode = "manual",
    ) -> None:
        self.overrides = {k: v for k, v in (overrides or {}).items() if v is not None}
        self.default_clock_mode: ClockMode = default_clock_mode
        #: Take any API key or password as the scenario's first user (credentials
        #: must still be sent): for intercepted code that carries its real keys.
        self.any_credentials = False
        #: How many times the world was (re)built: a page can tell it was reset.
        self.generation = 0
        #: Where snapshots are saved (``--state-file``); ``None``: nowhere.
        self.state_file: Path | None = None
        self._lock = threading.RLock()
        self._save_lock = threading.Lock()
        self.clock = Clock(wall=wall)
        self.reset(scenario)

    # plumbing ----------------------------------------------------------------

    @property
    def vocabulary(self) -> Vocabulary:
        return self.scenario.status_names or "coarse"

    @property
    def control_token(self) -> str | None:
        """The secret the control API requires, if any (command line, else scenario)."""
        return self.scenario.control_token

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

    @operation
    def admit(
        self,
        method: str,
        path: str,
        apikey: str | None,
        basic: tuple[str, str] | None,
        problem: str | None,
    ) -> tuple[Injection | None, User | None]:
        """One call of the Management API: its HTTP fault if any fires, else its user."""
        injection = self._inject(method, path)
        if injection is not None and injection.status is not None:
            return injection, None
        if problem is not None:
            raise AuthenticationRequired(problem)
        return injection, self._authenticate(apikey, basic)

    def _inject(self, method: str, path: str) -> Injection | None:
        """Apply the scenario's HTTP faults to one call: latency passes, maybe an error."""
        faults = self.world.faults
        if not faults.http:
            return None
        now, counted = self.engine.now, faults.counted_calls
        injection = faults.inject(method, path, now)
        if faults.counted_calls != counted:  # a rule counted the call: the book changed
            self.journal.append((now, INJECT_WRITER, (method, path)))  # written when read
        if injection is not None and injection.latency:
            self.engine.advance_to(min(self.clock.horizon, self.engine.now + injection.latency))
            self.clock.anchor(self.engine.now)
        return injection

    @operation
    def authenticate(self, apikey: str | None = None, basic: tuple[str, str] | None = None) -> User:
        """Find the user behind an API key or Basic credentials, or refuse with 401."""
        return self._authenticate(apikey, basic)

    def _authenticate(self, apikey: str | None, basic: tuple[str, str] | None) -> User:
        if apikey is not None:
            user = self.store.user_by_key(apikey)
            if user is None and not self.any_credentials:
                raise AuthenticationRequired("Unknown API key")
            return user or self._first_user()
        if basic is not None:
            user = self.store.users.get(basic[0])
            if user is None or user.password is None or user.password != basic[1]:
                if not self.any_credentials:
                    raise AuthenticationRequired("Wrong username or password")
                return user or self._first_user()
            return user
        raise AuthenticationRequired("No credentials were sent")

    def _first_user(self) -> User:
        return self.store.users[self.scenario.users[0].username]

    def _require(self, user: User, *permissions: str, ds: Dataset | None = None) -> None:
        """Refuse with 403 unless the user holds every permission (on ``ds``, if given)."""
        held = user.permissions if ds is None else rights(user, ds)
        for permission in permissions:
            if permission not in held:
                raise PermissionDenied(user.username, permission)

    def _dataset(self, user: User, dataset_uid: str, *permissions: str) -> Dataset:
        """The dataset, if it exists and the user may see it (404 otherwise), and act."""
        ds = self.store.datasets.get(dataset_uid)
        if ds is None or not can_see(user, ds):
            raise UnknownDataset(dataset_uid)
        self._require(user, *permissions, ds=ds)
        return ds

    def _record(self, user: User, ds: Dataset, before: Snapshot) -> None:
        """Log a configuration edit in the dataset's change log (if it changed anything)."""
        history.record(ds, user.username, self.engine.now, before, self.scenario.retention.changes)

    def _precondition(self, ds: Dataset, origins: tuple[Status, ...]) -> None:
        if ds.status not in origins:
            raise InvalidStatusPrecondition(ds.status.value, sm.origins_text(origins))

    def _submit(self, user: User, ds: Dataset, function: str) -> Job:
        return self.engine.submit(ds, function, user.username)

    def _find(self, name: str) -> Dataset | None:
        """The dataset with this uid, or else this dataset_id."""
        return self.store.datasets.get(name) or self.store.dataset_by_id(name)

    def _named(self, name: str) -> Dataset:
        """As :meth:`_find`, refusing an unknown name (404)."""
        ds = self._find(name)
        if ds is None:
            raise UnknownDataset(name)
        return ds

    def _generated(
        self, ds: Dataset, resource_uid: str, rows: int
    ) -> tuple[dict[str, str], list[dict[str, Any]]]:
        """A resource's fields and first ``rows`` records as its scenario generates them.

        The same for the same scenario, whoever asks: a download and a sample agree.
        """
        fields = ds.resources[resource_uid].fields or DEFAULT_FIELDS
        seed = f"{self.scenario.seed}:{ds.dataset_uid}:{resource_uid}"
        return fields, sample_records(seed, fields, rows)

    if TYPE_CHECKING:  # the control and snapshot mixins provide them

        def reset(self, scenario: Scenario | None = None) -> dict[str, Any]: ...

        def changed(self) -> None: ...
