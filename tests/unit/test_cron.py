"""Cron expressions: what they read, when they fire next, and what they refuse."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from simulator.domain import cron
from simulator.domain.errors import InvalidParameter
from simulator.domain.harvesters import check_schedules, next_firing

BERLIN = ZoneInfo("Europe/Berlin")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def test_fields_lists_ranges_steps_and_names() -> None:
    c = cron.parse("5,10-12 */6 1-31/10 jan,JUL mon-wed")
    assert c.minutes == {5, 10, 11, 12}
    assert c.hours == {0, 6, 12, 18}
    assert c.days == {1, 11, 21, 31}
    assert c.months == {1, 7}
    assert c.weekdays == {0, 1, 2}  # Monday to Wednesday, as Python counts


def test_sunday_is_0_or_7() -> None:
    assert cron.parse("0 0 * * 0").weekdays == cron.parse("0 0 * * 7").weekdays == {6}


def test_next_midnight_in_utc_and_in_berlin() -> None:
    c = cron.parse("0 0 * * *", daily=True)
    start = at("2026-01-01T00:00:00+00:00")
    assert c.next_after(start, ZoneInfo("UTC")) == at("2026-01-02T00:00:00+00:00")
    # midnight in Berlin is 23:00 UTC in winter, 22:00 in summer
    assert c.next_after(start, BERLIN) == at("2026-01-01T23:00:00+00:00")
    summer = at("2026-07-01T12:00:00+00:00")
    assert c.next_after(summer, BERLIN) == at("2026-07-01T22:00:00+00:00")


def test_strictly_after_the_moment() -> None:
    c = cron.parse("30 2 * * *", daily=True)
    moment = at("2026-03-10T02:30:00+00:00")
    assert c.next_after(moment, ZoneInfo("UTC")) == at("2026-03-11T02:30:00+00:00")


def test_day_of_month_or_day_of_week_as_unix_cron() -> None:
    c = cron.parse("0 8 13 * fri", daily=True)  # every 13th, and every Friday
    fired = c.next_after(at("2026-01-01T00:00:00+00:00"), ZoneInfo("UTC"))
    assert fired == at("2026-01-02T08:00:00+00:00")  # 2 January 2026 is a Friday


def test_a_29_february_comes_back() -> None:
    c = cron.parse("0 0 29 2 *", daily=True)
    fired = c.next_after(at("2026-01-01T00:00:00+00:00"), ZoneInfo("UTC"))
    assert fired == at("2028-02-29T00:00:00+00:00")


def test_the_end_of_the_calendar_is_no_firing() -> None:
    c = cron.parse("0 0 * * *", daily=True)
    assert c.next_after(datetime(9999, 12, 31, 12, tzinfo=UTC), ZoneInfo("UTC")) is None


@pytest.mark.parametrize(
    ("text", "daily", "says"),
    [
        ("0 0 * *", False, "five fields"),
        ("0 0 * * * *", False, "five fields"),
        ("60 0 * * *", False, "minute: 60 is out of range"),
        ("0 24 * * *", False, "hour: 24 is out of range"),
        ("0 0 0 * *", False, "day of month: 0 is out of range"),
        ("0 0 * 13 *", False, "month: 13 is out of range"),
        ("0 0 * * 8", False, "day of week: 8 is out of range"),
        ("0 0 * * sun-x", False, "day of week: expected a number"),
        ("0 0 5-1 * *", False, "ends before it starts"),
        ("*/0 0 * * *", False, "minute: 0 is out of range"),
        ("0 0 1,,2 * *", False, "expected a number"),
        ("0 0 ² * *", False, "expected a number"),
        ("0 0 30 2 *", False, "never comes"),
        ("* 0 * * *", True, "at most once a day: give one minute"),
        ("0 */2 * * *", True, "give one hour"),
    ],
)
def test_bad_expressions_say_which_field_and_why(text: str, daily: bool, says: str) -> None:
    with pytest.raises(cron.CronError, match=says):
        cron.parse(text, daily=daily)


def test_a_harvester_schedule_is_one_cron_and_a_time_zone() -> None:
    given = [{"cron_schedule": "0 2 * * 1-5", "timezone": "Europe/Berlin"}]
    assert check_schedules(given) == given
    assert check_schedules(None) is None and check_schedules([]) is None
    fired = next_firing(given, at("2026-01-03T00:00:00+00:00"))  # a Saturday
    assert fired == at("2026-01-05T01:00:00+00:00")


@pytest.mark.parametrize(
    ("value", "parameter"),
    [
        ("daily", "schedules"),
        ([{"cron_schedule": "0 0 * * *", "timezone": "UTC"}] * 2, "schedules"),
        (["0 0 * * *"], "schedules"),
        ([{"cron_schedule": "0 0 * * *"}], "schedules[0].timezone"),
        ([{"cron_schedule": "0 0 * * *", "timezone": "Mars/Base"}], "schedules[0].timezone"),
        ([{"cron_schedule": "0 0 * * *", "timezone": "../../etc/passwd"}], "schedules[0].timezone"),
        ([{"cron_schedule": "bad", "timezone": "UTC"}], "schedules[0].cron_schedule"),
        ([{"cron": "0 0 * * *", "timezone": "UTC"}], "schedules[0].cron"),
    ],
)
def test_bad_schedules_name_the_key(value: object, parameter: str) -> None:
    with pytest.raises(InvalidParameter) as caught:
        check_schedules(value)
    assert caught.value.raw_params["parameter"] == parameter
