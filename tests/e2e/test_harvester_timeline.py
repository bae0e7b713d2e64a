"""Harvester moves in the control API's timeline: in the order they happened among the
datasets' transitions, in every format, filtered by harvester, kept by snapshots."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable

import pytest
import requests

from tests.conftest import Live, call
from tests.e2e.test_harvesters import WORLD, wait_idle

pytestmark = pytest.mark.e2e

MakeLive = Callable[..., Live]

HARVEST = [
    ("new", "queued", "start"),
    ("queued", "processing", "worker_free"),
    ("processing", "idle", "harvest_done"),
]


@pytest.fixture
def live(make_live: MakeLive) -> Live:
    return make_live(WORLD)


def harvest_and_publish(live: Live) -> None:
    api = live.api
    assert call(live.http, "PUT", f"{api}/harvesters/nachbar-portal/start").status_code == 200
    wait_idle(live, f"{api}/harvesters/nachbar-portal")
    assert call(live.http, "PUT", f"{api}/harvesters/nachbar-portal/publish/").status_code == 200
    live.control("POST", "clock/run_until_idle")


def timeline(live: Live, **params: str) -> requests.Response:
    r = requests.get(f"{live.url}/_sim/timeline", params=params, timeout=10)
    assert r.status_code == 200, r.text
    return r


def test_a_harvest_and_its_publish_are_in_the_timeline_in_the_order_they_happened(
    live: Live,
) -> None:
    harvest_and_publish(live)
    r = live.http.delete(f"{live.api}/harvesters/nachbar-portal?delete_attached_datasets=0")
    assert r.status_code == 204
    entries = timeline(live).json()
    moves = [e for e in entries if "harvester_id" in e]
    assert [list(m) for m in moves] == [
        ["t", "harvester_id", "harvester_name", "from", "to", "cause", "job_id"]
    ] * 4
    assert [(m["from"], m["to"], m["cause"]) for m in moves] == [
        *HARVEST,
        ("idle", "removed", "deleted"),
    ]
    assert {(m["harvester_id"], m["harvester_name"]) for m in moves} == {
        ("nachbar-portal", "Nachbar Portal")
    }
    # one job carries the harvest; the delete is not a job
    assert moves[0]["job_id"] and {m["job_id"] for m in moves[:3]} == {moves[0]["job_id"]}
    assert moves[3]["job_id"] is None
    assert moves[1]["t"] == moves[0]["t"] < moves[2]["t"]
    # the harvest comes before the publish jobs it let start, the delete after them
    kinds = ["h" if "harvester_id" in e else "d" for e in entries]
    assert kinds[:3] == ["h", "h", "h"] and kinds[-1] == "h" and set(kinds[3:-1]) == {"d"}
    assert all("harvester_id" not in e for e in entries if "dataset_uid" in e)
    assert [e["t"] for e in entries] == sorted(e["t"] for e in entries)


def test_the_harvester_filter_and_the_dataset_filter(live: Live) -> None:
    harvest_and_publish(live)
    every = timeline(live).json()
    only = timeline(live, harvester="nachbar-portal").json()
    assert [(m["from"], m["to"], m["cause"]) for m in only] == HARVEST
    assert timeline(live, harvester="Nachbar Portal").json() == only  # by name too
    assert timeline(live, harvester="nobody").json() == []
    first = next(e for e in every if "dataset_uid" in e)
    datasets_only = timeline(live, dataset=first["dataset_id"]).json()
    assert datasets_only and all("dataset_uid" in e for e in datasets_only)
    both = timeline(live, dataset=first["dataset_id"], harvester="nachbar-portal").json()
    assert both == [e for e in every if e in only or e in datasets_only]
    later = timeline(live, harvester="nachbar-portal", since=str(only[2]["t"])).json()
    assert later == only[2:]


def test_every_format_carries_the_harvester_moves(live: Live) -> None:
    harvest_and_publish(live)
    every = timeline(live).json()
    ndjson = timeline(live, format="ndjson")
    assert ndjson.headers["Content-Type"].startswith("application/x-ndjson")
    assert [json.loads(line) for line in ndjson.text.splitlines()] == every
    rows = list(csv.DictReader(io.StringIO(timeline(live, format="csv").text)))
    assert list(rows[0])[-2:] == ["harvester_id", "harvester_name"]
    assert [(r["harvester_id"], r["dataset_uid"], r["to"]) for r in rows[:3]] == [
        ("nachbar-portal", "", "queued"),
        ("nachbar-portal", "", "processing"),
        ("nachbar-portal", "", "idle"),
    ]
    assert rows[3]["harvester_id"] == "" and rows[3]["dataset_uid"]
    table = timeline(live, format="table").text.splitlines()
    assert table[0].split()[:4] == ["t", "(s)", "subject", "transition"]
    assert table[2].split()[1:5] == ["harvester:nachbar-portal", "new", "->", "queued"]
    # only datasets: the table of before, its column still headed dataset
    dataset_table = timeline(live, format="table", dataset=rows[3]["dataset_id"]).text
    assert dataset_table.split()[2] == "dataset" and "harvester:" not in dataset_table
    dataset_csv = timeline(live, format="csv", dataset=rows[3]["dataset_id"]).text
    assert dataset_csv.splitlines()[0].endswith(",cause,job_id")


def test_a_snapshot_round_trip_keeps_the_harvester_moves(make_live: MakeLive) -> None:
    source, target = make_live(WORLD), make_live(WORLD)
    harvest_and_publish(source)
    snapshot = requests.get(f"{source.url}/_sim/snapshot", timeout=10)
    assert '"harvester_moves"' in snapshot.text  # digested: the restore checks them
    assert requests.put(f"{target.url}/_sim/snapshot", data=snapshot.content).status_code == 200
    assert timeline(target).json() == timeline(source).json()
    assert len(timeline(target, harvester="nachbar-portal").json()) == 3
