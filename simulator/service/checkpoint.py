"""Checkpoints: a world written down whole, so that the journal can start again.

The journal (see :mod:`.journal`) replays a world from its scenario; it grows with
every change, and so would a restore's time. When it is long, the facade writes the
world down as plain JSON data at a moment no job waits or runs: then every dataset,
job, file, transition and counter is data, and the only scheduled events left are
the scenario's own (worker outages still to come, script steps still to play) and
the harvesters' schedules, which follow from the time and the data. A restore builds
the world from that data, schedules what is still to come, and replays the journal
written since.
"""

from __future__ import annotations

import base64
import random
from typing import Any

from ..domain import history
from ..domain.connections import Connection
from ..domain.faults import RUN_TIME, FaultBook, RuleInForce
from ..domain.harvesters import Harvester
from ..domain.models import (
    DOMAIN_PERMISSIONS,
    ApiKey,
    Attachment,
    Change,
    Dataset,
    DefaultSecurity,
    Failure,
    Feedback,
    FieldSpec,
    Group,
    GroupRuleset,
    Job,
    Processor,
    RecordError,
    Resource,
    Ruleset,
    Schedule,
    StoredFile,
    User,
    Version,
)
from ..domain.pages import Page
from ..domain.statemachine import HarvesterStatus, Status
from ..domain.store import Store
from ..domain.timeline import Timeline
from ..engine.pool import Engine
from ..scenario.loading import Scenario, trusted_rule

Data = dict[str, Any]


def quiet(engine: Engine) -> bool:
    """Whether the world can be written down: no job waits or runs."""
    return engine.active_jobs == 0


def capture(store: Store, timeline: Timeline, faults: FaultBook, engine: Engine) -> Data:
    """The world as plain JSON data; the engine must be :func:`quiet`, every event due run."""
    assert quiet(engine), "a world with jobs under way cannot be written down"
    return {
        "now": engine.now,
        "store": {
            "rng": _rng(store.rng),
            "users": [_user(u) for u in store.users.values()],
            "groups": [_group(g) for g in store.groups.values()],
            "api_keys": [_api_key(k) for k in store.api_keys.values()],
            "datasets": [_dataset(ds) for ds in store.datasets.values()],
            "dataset_uids": sorted(store.remembered_uids),
            "jobs": [_job(job) for job in store.jobs.values()],
            "ended_jobs": list(store.ended_jobs),
            "files": [_file(f) for f in store.files.values()],
            "files_by_name": {name: f.file_id for name, f in store.files_by_name.items()},
            "pages": [_fields(page) for page in store.pages.values()],
            "harvesters": [_fields(h) for h in store.harvesters.values()],
            # only once there are connections: a world without any writes what it wrote before
            **(
                {"connections": [_fields(c) for c in store.connections.values()]}
                if store.connections
                else {}
            ),
        },
        "timeline": {
            "dropped": timeline.dropped,
            "entries": timeline.entries,
            # only once a harvester moved: a world without any writes what it wrote before
            **(
                {
                    "harvester_dropped": timeline.harvester_dropped,
                    "harvester_moves": timeline.harvester_moves,
                }
                if timeline.harvester_moves or timeline.harvester_dropped
                else {}
            ),
            **({"fault_changes": timeline.fault_changes} if timeline.fault_changes else {}),
        },
        "faults": {
            "rng": _rng(faults.rng),
            "fired": faults.counters(),
            "counted_calls": faults.counted_calls,
            "log": faults.log,
            # only once rules changed at run time: a world without any writes what it wrote before
            **({"rules": _rule_changes(faults)} if faults.added or faults.withdrawn else {}),
        },
        "engine": {
            "rng": _rng(engine.rng),
            "capacity": engine.capacity,
            "workers": engine.workers,
        },
    }


