"""A concurrency soak: many client threads against a live simulator whose clock runs.

Each client thread plays a seeded random mix of Management API calls (create, add or
drop a resource, add a processor, publish, abort, unpublish, save a version, publish
metadata, realtime pushes, status, list, delete, jobs) and a few control calls (read,
speed up, slow down or jump the clock; poll the dashboard), against one server whose
clock runs in realtime at a high speed, so that jobs progress while requests arrive. The mix is
reproducible from the seed; the interleaving of the threads is not, which is the
point. Every answer is checked as it arrives: no 5xx, no connection error, every 4xx
in the API's error shape and one the operation can expect.

Afterwards the clock is stopped, every job is run to its end, and the world is
checked against what the clients were told (:func:`check`): every transition of the
timeline is in the table, time never goes backwards, each dataset's status is where
its last transition took it, every job ended, and no dataset was lost or duplicated.

The suite runs a short soak (``tests/e2e/test_soak.py``); ``bench/soak.py`` runs a
longer one and prints figures. Both import this module, which needs only the
simulator's HTTP surface: it can soak any running simulator, in or out of process.
"""

from __future__ import annotations

import random
import re
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any

import requests

API = "/api/management/v2"
#: The default admin's key (see README, Authentication).
AUTH = {"Authorization": "Apikey ods-sim-admin-key"}
FINE = {"X-Sim-Status-Names": "fine"}

#: The world every soak starts from: datasets of each kind, three workers and a
#: license small enough that some publishes stop at ``limit_reached``. Faults aim at
#: the ids that titles of new datasets give, so that every kind of end happens: a
#: publish, a delete, an abort and a version that fail, record errors, and an outage
#: that shrinks the pool for a minute while clients keep sending.
WORLD = """\
seed: 11
platform:
  workers: 3
  license: {max_records_by_dataset: 4000}
datasets:
  - {dataset_id: trees, resources: [{records: 1800}]}
  - {dataset_id: stations, published: true, resources: [{records: 2500}]}
  - {dataset_id: counts, resources: [{records: 3000}, {records: 2600}]}
  - {dataset_id: permits, published: true, resources: [{records: 900}, {records: 400}]}
  - {dataset_id: empty}
  - {dataset_id: parks, resources: [{records: 300}]}
  - {dataset_id: feed, published: true, resources: [{title: live, type: realtime, records: 0}]}
faults:
  - {type: processing_error, dataset: "air-quality*"}
  - {type: deleting_error, dataset: "parking*", stage: deleting_dataset, times: 10}
  - {type: aborting_error, dataset: "bike-counters*"}
  - {type: saving_error, dataset: "street-trees*", times: 10}
  - {type: record_errors, dataset: "*", rate: 0.01, field: name}
  - {type: worker_outage, from: 60, until: 120, workers: 2}
"""

#: Operations and their weights; a publish is sometimes followed at once by an abort.
#: ``push`` sends records to a realtime resource; ``scratch`` drops its recover data;
#: ``clock`` reads the clock, or changes its speed, or jumps it forward. ``recover``
#: is left out: on an unpublished dataset it indexes records that stay unpublished.
DEFAULT_MIX: dict[str, int] = {
    "create": 12,
    "add_resource": 5,
    "drop_resource": 2,
    "add_processor": 2,
    "push": 6,
    "scratch": 1,
    "publish": 20,
    "abort": 8,
    "unpublish": 8,
    "save_version": 3,
    "publish_metadata": 3,
    "status": 18,
    "list": 10,
    "delete": 7,
    "jobs": 3,
    "clock": 3,
    "dashboard": 2,
}

#: Titles drawn for new datasets: equal titles exercise the ``-2``, ``-3`` ids.
TITLES = ("Street trees", "Bike counters", "Air quality", "Parking", "Arbres à Paris")

ACTION_OPS = ("publish", "abort", "unpublish", "save_version", "publish_metadata")
PATH_OF = {"abort": "abort_processing"}

PRECONDITION = "InvalidDatasetStatusPreconditionException"
GONE = (404, "UnknownDatasetException")
GONE_RESOURCE = (404, "UnknownResourceException")
#: The refusals each operation may meet in a world where other clients act too.
EXPECTED: dict[str, frozenset[tuple[int, str]]] = {
    op: frozenset({(400, PRECONDITION), GONE}) for op in (*ACTION_OPS, "delete")
} | {
    "status": frozenset({GONE}),
    "add_resource": frozenset({GONE}),
    "add_processor": frozenset({GONE}),
    "resources": frozenset({GONE}),
    "drop_resource": frozenset({GONE, GONE_RESOURCE}),
    # a push to a dataset that is not published (any more) is refused
    "push": frozenset({GONE, GONE_RESOURCE, (400, "ODSException")}),
    # and so is publishing the metadata of a dataset that is not published
    "publish_metadata": frozenset({(400, PRECONDITION), GONE, (400, "ODSException")}),
    "scratch": frozenset({GONE, GONE_RESOURCE, (400, PRECONDITION)}),
}

