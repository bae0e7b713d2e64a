"""What every view of the Management API v2 needs: its blueprint, faults and credentials
first, the request's JSON body and wishes, and the surface that answers."""

from __future__ import annotations

from typing import cast

from flask import Blueprint, Response, request

from ...domain.errors import InvalidParameter
from ...domain.statemachine import VOCABULARIES, Vocabulary
from ..admission import admit
from ..app_context import simulator
from . import errors
from .render import Ask
from .surface import ManagementV2

PREFIX = "/api/management/v2"
STATUS_NAMES_HEADER = "X-Sim-Status-Names"


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
    return admit(errors.body)


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
