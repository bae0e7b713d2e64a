"""Fixtures shared by the unit, API and end-to-end tests."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient

from simulator.api import create_app
from simulator.api.server import LiveServer
from simulator.scenario.loading import DEFAULT_API_KEY, Scenario, load_scenario_text

from .contract import Recorder, contract
from .facade import Simulated

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
def make_sim() -> Callable[..., Simulated]:
    """Build a simulator on a manual clock from inline YAML, driven as a client sees it."""

    def make(text: str = "", **overrides: Any) -> Simulated:
        return Simulated(scenario_from(text), overrides=overrides)

    return make


class FakeWall:
    """A wall clock that moves only when a test sets ``t``: realtime mode, by hand."""

    def __init__(self, t: float = 0.0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


def recorded(app: Flask, recorders: list[Recorder]) -> Flask:
    """Record every answer of ``app``, to be checked against the OpenAPI documents."""
    recorder = Recorder(app.wsgi_app)
    app.wsgi_app = recorder  # type: ignore[method-assign]
    recorders.append(recorder)
    return app


def check_contract(recorders: list[Recorder]) -> None:
    """Fail (at teardown) if any answer broke the documents."""
    problems = contract().problems(ex for r in recorders for ex in r.exchanges)
    if problems:
        shown = "\n  ".join(problems[:10])
        pytest.fail(f"{len(problems)} answers break the OpenAPI documents:\n  {shown}")


@pytest.fixture
def make_client() -> Iterator[Callable[..., FlaskClient]]:
    """A Flask test client around a fresh simulator built from inline YAML.

    Every answer is checked against the OpenAPI documents after the test.
    """
    recorders: list[Recorder] = []

    def make(text: str = "", **overrides: Any) -> FlaskClient:
        overrides.setdefault("clock_mode", "manual")
        app = create_app(config=overrides, scenario=scenario_from(text))
        return recorded(app, recorders).test_client()

    yield make
    check_contract(recorders)


@pytest.fixture
def client(make_client: Callable[..., FlaskClient]) -> FlaskClient:
    """A test client on an empty world with the default admin."""
    return make_client()


def call(session: requests.Session, method: str, url: str, body: Any = None) -> requests.Response:
    """A call as client code makes it: the body as JSON text, without a content type."""
    data = None if body is None else json.dumps(body)
    return session.request(method, url, data=data, timeout=10)


def keyed_session(key: str) -> requests.Session:
    """A requests session that sends an API key, as client code does."""
    session = requests.Session()
    session.headers["Authorization"] = f"Apikey {key}"
    return session


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
    """Start real servers on free loopback ports; all are stopped after the test.

    Every answer they gave is then checked against the OpenAPI documents.
    """
    started: list[Live] = []
    recorders: list[Recorder] = []

    def make(text: str = "", **overrides: Any) -> Live:
        overrides.setdefault("clock_mode", "manual")
        app = create_app(config=overrides, scenario=scenario_from(text))
        live = Live(LiveServer(recorded(app, recorders)).start())
        started.append(live)
        return live

    yield make
    for live in started:
        live.http.close()
        live.server.stop()
    check_contract(recorders)
