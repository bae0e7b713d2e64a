"""Metadata as the platform defines it, through the test client: definitions, the
platform's types and value formats, the publishing mirror, and metas in listings."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

from simulator.domain.metadata import TEMPLATES
from tests.conftest import API, AUTH

Make = Callable[..., FlaskClient]

WORLD = """
datasets:
  - dataset_id: trees
    dataset_uid: da_trees1
    metas:
      default: {title: Trees, keyword: [trees, parks], language: en,
                modified: "2024-01-31T14:00:00+02:00"}
      internal: {license_id: odbl, theme_id: [env], draft: true}
    resources: [{records: 100}]
  - dataset_id: bikes
    dataset_uid: da_bikes1
    metas:
      default: {title: Bikes, keyword: [mobility], language: fr,
                modified: "2023-06-01T08:00:00Z"}
      internal: {draft: false}
  - dataset_id: toilets
    dataset_uid: da_toilet
    metas: {default: {title: Toilets, keyword: [equipment, parks]}}
"""
D = f"{API}/datasets/da_trees1"


@pytest.fixture
def c(make_client: Make) -> FlaskClient:
    return make_client(WORLD)


def put(c: FlaskClient, path: str, body: Any) -> Any:
    return c.put(path, data=json.dumps(body), headers=AUTH)


def get(c: FlaskClient, path: str) -> Any:
    r = c.get(path, headers=AUTH)
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def by_path(listed: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {f"{m['template']['name']}.{m['name']}": m for m in listed}


def test_definitions_are_empty_unless_expanded(c: FlaskClient) -> None:
    plain = get(c, f"{D}/metadata")
    assert {json.dumps(m["definition"]) for m in plain} == {"{}"}
    expanded = by_path(get(c, f"{D}/metadata?expand=definition"))
    assert len(expanded) == sum(len(t.fields) for t in TEMPLATES.values())
    language = expanded["default.language"]
    assert list(language) == [
        "name",
        "template",
        "definition",
        "value",
        "remote_value",
        "override_remote_value",
    ]
    assert list(language["definition"]) == [
        "type",
        "label",
        "help_text",
        "choices",
        "widget",
        "allow_empty",
    ]
    assert (language["value"], language["definition"]["widget"]) == ("en", {"type": "select"})
    assert expanded["internal.draft"]["definition"]["type"] == "boolean"
    assert expanded["internal.draft"]["template"] == {
        "name": "internal",
        "label": "Internal",
        "purpose": "admin",
    }
    one = get(c, f"{D}/metadata/internal/theme_id?expand=definition")
    assert (one["value"], one["definition"]["type"]) == (["env"], "multitext")
    assert get(c, f"{D}/metadata/internal/theme_id")["definition"] == {}


def test_a_dataset_expands_its_metadata_and_their_definitions(c: FlaskClient) -> None:
    body = get(c, f"{D}?expand=metadata,definition")
    assert body["metadata"] == get(c, f"{D}/metadata?expand=definition")
    assert get(c, f"{D}?expand=metadata")["metadata"] == get(c, f"{D}/metadata")


def test_scenario_values_are_stored_as_the_api_stores_them(c: FlaskClient) -> None:
    metas = get(c, D)["metas"]
    assert metas["default"]["modified"] == "2024-01-31T12:00:00+00:00"
    assert metas["internal"] == {"license_id": "odbl", "theme_id": ["env"], "draft": True}
    assert metas["publishing"] == {"published": False}


@pytest.mark.parametrize(
    ("path", "given", "stored"),
    [
        ("internal/draft", "false", False),
        ("internal/draft", "1", True),
        ("internal/theme_id", "env-2", ["env-2"]),
        ("default/geographic_reference_auto", "True", True),
        ("default/modified", "2024-05-01T10:00:00Z", "2024-05-01T10:00:00+00:00"),
        ("dcat/issued", "2024-05-01", "2024-05-01"),
        ("inspire/extend_bounding_box_northbound_latitude", "48.9", 48.9),
        ("inspire/type", ["Spatial data service"], ["Spatial data service"]),
    ],
)
def test_a_value_is_stored_in_its_canonical_form(
    c: FlaskClient, path: str, given: Any, stored: Any
) -> None:
    r = put(c, f"{D}/metadata/{path}", {"value": given})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["value"] == stored
    template, name = path.split("/")
    assert get(c, D)["metas"][template][name] == stored


@pytest.mark.parametrize(
    ("path", "given", "reason"),
    [
        ("default/modified", "2024-05-01T10:00:00", "has no time zone"),
        ("default/modified", "yesterday", "expected an ISO 8601 datetime with a time zone"),
        ("dcat/created", "01/05/2024", "expected an ISO 8601 date"),
        ("default/language", "english", "did you mean 'en'?"),
        ("inspire/type", "Map", "is not one of the choices of inspire.type"),
        ("internal/draft", "perhaps", "expected true or false"),
        ("default/title", "", "default.title cannot be empty"),
        ("inspire/extend_bounding_box_northbound_latitude", "north", "expected a number"),
    ],
)
def test_a_value_the_platform_refuses_is_a_400_naming_it_and_changes_nothing(
    c: FlaskClient, path: str, given: Any, reason: str
) -> None:
    before = get(c, f"{D}/metadata")
    changes = get(c, f"{D}/changes")
    r = put(c, f"{D}/metadata/{path}", {"value": given})
    assert r.status_code == 400
    error = r.get_json()
    assert error["error_key"] == "InvalidParameterException"
    assert error["raw_params"]["parameter"] == "value"
    assert reason in error["message"]
    assert get(c, f"{D}/metadata") == before
    assert get(c, f"{D}/changes") == changes


def test_a_bulk_update_with_a_bad_format_changes_nothing(c: FlaskClient) -> None:
    before = get(c, D)["metas"]
    bulk = {
        "metas": [
            {"template_name": "default", "metadata_name": "title", "value": "Old trees"},
            {"template_name": "internal", "metadata_name": "draft", "value": "false"},
            {"template_name": "default", "metadata_name": "modified", "value": "2024-05-01"},
            {"template_name": "default", "metadata_name": "language", "value": "xx"},
        ]
    }
    r = put(c, f"{D}/metadata", bulk)
    assert r.status_code == 400
    errors = r.get_json()["errors"]
    assert [e["raw_params"]["parameter"] for e in errors] == ["metas[2].value", "metas[3].value"]
    assert get(c, D)["metas"] == before
    bulk["metas"] = bulk["metas"][:2]
    r = put(c, f"{D}/metadata/", bulk)
    assert r.status_code == 200, r.get_json()
    assert [m["value"] for m in r.get_json()] == ["Old trees", False]


def test_publishing_published_mirrors_the_dataset_and_cannot_be_written(c: FlaskClient) -> None:
    path = f"{D}/metadata/publishing/published"
    assert get(c, path)["value"] is False
    same = put(c, path, {"value": "false"})  # what it is already: accepted, nothing changes
    assert same.status_code == 200 and same.get_json()["value"] is False
    assert get(c, f"{D}/changes") == []  # no change recorded
    other = put(c, path, {"value": True})
    assert other.status_code == 400
    assert "read-only" in other.get_json()["message"]
    assert c.delete(path, headers=AUTH).status_code == 400
    c.put(f"{D}/publish", headers=AUTH)
    c.post("/_sim/clock/run_until_idle")
    assert get(c, path)["value"] is True
    assert get(c, D)["metas"]["publishing"] == {"published": True}
    bulk = [{"template_name": "publishing", "metadata_name": "published", "value": False}]
    r = put(c, f"{D}/metadata", {"metas": bulk})
    assert (r.status_code, r.get_json()["raw_params"]["parameter"]) == (400, "metas[0].value")


def test_dataset_metas_merge_with_the_same_rules(c: FlaskClient) -> None:
    body = {
        "metas": {
            "default": {"keyword": "one", "modified": "2024-06-01T00:00:00-04:00"},
            "internal": {"draft": "no", "theme_id": None},
            "publishing": {"published": True},  # sent back as read: ignored
        }
    }
    r = put(c, D, body)
    assert r.status_code == 200, r.get_json()
    metas = r.get_json()["metas"]
    assert metas["default"]["keyword"] == ["one"]
    assert metas["default"]["modified"] == "2024-06-01T04:00:00+00:00"
    assert metas["internal"] == {"license_id": "odbl", "draft": False}
    assert metas["publishing"] == {"published": False}
    bad = put(c, D, {"metas": {"default": {"title": "Kept?", "modified": "June"}}})
    assert bad.status_code == 400
    assert bad.get_json()["raw_params"]["parameter"] == "metas.default.modified"
    assert get(c, D)["metas"]["default"]["title"] == "Trees"


def test_a_created_dataset_takes_lenient_values_and_stores_no_nulls(c: FlaskClient) -> None:
    body = {"metas": {"default": {"title": "Bins", "publisher": None}, "dcat": {"created": ""}}}
    r = c.post(f"{API}/datasets", data=json.dumps(body), headers=AUTH)
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["metas"]["default"] == {"title": "Bins"}
    assert r.get_json()["metas"]["dcat"] == {}


def ids(c: FlaskClient, query: str) -> list[str]:
    r = c.get(f"{API}/datasets?{query}", headers=AUTH)
    assert r.status_code == 200, r.get_json()
    return [d["dataset_id"] for d in r.get_json()["datasets"]]


def test_listings_filter_and_sort_on_metadata(c: FlaskClient) -> None:
    assert ids(c, "where=default.language='fr'") == ["bikes"]
    assert ids(c, 'where=default.keyword="parks"') == ["trees", "toilets"]
    assert ids(c, "where=default.keyword=parks AND default.keyword=trees") == ["trees"]
    assert ids(c, "where=internal.draft=True") == ["trees"]
    assert ids(c, "where=publishing.published=false&sort=-default.title") == [
        "trees",
        "toilets",
        "bikes",
    ]
    assert ids(c, "where=default.modified='2024-01-31T12:00:00Z'") == ["trees"]
    assert ids(c, "sort=default.modified") == ["toilets", "bikes", "trees"]
    assert ids(c, "sort=-internal.draft,default.title") == ["trees", "bikes", "toilets"]
    r = c.get(f"{API}/datasets?sort=default.titel", headers=AUTH)
    assert (r.status_code, r.get_json()["raw_params"]["parameter"]) == (400, "sort")
    r = c.get(f"{API}/datasets?where=internal.notes=x", headers=AUTH)
    assert (r.status_code, r.get_json()["raw_params"]["parameter"]) == (400, "where")
