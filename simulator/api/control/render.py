"""The control API's answers: the clock, scenarios, scripts and the dashboard, as JSON.

The control API is the simulator's own; its shapes are documented in its OpenAPI
document. Its errors take the Management API's shape (see :mod:`.errors`).
"""

from __future__ import annotations

from typing import Any

from ...domain.clock import Clock
from ...scenario.loading import Scenario
from ...service import ClockView
from ...service.dashboard import DashboardView
from ...service.views import Accepted
from . import errors


def clock_json(view: ClockView, clock: Clock, **flags: bool) -> dict[str, Any]:
    """The clock; ``flags`` (``advanced``, ``idle``) say what a move did."""
    return {
        "now": view.now,
        "datetime": clock.iso(view.now),
        "mode": view.mode,
        "speed": view.speed,
        "epoch": clock.iso(0.0),
        "next_event": view.next_event,
        "next_event_datetime": clock.iso(view.next_event),
        "active_jobs": view.active_jobs,
        "workers": view.workers,
        "busy_workers": view.busy_workers,
        **flags,
    }


def scenario_json(s: Scenario, with_text: bool = False) -> dict[str, Any]:
    """What the simulator runs: seed, users and their credentials, counts, the text."""
    faults = s.faults
    summary: dict[str, Any] = {
        "name": s.name,
        "seed": s.seed,
        "status_names": s.status_names or "coarse",
        "workers": s.platform.workers,
        "max_records_by_dataset": s.platform.max_records_by_dataset,
        "datasets": len(s.datasets),
        "users": [
            {
                "username": u.username,
                "password": u.password,
                "api_keys": list(u.api_keys),
                "permissions": sorted(u.permissions),
            }
            for u in s.users
        ],
        "faults": sum(
            len(group)
            for group in (
                faults.failures,
                faults.record_errors,
                faults.slow_stages,
                faults.outages,
                faults.http,
            )
        ),
        "script_steps": len(s.script),
    }
    if with_text:
        summary["text"] = s.text
    return summary


def script_json(results: dict[str, Any]) -> dict[str, Any]:
    """What a script did and found, each refused step's error in the API's error shape."""
    return {
        **results,
        "results": [
            {**r, "error": errors.described(r["error"])} if "error" in r else r
            for r in results["results"]
        ],
    }


def action_json(job: Accepted | None) -> dict[str, Any]:
    return {} if job is None else {"job_id": job.job_id}


def dashboard_json(view: DashboardView, clock: Clock) -> dict[str, Any]:
    body = {
        "generation": view.generation,
        "clock": clock_json(view.clock, clock),
        "vocabulary": view.vocabulary,
        "datasets": list(view.datasets),
        "timeline": [e.to_dict() for e in view.timeline],
        "timeline_length": view.timeline_length,
        "faults": list(view.faults),
        "script": {
            "steps": view.script_steps,
            "played": view.script_played,
            "failed": view.script_failed,
        },
    }
    if view.harvesters is not None:  # only in a world with harvesters
        body["harvesters"] = list(view.harvesters)
    return body
