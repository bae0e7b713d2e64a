"""The discrete-event engine: jobs on a pool of workers, on simpy's virtual clock.

Only this layer imports simpy. :mod:`.pool` runs jobs; :mod:`.script` plays a
scenario's script at its virtual times.
"""

from __future__ import annotations

from .pool import Engine

__all__ = ["Engine"]
