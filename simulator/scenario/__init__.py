"""Scenarios: YAML worlds read in bounded time, checked, turned into typed settings.

:mod:`.reading` reads the text, :mod:`.validator` checks it against the schema of
:mod:`.schema`, :mod:`.loading` turns it into a :class:`Scenario`, and
:mod:`.headless` plays one to its end without a server.
"""

from __future__ import annotations

from .loading import (
    DEFAULT_API_KEY,
    DEFAULT_PASSWORD,
    DEFAULT_USERNAME,
    DatasetSpec,
    ResourceSpec,
    Scenario,
    ScenarioError,
    ScriptStep,
    UserSpec,
    default_scenario,
    default_user,
    load_scenario,
    load_scenario_text,
    parse_scenario,
    parse_text,
)

__all__ = [
    "DEFAULT_API_KEY",
    "DEFAULT_PASSWORD",
    "DEFAULT_USERNAME",
    "DatasetSpec",
    "ResourceSpec",
    "Scenario",
    "ScenarioError",
    "ScriptStep",
    "UserSpec",
    "default_scenario",
    "default_user",
    "load_scenario",
    "load_scenario_text",
    "parse_scenario",
    "parse_text",
]
