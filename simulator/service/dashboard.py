"""What the dashboard shows and does: one snapshot a poll, actions as the first user."""

from __future__ import annotations

from typing import Any

from ..domain import statemachine as sm
from ..domain.models import Dataset
from .core import Core, operation
from .journal import mutation


class Dashboard(Core):
    @operation
    def dashboard(self, since: int = 0) -> dict[str, Any]:
        """The clock, every dataset as it stands, and the transitions after the first ``since``."""
        timeline = self.world.timeline
        since = max(0, min(since, len(timeline)))
        return {
            "generation": self.generation,
            "clock": self._clock_state(),
            "vocabulary": self.vocabulary,
            "datasets": [self._row(ds) for ds in self.store.datasets.values()],
            "timeline": [e.to_dict() for e in timeline.since(since)],
            "timeline_length": len(timeline),
            "faults": self.world.faults.log[-500:],
            "script": {
                "steps": len(self.script.steps),
                "played": len(self.script.results),
                "failed": len(self.script.failures),
            },
        }

    def _row(self, ds: Dataset) -> dict[str, Any]:
        job, stage = ds.job, ds.job.stage if ds.job is not None else None
        return {
            "dataset_uid": ds.dataset_uid,
            "dataset_id": ds.dataset_id,
            "title": ds.metas.get("default", {}).get("title"),
            "status": sm.FINE_NAME[ds.status],
            "public_status": sm.PUBLIC_NAME[ds.status],
            "published": ds.published,
            "records": ds.records,
            "job": None
            if job is None
            else {
                "job_id": job.job_id,
                "function": job.function,
                "stage": sm.FINE_NAME[stage.status] if stage is not None else None,
                "records_done": stage.done_at(self.engine.now) if stage is not None else 0,
                "records_total": stage.records_total if stage is not None else 0,
            },
            "error": ds.failure.message if ds.failure is not None else None,
            "limit": ds.limit,
        }

    @mutation
    def act_as_first_user(self, name: str, action: str) -> dict[str, Any]:
        """An action from the dashboard, by the scenario's first user, with the API's checks."""
        ds = self._named(name)
        result = self._act(self._first_user(), ds, action)
        self.engine.settle()
        return result
