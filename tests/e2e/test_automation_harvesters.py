"""The Automation API v1.0's harvesters over HTTP, sent as a canton's ETL sends them:
the same harvesters as the Management API v2's, in the specification's shape."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
import requests

from simulator.scenario.loading import DEFAULT_API_KEY
from tests.conftest import Live

pytestmark = pytest.mark.e2e

MakeLive = Callable[..., Live]
V1 = "/api/automation/v1.0"

WORLD = """
seed: 7
platform: {workers: 2}
users:
  - {username: admin, password: admin, api_keys: [ods-sim-admin-key], permissions: all}
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

HARVESTER_KEYS = [
    "uid",
    "type",
    "name",
    "status",
    "version",
    "restrict_datasets_visibility",
    "delete_missing_datasets",
    "forced_metas",
    "remote_datasets_count",
    "harvested_datasets_count",
    "published_datasets_count",
    "attached_datasets_count",
    "has_error",
    "resource_errors_count",
    "created_at",
    "updated_at",
    "updated_by",
    "last_started_at",
    "last_success_at",
]

FTP_CSV = {
    "type": "ftp_csv",
    "name": "Stata FTP CSV",
    "host": "ftp.example.ch",
    "user": "u",
    "password": "s3cret",
    "metadata_file": "meta.csv",
    "directory": "exports",
    "download_resources": "true",
    "restrict_datasets_visibility": "True",
    "forced_metas": {"default": {"publisher": "Statistisches Amt"}},
}


class Client:
    def __init__(self, live: Live) -> None:
        self.live = live
        self.base = f"{live.url}{V1}"
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"apikey {DEFAULT_API_KEY}"

    def call(self, method: str, path: str, body: Any = None) -> requests.Response:
        data = None if body is None else json.dumps(body)
        return self.http.request(method, self.base + path, data=data, timeout=10)

    def wait_idle(self, uid: str) -> int:
        """Poll every 10 virtual seconds until idle, as the ETL does; how many polls."""
        for polls in range(1, 200):
            r = self.call("GET", f"/harvesters/{uid}/")
            assert r.status_code == 200, r.text
            if r.json()["status"] == "idle":
                return polls
            self.live.advance(10)
        raise AssertionError(f"{uid} never became idle")


@pytest.fixture
def live(make_live: MakeLive) -> Live:
    return make_live(WORLD)


@pytest.fixture
def client(live: Live) -> Client:
    return Client(live)


