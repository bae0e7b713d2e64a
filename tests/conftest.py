"""Fixtures shared by the unit, API and end-to-end tests."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
from flask.testing import FlaskClient

from simulator.api import create_app
from simulator.scenario import DEFAULT_API_KEY, Scenario, load_scenario_text
from simulator.server import LiveServer
from simulator.service import Simulator

API = "/api/management/v2"

pytest_plugins = ["pytester"]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite tests/golden/ from the current output instead of comparing with it",
    )


AUTH = {"Authorization": f"Apikey {DEFAULT_API_KEY}"}


def scenario_from(text: str = "", **overrides: Any) -> Scenario:
    """A scenario from inline YAML (dedented), with optional overrides."""
    return load_scenario_text(textwrap.dedent(text), "<test>").with_overrides(**overrides)


@pytest.fixture
def make_sim() -> Callable[..., Simulator]:
    """Build a simulator on a manual clock from inline YAML."""

    def make(text: str = "", **overrides: Any) -> Simulator:
        return Simulator(scenario_from(text), overrides=overrides)

    return make


@pytest.fixture
def make_client() -> Callable[..., FlaskClient]:
    """A Flask test client around a fresh simulator built from inline YAML."""

    def make(text: str = "", **overrides: Any) -> FlaskClient:
        overrides.setdefault("clock_mode", "manual")
        return create_app(config=overrides, scenario=scenario_from(text)).test_client()

    return make


@pytest.fixture
def client(make_client: Callable[..., FlaskClient]) -> FlaskClient:
    """A test client on an empty world with the default admin."""
    return make_client()


class Live:
    """A simulator served on a loopback port, and a requests session that talks to it."""

    def __init__(self, server: LiveServer) -> None:
        self.server = server
        self.url = server.url
        self.api = f"{server.url}{API}"
        self.http = requests.Session()
        self.http.headers.update(AUTH)

    def control(self, method: str, path: str, **kwargs: Any) -> Any:
        response = requests.request(method, f"{self.url}/_sim/{path}", timeout=10, **kwargs)
        response.raise_for_status()
        return response.json()

    def advance(self, seconds: float) -> dict[str, Any]:
        return self.control("POST", "clock/advance", json={"seconds": seconds})


@pytest.fixture
def make_live() -> Iterator[Callable[..., Live]]:
    """Start real servers on free loopback ports; all are stopped after the test."""
    started: list[Live] = []

    def make(text: str = "", **overrides: Any) -> Live:
        overrides.setdefault("clock_mode", "manual")
        app = create_app(config=overrides, scenario=scenario_from(text))
        live = Live(LiveServer(app).start())
        started.append(live)
        return live

    yield make
    for live in started:
        live.http.close()
        live.server.stop()