#: Where jobs rest: a dataset in any other status holds or waits for a worker.
RESTING = frozenset({"idle", "error", "limit_reached"})
#: The last move of a job, by its end state.
JOB_ENDS = {
    "done": frozenset({"idle", "limit_reached", "removed"}),
    "aborted": frozenset({"idle"}),
    "error": frozenset({"error"}),
}
UID = re.compile(r"^da_[a-z0-9]{6}$")
JOB_ID = re.compile(r"^[0-9a-f]{40}$")


@dataclass
class SoakConfig:
    threads: int = 8
    #: Operations per thread (a publish and the abort that follows count as one);
    #: the run also stops at ``duration`` wall seconds, whichever comes first.
    operations: int | None = 100
    duration: float | None = None
    #: Virtual seconds per wall second while the clients run.
    speed: float = 150.0
    seed: int = 0
    mix: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_MIX))
    #: Chance that a publish is followed at once by an abort of the same dataset.
    abort_after_publish: float = 0.3
    #: Chance that another accepted action is followed by a push to the same dataset.
    push_after_action: float = 0.5
    #: Chance that an operation picks a dataset known to be gone (a 404 is expected).
    gone_pick: float = 0.05
    timeout: float = 10.0


# client side -----------------------------------------------------------------------


@dataclass
class Ledger:
    """What the clients did and were told; merged from every thread at the end."""

    initial: set[str] = field(default_factory=set)
    created: list[str] = field(default_factory=list)
    #: Unpublished datasets whose DELETE answered ``{}``: gone at once.
    deleted_now: list[str] = field(default_factory=list)
    #: DELETE of a published dataset: its job, and the dataset it removes.
    delete_jobs: dict[str, str] = field(default_factory=dict)
    #: Every job id an answer named (publish, unpublish, delete, ...; abort names
    #: the job it stops).
    job_ids: set[str] = field(default_factory=set)
    #: Datasets that took a buffered push: the job that indexes it names no client.
    buffered: set[str] = field(default_factory=set)
    #: Requests by operation and HTTP status.
    codes: dict[str, Counter[int]] = field(default_factory=lambda: defaultdict(Counter))
    #: 4xx answers by (operation, status, error_key).
    refusals: Counter[tuple[str, int, str]] = field(default_factory=Counter)
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    #: 5xx, connection errors, malformed answers, unexpected refusals.
    failures: list[str] = field(default_factory=list)
    steps: int = 0

    def merge(self, other: Ledger) -> None:
        self.created += other.created
        self.deleted_now += other.deleted_now
        self.delete_jobs.update(other.delete_jobs)
        self.job_ids |= other.job_ids
        self.buffered |= other.buffered
        for op, codes in other.codes.items():
            self.codes[op].update(codes)
        self.refusals.update(other.refusals)
        for op, values in other.latencies.items():
            self.latencies[op] += values
        self.failures += other.failures
        self.steps += other.steps

    @property
    def requests(self) -> int:
        return sum(sum(c.values()) for c in self.codes.values())


class Pool:
    """The dataset uids the clients know: those thought to exist, and those gone."""

    def __init__(self, uids: Iterable[str]) -> None:
        self._lock = threading.Lock()
        self.alive: list[str] = list(uids)
        self.gone: list[str] = []
        #: Realtime resources, as (dataset uid, resource uid).
        self.realtime: list[tuple[str, str]] = []

    def add(self, uid: str, realtime: Iterable[str] = ()) -> None:
        with self._lock:
            self.alive.append(uid)
            self.realtime += [(uid, r) for r in realtime]

    def pick_realtime(self, rng: random.Random, uid: str | None = None) -> tuple[str, str] | None:
        """A realtime resource (of dataset ``uid``, if given)."""
        with self._lock:
            found = [t for t in self.realtime if uid is None or t[0] == uid]
            return rng.choice(found) if found else None

    def pick(self, rng: random.Random, gone_chance: float) -> str | None:
        with self._lock:
            if self.gone and rng.random() < gone_chance:
                return rng.choice(self.gone)
            return rng.choice(self.alive) if self.alive else None

    def forget(self, uid: str) -> None:
        """A 404 or a delete answered ``{}``: the uid is gone for good."""
        with self._lock:
            if uid in self.alive:
                self.alive.remove(uid)
                self.gone.append(uid)


@dataclass
class Answer:
    code: int
    body: Any


def error_shape_problem(body: Any, code: int) -> str | None:
    """Why an error body is not in the API's shape, or ``None`` if it is."""
    if not isinstance(body, dict):
        return f"error body is not an object: {body!r}"
    if body.get("status_code") != code:
        return f"status_code {body.get('status_code')!r} differs from HTTP {code}"
    for key in ("error_key", "message", "raw_message"):
        if not isinstance(body.get(key), str) or not body[key]:
            return f"error body without a {key}: {body!r}"
    if not isinstance(body.get("raw_params"), dict):
        return f"error body without raw_params: {body!r}"
    return None