def test_create_answers_201_with_the_type_parameters_at_the_top_level(
    live: Live, client: Client
) -> None:
    r = client.call("POST", "/harvesters/", FTP_CSV)
    assert r.status_code == 201, r.text
    made = r.json()
    assert list(made)[: len(HARVESTER_KEYS)] == HARVESTER_KEYS
    assert (made["uid"], made["type"], made["status"], made["version"]) == (
        "stata-ftp-csv",
        "ftp_csv",
        "new",
        1,
    )
    assert made["restrict_datasets_visibility"] is True
    assert made["delete_missing_datasets"] is False
    assert made["forced_metas"] == {"default": {"publisher": "Statistisches Amt"}}
    assert made["updated_by"] == {"username": "admin"}
    assert (made["last_started_at"], made["last_success_at"]) == (None, None)
    # the type's parameters follow, in the specification's order; the secret reads null
    assert {k: made[k] for k in list(made)[len(HARVESTER_KEYS) :]} == {
        "host": "ftp.example.ch",
        "user": "u",
        "password": None,
        "directory": "exports",
        "metadata_file": "meta.csv",
        "download_resources": True,
    }
    # one world: the Management API v2 shows the same harvester, in its words
    v2 = live.http.get(f"{live.api}/harvesters/stata-ftp-csv", timeout=10).json()
    assert v2["fetcher"]["type"] == "ftp_csv"
    assert v2["params"]["subdir"] == "exports" and v2["params"]["restrict_visibility"] is True
    assert v2["params"]["passwd"] is None
    # read back without the trailing slash, and in the paginated list
    assert client.call("GET", "/harvesters/stata-ftp-csv").json() == made
    page = client.call("GET", "/harvesters/?limit=1").json()
    assert page["total_count"] == 2 and [h["uid"] for h in page["results"]] == ["nachbar-portal"]
    assert page["next"].endswith("/api/automation/v1.0/harvesters/?limit=1&offset=1")
    assert client.call("GET", page["next"].split(V1)[1]).json()["results"][0] == made


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**FTP_CSV, "type": "ftp_cvs"}, "type"),
        ({k: v for k, v in FTP_CSV.items() if k != "type"}, "type"),
        ({k: v for k, v in FTP_CSV.items() if k != "host"}, "host"),
        ({k: v for k, v in FTP_CSV.items() if k != "name"}, "name"),
        ({**FTP_CSV, "hots": "x"}, "hots"),
        ({**FTP_CSV, "download_resources": "maybe"}, "download_resources"),
        ({**FTP_CSV, "forced_metas": "publisher"}, "forced_metas"),
        ({**FTP_CSV, "version": 0}, "version"),
        ({**FTP_CSV, "name": " "}, "name"),
    ],
)
def test_bad_input_is_a_validation_error_naming_the_field_and_changes_nothing(
    client: Client, body: dict[str, Any], field: str
) -> None:
    r = client.call("POST", "/harvesters/", body)
    assert r.status_code == 400, r.text
    answer = r.json()
    assert (answer["error_code"], answer["message"]) == ("validation_error", "Invalid input")
    assert list(answer["detail"]) == [field]
    assert client.call("GET", "/harvesters/").json()["total_count"] == 1


def test_a_typo_gets_the_closest_known_name(client: Client) -> None:
    r = client.call("POST", "/harvesters/", {**FTP_CSV, "metadata_fiel": "x"})
    assert "metadata_file" in r.json()["detail"]["metadata_fiel"][0]


def test_start_poll_publish_as_the_etl_does_and_the_refusals(client: Client) -> None:
    assert client.call("POST", "/harvesters/", FTP_CSV).status_code == 201
    r = client.call("POST", "/harvesters/stata-ftp-csv/start/")
    assert r.status_code == 200, r.text
    started = r.json()
    assert started["status"] == "processing" and started["last_started_at"] is not None
    r = client.call("POST", "/harvesters/stata-ftp-csv/start")
    assert r.status_code == 400
    assert r.json() == {
        "error_code": "invalid_harvester_status",
        "message": "Invalid transition from processing to queued",
    }
    # 20 s plus 5 s for each of two remote datasets: idle at the fourth 10 s poll
    assert client.wait_idle("stata-ftp-csv") == 4
    done = client.call("GET", "/harvesters/stata-ftp-csv/").json()
    assert done["remote_datasets_count"] == 2 and done["harvested_datasets_count"] == 2
    assert done["attached_datasets_count"] == 2 and done["published_datasets_count"] == 0
    assert done["last_success_at"] is not None and done["has_error"] is False
    r = client.call("POST", "/harvesters/stata-ftp-csv/publish")
    assert (r.status_code, r.json()) == (200, {"detail": "ok"})
    client.live.advance(600)
    done = client.call("GET", "/harvesters/stata-ftp-csv").json()
    assert done["published_datasets_count"] == 2
    r = client.call("POST", "/harvesters/stata-ftp-csv/unpublish/")
    assert (r.status_code, r.json()) == (200, {"detail": "ok"})
    client.live.advance(600)
    assert client.call("GET", "/harvesters/stata-ftp-csv").json()["published_datasets_count"] == 0
    r = client.call("POST", "/harvesters/stata-ftp-csv/abort/")
    assert r.status_code == 400
    assert r.json()["message"] == "Invalid transition from idle to aborting"
    assert client.call("POST", "/harvesters/nowhere/start/").json() == {
        "error_code": "not_found",
        "message": "Not found.",
    }


