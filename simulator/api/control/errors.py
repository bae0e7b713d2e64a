"""The control API's errors: those of the Management API, and the guard's own.

The control API answers in the Management API's error shape (the simulator's
decision); the guard adds its two refusals (see :mod:`.guard`).
"""

from __future__ import annotations

from typing import Any

from ...domain.errors import SimulatorError
from ..management import errors as management
from .guard import ControlForbidden, ControlTokenRequired

STATUS: dict[type[SimulatorError], int] = {
    **management.STATUS,
    ControlTokenRequired: 401,
    ControlForbidden: 403,
}


def body(error: SimulatorError) -> dict[str, Any]:
    return management.body(error, STATUS)


def described(description: dict[str, Any]) -> dict[str, Any]:
    """An error kept as data (a script's refused step), as the API writes it."""
    return management.body_of_description(description, STATUS)
