"""Harvesters over HTTP, driven the way a canton's ETL drives them: create, start, poll
every 10 virtual seconds until ``idle``, publish, poll the datasets until ``idle``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import requests

from tests.conftest import Live, call

pytestmark = pytest.mark.e2e

MakeLive = Callable[..., Live]

WORLD = """
seed: 7
users:
  - {username: admin, password: admin, api_keys: [ods-sim-admin-key], permissions: all}
  - {username: bo, password: bo, api_keys: [bo-key], permissions: [create_dataset, edit_dataset]}
harvesters:
  - name: Stata FTP CSV
    exists: false
    fetcher: ftp_csv
    remote_datasets:
      - {id: bevoelkerung, title: Bevölkerung nach Quartier, records: 120}
      - {id: steuern, title: Steuerertrag, records: 40}
  - name: Nachbar Portal
    params: {domain_id: data.example.org}
    remote_datasets: 4
"""


def wait_idle(live: Live, url: str, key: str = "status") -> int:
    """Poll ``url`` every 10 virtual seconds until it reads idle; how many polls it took."""
    for polls in range(1, 200):
        r = live.http.get(url, timeout=10)
        assert r.status_code == 200, r.text
        if r.json()[key] == "idle":
            return polls
        live.advance(10)
    raise AssertionError(f"{url} never became idle")


@pytest.fixture
def live(make_live: MakeLive) -> Live:
    return make_live(WORLD)


def test_a_canton_etl_creates_starts_and_publishes_a_harvester(live: Live) -> None:
    api = live.api
    r = call(
        live.http, "POST", f"{api}/harvesters/", {"fetcher": "ftp_csv", "name": "Stata FTP CSV"}
    )
    assert r.status_code == 200, r.text
    made = r.json()
    assert list(made) == [
        "status",
        "fetcher",
        "last_modified_by",
        "schedules",
        "errors",
        "name",
        "harvester_id",
        "last_modified_at",
        "version",
        "params",
        "created_at",
        "counters",
    ]
    assert (made["harvester_id"], made["status"], made["version"]) == ("stata-ftp-csv", "new", 1)
    assert made["fetcher"]["type"] == "ftp_csv" and made["schedules"] is None
    # the mandatory parameters are needed to harvest, not to create
    r = call(live.http, "PUT", f"{api}/harvesters/stata-ftp-csv/start")
    assert (r.status_code, r.json()["raw_params"]["parameter"]) == (400, "params.host")
    body = {
        "schedules": None,
        "name": "Stata FTP CSV",
        "version": 1,
        "params": {"host": "ftp.example.ch", "user": "u", "passwd": "s3cret",
                   "metadata_file": "meta.csv", "restrict_visibility": "true"},
    }  # fmt: skip
    r = call(live.http, "PUT", f"{api}/harvesters/stata-ftp-csv", body)
    assert r.status_code == 200, r.text
    assert r.json()["params"]["passwd"] is None and r.json()["params"]["restrict_visibility"]
    assert r.json()["version"] == 2
    # the harvester as read, sent back whole: its hidden secret is kept
    r = call(live.http, "PUT", f"{api}/harvesters/stata-ftp-csv", r.json())
    assert (r.status_code, r.json()["version"]) == (200, 3)
    assert r.json()["params"]["passwd"] is None
    # start, without a trailing slash as one client does; then poll as the other does
    r = call(live.http, "PUT", f"{api}/harvesters/stata-ftp-csv/start")
    assert (r.status_code, r.json()["status"]) == (200, "processing")
    r = call(live.http, "PUT", f"{api}/harvesters/stata-ftp-csv/start/")
    assert r.status_code == 400
    assert r.json()["error_key"] == "InvalidHarvesterStatusException"
    assert r.json()["raw_params"] == {"current_status": "processing", "target_status": "queued"}
    # 20 s plus 5 s for each of two remote datasets: idle at the fourth 10 s poll
    assert wait_idle(live, f"{api}/harvesters/stata-ftp-csv/") == 4
    harvester = live.http.get(f"{api}/harvesters/stata-ftp-csv", timeout=10).json()
    assert harvester["counters"] == {"attached": 2, "published": 0}
    datasets = live.http.get(f"{api}/datasets/?rows=100", timeout=10).json()["datasets"]
    harvested = {d["dataset_id"]: d for d in datasets}
    assert set(harvested) == {"bevoelkerung", "steuern"}
    assert harvested["bevoelkerung"]["metas"]["default"]["title"] == "Bevölkerung nach Quartier"
    assert harvested["steuern"]["visibility"] == "restricted"
    # publish: one job per dataset; poll the datasets until idle
    r = call(live.http, "PUT", f"{api}/harvesters/stata-ftp-csv/publish/")
    assert (r.status_code, r.json()["status"]) == (200, "idle")
    for d in harvested.values():
        wait_idle(live, f"{api}/datasets/{d['dataset_uid']}/status/", "name")
    harvester = live.http.get(f"{api}/harvesters/stata-ftp-csv", timeout=10).json()
    assert harvester["counters"] == {"attached": 2, "published": 2}
    # a second harvest updates the same datasets rather than making new ones
    assert call(live.http, "PUT", f"{api}/harvesters/stata-ftp-csv/start").status_code == 200
    wait_idle(live, f"{api}/harvesters/stata-ftp-csv")
    datasets = live.http.get(f"{api}/datasets/?rows=100", timeout=10).json()["datasets"]
    assert len(datasets) == 2
    # unpublish, then delete with the datasets
    r = call(live.http, "PUT", f"{api}/harvesters/stata-ftp-csv/unpublish")
    assert r.status_code == 200
    for d in harvested.values():
        wait_idle(live, f"{api}/datasets/{d['dataset_uid']}/status/", "name")
    r = live.http.delete(f"{api}/harvesters/stata-ftp-csv/?delete_attached_datasets=1", timeout=10)
    assert (r.status_code, r.content) == (204, b"")
    assert live.http.get(f"{api}/datasets/", timeout=10).json()["datasets"] == []
    r = live.http.get(f"{api}/harvesters/stata-ftp-csv", timeout=10)
    assert (r.status_code, r.json()["error_key"]) == (404, "UnknownHarvesterException")


def test_a_scenario_harvester_harvests_its_generated_catalogue_and_keeps_datasets(
    live: Live,
) -> None:
    api = live.api
    listed = live.http.get(f"{api}/harvesters", timeout=10).json()
    assert [(h["harvester_id"], h["status"]) for h in listed] == [("nachbar-portal", "new")]
    fetcher = listed[0]["fetcher"]
    assert [p["name"] for p in fetcher["parameters"]] == [
        "api_key",
        "delete",
        "domain_id",
        "forced_metas",
        "refines",
        "restrict_visibility",
    ]
    assert call(live.http, "PUT", f"{api}/harvesters/nachbar-portal/start").status_code == 200
    wait_idle(live, f"{api}/harvesters/nachbar-portal")
    datasets = live.http.get(f"{api}/datasets/?rows=100", timeout=10).json()["datasets"]
    assert len(datasets) == 4 and all(d["metas"]["default"]["title"] for d in datasets)
    r = live.http.delete(f"{api}/harvesters/nachbar-portal?delete_attached_datasets=0", timeout=10)
    assert r.status_code == 204
    assert len(live.http.get(f"{api}/datasets/", timeout=10).json()["datasets"]) == 4


def test_harvesters_need_the_three_dataset_permissions(live: Live) -> None:
    bo = requests.Session()
    bo.headers["Authorization"] = "Apikey bo-key"
    r = bo.get(f"{live.api}/harvesters/", timeout=10)
    assert (r.status_code, r.json()["raw_params"]["permission"]) == (403, "publish_dataset")


BAD: list[tuple[str, str, Any, int, str | None]] = [
    ("POST", "/harvesters", None, 400, "body"),
    ("POST", "/harvesters", [], 400, "body"),
    ("POST", "/harvesters", {"fetcher": "ods"}, 400, "name"),
    ("POST", "/harvesters", {"fetcher": "odss", "name": "x"}, 400, "fetcher"),
    ("POST", "/harvesters", {"fetcher": "ods", "name": "-- "}, 400, "name"),
    ("POST", "/harvesters", {"fetcher": "ods", "name": "N", "nme": 1}, 400, "nme"),
    ("POST", "/harvesters", {"fetcher": "ods", "name": "N", "params": {"domian_id": 1}}, 400,
     "params.domian_id"),
    ("POST", "/harvesters", {"fetcher": "ods", "name": "N", "params": {"delete": "maybe"}}, 400,
     "params.delete"),
    ("POST", "/harvesters", {"fetcher": "ods", "name": "N", "version": 0}, 400, "version"),
    ("POST", "/harvesters", {"fetcher": "ods", "name": "N", "schedules": "daily"}, 400,
     "schedules"),
    ("POST", "/harvesters", {"fetcher": "ods", "name": "Nachbar Portal"}, 400, "name"),
    ("PUT", "/harvesters/nachbar-portal", {"fetcher": "csw"}, 400, "fetcher"),
    ("PUT", "/harvesters/nachbar-portal", {"params": []}, 400, "params"),
    ("PUT", "/harvesters/nope", {"name": "x"}, 404, None),
    ("DELETE", "/harvesters/nachbar-portal?delete_attached_datasets=maybe", None, 400,
     "delete_attached_datasets"),
    ("PUT", "/harvesters/nope/start", None, 404, None),
    ("PUT", "/harvesters/nope/publish", None, 404, None),
]  # fmt: skip


@pytest.mark.parametrize(("method", "path", "body", "status", "parameter"), BAD)
def test_bad_input_is_refused_and_changes_nothing(
    live: Live, method: str, path: str, body: Any, status: int, parameter: str | None
) -> None:
    before = live.control("GET", "snapshot")
    r = call(live.http, method, f"{live.api}{path}", body)
    assert r.status_code == status, r.text
    error = r.json()
    assert list(error) == ["status_code", "error_key", "message", "raw_message", "raw_params"]
    if parameter is not None:
        assert error["raw_params"]["parameter"] == parameter
    assert live.control("GET", "snapshot") == before


def test_publish_waits_for_the_harvest_and_is_refused_meanwhile(live: Live) -> None:
    api = live.api
    call(live.http, "PUT", f"{api}/harvesters/nachbar-portal/start")
    before = live.control("GET", "snapshot")
    for action in ("publish", "unpublish"):
        r = call(live.http, "PUT", f"{api}/harvesters/nachbar-portal/{action}")
        assert (r.status_code, r.json()["raw_params"]["current_status"]) == (400, "processing")
    r = live.http.delete(f"{api}/harvesters/nachbar-portal", timeout=10)
    assert r.json()["raw_params"] == {"current_status": "processing", "target_status": "deleting"}
    assert live.control("GET", "snapshot") == before


def test_a_snapshot_replays_harvesters_and_their_datasets(make_live: MakeLive) -> None:
    source, target = make_live(WORLD), make_live(WORLD)
    api = source.api
    call(source.http, "POST", f"{api}/harvesters", {"fetcher": "ftp_csv", "name": "Stata FTP CSV"})
    params = {"host": "h", "user": "u", "passwd": "p", "metadata_file": "m.csv"}
    call(source.http, "PUT", f"{api}/harvesters/stata-ftp-csv", {"params": params})
    for name in ("stata-ftp-csv", "nachbar-portal"):
        call(source.http, "PUT", f"{api}/harvesters/{name}/start")
    source.advance(100)
    call(source.http, "PUT", f"{api}/harvesters/nachbar-portal/publish")
    source.advance(3)  # mid-publish: the snapshot replays the journal
    snapshot = requests.get(f"{source.url}/_sim/snapshot", timeout=10)
    assert requests.put(f"{target.url}/_sim/snapshot", data=snapshot.content).status_code == 200
    for live in (source, target):
        live.advance(600)
    seen = [
        (
            w.http.get(f"{w.api}/harvesters", timeout=10).json(),
            w.http.get(f"{w.api}/datasets?rows=100", timeout=10).json(),
        )
        for w in (source, target)
    ]
    assert seen[0] == seen[1]
    assert [h["counters"] for h in seen[0][0]] == [
        {"attached": 4, "published": 4},
        {"attached": 2, "published": 0},
    ]
