"""The control side: the virtual clock, scenarios and their scripts, timelines, faults."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..domain import statemachine as sm
from ..domain.clock import CLOCK_MODES, END_OF_TIME, MAX_SPEED, ClockMode, finite
from ..domain.errors import InvalidParameter, InvalidScenario
from ..domain.models import Dataset, User
from ..domain.timeline import Move, to_csv, to_ndjson, to_table
from ..scenario.loading import Scenario, ScenarioError, ScriptStep, load_scenario_text
from .operation import operation
from .state import State
from .views import Accepted

TIMELINE_FORMATS = {"ndjson": to_ndjson, "csv": to_csv, "table": to_table}


@dataclass(frozen=True, slots=True)
class ClockView:
    now: float
    mode: ClockMode
    speed: float
    next_event: float | None
    active_jobs: int
    workers: int
    busy_workers: int


class Control:
    def __init__(self, state: State) -> None:
        self.state = state

    # the clock -----------------------------------------------------------------------

    def clock_now(self) -> ClockView:
        """The clock as it stands (for a caller that holds the lock)."""
        engine, clock = self.state.engine, self.state.clock
        return ClockView(
            engine.now,
            clock.mode,
            clock.speed,
            engine.next_event(),
            engine.active_jobs,
            engine.capacity,
            engine.busy,
        )

    @operation
    def clock(self) -> ClockView:
        return self.clock_now()

    @operation
    def advance(self, seconds: float) -> ClockView:
        """Move virtual time forward, running everything due on the way."""
        state = self.state
        if not finite(seconds) or seconds < 0:
            raise InvalidParameter("seconds", f"expected a number of seconds >= 0, got {seconds!r}")
        if state.engine.now + seconds > state.clock.horizon:
            raise InvalidParameter(
                "seconds", f"{seconds:g} would move the clock past {END_OF_TIME.isoformat()}"
            )
        state.engine.advance_to(state.engine.now + seconds)
        state.clock.anchor(state.engine.now)
        return self.clock_now()

    @operation
    def next_event(self) -> tuple[ClockView, bool]:
        """Jump to the next scheduled event; whether there was one."""
        state = self.state
        nxt = state.engine.next_event()
        if nxt is not None:
            state.engine.advance_to(nxt)
            state.clock.anchor(state.engine.now)
        return self.clock_now(), nxt is not None

    @operation
    def run_until_idle(self) -> tuple[ClockView, bool]:
        """Run until no job waits or runs; whether that happened (never, if it cannot)."""
        state = self.state
        idle = state.engine.run_until_idle()
        state.clock.anchor(state.engine.now)
        return self.clock_now(), idle

    @operation
    def configure_clock(self, mode: Any = None, speed: Any = None) -> ClockView:
        if mode is not None and mode not in CLOCK_MODES:
            raise InvalidParameter(
                "mode", f"expected one of {', '.join(CLOCK_MODES)}, got {mode!r}"
            )
        if speed is not None and (not finite(speed) or not 0 < speed <= MAX_SPEED):
            raise InvalidParameter(
                "speed", f"expected a number above 0 and at most {MAX_SPEED:g}, got {speed!r}"
            )
        clock = self.state.clock
        clock.configure(self.state.engine.now, mode or clock.mode, float(speed or clock.speed))
        return self.clock_now()

    # scenarios ------------------------------------------------------------------------

    def reset(self, scenario: Scenario | None = None) -> ClockView:
        """Start over from a scenario (the current one by default), at virtual time zero."""
        with self.state.lock:
            self.state.reset(scenario)
            return self.clock_now()

    @operation
    def load_scenario(self, text: str, source: str = "<request>") -> Scenario:
        """Replace the scenario with one given as YAML text, and reset to it."""
        try:
            scenario = load_scenario_text(text, source)  # refused before anything changes
        except ScenarioError as exc:
            mistakes = [
                {"source": m.source, "line": m.line, "path": m.path, "problem": m.problem}
                for m in exc.mistakes
            ]
            raise InvalidScenario(
                exc.source, exc.line, exc.path, exc.problem, mistakes, exc.more
            ) from None
        self.state.reset(scenario)
        return self.state.scenario

    def require_token(self, token: str) -> None:
        """Lock the control API with a token, for this scenario and any loaded later."""
        state = self.state
        with state.lock:
            state.overrides["control_token"] = token
            state.scenario = state.scenario.with_overrides(control_token=token)

    @operation
    def scenario(self) -> Scenario:
        return self.state.scenario

    # script, faults, timelines --------------------------------------------------------

    def perform(
        self, step: ScriptStep, act: Callable[[User, Dataset, str], Accepted | None]
    ) -> Accepted | None:
        """A script's action, through the same checks as the API's (``act`` acts)."""
        state = self.state
        username = step.user or state.scenario.users[0].username
        return act(state.store.users[username], state.named(step.dataset), step.action or "")

    def describe(self, name: str) -> dict[str, Any]:
        """A dataset (id or uid) as tests see it: fine and public status, records..."""
        ds = self.state.find(name)
        if ds is None:
            return {"exists": False}
        return {
            "exists": True,
            "status": ds.status.value,
            "public_status": sm.PUBLIC_NAME[ds.status],
            "published": ds.published,
            "records": ds.records,
            "records_errors": ds.records_errors_count,
        }

    @operation
    def observe(self, name: str) -> dict[str, Any]:
        return self.describe(name)

    @operation
    def script_results(self) -> dict[str, Any]:
        script = self.state.script
        return {
            "steps": len(script.steps),
            "done": script.done,
            "failed": len(script.failures),
            "results": list(script.results),
        }

    @operation
    def fault_log(self) -> list[dict[str, Any]]:
        return [dict(entry) for entry in self.state.world.faults.log]

    def run_to_end(self, until: float | None = None) -> bool:
        """Run until the script has played and every job ended, or until ``until``.

        Returns whether everything ended (``False`` if jobs can never end, or if
        ``until`` came first).
        """
        state = self.state
        with state.lock:
            engine = state.engine
            if until is not None:
                engine.advance_to(min(until, state.clock.horizon))
                return state.script.done and not engine.active_jobs
            last = state.scenario.script[-1].at if state.scenario.script else 0.0
            if last > engine.now:
                engine.advance_to(last)
            return engine.run_until_idle() and state.script.done

    def state_machine(self) -> dict[str, Any]:
        return sm.table()

    @operation
    def timeline(
        self,
        datasets: set[str] | None = None,
        since: float | None = None,
        until: float | None = None,
        harvesters: set[str] | None = None,
    ) -> list[Move]:
        """Dataset transitions and harvester moves in the order they happened (filtered)."""
        return self.state.world.timeline.merged(datasets, harvesters, since, until)

    @operation
    def timeline_text(
        self,
        fmt: str,
        datasets: set[str] | None = None,
        since: float | None = None,
        until: float | None = None,
        harvesters: set[str] | None = None,
    ) -> str:
        """The timeline as ``ndjson``, ``csv`` or a ``table`` for people."""
        if fmt not in TIMELINE_FORMATS:
            known = ", ".join(["json", *TIMELINE_FORMATS])
            raise InvalidParameter("format", f"expected one of {known}, got {fmt!r}")
        moves = self.state.world.timeline.merged(datasets, harvesters, since, until)
        return TIMELINE_FORMATS[fmt](moves)

    @operation
    def sample_records(self, name: str, rows: int) -> tuple[str, list[dict[str, Any]]]:
        """Sample records of a dataset's resources, the same for the same scenario."""
        state = self.state
        ds = state.named(name)
        records: list[dict[str, Any]] = []
        for uid, resource in ds.resources.items():
            if len(records) >= rows:
                break
            _, sampled = state.generated(ds, uid, min(rows - len(records), resource.records))
            records += [{"resource_uid": uid, **r} for r in sampled]
        return ds.dataset_uid, records
