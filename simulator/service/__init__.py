"""The service: the simulated platform's operations, in the domain's own terms.

Surfaces (see :mod:`simulator.api`) turn requests into the commands of
:mod:`.commands` and render the views of :mod:`.views`; the service knows no path,
body or status code. :class:`Simulator` (:mod:`.facade`) is the entry point.
"""

from __future__ import annotations

from .control import TIMELINE_FORMATS, ClockView
from .facade import Simulator
from .state import DEFAULT_SPEED
from .world import World

__all__ = ["DEFAULT_SPEED", "TIMELINE_FORMATS", "ClockView", "Simulator", "World"]
