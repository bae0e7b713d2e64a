"""A dataset's schedules: when the platform re-processes its data by itself.

A schedule is ``{uid, cron_schedule}`` (``sc_`` uids), a unix cron expression read
in **Europe/Paris** time, whatever the domain's time zone (the platform's user
guide). The shortest interval is one day (one minute and one hour in the
expression) unless the scenario enables minute-level scheduling, as the platform's
support does on request. A firing is a publish: the dataset enters ``queued``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from . import cron
from .errors import InvalidParameter
from .models import Schedule

#: The time zone every schedule is read in.
ZONE = ZoneInfo("Europe/Paris")
#: How many schedules one dataset may hold (a bound on what a client can make us keep).
MAX_SCHEDULES = 100


def check(text: object, sub_daily: bool = False) -> str:
    """The cron expression, its fields separated by one space, or a refusal naming
    ``cron_schedule``."""
    if not isinstance(text, str) or not text.strip():
        raise InvalidParameter("cron_schedule", "expected a cron expression of five fields")
    try:
        cron.parse(text, daily=not sub_daily)
    except cron.CronError as exc:
        reason = str(exc).replace("a harvester runs", "a schedule runs")
        if not sub_daily and "at most once a day" in reason:
            reason += " (minute-level scheduling is not enabled on this domain)"
        raise InvalidParameter("cron_schedule", reason) from None
    return " ".join(text.split())


def next_firing(schedules: Iterable[Schedule], moment: datetime) -> datetime | None:
    """The first firing of any of the schedules strictly after ``moment`` (aware)."""
    firings = [
        at
        for s in schedules
        if (at := cron.parse(s.cron_schedule).next_after(moment, ZONE)) is not None
    ]
    return min(firings, default=None)
