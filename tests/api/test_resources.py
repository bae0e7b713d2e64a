"""Resources and uploaded files: records counted, downloads, publishes that follow."""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.conftest import API, AUTH

Make = Callable[..., FlaskClient]

WORLD = """
datasets:
  - dataset_id: trees
    dataset_uid: da_trees1
    published: true
    resources:
      - {title: trees.csv, records: 1200, fields: {name: name, height: float}}
      - {title: remote, url: "https://example.org/trees.json", records: 300}
"""
CSV = "name;height;planted\nOak;12;1901\nElm;9;1950\nAsh;7;1977\n"


@pytest.fixture
def c(make_client: Make) -> FlaskClient:
    return make_client(WORLD)


def upload(
    c: FlaskClient, content: str = CSV, filename: str = "new.csv", mimetype: str = "text/csv"
) -> Any:
    body = {"content": content, "filename": filename, "mimetype": mimetype}
    return c.post(f"{API}/files", data=json.dumps(body), headers=AUTH)


def resources(c: FlaskClient) -> list[dict[str, Any]]:
    return c.get(f"{API}/datasets/da_trees1/resources", headers=AUTH).get_json()


def test_resources_are_a_bare_list_with_their_record_counts(c: FlaskClient) -> None:
    listed = resources(c)
    assert [(r["title"], r["type"], r["records"]) for r in listed] == [
        ("trees.csv", "csvfile", 1200),
        ("remote", "http", 300),
    ]
    one = c.get(
        f"{API}/datasets/da_trees1/resources/{listed[0]['resource_uid']}", headers=AUTH
    ).get_json()
    assert one == listed[0]
    assert one["url"] == "odsfile://trees.csv"


def test_an_upload_counts_records_and_finds_fields(c: FlaskClient) -> None:
    r = upload(c)
    assert r.status_code == 200
    stored = r.get_json()
    assert stored["url"] == "odsfile://new.csv"
    assert stored["properties"] == {
        "mimetype": "text/csv",
        "size": len(CSV),
        "records": 3,
        "fields": ["name", "height", "planted"],
    }
    got = c.get(f"{API}/files/{stored['file_id']}", headers=AUTH).get_json()
    assert got == stored
    download = c.get(f"{API}/files/{stored['file_id']}/download", headers=AUTH)
    assert download.get_data(as_text=True) == CSV
    assert download.headers["Content-Disposition"] == 'attachment; filename="new.csv"'


def test_multipart_and_base64_uploads(c: FlaskClient) -> None:
    r = c.post(
        f"{API}/files",
        data={"file": (io.BytesIO(b"a,b\n1,2\n3,4\n"), "two.csv", "text/csv")},
        headers=AUTH,
        content_type="multipart/form-data",
    )
    assert r.get_json()["properties"]["records"] == 2
    encoded = base64.b64encode(b'[{"x": 1}, {"x": 2}, {"x": 3}]').decode()
    body = {"content": encoded, "filename": "three.json", "encoding": "base64"}
    r = c.post(f"{API}/files", data=json.dumps(body), headers=AUTH)
    assert r.get_json()["properties"] == {
        "mimetype": "application/json",
        "size": 30,
        "records": 3,
        "fields": ["x"],
    }


def test_a_resource_on_an_uploaded_file_takes_its_records(c: FlaskClient) -> None:
    upload(c)
    r = c.post(
        f"{API}/datasets/da_trees1/resources", data='{"url": "odsfile://new.csv"}', headers=AUTH
    )
    assert r.status_code == 200
    created = r.get_json()
    assert (created["title"], created["type"], created["records"]) == ("new.csv", "csvfile", 3)
    assert created["fields"] == ["name", "height", "planted"]
    assert len(resources(c)) == 3


def test_changing_and_removing_resources_drive_the_next_publish(c: FlaskClient) -> None:
    first, second = resources(c)
    body = {
        **{k: first[k] for k in ("title", "url", "type", "params")},
        "records": 1500,
        "fields": {"name": "name", "height": "float"},
    }
    r = c.put(
        f"{API}/datasets/da_trees1/resources/{first['resource_uid']}",
        data=json.dumps(body),
        headers=AUTH,
    )
    assert r.get_json()["records"] == 1500
    assert (
        c.delete(
            f"{API}/datasets/da_trees1/resources/{second['resource_uid']}", headers=AUTH
        ).status_code
        == 204
    )
    c.put(f"{API}/datasets/da_trees1/publish", headers=AUTH)
    c.post("/_sim/clock/run_until_idle")
    moves = [e["to"] for e in c.get("/_sim/timeline?dataset=trees").get_json()]
    assert moves == [
        "queued",
        "processing_dataset",
        "deleting_resource_records",
        "processing_resource_records",
        "idle",
    ]
    job = c.get(f"{API}/jobs", headers=AUTH).get_json()["jobs"][-1]
    assert job["result"] == {"status": "idle", "records": 1500}


