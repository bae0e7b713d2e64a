"""The simulator facade: every public operation, behind one lock.

:class:`Simulator` is assembled from a core (state, lock, clock policy,
authentication) and one mixin per area of the API; see :mod:`.core`.
"""

from __future__ import annotations

from .config import Config
from .control import TIMELINE_FORMATS, Control
from .core import DEFAULT_SPEED, Ask, World
from .dashboard import Dashboard
from .datasets import Datasets
from .resources import Resources
from .snapshot import Snapshots


class Simulator(Snapshots, Dashboard, Control, Config, Resources, Datasets):
    """The simulated platform, serving one scenario at a time.

    ``overrides`` (``workers``, ``seed``, ``clock_mode``, ``speed``,
    ``status_names``) apply to every scenario it is given, the first and any loaded
    later; ``default_clock_mode`` applies when neither they nor the scenario say.
    """


__all__ = ["DEFAULT_SPEED", "TIMELINE_FORMATS", "Ask", "Simulator", "World"]
