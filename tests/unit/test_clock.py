"""Clock policies against a fake wall clock."""

from __future__ import annotations

from datetime import UTC, datetime

from simulator.domain.clock import Clock
from tests.conftest import FakeWall


def test_manual_time_never_moves_on_its_own() -> None:
    wall = FakeWall(1000.0)
    clock = Clock("manual", speed=60, wall=wall)
    wall.t += 3600
    assert clock.target(12.0) == 12.0


def test_realtime_moves_speed_virtual_seconds_per_wall_second() -> None:
    wall = FakeWall(1000.0)
    clock = Clock("realtime", speed=60, wall=wall)
    wall.t += 2.5
    assert clock.target(0.0) == 150.0


def test_realtime_counts_from_the_last_anchor_and_never_goes_back() -> None:
    wall = FakeWall(1000.0)
    clock = Clock("realtime", speed=10, wall=wall)
    wall.t += 1
    clock.anchor(500.0)  # e.g. after a manual jump
    assert clock.target(500.0) == 500.0
    wall.t += 1
    assert clock.target(500.0) == 510.0
    assert clock.target(900.0) == 900.0


def test_switching_to_manual_freezes_time() -> None:
    wall = FakeWall(1000.0)
    clock = Clock("realtime", speed=10, wall=wall)
    wall.t += 5
    clock.configure(50.0, "manual", 10)
    wall.t += 5
    assert clock.target(50.0) == 50.0


def test_realtime_stops_at_the_last_instant_a_timestamp_can_name() -> None:
    wall = FakeWall(1000.0)
    clock = Clock("realtime", speed=1e6, wall=wall)
    wall.t += 1e9
    assert clock.target(0.0) == clock.horizon
    assert clock.iso(clock.horizon) == "9999-12-31T23:59:59+00:00"


def test_timestamps_are_iso_8601_utc_from_the_epoch() -> None:
    clock = Clock(epoch=datetime(2015, 4, 15, 15, 13, 4, tzinfo=UTC))
    assert clock.iso(0) == "2015-04-15T15:13:04+00:00"
    assert clock.iso(3661.7) == "2015-04-15T16:14:05+00:00"
    assert clock.iso(None) is None
    assert clock.http_date(60) == "Wed, 15 Apr 2015 15:14:04 GMT"


def test_written_instants_follow_each_clocks_epoch_and_zone() -> None:
    # Equal instants in different zones: each clock writes ISO in its own zone,
    # and HTTP dates in GMT; remembered answers of one must not leak to the other.
    from datetime import timedelta, timezone

    utc = Clock("manual", epoch=datetime(2026, 1, 1, tzinfo=UTC))
    paris = Clock("manual", epoch=datetime(2026, 1, 1, 1, 0, tzinfo=timezone(timedelta(hours=1))))
    later = Clock("manual", epoch=datetime(2026, 6, 1, tzinfo=UTC))
    assert utc.iso(90) == "2026-01-01T00:01:30+00:00"
    assert paris.iso(90) == "2026-01-01T01:01:30+01:00"
    assert later.iso(90) == "2026-06-01T00:01:30+00:00"
    assert utc.http_date(90) == paris.http_date(90) == "Thu, 01 Jan 2026 00:01:30 GMT"
    assert later.http_date(90) == "Mon, 01 Jun 2026 00:01:30 GMT"
    assert utc.iso(None) is None
