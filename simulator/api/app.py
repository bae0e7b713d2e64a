"""The application factory: one fresh simulator per app, no globals."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from flask import Flask, Response, redirect

from ..scenario import Scenario, default_scenario
from ..service import Simulator
from . import configuration, control, documents, errors, management, resources
from .app_context import EXTENSION, simulator

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment


class _TrailingSlash:
    """Serve every path with and without a trailing slash, as the real API does."""

    def __init__(self, app: WSGIApplication) -> None:
        self.app = app

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if len(path) > 1 and path.endswith("/"):
            environ["PATH_INFO"] = path.rstrip("/") or "/"
        return self.app(environ, start_response)


def create_app(
    config: dict[str, Any] | None = None,
    scenario: Scenario | None = None,
    simulator: Simulator | None = None,
) -> Flask:
    """Build an app around a simulator.

    ``config`` may override the scenario's settings: ``workers``, ``seed``,
    ``clock_mode``, ``speed``, ``status_names``. Without a scenario the built-in
    default is used; without a clock mode, time is manual.
    """
    # no /static route: the dashboard's files are served under /_sim/ui
    app = Flask(__name__.split(".")[0], static_folder=None)
    app.json.sort_keys = False  # type: ignore[attr-defined]
    # a doubled slash is a path like any other (a JSON 404), not a redirect to HTML
    app.url_map.merge_slashes = False
    if simulator is None:
        base = scenario or default_scenario()
        simulator = Simulator(base, overrides=config)
    app.extensions[EXTENSION] = simulator
    for area in (documents, management, resources, configuration, control):
        app.register_blueprint(area.blueprint)
    errors.register(app)

    @app.after_request
    def virtual_date(response: Response) -> Response:
        response.headers["Date"] = get_simulator().http_date()
        return response

    @app.get("/")
    def home() -> Response:
        """The dashboard, for a person who opens the simulator's address."""
        return redirect("/_sim/ui")

    app.wsgi_app = _TrailingSlash(app.wsgi_app)  # type: ignore[method-assign]
    return app


def get_simulator() -> Simulator:
    """The simulator behind the current app."""
    return simulator()


def use_simulator(app: Flask, sim: Simulator) -> Flask:
    """Point an app at another simulator (building an app costs tens of milliseconds)."""
    app.extensions[EXTENSION] = sim
    return app
