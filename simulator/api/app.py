"""The application factory: one fresh simulator per app, no globals."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, cast

from flask import Flask, Response, redirect
from flask.json.provider import DefaultJSONProvider
from werkzeug.sansio.response import Response as AnyResponse

from ..domain.limits import MAX_BODY, MAX_UPLOAD
from ..scenario.loading import Scenario, default_scenario
from ..service import Simulator
from . import documents, errors, recording
from .app_context import EXTENSION, LATENCY, MAX_UPLOAD_KEY, simulator
from .automation import attachments as automation_attachments
from .automation import connections as automation_connections
from .automation import datasets as automation_datasets
from .automation import directory as automation_directory
from .automation import governance as automation_governance
from .automation import harvesters as automation_harvesters
from .automation import metadata as automation_metadata
from .automation import processing as automation_processing
from .automation import resources as automation_resources
from .control import guard
from .control import request_log as control_request_log  # noqa: F401  # its routes join control's
from .control import routes as control
from .control.guard import LOOPBACK_HOSTS
from .management import (
    attachments,
    configuration,
    datasets,
    directory,
    harvesters,
    pages,
    processing,
    resources,
    security,
)
from .recording import answer_recorded
from .transport import TRANSPORT, garble

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment


_AUTOMATION = "/api/automation/v1.0"
_AUTOMATION_DOUBLED = _AUTOMATION + "//"


class _Edge:
    """What every answer gets, at the WSGI edge of the app.

    Every path is served with and without a trailing slash, as the real API does,
    and the Automation API's paths also with a doubled slash after its version,
    and every answer carries the virtual time as its ``Date`` header (set here
    rather than in an ``after_request`` hook: the same header, for less work on
    each request), and ``X-Sim-Latency`` when an HTTP fault delayed the call.
    Every request and its answer go to the request log (see :mod:`.recording`).
    """

    def __init__(self, app: WSGIApplication, extensions: dict[str, Any]) -> None:
        self.app = app
        self.extensions = extensions

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path.startswith(_AUTOMATION_DOUBLED):  # a base URL ending in '/', as clients send
            path = _AUTOMATION + "/" + path[len(_AUTOMATION) :].lstrip("/")
            environ["PATH_INFO"] = path
        if len(path) > 1 and path.endswith("/"):
            environ["PATH_INFO"] = path.rstrip("/") or "/"
        sim: Simulator = self.extensions[EXTENSION]  # looked up each time: see use_simulator

        def start_with_date(
            status: str, headers: list[tuple[str, str]], exc_info: Any = None
        ) -> Callable[[bytes], object]:
            headers = [h for h in headers if h[0].lower() != "date"]
            headers.append(("Date", sim.http_date()))
            latency = environ.get(LATENCY)
            if latency:
                headers.append(("X-Sim-Latency", f"{latency:g}"))
            transport = environ.get(TRANSPORT)
            if transport and not any(h[0] == "X-Sim-Fault" for h in headers):
                headers.append(("X-Sim-Fault", transport[0]))
            return start_response(status, headers, exc_info)

        chunks = answer_recorded(self.app, environ, start_with_date, sim.requests, sim.now)
        if TRANSPORT in environ:  # an HTTP fault garbles the answer (see .transport)
            return garble(environ, chunks)
        return chunks


class _JSONProvider(DefaultJSONProvider):
    """Flask's JSON, keys in the order the API writes them, and no newline after it.

    The platform ends a JSON answer with its last character, and clients compare
    bare JSON strings byte for byte (``r.text == '"restricted"'``).
    """

    sort_keys = False

    def response(self, *args: Any, **kwargs: Any) -> AnyResponse:
        response = cast(Response, super().response(*args, **kwargs))
        response.set_data(response.get_data().removesuffix(b"\n"))
        return response


def create_app(
    config: dict[str, Any] | None = None,
    scenario: Scenario | None = None,
    simulator: Simulator | None = None,
    max_body: int = MAX_BODY,
    max_upload: int = MAX_UPLOAD,
    control_hosts: Iterable[str] | None = LOOPBACK_HOSTS,
) -> Flask:
    """Build an app around a simulator.

    ``config`` may override the scenario's settings: ``workers``, ``seed``,
    ``clock_mode``, ``speed``, ``status_names``. Without a scenario the built-in
    default is used; without a clock mode, time is manual. A request body larger
    than ``max_body`` bytes is refused with 413, an upload larger than ``max_upload``
    likewise. The control API answers only requests addressed to ``control_hosts``
    (``None``: to any name); see :mod:`.guard`.
    """
    # no /static route: the dashboard's files are served under /_sim/ui
    app = Flask(__name__.split(".")[0], static_folder=None)
    app.config["MAX_CONTENT_LENGTH"] = max_body
    app.config[MAX_UPLOAD_KEY] = max_upload
    app.json = _JSONProvider(app)
    # a doubled slash is a path like any other (a JSON 404), not a redirect to HTML
    app.url_map.merge_slashes = False
    if simulator is None:
        base = scenario or default_scenario()
        simulator = Simulator(base, overrides=config)
    app.extensions[EXTENSION] = simulator
    areas = (
        documents,
        datasets,
        resources,
        configuration,
        security,
        processing,
        attachments,
        directory,
        pages,
        harvesters,
        automation_datasets,
        automation_metadata,
        automation_processing,
        automation_governance,
        automation_harvesters,
        automation_directory,
        automation_connections,
        automation_resources,
        automation_attachments,
    )
    for area in (*areas, control):
        app.register_blueprint(area.blueprint)
    errors.register(app)
    guard.register(app, control_hosts)
    recording.register(app)

    @app.get("/")
    def home() -> AnyResponse:
        """The dashboard, for a person who opens the simulator's address."""
        return redirect("/_sim/ui")

    app.wsgi_app = _Edge(app.wsgi_app, app.extensions)  # type: ignore[method-assign]  # Flask's way to wrap
    return app


def get_simulator() -> Simulator:
    """The simulator behind the current app."""
    return simulator()


def use_simulator(app: Flask, sim: Simulator) -> Flask:
    """Point an app at another simulator (building an app costs tens of milliseconds)."""
    app.extensions[EXTENSION] = sim
    return app
