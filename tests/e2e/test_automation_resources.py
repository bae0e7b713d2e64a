"""The Automation API v1.0's resources, resource files and extractors over HTTP."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
import requests

from tests.conftest import Live
from tests.e2e.test_automation_datasets import Client

pytestmark = pytest.mark.e2e

MakeLive = Callable[..., Live]

WORLD = """
platform: {workers: 1}
users:
  - {username: admin, password: admin, api_keys: [ods-sim-admin-key], permissions: all}
datasets:
  - {dataset_id: trees, dataset_uid: da_trees1, resources: [{records: 30}]}
  - dataset_id: live
    dataset_uid: da_live01
    published: true
    resources: [{type: realtime, title: sensors, records: 5}]
"""

RESOURCE_KEYS = [
    "uid",
    "type",
    "title",
    "display_name",
    "extraction_infos",
    "origin",
    "params",
    "datasource",
]
CSV = b"name;height\noak;12\nelm;9\n"


@pytest.fixture
def live(make_live: MakeLive) -> Live:
    return make_live(WORLD)


@pytest.fixture
def client(live: Live) -> Client:
    return Client(live)


def upload(client: Client, name: str = "Trees Data.csv", content: bytes = CSV) -> Any:
    r = client.http.post(
        f"{client.base}/datasets/da_trees1/resources/files/",
        files={"file": (name, content, "text/csv")},
        timeout=10,
    )
    assert r.status_code == 201, r.text
    return r.json()


def make(client: Client, body: Any, uid: str = "da_trees1") -> dict[str, Any]:
    r = client.call("POST", f"/datasets/{uid}/resources/", body)
    assert r.status_code == 201, r.text
    made: dict[str, Any] = r.json()
    return made


# files ----------------------------------------------------------------------------------


def test_an_upload_answers_201_with_a_dataset_file(client: Client) -> None:
    made = upload(client)
    assert list(made) == ["uid", "filename", "mimetype", "created_at"]
    assert made["uid"] == "trees_data.csv"
    assert made["filename"] == "Trees Data.csv"
    assert made["mimetype"] == "text/csv"
    one = client.call("GET", "/datasets/da_trees1/resources/files/trees_data.csv")
    assert one.status_code == 200 and one.json() == made
    got = client.call("GET", "/datasets/da_trees1/resources/files/trees_data.csv/download/")
    assert got.status_code == 200 and got.content == CSV


def test_an_upload_without_a_file_is_a_validation_error(client: Client) -> None:
    r = client.call("POST", "/datasets/da_trees1/resources/files/", {"file": "x"})
    assert r.status_code == 400
    assert r.json()["error_code"] == "validation_error"
    assert "file" in r.json()["detail"]


def test_an_upload_to_an_unknown_dataset_is_404_and_keeps_nothing(client: Client) -> None:
    r = client.http.post(
        f"{client.base}/datasets/da_nope00/resources/files",
        files={"file": ("other.csv", CSV)},
        timeout=10,
    )
    assert r.status_code == 404
    assert r.json() == {"error_code": "not_found", "message": "Not found."}
    gone = client.call("GET", "/datasets/da_trees1/resources/files/other.csv/")
    assert gone.status_code == 404


# resources ------------------------------------------------------------------------------


def test_a_resource_from_an_uploaded_file_as_the_sdk_sends_it(client: Client) -> None:
    file = upload(client)
    made = make(
        client,
        {
            "type": "csvfile",
            "title": "Trees",
            "params": {"separator": ";"},
            "datasource": {"type": "uploaded_file", "file": {"uid": file["uid"]}},
        },
    )
    assert list(made) == RESOURCE_KEYS
    assert made["uid"].startswith("re_")
    assert made["datasource"] == {"type": "uploaded_file", "file": {"uid": "trees_data.csv"}}
    assert made["extraction_infos"] == {"label": "CSV File", "type": "csvfile"}
    assert made["origin"] == {"label": "Uploaded file", "type": "uploaded_file"}
    assert made["params"] == {"separator": ";"}
    # the same resource on the Management API v2
    v2 = client.live.http.get(f"{client.live.api}/datasets/da_trees1/resources/{made['uid']}")
    assert v2.status_code == 200
    assert v2.json()["url"] == "odsfile://trees_data.csv"
    assert v2.json()["title"] == "Trees"


def test_an_http_resource_and_its_connection(client: Client) -> None:
    made = make(
        client,
        {
            "type": "csvfile",
            "title": "Remote",
            "datasource": {
                "type": "http",
                "connection": {"type": "http", "url": "https://data.example.org", "auth": None},
                "relative_url": "/trees.csv",
                "headers": [],
            },
        },
    )
    assert made["datasource"]["connection"]["url"] == "https://data.example.org"
    assert made["datasource"]["relative_url"] == "/trees.csv"
    assert made["display_name"] == "https://data.example.org/trees.csv"


def test_the_flat_body_huwise_sends_is_read_as_an_http_datasource(client: Client) -> None:
    made = make(
        client,
        {
            "type": "http",
            "connection": {"url": "https://data.example.org/files"},
            "relative_url": "trees.csv",
            "title": "Flat",
        },
    )
    assert made["type"] == "csvfile"
    assert made["datasource"]["type"] == "http"
    assert made["display_name"] == "https://data.example.org/files/trees.csv"


def test_titles_are_not_unique(client: Client) -> None:
    body = {
        "type": "csvfile",
        "title": "Same",
        "datasource": {
            "type": "http",
            "connection": {"url": "https://x.org"},
            "relative_url": "/a",
        },
    }
    first, second = make(client, body), make(client, body)
    assert first["uid"] != second["uid"]


def test_a_resource_made_on_v2_reads_the_same_here(client: Client) -> None:
    r = client.live.http.post(
        f"{client.live.api}/datasets/da_trees1/resources",
        data=json.dumps({"url": "https://x.org/trees.csv", "title": "From v2"}),
    )
    assert r.status_code == 200, r.text
    uid = r.json()["resource_uid"]
    got = client.call("GET", f"/datasets/da_trees1/resources/{uid}")
    assert got.status_code == 200
    assert got.json()["title"] == "From v2"
    assert got.json()["type"] == "csvfile"
    assert got.json()["datasource"]["relative_url"] == "/trees.csv"


def test_the_resources_list_is_paginated(client: Client) -> None:
    for n in range(3):
        make(
            client,
            {
                "title": f"r{n}",
                "datasource": {"type": "http", "connection": {"url": "http://x.org"}},
            },
        )
    r = client.call("GET", "/datasets/da_trees1/resources/?limit=2&expand=datasource.connection")
    assert r.status_code == 200, r.text
    page = r.json()
    assert page["total_count"] == 4
    assert len(page["results"]) == 2
    assert "offset=2" in page["next"] and "expand=datasource.connection" in page["next"]
    bad = client.call("GET", "/datasets/da_trees1/resources/?expand=datasource.owner")
    assert bad.status_code == 400
    assert "expand" in bad.json()["detail"]


def test_update_keeps_what_is_left_out_and_delete_answers_204(client: Client) -> None:
    made = make(
        client,
        {"title": "One", "datasource": {"type": "http", "connection": {"url": "http://x.org"}}},
    )
    path = f"/datasets/da_trees1/resources/{made['uid']}/"
    r = client.call("PUT", path, {"title": "Two"})
    assert r.status_code == 200, r.text
    assert r.json()["title"] == "Two"
    assert r.json()["datasource"] == made["datasource"]
    gone = client.call("DELETE", path)
    assert gone.status_code == 204 and gone.content == b""
    assert client.call("GET", path).status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": "x"}, "datasource"),
        ({"title": "x", "datasource": {"type": "ftp"}}, "datasource.type"),
        (
            {"title": "x", "datasource": {"type": "uploaded_file", "file": {}}},
            "datasource.file.uid",
        ),
        ({"datasource": {"type": "uploaded_file", "file": {"uid": "nope.csv"}}}, "datasource"),
        (
            {
                "title": "x",
                "type": "csvfle",
                "datasource": {"type": "http", "connection": {"url": "http://a.b"}},
            },
            "type",
        ),
        (
            {"title": "x", "datasource": {"type": "http", "connection": {"uid": "co_abc123"}}},
            "datasource.connection",
        ),
        ({"titel": "x"}, "titel"),
        ([1], "body"),
    ],
)
def test_a_bad_resource_names_its_field_and_changes_nothing(
    client: Client, body: Any, field: str
) -> None:
    r = client.call("POST", "/datasets/da_trees1/resources/", body)
    assert r.status_code == 400, r.text
    assert r.json()["error_code"] == "validation_error"
    assert field in r.json()["detail"]
    listed = client.call("GET", "/datasets/da_trees1/resources/").json()
    assert listed["total_count"] == 1


def test_an_unknown_dataset_is_404_before_a_bad_body(client: Client) -> None:
    r = client.call("POST", "/datasets/da_nope00/resources/", {"bad": 1})
    assert r.status_code == 404


def test_the_extractors_are_a_bare_array(client: Client) -> None:
    r = client.call("GET", "/extractors")
    assert r.status_code == 200
    types = [e["type"] for e in r.json()]
    assert "csvfile" in types and "jsonfile" in types
    assert all(list(e) == ["type", "label", "parameters"] for e in r.json())


# previews, guesses, actions -------------------------------------------------------------


def test_previews_of_a_saved_and_an_unsaved_resource(client: Client) -> None:
    file = upload(client)
    source = {"type": "uploaded_file", "file": {"uid": file["uid"]}}
    unsaved = client.call(
        "POST", "/datasets/da_trees1/resources/preview/", {"type": "csvfile", "datasource": source}
    )
    assert unsaved.status_code == 200, unsaved.text
    names = [f["name"] for f in unsaved.json()["fields"]]
    assert names == ["name", "height"]
    assert unsaved.json()["records"][0] == {"name": "oak", "height": 12}
    made = make(client, {"title": "T", "datasource": source})
    saved = client.call("GET", f"/datasets/da_trees1/resources/{made['uid']}/preview")
    assert saved.status_code == 200
    assert saved.json() == unsaved.json()


def test_guesses_of_extractors_and_their_parameters(client: Client) -> None:
    source = {"type": "http", "connection": {"url": "https://x.org"}, "relative_url": "/a.json"}
    r = client.call(
        "POST", "/datasets/da_trees1/resources/guess_extractors/", {"datasource": source}
    )
    assert r.status_code == 200
    assert [e["type"] for e in r.json()] == ["jsonfile"]
    p = client.call(
        "POST",
        "/datasets/da_trees1/resources/guess_extractor_params/",
        {"type": "csvfile", "datasource": source},
    )
    assert p.status_code == 200
    assert p.json()["extractor"] == "csvfile"
    assert p.json()["params"]["encoding"] == "utf-8"
    made = make(client, {"title": "T", "datasource": source})
    base = f"/datasets/da_trees1/resources/{made['uid']}"
    assert client.call("GET", f"{base}/guess_extractors/").json()[0]["type"] == "jsonfile"
    # the specification's spelling: extractors, plural
    saved = client.call("GET", f"{base}/guess_extractors_params/")
    assert saved.status_code == 200 and saved.json() == {"extractor": "jsonfile", "params": {}}
    bad = client.call("POST", "/datasets/da_trees1/resources/guess_extractors/", {})
    assert bad.status_code == 400 and "datasource" in bad.json()["detail"]


def test_clean_cache_answers_204(client: Client) -> None:
    uid = client.call("GET", "/datasets/da_trees1/resources/").json()["results"][0]["uid"]
    r = client.call("POST", f"/datasets/da_trees1/resources/{uid}/clean_cache")
    assert r.status_code == 204 and r.content == b""
    assert (
        client.call("POST", "/datasets/da_trees1/resources/re_nope00/clean_cache/").status_code
        == 404
    )


def test_recover_needs_a_published_dataset(client: Client) -> None:
    uid = client.call("GET", "/datasets/da_trees1/resources/").json()["results"][0]["uid"]
    r = client.call("POST", f"/datasets/da_trees1/resources/{uid}/recover/")
    assert r.status_code == 400
    assert r.json()["error_code"] == "invalid_dataset_status"
    r = client.call("POST", f"/datasets/da_trees1/resources/{uid}/delete_recover_data/")
    assert r.json()["error_code"] == "invalid_dataset_status"


def test_recover_of_a_realtime_resource_starts_processing(client: Client) -> None:
    uid = client.call("GET", "/datasets/da_live01/resources/").json()["results"][0]["uid"]
    r = client.call("POST", f"/datasets/da_live01/resources/{uid}/recover/")
    assert r.status_code == 200, r.text
    assert r.json()["uid"] == uid and r.json()["type"] == "realtime"
    assert r.json()["datasource"] == {"type": "realtime"}
    assert client.status("da_live01")["status"] in ("queued", "processing")
    client.wait_for("da_live01", {"idle"})
    r = client.call("POST", f"/datasets/da_live01/resources/{uid}/delete_recover_data/")
    assert r.status_code == 200
    assert client.status("da_live01")["status"] in ("queued", "deleting")


def test_the_answers_are_not_redirects(live: Live) -> None:
    r = requests.get(
        f"{live.url}/api/automation/v1.0//extractors",
        headers={"Authorization": "apikey ods-sim-admin-key"},
        allow_redirects=False,
        timeout=10,
    )
    assert r.status_code == 200


def test_a_snapshot_round_trip_keeps_the_files_and_resources(client: Client, live: Live) -> None:
    file = upload(client, "Points.json", b'[{"a": 1}, {"a": 2}]')
    made = make(client, {"title": "P", "datasource": {"type": "uploaded_file", "file": file}})
    assert made["type"] == "jsonfile"
    snapshot = requests.get(f"{live.url}/_sim/snapshot", timeout=10)
    assert snapshot.status_code == 200
    other = Client(client.live)
    assert requests.post(f"{live.url}/_sim/reset", timeout=10).status_code == 200
    assert other.call("GET", f"/datasets/da_trees1/resources/{made['uid']}").status_code == 404
    put = requests.put(f"{live.url}/_sim/snapshot", data=snapshot.content, timeout=10)
    assert put.status_code == 200, put.text
    assert other.call("GET", f"/datasets/da_trees1/resources/{made['uid']}").json() == made
    again = other.call("GET", "/datasets/da_trees1/resources/files/points.json/download")
    assert again.content == b'[{"a": 1}, {"a": 2}]'


def test_disable_stops_pushes_and_enable_lets_them_in(client: Client) -> None:
    uid = client.call("GET", "/datasets/da_live01/resources/").json()["results"][0]["uid"]
    base = f"/datasets/da_live01/resources/{uid}"
    push = f"{client.live.api}/datasets/da_live01/resources/{uid}/push"
    off = client.call("POST", f"{base}/disable/")
    assert off.status_code == 200 and off.json()["uid"] == uid
    refused = client.live.http.post(push, data=json.dumps({"a": 1}))
    assert refused.status_code == 400
    assert "disabled" in refused.json()["message"]
    assert client.status("da_live01")["status"] == "idle"  # nothing started
    on = client.call("POST", f"{base}/enable")
    assert on.status_code == 200
    assert client.live.http.post(push, data=json.dumps({"a": 1})).status_code == 200
    renewed = client.call("POST", f"{base}/renew_api_key/")
    assert renewed.status_code == 200 and renewed.json() == on.json()


def test_enable_of_a_resource_that_is_not_realtime_is_a_bad_request(client: Client) -> None:
    uid = client.call("GET", "/datasets/da_trees1/resources/").json()["results"][0]["uid"]
    for action in ("enable", "disable", "renew_api_key"):
        r = client.call("POST", f"/datasets/da_trees1/resources/{uid}/{action}/")
        assert r.status_code == 400
        assert r.json()["error_code"] == "bad_request"
    missing = client.call("POST", "/datasets/da_trees1/resources/re_nope00/enable/")
    assert missing.status_code == 404


def test_a_disabled_push_stays_disabled_after_a_snapshot_round_trip(
    client: Client, live: Live
) -> None:
    uid = client.call("GET", "/datasets/da_live01/resources/").json()["results"][0]["uid"]
    assert client.call("POST", f"/datasets/da_live01/resources/{uid}/disable").status_code == 200
    snapshot = requests.get(f"{live.url}/_sim/snapshot", timeout=10).content
    assert requests.post(f"{live.url}/_sim/reset", timeout=10).status_code == 200
    assert requests.put(f"{live.url}/_sim/snapshot", data=snapshot, timeout=10).status_code == 200
    push = f"{live.api}/datasets/da_live01/resources/{uid}/push"
    assert live.http.post(push, data=json.dumps({"a": 1})).status_code == 400


def test_a_scenario_resource_renamed_keeps_its_records(client: Client) -> None:
    uid = client.call("GET", "/datasets/da_trees1/resources/").json()["results"][0]["uid"]
    r = client.call("PUT", f"/datasets/da_trees1/resources/{uid}", {"title": "Renamed"})
    assert r.status_code == 200, r.text
    assert r.json()["title"] == "Renamed"
    v2 = client.live.http.get(f"{client.live.api}/datasets/da_trees1/resources/{uid}").json()
    assert v2["title"] == "Renamed" and v2["records"] == 30
    assert client.call("PUT", f"/datasets/da_trees1/resources/{uid}/").status_code == 200


def test_a_saved_connection_given_by_uid_is_its_url(client: Client) -> None:
    r = client.call(
        "POST", "/datasource_connections/", {"type": "http", "url": "https://data.example.org/x"}
    )
    assert r.status_code == 201, r.text
    source = {"type": "http", "connection": {"uid": r.json()["uid"]}, "relative_url": "/t.csv"}
    made = make(client, {"title": "Saved", "datasource": source})
    assert made["display_name"] == "https://data.example.org/x/t.csv"
    guessed = client.call(
        "POST", "/datasets/da_trees1/resources/guess_extractors", {"datasource": source}
    )
    assert guessed.status_code == 200 and guessed.json()[0]["type"] == "csvfile"
