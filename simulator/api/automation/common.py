"""What every view of the Automation API v1.0 needs: its blueprint, faults and credentials
first, the surface that answers, and its two kinds of bodiless answers."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from ..admission import admit
from ..app_context import simulator
from . import errors
from .surface import AutomationV1

PREFIX = "/api/automation/v1.0"


def inject_faults_then_authenticate() -> Response | None:
    """The scenario's HTTP faults first, then the same credentials as the Management API."""
    return admit(errors.body)


def make_blueprint(name: str) -> Blueprint:
    """A blueprint of the Automation API: faults and authentication before every view."""
    bp = Blueprint(name, __name__, url_prefix=PREFIX)
    bp.before_request(inject_faults_then_authenticate)
    return bp


def surface() -> AutomationV1:
    """The Automation API over the simulator of the app handling this request."""
    return AutomationV1(simulator())


def created(payload: object) -> tuple[Response, int]:
    return jsonify(payload), 201


def no_content() -> Response:
    return Response(status=204)