def test_abort_stops_a_harvest_aborting_then_idle_and_makes_no_dataset(
    live: Live, client: Client
) -> None:
    r = client.call("POST", "/harvesters/nachbar-portal/start/")
    assert r.json()["status"] == "processing"
    live.advance(10)
    r = client.call("POST", "/harvesters/nachbar-portal/abort")
    assert (r.status_code, r.json()["status"]) == (200, "aborting")
    # the Management API v2 sees the same status: one world
    v2 = live.http.get(f"{live.api}/harvesters/nachbar-portal/", timeout=10).json()
    assert v2["status"] == "aborting"
    assert client.wait_idle("nachbar-portal") == 2
    done = client.call("GET", "/harvesters/nachbar-portal/").json()
    assert done["attached_datasets_count"] == 0 and done["last_success_at"] is None
    moves = live.control("GET", "timeline?harvester=nachbar-portal")
    assert [(m["from"], m["to"], m["cause"]) for m in moves] == [
        ("new", "queued", "start"),
        ("queued", "processing", "worker_free"),
        ("processing", "aborting", "abort"),
        ("aborting", "idle", "aborted"),
    ]


def test_update_keeps_what_the_body_does_not_name_and_the_hidden_secret(client: Client) -> None:
    made = client.call("POST", "/harvesters/", FTP_CSV).json()
    r = client.call("PUT", "/harvesters/stata-ftp-csv/", {"delete_missing_datasets": 1})
    assert r.status_code == 200, r.text
    changed = r.json()
    assert changed["delete_missing_datasets"] is True and changed["version"] == 2
    assert changed["host"] == made["host"] and changed["restrict_datasets_visibility"] is True
    # the harvester as read, sent back whole: its secret (read as null) is kept
    r = client.call("PUT", "/harvesters/stata-ftp-csv", changed)
    assert (r.status_code, r.json()["name"], r.json()["password"]) == (200, "Stata FTP CSV", None)
    assert client.call("POST", "/harvesters/stata-ftp-csv/start/").status_code == 200
    r = client.call("PUT", "/harvesters/stata-ftp-csv/", {"type": "ckan"})
    assert (r.status_code, list(r.json()["detail"])) == (400, ["type"])


def test_delete_needs_the_flag_and_can_leave_the_datasets(client: Client) -> None:
    assert client.call("POST", "/harvesters/nachbar-portal/start/").status_code == 200
    client.wait_idle("nachbar-portal")
    r = client.call("DELETE", "/harvesters/nachbar-portal/")
    assert r.status_code == 400
    assert list(r.json()["detail"]) == ["delete_attached_datasets"]
    assert client.call("GET", "/harvesters/nachbar-portal/").status_code == 200
    r = client.call("DELETE", "/harvesters/nachbar-portal/?delete_attached_datasets=false")
    assert (r.status_code, r.content) == (204, b"")
    assert client.call("GET", "/harvesters/nachbar-portal/").status_code == 404
    assert client.call("GET", "/datasets/").json()["total_count"] == 4


def test_preview_errors_and_unsaved_preview(client: Client) -> None:
    preview = client.call("GET", "/harvesters/nachbar-portal/preview/").json()
    assert preview["total_count"] == 4 and list(preview["results"][0]) == [
        "id",
        "title",
        "description",
    ]
    errors = client.call("GET", "/harvesters/nachbar-portal/errors").json()
    assert errors == {"harvester": None, "resources": {}}
    r = client.call("POST", "/harvesters/nachbar-portal/unsaved_preview/", {"refines": "x"})
    assert (r.status_code, r.json()) == (200, preview)
    r = client.call("POST", "/harvesters/nachbar-portal/unsaved_preview/", {"domian": "x"})
    assert (r.status_code, list(r.json()["detail"])) == (400, ["domian"])
    # a preview saves nothing
    assert "refines" not in client.call("GET", "/harvesters/nachbar-portal/").json()


