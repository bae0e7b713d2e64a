"""Clock policies: how far virtual time should have gone at a given moment.

The engine owns virtual time; a policy only says where it should be. ``manual``
never moves on its own. ``realtime`` moves ``speed`` virtual seconds per wall
second, measured from an anchor, and catches up lazily whenever the simulator is
asked anything, so no background thread is needed. ``step`` never moves on its own
either: each call of a platform API moves it to the next scheduled event first
(see :attr:`Clock.steps`; the service takes the step, the engine knows the event).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, tzinfo
from email.utils import format_datetime
from functools import lru_cache
from typing import Any, Literal

ClockMode = Literal["manual", "realtime", "step"]
CLOCK_MODES: tuple[ClockMode, ...] = ("manual", "realtime", "step")

#: Virtual time zero, unless a scenario says otherwise.
DEFAULT_EPOCH = datetime(2026, 1, 1, tzinfo=UTC)

#: The last instant a timestamp can name; virtual time stops there.
END_OF_TIME = datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)

#: Fastest realtime speed (virtual seconds per wall second).
MAX_SPEED = 1_000_000.0


class Clock:
    def __init__(
        self,
        mode: ClockMode = "manual",
        speed: float = 1.0,
        epoch: datetime = DEFAULT_EPOCH,
        wall: Callable[[], float] = time.monotonic,
    ) -> None:
        self.mode: ClockMode = mode
        self.speed = speed
        self.epoch = epoch
        self._wall = wall
        self._anchor_virtual = 0.0
        self._anchor_wall = wall()

    @property
    def horizon(self) -> float:
        """The largest virtual time this clock can show."""
        return horizon(self.epoch)

    def target(self, virtual_now: float) -> float:
        """Where virtual time should be now (never behind where it is)."""
        if self.mode != "realtime":
            return virtual_now
        elapsed = (self._wall() - self._anchor_wall) * self.speed
        return max(virtual_now, min(self.horizon, self._anchor_virtual + elapsed))

    @property
    def steps(self) -> bool:
        """Whether each call of a platform API first moves time to the next event."""
        return self.mode == "step"

    def anchor(self, virtual_now: float) -> None:
        """Count scaled time from here (after a jump, a reset or a change of mode)."""
        self._anchor_virtual = virtual_now
        self._anchor_wall = self._wall()

    def configure(self, virtual_now: float, mode: ClockMode, speed: float) -> None:
        self.mode = mode
        self.speed = speed
        self.anchor(virtual_now)

    def iso(self, t: float | None) -> str | None:
        """ISO 8601 in UTC with ``+00:00``, to the second, as the platform writes it."""
        if t is None:
            return None
        return _iso(self.epoch, self.epoch.tzinfo, t)

    def http_date(self, t: float) -> str:
        return _http_date(self.epoch, t)


def horizon(epoch: datetime) -> float:
    """The largest virtual time a clock started at ``epoch`` can show, in seconds.

    Timestamps are written in the epoch's own offset and, for HTTP dates, in UTC:
    both must stay within the last year a date can have.
    """
    local_end = END_OF_TIME.replace(tzinfo=epoch.tzinfo)
    return max(0.0, min(END_OF_TIME - epoch, local_end - epoch).total_seconds())


def finite(value: Any) -> bool:
    """A real number, not a boolean, not infinite, not NaN: a time, a span or a speed.

    An integer too large for a float (JSON allows thousands of digits) is not one.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:
        return False


# Answers name the same few instants over and over: each is written once. Equal
# epochs in different time zones are the same key, but do not write the same.


@lru_cache(maxsize=4096)
def _iso(epoch: datetime, zone: tzinfo | None, t: float) -> str:
    return _instant(epoch, t).isoformat(timespec="seconds")


@lru_cache(maxsize=4096)
def _http_date(epoch: datetime, t: float) -> str:
    return format_datetime(_instant(epoch, t).astimezone(UTC), usegmt=True)


def _instant(epoch: datetime, t: float) -> datetime:
    """``epoch + t``, held within the horizon: no instant of the world can be written past it.

    The engine never moves past the horizon; this keeps every answer writable even
    if some time, from a bug, did.
    """
    return epoch + timedelta(seconds=min(max(t, 0.0), horizon(epoch)))