class Client(threading.Thread):
    """One client: a session of its own, a seeded mix, a ledger of its own."""

    def __init__(
        self,
        index: int,
        base: str,
        config: SoakConfig,
        pool: Pool,
        machine: dict[str, Any],
        deadline: float,
        pool_size: int,
    ) -> None:
        super().__init__(name=f"soak-client-{index}", daemon=True)
        self.index = index
        self.base = base
        self.config = config
        self.pool = pool
        self.deadline = deadline
        self.ledger = Ledger()
        #: The sequence of operations, drawn from the seed alone: the same every run.
        self.plan = random.Random(f"{config.seed}:{index}:plan")
        #: Their targets and details, which also depend on what the server answered.
        self.rng = random.Random(f"{config.seed}:{index}")
        self.origins = ", ".join(machine["action_origins"])
        self.abortable = ", ".join(machine["abortable"])
        self.fine_names = {s["name"] for s in machine["statuses"]}
        self.public_names = set(machine["public_names"])
        #: Virtual time as this client last saw it, in the clock and in Date headers.
        self.now = 0.0
        self.date: datetime | None = None
        #: Workers of the scenario's pool (an outage may leave fewer).
        self.pool_size = pool_size
        self.timeline_seen = 0
        self.list_total = 10
        self.session = requests.Session()
        self.session.headers.update(AUTH)
        self.ops: dict[str, Callable[[], None]] = {
            "create": self.create,
            "add_resource": self.add_resource,
            "drop_resource": self.drop_resource,
            "add_processor": self.add_processor,
            "push": self.push,
            "scratch": self.scratch,
            "status": self.status,
            "list": self.list,
            "delete": self.delete,
            "jobs": self.jobs,
            "clock": self.clock,
            "dashboard": self.dashboard,
        } | {op: (lambda op=op: self.act(op)) for op in ACTION_OPS}
        unknown = set(config.mix) - set(self.ops)
        if unknown:
            raise ValueError(f"unknown operations in the mix: {', '.join(sorted(unknown))}")
        self.names = list(config.mix)
        self.weights = [config.mix[n] for n in self.names]

    # plumbing ------------------------------------------------------------------

    def fail(self, op: str, problem: str) -> None:
        self.ledger.failures.append(f"{op}: {problem}")

    def call(self, op: str, method: str, path: str, **kwargs: Any) -> Answer | None:
        """One request; checked and counted. ``None`` when it failed outright."""
        url = f"{self.base}{path}"
        started = time.perf_counter()
        try:
            r = self.session.request(method, url, timeout=self.config.timeout, **kwargs)
        except requests.RequestException as exc:
            self.fail(op, f"{method} {path}: {type(exc).__name__}: {exc}")
            return None
        self.ledger.latencies[op].append(time.perf_counter() - started)
        self.ledger.codes[op][r.status_code] += 1
        self.check_date(op, r.headers.get("Date"))
        if r.status_code == 204 and not r.content:
            return Answer(204, None)
        try:
            body = r.json()
        except ValueError:
            self.fail(op, f"{method} {path}: {r.status_code}, not JSON: {r.text[:200]!r}")
            return None
        if r.status_code >= 500:
            self.fail(op, f"{method} {path}: {r.status_code} {str(body)[:300]}")
            return None
        if 400 <= r.status_code < 500:
            problem = error_shape_problem(body, r.status_code)
            if problem is not None:
                self.fail(op, f"{method} {path}: {problem}")
                return None
            key = body["error_key"]
            self.ledger.refusals[(op, r.status_code, key)] += 1
            if (r.status_code, key) not in EXPECTED.get(op, frozenset()):
                self.fail(
                    op, f"{method} {path}: unexpected {r.status_code} {key}: {body['message']}"
                )
            elif key == PRECONDITION:
                self.check_precondition(op, body)
        elif r.status_code not in (200, 204):
            self.fail(op, f"{method} {path}: unexpected HTTP {r.status_code}")
            return None
        return Answer(r.status_code, body)

    def check_date(self, op: str, header: str | None) -> None:
        """The ``Date`` header is virtual time: as one client sees it, it never goes back."""
        try:
            date = parsedate_to_datetime(header or "")
        except (TypeError, ValueError):
            self.fail(op, f"no Date header: {header!r}")
            return
        if self.date is not None and date < self.date:
            self.fail(op, f"Date went back from {self.date} to {date}")
        self.date = date

    def check_precondition(self, op: str, body: dict[str, Any]) -> None:
        """A refused action names the status it met, which must not be an allowed one."""
        params = body["raw_params"]
        allowed = self.abortable if op == "abort" else self.origins
        current = params.get("current_status")
        if params.get("authorized_origin_status") != allowed:
            self.fail(op, f"refusal names origins {params.get('authorized_origin_status')!r}")
        if current not in self.fine_names or current in allowed.split(", "):
            self.fail(op, f"refused from status {current!r}, which {allowed!r} allows")

    def expect(self, op: str, condition: bool, what: str) -> None:
        if not condition:
            self.fail(op, what)

    def pick(self) -> str | None:
        return self.pool.pick(self.rng, self.config.gone_pick)

    def note_job(self, op: str, body: Any) -> str | None:
        """The job an answer names, which must be 40 hex digits."""
        job_id = body.get("job_id") if isinstance(body, dict) else None
        if not isinstance(job_id, str) or not JOB_ID.match(job_id):
            self.fail(op, f"no job id in {str(body)[:200]}")
            return None
        self.ledger.job_ids.add(job_id)
        return job_id

    def gone(self, uid: str, answer: Answer) -> None:
        if answer.code == 404:
            self.pool.forget(uid)

    # the loop --------------------------------------------------------------------

    def run(self) -> None:
        limit = self.config.operations
        try:
            while (limit is None or self.ledger.steps < limit) and time.monotonic() < self.deadline:
                op = self.plan.choices(self.names, self.weights)[0]
                self.ops[op]()
                self.ledger.steps += 1
        except Exception as exc:  # a client bug must not pass for a quiet server
            self.fail("client", f"{type(exc).__name__}: {exc}")
        finally:
            self.session.close()

    # operations ---------------------------------------------------------------

    def create(self) -> None:
        roll = self.rng.random()
        if roll < 0.2:
            body: dict[str, Any] = {}
        else:
            body = {"metas": {"default": {"title": self.rng.choice(TITLES)}}}
        resources = [self.rng.randint(0, 2500) for _ in range(self.rng.choice((0, 1, 1, 2)))]
        realtime = self.rng.random() < 0.2
        answer = self.call("create", "POST", f"{API}/datasets", json=body)
        if answer is None:
            return
        uid = answer.body.get("dataset_uid")
        self.expect("create", isinstance(uid, str) and bool(UID.match(uid)), f"uid {uid!r}")
        self.expect("create", answer.body.get("status") == {"name": "idle"}, str(answer.body))
        self.expect("create", answer.body.get("published") is False, str(answer.body))
        self.ledger.created.append(uid)
        for records in resources:
            self.post_resource(uid, records)
        live: list[str] = []
        if realtime:
            body = {"type": "realtime", "title": "live"}
            answer = self.call("add_resource", "POST", f"{API}/datasets/{uid}/resources", json=body)
            if answer is not None and answer.code == 200:
                live.append(answer.body["resource_uid"])
        self.pool.add(uid, live)

    def post_resource(self, uid: str, records: int) -> None:
        n = self.rng.randrange(10**6)
        body = {"url": f"https://example.com/soak/{n}.csv", "title": f"{n}.csv", "records": records}
        answer = self.call("add_resource", "POST", f"{API}/datasets/{uid}/resources", json=body)
        if answer is not None and answer.code == 200:
            self.expect("add_resource", answer.body.get("records") == records, str(answer.body))
        elif answer is not None:
            self.gone(uid, answer)

    def add_resource(self) -> None:
        uid = self.pick()
        if uid is not None:
            self.post_resource(uid, self.rng.randint(0, 1500))

    def drop_resource(self) -> None:
        """Delete one of a dataset's resources: its records go at the next publish."""
        uid = self.pick()
        if uid is None:
            return
        answer = self.call("resources", "GET", f"{API}/datasets/{uid}/resources")
        if answer is None or answer.code != 200:
            if answer is not None:
                self.gone(uid, answer)
            return
        if not isinstance(answer.body, list):
            self.fail("resources", f"not a list: {str(answer.body)[:200]}")
            return
        droppable = [r["resource_uid"] for r in answer.body if r.get("type") != "realtime"]
        if droppable:
            ruid = self.rng.choice(droppable)
            self.call("drop_resource", "DELETE", f"{API}/datasets/{uid}/resources/{ruid}")

    def add_processor(self) -> None:
        """A processor: the next publish of a published dataset reprocesses everything."""
        uid = self.pick()
        if uid is None:
            return
        field = f"f{self.rng.randrange(1000)}"
        body = {"name": "expression", "args": {"output_field": field, "expression": "soak"}}
        if self.rng.random() < 0.5:
            replace = {"all_fields": True, "old": "a", "new": str(self.rng.randint(1, 5))}
            body = {"name": "string_replace", "args": replace}
        answer = self.call("add_processor", "POST", f"{API}/datasets/{uid}/processors", json=body)
        if answer is not None and answer.code != 200:
            self.gone(uid, answer)

    def push(self, target: tuple[str, str] | None = None) -> None:
        """Records to a realtime resource: indexed by a job, or buffered while one runs."""
        target = target or self.pool.pick_realtime(self.rng)
        if target is None:
            return
        uid, ruid = target
        records = [{"n": i} for i in range(self.rng.randint(1, 20))]
        path = f"{API}/datasets/{uid}/resources/{ruid}/push"
        answer = self.call("push", "POST", path, json=records)
        if answer is None or answer.code != 200:
            return
        body = answer.body
        self.expect("push", body.get("records") == len(records), f"push {body}")
        if body.get("buffered"):
            self.ledger.buffered.add(uid)
        else:
            self.note_job("push", body)

    def scratch(self) -> None:
        target = self.pool.pick_realtime(self.rng)
        if target is None:
            return
        uid, ruid = target
        path = f"{API}/datasets/{uid}/resources/{ruid}/delete_recover_data"
        answer = self.call("scratch", "PUT", path)
        if answer is not None and answer.code == 200:
            self.note_job("scratch", answer.body)

    def act(self, op: str) -> None:
        uid = self.pick()
        if uid is None:
            return
        answer = self.call(op, "PUT", f"{API}/datasets/{uid}/{PATH_OF.get(op, op)}")
        if answer is None:
            return
        if answer.code != 200:
            self.gone(uid, answer)
            return
        self.note_job(op, answer.body)
        if op == "publish" and self.rng.random() < self.config.abort_after_publish:
            self.call_abort(uid)
        elif self.rng.random() < self.config.push_after_action:
            target = self.pool.pick_realtime(self.rng, uid)
            if target is not None:  # records pushed while the job waits or runs
                self.push(target)

    def call_abort(self, uid: str) -> None:
        answer = self.call("abort", "PUT", f"{API}/datasets/{uid}/abort_processing")
        if answer is not None and answer.code == 200:
            self.note_job("abort", answer.body)

    def status(self) -> None:
        uid = self.pick()
        if uid is None:
            return
        answer = self.call("status", "GET", f"{API}/datasets/{uid}/status")
        if answer is None:
            return
        if answer.code != 200:
            self.gone(uid, answer)
            return
        body = answer.body
        self.expect("status", body.get("name") in self.public_names, f"status {body}")
        self.expect("status", isinstance(body.get("published"), bool), f"status {body}")
        self.expect("status", isinstance(body.get("since"), str), f"status {body}")

    def list(self) -> None:
        rows = self.rng.choice((1, 5, 10, 25, 100))
        page = self.rng.randint(1, max(1, -(-self.list_total // rows)) + 1)
        answer = self.call("list", "GET", f"{API}/datasets", params={"rows": rows, "page": page})
        if answer is None:
            return
        datasets, total = answer.body.get("datasets"), answer.body.get("nhits")
        if not isinstance(datasets, list) or not isinstance(total, int):
            self.fail("list", f"not a listing: {str(answer.body)[:200]}")
            return
        self.list_total = total
        uids = [d.get("dataset_uid") for d in datasets]
        self.expect("list", len(datasets) <= rows, f"{len(datasets)} datasets for rows={rows}")
        self.expect("list", len(set(uids)) == len(uids), f"a uid twice on one page: {uids}")
        size = max(0, min(rows, total - (page - 1) * rows))
        self.expect("list", len(datasets) == size, f"page {page} of {rows}: {len(datasets)}")
        names = {d.get("status", {}).get("name") for d in datasets}
        self.expect("list", names <= self.public_names, f"statuses {names}")

    def delete(self) -> None:
        uid = self.pick()
        if uid is None:
            return
        answer = self.call("delete", "DELETE", f"{API}/datasets/{uid}")
        if answer is None:
            return
        if answer.code != 200:
            self.gone(uid, answer)
        elif answer.body == {}:
            self.ledger.deleted_now.append(uid)
            self.pool.forget(uid)
        else:
            job_id = self.note_job("delete", answer.body)
            if job_id is not None:
                self.ledger.delete_jobs[job_id] = uid

    def jobs(self) -> None:
        known = sorted(self.ledger.job_ids)
        if known and self.rng.random() < 0.5:
            job_id = self.rng.choice(known)
            answer = self.call("jobs", "GET", f"{API}/jobs/{job_id}")
            if answer is not None:
                self.expect("jobs", answer.body.get("job_id") == job_id, str(answer.body)[:200])
            return
        answer = self.call("jobs", "GET", f"{API}/jobs")
        if answer is not None:
            jobs = answer.body.get("jobs")
            self.expect("jobs", answer.body.get("nhits") == len(jobs or ()), "nhits")

    def clock(self) -> None:
        """Read the clock; now and then change its speed, or jump it forward."""
        roll = self.rng.random()
        if roll < 0.2:
            speed = self.config.speed * self.rng.choice((0.5, 1.0, 2.0))
            body = {"mode": "realtime", "speed": speed}
            answer = self.call("clock", "PUT", "/_sim/clock", json=body)
        elif roll < 0.4:
            seconds = self.rng.randint(1, 30)
            answer = self.call("clock", "POST", "/_sim/clock/advance", json={"seconds": seconds})
        else:
            answer = self.call("clock", "GET", "/_sim/clock")
        if answer is None:
            return
        c = answer.body
        self.expect("clock", c.get("mode") == "realtime", f"clock {c}")
        self.expect("clock", c["now"] >= self.now, f"time went back from {self.now}: {c}")
        self.now = c["now"]
        # an outage shrinks the pool below the busy workers: running jobs finish
        self.expect("clock", 0 <= c["busy_workers"] <= self.pool_size, f"clock {c}")
        self.expect("clock", c["active_jobs"] >= c["busy_workers"], f"clock {c}")

    def dashboard(self) -> None:
        since = self.timeline_seen
        answer = self.call("dashboard", "GET", "/_sim/dashboard", params={"since": since})
        if answer is None:
            return
        length = answer.body.get("timeline_length", -1)
        self.expect("dashboard", length >= since, f"the timeline shrank from {since} to {length}")
        moves = answer.body.get("timeline", [])
        self.expect("dashboard", len(moves) == length - since, f"{len(moves)} new moves")
        self.timeline_seen = max(since, length)
        for row in answer.body.get("datasets", []):
            resting = row.get("status") in RESTING
            self.expect("dashboard", resting == (row.get("job") is None), f"row {row}")
            # (while a first publish is aborting, records are kept but not yet published)
            if resting and not row.get("published"):
                self.expect("dashboard", not row.get("records"), f"unpublished with records: {row}")


# the run ---------------------------------------------------------------------------


@dataclass
class Snapshot:
    """The world after the soak, as the control API and the Management API show it."""

    machine: dict[str, Any]
    timeline: list[dict[str, Any]]
    clock: dict[str, Any]
    idle: bool
    jobs: list[dict[str, Any]]
    jobs_total: int
    #: Every page of the listing (fine status names), and the total each page gave.
    pages: list[list[dict[str, Any]]]
    totals: list[int]
    #: The dashboard's rows: every dataset with its records and job.
    rows: list[dict[str, Any]]


@dataclass
class SoakResult:
    config: SoakConfig
    ledger: Ledger
    snapshot: Snapshot
    violations: list[str]
    wall: float
    #: Virtual time when the clients stopped (before every job was run to its end).
    virtual_at_stop: float
    hung_threads: int = 0

    @property
    def transitions(self) -> int:
        return len(self.snapshot.timeline)

    def summary(self) -> str:
        return summarise(self)


def _json(session: requests.Session, method: str, url: str, **kwargs: Any) -> Any:
    r = session.request(method, url, timeout=30, **kwargs)
    if r.status_code != 200:
        raise RuntimeError(f"{method} {url}: {r.status_code} {r.text[:300]}")
    return r.json()


def collect(base: str, machine: dict[str, Any]) -> Snapshot:
    """Stop the clock, run every job to its end, and read the world back."""
    with requests.Session() as s:
        s.headers.update(AUTH)
        _json(s, "PUT", f"{base}/_sim/clock", json={"mode": "manual"})
        idle = _json(s, "POST", f"{base}/_sim/clock/run_until_idle")["idle"]
        timeline = _json(s, "GET", f"{base}/_sim/timeline")
        clock = _json(s, "GET", f"{base}/_sim/clock")
        jobs = _json(s, "GET", f"{base}{API}/jobs")
        pages: list[list[dict[str, Any]]] = []
        totals: list[int] = []
        page = 1
        while True:
            listing = _json(
                s,
                "GET",
                f"{base}{API}/datasets",
                params={"rows": 100, "page": page},
                headers=FINE,
            )
            pages.append(listing["datasets"])
            totals.append(listing["nhits"])
            if not listing["datasets"] or page * 100 >= listing["nhits"]:
                break
            page += 1
        params = {"since": len(timeline)}
        rows = _json(s, "GET", f"{base}/_sim/dashboard", params=params)["datasets"]
    return Snapshot(
        machine, timeline, clock, idle, jobs["jobs"], jobs["nhits"], pages, totals, rows
    )


def run(base: str, config: SoakConfig, world: str = WORLD) -> SoakResult:
    """Load the soak's world into the simulator at ``base``, soak it, check it."""
    with requests.Session() as s:
        s.headers.update(AUTH)
        _json(s, "PUT", f"{base}/_sim/scenario", data=world.encode())
        machine = _json(s, "GET", f"{base}/_sim/statemachine")
        pool_size = _json(s, "GET", f"{base}/_sim/scenario")["workers"]
        initial = [
            d["dataset_uid"]
            for d in _json(s, "GET", f"{base}{API}/datasets", params={"rows": 100})["datasets"]
        ]
        pool = Pool([])
        for uid in initial:
            resources = _json(s, "GET", f"{base}{API}/datasets/{uid}/resources")
            pool.add(uid, [r["resource_uid"] for r in resources if r["type"] == "realtime"])
        _json(s, "PUT", f"{base}/_sim/clock", json={"mode": "realtime", "speed": config.speed})
    started = time.monotonic()
    deadline = started + (config.duration if config.duration is not None else 3600.0)
    clients = [
        Client(i, base, config, pool, machine, deadline, pool_size) for i in range(config.threads)
    ]
    for c in clients:
        c.start()
    # a client's requests time out after config.timeout: a thread alive well past
    # the deadline is stuck in the server, not in a slow answer
    grace = deadline if config.duration is not None else started + 3600.0
    for c in clients:
        c.join(timeout=max(0.0, grace - time.monotonic()) + 3 * config.timeout)
    wall = time.monotonic() - started
    hung = sum(c.is_alive() for c in clients)
    ledger = Ledger(initial=set(initial))
    for c in clients:
        ledger.merge(c.ledger)
    if hung:
        ledger.failures.append(f"{hung} client threads did not finish: a deadlock?")
    with requests.Session() as s:
        stopped_at = _json(s, "GET", f"{base}/_sim/clock")["now"]
    snapshot = collect(base, machine)
    return SoakResult(
        config, ledger, snapshot, check(snapshot, ledger), wall, stopped_at, hung_threads=hung
    )


# the invariants --------------------------------------------------------------------


def check(snap: Snapshot, ledger: Ledger) -> list[str]:
    """Every way the world after a soak disagrees with the table or with the clients."""
    out: list[str] = [f"client saw: {f}" for f in ledger.failures[:50]]
    if len(ledger.failures) > 50:
        out.append(f"client saw {len(ledger.failures) - 50} more failures")
    out += _check_clock(snap)
    out += _check_timeline(snap)
    last = _last_moves(snap.timeline)
    out += _check_jobs(snap, ledger)
    out += _check_datasets(snap, ledger, last)
    return out


def _check_clock(snap: Snapshot) -> list[str]:
    out = []
    c = snap.clock
    if not snap.idle:
        out.append("run_until_idle could not bring the platform to rest")
    if c.get("active_jobs") or c.get("busy_workers"):
        out.append(f"jobs still active after run_until_idle: {c}")
    if c.get("mode") != "manual":
        out.append(f"the clock is {c.get('mode')!r}, not manual")
    return out


def _check_timeline(snap: Snapshot) -> list[str]:
    """Moves in the table, public names right, time forward, each dataset's chain unbroken."""
    out: list[str] = []
    machine = snap.machine
    allowed = {(t["from"], t["to"]) for t in machine["transitions"]}
    public = {s["name"]: s["public_name"] for s in machine["statuses"]}
    public |= {p: p for p in machine["pseudo_statuses"]}
    previous_t = None
    where: dict[str, str] = {}
    for i, e in enumerate(snap.timeline):
        move, uid = (e["from"], e["to"]), e["dataset_uid"]
        if move not in allowed:
            out.append(f"timeline[{i}] {uid}: {move[0]} -> {move[1]} is not in the table")
        if (e.get("from_public"), e.get("to_public")) != (public.get(move[0]), public.get(move[1])):
            out.append(
                f"timeline[{i}] {uid}: public names {e.get('from_public')} -> "
                f"{e.get('to_public')} for {move[0]} -> {move[1]}"
            )
        if previous_t is not None and e["t"] < previous_t:
            out.append(f"timeline[{i}] {uid}: time goes back from {previous_t} to {e['t']}")
        previous_t = e["t"]
        if e["t"] > snap.clock["now"]:
            out.append(f"timeline[{i}] {uid}: at {e['t']}, after the clock's {snap.clock['now']}")
        was = where.get(uid, "idle")
        if was == "removed":
            out.append(f"timeline[{i}] {uid}: moves after it was removed")
        elif move[0] != was:
            out.append(f"timeline[{i}] {uid}: leaves {move[0]} but was in {was}")
        where[uid] = move[1]
    return out


def _last_moves(timeline: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    last: dict[str, dict[str, Any]] = {}
    for e in timeline:
        last[e["dataset_uid"]] = e
    return last


def _check_jobs(snap: Snapshot, ledger: Ledger) -> list[str]:
    """Every job ended, as its moves say; the jobs are those the clients were given."""
    out: list[str] = []
    if snap.jobs_total != len(snap.jobs):
        out.append(f"/jobs nhits {snap.jobs_total} for {len(snap.jobs)} jobs")
    moves: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for e in snap.timeline:
        if e.get("job_id"):
            moves[e["job_id"]].append(e)
    listed = [j["job_id"] for j in snap.jobs]
    if len(set(listed)) != len(listed):
        out.append("a job is listed twice")
    lost = ledger.job_ids - set(listed)
    # records pushed while a job ran are indexed by a job of the server's own
    extra = {
        j["job_id"]
        for j in snap.jobs
        if j["job_id"] not in ledger.job_ids
        and not (j["function"] == "push" and j["dataset_uid"] in ledger.buffered)
    }
    if lost:
        out.append(f"{len(lost)} jobs answered to clients are not listed: {sorted(lost)[:5]}")
    if extra:
        out.append(f"{len(extra)} jobs listed that no client was given: {sorted(extra)[:5]}")
    for job in snap.jobs:
        jid, state = job["job_id"], job.get("state")
        ends = JOB_ENDS.get(state)
        if ends is None or job.get("ended") is None:
            out.append(f"job {jid} ({job.get('function')}) did not end: state {state!r}")
            continue
        if not job.get("created") <= (job.get("started") or "") <= job["ended"]:
            out.append(f"job {jid}: created/started/ended out of order: {job}")
        mine = moves.get(jid, [])
        if not mine or mine[0]["to"] != "queued" or mine[0]["cause"] != job["function"]:
            out.append(f"job {jid}: its first move is not its acceptance: {mine[:1]}")
            continue
        end = mine[-1]["to"]
        if end not in ends:
            out.append(f"job {jid} is {state} but its last move went to {end}")
        aborting = any(e["to"] == "aborting_processing" for e in mine)
        if aborting != (state == "aborted") and state != "error":
            out.append(f"job {jid} is {state} but aborting_processing: {aborting}")
        if (job.get("result") or {}).get("status") != end:
            out.append(f"job {jid}: result {job.get('result')} but last move to {end}")
        if any(e["dataset_uid"] != job["dataset_uid"] for e in mine):
            out.append(f"job {jid}: moves of another dataset")
    return out


def _check_datasets(snap: Snapshot, ledger: Ledger, last: dict[str, dict[str, Any]]) -> list[str]:
    """Nothing lost, nothing twice, each status where its last move took it."""
    out: list[str] = []
    listed = [d for page in snap.pages for d in page]
    uids = [d["dataset_uid"] for d in listed]
    ids = [d["dataset_id"] for d in listed]
    twice = sorted(u for u, n in Counter(uids).items() if n > 1)
    if twice:
        out.append(f"datasets listed twice: {twice[:5]}")
    ids_twice = sorted(i for i, n in Counter(ids).items() if n > 1)
    if ids_twice:
        out.append(f"dataset_ids used twice: {ids_twice[:5]}")
    if len(set(snap.totals)) > 1 or (snap.totals and snap.totals[0] != len(uids)):
        out.append(f"nhits {snap.totals} for {len(uids)} datasets listed")
    created_twice = sorted(u for u, n in Counter(ledger.created).items() if n > 1)
    if created_twice or ledger.initial & set(ledger.created):
        out.append(f"a uid was handed out twice: {created_twice[:5]}")
    jobs = {j["job_id"]: j for j in snap.jobs}
    deleted_by_job = {
        uid for jid, uid in ledger.delete_jobs.items() if jobs.get(jid, {}).get("state") == "done"
    }
    deleted = set(ledger.deleted_now) | deleted_by_job
    expected = (ledger.initial | set(ledger.created)) - deleted
    lost, extra = expected - set(uids), set(uids) - expected
    if lost:
        out.append(f"{len(lost)} datasets lost: {sorted(lost)[:5]}")
    if extra:
        out.append(f"{len(extra)} datasets listed that should not exist: {sorted(extra)[:5]}")
    removed = {uid for uid, e in last.items() if e["to"] == "removed"}
    if removed != deleted:
        out.append(
            f"removed in the timeline but not acknowledged: {sorted(removed - deleted)[:5]}; "
            f"acknowledged but not removed: {sorted(deleted - removed)[:5]}"
        )
    rows = {r["dataset_uid"]: r for r in snap.rows}
    if set(rows) != set(uids):
        out.append(f"the dashboard shows {len(rows)} datasets, the API lists {len(set(uids))}")
    for d in listed:
        uid, status = d["dataset_uid"], d.get("status", {}).get("name")
        moved_to = last[uid]["to"] if uid in last else "idle"
        if status != moved_to:
            out.append(f"{uid} is {status} but its last transition went to {moved_to}")
        if status not in RESTING:
            out.append(f"{uid} is still {status} with every job ended")
        row = rows.get(uid)
        if row is None:
            continue
        if (row["status"], row["published"]) != (status, d["published"]):
            out.append(f"{uid}: the dashboard and the API disagree: {row} / {d}")
        if not row["published"] and row["records"]:
            out.append(f"{uid} is not published but holds {row['records']} records")
        if row["job"] is not None:
            out.append(f"{uid} still has a job: {row['job']}")
    return out


# figures ---------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    """The ``q`` quantile (0-1) of some values, nearest rank."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


def summarise(result: SoakResult) -> str:
    ledger, snap, config = result.ledger, result.snapshot, result.config
    every = [v for values in ledger.latencies.values() for v in values]
    lines = [
        f"soak: {config.threads} threads, seed {config.seed}, speed {config.speed:g}x, "
        f"{ledger.steps} operations, {ledger.requests} requests in {result.wall:.2f} s "
        f"({ledger.requests / result.wall:.0f} requests/s)",
        f"latency: p50 {percentile(every, 0.5) * 1000:.1f} ms, "
        f"p99 {percentile(every, 0.99) * 1000:.1f} ms",
        "",
        f"{'operation':<18}{'requests':>9}{'p50 ms':>9}{'p99 ms':>9}  HTTP statuses",
    ]
    for op in sorted(ledger.codes):
        codes = ledger.codes[op]
        lat = ledger.latencies[op]
        spread = ", ".join(f"{code}: {n}" for code, n in sorted(codes.items()))
        lines.append(
            f"{op:<18}{sum(codes.values()):>9}{percentile(lat, 0.5) * 1000:>9.1f}"
            f"{percentile(lat, 0.99) * 1000:>9.1f}  {spread}"
        )
    lines += ["", "refusals (operation, status, error_key):"]
    lines += [f"  {op} {code} {key}: {n}" for (op, code, key), n in sorted(ledger.refusals.items())]
    moves = Counter((e["from"], e["to"]) for e in snap.timeline)
    functions = Counter((j["function"], j["state"]) for j in snap.jobs)
    lines += [
        "",
        f"virtual time: {result.virtual_at_stop:.0f} s when the clients stopped, "
        f"{snap.clock['now']:.0f} s when every job had ended",
        f"transitions: {len(snap.timeline)} ({len(moves)} distinct of "
        f"{len(snap.machine['transitions'])} in the table)",
        f"jobs: {len(snap.jobs)}: "
        + ", ".join(f"{f} {s} {n}" for (f, s), n in sorted(functions.items())),
        f"datasets: {len(ledger.initial)} at start, {len(ledger.created)} created, "
        f"{len(ledger.deleted_now)} deleted at once, {len(ledger.delete_jobs)} by a job, "
        f"{sum(len(p) for p in snap.pages)} at the end",
        "",
    ]
    if result.violations:
        lines.append(f"invariants: {len(result.violations)} violations")
        lines += [f"  {v}" for v in result.violations[:40]]
    else:
        lines.append(
            "invariants: all hold (moves in the table, time forward, statuses match "
            "their last move, every job ended, no dataset lost or duplicated, no 5xx)"
        )
    return "\n".join(lines)