def test_a_snapshot_replays_an_automation_harvester_and_its_abort(make_live: MakeLive) -> None:
    source, target = make_live(WORLD), make_live(WORLD)
    client = Client(source)
    assert client.call("POST", "/harvesters/", FTP_CSV).status_code == 201
    client.call("POST", "/harvesters/nachbar-portal/start/")
    source.advance(10)
    client.call("POST", "/harvesters/nachbar-portal/abort/")
    client.call("POST", "/harvesters/stata-ftp-csv/start/")
    source.advance(2)  # mid-abort and mid-harvest: the snapshot replays the journal
    snapshot = requests.get(f"{source.url}/_sim/snapshot", timeout=10)
    assert requests.put(f"{target.url}/_sim/snapshot", data=snapshot.content).status_code == 200
    for live in (source, target):
        live.advance(600)
    seen = [Client(w).call("GET", "/harvesters/").json() for w in (source, target)]
    assert seen[0] == seen[1]
    assert [(h["uid"], h["status"], h["attached_datasets_count"]) for h in seen[0]["results"]] == [
        ("nachbar-portal", "idle", 0),
        ("stata-ftp-csv", "idle", 2),
    ]


def test_one_schedule_per_harvester_the_same_one_v2_shows(live: Live, client: Client) -> None:
    base = "/harvesters/nachbar-portal/schedules"
    empty = client.call("GET", f"{base}/").json()
    assert empty == {"total_count": 0, "next": None, "previous": None, "results": []}
    r = client.call("POST", f"{base}/", {"cron_schedule": "30 2 * * *"})
    assert (r.status_code, list(r.json()["detail"])) == (400, ["timezone"])
    r = client.call("POST", base, {"cron_schedule": "*/5 * * * *", "timezone": "Europe/Berlin"})
    assert (r.status_code, list(r.json()["detail"])) == (400, ["cron_schedule"])
    r = client.call("POST", base, {"cron_schedule": "30 2 * * *", "timezone": "Mars/Olympus"})
    assert (r.status_code, list(r.json()["detail"])) == (400, ["timezone"])
    assert client.call("GET", base).json()["total_count"] == 0  # refusals changed nothing
    r = client.call(
        "POST", f"{base}/", {"cron_schedule": "30 2 * * *", "timezone": "Europe/Berlin"}
    )
    assert r.status_code == 201, r.text
    made = r.json()
    assert list(made) == ["uid", "cron_schedule", "timezone"] and made["uid"].startswith("sc_")
    assert len(made["uid"]) == 9
    # one world: v2 shows the same schedule in its schedules key
    v2 = live.http.get(f"{live.api}/harvesters/nachbar-portal", timeout=10).json()
    assert v2["schedules"] == [{"cron_schedule": "30 2 * * *", "timezone": "Europe/Berlin"}]
    r = client.call("POST", f"{base}/", {"cron_schedule": "0 3 * * *", "timezone": "UTC"})
    assert (r.status_code, r.json()["error_code"]) == (400, "validation_error")
    assert list(r.json()["detail"]) == ["non_field_errors"]
    one = f"{base}/{made['uid']}"
    assert client.call("GET", one).json() == made
    assert client.call("GET", f"{base}/sc_nope00/").status_code == 404
    r = client.call("PUT", f"{one}/", {"timezone": "Europe/Paris"})
    assert (r.status_code, r.json()["cron_schedule"], r.json()["timezone"]) == (
        200,
        "30 2 * * *",
        "Europe/Paris",
    )
    page = client.call("GET", f"{base}/").json()
    assert page["total_count"] == 1 and page["results"] == [r.json()]
    r = client.call("DELETE", one)
    assert (r.status_code, r.content) == (204, b"")
    assert (
        live.http.get(f"{live.api}/harvesters/nachbar-portal", timeout=10).json()["schedules"]
        is None
    )
    assert client.call("GET", one).status_code == 404
    assert client.call("GET", "/harvesters/nowhere/schedules/").status_code == 404
