"""What the dashboard shows and does: one snapshot a poll, actions as the first user."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..domain import statemachine as sm
from ..domain.models import Dataset
from ..domain.statemachine import Vocabulary
from ..domain.timeline import Entry, HarvesterEntry
from .control import ClockView, Control
from .datasets import Datasets
from .journal import mutation
from .operation import operation
from .state import State
from .views import Accepted


@dataclass(frozen=True, slots=True)
class DashboardView:
    generation: int
    clock: ClockView
    vocabulary: Vocabulary
    #: Every dataset as it stands: statuses, records, its job under way, its last error.
    datasets: tuple[dict[str, Any], ...]
    #: The transitions after the position asked for, and how many were ever made.
    timeline: tuple[Entry, ...]
    timeline_length: int
    faults: tuple[dict[str, Any], ...]
    script_steps: int
    script_played: int
    script_failed: int
    #: A lane per harvester: its status, its datasets, its newest moves. ``None`` in a
    #: world where no harvester is, nor ever moved: the poll answers as it did before.
    harvesters: tuple[dict[str, Any], ...] | None = None


#: The newest faults a poll carries.
FAULTS_SHOWN = 500

#: The newest harvester moves a poll carries, all harvesters together.
HARVESTER_MOVES_SHOWN = 500


class Dashboard:
    def __init__(self, state: State, control: Control, datasets: Datasets) -> None:
        self.state = state
        self._control = control
        self._datasets = datasets

    @operation
    def poll(self, since: int = 0) -> DashboardView:
        """The clock, every dataset as it stands, and the transitions after position ``since``."""
        state = self.state
        timeline = state.world.timeline
        script = state.script
        return DashboardView(
            state.generation,
            self._control.clock_now(),
            state.vocabulary,
            tuple(self._row(ds) for ds in state.store.datasets.values()),
            tuple(timeline.since(max(0, min(since, len(timeline))))),
            len(timeline),
            tuple(dict(entry) for entry in state.world.faults.log[-FAULTS_SHOWN:]),
            len(script.steps),
            len(script.results),
            len(script.failures),
            self._harvesters(),
        )

    def _harvesters(self) -> tuple[dict[str, Any], ...] | None:
        """Each harvester's lane; its datasets linked by uid, as the datasets' rows are."""
        store, timeline = self.state.store, self.state.world.timeline
        if not store.harvesters and not timeline.harvester_moves:
            return None
        moves: dict[str, list[dict[str, Any]]] = {h: [] for h in store.harvesters}
        for row in timeline.harvester_moves[-HARVESTER_MOVES_SHOWN:]:
            entry = HarvesterEntry(*row)
            if entry.harvester_id in moves:
                moves[entry.harvester_id].append(entry.to_dict())
        datasets = store.datasets
        return tuple(
            {
                "harvester_id": h.harvester_id,
                "name": h.name,
                "status": h.status.value,
                "datasets": [
                    {"dataset_uid": uid, "dataset_id": datasets[uid].dataset_id}
                    for uid in h.datasets.values()
                    if uid in datasets
                ],
                "moves": moves[h.harvester_id],
            }
            for h in store.harvesters.values()
        )

    def _row(self, ds: Dataset) -> dict[str, Any]:
        job, stage = ds.job, ds.job.stage if ds.job is not None else None
        return {
            "dataset_uid": ds.dataset_uid,
            "dataset_id": ds.dataset_id,
            "title": ds.metas.get("default", {}).get("title"),
            "status": ds.status.value,
            "public_status": sm.PUBLIC_NAME[ds.status],
            "published": ds.published,
            "records": ds.records,
            "job": None
            if job is None
            else {
                "job_id": job.job_id,
                "function": job.function,
                "stage": stage.status.value if stage is not None else None,
                "records_done": stage.done_at(self.state.engine.now) if stage is not None else 0,
                "records_total": stage.records_total if stage is not None else 0,
            },
            "error": ds.failure.message if ds.failure is not None else None,
            "limit": ds.limit,
        }

    @mutation
    def act_as_first_user(self, name: str, action: str) -> Accepted | None:
        """An action from the dashboard, by the scenario's first user, with the API's checks."""
        state = self.state
        result = self._datasets.action(state.first_user(), state.named(name), action)
        state.engine.settle()
        return result
