"""A scenario's script, played on the virtual clock.

Steps run at their virtual time whatever the clock mode: in manual mode when time
is moved past them, in realtime mode as it passes. A step runs after every other
event due at the same instant, so an expectation at ``t`` sees the world as it
stands at ``t`` (a job ending at ``t`` has ended), and an action at ``t`` comes
after what ``t`` already brought.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import Any

import simpy
from simpy.events import EventPriority, Timeout

from ..domain.errors import SimulatorError
from ..scenario.loading import ScriptStep

#: simpy priority below its NORMAL (1): processed after every ordinary event due then.
LATE = EventPriority(2)


class LateTimeout(Timeout):
    """A timeout processed after every ordinary event due at the same instant."""

    def __init__(self, env: simpy.Environment, delay: float) -> None:
        # as simpy's own Timeout, but scheduled with a later priority
        self.env = env
        self.callbacks = []
        self._value = None
        self._delay = delay
        self._ok = True
        env.schedule(self, LATE, delay)


Perform = Callable[[ScriptStep], dict[str, Any]]
Observe = Callable[[ScriptStep], dict[str, Any]]
#: How many timeline entries there were when a step played.
Position = Callable[[], int]


class Script:
    """Plays steps in order and keeps what each did or found."""

    def __init__(
        self,
        steps: tuple[ScriptStep, ...],
        perform: Perform,
        observe: Observe,
        position: Position | None = None,
    ) -> None:
        self.steps = steps
        self.perform = perform
        self.observe = observe
        self.results: list[dict[str, Any]] = []
        self.position = position
        #: Where each step played among the timeline's entries (after how many), for the
        #: steps played since this script was made, in order: a report interleaves them.
        self.positions: list[int] = []

    @property
    def done(self) -> bool:
        return len(self.results) == len(self.steps)

    @property
    def failures(self) -> list[dict[str, Any]]:
        return [r for r in self.results if "expect" in r and not r["ok"]]

    def start(self, env: simpy.Environment) -> None:
        """Play the steps not played yet (all of them, unless it resumes a checkpoint)."""
        if not self.done:
            env.process(self._play(env))

    def _play(self, env: simpy.Environment) -> Generator[simpy.Event, Any, None]:
        for step in self.steps[len(self.results) :]:
            yield LateTimeout(env, max(0.0, step.at - env.now))
            if self.position is not None:
                self.positions.append(self.position())
            self.results.append(self._run(step, env.now))

    def _run(self, step: ScriptStep, now: float) -> dict[str, Any]:
        target = (
            {"harvester": step.harvester}
            if step.harvester is not None
            else {"dataset": step.dataset}
        )
        head = {"index": step.index, "at": step.at, "t": now, **target}
        if step.action is not None:
            result = {**head, "action": step.action, "user": step.user}
            try:
                return {**result, "ok": True, **self.perform(step)}
            except SimulatorError as exc:
                return {**result, "ok": False, "error": exc.describe()}
        assert step.expect is not None
        expected = {k: v for k, v in step.expect.items() if k not in ("dataset", "harvester")}
        actual = self.observe(step)
        ok = all(_same(key, want, actual) for key, want in expected.items())
        return {**head, "expect": expected, "actual": actual, "ok": ok}


def _same(key: str, want: Any, actual: dict[str, Any]) -> bool:
    if key == "status":
        # a public name matches any of its fine statuses
        return want in (actual.get("status"), actual.get("public_status"))
    got = actual.get(key)
    if isinstance(want, dict) and isinstance(got, dict):  # counts: the keys given
        return all(got.get(k) == v for k, v in want.items())
    return got == want
