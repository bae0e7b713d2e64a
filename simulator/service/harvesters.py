"""Harvesters: create, read, change and delete them; start a harvest, publish its datasets.

Every call needs the domain permissions ``create_dataset``, ``edit_dataset`` and
``publish_dataset``, as the platform documents. A harvest is a job of the worker pool:
the harvester shows ``queued``, then ``processing`` for a virtual time that grows with
the remote catalogue, then ``idle``; as it ends, each remote dataset becomes an
unpublished dataset attached to the harvester, or updates the one it already made.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from ..domain import harvest_faults
from ..domain import harvesters as rules
from ..domain import statemachine as sm
from ..domain.errors import (
    InvalidHarvesterStatus,
    InvalidParameter,
    InvalidStatusPrecondition,
    UnknownHarvester,
)
from ..domain.harvesters import Harvester, RemoteDataset
from ..domain.models import Dataset, Resource, User
from ..domain.statemachine import HarvesterStatus
from ..domain.store import slugify
from ..scenario.loading import ScriptStep
from .commands import Body, HarvesterFields
from .datasets import Datasets
from .journal import mutation
from .operation import operation
from .state import State

#: What every harvester call needs (``S:_harvesters.md``: "all of the following").
NEEDED = ("create_dataset", "edit_dataset", "publish_dataset")


@dataclass(frozen=True, slots=True)
class HarvesterView:
    harvester_id: str
    name: str
    fetcher: str
    params: dict[str, Any]
    schedules: Any
    status: str
    version: int
    created_at: float
    last_modified_at: float
    last_modified_by: str
    resource_errors: int
    harvester_errors: int
    attached: int
    published: int
    #: The uids of its datasets that still exist, in harvest order.
    datasets: tuple[str, ...]
    last_started_at: float | None = None
    last_success_at: float | None = None
    #: How many datasets the remote catalogue held at the last harvest that ended well.
    remote_count: int = 0


class Harvesters:
    def __init__(self, state: State) -> None:
        self.state = state

    @operation
    def listing(self, user: User) -> tuple[HarvesterView, ...]:
        self.state.require(user, *NEEDED)
        return tuple(self._view(h) for h in self.state.store.harvesters.values())

    @operation
    def get(self, user: User, harvester_id: str) -> HarvesterView:
        return self._view(self._find(user, harvester_id))

    @operation
    def errors(self, user: User, harvester_id: str) -> tuple[str | None, dict[str, str]]:
        """The errors of the harvester's last harvest: its own, and each remote dataset's."""
        harvester = self._find(user, harvester_id)
        return harvester.error_message, dict(harvester.resource_error_messages)

    @operation
    def preview(self, user: User, harvester_id: str) -> tuple[RemoteDataset, ...]:
        """The datasets the remote catalogue holds now, as a harvest would read them."""
        return self.catalogue(self._find(user, harvester_id).harvester_id)

    @mutation
    def create_harvester(self, user: User, body: Body[HarvesterFields]) -> HarvesterView:
        state = self.state
        state.require(user, *NEEDED)
        fields = body()
        name = rules.check_name(fields.name)
        fetcher = rules.check_fetcher(fields.fetcher)
        params = rules.check_params(fetcher, fields.params)
        schedules = rules.check_schedules(fields.schedules)
        _check_version(fields.version)
        harvester_id = rules.harvester_id(name)
        harvesters = state.store.harvesters
        if harvester_id in harvesters:
            raise InvalidParameter(
                "name", f"a harvester with the id '{harvester_id}' already exists"
            )
        if len(harvesters) >= rules.MAX_HARVESTERS:
            raise InvalidParameter("name", f"the domain has {rules.MAX_HARVESTERS} harvesters")
        now = state.engine.now
        harvester = Harvester(
            harvester_id,
            name,
            fetcher,
            params,
            schedules,
            created_at=now,
            last_modified_at=now,
            last_modified_by=user.username,
        )
        harvesters[harvester_id] = harvester
        self._arm(harvester)
        return self._view(harvester)

    @mutation
    def update_harvester(
        self, user: User, harvester_id: str, body: Body[HarvesterFields]
    ) -> HarvesterView:
        harvester = self._find(user, harvester_id)
        name, params, schedules = self._checked(harvester, body())
        # every check passed: apply
        harvester.name, harvester.params, harvester.schedules = name, params, schedules
        harvester.version += 1
        harvester.last_modified_at = self.state.engine.now
        harvester.last_modified_by = user.username
        self._arm(harvester)
        return self._view(harvester)

    @operation
    def check_fields(self, user: User, harvester_id: str, fields: HarvesterFields) -> None:
        """Refuse a change as :meth:`update_harvester` would, and change nothing."""
        self._checked(self._find(user, harvester_id), fields)

    @staticmethod
    def _checked(
        harvester: Harvester, fields: HarvesterFields
    ) -> tuple[str, dict[str, Any], list[dict[str, str]] | None]:
        """A change's name, parameters and schedules, each checked."""
        given = fields.given
        name = rules.check_name(fields.name) if "name" in given else harvester.name
        fetcher = harvester.fetcher
        if "fetcher" in given and rules.check_fetcher(fields.fetcher) != fetcher:
            raise InvalidParameter(
                "fetcher", f"a harvester's fetcher cannot change (this one's is '{fetcher}')"
            )
        params = harvester.params
        if "params" in given:
            params = rules.check_params(fetcher, fields.params)
            sent = fields.params if isinstance(fields.params, dict) else {}
            for secret in rules.SECRETS & set(harvester.params):
                if secret in sent and sent[secret] is None:  # a secret sent back as read
                    params[secret] = harvester.params[secret]
        schedules = (
            rules.check_schedules(fields.schedules) if "schedules" in given else harvester.schedules
        )
        _check_version(fields.version)
        return name, params, schedules

    @mutation
    def delete_harvester(self, user: User, harvester_id: str, delete_datasets: bool) -> None:
        """Delete a harvester; its datasets too, or else they stay as ordinary datasets."""
        state = self.state
        harvester = self._find(user, harvester_id)
        self._ready(harvester, "deleting")
        attached = self._attached(harvester)
        if delete_datasets:
            for ds in attached:
                state.require(user, "edit_dataset", "publish_dataset", ds=ds)
                state.precondition(ds, sm.ACTION_ORIGINS)
        state.engine.move_harvester(harvester, sm.REMOVED, "deleted")
        state.engine.disarm(f"harvester:{harvester_id}")
        del state.store.harvesters[harvester_id]
        if delete_datasets:
            datasets = Datasets(state)
            for ds in attached:
                datasets.action(user, ds, "delete")
            state.engine.settle()

    @mutation
    def start_harvester(self, user: User, harvester_id: str) -> HarvesterView:
        return self._start(user, harvester_id)

    def _start(self, user: User, harvester_id: str) -> HarvesterView:
        state = self.state
        harvester = self._find(user, harvester_id)
        self._ready(harvester, HarvesterStatus.QUEUED.value)
        lacking = rules.missing(harvester.fetcher, harvester.params)
        if lacking:
            raise InvalidParameter(
                f"params.{lacking[0]}",
                f"the '{harvester.fetcher}' fetcher needs {', '.join(lacking)} to harvest",
            )
        self._launch(harvester, user.username, scheduled=False)
        state.engine.settle()
        return self._view(harvester)

    @mutation
    def abort_harvester(self, user: User, harvester_id: str) -> HarvesterView:
        """Stop the harvest under way: ``aborting`` a moment, then ``idle``; the harvest
        makes no dataset."""
        state = self.state
        harvester = self._find(user, harvester_id)
        if harvester.status not in sm.HARVESTER_ABORTABLE:
            raise InvalidHarvesterStatus(harvester.status.value, HarvesterStatus.ABORTING.value)
        state.engine.abort_harvest(harvester)
        state.engine.settle()
        return self._view(harvester)

    @mutation
    def publish_harvester(self, user: User, harvester_id: str, action: str) -> HarvesterView:
        return self._publish(user, harvester_id, action)

    def _publish(self, user: User, harvester_id: str, action: str) -> HarvesterView:
        """Queue one ``publish`` (or ``unpublish``) job per attached dataset."""
        state = self.state
        harvester = self._find(user, harvester_id)
        if action not in ("publish", "unpublish"):
            raise InvalidParameter("action", f"expected publish or unpublish, got '{action}'")
        self._ready(harvester, HarvesterStatus.IDLE.value)
        targets = [ds for ds in self._attached(harvester) if action == "publish" or ds.published]
        for ds in targets:  # all or nothing
            state.require(user, "edit_dataset", "publish_dataset", ds=ds)
            if ds.status not in sm.ACTION_ORIGINS:
                raise InvalidStatusPrecondition(ds.status.value, sm.origins_text(sm.ACTION_ORIGINS))
        for ds in targets:
            state.engine.submit(ds, action, user.username)
        state.engine.settle()
        return self._view(harvester)

    # script steps -------------------------------------------------------------------------

    def perform(self, step: ScriptStep) -> None:
        """A script's action on a harvester, with the API's checks, as its user."""
        state = self.state
        user = state.store.users[step.user or state.scenario.users[0].username]
        name = step.harvester or ""
        if step.action == "start":
            self._start(user, name)
        else:
            self._publish(user, name, step.action or "")

    def describe(self, harvester_id: str) -> dict[str, Any]:
        """A harvester as a script's expectation sees it."""
        harvester = self.state.store.harvesters.get(harvester_id)
        if harvester is None:
            return {"exists": False}
        view = self._view(harvester)
        return {
            "exists": True,
            "status": view.status,
            "counters": {"attached": view.attached, "published": view.published},
            "errors": {"resources": view.resource_errors, "harvester": view.harvester_errors},
        }

    # the remote catalogue ---------------------------------------------------------------

    def catalogue(self, harvester_id: str) -> tuple[RemoteDataset, ...]:
        """What the remote catalogue holds: the scenario's, or a few generated datasets."""
        scenario = self.state.scenario
        for spec in scenario.harvesters:
            if spec.harvester_id == harvester_id:
                return spec.remote
        return rules.remote_catalogue(scenario.seed, harvester_id, rules.DEFAULT_REMOTE_DATASETS)

    def _launch(self, harvester: Harvester, username: str, scheduled: bool) -> None:
        """Queue a harvest of the remote catalogue; its faults are decided as it runs."""
        catalogue = self.catalogue(harvester.harvester_id)
        engine = self.state.engine

        def begin() -> tuple[float, Callable[[], None]]:
            faults = self.state.world.faults
            outcome = harvest_faults.plan(
                faults.harvest_failures,
                faults.slow_remotes,
                faults.remote_outages,
                faults.fired,
                harvester.harvester_id,
                [r.remote_id for r in catalogue],
                engine.now,
                rules.harvest_duration(len(catalogue)),
            )
            for kind, detail in outcome.noted:
                faults.note(engine.now, kind, harvester.harvester_id, **detail)
            if outcome.fired is not None and outcome.fired.times is not None:
                key = id(outcome.fired)
                faults.fired[key] = faults.fired.get(key, 0) + 1
            return outcome.duration, lambda: self._harvested(
                harvester, catalogue, username, outcome, scheduled
            )

        engine.submit_harvest(harvester, username, begin, "schedule" if scheduled else "start")

    def _harvested(
        self,
        harvester: Harvester,
        catalogue: tuple[RemoteDataset, ...],
        username: str,
        outcome: harvest_faults.HarvestOutcome,
        scheduled: bool,
    ) -> None:
        """As a harvest ends: create or update a dataset for each remote one it could
        read, and keep its errors; a scheduled one republishes the published datasets."""
        store = self.state.store
        now = self.state.engine.now
        restricted = harvester.params.get("restrict_visibility") is True
        harvester.error_message = outcome.harvester_error
        harvester.harvester_errors = 0 if outcome.harvester_error is None else 1
        harvester.resource_error_messages = dict(outcome.resource_errors)
        harvester.resource_errors = len(outcome.resource_errors)
        if outcome.harvester_error is not None:
            return
        harvester.remote_count = len(catalogue)
        harvester.last_success_at = now
        for remote in catalogue:
            if remote.remote_id in outcome.resource_errors:
                continue
            ds = store.datasets.get(harvester.datasets.get(remote.remote_id, ""))
            if ds is not None:
                default = ds.metas.setdefault("default", {})
                default["title"], default["description"] = remote.title, remote.description
                ds.last_modified = now
                continue
            uid = store.new_dataset_uid()
            ds = Dataset(
                dataset_uid=uid,
                dataset_id=store.free_dataset_id(slugify(remote.remote_id) or uid),
                metas={"default": {"title": remote.title, "description": remote.description}},
                owner=username,
                created=now,
                last_modified=now,
                visibility="restricted" if restricted else "domain",
                since=now,
                public_since=now,
                status_user=username,
            )
            resource_uid = store.new_resource_uid(ds)
            ds.resources[resource_uid] = Resource(
                resource_uid,
                f"{remote.remote_id}.csv",
                f"https://remote.example/{harvester.harvester_id}/{remote.remote_id}.csv",
                records=remote.records,
            )
            store.add_dataset(ds)
            harvester.datasets[remote.remote_id] = uid
        if scheduled:
            for ds in self._attached(harvester):
                if ds.published and ds.status in sm.ACTION_ORIGINS:
                    self.state.engine.submit(ds, "publish", username)

    # schedules --------------------------------------------------------------------------

    def arm_all(self) -> None:
        """Arm the schedule of every harvester (a world was just built or taken up)."""
        for harvester in self.state.store.harvesters.values():
            self._arm(harvester)

    def _arm(self, harvester: Harvester) -> None:
        """Set the timer of the harvester's next scheduled run (none: none is set)."""
        state = self.state
        engine = state.engine
        epoch = state.scenario.epoch
        try:
            moment = epoch + timedelta(seconds=engine.now)
            firing = rules.next_firing(harvester.schedules, moment)
        except OverflowError:  # the end of the calendar
            firing = None
        at = None if firing is None else (firing - epoch).total_seconds()
        harvester_id = harvester.harvester_id
        engine.arm(f"harvester:{harvester_id}", at, lambda: self._scheduled(harvester_id))

    def _scheduled(self, harvester_id: str) -> None:
        """A schedule fires: an idle harvester that has run before starts a harvest."""
        harvester = self.state.store.harvesters.get(harvester_id)
        if harvester is None:
            return
        self._arm(harvester)
        if harvester.status is HarvesterStatus.IDLE:
            self._launch(harvester, harvester.last_modified_by, scheduled=True)

    # helpers ----------------------------------------------------------------------------

    def _find(self, user: User, harvester_id: str) -> Harvester:
        self.state.require(user, *NEEDED)
        harvester = self.state.store.harvesters.get(harvester_id)
        if harvester is None:
            raise UnknownHarvester(harvester_id)
        return harvester

    @staticmethod
    def _ready(harvester: Harvester, target: str) -> None:
        if harvester.status not in sm.HARVESTER_ACTION_ORIGINS:
            raise InvalidHarvesterStatus(harvester.status.value, target)

    def _attached(self, harvester: Harvester) -> list[Dataset]:
        datasets = self.state.store.datasets
        return [datasets[uid] for uid in harvester.datasets.values() if uid in datasets]

    def _view(self, harvester: Harvester) -> HarvesterView:
        attached = self._attached(harvester)
        return HarvesterView(
            harvester.harvester_id,
            harvester.name,
            harvester.fetcher,
            dict(harvester.params),
            harvester.schedules,
            harvester.status.value,
            harvester.version,
            harvester.created_at,
            harvester.last_modified_at,
            harvester.last_modified_by,
            harvester.resource_errors,
            harvester.harvester_errors,
            len(attached),
            sum(1 for ds in attached if ds.published),
            tuple(ds.dataset_uid for ds in attached),
            harvester.last_started_at,
            harvester.last_success_at,
            harvester.remote_count,
        )


def _check_version(value: Any) -> None:
    """``version`` is sent back as read; any positive integer is taken."""
    if value is not None and (
        isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 2**31
    ):
        raise InvalidParameter("version", f"expected a positive integer, got {value!r}"[:200])
