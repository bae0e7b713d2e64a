"""A simulator driven in code as a client sees it: every operation by name, answers as JSON.

Unit tests of whole worlds (snapshots, retention, the service) call operations of every
area and compare what a client would see. :class:`Facade` gives them one object for
that: the Management API v2's operations answer as that API writes them (through its
surface, without HTTP), the control API's as it writes them, and anything else is
the simulator's own.
"""

from __future__ import annotations

from typing import Any

from simulator.api.control.render import (
    action_json,
    clock_json,
    dashboard_json,
    scenario_json,
    script_json,
)
from simulator.api.management.surface import ManagementV2
from simulator.service import Simulator


class Facade:
    def __init__(self, simulator: Simulator) -> None:
        self.simulator = simulator
        self.v2 = ManagementV2(simulator)

    def __getattr__(self, name: str) -> Any:
        if hasattr(self.v2, name):
            return getattr(self.v2, name)
        return getattr(self.simulator, name)

    def __setattr__(self, name: str, value: Any) -> None:
        if name in ("simulator", "v2"):
            object.__setattr__(self, name, value)
        else:  # a setting of the simulator's: any_credentials, state_file
            setattr(self.simulator, name, value)

    # the control API's answers --------------------------------------------------------------

    def clock_state(self) -> dict[str, Any]:
        return clock_json(self.simulator.control.clock(), self.simulator.clock)

    def advance(self, seconds: float) -> dict[str, Any]:
        return clock_json(self.simulator.control.advance(seconds), self.simulator.clock)

    def advance_to_next_event(self) -> dict[str, Any]:
        view, advanced = self.simulator.control.next_event()
        return clock_json(view, self.simulator.clock, advanced=advanced)

    def run_until_idle(self) -> dict[str, Any]:
        view, idle = self.simulator.control.run_until_idle()
        return clock_json(view, self.simulator.clock, idle=idle)

    def reset(self, scenario: Any = None) -> dict[str, Any]:
        return clock_json(self.simulator.control.reset(scenario), self.simulator.clock)

    def timeline(self, *args: Any) -> list[dict[str, Any]]:
        return [e.to_dict() for e in self.simulator.control.timeline(*args)]

    def script_results(self) -> dict[str, Any]:
        return script_json(self.simulator.control.script_results())

    def fault_log(self) -> list[dict[str, Any]]:
        return self.simulator.control.fault_log()

    def observe(self, name: str) -> dict[str, Any]:
        return self.simulator.control.observe(name)

    def load_scenario(self, text: str) -> dict[str, Any]:
        return scenario_json(self.simulator.control.load_scenario(text))

    def dashboard(self, since: int = 0) -> dict[str, Any]:
        return dashboard_json(self.simulator.dashboard.poll(since), self.simulator.clock)

    def act_as_first_user(self, name: str, action: str) -> dict[str, Any]:
        return action_json(self.simulator.dashboard.act_as_first_user(name, action))

    def admit(self, *args: Any) -> Any:
        return self.simulator.access.admit(*args)

    def authenticate(self, *args: Any) -> Any:
        return self.simulator.access.authenticate(*args)

    def snapshot(self) -> str:
        return self.simulator.snapshots.take()

    def save_snapshot(self) -> dict[str, Any]:
        return self.simulator.snapshots.save()

    def restore_snapshot(self, document: Any, source: str = "<request>") -> dict[str, Any]:
        return self.simulator.snapshots.restore(document, source)

    def run_to_end(self, until: float | None = None) -> bool:
        return self.simulator.control.run_to_end(until)


class Simulated(Facade):
    """A :class:`Facade` over a new simulator, built as :class:`Simulator` is."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(Simulator(*args, **kwargs))

    @classmethod
    def from_snapshot(cls, *args: Any, **kwargs: Any) -> Simulated:
        facade = cls.__new__(cls)
        Facade.__init__(facade, Simulator.from_snapshot(*args, **kwargs))
        return facade
