"""Fault rules in force: listed, added and removed while the world runs.

A rule added at run time is a scenario's ``faults:`` item, read by the same reader
with the same messages; its times are virtual seconds, as in a scenario. It is tried
before the rules already in force, and each change is journaled and logged on the
timeline, so a snapshot, a checkpoint or a state file plays it again.
"""

from __future__ import annotations

import json
from typing import Any

from ..domain.errors import InvalidScenario, NotFound
from ..domain.faults import RUN_TIME, RuleInForce, WorkerOutage
from ..domain.limits import MAX_FAULT_RULES
from ..scenario.loading import ScenarioError, read_fault
from .journal import mutation
from .operation import operation
from .state import State

#: Where the messages of a refused rule say it came from.
SOURCE = "<fault>"


class UnknownFaultRule(NotFound):
    error_key = "NotFoundException"

    def __init__(self, fault_id: str) -> None:
        super().__init__("No fault rule {fault_id} is in force", fault_id=fault_id)


class FaultRules:
    def __init__(self, state: State) -> None:
        self.state = state

    @operation
    def rules(self) -> list[dict[str, Any]]:
        """Every rule in force, the scenario's first, then those added, oldest first."""
        return [self._view(entry) for entry in self.state.world.faults.rules]

    @operation
    def rule(self, fault_id: str) -> dict[str, Any]:
        return self._view(self._find(fault_id))

    @mutation
    def add_fault(self, rule: dict[str, Any]) -> dict[str, Any]:
        """Put a rule in force now, as a scenario's ``faults:`` item gives it."""
        state = self.state
        world, now = state.world, state.engine.now
        book = world.faults
        try:
            item = json.loads(json.dumps(rule, allow_nan=False))  # a copy, plain JSON
        except (TypeError, ValueError, RecursionError):
            raise InvalidScenario(SOURCE, None, "", "a rule is a JSON object") from None
        added = sum(1 for r in book.rules if r.origin == RUN_TIME)
        if added >= MAX_FAULT_RULES:
            raise InvalidScenario(
                SOURCE,
                None,
                "",
                f"{MAX_FAULT_RULES} rules added at run time are in force already; "
                "remove some first",
            )
        store = world.store
        try:
            parsed = read_fault(
                item,
                datasets=[*store.datasets, *(ds.dataset_id for ds in store.datasets.values())],
                harvesters=list(store.harvesters),
                platform=state.scenario.platform,
                epoch=state.scenario.epoch,
                source=SOURCE,
            )
        except ScenarioError as exc:
            raise InvalidScenario(exc.source, None, exc.path, exc.problem) from None
        end = getattr(parsed, "end", None)
        if end is not None and end <= now:
            raise InvalidScenario(
                SOURCE, None, "until", f"{end:g} is already past: the clock is at {now:g} s"
            )
        book.added += 1
        entry = RuleInForce(f"run-{book.added}", RUN_TIME, item, parsed, now)
        book.add(entry)
        if isinstance(parsed, WorkerOutage):
            state.engine.add_outage(parsed)
        world.timeline.add_fault_change(now, entry.fault_id, entry.fault_type, "added")
        state.engine.settle()
        return self._view(entry)

    @mutation
    def remove_fault(self, fault_id: str) -> dict[str, Any]:
        """Take one rule out of force, the scenario's or one added at run time."""
        return self._remove(self._find(fault_id))

    @mutation
    def remove_added_faults(self) -> list[dict[str, Any]]:
        """Take every rule added at run time out of force; the scenario's stay."""
        added = [r for r in self.state.world.faults.rules if r.origin == RUN_TIME]
        return [self._remove(entry) for entry in added]

    def _remove(self, entry: RuleInForce) -> dict[str, Any]:
        """Take a rule out of force; what it was, with its counts until now."""
        state = self.state
        world = state.world
        view = self._view(entry)
        world.faults.remove(entry)
        if isinstance(entry.rule, WorkerOutage):
            state.engine.withdraw_outage(entry.rule)
        world.timeline.add_fault_change(
            state.engine.now, entry.fault_id, entry.fault_type, "removed"
        )
        state.engine.settle()
        return view

    def _find(self, fault_id: str) -> RuleInForce:
        entry = self.state.world.faults.find(fault_id)
        if entry is None:
            raise UnknownFaultRule(fault_id)
        return entry

    def _view(self, entry: RuleInForce) -> dict[str, Any]:
        return {
            "id": entry.fault_id,
            "origin": entry.origin,
            "added_at": entry.added_at,
            "rule": entry.item,
            **self.state.world.faults.counts(entry),
        }
