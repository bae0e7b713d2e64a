"""A dataset's schedules: list, create, read, change, delete; and their firings.

A schedule's timer is armed on the engine for its next firing on the virtual clock,
read in Europe/Paris time (see :mod:`..domain.schedules`); nothing is armed past the
engine's horizon. A firing publishes the dataset as its schedule's author, as a
publish call would (it enters ``queued``), if its status allows a publish; else that
firing is skipped. Timers follow from the data: they are re-armed whenever a world is
built or taken up (a reset, a restore, a state file).
"""

from __future__ import annotations

from datetime import timedelta

from ..domain import schedules as rules
from ..domain import statemachine as sm
from ..domain.errors import InvalidParameter, ScheduleExists, UnknownSchedule
from ..domain.models import Dataset, Schedule, User
from .commands import Body, ScheduleSpec
from .journal import mutation
from .operation import operation
from .state import State

#: What reading a dataset's schedules needs on it, and what changing them needs.
READ = ("edit_dataset",)
WRITE = ("edit_dataset", "publish_dataset")


class Schedules:
    def __init__(self, state: State) -> None:
        self.state = state

    @operation
    def list(self, user: User, dataset_uid: str) -> tuple[Schedule, ...]:
        ds = self.state.dataset(user, dataset_uid, *READ)
        return tuple(
            Schedule(s.schedule_uid, s.cron_schedule, s.user) for s in ds.schedules.values()
        )

    @operation
    def get(self, user: User, dataset_uid: str, schedule_uid: str) -> Schedule:
        found = _find(self.state.dataset(user, dataset_uid, *READ), schedule_uid)
        return Schedule(found.schedule_uid, found.cron_schedule, found.user)

    @mutation
    def create(self, user: User, dataset_uid: str, body: Body[ScheduleSpec]) -> Schedule:
        state = self.state
        ds = state.dataset(user, dataset_uid, *WRITE)
        expression = self._checked(body())
        for existing in ds.schedules.values():
            if existing.cron_schedule == expression:
                raise ScheduleExists(expression, existing.schedule_uid)
        if len(ds.schedules) >= rules.MAX_SCHEDULES:
            raise InvalidParameter(
                "cron_schedule", f"a dataset holds at most {rules.MAX_SCHEDULES} schedules"
            )
        made = Schedule(state.store.new_schedule_uid(ds), expression, user.username)
        ds.schedules[made.schedule_uid] = made
        self._arm(ds)
        return Schedule(made.schedule_uid, made.cron_schedule, made.user)

    @mutation
    def replace(
        self, user: User, dataset_uid: str, schedule_uid: str, body: Body[ScheduleSpec]
    ) -> Schedule:
        ds = self.state.dataset(user, dataset_uid, *WRITE)
        found = _find(ds, schedule_uid)
        expression = self._checked(body())
        found.cron_schedule, found.user = expression, user.username
        self._arm(ds)
        return Schedule(found.schedule_uid, found.cron_schedule, found.user)

    @mutation
    def delete(self, user: User, dataset_uid: str, schedule_uid: str) -> None:
        ds = self.state.dataset(user, dataset_uid, *WRITE)
        _find(ds, schedule_uid)
        del ds.schedules[schedule_uid]
        self._arm(ds)

    def _checked(self, spec: ScheduleSpec) -> str:
        allowed = self.state.scenario.platform.minute_level_schedules
        return rules.check(spec.cron_schedule, sub_daily=allowed)

    # timers -----------------------------------------------------------------------------

    def arm_all(self) -> None:
        """Arm the schedules of every dataset (a world was just built or taken up)."""
        for ds in self.state.store.datasets.values():
            if ds.schedules:
                self._arm(ds)

    def _arm(self, ds: Dataset) -> None:
        """Set the timer of the dataset's next scheduled run (none: none is set)."""
        state = self.state
        engine = state.engine
        epoch = state.scenario.epoch
        try:
            moment = epoch + timedelta(seconds=engine.now)
            firing = rules.next_firing(ds.schedules.values(), moment)
        except OverflowError:  # the end of the calendar
            firing = None
        at = None if firing is None else (firing - epoch).total_seconds()
        uid = ds.dataset_uid
        engine.arm(f"schedule:{uid}", at, lambda: self._fire(uid))

    def _fire(self, dataset_uid: str) -> None:
        """A schedule fires: the dataset is published, if its status allows it."""
        ds = self.state.store.datasets.get(dataset_uid)
        if ds is None or not ds.schedules:
            return
        self._arm(ds)
        if ds.status in sm.ACTION_ORIGINS:
            author = next(reversed(ds.schedules.values())).user or ds.owner
            self.state.engine.submit(ds, "publish", author)


def _find(ds: Dataset, schedule_uid: str) -> Schedule:
    found = ds.schedules.get(schedule_uid)
    if found is None:
        raise UnknownSchedule(schedule_uid)
    return found
