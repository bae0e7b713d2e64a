"""What every view of the Management API v2 needs: its blueprint, faults and credentials
first, the request's JSON body and wishes, and the surface that answers."""

from __future__ import annotations

import base64
import binascii
from typing import cast

from flask import Blueprint, Response, g, jsonify, request

from ...domain.errors import InjectedFailure, InvalidParameter
from ...domain.statemachine import VOCABULARIES, Vocabulary
from ..app_context import LATENCY, simulator
from . import errors
from .render import Ask
from .surface import ManagementV2

PREFIX = "/api/management/v2"
STATUS_NAMES_HEADER = "X-Sim-Status-Names"


Credentials = tuple[str | None, tuple[str, str] | None, str | None]


def credentials() -> Credentials:
    """The API key or Basic pair the request carries, or why they cannot be read.

    From ``Authorization: Apikey <key>`` (any case), ``Basic``, or ``?apikey=``.
    A problem is reported rather than raised: HTTP faults apply before credentials
    are looked at, as they would in front of the real API.
    """
    environ = request.environ
    header = environ.get("HTTP_AUTHORIZATION", "").strip()
    scheme, _, value = header.partition(" ")
    value = value.strip()
    if scheme.lower() == "apikey" and value:
        return value, None, None
    if scheme.lower() == "basic" and value:
        try:
            decoded = base64.b64decode(value, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None, None, "Malformed HTTP Basic credentials"
        username, sep, password = decoded.partition(":")
        if not sep:
            return None, None, "Malformed HTTP Basic credentials"
        return None, (username, password), None
    if header:
        return None, None, f"Unsupported Authorization scheme '{scheme}'"
    if not environ.get("QUERY_STRING"):
        return None, None, None
    return request.args.get("apikey") or None, None, None


#: What a request asks for without a query string or a status-names header.
_PLAIN = Ask()
_STATUS_NAMES_KEY = "HTTP_" + STATUS_NAMES_HEADER.upper().replace("-", "_")


def ask() -> Ask:
    """Status vocabulary (header or ``status_names``) and ``expand``, from the request."""
    environ = request.environ
    query = environ.get("QUERY_STRING")  # most calls have none: then nothing is parsed
    header = environ.get(_STATUS_NAMES_KEY)
    given = request.args.get("status_names") if query else None
    if header is None and not query:
        return _PLAIN
    for value in (header, given):  # the header wins, but both must make sense
        if value is not None and value not in VOCABULARIES:
            raise InvalidParameter(
                "status_names", f"expected one of {', '.join(VOCABULARIES)}, got '{value}'"
            )
    vocabulary = header or given
    expand = frozenset(
        part.strip() for part in request.args.get("expand", "").split(",") if part.strip()
    )
    return Ask(cast(Vocabulary | None, vocabulary), expand)  # checked above


# the blueprint and what runs before every view ------------------------------------------


def inject_faults_then_authenticate() -> Response | None:
    """Apply the scenario's HTTP faults first, as a proxy in front of the API would."""
    environ = request.environ
    method, path = environ["REQUEST_METHOD"], request.path
    injection, user = simulator().access.admit(method, path, *credentials())
    if injection is not None:
        if injection.latency:  # the edge of the app tells the client (X-Sim-Latency)
            environ[LATENCY] = injection.latency
        if injection.status is not None:
            payload = injection.body
            if payload is None:
                payload = errors.body(InjectedFailure(injection.status))
            response = jsonify(payload)
            response.status_code = injection.status
            response.headers.update(injection.headers)
            response.headers["X-Sim-Fault"] = "http"
            return response
    g.user = user
    return None


def make_blueprint(name: str) -> Blueprint:
    """A blueprint of the Management API: faults and authentication before every view."""
    bp = Blueprint(name, __name__, url_prefix=PREFIX)
    bp.before_request(inject_faults_then_authenticate)
    return bp


def surface() -> ManagementV2:
    """The Management API v2 over the simulator of the app handling this request."""
    return ManagementV2(simulator())


def no_content() -> Response:
    return Response(status=204)
