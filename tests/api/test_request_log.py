"""The request log over HTTP: what a client sent, as ``/_sim/requests`` serves it."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.conftest import API, Live

MakeLive = Callable[..., Live]
ROOT = Path(__file__).resolve().parents[2]
TREES = "datasets: [{dataset_id: trees, dataset_uid: da_trees1}]"


def logged(live: Live, query: str = "") -> list[dict[str, Any]]:
    r = requests.get(f"{live.url}/_sim/requests{query}", timeout=10)
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


def test_each_request_is_logged_as_sent_with_credentials_masked(make_live: MakeLive) -> None:
    live = make_live(TREES)
    requests.get(f"{live.api}/datasets/da_trees1/status/", auth=("admin", "admin"), timeout=10)
    requests.put(f"{live.api}/datasets/da_trees1/publish?apikey=ods-sim-admin-key", timeout=10)
    body = json.dumps({"dataset_id": "oaks", "metas": {"default": {"title": "Oaks"}}})
    live.http.post(f"{live.api}/datasets", data=body, timeout=10)  # no content type
    live.http.get(f"{live.api}/datasets/da_nothing", timeout=10)

    status, publish, create, missing = logged(live)
    assert [e["seq"] for e in (status, publish, create, missing)] == [1, 2, 3, 4]
    assert status["method"] == "GET"
    assert status["path"] == f"{API}/datasets/da_trees1/status"  # the trailing slash served
    assert status["route"] == f"{API}/datasets/{{dataset_uid}}/status"
    assert (status["auth"], status["surface"], status["status"]) == ("Basic", "management", 200)
    assert publish["query"] == "apikey=***"
    assert publish["auth"] is None
    assert create["body"] == body and create["size"] == len(body)
    assert (create["content_type"], create["truncated"], create["status"]) == (None, False, 200)
    assert missing["status"] == 404
    for entry in (status, publish, create, missing):
        text = json.dumps(entry)
        assert "ods-sim-admin-key" not in text and "admin:admin" not in text
        assert entry["duration_ms"] >= 0 and entry["wall"] > 0


def test_a_password_in_a_body_is_not_kept(make_live: MakeLive) -> None:
    live = make_live()
    user = {"username": "ann", "email": "ann@example.com", "password": "hunter2"}
    live.http.post(f"{live.api}/users", data=json.dumps(user), timeout=10)
    (entry,) = logged(live)
    assert "hunter2" not in json.dumps(entry)
    assert json.loads(entry["body"])["password"] == "***"


def test_the_answers_of_faults_and_the_virtual_time_are_logged(make_live: MakeLive) -> None:
    live = make_live((ROOT / "scenarios" / "flaky-http.yaml").read_text())
    publish = f"{live.api}/datasets/da_wifi01/publish"
    assert live.http.put(publish, timeout=10).status_code == 429
    live.advance(5)
    assert live.http.put(publish, timeout=10).status_code == 200
    first, second = logged(live)
    assert (first["status"], first["time"]) == (429, 0)
    assert (second["status"], second["time"]) == (200, 5)
    assert logged(live, "?status=4xx") == [first]
    assert logged(live, "?status=200") == [second]


def test_filters_since_limit_and_ndjson(make_live: MakeLive) -> None:
    live = make_live(TREES)
    for _ in range(3):
        live.http.get(f"{live.api}/datasets/da_trees1/status", timeout=10)
    live.http.put(f"{live.api}/datasets/da_trees1/publish", timeout=10)
    live.http.get(f"{live.url}/api/automation/v1.0/datasets/", timeout=10)

    assert [e["seq"] for e in logged(live, "?method=get")] == [1, 2, 3, 5]
    assert [e["seq"] for e in logged(live, "?path=*/publish")] == [4]
    route = f"{API}/datasets/{{dataset_uid}}/status"
    assert [e["seq"] for e in logged(live, f"?path={route}")] == [1, 2, 3]
    assert [e["surface"] for e in logged(live, "?surface=automation")] == ["automation"]
    assert [e["seq"] for e in logged(live, "?since=3")] == [4, 5]
    assert [e["seq"] for e in logged(live, "?since=1&limit=2")] == [4, 5]
    r = requests.get(f"{live.url}/_sim/requests?format=ndjson&since=4", timeout=10)
    assert r.headers["Content-Type"].startswith("application/x-ndjson")
    assert [json.loads(line)["seq"] for line in r.text.splitlines()] == [5]


def test_control_calls_that_change_something_are_logged_apart(make_live: MakeLive) -> None:
    live = make_live(TREES)
    live.http.get(f"{live.api}/datasets", timeout=10)
    live.advance(10)
    live.control("GET", "clock")  # a read of the control API: not logged
    requests.get(f"{live.url}/_sim/dashboard", timeout=10)
    assert [e["surface"] for e in logged(live)] == ["management"]
    everything = logged(live, "?surface=all")
    assert [(e["surface"], e["path"]) for e in everything] == [
        ("management", f"{API}/datasets"),
        ("control", "/_sim/clock/advance"),
    ]
    assert logged(live, "?surface=control,management") == everything


def test_delete_forgets_and_numbering_goes_on_a_reset_starts_over(make_live: MakeLive) -> None:
    live = make_live()
    live.http.get(f"{live.api}/datasets", timeout=10)
    live.http.get(f"{live.api}/datasets", timeout=10)
    assert requests.delete(f"{live.url}/_sim/requests", timeout=10).json() == {"cleared": 2}
    assert logged(live) == []
    live.http.get(f"{live.api}/datasets", timeout=10)
    assert [e["seq"] for e in logged(live)] == [4]  # the DELETE was the third
    live.control("POST", "reset")
    assert logged(live) == []
    live.http.get(f"{live.api}/datasets", timeout=10)
    assert [e["seq"] for e in logged(live)] == [2]  # the reset itself is the first
    live.control("PUT", "scenario", data=TREES)
    live.http.get(f"{live.api}/datasets", timeout=10)
    loaded, listed = logged(live, "?surface=all")
    assert (loaded["seq"], loaded["path"], listed["seq"]) == (1, "/_sim/scenario", 2)


def test_a_large_body_is_cut_short_and_reaches_the_api_whole(make_live: MakeLive) -> None:
    live = make_live()
    content = "id,name\n" + "".join(f"{i},tree number {i}\n" for i in range(2000))
    r = live.http.post(
        f"{live.api}/files", files={"file": ("big.csv", content.encode())}, timeout=10
    )
    assert r.status_code == 200, r.text
    download = live.http.get(f"{live.api}/download_file/big.csv", timeout=10)
    assert download.content == content.encode()
    entry, read = logged(live)
    assert (read["truncated"], read["size"]) == (False, 0)
    assert entry["truncated"] is True
    assert entry["size"] > 8 * 1024 and len(entry["body"].encode()) == 8 * 1024
    assert entry["content_type"].startswith("multipart/form-data")


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("?status=abc", "status"),
        ("?status=600", "status"),
        ("?surface=web", "surface"),
        ("?surface=,", "surface"),
        ("?since=-1", "since"),
        ("?since=x", "since"),
        ("?limit=0", "limit"),
        ("?format=csv", "format"),
    ],
)
def test_bad_filters_are_refused_naming_the_parameter(
    make_live: MakeLive, query: str, parameter: str
) -> None:
    live = make_live()
    live.http.get(f"{live.api}/datasets", timeout=10)
    r = requests.get(f"{live.url}/_sim/requests{query}", timeout=10)
    assert r.status_code == 400
    assert r.json()["error_key"] == "InvalidParameterException"
    assert r.json()["raw_params"]["parameter"] == parameter
    assert len(logged(live)) == 1  # nothing changed


def test_a_long_query_is_kept_cut_short(make_live: MakeLive) -> None:
    live = make_live()
    where = " and ".join(["published=false"] * 600)
    r = live.http.get(f"{live.api}/datasets", params={"where": where}, timeout=10)
    assert r.status_code == 200, r.text
    (entry,) = logged(live)
    assert len(entry["query"]) == 8 * 1024
    assert entry["query"].startswith("where=published")
