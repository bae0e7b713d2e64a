"""Every endpoint, fed junk: a JSON error in the API's shape, and nothing stored changes."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from flask.testing import FlaskClient

from simulator.api import create_app
from simulator.scenario.loading import DEFAULT_API_KEY
from tests.conftest import API, AUTH, check_contract, recorded, scenario_from
from tests.contract import Recorder

WORLD = """
users:
  - {username: admin, password: admin, api_keys: [ods-sim-admin-key], permissions: all}
  - {username: ed, password: ed, permissions: [edit_dataset]}
groups:
  - {group_id: editors, usernames: [ed]}
datasets:
  - dataset_id: trees
    dataset_uid: da_trees1
    published: true
    resources:
      - {title: trees.csv, records: 100, fields: {name: name}}
      - {title: feed, type: realtime, url: "realtime://feed", records: 5}
pages:
  - {slug: about, title: About}
harvesters:
  - {name: Neighbour, params: {domain_id: data.example.org}}
"""

#: Actions take no body: whatever is sent, they act. Deletions delete.
ACTIONS = re.compile(
    r"/(publish|unpublish|abort_processing|save_version|publish_metadata|recover|delete_recover_data"
    r"|start)$"
)
SHAPE = {"status_code", "error_key", "message", "raw_message", "raw_params"}
JUNK = [
    b"{not json",
    b"[1, 2]",
    b'"text"',
    b"42",
    b"\xff\xfe",
    b'{"unexpected": {"deep": [1]}}',
    b'{"value": ' + b"9" * 5000 + b"}",  # an integer of thousands of digits
    b'{"value": 1e400}',  # a float no JSON parser keeps finite
    b'{"value": NaN}',
    b"[" * 100_000 + b"]" * 100_000,  # nested past the parser's own recursion
    b'{"a": ' * 65 + b"1" + b"}" * 65,  # nested past the bound
]


@pytest.fixture(scope="module")
def world() -> Iterator[dict[str, Any]]:
    """A client on a world with one of everything, and the ids to fill paths with.

    Its answers are checked against the OpenAPI documents once the module's tests end.
    """
    recorders: list[Recorder] = []
    app = create_app(scenario=scenario_from(WORLD), config={"clock_mode": "manual"})
    c = recorded(app, recorders).test_client()
    d = f"{API}/datasets/da_trees1"
    resource = c.get(f"{d}/resources", headers=AUTH).get_json()[0]["resource_uid"]
    processor = c.post(
        f"{d}/processors",
        data='{"name": "expression", "args": {"output_field": "x", "expression": "=name"}}',
        headers=AUTH,
    ).get_json()["processor_uid"]
    c.post(f"{d}/security/users", data='{"user": {"username": "ed"}}', headers=AUTH)
    c.post(f"{d}/security/groups", data='{"group": {"group_id": "editors"}}', headers=AUTH)
    page = f"{API}/pages/about/security"
    c.post(f"{page}/users", data='{"user": {"username": "ed"}}', headers=AUTH)
    c.post(f"{page}/groups", data='{"group": {"group_id": "editors"}}', headers=AUTH)
    upload = {"content": "a\n1\n", "filename": "a.csv", "mimetype": "text/csv"}
    file_id = c.post(f"{API}/files", data=json.dumps(upload), headers=AUTH).get_json()["file_id"]
    linked = json.dumps({"url": f"odsfile://{file_id}"})
    attachment = c.post(f"{d}/attachments", data=linked, headers=AUTH).get_json()
    export = c.post(f"{d}/alternative_exports", data=linked, headers=AUTH).get_json()
    job_id = c.put(f"{d}/save_version", headers=AUTH).get_json()["job_id"]
    c.post("/_sim/clock/run_until_idle")
    ids = {
        "dataset_uid": "da_trees1",
        "resource_uid": resource,
        "processor_uid": processor,
        "username": "ed",
        "group_id": "editors",
        "template": "default",
        "name": "title",
        "file_id": file_id,
        "job_id": job_id,
        "attachment_uid": attachment["attachment_uid"],
        "export_uid": export["export_uid"],
        "key": DEFAULT_API_KEY,
        "slug": "about",
        "harvester_id": "neighbour",
    }
    yield {"client": c, "ids": ids}
    check_contract(recorders)


def fingerprint(c: FlaskClient) -> Any:
    d = f"{API}/datasets/da_trees1"
    reads = [
        f"{d}?expand=status,changes,metadata",
        f"{d}/resources",
        f"{d}/processors",
        f"{d}/fields_specifications",
        f"{d}/security/users",
        f"{d}/security/groups",
        f"{d}/security/default",
        f"{d}/security/access_policy",
        f"{d}/versions",
        f"{d}/attachments",
        f"{d}/alternative_exports",
        f"{API}/files",
        f"{API}/datasets",
        f"{API}/jobs",
        f"{API}/users?rows=100",
        f"{API}/groups",
        f"{API}/groups/editors/users?rows=100",
        f"{API}/apikeys",
        f"{API}/pages?rows=100",
        f"{API}/pages/about/security/users",
        f"{API}/pages/about/security/groups",
        f"{API}/harvesters",
    ]
    return [c.get(path, headers=AUTH).get_json() for path in reads] + [
        c.get("/_sim/timeline").get_json(),
        c.get("/_sim/clock").get_json(),
    ]


def routes() -> list[tuple[str, str]]:
    app = create_app()
    found = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(API):
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):  # type: ignore[operator]
            found.append((method, rule.rule))
    return found


def fill(path: str, ids: dict[str, str], unknown: str | None = None) -> str:
    def value(m: re.Match[str]) -> str:
        return "zz_unknown" if m.group(1) == unknown else ids[m.group(1)]

    return re.sub(r"<(\w+)>", value, path)


BODY_ROUTES = [(m, p) for m, p in routes() if m in ("POST", "PUT") and not ACTIONS.search(p)]
ID_ROUTES = [(m, p, name) for m, p in routes() for name in re.findall(r"<(\w+)>", p)]


@pytest.mark.parametrize(("method", "path"), BODY_ROUTES, ids=[f"{m} {p}" for m, p in BODY_ROUTES])
def test_junk_bodies_get_a_json_error_and_change_nothing(
    world: dict[str, Any], method: str, path: str
) -> None:
    c: FlaskClient = world["client"]
    before = fingerprint(c)
    for junk in JUNK:
        r = c.open(fill(path, world["ids"]), method=method, data=junk, headers=AUTH)
        assert r.status_code < 500, (junk, r.get_data())
        if r.status_code >= 400:
            assert set(r.get_json()) >= SHAPE, junk
        assert fingerprint(c) == before, (junk, r.status_code, r.get_data()[:200])


@pytest.mark.parametrize(
    ("method", "path", "name"), ID_ROUTES, ids=[f"{m} {p} {n}" for m, p, n in ID_ROUTES]
)
def test_unknown_ids_are_404s_in_the_api_shape(
    world: dict[str, Any], method: str, path: str, name: str
) -> None:
    c: FlaskClient = world["client"]
    before = fingerprint(c)
    r = c.open(fill(path, world["ids"], unknown=name), method=method, data=b"{}", headers=AUTH)
    assert r.status_code == 404, r.get_data()
    body = r.get_json()
    assert set(body) >= SHAPE
    assert body["error_key"].startswith("Unknown")
    assert fingerprint(c) == before


def test_the_sweep_covers_every_area() -> None:
    paths = {p for _, p in BODY_ROUTES}
    for fragment in (
        "/resources",
        "/files",
        "/metadata",
        "/processors",
        "/fields_specifications",
        "/guess_processor_params",
        "/resource_preview",
        "/security",
        "/restore_change",
        "/push",
        "/attachments",
        "/alternative_exports",
        "/pages",
        "/harvesters",
    ):
        assert any(fragment in p for p in paths), fragment
