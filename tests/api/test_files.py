"""Uploaded files over HTTP: ids made from names, the listing and who sees what, downloads."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
import requests

from tests.conftest import Live

MakeLive = Callable[..., Live]

WORLD = """
users:
  - {username: admin, password: admin, api_keys: [ods-sim-admin-key], permissions: all}
  - {username: maker, password: maker, permissions: [create_dataset]}
  - {username: other, password: other, permissions: [create_dataset]}
  - {username: guest, password: guest, permissions: []}
datasets:
  - {dataset_id: trees, dataset_uid: da_trees1}
  - {dataset_id: hidden, dataset_uid: da_hidde1, visibility: restricted}
"""
CSV = "name,height\noak,12\nelm,9\n"


@pytest.fixture
def live(make_live: MakeLive) -> Live:
    return make_live(WORLD)


def session(username: str) -> requests.Session:
    s = requests.Session()
    s.auth = (username, username)
    return s


def post_file(http: requests.Session, live: Live, name: str, content: str = CSV) -> dict[str, Any]:
    r = http.post(f"{live.api}/files", files={"file": (name, content.encode())}, timeout=10)
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


def listed(http: requests.Session, live: Live) -> list[str]:
    r = http.get(f"{live.api}/files", timeout=10)
    assert r.status_code == 200, r.text
    return [f["file_id"] for f in r.json()]


def test_a_file_object_is_the_documented_one(live: Live) -> None:
    stored = post_file(live.http, live, "Cheese Data.csv")
    assert list(stored) == ["file_id", "url", "filename", "properties", "created"]
    assert stored["file_id"] == "cheese_data.csv"
    assert stored["url"] == "odsfile://cheese_data.csv"
    assert stored["filename"] == "Cheese Data.csv"
    assert stored["properties"]["mimetype"] == "text/csv"
    for path in ("/files", "/files/"):
        assert live.http.get(f"{live.api}{path}", timeout=10).json() == [stored]
    assert live.http.get(f"{live.api}/files/cheese_data.csv/", timeout=10).json() == stored


def test_download_file_answers_the_bytes_as_an_attachment(live: Live) -> None:
    post_file(live.http, live, "Cheese Data.csv")
    for path in (
        "/download_file/cheese_data.csv",
        "/download_file/cheese_data.csv/",
        "/files/cheese_data.csv/download",  # the simulator's earlier path, kept
    ):
        r = live.http.get(f"{live.api}{path}", timeout=10)
        assert r.status_code == 200, path
        assert r.content == CSV.encode()
        assert r.headers["Content-Type"] == "text/csv; charset=utf-8"
        assert r.headers["Content-Disposition"] == 'attachment; filename="Cheese Data.csv"'
    r = live.http.get(f"{live.api}/download_file/nothing.csv", timeout=10)
    assert (r.status_code, r.json()["error_key"]) == (404, "UnknownFileException")


def test_a_json_upload_without_a_name_is_called_file(live: Live) -> None:
    body = json.dumps({"content": "a\n1\n", "mimetype": "text/csv"})  # no content type sent
    r = live.http.post(f"{live.api}/files", data=body, timeout=10)
    assert r.status_code == 200, r.text
    assert (r.json()["file_id"], r.json()["filename"]) == ("file", "file")


def test_an_upload_of_a_name_uploaded_before_replaces_that_file(live: Live) -> None:
    first = post_file(live.http, live, "data.csv", "a\n1\n")
    again = post_file(live.http, live, "data.csv", "a\n1\n2\n3\n")
    assert (first["file_id"], again["file_id"]) == ("data.csv", "data.csv")
    assert again["properties"]["records"] == 3
    assert listed(live.http, live) == ["data.csv"]
    got = live.http.get(f"{live.api}/download_file/data.csv", timeout=10)
    assert got.text == "a\n1\n2\n3\n"
    # another name whose id would be the same gets the next free one
    clash = post_file(live.http, live, "Data.csv", "a\n9\n")
    assert clash["file_id"] == "data_2.csv"
    assert listed(live.http, live) == ["data.csv", "data_2.csv"]


def test_a_resource_names_a_file_by_its_url_or_by_its_name(live: Live) -> None:
    post_file(live.http, live, "Cheese Data.csv", "a\n1\n2\n")
    post_file(live.http, live, "Cheese Data.csv", "a\n1\n2\n3\n4\n")  # the latest of that name
    base = f"{live.api}/datasets/da_trees1/resources"
    for url in ("odsfile://cheese_data.csv", "odsfile://Cheese Data.csv"):
        r = live.http.post(base, data=json.dumps({"url": url}), timeout=10)
        assert r.status_code == 200, r.text
        assert r.json()["records"] == 4
        download = live.http.get(f"{base}/{r.json()['resource_uid']}/download", timeout=10)
        assert download.text == "a\n1\n2\n3\n4\n"


def test_each_user_sees_the_files_they_uploaded_or_may_use(live: Live) -> None:
    maker, other, guest = session("maker"), session("other"), session("guest")
    mine = post_file(maker, live, "mine.csv")
    theirs = post_file(other, live, "theirs.csv")
    post_file(live.http, live, "admins.csv")
    assert listed(maker, live) == ["mine.csv"]
    assert listed(other, live) == ["theirs.csv"]
    assert listed(guest, live) == []
    assert listed(live.http, live) == ["mine.csv", "theirs.csv", "admins.csv"]
    # a file a dataset they may edit uses: as a resource, an attachment, an export
    trees = f"{live.api}/datasets/da_trees1"
    live.http.post(f"{trees}/resources", data=json.dumps({"url": "odsfile://admins.csv"}))
    ruleset = {"user": {"username": "guest"}, "permissions": ["edit_dataset"]}
    live.http.post(f"{trees}/security/users", data=json.dumps(ruleset), timeout=10)
    assert listed(guest, live) == ["admins.csv"]
    live.http.post(f"{trees}/attachments", data=json.dumps({"url": mine["url"]}), timeout=10)
    live.http.post(
        f"{trees}/alternative_exports", data=json.dumps({"url": theirs["url"]}), timeout=10
    )
    assert listed(guest, live) == ["mine.csv", "theirs.csv", "admins.csv"]
    # outside what a user sees, a file is unknown
    for path in ("/files/admins.csv", "/download_file/admins.csv"):
        r = maker.get(f"{live.api}{path}", timeout=10)
        assert (r.status_code, r.json()["error_key"]) == (404, "UnknownFileException")
        assert guest.get(f"{live.api}{path}", timeout=10).status_code == 200


def test_a_restricted_dataset_shows_its_files_only_to_who_sees_it(live: Live) -> None:
    post_file(live.http, live, "secret.csv")
    hidden = f"{live.api}/datasets/da_hidde1"
    live.http.post(f"{hidden}/attachments", data=json.dumps({"url": "odsfile://secret.csv"}))
    ruleset = {"user": {"username": "guest"}, "permissions": ["edit_dataset"]}
    guest = session("guest")
    assert listed(guest, live) == []
    live.http.post(f"{hidden}/security/users", data=json.dumps(ruleset), timeout=10)
    assert listed(guest, live) == ["secret.csv"]


def test_files_an_attachment_uses_are_kept_past_the_retention_bound(make_live: MakeLive) -> None:
    live = make_live(WORLD + "retention: {unused_files: 1, unused_file_bytes: 1000000}\n")
    trees = f"{live.api}/datasets/da_trees1"
    for name, kind in (("kept.pdf", "attachments"), ("export.zip", "alternative_exports")):
        stored = post_file(live.http, live, name, "x")
        r = live.http.post(f"{trees}/{kind}", data=json.dumps({"url": stored["url"]}))
        assert r.status_code == 200, r.text
    for n in range(5):
        post_file(live.http, live, f"unused-{n}.csv")
    assert listed(live.http, live) == ["kept.pdf", "export.zip", "unused-4.csv"]


def test_a_preview_reads_the_file_its_url_names_by_id(live: Live) -> None:
    post_file(live.http, live, "Cheese Data.csv", "kind,age\nbrie,2\n")
    base = f"{live.api}/datasets/da_trees1"
    body = json.dumps({"url": "odsfile://cheese_data.csv"})  # the file's id, not its name
    made = live.http.post(f"{base}/resources", data=body, timeout=10).json()
    for r in (
        live.http.get(f"{base}/resources/{made['resource_uid']}/preview", timeout=10),
        live.http.post(f"{base}/resource_preview", data=body, timeout=10),
    ):
        assert r.status_code == 200, r.text
        assert r.json()["records"] == [{"kind": "brie", "age": 2}]
