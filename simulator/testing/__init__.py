"""The testing kit: a handle on a simulator, interception, and the pytest plugin.

``SimulatorHandle`` drives a simulator from a test (clock, scenarios, whole
timelines); ``intercept`` sends a client's calls to the platform to an in-process
simulator; the pytest plugin (``simulator.testing.pytest_plugin``, registered on
install) gives the ``ods`` and ``ods_intercept`` fixtures.
"""

from __future__ import annotations

from .handle import ScenarioSource, SimulatorHandle, to_scenario
from .intercept import Interceptor, NotIntercepted, current, intercept

__all__ = [
    "Interceptor",
    "NotIntercepted",
    "ScenarioSource",
    "SimulatorHandle",
    "current",
    "intercept",
    "to_scenario",
]
