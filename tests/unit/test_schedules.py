"""Dataset schedules: cron read in Europe/Paris, at most daily unless enabled."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from simulator.domain.errors import InvalidParameter
from simulator.domain.models import Schedule
from simulator.domain.schedules import check, next_firing


def test_a_schedule_fires_at_paris_time_across_the_clock_change() -> None:
    daily = [Schedule("sc_000001", "0 3 * * *")]
    winter = next_firing(daily, datetime(2026, 3, 27, 12, tzinfo=UTC))
    summer = next_firing(daily, datetime(2026, 3, 28, 12, tzinfo=UTC))
    assert winter is not None and summer is not None
    assert winter.astimezone(UTC) == datetime(2026, 3, 28, 2, tzinfo=UTC)  # UTC+1
    assert summer.astimezone(UTC) == datetime(2026, 3, 29, 1, tzinfo=UTC)  # UTC+2 from 02:00


def test_the_earliest_of_several_schedules_comes_first() -> None:
    both = [Schedule("sc_a", "0 5 * * *"), Schedule("sc_b", "30 4 * * *")]
    at = next_firing(both, datetime(2026, 1, 1, tzinfo=UTC))
    assert at is not None and at.astimezone(UTC) == datetime(2026, 1, 1, 3, 30, tzinfo=UTC)
    assert next_firing([], datetime(2026, 1, 1, tzinfo=UTC)) is None


@pytest.mark.parametrize("text", ["0 * * * *", "*/10 4 * * *", "0 1,13 * * *"])
def test_sub_daily_expressions_need_minute_level_scheduling(text: str) -> None:
    with pytest.raises(InvalidParameter) as refused:
        check(text)
    assert refused.value.raw_params["parameter"] == "cron_schedule"
    assert "once a day" in refused.value.message
    assert check(text, sub_daily=True) == text


@pytest.mark.parametrize("given", ["", "   ", None, 5, "0 3 * *", "0 25 * * *", "x" * 300])
def test_bad_expressions_are_refused(given: object) -> None:
    with pytest.raises(InvalidParameter):
        check(given, sub_daily=True)


def test_an_expression_is_kept_with_single_spaces() -> None:
    assert check("  15   4 * *  mon ") == "15 4 * * mon"