def revive(
    data: Data,
    store: Store,
    faults: FaultBook,
    timeline: Timeline,
    scenario: Scenario | None = None,
) -> None:
    """Fill a new world's store, fault book and timeline from a checkpoint's data.

    Raises ``KeyError``, ``TypeError`` or ``ValueError`` on data no checkpoint holds.
    """
    saved = data["store"]
    store.rng.setstate(_state(saved["rng"]))
    users = [_revive_user(user) for user in saved["users"]]
    if "api_keys" not in saved:  # written when 'all' meant the five dataset permissions
        for user in users:
            if user.permissions >= FORMER_ALL:
                user.permissions = frozenset(DOMAIN_PERMISSIONS)
    store.replace_users(
        users,
        # written since keys carry permissions; before, every key carried everything
        (_revive_api_key(k) for k in saved.get("api_keys", ())),
    )
    store.replace_groups(_revive_group(group) for group in saved.get("groups", ()))
    for ds in saved["datasets"]:
        store.add_dataset(_revive_dataset(ds))
    store.remember_uids(saved["dataset_uids"])
    for job in saved["jobs"]:
        store.jobs[job["job_id"]] = _revive_job(job)
    store.ended_jobs.extend(saved["ended_jobs"])
    for stored in saved["files"]:
        store.add_file(_revive_file(stored))
    store.files_by_name = {name: store.files[i] for name, i in saved["files_by_name"].items()}
    # a checkpoint written before pages were kept has none
    store.pages = {page["slug"]: Page(**page) for page in saved.get("pages", ())}
    # a checkpoint written before harvesters were kept has none
    store.harvesters = {
        h["harvester_id"]: Harvester(**{**h, "status": HarvesterStatus(h["status"])})
        for h in saved.get("harvesters", ())
    }
    # a checkpoint written before connections were kept has none
    store.connections = {c["uid"]: Connection(**c) for c in saved.get("connections", ())}
    timeline.dropped = data["timeline"]["dropped"]
    timeline.entries = [tuple(row) for row in data["timeline"]["entries"]]
    # a checkpoint written before harvester moves were logged has none
    timeline.harvester_dropped = data["timeline"].get("harvester_dropped", 0)
    timeline.harvester_moves = [tuple(row) for row in data["timeline"].get("harvester_moves", ())]
    # a checkpoint written before fault rules changed at run time has none
    timeline.fault_changes = [tuple(row) for row in data["timeline"].get("fault_changes", ())]
    book = data["faults"]
    if "rules" in book:
        assert scenario is not None, "a checkpoint with run-time fault rules needs its scenario"
        _revive_rules(book["rules"], faults, scenario)
    faults.rng.setstate(_state(book["rng"]))
    faults.restore_counters(book["fired"])
    faults.counted_calls = book["counted_calls"]
    faults.log = list(book["log"])


def _rule_changes(faults: FaultBook) -> Data:
    """How the rules in force differ from the scenario's: those withdrawn, those added."""
    return {
        "withdrawn": list(faults.withdrawn),
        "added": [[r.fault_id, r.added_at, r.item] for r in faults.rules if r.origin == RUN_TIME],
        "count": faults.added,
    }


def _revive_rules(saved: Data, faults: FaultBook, scenario: Scenario) -> None:
    for fault_id in saved["withdrawn"]:
        entry = faults.find(fault_id)
        if entry is None:
            raise ValueError(f"no fault rule {fault_id!r} in the scenario")
        faults.remove(entry)
    for fault_id, added_at, item in saved["added"]:
        faults.add(RuleInForce(fault_id, RUN_TIME, item, trusted_rule(item, scenario), added_at))
    faults.added = saved["count"]


def resume_engine(data: Data, engine: Engine) -> None:
    """Give an engine resumed at the checkpoint's time its pool and its generator."""
    saved = data["engine"]
    engine.resume_pool(saved["capacity"], saved["workers"])
    engine.rng.setstate(_state(saved["rng"]))


# models ------------------------------------------------------------------------------


def _rng(rng: random.Random) -> list[Any]:
    version, internal, gauss = rng.getstate()
    return [version, list(internal), gauss]


def _state(saved: list[Any]) -> tuple[Any, ...]:
    version, internal, gauss = saved
    return (version, tuple(internal), gauss)


#: Every domain permission the simulator knew before users, groups and keys were managed.
FORMER_ALL = frozenset(
    (
        "create_dataset",
        "edit_dataset",
        "publish_dataset",
        "manage_dataset",
        "explore_restricted_dataset",
    )
)


def _fields(obj: Any) -> Data:
    return {name: getattr(obj, name) for name in type(obj).__slots__}


def _user(user: User) -> Data:
    data = {
        **_fields(user),
        "api_keys": list(user.api_keys),
        "permissions": sorted(user.permissions),
    }
    del data["key_permissions"], data["via_key"]  # only ever set on a caller's copy
    return data


