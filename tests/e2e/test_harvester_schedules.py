"""Harvester schedules over HTTP: a cron expression in a time zone, on the virtual clock."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import requests

from tests.conftest import Live, call

pytestmark = pytest.mark.e2e

MakeLive = Callable[..., Live]

DAY = 86_400.0

WORLD = """
seed: 3
harvesters:
  - name: Nachbar Portal
    params: {domain_id: data.example.org}
    remote_datasets: 2
  - name: Never Run
    params: {domain_id: other.example.org}
"""

MIDNIGHT = [{"cron_schedule": "0 0 * * *", "timezone": "UTC"}]


def wait_idle(live: Live, url: str, key: str = "status") -> None:
    for _ in range(200):
        if live.http.get(url, timeout=10).json()[key] == "idle":
            return
        live.advance(10)
    raise AssertionError(f"{url} never became idle")


def moves(live: Live, since: float) -> list[tuple[str, str, str]]:
    timeline = live.control("GET", "timeline", params={"since": since})
    return [
        (
            e["dataset_id"] if "dataset_id" in e else f"harvester:{e['harvester_id']}",
            e["to"],
            e["cause"],
        )
        for e in timeline
    ]


def harvest_and_publish(live: Live) -> list[dict[str, Any]]:
    api = live.api
    assert call(live.http, "PUT", f"{api}/harvesters/nachbar-portal/start").status_code == 200
    wait_idle(live, f"{api}/harvesters/nachbar-portal/")
    assert call(live.http, "PUT", f"{api}/harvesters/nachbar-portal/publish").status_code == 200
    datasets = live.http.get(f"{api}/datasets", timeout=10).json()["datasets"]
    for ds in datasets:
        wait_idle(live, f"{api}/datasets/{ds['dataset_uid']}/status", "name")
    return datasets


def test_a_schedule_fires_at_the_next_midnight_and_republishes(make_live: MakeLive) -> None:
    live = make_live(WORLD)
    api = live.api
    datasets = harvest_and_publish(live)
    r = call(live.http, "PUT", f"{api}/harvesters/nachbar-portal", {"schedules": MIDNIGHT})
    assert r.status_code == 200, r.text
    assert r.json()["schedules"] == MIDNIGHT
    assert (
        live.http.get(f"{api}/harvesters/nachbar-portal", timeout=10).json()["schedules"]
        == MIDNIGHT
    )
    assert live.control("GET", "clock")["next_event"] == DAY
    live.control(
        "POST", "clock/advance", json={"seconds": DAY - live.control("GET", "clock")["now"]}
    )
    harvester = live.http.get(f"{api}/harvesters/nachbar-portal", timeout=10).json()
    assert harvester["status"] == "processing"
    live.advance(30)  # a harvest of two remote datasets lasts 30 s
    assert live.http.get(f"{api}/harvesters/nachbar-portal", timeout=10).json()["status"] == "idle"
    # its published datasets were queued for publishing again as the harvest ended
    ids = {ds["dataset_id"] for ds in datasets}
    queued = {d for d, to, cause in moves(live, DAY) if to == "queued" and cause == "publish"}
    assert queued == ids
    assert moves(live, DAY)[0] == ("harvester:nachbar-portal", "queued", "schedule")
    # and the next firing is the next midnight
    live.control("POST", "clock/run_until_idle")
    assert live.control("GET", "clock")["next_event"] == 2 * DAY


def test_midnight_in_berlin_is_23_00_utc_in_winter(make_live: MakeLive) -> None:
    live = make_live(WORLD)
    harvest_and_publish(live)
    schedule = [{"cron_schedule": "0 0 * * *", "timezone": "Europe/Berlin"}]
    call(live.http, "PUT", f"{live.api}/harvesters/nachbar-portal", {"schedules": schedule})
    assert live.control("GET", "clock")["next_event"] == DAY - 3600


def test_a_harvester_never_run_does_not_fire_and_new_datasets_stay_unpublished(
    make_live: MakeLive,
) -> None:
    live = make_live(WORLD)
    api = live.api
    r = call(live.http, "PUT", f"{api}/harvesters/never-run", {"schedules": MIDNIGHT})
    assert r.status_code == 200, r.text
    # harvested once, never published: the scheduled run does not publish them
    call(live.http, "PUT", f"{api}/harvesters/nachbar-portal/start")
    wait_idle(live, f"{api}/harvesters/nachbar-portal")
    call(live.http, "PUT", f"{api}/harvesters/nachbar-portal", {"schedules": MIDNIGHT})
    live.control(
        "POST", "clock/advance", json={"seconds": DAY + 100 - live.control("GET", "clock")["now"]}
    )
    assert live.http.get(f"{api}/harvesters/never-run", timeout=10).json()["status"] == "new"
    assert not [m for m in moves(live, DAY) if m[2] == "publish"]
    # a schedule set back to null is no longer armed
    call(live.http, "PUT", f"{api}/harvesters/nachbar-portal", {"schedules": None})
    call(live.http, "PUT", f"{api}/harvesters/never-run", {"schedules": []})
    assert live.control("GET", "clock")["next_event"] is None


def test_a_deleted_harvester_schedule_never_fires(make_live: MakeLive) -> None:
    live = make_live(WORLD)
    harvest_and_publish(live)
    api = live.api
    call(live.http, "PUT", f"{api}/harvesters/nachbar-portal", {"schedules": MIDNIGHT})
    assert live.http.delete(f"{api}/harvesters/nachbar-portal", timeout=10).status_code == 204
    assert live.control("GET", "clock")["next_event"] is None


BAD: list[tuple[Any, str]] = [
    ("daily", "schedules"),
    (MIDNIGHT * 2, "schedules"),
    ([{"cron_schedule": "0 0 * *", "timezone": "UTC"}], "schedules[0].cron_schedule"),
    ([{"cron_schedule": "*/5 0 * * *", "timezone": "UTC"}], "schedules[0].cron_schedule"),
    ([{"cron_schedule": "0 25 * * *", "timezone": "UTC"}], "schedules[0].cron_schedule"),
    ([{"cron_schedule": "0 0 * * *", "timezone": "Europe/Bern"}], "schedules[0].timezone"),
    ([{"cron_schedule": "0 0 * * *"}], "schedules[0].timezone"),
    ([{"cron_schedule": "0 0 * * *", "timezone": "UTC", "uid": "sc_1"}], "schedules[0].uid"),
]


@pytest.mark.parametrize(("schedules", "parameter"), BAD)
def test_bad_schedules_are_refused_and_change_nothing(
    make_live: MakeLive, schedules: Any, parameter: str
) -> None:
    live = make_live(WORLD)
    before = live.control("GET", "snapshot")
    for method, path, body in (
        ("PUT", "/harvesters/nachbar-portal/", {"schedules": schedules}),
        ("POST", "/harvesters", {"fetcher": "ods", "name": "New one", "schedules": schedules}),
    ):
        r = call(live.http, method, f"{live.api}{path}", body)
        assert r.status_code == 400, r.text
        error = r.json()
        assert error["error_key"] == "InvalidParameterException"
        assert error["raw_params"]["parameter"] == parameter
    assert live.control("GET", "snapshot") == before


@pytest.mark.parametrize("retention", ["", "retention: {journal: 1}\n"])
def test_a_snapshot_keeps_the_schedule_armed(make_live: MakeLive, retention: str) -> None:
    """Replayed from the journal, or taken up from a world written down whole."""
    source, target = make_live(WORLD + retention), make_live(WORLD + retention)
    harvest_and_publish(source)
    call(source.http, "PUT", f"{source.api}/harvesters/nachbar-portal", {"schedules": MIDNIGHT})
    snapshot = requests.get(f"{source.url}/_sim/snapshot", timeout=10)
    assert ("base" in snapshot.json()) == bool(retention)
    assert requests.put(f"{target.url}/_sim/snapshot", data=snapshot.content).status_code == 200
    for live in (source, target):
        assert live.control("GET", "clock")["next_event"] == DAY
        live.advance(DAY + 600 - live.control("GET", "clock")["now"])
    assert moves(source, DAY) == moves(target, DAY) != []
