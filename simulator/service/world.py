"""A world: everything one run of a scenario holds, built anew at each reset.

The store of datasets, jobs, users, groups and files, the timeline, the fault book and the
engine, set up as the scenario says at virtual time zero, or resumed from a
checkpoint (see :mod:`.checkpoint`).
"""

from __future__ import annotations

import copy
import random
from typing import Any

from ..domain.clock import horizon
from ..domain.faults import FAULT_TYPES, SCENARIO, FaultBook, RuleInForce, StageFailure, book_list
from ..domain.former import declared_fields, uses_former
from ..domain.harvesters import Harvester
from ..domain.models import ApiKey, Dataset, Feedback, Group, Resource, User
from ..domain.pages import Page
from ..domain.pipeline import misconfiguration
from ..domain.processors import MISCONFIGURED
from ..domain.sources import Field, dataset_fields
from ..domain.statemachine import RECORD_STAGES
from ..domain.store import Store
from ..domain.timeline import Timeline
from ..engine import Engine
from ..scenario.loading import DatasetSpec, Scenario
from . import checkpoint as checkpoints


def _misconfigured(ds: Dataset, store: Store) -> StageFailure | None:
    """A misconfigured processor or field specification, as the failure it causes."""
    if uses_former(ds.processors.values()):  # replayed: checked as they then were
        fields = [Field(name, name, name) for name in declared_fields(ds)]
    else:
        fields = dataset_fields(ds, store.uploads)
    found = misconfiguration(fields, ds.processors.values(), ds.field_specs.values())
    if found is None:
        return None
    processor_id, field, msg = found
    params = {"processor_id": processor_id, "field": field, "msg": msg}
    return StageFailure(
        "processor_misconfigured", "*", RECORD_STAGES, MISCONFIGURED, params, after_records=0
    )


def scenario_rules(scenario: Scenario) -> list[RuleInForce]:
    """The scenario's fault rules with their ids: ``scenario-<n>``, ``n`` their place
    in the file's ``faults:`` list."""
    taken: dict[str, int] = {}
    rules: list[RuleInForce] = []
    for i, item in enumerate(scenario.faults.given):
        kind = book_list(item["type"])
        place = taken.get(kind, 0)
        taken[kind] = place + 1
        rule = getattr(scenario.faults, kind)[place]
        rules.append(RuleInForce(f"scenario-{i}", SCENARIO, item, rule))
    # rules made in code rather than read from a file come with no item: their type only
    for fault_type in FAULT_TYPES:
        kind = book_list(fault_type)
        for rule in getattr(scenario.faults, kind)[taken.get(kind, 0) :]:
            named = getattr(rule, "kind", fault_type) if kind == "failures" else fault_type
            if named != fault_type:
                continue
            rules.append(RuleInForce(f"scenario-{len(rules)}", SCENARIO, {"type": named}, rule))
    return rules


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
            harvest_failures=list(scenario.faults.harvest_failures),
            slow_remotes=list(scenario.faults.slow_remotes),
            remote_outages=list(scenario.faults.remote_outages),
            rng=random.Random(f"{seed}:http"),
            log_limit=retention.faults,
        )
        self.faults.rules = scenario_rules(scenario)
        if checkpoint is not None:
            checkpoints.revive(checkpoint, self.store, self.faults, self.timeline, scenario)
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
        store = self.store
        self.engine.misconfigured = lambda ds: _misconfigured(ds, store)
        if checkpoint is not None:
            checkpoints.resume_engine(checkpoint, self.engine)
            return
        for spec in scenario.users:
            self.store.add_user(User(spec.username, spec.password, spec.api_keys, spec.permissions))
            for key, label, carried in spec.key_details:
                self.store.api_keys[key] = ApiKey(key, spec.username, label, carried)
        for group in scenario.groups:
            self.store.add_group(
                Group(group.group_id, group.title, group.permissions, group.usernames)
            )
        for ds_spec in scenario.datasets:
            self._add_dataset(ds_spec)
        for harvester in scenario.harvesters:
            if harvester.exists:
                self.store.harvesters[harvester.harvester_id] = Harvester(
                    harvester.harvester_id,
                    harvester.name,
                    harvester.fetcher,
                    dict(harvester.params),
                    [dict(s) for s in harvester.schedules] if harvester.schedules else None,
                )
        for page in scenario.pages:
            self.store.pages[page.slug] = Page(
                page.slug,
                dict(page.title),
                page.description,
                page.template,
                copy.deepcopy(page.content),
                list(page.tags),
                page.restricted,
                last_modified_user=page.author,
                author=page.author,
            )

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
        for given in spec.feedbacks:
            uid = given.uid or store.new_feedback_uid(ds)
            ds.feedbacks[uid] = Feedback(
                uid,
                given.record_id,
                given.user,
                given.comment,
                copy.deepcopy(given.values),
                given.is_archived,
                -float(given.ago),
            )
        ds.published = spec.published
        store.add_dataset(ds)