def _api_key(api_key: ApiKey) -> Data:
    data = _fields(api_key)
    if api_key.permissions is not None:
        data["permissions"] = list(api_key.permissions)
    return data


def _revive_api_key(data: Data) -> ApiKey:
    permissions = data["permissions"]
    return ApiKey(**{**data, "permissions": None if permissions is None else tuple(permissions)})


def _revive_user(data: Data) -> User:
    keys, permissions = tuple(data["api_keys"]), frozenset(data["permissions"])
    return User(**{**data, "api_keys": keys, "permissions": permissions})


def _group(group: Group) -> Data:
    return {
        **_fields(group),
        "permissions": sorted(group.permissions),
        "usernames": list(group.usernames),
    }


def _revive_group(data: Data) -> Group:
    permissions, usernames = frozenset(data["permissions"]), tuple(data["usernames"])
    return Group(**{**data, "permissions": permissions, "usernames": usernames})


def _dataset(ds: Dataset) -> Data:
    return {
        **_fields(ds),
        "status": ds.status.value,
        "resources": [_fields(r) for r in ds.resources.values()],
        "records_errors": [_fields(e) for e in ds.records_errors],
        "failure": None if ds.failure is None else _fields(ds.failure),
        "job": None,
        "versions": [_fields(v) for v in ds.versions],
        "processors": [_fields(p) for p in ds.processors.values()],
        "field_specs": [_fields(f) for f in ds.field_specs.values()],
        "rulesets": [_fields(r) for r in ds.rulesets.values()],
        "group_rulesets": [_fields(r) for r in ds.group_rulesets.values()],
        "default_security": _fields(ds.default_security),
        "changes": [_fields(c) for c in ds.changes],
        "attachments": [_fields(a) for a in ds.attachments.values()],
        "alternative_exports": [_fields(a) for a in ds.alternative_exports.values()],
        "schedules": [_fields(s) for s in ds.schedules.values()],
        "feedbacks": [_fields(f) for f in ds.feedbacks.values()],
    }


def _revive_dataset(data: Data) -> Dataset:
    failure = data["failure"]
    return Dataset(
        **{
            **data,
            "status": Status(data["status"]),
            "resources": {r["resource_uid"]: Resource(**r) for r in data["resources"]},
            "records_errors": tuple(RecordError(**e) for e in data["records_errors"]),
            "failure": None if failure is None else Failure(**failure),
            "versions": tuple(Version(**v) for v in data["versions"]),
            "processors": {p["processor_uid"]: Processor(**p) for p in data["processors"]},
            # a checkpoint written before field specifications were kept has none
            "field_specs": {
                f["processor_uid"]: FieldSpec(**f) for f in data.get("field_specs", [])
            },
            "rulesets": {r["username"]: Ruleset(**r) for r in data["rulesets"]},
            # both written since groups came; a checkpoint from before has neither
            "group_rulesets": {
                r["group_id"]: GroupRuleset(**r) for r in data.get("group_rulesets", ())
            },
            "default_security": DefaultSecurity(**data.get("default_security", {})),
            "changes": tuple(
                Change(**{**c, "diff": history.edits_of(c["diff"])}) for c in data["changes"]
            ),
            # absent from checkpoints written before datasets had them
            "attachments": _attached(data.get("attachments", [])),
            "alternative_exports": _attached(data.get("alternative_exports", [])),
            # absent from checkpoints written before datasets had schedules
            "schedules": {s["schedule_uid"]: Schedule(**s) for s in data.get("schedules", ())},
            "feedbacks": {f["feedback_uid"]: Feedback(**f) for f in data.get("feedbacks", ())},
        }
    )


def _attached(saved: list[Data]) -> dict[str, Attachment]:
    return {a["uid"]: Attachment(**a) for a in saved}


def _job(job: Job) -> Data:
    return {**_fields(job), "stages": [list(row) for row in job.stages], "stage": None}


def _revive_job(data: Data) -> Job:
    return Job(**{**data, "stages": tuple(tuple(row) for row in data["stages"])})


def _file(stored: StoredFile) -> Data:
    return {**_fields(stored), "content": base64.b64encode(stored.content).decode("ascii")}


def _revive_file(data: Data) -> StoredFile:
    return StoredFile(**{**data, "content": base64.b64decode(data["content"], validate=True)})
