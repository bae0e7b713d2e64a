"""The Automation API v1.0's attachments and alternative exports over HTTP."""

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
users:
  - {username: admin, password: admin, api_keys: [ods-sim-admin-key], permissions: all}
datasets:
  - {dataset_id: trees, dataset_uid: da_trees1, resources: [{records: 30}]}
"""

PDF = b"%PDF-1.4 a notice"


@pytest.fixture
def live(make_live: MakeLive) -> Live:
    return make_live(WORLD)


@pytest.fixture
def client(live: Live) -> Client:
    return Client(live)


def post(client: Client, path: str, **kwargs: Any) -> requests.Response:
    return client.http.post(f"{client.base}{path}", timeout=10, **kwargs)


def test_an_attachment_is_a_dataset_file(client: Client) -> None:
    r = post(client, "/datasets/da_trees1/attachments/", files={"file": ("Notice.pdf", PDF)})
    assert r.status_code == 201, r.text
    made = r.json()
    assert list(made) == ["uid", "filename", "mimetype", "created_at"]
    assert made["uid"].startswith("at_")
    assert made["filename"] == "Notice.pdf"
    assert made["mimetype"] == "application/pdf"
    path = f"/datasets/da_trees1/attachments/{made['uid']}"
    assert client.call("GET", path).json() == made
    assert client.call("GET", f"{path}/download/").content == PDF
    listed = client.call("GET", "/datasets/da_trees1/attachments").json()
    assert listed["total_count"] == 1 and listed["results"] == [made]
    # the same attachment on the Management API v2
    v2 = client.live.http.get(f"{client.live.api}/datasets/da_trees1/attachments")
    assert [a["attachment_uid"] for a in v2.json()] == [made["uid"]]
    gone = client.call("DELETE", f"{path}/")
    assert gone.status_code == 204 and gone.content == b""
    assert client.call("GET", path).status_code == 404


def test_an_attachment_made_on_v2_reads_here(client: Client) -> None:
    r = client.live.http.post(
        f"{client.live.api}/datasets/da_trees1/attachments",
        data=json.dumps({"url": "https://example.org/docs/guide.pdf"}),
    )
    assert r.status_code == 200, r.text
    uid = r.json()["attachment_uid"]
    got = client.call("GET", f"/datasets/da_trees1/attachments/{uid}")
    assert got.json() == {"uid": uid, "filename": "guide.pdf", "mimetype": "application/pdf"}


def test_an_attachment_without_a_file_changes_nothing(client: Client) -> None:
    r = post(client, "/datasets/da_trees1/attachments/", data={"note": "x"})
    assert r.status_code == 400
    assert r.json()["error_code"] == "validation_error" and "file" in r.json()["detail"]
    assert client.call("GET", "/datasets/da_trees1/attachments").json()["total_count"] == 0
    missing = post(client, "/datasets/da_nope00/attachments/", files={"file": ("a.pdf", PDF)})
    assert missing.status_code == 404


def test_an_alternative_export_uploaded_then_changed(client: Client) -> None:
    r = post(
        client,
        "/datasets/da_trees1/alternative_exports/",
        data={"title": "Trees as Parquet", "type": "uploaded_file", "description": "weekly"},
        files={"file": ("trees.parquet", b"PAR1", "application/vnd.apache.parquet")},
    )
    assert r.status_code == 201, r.text
    made = r.json()
    assert list(made) == ["uid", "title", "description", "mimetype", "type", "filename"]
    assert made["uid"].startswith("ae_")
    assert made["title"] == "Trees as Parquet" and made["description"] == "weekly"
    assert made["type"] == "uploaded_file" and made["filename"] == "trees.parquet"
    path = f"/datasets/da_trees1/alternative_exports/{made['uid']}/"
    changed = client.call("PUT", path, {"title": "Parquet", "type": "uploaded_file"})
    assert changed.status_code == 200, changed.text
    assert changed.json()["title"] == "Parquet" and changed.json()["description"] == "weekly"
    assert client.call("GET", path).json() == changed.json()
    got = client.call("GET", f"{path}download", allow_redirects=False)
    assert got.status_code == 200 and got.content == b"PAR1"
    assert client.call("DELETE", path).status_code == 204
    assert client.call("GET", path).status_code == 404


def test_a_url_export_made_on_v2_downloads_as_a_303(client: Client) -> None:
    r = client.live.http.post(
        f"{client.live.api}/datasets/da_trees1/alternative_exports",
        data=json.dumps({"url": "https://example.org/trees.xlsx"}),
    )
    uid = r.json()["export_uid"]
    got = client.call("GET", f"/datasets/da_trees1/alternative_exports/{uid}")
    assert got.json()["type"] == "url" and got.json()["url"] == "https://example.org/trees.xlsx"
    assert got.json()["title"] == "trees.xlsx"
    sent = client.call(
        "GET", f"/datasets/da_trees1/alternative_exports/{uid}/download/", allow_redirects=False
    )
    assert sent.status_code == 303
    assert sent.headers["Location"] == "https://example.org/trees.xlsx"
    wrong = client.call(
        "PUT",
        f"/datasets/da_trees1/alternative_exports/{uid}",
        {"title": "X", "type": "uploaded_file"},
    )
    assert wrong.status_code == 400 and "type" in wrong.json()["detail"]


@pytest.mark.parametrize(
    ("form", "fields"),
    [
        ({"type": "uploaded_file"}, {"title"}),
        ({"title": "T", "type": "url"}, {"type"}),
        ({"title": ""}, {"title", "type"}),
    ],
)
def test_a_bad_export_lists_every_field_and_changes_nothing(
    client: Client, form: dict[str, str], fields: set[str]
) -> None:
    r = post(
        client,
        "/datasets/da_trees1/alternative_exports",
        data=form,
        files={"file": ("a.csv", b"a\n1\n")},
    )
    assert r.status_code == 400, r.text
    assert set(r.json()["detail"]) == fields
    assert client.call("GET", "/datasets/da_trees1/alternative_exports").json()["total_count"] == 0
    assert client.call("GET", "/datasets/da_trees1/resources/files/a.csv").status_code == 404


def test_titles_survive_a_snapshot_round_trip(client: Client, live: Live) -> None:
    r = post(
        client,
        "/datasets/da_trees1/alternative_exports",
        data={"title": "Kept", "type": "uploaded_file"},
        files={"file": ("k.csv", b"a\n1\n")},
    )
    uid = r.json()["uid"]
    client.call(
        "PUT",
        f"/datasets/da_trees1/alternative_exports/{uid}",
        {"title": "Kept 2", "type": "uploaded_file", "description": "d"},
    )
    snapshot = requests.get(f"{live.url}/_sim/snapshot", timeout=10).content
    assert requests.post(f"{live.url}/_sim/reset", timeout=10).status_code == 200
    assert requests.put(f"{live.url}/_sim/snapshot", data=snapshot, timeout=10).status_code == 200
    got = client.call("GET", f"/datasets/da_trees1/alternative_exports/{uid}").json()
    assert (got["title"], got["description"]) == ("Kept 2", "d")
