"""The discrete-event engine: a worker pool running dataset jobs on simpy's clock.

Each accepted action becomes a :class:`~simulator.models.Job`. It waits in a FIFO
queue (the dataset shows ``queued``) until one of the pool's workers, each a
long-lived simpy process, takes it and runs its stages one after the other. Every
status change goes through :meth:`Engine.move`, which refuses moves outside the
transition table and appends the move to the timeline.
"""

from __future__ import annotations

import heapq
import random
from collections import deque
from collections.abc import Callable, Generator, Iterator
from math import inf
from typing import Any

import simpy

from ..domain.faults import ABORT, FaultBook, StageFailure, WorkerOutage
from ..domain.harvesters import Harvester
from ..domain.models import Dataset, Failure, Job, Progress, RecordError, Version
from ..domain.pipeline import renamed
from ..domain.platform import Platform
from ..domain.retention import Retention
from ..domain.statemachine import (
    DELETING_STAGES,
    MOVES,
    RECORD_STAGES,
    REMOVED,
    HarvesterStatus,
    IllegalTransition,
    Status,
    check_harvester,
)
from ..domain.store import Store
from ..domain.timeline import Timeline

S = Status

#: A stage's share of the work: (resource uid, records) in processing order.
Lots = list[tuple[str, int]]
#: One stage of a plan: its status, its lots and their total records.
Step = tuple[Status, Lots, int]


#: What ends a job early: the license limit, or a fault.
LIMIT = "license_limit"

IDLE = S.IDLE.value

#: The function of a harvest's job: it holds a worker like a dataset's job.
HARVEST = "harvest"

#: What a harvest does once a worker takes it: how long it runs, and what then.
HarvestRun = Callable[[], tuple[float, Callable[[], None]]]

#: The stage of each realtime job: index pushed records, re-index recover data, drop it.
REALTIME_STAGE: dict[str, Status] = {
    "push": S.PROCESSING_REALTIME,
    "recover": S.RECOVERING_REALTIME_RECORDS,
    "scratch": S.SCRATCHING_REALTIME_RECOVER_DATA,
}

#: How many record errors a dataset keeps in detail (the count stays exact).
MAX_RECORD_ERRORS_KEPT = 1000


