"""What the service's collaborators share: the scenario in force, its world, the clock.

One :class:`State` per simulator. It holds the lock every operation takes (see
:mod:`.operation`), catches the engine up with the clock policy, builds a new world
at each reset, and answers the questions every area asks: who is this, may they,
which dataset is that.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..domain import history
from ..domain import statemachine as sm
from ..domain.clock import Clock, ClockMode
from ..domain.datagen import DEFAULT_FIELDS, sample_records
from ..domain.errors import (
    AuthenticationRequired,
    InvalidStatusPrecondition,
    PermissionDenied,
    UnknownDataset,
)
from ..domain.history import Snapshot
from ..domain.models import Dataset, User
from ..domain.request_log import RequestLog
from ..domain.security import Caller, can_see, rights
from ..domain.statemachine import Status, Vocabulary
from ..domain.store import Store
from ..engine import Engine
from ..engine.script import Script
from ..scenario.loading import Scenario, ScriptStep
from .journal import Journal
from .world import World

#: Demo speed when a scenario sets none: a publish moves visibly in a few seconds.
DEFAULT_SPEED = 10.0

#: What a script step does or finds, given by the collaborators that know how.
StepHandler = Callable[[ScriptStep], dict[str, Any]]


class State:
    """The simulated platform's state, serving one scenario at a time.

    ``overrides`` (``workers``, ``seed``, ``clock_mode``, ``speed``,
    ``status_names``, ``control_token``) apply to every scenario it is given, the
    first and any loaded later; ``default_clock_mode`` applies when neither they nor
    the scenario say.
    """

    scenario: Scenario
    world: World
    script: Script

    def __init__(
        self,
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
        #: Every operation holds it (see :mod:`.operation`).
        self.lock = threading.RLock()
        #: Saves reach the disk in the order they were taken.
        self.save_lock = threading.Lock()
        self.clock = Clock(wall=wall)
        self.journal = Journal()
        #: The requests answered since the last reset (not the world: never journaled).
        self.requests = RequestLog()
        #: What a script's action does, and what its expectation observes.
        self.perform: StepHandler = _unset
        self.observe: StepHandler = _unset
        #: Called after every change (the snapshots may write the world down).
        self.changed: Callable[[], None] = _nothing
        #: Called once a world is built or taken up: sets the timers its data implies.
        self.built: Callable[[], None] = _nothing
        #: Callers worked out during the operation under way (see :meth:`caller`).
        self._callers: dict[str, Caller] = {}
        #: How many changes calls made to the world (journaled operations), and how
        #: many of them a call of a platform API was answered after (see :meth:`step`).
        self.changes = 0
        self.shown = 0

    # the world -------------------------------------------------------------------------

    @property
    def engine(self) -> Engine:
        return self.world.engine

    @property
    def store(self) -> Store:
        return self.world.store

    @property
    def vocabulary(self) -> Vocabulary:
        return self.scenario.status_names or "coarse"

    @property
    def control_token(self) -> str | None:
        """The secret the control API requires, if any (command line, else scenario)."""
        return self.scenario.control_token

    def sync(self) -> None:
        """Catch the engine up with where the clock policy says time should be.

        Every operation starts here, so it also forgets the callers the last one
        worked out.
        """
        self._callers.clear()
        self.engine.advance_to(self.clock.target(self.engine.now))

    def step(self) -> bool:
        """On a ``step`` clock, move to the next scheduled event; whether time moved.

        A call of a platform API takes this step before anything else, so that a
        client that never touches the clock still sees every change, one per call.
        Everything due at that instant runs; with nothing scheduled, time stays. A
        call made right after a change (a call that changed the world) takes no step:
        it is answered at the instant of the change, so a poll that follows a publish
        sees the dataset queued before time moves on.
        """
        engine = self.engine
        if not self.clock.steps:
            return False
        unseen, self.shown = self.changes != self.shown, self.changes
        if unseen:
            return False
        nxt = engine.next_event()
        if nxt is None or nxt > self.clock.horizon:
            return False
        engine.advance_to(nxt)
        self.clock.anchor(engine.now)
        return True

    def reset(self, scenario: Scenario | None = None) -> None:
        """Start over from a scenario (the current one by default), at virtual time zero."""
        with self.lock:
            if scenario is not None:
                self.scenario = scenario.with_overrides(**self.overrides)
            s = self.scenario
            self.world = World(s)
            self.generation += 1
            self.journal.restart()  # a new base: the scenario now in force
            self.requests.restart(s.retention.requests)
            self.script = Script(s.script, self.perform, self.observe, self.script_position)
            self.script.start(self.engine.env)
            self.clock.epoch = s.epoch
            mode: ClockMode = s.clock_mode or self.default_clock_mode
            self.clock.configure(0.0, mode, s.speed or DEFAULT_SPEED)
            self.shown = self.changes  # a new world: the first call may step
            self.built()
            self.engine.settle()

    def resume(self, base: dict[str, Any]) -> None:
        """Take up the world a checkpoint wrote down, and its script where it stood."""
        self.world = World(self.scenario, base)
        self.script = Script(self.scenario.script, self.perform, self.observe, self.script_position)
        self.script.results = list(base["script"])
        self.script.start(self.engine.env)
        self.built()

    def script_position(self) -> int:
        """How many timeline entries there are: where a script step plays among them."""
        return len(self.world.timeline)

    def http_date(self) -> str:
        return self.clock.http_date(self.engine.now)

    # who, and what they may do -----------------------------------------------------------

    def authenticate(self, apikey: str | None, basic: tuple[str, str] | None) -> User:
        """The user behind an API key or Basic credentials, or a refusal (401)."""
        if apikey is not None:
            user = self.store.user_by_key(apikey)
            if user is None:
                if not self.any_credentials:
                    raise AuthenticationRequired("Unknown API key")
                return self.first_user()
            carried = self.store.api_keys[apikey].permissions
            return dataclasses.replace(
                user,
                key_permissions=None if carried is None else frozenset(carried),
                via_key=apikey,
            )
        if basic is not None:
            user = self.store.users.get(basic[0])
            if user is None or user.password is None or user.password != basic[1]:
                if not self.any_credentials:
                    raise AuthenticationRequired("Wrong username or password")
                return user or self.first_user()
            return user
        raise AuthenticationRequired("No credentials were sent")

    def first_user(self) -> User:
        return self.store.users[self.scenario.users[0].username]

    def caller(self, user: User) -> Caller:
        """The user with their groups, and the domain permissions those give them.

        Worked out once an operation: an action asks twice, to find the dataset and
        for the rights it needs (10,000 publishes through the service, as
        bench/engine.py makes them: 13.0 us an action, 14.1 us working it out twice).
        """
        found = self._callers.get(user.username)
        if found is None or found.user is not user:
            found = self._callers[user.username] = Caller.of(
                user, self.store.groups_of(user.username)
            )
        return found

    def permissions(self, user: User) -> frozenset[str]:
        """The user's domain permissions: their own and their groups'."""
        return self.caller(user).permissions

    def require_any(self, user: User, *permissions: str) -> None:
        """Refuse with 403 unless the user holds one of the domain permissions (the last
        is named)."""
        held = self.permissions(user)
        if not any(p in held for p in permissions):
            raise PermissionDenied(user.username, permissions[-1])

    def require(self, user: User, *permissions: str, ds: Dataset | None = None) -> None:
        """Refuse with 403 unless the user holds every permission (on ``ds``, if given)."""
        _require(self.caller(user), permissions, ds)

    def dataset(self, user: User, dataset_uid: str, *permissions: str) -> Dataset:
        """The dataset, if it exists and the user may see it (404 otherwise), and act."""
        ds = self.store.datasets.get(dataset_uid)
        caller = self.caller(user)
        if ds is None or not can_see(caller, ds):
            raise UnknownDataset(dataset_uid)
        _require(caller, permissions, ds)
        return ds

    def find(self, name: str) -> Dataset | None:
        """The dataset with this uid, or else this dataset_id."""
        return self.store.datasets.get(name) or self.store.dataset_by_id(name)

    def named(self, name: str) -> Dataset:
        """As :meth:`find`, refusing an unknown name (404)."""
        ds = self.find(name)
        if ds is None:
            raise UnknownDataset(name)
        return ds

    def precondition(self, ds: Dataset, origins: tuple[Status, ...]) -> None:
        if ds.status not in origins:
            raise InvalidStatusPrecondition(ds.status.value, sm.origins_text(origins))

    def record(self, user: User, ds: Dataset, before: Snapshot) -> None:
        """Log a configuration edit in the dataset's change log (if it changed anything)."""
        history.record(ds, user.username, self.engine.now, before, self.scenario.retention.changes)

    def generated(
        self, ds: Dataset, resource_uid: str, rows: int
    ) -> tuple[dict[str, str], list[dict[str, Any]]]:
        """A resource's fields and first ``rows`` records as its scenario generates them.

        The same for the same scenario, whoever asks: a download and a sample agree.
        """
        fields = ds.resources[resource_uid].fields or DEFAULT_FIELDS
        seed = f"{self.scenario.seed}:{ds.dataset_uid}:{resource_uid}"
        return fields, sample_records(seed, fields, rows)


def _require(caller: Caller, permissions: tuple[str, ...], ds: Dataset | None) -> None:
    held = caller.permissions if ds is None else rights(caller, ds)
    for permission in permissions:
        if permission not in held:
            raise PermissionDenied(caller.user.username, permission)


def _nothing() -> None:
    return None


def _unset(step: ScriptStep) -> dict[str, Any]:
    raise RuntimeError("the simulator was not put together: no script handler")
