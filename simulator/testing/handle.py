"""A handle on a simulator for tests: clock, scenarios, statuses, whole timelines.

The pytest plugin's ``ods`` fixture and the interception context manager both give
one. It drives the simulator in-process (no HTTP), so resets and clock moves cost
microseconds; the code under test talks to the simulator the way it talks to the
real platform, over HTTP or through interception.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

import yaml

from ..api.control.render import script_json
from ..domain.statemachine import PUBLIC_NAMES, PUBLIC_OF, REMOVED, Status
from ..scenario.loading import (
    DEFAULT_API_KEY,
    Scenario,
    ScenarioError,
    bundled_name,
    load_scenario,
    load_scenario_text,
    parse_scenario,
)
from .injection import InjectedFault
from .request_log import Requests
from .virtual_sleep import DEFAULT_BUDGET, VirtualSleep

if TYPE_CHECKING:
    import requests

    from ..service import Simulator

API_PATH = "/api/management/v2"
AUTOMATION_PATH = "/api/automation/v1.0"

_FINE = frozenset(s.value for s in Status)
_PUBLIC = frozenset(PUBLIC_NAMES)

ScenarioSource = str | Path | dict[str, Any] | Scenario


def to_scenario(source: ScenarioSource, base: Path | None = None) -> Scenario:
    """A scenario from a file path, a library scenario's name (``"abort-midway"``),
    YAML text, a mapping, or a Scenario."""
    if isinstance(source, Scenario):
        return source
    if isinstance(source, dict):
        return parse_scenario(source, "<dict>", yaml.safe_dump(source, sort_keys=False))
    if isinstance(source, Path) or (
        "\n" not in source
        and (source.endswith((".yaml", ".yml", ".json")) or bundled_name(source) is not None)
    ):
        path = Path(source)
        if not path.is_absolute() and base is not None and (base / path).exists():
            path = base / path
        return load_scenario(path)
    return load_scenario_text(source, "<inline>")


class SimulatorHandle:
    """What a test needs from a running simulator."""

    def __init__(
        self,
        simulator: Simulator,
        url: str,
        base: Path | None = None,
        ca_file: Path | None = None,
    ) -> None:
        self.simulator = simulator
        #: Where client code should point: a loopback server, or an intercepted host.
        self.url = url.rstrip("/")
        #: Over HTTPS (``ods_tls``), the local CA's certificate (PEM) for clients to trust,
        #: e.g. as ``SSL_CERT_FILE`` or ``REQUESTS_CA_BUNDLE``; otherwise ``None``.
        self.ca_file = None if ca_file is None else str(ca_file)
        self._base = base

    # connecting ---------------------------------------------------------------------

    @property
    def api_url(self) -> str:
        """The Management API's base URL, e.g. ``http://127.0.0.1:41041/api/management/v2``."""
        return f"{self.url}{API_PATH}"

    @property
    def automation_url(self) -> str:
        """The Automation API's base URL, e.g. ``http://127.0.0.1:41041/api/automation/v1.0``."""
        return f"{self.url}{AUTOMATION_PATH}"

    @property
    def apikey(self) -> str:
        """An API key of the scenario's first user (``ods-sim-admin-key`` by default)."""
        user = self.simulator.scenario.users[0]
        return user.api_keys[0] if user.api_keys else DEFAULT_API_KEY

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Apikey {self.apikey}"}

    def session(self) -> requests.Session:
        """A requests session that authenticates as the scenario's first user."""
        import requests

        session = requests.Session()
        session.headers.update(self.headers)
        if self.ca_file is not None:
            session.verify = self.ca_file
            # requests lets REQUESTS_CA_BUNDLE and CURL_CA_BUNDLE override a session's
            # own ``verify``: the environment is not read for this session
            session.trust_env = False
        return session

    # the world ---------------------------------------------------------------------------

    def load(self, source: ScenarioSource) -> SimulatorHandle:
        """Replace the world with a scenario (path, YAML text, mapping), at time zero."""
        try:
            scenario = to_scenario(source, self._base)
        except ScenarioError as exc:
            raise AssertionError(f"invalid scenario: {exc}") from None
        self.simulator.reset(scenario)
        return self

    def reset(self) -> SimulatorHandle:
        """Back to the current scenario's time zero."""
        self.simulator.reset()
        return self

    # the clock ------------------------------------------------------------------------------

    @property
    def now(self) -> float:
        """Virtual seconds since the scenario started."""
        return self.simulator.control.clock().now

    def advance(self, seconds: float) -> float:
        """Let ``seconds`` of virtual time pass; returns the new time."""
        return self.simulator.control.advance(seconds).now

    def sleep(self, seconds: float) -> None:
        """A stand-in for ``time.sleep`` to inject into client code: virtual time passes."""
        self.advance(seconds)

    def virtual_sleep(
        self, *, budget: float = DEFAULT_BUDGET, modules: Iterable[ModuleType | str] = ()
    ) -> VirtualSleep:
        """A context manager: ``time.sleep``/``asyncio.sleep`` of this thread move the clock.

        See :mod:`simulator.testing.virtual_sleep`; ``budget`` is in virtual seconds.
        """
        return VirtualSleep(self, budget=budget, modules=modules)

    def next_event(self) -> float:
        return self.simulator.control.next_event()[0].now

    def run_until_idle(self) -> float:
        """Run until no job waits or runs; fails the test if that can never happen."""
        clock, idle = self.simulator.control.run_until_idle()
        if not idle:
            raise AssertionError(
                f"jobs can never finish: {clock.active_jobs} still waiting or running"
            )
        return clock.now

    @property
    def clock_mode(self) -> str:
        """``manual`` (the plugin's), ``step`` or ``realtime``.

        Set it for one test (``ods.clock_mode = "step"``: each call of the platform APIs
        then moves time to the next event); the next test's reset puts it back.
        """
        return self.simulator.control.clock().mode

    @clock_mode.setter
    def clock_mode(self, mode: str) -> None:
        self.simulator.control.configure_clock(mode=mode)

    # observing ----------------------------------------------------------------------------

    def state(self, dataset: str) -> dict[str, Any]:
        """A dataset (id or uid): ``exists``, ``status``, ``public_status``, ``published``..."""
        return self.simulator.control.observe(dataset)

    def status(self, dataset: str) -> str:
        """The fine status of a dataset (id or uid)."""
        state = self.state(dataset)
        if not state["exists"]:
            raise AssertionError(f"no dataset {dataset!r}")
        return state["status"]

    def timeline(self, dataset: str | None = None) -> list[dict[str, Any]]:
        entries = self.simulator.control.timeline({dataset} if dataset else None)
        return [e.to_dict() for e in entries]

    def transitions(self, dataset: str) -> list[str]:
        """The fine statuses a dataset went through, in order, the first included."""
        entries = self.timeline(dataset)
        return (
            [entries[0]["from"], *(e["to"] for e in entries)] if entries else [self.status(dataset)]
        )

    def assert_transitions(self, dataset: str, expected: str | list[str]) -> None:
        """Assert a dataset's whole path in one line: ``"idle > queued > processing > idle"``.

        Fine names compare with the fine path; public names (``processing``,
        ``deleting``...) with the public path, repeats collapsed as a client polling
        ``/status`` would see them.
        """
        wanted = (
            [s.strip() for s in expected.split(">")]
            if isinstance(expected, str)
            else list(expected)
        )
        unknown = [s for s in wanted if s not in _FINE | _PUBLIC | {REMOVED}]
        if unknown:
            raise AssertionError(f"not status names: {unknown}")
        path = self.transitions(dataset)
        if any(s in _PUBLIC - _FINE for s in wanted):
            path = _collapse([PUBLIC_OF[s] for s in path])
        if path != wanted:
            raise AssertionError(
                f"{dataset} went through\n  {' > '.join(path)}\nnot\n  {' > '.join(wanted)}"
            )

    def script(self) -> dict[str, Any]:
        return script_json(self.simulator.control.script_results())

    def faults(self) -> list[dict[str, Any]]:
        return self.simulator.control.fault_log()

    @property
    def requests(self) -> Requests:
        """The requests client code made since the test began, with assertions on them:
        ``ods.requests.assert_called("PUT", "*/publish")`` (see :mod:`.request_log`)."""
        return Requests(self.simulator.requests)

    # fault rules at run time ------------------------------------------------------

    def inject(self, rule: dict[str, Any]) -> InjectedFault:
        """Put a fault rule in force now (a scenario's ``faults:`` item); usable as a
        context manager that removes it on exit. A bad rule raises, naming the key."""
        return InjectedFault(self.simulator, self.simulator.fault_rules.add_fault(rule))

    def fault_rules(self) -> list[dict[str, Any]]:
        """The rules in force, with their ids: the scenario's, then those added."""
        return self.simulator.fault_rules.rules()

    def remove_faults(self) -> None:
        """Take every rule added at run time out of force."""
        self.simulator.fault_rules.remove_added_faults()


def _collapse(names: list[str]) -> list[str]:
    out: list[str] = []
    for name in names:
        if not out or out[-1] != name:
            out.append(name)
    return out


__all__ = ["SimulatorHandle", "Status", "to_scenario"]
