"""The Automation API's errors: each domain error's status code, and the body it gets.

Body: ``{"error_code", "message"}``, plus ``detail`` on a validation error: an object
of the fields refused, each with its messages. The codes are the specification's
only: ``bad_request``, ``validation_error``, ``not_found``, ``invalid_dataset_status``,
``invalid_harvester_status`` and ``internal_error``.
"""

from __future__ import annotations

from typing import Any

from ...domain.errors import (
    HTTPError,
    InvalidHarvesterStatus,
    InvalidParameter,
    InvalidRequest,
    InvalidStatusPrecondition,
    NotFound,
    SimulatorError,
)
from ..management.errors import STATUS, status_of

NOT_FOUND = "Not found."
INVALID_INPUT = "Invalid input"
CODES = (
    "bad_request",
    "validation_error",
    "not_found",
    "invalid_dataset_status",
    "invalid_harvester_status",
    "internal_error",
)


def status(error: SimulatorError) -> int:
    """The HTTP status: the same as on the Management API v2."""
    return status_of(error, STATUS)


def _field(error: InvalidParameter) -> str:
    """The field a refusal names, in this API's words (``metadata``, not ``metas``)."""
    name = str(error.raw_params.get("parameter", "body"))
    if name == "metas" or name.startswith("metas."):
        return "metadata" + name.removeprefix("metas")
    return name


def _details(error: SimulatorError) -> dict[str, list[str]] | None:
    """``{field: [messages]}`` if every refusal in the error names a field."""
    errors = error.errors if isinstance(error, InvalidRequest) else [error]
    detail: dict[str, list[str]] = {}
    for one in errors:
        if not isinstance(one, InvalidParameter):
            return None
        detail.setdefault(_field(one), []).append(str(one.raw_params.get("reason", one.message)))
    return detail


def body(error: SimulatorError) -> dict[str, Any]:
    """The error as this API writes it."""
    code = status(error)
    if code == 404 or isinstance(error, NotFound):
        return {"error_code": "not_found", "message": NOT_FOUND}
    if code >= 500:
        return {"error_code": "internal_error", "message": error.message}
    if isinstance(error, InvalidStatusPrecondition):
        return {"error_code": "invalid_dataset_status", "message": error.message}
    if isinstance(error, InvalidHarvesterStatus):
        return {"error_code": "invalid_harvester_status", "message": error.message}
    if code == 400 and not isinstance(error, HTTPError):
        detail = _details(error)
        if detail is not None:
            return {"error_code": "validation_error", "message": INVALID_INPUT, "detail": detail}
    return {"error_code": "bad_request", "message": error.message}
