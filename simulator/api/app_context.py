"""Reach the simulator of the app handling the current request."""

from __future__ import annotations

from flask import current_app

from ..service import Simulator

EXTENSION = "simulator"
#: Where a request keeps the virtual latency an HTTP fault gave it (WSGI environ).
LATENCY = "simulator.latency"
#: The app's setting: the largest upload it accepts, in bytes.
MAX_UPLOAD_KEY = "SIMULATOR_MAX_UPLOAD"


def simulator() -> Simulator:
    return current_app.extensions[EXTENSION]
