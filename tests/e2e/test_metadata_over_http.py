"""Metadata as real clients use it, over HTTP with ``requests``: bodies as
``data=json.dumps(...)`` without a content type, booleans and numbers as strings,
paths with and without a trailing slash, definitions read for their widget and choices."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from tests.conftest import Live

pytestmark = pytest.mark.e2e

MakeLive = Callable[..., Live]

WORLD = """
datasets:
  - dataset_id: trees
    dataset_uid: da_trees1
    metas: {default: {title: Trees, language: en}}
"""


def url(live: Live, path: str, slash: str) -> str:
    return f"{live.api}/datasets/da_trees1/metadata{path}{slash}"


@pytest.mark.parametrize("slash", ["", "/"])
def test_a_client_builds_its_form_from_the_definitions(make_live: MakeLive, slash: str) -> None:
    live = make_live(WORLD)
    r = live.http.get(url(live, "", slash), params={"expand": "definition"}, timeout=10)
    assert r.status_code == 200, r.text
    kinds: dict[str, set[str]] = {}
    for m in r.json():
        definition = m["definition"]
        kinds.setdefault(definition["type"], set()).add(definition["widget"]["type"])
        if "choices" in definition:  # a client offers exactly these values
            assert definition["widget"]["type"] in ("select", "multiselect")
    assert set(kinds) == {"text", "multitext", "html", "date", "datetime", "boolean", "double"}
    assert kinds["boolean"] == {"toggle"}
    language = live.http.get(url(live, "/default/language", slash), timeout=10).json()
    assert language["definition"] == {}
    language = live.http.get(
        url(live, "/default/language", slash) + "?expand=definition", timeout=10
    ).json()
    assert ["en", "English"] in language["definition"]["choices"]


@pytest.mark.parametrize("slash", ["", "/"])
@pytest.mark.parametrize(
    ("path", "given", "stored"),
    [
        ("/internal/draft", "true", True),
        ("/internal/draft", "0", False),
        ("/internal/theme_id", "38js5ao", ["38js5ao"]),
        ("/internal/license_id", "38js5ao", "38js5ao"),
        ("/default/modified", "2024-01-31T12:00:00Z", "2024-01-31T12:00:00+00:00"),
        ("/inspire/extend_bounding_box_westbound_longitude", "2.2241", 2.2241),
    ],
)
def test_values_sent_as_clients_send_them(
    make_live: MakeLive, slash: str, path: str, given: Any, stored: Any
) -> None:
    live = make_live(WORLD)
    body = json.dumps({"value": given, "override_remote_value": "false"})
    r = live.http.put(url(live, path, slash), data=body, timeout=10)
    assert r.status_code == 200, r.text
    assert r.json()["value"] == stored
    assert live.http.get(url(live, path, slash), timeout=10).json()["value"] == stored


@pytest.mark.parametrize("slash", ["", "/"])
def test_a_bulk_update_as_clients_send_it_is_all_or_nothing(
    make_live: MakeLive, slash: str
) -> None:
    live = make_live(WORLD)
    draft = {"template_name": "internal", "metadata_name": "draft", "value": "false"}
    items = [
        {**draft, "override_remote_value": "False"},
        {"template_name": "internal", "metadata_name": "theme_id", "value": ["a", "b"]},
        {"template_name": "default", "metadata_name": "modified", "value": "2024-01-31 12:00"},
    ]
    before = live.http.get(url(live, "", slash), timeout=10).json()
    r = live.http.put(url(live, "", slash), data=json.dumps({"metas": items}), timeout=10)
    assert r.status_code == 400
    error = r.json()
    assert list(error) == ["status_code", "error_key", "message", "raw_message", "raw_params"]
    assert error["raw_params"]["parameter"] == "metas[2].value"
    assert "has no time zone" in error["message"]
    assert live.http.get(url(live, "", slash), timeout=10).json() == before
    items[2]["value"] = "2024-01-31 12:00+01:00"
    r = live.http.put(url(live, "", slash), data=json.dumps({"metas": items}), timeout=10)
    assert r.status_code == 200, r.text
    assert [m["value"] for m in r.json()] == [False, ["a", "b"], "2024-01-31T11:00:00+00:00"]


@pytest.mark.parametrize(
    "body",
    [
        '{"value": "2024-01-31T12:00:00"}',
        '{"value": {"nested": [1, 2]}}',
        '{"value": "x", "override_remote_value": "perhaps"}',
        '{"value": "' + "9" * 5000 + '"}',
        "[]",
        '"just a string"',
        "{not json",
    ],
)
def test_bad_bodies_get_the_error_shape_never_a_500(make_live: MakeLive, body: str) -> None:
    live = make_live(WORLD)
    path = url(live, "/default/modified", "")
    before = live.http.get(path, timeout=10).json()
    r = live.http.put(path, data=body, timeout=10)
    assert r.status_code == 400, r.text
    assert r.json()["error_key"].endswith("Exception")
    assert live.http.get(path, timeout=10).json() == before
