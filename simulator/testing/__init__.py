"""The testing kit: a handle on a simulator, interception, and the pytest plugin.

``SimulatorHandle`` drives a simulator from a test (clock, scenarios, whole
timelines); ``intercept`` sends a client's calls to the platform to an in-process
simulator; ``virtual_sleep`` turns a client's ``time.sleep`` into virtual time; the
pytest plugin (``simulator.testing.pytest_plugin``, registered on
install) gives the ``ods`` and ``ods_intercept`` fixtures.
"""

from __future__ import annotations

from .handle import ScenarioSource, SimulatorHandle, to_scenario
from .intercept import Interceptor, NotIntercepted, current, intercept
from .request_log import Requests
from .virtual_sleep import SleepBudgetExceeded, VirtualSleep, virtual_sleep

__all__ = [
    "Interceptor",
    "NotIntercepted",
    "Requests",
    "ScenarioSource",
    "SimulatorHandle",
    "SleepBudgetExceeded",
    "VirtualSleep",
    "current",
    "intercept",
    "to_scenario",
    "virtual_sleep",
]
