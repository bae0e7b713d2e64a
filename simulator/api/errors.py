"""Every error an app answers, rendered by the surface its path belongs to.

Domain errors, werkzeug's own (404, 405, 413) and anything unexpected (a 500, which
bad input must never cause) all go through :func:`answer`: the control API's paths
(``/_sim``) get its error map, the Automation API's (``/api/automation/v1.0``) its own,
every other path the Management API's.
"""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException

from ..domain.errors import (
    BodyTooLarge,
    HTTPError,
    InternalError,
    MethodNotAllowed,
    NotFound,
    SimulatorError,
)
from .automation import errors as automation
from .control import errors as control
from .management import errors as management

log = logging.getLogger("simulator")

AUTOMATION = "/api/automation/v1.0"


def answer(error: SimulatorError) -> tuple[Response, int]:
    """The error in the shape, and with the status, of the surface the request is for."""
    path = request.path
    if path == "/_sim" or path.startswith("/_sim/"):
        body = control.body(error)
    elif path == AUTOMATION or path.startswith(AUTOMATION + "/"):
        return jsonify(automation.body(error)), automation.status(error)
    else:
        body = management.body(error)
    return jsonify(body), body["status_code"]


def _http(exc: HTTPException) -> Response | tuple[Response, int]:
    code = exc.code or 500
    if code == 404:
        return answer(NotFound("No such path: {path}", path=request.path))
    if code == 413:
        return answer(BodyTooLarge(request.max_content_length or 0))
    if code == 405:
        methods = getattr(exc, "valid_methods", None) or []
        allowed = ", ".join(sorted(m for m in methods if m not in ("HEAD", "OPTIONS")))
        response, status = answer(MethodNotAllowed(request.method, request.path, allowed))
        response.headers["Allow"] = ", ".join(methods)
        return response, status
    return answer(HTTPError(code, exc.description or exc.name))


def _unexpected(exc: Exception) -> tuple[Response, int]:
    log.exception("unexpected error on %s %s", request.method, request.path)
    return answer(InternalError(f"{type(exc).__name__}: {exc}"))


def register(app: Flask) -> None:
    app.register_error_handler(SimulatorError, answer)
    app.register_error_handler(HTTPException, _http)
    app.register_error_handler(Exception, _unexpected)
