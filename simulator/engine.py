"""The discrete-event engine: a worker pool running dataset jobs on simpy's clock.

Each accepted action becomes a :class:`~simulator.models.Job`. It waits in a FIFO
queue (the dataset shows ``queued``) until the pool has a free worker, then one simpy
process runs its stages one after the other. Every status change goes through
:meth:`Engine.move`, which refuses moves outside the transition table and appends
the move to the timeline.
"""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Callable, Generator
from math import inf
from typing import Any

import simpy

from .faults import DELETING_STAGES, RECORD_STAGES, FaultBook, StageFailure, WorkerOutage
from .models import Dataset, Failure, Job, Progress, RecordError, Version
from .platform import Platform
from .statemachine import ALLOWED, PUBLIC_NAME, REMOVED, IllegalTransition, Status
from .store import Store
from .timeline import Entry, Timeline

S = Status

#: A stage's share of the work: (resource uid, records) in processing order.
Lots = list[tuple[str, int]]

#: What ends a job early: the license limit, or a fault.
LIMIT = "license_limit"

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
    ) -> None:
        self.env = simpy.Environment()
        self.platform = platform
        self.store = store
        self.timeline = timeline
        self.faults = faults or FaultBook()
        self.rng = rng or random.Random(0)
        self.capacity = platform.workers
        self.busy = 0
        self.waiting: deque[Job] = deque()
        self.running: dict[str, simpy.Process] = {}
        #: Called with each dataset removed by a finished delete job.
        self.on_removed: Callable[[Dataset], None] = store.remove_dataset
        for outage in self.faults.outages:
            self.env.process(self._outage(outage))

    # time --------------------------------------------------------------------

    @property
    def now(self) -> float:
        return self.env.now

    def next_event(self) -> float | None:
        t = self.env.peek()
        return None if t == inf else t

    def advance_to(self, t: float) -> None:
        """Run every event due up to and including ``t``, then stand at ``t``."""
        env = self.env
        while env.peek() <= t:
            env.step()
        if env.now < t:
            env.run(until=t)

    def settle(self) -> None:
        """Run every event due now, so zero-delay moves are visible at once."""
        self.advance_to(self.env.now)

    @property
    def active_jobs(self) -> int:
        return len(self.waiting) + self.busy

    def run_until_idle(self) -> bool:
        """Run until no job waits or runs; ``False`` if that can never happen."""
        env = self.env
        while self.active_jobs and env.peek() < inf:
            env.step()
        self.settle()
        return self.active_jobs == 0

    # moves -------------------------------------------------------------------

    def move(self, ds: Dataset, to: Status | str, cause: str, job: Job | None = None) -> None:
        """Take one transition of the table, and log it."""
        src = ds.status
        if (src, to) not in ALLOWED:
            raise IllegalTransition(f"{ds.dataset_uid}: {src} -> {to} is not in the table")
        t = self.env.now
        self.timeline.entries.append(
            Entry(t, ds.dataset_uid, ds.dataset_id, src, to, cause, job.job_id if job else None)
        )
        if to != REMOVED:
            if PUBLIC_NAME[src] != PUBLIC_NAME[to]:  # type: ignore[index]
                ds.public_since = t
            ds.status = to  # type: ignore[assignment]
            ds.since = t

    def submit(self, ds: Dataset, job: Job) -> None:
        """Queue an accepted action; a worker picks it up when one is free."""
        self.move(ds, S.QUEUED, job.function, job)
        ds.failure = None
        ds.limit = None
        ds.job = job
        ds.status_user = job.user
        self.store.jobs[job.job_id] = job
        self.waiting.append(job)
        self._dispatch()

    def abort(self, ds: Dataset) -> None:
        """Interrupt the stage the dataset's job is running."""
        self.running[ds.dataset_uid].interrupt("abort_processing")

    def set_capacity(self, workers: int) -> None:
        self.capacity = max(0, workers)
        self._dispatch()

    def _dispatch(self) -> None:
        while self.waiting and self.busy < self.capacity:
            job = self.waiting.popleft()
            ds = self.store.datasets[job.dataset_uid]
            self.busy += 1
            self.running[ds.dataset_uid] = self.env.process(self._run(job, ds))

    def _outage(self, outage: WorkerOutage) -> Generator[simpy.Event, Any, None]:
        yield self.env.timeout(outage.start)
        self.set_capacity(self.capacity - outage.workers)
        if outage.end is not None:
            yield self.env.timeout(outage.end - outage.start)
            self.set_capacity(self.capacity + outage.workers)

    # jobs --------------------------------------------------------------------

    def _plan(self, job: Job, ds: Dataset) -> list[tuple[Status, Lots]]:
        """The stages a job runs, decided when a worker picks it up."""
        everything = [(uid, r.records) for uid, r in ds.resources.items()]
        indexed = list(ds.indexed.items())
        match job.function:
            case "publish" if not ds.published:
                return [(S.PROCESSING_DATASET, []), (S.PROCESSING_ALL_DATASET_DATA, everything)]
            case "publish":
                removed = [(uid, n) for uid, n in indexed if uid not in ds.resources]
                changed = [
                    (uid, r.records)
                    for uid, r in ds.resources.items()
                    if ds.indexed_revisions.get(uid) != r.revision
                ]
                plan: list[tuple[Status, Lots]] = [(S.PROCESSING_DATASET, [])]
                if removed:
                    plan.append((S.DELETING_RESOURCE_RECORDS, removed))
                # nothing changed: every source is fetched and processed again
                plan.append((S.PROCESSING_RESOURCE_RECORDS, changed or everything))
                return plan
            case "publish_metadata":
                return [(S.PROCESSING_DATASET, [])]
            case "unpublish" | "delete":
                return [(S.DELETING_ALL_DATASET_DATA, indexed), (S.DELETING_DATASET, [])]
            case "save_version":
                return [(S.SAVING_DATASET_VERSION, [("", ds.records)])]
        raise ValueError(f"unknown job function {job.function!r}")

    def _run(self, job: Job, ds: Dataset) -> Generator[simpy.Event, Any, None]:
        job.state = "running"
        job.started = self.env.now
        if job.function == "publish":
            ds.records_errors = []
            ds.records_errors_count = 0
        cause = "worker_free"
        stop: StageFailure | str | None = None
        try:
            for status, lots in self._plan(job, ds):
                self.move(ds, status, cause, job)
                cause = "stage_done"
                stop = yield from self._stage(job, ds, status, lots)
                if stop is not None:
                    break
        except simpy.Interrupt:
            stop = yield from self._abort(job, ds)
        else:
            if stop is None:
                self._finish(job, ds)
        if stop is not None:
            self._stop(job, ds, stop)
        # released here rather than in a ``finally``: a discarded engine's suspended
        # jobs must not start others when the garbage collector closes them
        self.busy -= 1
        del self.running[ds.dataset_uid]
        job.ended = self.env.now
        ds.job = None
        self._dispatch()

    def _stage(
        self, job: Job, ds: Dataset, status: Status, lots: Lots
    ) -> Generator[simpy.Event, Any, StageFailure | str | None]:
        """Run one stage; return what stopped the job early, if anything."""
        timing = self.platform.timings[status]
        work = sum(n for _, n in lots)
        target, stop = work, None
        if status in RECORD_STAGES:
            for uid, _ in lots:
                ds.indexed.pop(uid, None)
                ds.indexed_revisions.pop(uid, None)
            limit = self.platform.max_records_by_dataset
            if limit is not None and ds.records + work > limit:
                target, stop = max(0, limit - ds.records), LIMIT
        failure = self.faults.failure_for(ds, status)
        if failure is not None:
            point = failure.stop_point(work)
            if point is not None and point <= target:
                target, stop = point, failure
        factor = self.faults.slowdown(ds, status)
        if timing.jitter:
            factor *= 1 + self.rng.uniform(-timing.jitter, timing.jitter)
        base = timing.base * factor
        rate = timing.rate / factor if timing.rate else None
        progress = Progress(status, self.env.now, work, target, base, rate)
        job.progresses.append(progress)
        try:
            yield self.env.timeout(base + (target / rate if rate else 0.0))
        except simpy.Interrupt:
            self._commit(ds, status, lots, progress.done_at(self.env.now), progress)
            raise
        self._commit(ds, status, lots, target, progress)
        if status in RECORD_STAGES and target:
            self._add_record_errors(ds, status, target)
        if isinstance(stop, StageFailure):
            self.faults.note_fired(stop)
        return stop

    def _commit(self, ds: Dataset, status: Status, lots: Lots, done: int, p: Progress) -> None:
        """Apply ``done`` records of a stage's work to the index."""
        p.ended = self.env.now
        p.records_done = done
        if status in RECORD_STAGES:
            for uid, n in lots:
                take = min(n, done)
                done -= take
                if take:
                    ds.indexed[uid] = ds.indexed.get(uid, 0) + take
                if take == n and uid in ds.resources:
                    ds.indexed_revisions[uid] = ds.resources[uid].revision
        elif status in DELETING_STAGES:
            for uid, n in lots:
                take = min(n, done)
                done -= take
                left = ds.indexed.get(uid, 0) - take
                if left > 0:
                    ds.indexed[uid] = left
                else:
                    ds.indexed.pop(uid, None)
                    ds.indexed_revisions.pop(uid, None)

    def _add_record_errors(self, ds: Dataset, status: Status, processed: int) -> None:
        for rule in self.faults.record_errors_for(ds, status):
            count = rule.how_many(processed)
            ds.records_errors_count += count
            room = MAX_RECORD_ERRORS_KEPT - len(ds.records_errors)
            for _ in range(min(count, room)):
                ds.records_errors.append(
                    RecordError(
                        self.store.new_hex_id(),
                        rule.processor_uid,
                        rule.field_uid,
                        rule.raw_message,
                        dict(rule.raw_params),
                    )
                )

    def _finish(self, job: Job, ds: Dataset) -> None:
        match job.function:
            case "publish":
                ds.published = True
            case "unpublish":
                ds.published = False
            case "save_version":
                number = len(ds.versions) + 1
                ds.versions.append(Version(number, self.env.now, ds.records, job.user, job.job_id))
            case "delete":
                job.state = "done"
                job.result = {"status": REMOVED}
                self.move(ds, REMOVED, "deleted", job)
                self.on_removed(ds)
                return
        job.state = "done"
        job.result = {"status": S.IDLE.value, "records": ds.records}
        self.move(ds, S.IDLE, "job_done", job)

    def _stop(self, job: Job, ds: Dataset, stop: StageFailure | str) -> None:
        ds.published = ds.published or ds.records > 0
        if stop == LIMIT:
            limit = self.platform.max_records_by_dataset
            ds.limit = {
                "limit_type": "max_records_by_dataset",
                "limit": limit,
                "value": ds.records_expected,
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
        stop = yield from self._stage(job, ds, S.ABORTING_PROCESSING, [])
        if stop is None:
            ds.published = ds.published or ds.records > 0
            job.state = "aborted"
            job.result = {"status": S.IDLE.value, "records": ds.records}
            self.move(ds, S.IDLE, "aborted", job)
        return stop
