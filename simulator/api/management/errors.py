"""The Management API v2's errors: each domain error's status code, and the body it gets.

Body: ``{"status_code", "error_key", "message", "raw_message", "raw_params"}``, the
HTTP status equal to ``status_code``; several errors at once add ``errors``, a list of
such bodies. An HTTP fault's own answer, without a body of its scenario's, is the
error its status stands for.
"""

from __future__ import annotations

from typing import Any

from ...domain.errors import (
    ERRORS,
    AuthenticationRequired,
    BodyTooLarge,
    HTTPError,
    InternalError,
    InvalidRequest,
    MethodNotAllowed,
    NotFound,
    PermissionDenied,
    SimulatorError,
    SnapshotUnavailable,
    StateFileError,
)

#: The status of each kind of refusal; any other is a 400.
STATUS: dict[type[SimulatorError], int] = {
    NotFound: 404,
    AuthenticationRequired: 401,
    PermissionDenied: 403,
    MethodNotAllowed: 405,
    SnapshotUnavailable: 409,
    BodyTooLarge: 413,
    StateFileError: 500,
    InternalError: 500,
}


def status_of(error: SimulatorError, statuses: dict[type[SimulatorError], int] = STATUS) -> int:
    if isinstance(error, HTTPError):
        return error.status
    for cls in type(error).__mro__:
        if cls in statuses:
            return statuses[cls]
    return 400


def body(
    error: SimulatorError, statuses: dict[type[SimulatorError], int] = STATUS
) -> dict[str, Any]:
    """The error as the API writes it."""
    out = {"status_code": status_of(error, statuses), **error.describe()}
    if isinstance(error, InvalidRequest):
        out["errors"] = [body(e, statuses) for e in error.errors]
    return out


def body_of_description(
    described: dict[str, Any], statuses: dict[type[SimulatorError], int] = STATUS
) -> dict[str, Any]:
    """An error kept as data (a script's refused step) as the API writes it."""
    cls = ERRORS.get(described["error_key"], SimulatorError)
    status = 400
    for parent in cls.__mro__:
        if parent in statuses:
            status = statuses[parent]
            break
    return {"status_code": status, **described}
