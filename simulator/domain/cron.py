"""Cron expressions: five fields, read as unix cron reads them, and when they fire next.

``minute hour day-of-month month day-of-week``, each ``*``, a number, a range
``a-b``, a step ``*/n`` or ``a-b/n``, or a list of these separated by commas; months
and days of the week may also be named (``jan``, ``mon``). Day of week 0 and 7 are
Sunday. When both the day of month and the day of week are restricted, a day matching
either fires, as in unix cron.

A harvester runs at most once a day (the platform's user guide), so its schedule
gives one minute and one hour: :func:`parse` takes ``daily=True`` to require that.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

#: Each field's name and its range.
FIELDS: tuple[tuple[str, int, int], ...] = (
    ("minute", 0, 59),
    ("hour", 0, 23),
    ("day of month", 1, 31),
    ("month", 1, 12),
    ("day of week", 0, 7),
)

_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_abbr) if name}
_DAYS = {name: i for i, name in enumerate(("sun", "mon", "tue", "wed", "thu", "fri", "sat"))}
_NAMES: tuple[dict[str, int], ...] = ({}, {}, {}, _MONTHS, _DAYS)

#: How many days ahead a next firing is looked for: a 29 February that must also
#: be some weekday comes back within 28 years, a lone 29 February within 8.
_LOOKAHEAD_DAYS = 366 * 29


class CronError(ValueError):
    """A cron expression that cannot be read; the message says which field and why."""


@dataclass(frozen=True)
class Cron:
    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]  # 0 = Monday, as Python counts
    any_day: bool
    any_weekday: bool

    def fires_on(self, day: date) -> bool:
        if day.month not in self.months:
            return False
        by_day = day.day in self.days
        by_weekday = day.weekday() in self.weekdays
        if self.any_day or self.any_weekday:
            return by_day and by_weekday
        return by_day or by_weekday

    def next_after(self, moment: datetime, zone: ZoneInfo) -> datetime | None:
        """The first firing strictly after ``moment`` (aware), in ``zone``; ``None`` if it
        never fires within the look-ahead or the calendar ends first."""
        local = moment.astimezone(zone)
        day = local.date()
        try:
            for _ in range(_LOOKAHEAD_DAYS):
                if self.fires_on(day):
                    for hour in sorted(self.hours):
                        for minute in sorted(self.minutes):
                            at = datetime.combine(day, time(hour, minute), zone)
                            if at > moment:
                                return at
                day += timedelta(days=1)
        except OverflowError:  # past 9999-12-31
            return None
        return None


def parse(text: str, daily: bool = False) -> Cron:
    """Read a cron expression, or raise :class:`CronError`."""
    if not isinstance(text, str) or len(text) > 200:
        raise CronError("expected a cron expression of five fields, as text")
    parts = text.split()
    if len(parts) != 5:
        raise CronError(
            f"expected five fields (minute hour day-of-month month day-of-week), got {len(parts)}"
        )
    sets = [
        _field(part, name, low, high, names)
        for part, (name, low, high), names in zip(parts, FIELDS, _NAMES, strict=True)
    ]
    if daily:
        for i in (0, 1):
            if len(sets[i]) != 1:
                raise CronError(
                    f"a harvester runs at most once a day: give one {FIELDS[i][0]}, "
                    f"not '{parts[i]}'"
                )
    minutes, hours, days, months, weekdays = sets
    cron = Cron(
        frozenset(minutes),
        frozenset(hours),
        frozenset(days),
        frozenset(months),
        frozenset((d - 1) % 7 for d in weekdays),  # cron's Sunday (0 or 7) is Python's 6
        any_day=parts[2] == "*",
        any_weekday=parts[4] == "*",
    )
    if cron.any_weekday or cron.any_day:
        longest = max(29 if m == 2 else calendar.monthrange(2001, m)[1] for m in cron.months)
        if min(cron.days) > longest:
            raise CronError(f"day {min(cron.days)} never comes in the months given")
    return cron


def _field(text: str, name: str, low: int, high: int, names: dict[str, int]) -> set[int]:
    values: set[int] = set()
    for item in text.split(","):
        body, _, step_text = item.partition("/")
        step = 1
        if step_text:
            step = _number(step_text, name, 1, high - low + 1, {})
        if body == "*":
            first, last = low, high
        elif "-" in body:
            a, _, b = body.partition("-")
            first, last = _number(a, name, low, high, names), _number(b, name, low, high, names)
            if last < first:
                raise CronError(f"{name}: the range '{body}' ends before it starts")
        else:
            first = _number(body, name, low, high, names)
            last = high if step_text else first
        values.update(range(first, last + 1, step))
    return values


def _number(text: str, name: str, low: int, high: int, names: dict[str, int]) -> int:
    word = text.lower()
    if word in names:
        return names[word]
    if not (text.isascii() and text.isdigit()) or len(text) > 4:
        raise CronError(f"{name}: expected a number from {low} to {high}, got '{text[:20]}'")
    value = int(text)
    if not low <= value <= high:
        raise CronError(f"{name}: {value} is out of range ({low}-{high})")
    return value
