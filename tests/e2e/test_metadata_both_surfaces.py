"""A dataset's metadata in dataset bodies, on both surfaces: what the domain's
templates define (extra fields, ``custom``, ``admin``) is accepted in an Automation
``metadata`` and in a v2 ``metas``, so that each surface's read-modify-write keeps
what the other wrote."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Live, call
from tests.e2e.test_automation_datasets import WORLD, Client, MakeLive

pytestmark = pytest.mark.e2e

UID = "da_trees1"


@pytest.fixture
def live(make_live: MakeLive) -> Live:
    return make_live(WORLD)


@pytest.fixture
def client(live: Live) -> Client:
    return Client(live)


def v2(live: Live, method: str, path: str, body: Any = None) -> Any:
    r = call(live.http, method, f"{live.api}{path}", body)
    assert r.status_code < 300, r.text
    return r.json() if r.content else None


def test_a_v2_read_modify_write_keeps_what_an_automation_client_wrote(
    client: Client, live: Live
) -> None:
    base = f"/datasets/{UID}/metadata"
    for path, value in (
        ("custom/contact-point", "parks@example.org"),
        ("admin/test-admin-field", {"any": ["json"]}),
        ("default/license_id", "cc_by"),
        ("default/tags", ["trees"]),
    ):
        r = client.call("PUT", f"{base}/{path}/", {"value": value})
        assert r.status_code == 200, r.text
    read = v2(live, "GET", f"/datasets/{UID}")
    metas = read["metas"]
    assert metas["custom"] == {"contact-point": "parks@example.org"}
    metas["default"]["title"] = "Remarkable trees"
    written = v2(live, "PUT", f"/datasets/{UID}", {"metas": metas})
    assert written["metas"]["custom"] == {"contact-point": "parks@example.org"}
    assert written["metas"]["admin"] == {"test-admin-field": {"any": ["json"]}}
    back = client.call("GET", f"{base}/").json()
    assert back["default"]["title"] == {"value": "Remarkable trees"}
    assert back["default"]["license_id"] == {"value": "cc_by"}
    assert back["internal"]["license_id"] == {"value": "cc_by"}
    assert back["default"]["tags"] == {"value": ["trees"]}


def test_an_automation_dataset_body_takes_what_the_templates_define(
    client: Client, live: Live
) -> None:
    body = {
        "dataset_id": "parks",
        "metadata": {
            "default": {"title": {"value": "Parks"}, "license_id": {"value": "odbl"}},
            "custom": {"owner-team": {"value": "green"}},
        },
    }
    r = client.call("POST", "/datasets/", body)
    assert r.status_code == 201, r.text
    made = r.json()
    assert made["metadata"]["custom"] == {"owner-team": {"value": "green"}}
    assert made["metadata"]["internal"]["license_id"] == {"value": "odbl"}
    # the same values on v2, and a PUT of the dataset as read changes nothing
    assert v2(live, "GET", f"/datasets/{made['uid']}")["metas"]["custom"] == {"owner-team": "green"}
    again = client.call("PUT", f"/datasets/{made['uid']}", made)
    assert again.status_code == 200, again.text
    assert again.json()["metadata"] == made["metadata"]


def test_unknown_templates_and_bad_values_in_a_dataset_body_are_still_refused(
    client: Client, live: Live
) -> None:
    before = live.control("GET", "snapshot")
    for metadata, field in (
        ({"custm": {"a": {"value": 1}}}, "metadata"),
        ({"default": {"licence_id": {"value": "x"}}}, "metadata.default"),
        ({"default": {"tags": {"value": 3}}}, "metadata.default.tags"),
        ({"custom": {"bad name!": {"value": 1}}}, "metadata.custom"),
    ):
        r = client.call("PUT", f"/datasets/{UID}/", {"metadata": metadata})
        assert r.status_code == 400, (metadata, r.text)
        assert field in r.json()["detail"], r.json()
    r = call(live.http, "PUT", f"{live.api}/datasets/{UID}", {"metas": {"custm": {}}})
    assert r.status_code == 400 and "custom" in r.json()["message"]
    assert live.control("GET", "snapshot") == before
