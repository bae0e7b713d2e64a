"""What stands in front of every API surface: a step clock's step, HTTP faults, credentials.

Both APIs read credentials the same way and let HTTP faults fire before looking at
them, as a proxy in front of the real platform would; each surface only gives the
error body of its own wire format.
"""

from __future__ import annotations

import base64
import binascii
import time
from collections.abc import Callable
from typing import Any

from flask import Response, g, jsonify, request

from ..domain.errors import AuthenticationRequired, InjectedFailure, SimulatorError
from .app_context import LATENCY, simulator
from .control.guard import IN_PROCESS
from .transport import TRANSPORT

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


def admit(error_body: Callable[[SimulatorError], dict[str, Any]]) -> Response | None:
    """Apply the scenario's HTTP faults, then authenticate (``g.user``).

    On a ``step`` clock, the call first moves time to the next scheduled event.

    An injected error answers here, in the surface's shape (``error_body``), unless
    the fault gives its own body; a refusal of the credentials is raised.
    """
    environ = request.environ
    method, path = environ["REQUEST_METHOD"], request.path
    apikey, basic, problem = credentials()
    injection, user = simulator().access.admit(method, path, apikey, basic, problem)
    if injection is not None:
        if injection.latency:  # the edge of the app tells the client (X-Sim-Latency)
            environ[LATENCY] = injection.latency
        if injection.transport is not None and _transport(
            environ, injection.transport, injection.wall_delay
        ):  # the server resets the connection; anything else running the app sees this
            response = jsonify(error_body(InjectedFailure(502)))
            response.status_code = 502
            response.headers["X-Sim-Fault"] = "reset"
            return response
        if injection.status is not None:
            payload = injection.body
            if payload is None:
                payload = error_body(InjectedFailure(injection.status))
            response = jsonify(payload)
            response.status_code = injection.status
            response.headers.update(injection.headers)
            response.headers["X-Sim-Fault"] = "http"
            return response
        if user is None:  # failed on the wire after the answer: credentials as usual
            if problem is not None:
                raise AuthenticationRequired(problem)
            user = simulator().access.authenticate(apikey, basic)
    g.user = user
    return None


def _transport(environ: dict[str, Any], kind: str, wall_delay: float) -> bool:
    """Mark the call for the server or the interception (see :mod:`.transport`);
    whether it ends here, unprocessed (a reset).

    A delay or a stall waits here, in the server's thread and out of the simulator's
    lock (under interception, which has no wire, the interception decides instead); a
    stall then ends as a reset: no answer ever came.
    """
    environ[TRANSPORT] = (kind, wall_delay)
    if kind in ("delay", "stall") and not environ.get(IN_PROCESS):
        time.sleep(wall_delay)
    return kind in ("reset", "stall")