class Engine:
    def __init__(
        self,
        platform: Platform,
        store: Store,
        timeline: Timeline,
        faults: FaultBook | None = None,
        rng: random.Random | None = None,
        horizon: float = inf,
        retention: Retention | None = None,
        resume_at: float | None = None,
    ) -> None:
        self.env = simpy.Environment(initial_time=resume_at or 0.0)
        #: The last virtual second the clock can show: nothing is scheduled after it.
        self.horizon = horizon
        self.platform = platform
        self.store = store
        self.timeline = timeline
        self._timings = dict(platform.timings)
        self._limit = platform.max_records_by_dataset
        self.retention = retention or Retention()
        self.faults = faults or FaultBook()
        self.rng = rng or random.Random(0)
        #: How many workers may run jobs now (an outage lowers it).
        self.capacity = platform.workers
        self.busy = 0
        self.waiting: deque[Job] = deque()
        #: The worker process running each busy dataset's job.
        self.running: dict[str, simpy.Process] = {}
        self._workers = 0
        self._parked: deque[simpy.Event] = deque()
        self._idle: simpy.Event | None = None
        #: What each queued harvest runs, by job id: its harvester, and what tells how
        #: long it takes and what it does to the world as it ends.
        self.harvests: dict[str, tuple[Harvester, HarvestRun]] = {}
        #: The worker process running each harvest under way, by harvester id.
        self.harvesting: dict[str, simpy.Process] = {}
        #: The armed timer of each harvester's schedule, by harvester id.
        self.timers: dict[str, _Timer] = {}
        #: Called with each dataset removed by a finished delete job.
        self.on_removed: Callable[[Dataset], None] = store.remove_dataset
        #: The processor misconfiguration that stops a dataset's records stages, if any.
        self.misconfigured: Callable[[Dataset], StageFailure | None] | None = None
        self._hire(self.capacity)
        #: The outages under way (by rule), whose workers are away.
        self._under_way: set[int] = set()
        self._start_outages(resume_at)

    # time --------------------------------------------------------------------

    @property
    def now(self) -> float:
        return self.env.now

    def next_event(self) -> float | None:
        queue = self.env._queue  # simpy cannot call an event off: a cancelled one goes here
        while queue and getattr(queue[0][3], "cancelled", False):
            heapq.heappop(queue)
        t = self.env.peek()
        return None if t == inf else t

    def advance_to(self, t: float) -> None:
        """Run every event due up to and including ``t``, then stand at ``t``."""
        env = self.env
        while env.peek() <= t:
            env.step()
        if env.now < t:
            env.run(until=t)

    def after(self, delay: float) -> simpy.Event:
        """An event ``delay`` virtual seconds from now, or one that never comes.

        What would happen after the horizon never happens: the clock cannot get
        there, so a stage that would end later runs for ever, and no time past the
        horizon is ever scheduled, shown or written.
        """
        if self.env.now + delay <= self.horizon:
            return self.env.timeout(delay)
        return self.env.event()

    def settle(self) -> None:
        """Run every event due now, so zero-delay moves are visible at once."""
        self.advance_to(self.env.now)

    @property
    def active_jobs(self) -> int:
        return len(self.waiting) + self.busy

    def run_until_idle(self) -> bool:
        """Run until no job waits or runs; ``False`` if that can never happen."""
        if self.active_jobs:
            # simpy's own loop, stopped by an event the last job to end triggers,
            # rather than a check after every step from here (bench/engine.py, 10,000
            # publishes: 0.168 s of CPU against 0.188 s, best of five alternated runs)
            self._idle = self.env.event()
            try:
                self.env.run(until=self._idle)
            except RuntimeError as exc:
                if not str(exc).startswith("No scheduled events left"):
                    raise
            finally:
                self._idle = None
        self.settle()
        return self.active_jobs == 0

    # moves -------------------------------------------------------------------

    def move(self, ds: Dataset, to: Status | str, cause: str, job: Job | None = None) -> None:
        """Take one transition of the table, and log it."""
        move = MOVES.get((ds.status, to))
        if move is None:
            raise IllegalTransition(f"{ds.dataset_uid}: {ds.status} -> {to} is not in the table")
        source, destination, public_change = move
        t = self.env.now
        job_id = job.job_id if job is not None else None
        # an exact tuple of plain values: the garbage collector stops tracking it
        self.timeline.entries.append(
            (t, ds.dataset_uid, ds.dataset_id, source, destination, cause, job_id)
        )
        if len(self.timeline.entries) > self.timeline.trim_at:
            self._trim_timeline()
        if to != REMOVED:
            if public_change:
                ds.public_since = t
            ds.status = to  # type: ignore[assignment]  # not REMOVED: a Status
            ds.since = t

    def _trim_timeline(self) -> None:
        """Let the oldest transitions go, and the uids of deleted datasets no longer named."""
        gone = {uid for uid in self.timeline.trim() if uid not in self.store.datasets}
        if gone:
            self.store.retire_uids(gone - self.timeline.naming(gone))

    def submit(
        self, ds: Dataset, function: str, user: str, payload: dict[str, int] | None = None
    ) -> Job:
        """Queue an accepted action as a new job; a worker picks it up when one is free."""
        job = Job(self.store.new_job_id(), function, ds.dataset_uid, user, self.env.now)
        if payload is not None:
            job.payload = payload
        self.move(ds, S.QUEUED, function, job)
        ds.failure = None
        ds.limit = None
        ds.job = job
        ds.status_user = job.user
        self.store.jobs[job.job_id] = job
        self.waiting.append(job)
        if self._parked and self.busy < self.capacity:
            self._parked.popleft().succeed()
        return job

    # harvests ------------------------------------------------------------------

    def move_harvester(
        self,
        harvester: Harvester,
        to: HarvesterStatus | str,
        cause: str = "",
        job: Job | None = None,
    ) -> None:
        """Take one move of the harvesters' table, and log it."""
        check_harvester(harvester.status, to)
        self.timeline.add_harvester_move(
            self.env.now,
            harvester.harvester_id,
            harvester.name,
            harvester.status.value,
            str(to),
            cause,
            job.job_id if job is not None else None,
        )
        if isinstance(to, HarvesterStatus):
            harvester.status = to

    def submit_harvest(
        self, harvester: Harvester, user: str, begin: HarvestRun, cause: str = "start"
    ) -> Job:
        """Queue a harvest; as a worker takes it, ``begin`` says how long it runs, and
        what it does to the world as it ends."""
        job = Job(self.store.new_job_id(), HARVEST, harvester.harvester_id, user, self.env.now)
        self.move_harvester(harvester, HarvesterStatus.QUEUED, cause, job)
        self.harvests[job.job_id] = (harvester, begin)
        self.waiting.append(job)
        if self._parked and self.busy < self.capacity:
            self._parked.popleft().succeed()
        return job

    def _harvest(self, job: Job) -> Generator[simpy.Event, Any, None]:
        harvester, begin = self.harvests.pop(job.job_id)
        self.busy += 1
        job.state, job.started = "running", self.env.now
        self.move_harvester(harvester, HarvesterStatus.PROCESSING, "worker_free", job)
        harvester.last_started_at = self.env.now
        duration, done = begin()
        key = harvester.harvester_id
        self.harvesting[key] = self.env.active_process  # type: ignore[assignment]  # the worker's, running
        try:
            yield self.after(duration)
        except simpy.Interrupt:
            self.move_harvester(harvester, HarvesterStatus.ABORTING, "abort", job)
            yield self.after(self._timings[S.ABORTING_PROCESSING].base)
            self.move_harvester(harvester, HarvesterStatus.IDLE, "aborted", job)
            job.state = "aborted"
        else:
            done()
            self.move_harvester(harvester, HarvesterStatus.IDLE, "harvest_done", job)
            job.state = "done"
        finally:
            self.harvesting.pop(key, None)
        job.ended = self.env.now
        self.busy -= 1
        if not self.busy and not self.waiting and self._idle is not None:
            self._idle.succeed()

    # timers ----------------------------------------------------------------------

    def arm(self, key: str, at: float | None, fire: Callable[[], None]) -> None:
        """Call ``fire`` at virtual time ``at``, replacing the timer ``key`` had.

        Nothing is armed for ``None``, a time already past, or one after the horizon.
        """
        self.disarm(key)
        if at is None or at <= self.env.now or at > self.horizon:
            return
        timer = _Timer(self.env, at - self.env.now)
        timer.callbacks.append(lambda _: self._ring(key, timer, fire))
        self.timers[key] = timer

    def disarm(self, key: str) -> None:
        timer = self.timers.pop(key, None)
        if timer is not None:
            timer.cancelled = True

    def _ring(self, key: str, timer: _Timer, fire: Callable[[], None]) -> None:
        if timer.cancelled:
            return
        del self.timers[key]
        fire()

    def abort_harvest(self, harvester: Harvester) -> None:
        """Interrupt the harvest a worker runs for the harvester."""
        self.harvesting[harvester.harvester_id].interrupt("abort")

    def abort(self, ds: Dataset) -> None:
        """Interrupt the stage the dataset's job is running."""
        self.running[ds.dataset_uid].interrupt("abort_processing")

    def set_capacity(self, workers: int) -> None:
        """Resize the pool: running jobs finish; extra workers start at once."""
        self.capacity = max(0, workers)
        self._hire(self.capacity - self._workers)
        while self._parked:
            self._parked.popleft().succeed()

    def _hire(self, count: int) -> None:
        for _ in range(count):
            self._workers += 1
            self.env.process(self._worker())

    def _worker(self) -> Generator[simpy.Event, Any, None]:
        """Take the oldest waiting job whenever the pool has room, and run its stages
        one after the other; park while there is nothing to take or no room."""
        env = self.env
        waiting = self.waiting
        while True:
            if not waiting or self.busy >= self.capacity:
                wake = env.event()
                self._parked.append(wake)
                yield wake
                continue
            job = waiting.popleft()
            if job.function == HARVEST:
                yield from self._harvest(job)
                continue
            ds = self._take(job)
            cause = "worker_free"
            stop: StageFailure | str | None = None
            for step in self._plan(job, ds):
                self.move(ds, step[0], cause, job)
                cause = "stage_done"
                progress, duration, stop = self._begin(job, ds, step)
                try:
                    yield self.after(duration)
                except simpy.Interrupt:
                    self._end(job, ds, step, progress, progress.done_at(env.now), None)
                    stop = yield from self._abort(job, ds)
                    break
                self._end(job, ds, step, progress, progress.target, stop)
                if isinstance(stop, StageFailure) and stop.kind == ABORT:
                    stop = yield from self._abort(job, ds)
                    break
                if stop is not None:
                    break
            else:
                self._finish(job, ds)
            self._release(job, ds, stop)

    def _take(self, job: Job) -> Dataset:
        """Bookkeeping as a worker takes a job."""
        ds = self.store.datasets[job.dataset_uid]
        self.busy += 1
        self.running[job.dataset_uid] = self.env.active_process  # type: ignore[assignment]  # the worker's, running
        job.state = "running"
        job.started = self.env.now
        if job.function == "publish":
            ds.records_errors = ()
            ds.records_errors_count = 0
        return ds

    def _release(self, job: Job, ds: Dataset, stop: StageFailure | str | None) -> None:
        """Bookkeeping as a worker lets a job go, ended or stopped."""
        if stop is not None:
            self._stop(job, ds, stop)
        job.ended = self.env.now
        ds.job = None
        self.busy -= 1
        del self.running[job.dataset_uid]
        self.store.job_ended(job.job_id, self.retention.jobs)
        if ds.pending_push:
            self._flush_pushes(ds)
        if not self.busy and not self.waiting and self._idle is not None:
            self._idle.succeed()

    def _flush_pushes(self, ds: Dataset) -> None:
        """Index the records pushed while a job ran, once it has let the dataset go.

        Dropped if the job removed or unpublished the dataset: a push to it would now
        be refused, and an unpublished dataset holds no records.
        """
        payload, ds.pending_push = ds.pending_push, {}
        if ds.published and ds.dataset_uid in self.store.datasets:
            self.submit(ds, "push", ds.pending_pusher, payload)

    @property
    def workers(self) -> int:
        """How many worker processes the pool has (some idle while an outage lasts)."""
        return self._workers

    def resume_pool(self, capacity: int, workers: int) -> None:
        """Take up a pool as a checkpoint left it: its capacity now, and its workers."""
        self.capacity = capacity
        self._hire(workers - self._workers)

    def _start_outages(self, resume_at: float | None) -> None:
        """Schedule what is still to come of each outage, in the order it was scheduled.

        A new engine has every outage to come. One resumed from a checkpoint taken
        at ``resume_at`` (every event due then had run) finds the outages begun by
        then under way, the pool already short: only their end is to come, and it
        was scheduled when they began, after every outage still to begin.
        """
        outages = self.faults.outages
        if resume_at is None:
            to_begin, under_way = outages, []
        else:
            to_begin = [o for o in outages if o.start > resume_at]
            under_way = sorted(
                (
                    o
                    for o in outages
                    if o.start <= resume_at and o.end is not None and o.end > resume_at
                ),
                key=lambda o: o.start,
            )
        for outage in to_begin:
            self.env.process(self._outage(outage))
        for outage in under_way:
            self._under_way.add(id(outage))
            self.env.process(self._outage_end(outage))

    def add_outage(self, outage: WorkerOutage) -> None:
        """An outage put in force at run time: it begins at its start, or now if past."""
        self.env.process(self._outage(outage))

    def withdraw_outage(self, outage: WorkerOutage) -> None:
        """An outage taken out of force (already out of the book): if it is under way,
        its workers come back now; if it is still to begin, it never does."""
        if id(outage) in self._under_way:
            self._under_way.discard(id(outage))
            self.set_capacity(self.capacity + outage.workers)
            self.faults.note(self.env.now, "worker_outage", "*", workers=outage.workers)

    def _in_force(self, outage: WorkerOutage) -> bool:
        return any(o is outage for o in self.faults.outages)

    def _outage(self, outage: WorkerOutage) -> Generator[simpy.Event, Any, None]:
        yield self.after(max(0.0, outage.start - self.env.now))
        if not self._in_force(outage):
            return
        self._under_way.add(id(outage))
        self.set_capacity(self.capacity - outage.workers)
        self.faults.note(self.env.now, "worker_outage", "*", workers=-outage.workers)
        if outage.end is not None:
            yield from self._outage_end(outage)

    def _outage_end(self, outage: WorkerOutage) -> Generator[simpy.Event, Any, None]:
        assert outage.end is not None
        yield self.after(outage.end - self.env.now)
        if id(outage) not in self._under_way:  # withdrawn meanwhile: its workers came back
            return
        self._under_way.discard(id(outage))
        self.set_capacity(self.capacity + outage.workers)
        self.faults.note(self.env.now, "worker_outage", "*", workers=outage.workers)

    # jobs --------------------------------------------------------------------

    def _plan(self, job: Job, ds: Dataset) -> list[Step]:
        """The stages a job runs, decided when a worker picks it up."""
        function = job.function
        if function == "publish":
            if ds.published and ds.processors_revision != ds.indexed_processors_revision:
                # processors changed: every record is deleted and processed again
                lots = [(uid, r.records) for uid, r in ds.resources.items()]
                return [
                    _step(S.DELETING_ALL_DATASET_DATA, list(ds.indexed.items())),
                    _step(S.PROCESSING_DATASET, []),
                    _step(S.PROCESSING_ALL_DATASET_DATA, lots),
                ]
            if not ds.published:
                lots = [(uid, r.records) for uid, r in ds.resources.items()]
                return [_step(S.PROCESSING_DATASET, []), _step(S.PROCESSING_ALL_DATASET_DATA, lots)]
            removed = [(uid, n) for uid, n in ds.indexed.items() if uid not in ds.resources]
            changed = [
                (uid, r.records)
                for uid, r in ds.resources.items()
                if ds.indexed_revisions.get(uid) != r.revision
            ]
            # nothing changed: every source is fetched and processed again
            changed = changed or [(uid, r.records) for uid, r in ds.resources.items()]
            plan = [_step(S.PROCESSING_DATASET, [])]
            if removed:
                plan.append(_step(S.DELETING_RESOURCE_RECORDS, removed))
            plan.append(_step(S.PROCESSING_RESOURCE_RECORDS, changed))
            return plan
        if function == "publish_metadata":
            return [_step(S.PROCESSING_DATASET, [])]
        if function in ("unpublish", "delete"):
            indexed = list(ds.indexed.items())
            return [_step(S.DELETING_ALL_DATASET_DATA, indexed), _step(S.DELETING_DATASET, [])]
        if function == "save_version":
            return [_step(S.SAVING_DATASET_VERSION, [("", ds.records)])]
        if function in REALTIME_STAGE:
            return [_step(REALTIME_STAGE[function], list(job.payload.items()))]
        raise ValueError(f"unknown job function {function!r}")

    def _begin(
        self, job: Job, ds: Dataset, step: Step
    ) -> tuple[Progress, float, StageFailure | str | None]:
        """Start a stage: where it will stop, why, and how long it takes to get there."""
        status, lots, work = step
        faults = self.faults
        timing = self._timings[status]
        target = work
        stop: StageFailure | str | None = None
        if status in RECORD_STAGES:
            if status is not S.PROCESSING_REALTIME:  # pushed records add to the index
                for uid, _ in lots:
                    ds.indexed.pop(uid, None)
                    ds.indexed_revisions.pop(uid, None)
            limit = self._limit
            if limit is not None:
                kept = ds.records
                if kept + work > limit:
                    target, stop = max(0, limit - kept), LIMIT
        configured = ds.processors or ds.field_specs
        if configured and status in RECORD_STAGES and self.misconfigured is not None:
            broken = self.misconfigured(ds)
            if broken is not None:
                target, stop = 0, broken
        if faults.failures and not isinstance(stop, StageFailure):
            failure = faults.failure_for(ds, status)
            point = None if failure is None else failure.stop_point(work)
            if point is not None and point <= target:
                target, stop = point, failure
        base, rate = timing.base, timing.rate
        if faults.slow_stages or timing.jitter:
            factor = faults.slowdown(ds, status)
            if factor != 1.0:
                faults.note(
                    self.env.now,
                    "slow_stage",
                    ds.dataset_id,
                    stage=status.value,
                    factor=factor,
                )
            if timing.jitter:
                factor *= 1 + self.rng.uniform(-timing.jitter, timing.jitter)
            base *= factor
            rate = rate / factor if rate else None
        progress = Progress(status, self.env.now, work, target, base, rate)
        job.stage = progress
        if rate is None:
            return progress, base, stop
        # a slowdown large enough leaves no rate at all: the stage never ends
        return progress, (base + target / rate if rate > 0 else inf), stop

    def _end(
        self,
        job: Job,
        ds: Dataset,
        step: Step,
        progress: Progress,
        done: int,
        stop: StageFailure | str | None,
    ) -> None:
        """End a stage having handled ``done`` of its records, and apply them to the index."""
        status, lots, _ = step
        job.stages += (progress.finished(self.env.now, done),)
        job.stage = None
        if status in RECORD_STAGES:
            for uid, n, take in _spread(lots, done):
                if take:
                    ds.indexed[uid] = ds.indexed.get(uid, 0) + take
                if take == n and uid in ds.resources:
                    ds.indexed_revisions[uid] = ds.resources[uid].revision
            if done and self.faults.record_errors:
                self._add_record_errors(ds, status, done)
            if status is S.PROCESSING_REALTIME:  # kept as recover data
                for uid, _, take in _spread(lots, done):
                    if uid in ds.resources:
                        ds.resources[uid].records += take
        elif status is S.SCRATCHING_REALTIME_RECOVER_DATA:
            for uid, _, take in _spread(lots, done):
                if uid in ds.resources:
                    ds.resources[uid].records -= take
        elif status in DELETING_STAGES:
            for uid, _, take in _spread(lots, done):
                left = ds.indexed.get(uid, 0) - take
                if left > 0:
                    ds.indexed[uid] = left
                else:
                    ds.indexed.pop(uid, None)
                    ds.indexed_revisions.pop(uid, None)
        if stop is not None and stop is not LIMIT:
            assert isinstance(stop, StageFailure)
            self.faults.note_fired(stop)
            self.faults.note(
                self.env.now, stop.kind, ds.dataset_id, stage=status.value, records=done
            )

    def _add_record_errors(self, ds: Dataset, status: Status, processed: int) -> None:
        for rule in self.faults.record_errors_for(ds, status):
            count = rule.how_many(processed)
            self.faults.note(
                self.env.now, "record_errors", ds.dataset_id, stage=status.value, count=count
            )
            ds.records_errors_count += count
            # errors name the field as the field specifications leave it
            field_uid = renamed(ds.field_specs.values(), rule.field_uid)
            room = MAX_RECORD_ERRORS_KEPT - len(ds.records_errors)
            ds.records_errors += tuple(
                RecordError(
                    self.store.new_hex_id(),
                    rule.processor_uid,
                    field_uid,
                    rule.raw_message,
                    dict(rule.raw_params),
                )
                for _ in range(min(count, room))
            )

    def _finish(self, job: Job, ds: Dataset) -> None:
        function = job.function
        if function == "publish":
            ds.published = True
            ds.indexed_processors_revision = ds.processors_revision
        elif function == "unpublish":
            ds.published = False
        elif function == "save_version":
            number = ds.versions[-1].version + 1 if ds.versions else 1
            version = Version(number, self.env.now, ds.records, job.user, job.job_id)
            ds.versions = (*ds.versions, version)[-self.retention.versions :]
        elif function == "delete":
            job.state = "done"
            job.result = {"status": REMOVED}
            self.move(ds, REMOVED, "deleted", job)
            self.on_removed(ds)
            return
        job.state = "done"
        job.result = {"status": IDLE, "records": ds.records}
        self.move(ds, S.IDLE, "job_done", job)

    def _stop(self, job: Job, ds: Dataset, stop: StageFailure | str) -> None:
        ds.published = ds.published or ds.records > 0
        if stop == LIMIT:
            limit = self.platform.max_records_by_dataset
            stage = job.progresses[-1]
            # what the dataset tried to hold: the records kept, plus all of the stage's work
            attempted = ds.records - stage.records_done + stage.records_total
            ds.limit = {
                "limit_type": "max_records_by_dataset",
                "limit": limit,
                "value": attempted,
            }
            job.state = "done"
            job.result = {"status": S.LIMIT_REACHED.value, "records": ds.records}
            self.move(ds, S.LIMIT_REACHED, LIMIT, job)
            return
        assert isinstance(stop, StageFailure)
        ds.failure = Failure(stop.raw_message, dict(stop.raw_params))
        job.state = "error"
        job.result = {"status": S.ERROR.value, **ds.failure.to_dict()}
        self.move(ds, S.ERROR, stop.kind, job)

    def _abort(
        self, job: Job, ds: Dataset
    ) -> Generator[simpy.Event, Any, StageFailure | str | None]:
        self.move(ds, S.ABORTING_PROCESSING, "abort_processing", job)
        step = _step(S.ABORTING_PROCESSING, [])
        progress, duration, stop = self._begin(job, ds, step)
        yield self.after(duration)
        self._end(job, ds, step, progress, 0, stop)
        if stop is None:
            ds.published = ds.published or ds.records > 0
            job.state = "aborted"
            job.result = {"status": IDLE, "records": ds.records}
            self.move(ds, S.IDLE, "aborted", job)
        return stop


class _Timer(simpy.Timeout):
    """A timeout that can be called off: it then does nothing, and is no next event."""

    cancelled = False


def _spread(lots: Lots, done: int) -> Iterator[tuple[str, int, int]]:
    """Each lot, its size and its share of ``done`` records: the lots fill in order."""
    for uid, n in lots:
        take = min(n, done)
        done -= take
        yield uid, n, take


def _step(status: Status, lots: Lots) -> Step:
    work = 0
    for _, n in lots:
        work += n
    return status, lots, work
