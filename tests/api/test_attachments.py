"""Attachments and alternative exports over HTTP, sent the way real clients send them."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable
from typing import Any

import pytest
import requests

from simulator.api import create_app
from tests.conftest import API, AUTH, Live, check_contract, recorded, scenario_from
from tests.contract import Recorder

MakeLive = Callable[..., Live]

WORLD = """
users:
  - {username: admin, password: admin, api_keys: [ods-sim-admin-key], permissions: all}
  - {username: pub, password: pub, permissions: []}
  - {username: dom, password: dom, permissions: [publish_dataset]}
  - {username: ed, password: ed, permissions: [edit_dataset]}
datasets:
  - {dataset_id: trees, dataset_uid: da_trees1, resources: [{records: 10}]}
  - {dataset_id: hidden, dataset_uid: da_hidde1, visibility: restricted}
"""
CSV = b"name,height\noak,12\nelm,9\n"

#: kind, the uid's key, its prefix, the download path's segment, the unknown uid's error
KINDS = [
    ("attachments", "attachment_uid", "at_", "download_attachment", "UnknownAttachmentException"),
    (
        "alternative_exports",
        "export_uid",
        "ae_",
        "download_alternative_export",
        "UnknownAlternativeExportException",
    ),
]
IDS = [k[0] for k in KINDS]


@pytest.fixture
def live(make_live: MakeLive) -> Live:
    return make_live(WORLD)


def upload(live: Live, name: str = "Trees Data.csv", content: bytes = CSV) -> dict[str, Any]:
    r = live.http.post(f"{live.api}/files", files={"file": (name, content)}, timeout=10)
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


def as_user(live: Live, username: str) -> requests.Session:
    session = requests.Session()
    session.auth = (username, username)
    return session


def changes(live: Live, uid: str = "da_trees1") -> list[dict[str, Any]]:
    return live.http.get(f"{live.api}/datasets/{uid}/changes", timeout=10).json()  # type: ignore[no-any-return]


@pytest.mark.parametrize(("kind", "key", "prefix", "download", "unknown"), KINDS, ids=IDS)
def test_a_file_is_exposed_listed_downloaded_and_removed(
    live: Live, kind: str, key: str, prefix: str, download: str, unknown: str
) -> None:
    stored = upload(live)
    base = f"{live.api}/datasets/da_trees1"
    # as a real client sends it: JSON text, no content type, a trailing slash or not
    r = live.http.post(f"{base}/{kind}/", data=json.dumps({"url": stored["url"]}), timeout=10)
    assert r.status_code == 200, r.text
    made = r.json()
    assert list(made) == [key, "url"]
    assert re.fullmatch(prefix + "[a-z0-9]{6}", made[key])
    assert made["url"] == "odsfile://trees_data.csv"
    uid = made[key]
    assert live.http.get(f"{base}/{kind}", timeout=10).json() == [made]
    assert live.http.get(f"{base}/{kind}/{uid}/", timeout=10).json() == made
    got = live.http.get(f"{base}/{download}/{uid}", timeout=10)
    assert got.status_code == 200
    assert got.content == CSV
    assert got.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert got.headers["Content-Disposition"] == 'attachment; filename="Trees Data.csv"'
    gone = live.http.delete(f"{base}/{kind}/{uid}", timeout=10)
    assert (gone.status_code, gone.json()) == (200, {})
    for path in (f"{kind}/{uid}", f"{download}/{uid}"):
        r = live.http.get(f"{base}/{path}", timeout=10)
        assert (r.status_code, r.json()["error_key"]) == (404, unknown)
    assert live.http.get(f"{base}/{kind}", timeout=10).json() == []
    files = live.http.get(f"{live.api}/files", timeout=10).json()
    assert [f["file_id"] for f in files] == ["trees_data.csv"], "the file itself stays"


@pytest.mark.parametrize(("kind", "key", "prefix", "download", "unknown"), KINDS, ids=IDS)
def test_a_multipart_file_is_uploaded_and_attached(
    live: Live, kind: str, key: str, prefix: str, download: str, unknown: str
) -> None:
    base = f"{live.api}/datasets/da_trees1"
    pdf = b"%PDF-1.4 not much of one"
    r = live.http.post(
        f"{base}/{kind}", files={"file": ("Notice (v2).pdf", pdf, "application/pdf")}, timeout=10
    )
    assert r.status_code == 200, r.text
    made = r.json()
    assert made["url"] == "odsfile://notice_v2.pdf"
    got = live.http.get(f"{base}/{download}/{made[key]}", timeout=10)
    assert (got.content, got.headers["Content-Type"]) == (pdf, "application/pdf")
    listed = live.http.get(f"{live.api}/files", timeout=10).json()
    assert [(f["file_id"], f["filename"]) for f in listed] == [("notice_v2.pdf", "Notice (v2).pdf")]


def test_a_form_field_and_a_json_body_sent_as_a_form_are_read(live: Live) -> None:
    stored = upload(live)
    base = f"{live.api}/datasets/da_trees1/attachments"
    as_form = live.http.post(base, data={"url": stored["url"]}, timeout=10)
    assert as_form.status_code == 200, as_form.text
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    body = json.dumps({"url": stored["url"]})
    as_json = live.http.post(base, data=body, headers=headers, timeout=10)
    assert as_json.status_code == 200, as_json.text
    assert [a["url"] for a in live.http.get(base, timeout=10).json()] == [stored["url"]] * 2


@pytest.mark.parametrize(("kind", "key", "prefix", "download", "unknown"), KINDS, ids=IDS)
def test_a_file_elsewhere_downloads_as_a_redirect_to_it(
    live: Live, kind: str, key: str, prefix: str, download: str, unknown: str
) -> None:
    base = f"{live.api}/datasets/da_trees1"
    url = "https://example.org/exports/arbres-été.zip?v=2"
    made = live.http.post(f"{base}/{kind}", data=json.dumps({"url": url}), timeout=10).json()
    assert made["url"] == url
    r = live.http.get(f"{base}/{download}/{made[key]}", allow_redirects=False, timeout=10)
    assert r.status_code == 303
    assert r.headers["Location"] == "https://example.org/exports/arbres-%C3%A9t%C3%A9.zip?v=2"
    assert r.content == b""


def test_the_file_an_odsfile_name_gives_is_found_by_id_or_by_name(live: Live) -> None:
    upload(live, "Trees Data.csv")
    base = f"{live.api}/datasets/da_trees1/attachments"
    for url in ("odsfile://trees_data.csv", "odsfile://Trees Data.csv"):
        r = live.http.post(base, data=json.dumps({"url": url}), timeout=10)
        assert r.status_code == 200, r.text
        uid = r.json()["attachment_uid"]
        got = live.http.get(f"{live.api}/datasets/da_trees1/download_attachment/{uid}", timeout=10)
        assert got.content == CSV


#: Bodies refused: what is sent, the parameter named, a part of the message.
BAD_BODIES = [
    ("", "body", "JSON object"),
    ('"odsfile://trees_data.csv"', "body", "JSON object"),
    ("[1]", "body", "JSON object"),
    ("{}", "url", "odsfile://"),
    ('{"url": 5}', "url", "odsfile://"),
    ('{"url": ""}', "url", "odsfile://"),
    ('{"uri": "odsfile://trees_data.csv"}', "uri", "did you mean 'url'"),
    ('{"url": "odsfile://nothing.csv"}', "url", "no uploaded file is named 'nothing.csv'"),
    ('{"url": "ftp://example.org/a.csv"}', "url", "neither odsfile:// nor http(s)://"),
    ('{"url": "realtime://feed"}', "url", "neither odsfile:// nor http(s)://"),
    ('{"url": "https://example.org/a b.csv"}', "url", "without spaces"),
    ('{"url": "https://example.org/\\u0007"}', "url", "printable"),
    (json.dumps({"url": "https://example.org/" + "a" * 2100}), "url", "at most 2048"),
]


def test_bad_bodies_are_refused_naming_the_field_and_change_nothing(make_live: MakeLive) -> None:
    live, fresh = make_live(WORLD), make_live(WORLD)
    for world in (live, fresh):
        upload(world)
    before = changes(live)
    for body, parameter, hint in BAD_BODIES:
        for kind in ("attachments", "alternative_exports"):
            base = f"{live.api}/datasets/da_trees1/{kind}"
            r = live.http.post(base, data=body, timeout=10)
            assert r.status_code == 400, (body, r.text)
            error = r.json()
            assert error["error_key"] == "InvalidParameterException", body
            assert error["raw_params"]["parameter"] == parameter, body
            assert hint in error["message"], body
            assert live.http.get(base, timeout=10).json() == []
    assert changes(live) == before
    # not even the sequence of ids moved: the next one is a fresh world's first
    good = json.dumps({"url": "odsfile://trees_data.csv"})
    uids = [
        w.http.post(f"{w.api}/datasets/da_trees1/attachments", data=good, timeout=10).json()
        for w in (live, fresh)
    ]
    assert uids[0] == uids[1]


def test_an_unknown_dataset_is_a_404_before_a_bad_body_is_a_400(live: Live) -> None:
    for kind in ("attachments", "alternative_exports"):
        r = live.http.post(f"{live.api}/datasets/da_nothere/{kind}", data="[1]", timeout=10)
        assert (r.status_code, r.json()["error_key"]) == (404, "UnknownDatasetException")


@pytest.mark.parametrize(("kind", "key", "prefix", "download", "unknown"), KINDS, ids=IDS)
def test_reading_needs_edit_or_publish_on_the_dataset_changing_needs_edit(
    live: Live, kind: str, key: str, prefix: str, download: str, unknown: str
) -> None:
    stored = upload(live)
    base = f"{live.api}/datasets/da_trees1"
    made = live.http.post(f"{base}/{kind}", data=json.dumps({"url": stored["url"]}), timeout=10)
    uid = made.json()[key]
    ruleset = {"user": {"username": "pub"}, "permissions": ["publish_dataset"]}
    live.http.post(f"{base}/security/users", data=json.dumps(ruleset), timeout=10)
    reads = [f"{base}/{kind}", f"{base}/{kind}/{uid}", f"{base}/{download}/{uid}"]
    pub, dom, ed = (as_user(live, name) for name in ("pub", "dom", "ed"))
    for path in reads:
        assert pub.get(path, timeout=10).status_code == 200, path
        assert ed.get(path, timeout=10).status_code == 200, path
        refused = dom.get(path, timeout=10)  # publish_dataset on the domain only
        assert (refused.status_code, refused.json()["raw_params"]["permission"]) == (
            403,
            "edit_dataset",
        )
    body = json.dumps({"url": stored["url"]})
    for session in (pub, dom):
        assert session.post(f"{base}/{kind}", data=body, timeout=10).status_code == 403
        assert session.delete(f"{base}/{kind}/{uid}", timeout=10).status_code == 403
    assert ed.post(f"{base}/{kind}", data=body, timeout=10).status_code == 200
    assert ed.delete(f"{base}/{kind}/{uid}", timeout=10).status_code == 200


def test_a_restricted_dataset_is_unknown_to_whoever_may_not_see_it(live: Live) -> None:
    stored = upload(live)
    base = f"{live.api}/datasets/da_hidde1"
    made = live.http.post(
        f"{base}/attachments", data=json.dumps({"url": stored["url"]}), timeout=10
    ).json()
    ed = as_user(live, "ed")  # edit_dataset on the domain, but not explore_restricted
    uid = made["attachment_uid"]
    for method, path in [
        ("GET", "attachments"),
        ("POST", "attachments"),
        ("GET", f"attachments/{uid}"),
        ("DELETE", f"attachments/{uid}"),
        ("GET", f"download_attachment/{uid}"),
        ("GET", "alternative_exports"),
    ]:
        body = json.dumps({"url": stored["url"]})
        r = ed.request(method, f"{base}/{path}", data=body, timeout=10)
        assert (r.status_code, r.json()["error_key"]) == (404, "UnknownDatasetException")
    assert live.http.get(f"{base}/attachments", timeout=10).json() == [made]


def test_each_change_is_in_the_change_log_and_can_be_restored(live: Live) -> None:
    stored = upload(live)
    base = f"{live.api}/datasets/da_trees1"
    body = json.dumps({"url": stored["url"]})
    at = live.http.post(f"{base}/attachments", data=body, timeout=10).json()
    ae = live.http.post(f"{base}/alternative_exports", data=body, timeout=10).json()
    live.http.delete(f"{base}/attachments/{at['attachment_uid']}", timeout=10)
    log = changes(live)
    assert [c["sections"] for c in log] == [
        ["attachments"],
        ["alternative_exports"],
        ["attachments"],
    ]
    assert log[0]["diff"] == {
        "attachments": [
            {
                "path": [at["attachment_uid"]],
                "old_value": {"url": stored["url"]},
                "new_value": None,
                "operation_type": "delete",
            }
        ]
    }
    assert log[1]["diff"] == {
        "alternative_exports": [
            {
                "path": [ae["export_uid"]],
                "old_value": None,
                "new_value": {"url": stored["url"]},
                "operation_type": "create",
            }
        ]
    }
    # back to the configuration right after the attachment was added
    first = log[-1]["change_uid"]
    r = live.http.put(f"{base}/restore_change", data=json.dumps({"change_uid": first}), timeout=10)
    assert r.status_code == 200, r.text
    assert live.http.get(f"{base}/attachments", timeout=10).json() == [at]
    assert live.http.get(f"{base}/alternative_exports", timeout=10).json() == []


def test_a_snapshot_keeps_them(make_live: MakeLive) -> None:
    source, target = make_live(WORLD), make_live(WORLD)
    stored = upload(source)
    base = "datasets/da_trees1"
    for kind, url in (("attachments", stored["url"]), ("alternative_exports", "https://x.test/a")):
        r = source.http.post(f"{source.api}/{base}/{kind}", data=json.dumps({"url": url}))
        assert r.status_code == 200
    snapshot = requests.get(f"{source.url}/_sim/snapshot", timeout=10)
    assert requests.put(f"{target.url}/_sim/snapshot", data=snapshot.content).status_code == 200
    for kind in ("attachments", "alternative_exports"):
        seen = [w.http.get(f"{w.api}/{base}/{kind}", timeout=10).json() for w in (source, target)]
        assert seen[0] == seen[1] != []
    uid = seen[0][0]["export_uid"]
    r = target.http.get(
        f"{target.api}/{base}/download_alternative_export/{uid}", allow_redirects=False
    )
    assert (r.status_code, r.headers["Location"]) == (303, "https://x.test/a")


def test_a_deleted_dataset_takes_them_along_and_leaves_the_files(live: Live) -> None:
    stored = upload(live)
    base = f"{live.api}/datasets/da_trees1"
    live.http.post(f"{base}/attachments", data=json.dumps({"url": stored["url"]}), timeout=10)
    assert live.http.delete(base, timeout=10).status_code == 200
    assert live.http.get(f"{base}/attachments", timeout=10).status_code == 404
    assert [f["file_id"] for f in live.http.get(f"{live.api}/files").json()] == ["trees_data.csv"]


def test_an_upload_past_the_upload_limit_is_refused_and_attaches_nothing() -> None:
    recorders: list[Recorder] = []
    app = create_app(
        config={"clock_mode": "manual"}, scenario=scenario_from(WORLD), max_upload=4096
    )
    c = recorded(app, recorders).test_client()
    base = f"{API}/datasets/da_trees1/alternative_exports"
    big = {"file": (io.BytesIO(b"x" * 5000), "big.zip")}
    r = c.post(base, data=big, headers=AUTH, content_type="multipart/form-data")
    assert (r.status_code, r.get_json()["error_key"]) == (413, "RequestEntityTooLargeException")
    assert r.get_json()["raw_params"] == {"limit": 4096}
    assert c.get(base, headers=AUTH).get_json() == []
    assert c.get(f"{API}/files", headers=AUTH).get_json() == []
    small = {"file": (io.BytesIO(b"x" * 3000), "small.zip")}  # over no other limit
    ok = c.post(base, data=small, headers=AUTH, content_type="multipart/form-data")
    assert ok.status_code == 200, ok.get_data()
    uid = ok.get_json()["export_uid"]
    got = c.get(f"{API}/datasets/da_trees1/download_alternative_export/{uid}", headers=AUTH)
    assert got.data == b"x" * 3000
    check_contract(recorders)
