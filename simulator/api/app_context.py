"""Reach the simulator of the app handling the current request."""

from __future__ import annotations

from flask import current_app

from ..service import Simulator

EXTENSION = "simulator"


def simulator() -> Simulator:
    return current_app.extensions[EXTENSION]