def test_a_scenario_file_downloads_as_seeded_sample_records(c: FlaskClient) -> None:
    first = resources(c)[0]
    r = c.get(f"{API}/datasets/da_trees1/resources/{first['resource_uid']}/download", headers=AUTH)
    lines = r.get_data(as_text=True).splitlines()
    assert (r.mimetype, lines[0], len(lines)) == ("text/csv", "name,height", 1201)
    again = c.get(
        f"{API}/datasets/da_trees1/resources/{first['resource_uid']}/download", headers=AUTH
    )
    assert again.get_data() == r.get_data()


def test_a_resource_that_is_not_an_uploaded_file_cannot_be_downloaded(c: FlaskClient) -> None:
    second = resources(c)[1]
    r = c.get(f"{API}/datasets/da_trees1/resources/{second['resource_uid']}/download", headers=AUTH)
    assert r.status_code == 400
    assert "is not an uploaded file" in r.get_json()["message"]


@pytest.mark.parametrize(
    ("body", "parameter"),
    [
        ({"title": "no url"}, "url"),
        ({"url": "odsfile://missing.csv"}, "url"),
        ({"url": "ftp://example.org/x.csv"}, "url"),
        ({"url": "https://example.org/x", "records": -1}, "records"),
        ({"url": "https://example.org/x", "records": "many"}, "records"),
        ({"url": "https://example.org/x", "type": "excel"}, "type"),
        ({"url": "https://example.org/x", "params": []}, "params"),
        ({"url": "https://example.org/x", "fields": {"a": "colour"}}, "fields"),
        ({"url": "https://example.org/x", "titel": "x"}, "titel"),
        ([], "body"),
    ],
)
def test_bad_resources_are_refused_and_change_nothing(
    c: FlaskClient, body: Any, parameter: str
) -> None:
    before = resources(c)
    changes = c.get(f"{API}/datasets/da_trees1/changes", headers=AUTH).get_json()
    r = c.post(f"{API}/datasets/da_trees1/resources", data=json.dumps(body), headers=AUTH)
    assert r.status_code == 400
    assert r.get_json()["raw_params"]["parameter"] == parameter
    first = before[0]["resource_uid"]
    r = c.put(f"{API}/datasets/da_trees1/resources/{first}", data=json.dumps(body), headers=AUTH)
    assert r.status_code == 400
    assert resources(c) == before
    assert c.get(f"{API}/datasets/da_trees1/changes", headers=AUTH).get_json() == changes


@pytest.mark.parametrize(
    ("body", "parameter"),
    [
        ({"content": 5, "filename": "x.csv"}, "content"),
        ({"content": "a", "filename": "a/b.csv"}, "filename"),
        ({"content": "a", "filename": 7}, "filename"),
        ({"content": "!!", "filename": "x.csv", "encoding": "base64"}, "content"),
        # found by fuzzing: base64 of characters outside ASCII was a 500
        ({"content": "é\u0001k", "filename": "x.png", "encoding": "base64"}, "content"),
        ({"content": "a", "filename": "x.csv", "encoding": {}}, "encoding"),
        ({"content": "a", "filename": "bell\u0007.csv"}, "filename"),
        ({"content": "a", "filename": "half\ud800.csv"}, "filename"),
        ({"content": "{", "filename": "x.json"}, "file"),
        ("just text", "body"),
    ],
)
def test_bad_uploads_are_refused(c: FlaskClient, body: Any, parameter: str) -> None:
    r = c.post(f"{API}/files", data=json.dumps(body), headers=AUTH)
    assert r.status_code == 400
    assert r.get_json()["raw_params"]["parameter"] == parameter


def test_unknown_resources_and_files_are_404s(c: FlaskClient) -> None:
    for path in ("/datasets/da_trees1/resources/re_nope00", "/files/0000", "/files/0000/download"):
        r = c.get(f"{API}{path}", headers=AUTH)
        assert r.status_code == 404
        assert r.get_json()["error_key"] in ("UnknownResourceException", "UnknownFileException")


def test_a_file_named_outside_ascii_downloads_under_its_name(c: FlaskClient) -> None:
    # found by fuzzing: such a name in the header was a 500 from the HTTP server
    upload = {"content": "a\n1\n", "filename": 'données "été".csv'}
    file_id = c.post(f"{API}/files", data=json.dumps(upload), headers=AUTH).get_json()["file_id"]
    r = c.get(f"{API}/files/{file_id}/download", headers=AUTH)
    assert r.status_code == 200
    assert r.headers["Content-Disposition"] == (
        'attachment; filename="donn_es __t__.csv"; '
        "filename*=UTF-8''donn%C3%A9es%20%22%C3%A9t%C3%A9%22.csv"
    )
