"""The simulator: one world, and the collaborators that each answer for an area of it.

Every API surface, the command line and the testing kit go through a
:class:`Simulator`. It holds the :class:`~.state.State` its collaborators share (the
scenario in force, its world, the clock, the one lock) and the collaborators
themselves: ``access`` (HTTP faults, then credentials), ``datasets``, ``resources``,
``files``, ``attachments`` (and alternative exports), ``configuration``, ``security``,
``processing``, ``control`` (the clock, scenarios, scripts, timelines), ``dashboard``
and ``snapshots``. Each public operation takes the lock, lets the clock policy catch
the engine up, checks everything it was given, and only then changes anything, so a
refused request leaves nothing half-done; it answers immutable views (see
:mod:`.views`), never live objects.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..domain.clock import Clock, ClockMode
from ..domain.request_log import RequestLog
from ..domain.store import Store
from ..engine import Engine
from ..scenario.loading import Scenario, ScriptStep
from .access import Access
from .attachments import Attachments
from .configuration import Configuration
from .connections import Connections
from .control import Control
from .dashboard import Dashboard
from .dataset_metadata import DatasetMetadata
from .datasets import Datasets
from .directory import Directory
from .fault_rules import FaultRules
from .feedbacks import Feedbacks
from .files import Files
from .harvesters import Harvesters
from .journal import Journal
from .page_security import PageSecurity
from .pages import Pages
from .processing import Processing
from .resources import Resources
from .schedules import Schedules
from .security import Security
from .snapshots import Snapshots
from .state import State
from .statefile import Document
from .world import World


class Simulator:
    """The simulated platform, serving one scenario at a time.

    ``overrides`` (``workers``, ``seed``, ``clock_mode``, ``speed``,
    ``status_names``, ``control_token``) apply to every scenario it is given, the
    first and any loaded later; ``default_clock_mode`` applies when neither they nor
    the scenario say.
    """

    def __init__(
        self,
        scenario: Scenario,
        wall: Callable[[], float] = time.monotonic,
        overrides: dict[str, Any] | None = None,
        default_clock_mode: ClockMode = "manual",
    ) -> None:
        self.state = state = State(wall, overrides, default_clock_mode)
        self.access = Access(state)
        self.datasets = Datasets(state)
        self.resources = Resources(state)
        self.configuration = Configuration(state)
        self.dataset_metadata = DatasetMetadata(state)
        self.security = Security(state)
        self.processing = Processing(state, self.resources)
        self.files = Files(state)
        self.attachments = Attachments(state)
        self.pages = Pages(state)
        self.page_security = PageSecurity(state)
        self.harvesters = Harvesters(state)
        self.schedules = Schedules(state)
        self.feedbacks = Feedbacks(state)
        self.connections = Connections(state)
        self.control = Control(state)
        self.dashboard = Dashboard(state, self.control, self.datasets)
        self.directory = Directory(state)
        self.fault_rules = FaultRules(state)
        owners = {
            type(part).__name__: part
            for part in (
                self.datasets,
                self.resources,
                self.configuration,
                self.dataset_metadata,
                self.security,
                self.processing,
                self.dashboard,
                self.files,
                self.attachments,
                self.directory,
                self.pages,
                self.page_security,
                self.harvesters,
                self.schedules,
                self.feedbacks,
                self.connections,
                self.fault_rules,
            )
        }
        self.snapshots = Snapshots(state, owners, self.access.replay_call)
        state.perform = self._perform
        state.observe = self._observe
        state.changed = self.snapshots.changed
        state.built = self._arm_timers
        state.reset(scenario)

    def _arm_timers(self) -> None:
        """Set the timers a world's data implies: harvester and dataset schedules."""
        self.harvesters.arm_all()
        self.schedules.arm_all()

    @classmethod
    def from_snapshot(
        cls, document: Document, wall: Callable[[], float] = time.monotonic
    ) -> Simulator:
        """A simulator in the world a snapshot describes, its clock where it stood."""
        sim = cls(
            document.scenario,
            wall=wall,
            overrides=document.overrides,
            default_clock_mode=document.default_clock_mode,
        )
        with sim.state.lock:
            sim.snapshots.replay(document)
        return sim

    # what a script step does and finds ------------------------------------------------------

    def _perform(self, step: ScriptStep) -> dict[str, Any]:
        if step.harvester is not None:
            self.harvesters.perform(step)
            return {}
        job = self.control.perform(step, self.datasets.action)
        return {} if job is None else {"job_id": job.job_id}

    def _observe(self, step: ScriptStep) -> dict[str, Any]:
        if step.harvester is not None:
            return self.harvesters.describe(step.harvester)
        return self.control.describe(step.dataset)

    # the parts tests and the testing kit reach for ------------------------------------------

    @property
    def scenario(self) -> Scenario:
        return self.state.scenario

    @property
    def world(self) -> World:
        return self.state.world

    @property
    def store(self) -> Store:
        return self.state.store

    @property
    def engine(self) -> Engine:
        return self.state.engine

    @property
    def clock(self) -> Clock:
        return self.state.clock

    @property
    def journal(self) -> Journal:
        return self.state.journal

    @property
    def requests(self) -> RequestLog:
        """The requests answered since the last reset (see :mod:`..domain.request_log`)."""
        return self.state.requests

    @property
    def any_credentials(self) -> bool:
        return self.state.any_credentials

    @any_credentials.setter
    def any_credentials(self, value: bool) -> None:
        self.state.any_credentials = value

    @property
    def state_file(self) -> Path | None:
        """Where snapshots are saved (``--state-file``); ``None``: nowhere."""
        return self.state.state_file

    @state_file.setter
    def state_file(self, path: Path | None) -> None:
        self.state.state_file = path

    @property
    def control_token(self) -> str | None:
        return self.state.control_token

    def http_date(self) -> str:
        return self.state.http_date()

    def now(self) -> float:
        """Virtual seconds now, as last caught up (read without the lock: changes nothing)."""
        return self.state.engine.now

    def reset(self, scenario: Scenario | None = None) -> None:
        """Back to a scenario's time zero (the current one by default)."""
        self.control.reset(scenario)
