"""One renderer for every error, in the Management API's JSON shape."""

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

log = logging.getLogger("simulator")


def render(error: SimulatorError) -> tuple[Response, int]:
    return jsonify(error.to_dict()), error.status_code


def _http(exc: HTTPException) -> Response | tuple[Response, int]:
    code = exc.code or 500
    if code == 404:
        return render(NotFound("No such path: {path}", path=request.path))
    if code == 413:
        return render(BodyTooLarge(request.max_content_length or 0))
    if code == 405:
        methods = getattr(exc, "valid_methods", None) or []
        allowed = ", ".join(sorted(m for m in methods if m not in ("HEAD", "OPTIONS")))
        response, status = render(MethodNotAllowed(request.method, request.path, allowed))
        response.headers["Allow"] = ", ".join(methods)
        return response, status
    return render(HTTPError(code, exc.description or exc.name))


def _unexpected(exc: Exception) -> tuple[Response, int]:
    log.exception("unexpected error on %s %s", request.method, request.path)
    return render(InternalError(f"{type(exc).__name__}: {exc}"))


def register(app: Flask) -> None:
    app.register_error_handler(SimulatorError, render)
    app.register_error_handler(HTTPException, _http)
    app.register_error_handler(Exception, _unexpected)
