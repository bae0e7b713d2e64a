"""The control side: the virtual clock, scenarios and their scripts, timelines, faults."""

from __future__ import annotations

from typing import Any

from ..domain import statemachine as sm
from ..domain.clock import CLOCK_MODES, END_OF_TIME, MAX_SPEED, ClockMode, finite
from ..domain.errors import InvalidParameter, InvalidScenario
from ..domain.timeline import to_csv, to_ndjson, to_table
from ..engine.script import Script
from ..scenario.loading import Scenario, ScenarioError, ScriptStep, load_scenario_text
from .core import DEFAULT_SPEED, Core, World, operation

TIMELINE_FORMATS = {"ndjson": to_ndjson, "csv": to_csv, "table": to_table}


class Control(Core):
    # control ------------------------------------------------------------------------

    def _clock_state(self) -> dict[str, Any]:
        engine = self.engine
        nxt = engine.next_event()
        return {
            "now": engine.now,
            "datetime": self.clock.iso(engine.now),
            "mode": self.clock.mode,
            "speed": self.clock.speed,
            "epoch": self.clock.iso(0.0),
            "next_event": nxt,
            "next_event_datetime": self.clock.iso(nxt),
            "active_jobs": engine.active_jobs,
            "workers": engine.capacity,
            "busy_workers": engine.busy,
        }

    @operation
    def clock_state(self) -> dict[str, Any]:
        return self._clock_state()

    @operation
    def advance(self, seconds: float) -> dict[str, Any]:
        """Move virtual time forward, running everything due on the way."""
        if not finite(seconds) or seconds < 0:
            raise InvalidParameter("seconds", f"expected a number of seconds >= 0, got {seconds!r}")
        if self.engine.now + seconds > self.clock.horizon:
            raise InvalidParameter(
                "seconds", f"{seconds:g} would move the clock past {END_OF_TIME.isoformat()}"
            )
        self.engine.advance_to(self.engine.now + seconds)
        self.clock.anchor(self.engine.now)
        return self._clock_state()

    @operation
    def advance_to_next_event(self) -> dict[str, Any]:
        nxt = self.engine.next_event()
        if nxt is not None:
            self.engine.advance_to(nxt)
            self.clock.anchor(self.engine.now)
        return {**self._clock_state(), "advanced": nxt is not None}

    @operation
    def run_until_idle(self) -> dict[str, Any]:
        idle = self.engine.run_until_idle()
        self.clock.anchor(self.engine.now)
        return {**self._clock_state(), "idle": idle}

    @operation
    def configure_clock(self, mode: Any = None, speed: Any = None) -> dict[str, Any]:
        if mode is not None and mode not in CLOCK_MODES:
            raise InvalidParameter(
                "mode", f"expected one of {', '.join(CLOCK_MODES)}, got {mode!r}"
            )
        if speed is not None and (not finite(speed) or not 0 < speed <= MAX_SPEED):
            raise InvalidParameter(
                "speed", f"expected a number above 0 and at most {MAX_SPEED:g}, got {speed!r}"
            )
        self.clock.configure(
            self.engine.now, mode or self.clock.mode, float(speed or self.clock.speed)
        )
        return self._clock_state()

    def reset(self, scenario: Scenario | None = None) -> dict[str, Any]:
        """Start over from a scenario (the current one by default), at virtual time zero."""
        with self._lock:
            if scenario is not None:
                self.scenario = scenario.with_overrides(**self.overrides)
            s = self.scenario
            self.world = World(s)
            self.generation += 1
            self.journal = []  # a new base: the scenario now in force
            self.journal_bytes = 0
            self.base = None
            self.base_bytes = 0
            self.dropped_at_base = 0
            self.unjournaled = None
            self.script = Script(s.script, self._perform, self._observe)
            self.script.start(self.engine.env)
            self.clock.epoch = s.epoch
            mode: ClockMode = s.clock_mode or self.default_clock_mode
            self.clock.configure(0.0, mode, s.speed or DEFAULT_SPEED)
            self.engine.settle()
            return self._clock_state()

    def require_token(self, token: str) -> None:
        """Lock the control API with a token, for this scenario and any loaded later."""
        with self._lock:
            self.overrides["control_token"] = token
            self.scenario = self.scenario.with_overrides(control_token=token)

    @operation
    def load_scenario(self, text: str, source: str = "<request>") -> dict[str, Any]:
        """Replace the scenario with one given as YAML text, and reset to it."""
        try:
            scenario = load_scenario_text(text, source)  # refused before anything changes
        except ScenarioError as exc:
            raise InvalidScenario(exc.source, exc.line, exc.path, exc.problem) from None
        self.reset(scenario)
        return self.scenario_summary()

    @operation
    def scenario_summary(self, with_text: bool = False) -> dict[str, Any]:
        s = self.scenario
        faults = s.faults
        summary: dict[str, Any] = {
            "name": s.name,
            "seed": s.seed,
            "status_names": self.vocabulary,
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

    # script, faults, headless runs ---------------------------------------------------

    def _perform(self, step: ScriptStep) -> dict[str, Any]:
        """A script's action, through the same checks as the API's."""
        username = step.user or self.scenario.users[0].username
        user = self.store.users[username]
        ds = self._named(step.dataset)
        return self._act(user, ds, step.action or "")

    def _observe(self, step: ScriptStep) -> dict[str, Any]:
        return self._state_of(step.dataset)

    @operation
    def observe(self, name: str) -> dict[str, Any]:
        """A dataset (id or uid) as tests see it: fine and public status, records..."""
        return self._state_of(name)

    def _state_of(self, name: str) -> dict[str, Any]:
        ds = self._find(name)
        if ds is None:
            return {"exists": False}
        return {
            "exists": True,
            "status": sm.FINE_NAME[ds.status],
            "public_status": sm.PUBLIC_NAME[ds.status],
            "published": ds.published,
            "records": ds.records,
            "records_errors": ds.records_errors_count,
        }

    @operation
    def script_results(self) -> dict[str, Any]:
        return {
            "steps": len(self.script.steps),
            "done": self.script.done,
            "failed": len(self.script.failures),
            "results": list(self.script.results),
        }

    @operation
    def fault_log(self) -> list[dict[str, Any]]:
        return [dict(entry) for entry in self.world.faults.log]

    def run_to_end(self, until: float | None = None) -> bool:
        """Run until the script has played and every job ended, or until ``until``.

        Returns whether everything ended (``False`` if jobs can never end, or if
        ``until`` came first).
        """
        with self._lock:
            engine = self.engine
            if until is not None:
                engine.advance_to(min(until, self.clock.horizon))
                return self.script.done and not engine.active_jobs
            last = self.scenario.script[-1].at if self.scenario.script else 0.0
            if last > engine.now:
                engine.advance_to(last)
            return engine.run_until_idle() and self.script.done

    def state_machine(self) -> dict[str, Any]:
        return sm.table()

    @operation
    def timeline(
        self,
        datasets: set[str] | None = None,
        since: float | None = None,
        until: float | None = None,
    ) -> list[dict[str, Any]]:
        return [e.to_dict() for e in self.world.timeline.query(datasets, since, until)]

    @operation
    def timeline_text(
        self,
        fmt: str,
        datasets: set[str] | None = None,
        since: float | None = None,
        until: float | None = None,
    ) -> str:
        """The timeline as ``ndjson``, ``csv`` or a ``table`` for people."""
        if fmt not in TIMELINE_FORMATS:
            known = ", ".join(["json", *TIMELINE_FORMATS])
            raise InvalidParameter("format", f"expected one of {known}, got {fmt!r}")
        return TIMELINE_FORMATS[fmt](self.world.timeline.query(datasets, since, until))

    @operation
    def sample_records(self, name: str, rows: int) -> dict[str, Any]:
        """Sample records of a dataset's resources, the same for the same scenario."""
        ds = self._named(name)
        records: list[dict[str, Any]] = []
        for uid, resource in ds.resources.items():
            if len(records) >= rows:
                break
            _, sampled = self._generated(ds, uid, min(rows - len(records), resource.records))
            records += [{"resource_uid": uid, **r} for r in sampled]
        return {"dataset_uid": ds.dataset_uid, "records": records}
