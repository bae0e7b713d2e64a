"""Metadata, processors, security and the change log, through the test client."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

from simulator.domain.metadata import TEMPLATES
from tests.conftest import API, AUTH

Make = Callable[..., FlaskClient]

WORLD = """
users:
  - {username: admin, password: admin, api_keys: [ods-sim-admin-key], permissions: all}
  - {username: ed, password: ed, permissions: [edit_dataset]}
  - {username: eve, password: eve, permissions: [edit_dataset, publish_dataset]}
datasets:
  - dataset_id: trees
    dataset_uid: da_trees1
    metas: {default: {title: Trees, keyword: [trees]}}
    resources: [{title: trees.csv, records: 800, fields: {name: name, height: float, city: city}}]
"""
D = f"{API}/datasets/da_trees1"
#: A processor that always runs: it writes a constant to a new field.
SOURCE = {"name": "expression", "args": {"output_field": "source", "expression": "api"}}


@pytest.fixture
def c(make_client: Make) -> FlaskClient:
    return make_client(WORLD)


def as_user(name: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{name}:{name}".encode()).decode()}


def put(c: FlaskClient, path: str, body: Any, headers: dict[str, str] = AUTH) -> Any:
    return c.put(path, data=json.dumps(body), headers=headers)


def publish_and_wait(c: FlaskClient) -> list[str]:
    c.put(f"{D}/publish", headers=AUTH)
    c.post("/_sim/clock/run_until_idle")
    return [e["to"] for e in c.get("/_sim/timeline?dataset=trees").get_json()]


# metadata -------------------------------------------------------------------------


def test_metadata_lists_every_field_of_every_template(c: FlaskClient) -> None:
    listed = c.get(f"{D}/metadata", headers=AUTH).get_json()
    assert len(listed) == sum(len(t.fields) for t in TEMPLATES.values())
    title = next(m for m in listed if m["template"]["name"] == "default" and m["name"] == "title")
    assert title == {
        "name": "title",
        "template": {"name": "default", "label": "Default metadata", "purpose": "general"},
        "definition": {},
        "value": "Trees",
        "remote_value": None,
        "override_remote_value": False,
    }


def test_set_and_reset_one_metadata_keeps_the_datasets_metas_in_step(c: FlaskClient) -> None:
    r = put(c, f"{D}/metadata/default/publisher", {"value": "Parks", "override_remote_value": True})
    assert (r.status_code, r.get_json()["value"], r.get_json()["override_remote_value"]) == (
        200,
        "Parks",
        True,
    )
    assert c.get(D, headers=AUTH).get_json()["metas"]["default"]["publisher"] == "Parks"
    r = c.delete(f"{D}/metadata/default/publisher", headers=AUTH)
    assert (r.get_json()["value"], r.get_json()["override_remote_value"]) == (None, False)
    assert "publisher" not in c.get(D, headers=AUTH).get_json()["metas"]["default"]


def test_bulk_metadata_applies_all_or_reports_every_error(c: FlaskClient) -> None:
    good = {
        "metas": [
            {"template_name": "default", "metadata_name": "language", "value": "fr"},
            {
                "template_name": "dcat",
                "metadata_name": "creator",
                "value": "Parks",
                "override_remote_value": False,
            },
        ]
    }
    r = put(c, f"{D}/metadata", good)
    assert [m["value"] for m in r.get_json()] == ["fr", "Parks"]
    bad = {
        "metas": [
            {"template_name": "default", "metadata_name": "language", "value": "de"},
            {"template_name": "default", "metadata_name": "keyword", "value": [1]},
            {"template_name": "dcat", "metadata_name": "creatorr", "value": "x"},
            {"template_name": "defualt", "metadata_name": "title", "value": "x"},
        ]
    }
    r = put(c, f"{D}/metadata", bad)
    assert r.status_code == 400
    body = r.get_json()
    assert body["error_key"] == "InvalidManagementAPIRequestException"
    assert [e["raw_params"]["parameter"] for e in body["errors"]] == [
        "metas[1].value",
        "metas[2].metadata_name",
        "metas[3].template_name",
    ]
    assert "did you mean 'creator'?" in body["errors"][1]["message"]
    assert c.get(f"{D}/metadata/default/language", headers=AUTH).get_json()["value"] == "fr"


@pytest.mark.parametrize(
    ("method", "path", "body", "code"),
    [
        ("GET", "/metadata/default/colour", None, 404),
        ("PUT", "/metadata/nope/title", {"value": "x"}, 404),
        ("PUT", "/metadata/default/title", {"val": "x"}, 400),
        ("PUT", "/metadata/default/title", {"value": 3}, 400),
        ("PUT", "/metadata/default/title", {"value": "x", "override_remote_value": "maybe"}, 400),
        ("PUT", "/metadata", {"metas": "all"}, 400),
    ],
)
def test_bad_metadata_calls_change_nothing(
    c: FlaskClient, method: str, path: str, body: Any, code: int
) -> None:
    before = c.get(f"{D}/metadata", headers=AUTH).get_json()
    r = c.open(
        f"{D}{path}",
        method=method,
        data=json.dumps(body) if body is not None else None,
        headers=AUTH,
    )
    assert r.status_code == code
    assert c.get(f"{D}/metadata", headers=AUTH).get_json() == before


# processors ------------------------------------------------------------------------


def test_processors_are_created_listed_replaced_and_deleted(c: FlaskClient) -> None:
    r = c.post(
        f"{D}/processors",
        data='{"name": "string_replace", "args": {"new": "Town", "old": "City", "field": "city"}}',
        headers=AUTH,
    )
    created = r.get_json()
    assert r.status_code == 200
    assert list(created) == ["processor_uid", "name", "args"]  # no label was given
    assert list(created["args"]) == ["field", "old", "new"]  # the documented order
    assert created["processor_uid"].startswith("pr_") and len(created["processor_uid"]) == 9
    uid = created["processor_uid"]
    assert c.get(f"{D}/processors", headers=AUTH).get_json() == [created]
    r = put(
        c,
        f"{D}/processors/{uid}",
        {"name": "regexp_replace", "label": "Keep", "args": {"field": "city", "regexp": "^C"}},
    )
    assert list(r.get_json()) == ["processor_uid", "name", "label", "args"]
    assert (r.get_json()["name"], r.get_json()["label"]) == ("regexp_replace", "Keep")
    assert c.get(f"{D}/processors/{uid}", headers=AUTH).get_json()["name"] == "regexp_replace"
    assert c.delete(f"{D}/processors/{uid}", headers=AUTH).status_code == 204
    assert c.get(f"{D}/processors/{uid}", headers=AUTH).status_code == 404


@pytest.mark.parametrize(
    ("body", "parameter"),
    [
        ({"name": "string_replce", "args": {}}, "name"),
        ({"name": "replace_text", "args": {}}, "name"),
        ({"name": "split", "args": {"field": "city", "separator": ","}}, "args.index"),
        ({"name": "split", "args": {"field": "city", "separator": ",", "index": 0}}, "args.index"),
        (
            {
                "name": "split",
                "args": {"field": "c", "separator": "", "index": 1, "output_field": "x"},
            },
            "args.separator",
        ),
        (
            {"name": "concat", "args": {"left": "a", "right": "b", "output_field": "Town!"}},
            "args.output_field",
        ),
        ({"name": "string_replace", "args": {"field": "city", "olde": "x"}}, "args.olde"),
        ({"name": "string_replace", "args": {"all_fields": "maybe"}}, "args.all_fields"),
        ({"name": "string_replace", "args": {"all_fields": "false"}}, "args.field"),
        (
            {
                "name": "create_geopoint",
                "args": {
                    "latitude": "a",
                    "longitude": "b",
                    "source_epsg_code": -1,
                    "output_field": "g",
                },
            },
            "args.source_epsg_code",
        ),
        (  # a digit to str.isdigit, not to int()
            {
                "name": "split",
                "args": {"field": "c", "separator": ",", "index": "²", "output_field": "x"},
            },
            "args.index",
        ),
        ({"name": "expression", "args": {"output_field": "x", "expression": 3}}, "args.expression"),
        ({"name": "expression", "args": []}, "args"),
        ({"name": "expression", "arguments": {}}, "arguments"),
    ],
)
def test_processor_arguments_are_checked(c: FlaskClient, body: Any, parameter: str) -> None:
    r = c.post(f"{D}/processors", data=json.dumps(body), headers=AUTH)
    assert r.status_code == 400
    assert r.get_json()["raw_params"]["parameter"] == parameter
    assert c.get(f"{D}/processors", headers=AUTH).get_json() == []


def test_former_names_are_refused_with_the_platforms_name(c: FlaskClient) -> None:
    for old, hint in (
        ("replace_text", "'string_replace'"),
        ("rename_field", "fields_specifications"),
        ("delete_field", '"name": "delete"'),
    ):
        r = c.post(f"{D}/processors", data=json.dumps({"name": old, "args": {}}), headers=AUTH)
        assert r.status_code == 400
        assert hint in r.get_json()["message"], old


@pytest.mark.parametrize(
    ("processor", "field", "msg"),
    [
        (
            {"name": "string_replace", "args": {"field": "heigth", "old": "m"}},
            "heigth",
            "the field does not exist at this point of the pipeline",
        ),
        (
            {"name": "date_normalizer", "args": {"field": "city", "date_format": "day"}},
            "date_format",
            "'day' is not a date format (use directives such as %Y-%m-%d)",
        ),
        (
            {"name": "regexp_replace", "args": {"field": "name", "regexp": "(oak"}},
            "regexp",
            "invalid regular expression: missing ), unterminated subpattern at position 0",
        ),
        (
            {"name": "expression", "args": {"output_field": "x", "expression": "=height *"}},
            "expression",
            "invalid expression: the expression ends too early",
        ),
        (
            {"name": "set_timezone", "args": {"field": "city", "timezone": "Mars/Olympus"}},
            "timezone",
            "unknown timezone 'Mars/Olympus'",
        ),
    ],
)
def test_a_misconfigured_processor_fails_the_next_publish(
    c: FlaskClient, processor: dict[str, Any], field: str, msg: str
) -> None:
    uid = c.post(f"{D}/processors", data=json.dumps(processor), headers=AUTH).get_json()[
        "processor_uid"
    ]
    assert publish_and_wait(c)[-2:] == ["processing_all_dataset_data", "error"]
    status = c.get(f"{D}/status", headers=AUTH).get_json()
    assert (
        status["raw_message"]
        == "Processor {processor_id} is misconfigured for field {field}: {msg}"
    )
    assert status["raw_params"] == {"processor_id": uid, "field": field, "msg": msg}
    assert status["published"] is False


def test_a_field_made_earlier_in_the_pipeline_can_be_used_later(c: FlaskClient) -> None:
    for p in (
        {
            "name": "concat",
            "args": {"separator": " ", "left": "name", "right": "city", "output_field": "who"},
        },
        {
            "name": "split",
            "args": {"field": "who", "separator": " ", "index": 1, "output_field": "first"},
        },
    ):
        c.post(f"{D}/processors", data=json.dumps(p), headers=AUTH)
    assert publish_and_wait(c)[-1] == "idle"


def test_changed_processors_make_a_republish_reprocess_everything(c: FlaskClient) -> None:
    assert publish_and_wait(c)[-1] == "idle"
    c.post(f"{D}/processors", data=json.dumps(SOURCE), headers=AUTH)
    moves = publish_and_wait(c)[4:]
    assert moves == [
        "queued",
        "deleting_all_dataset_data",
        "processing_dataset",
        "processing_all_dataset_data",
        "idle",
    ]
    moves = publish_and_wait(c)[9:]
    assert moves == ["queued", "processing_dataset", "processing_resource_records", "idle"]


# security ------------------------------------------------------------------------------


def test_the_access_policy_is_a_bare_json_string_put_without_a_content_type(c: FlaskClient) -> None:
    assert c.get(f"{D}/security/access_policy", headers=AUTH).get_json() == "domain"
    for body in (b'"restricted"', b"restricted", b'{"access_policy": "restricted"}'):
        c.put(f"{D}/security/access_policy", data=b'"domain"', headers=AUTH)
        r = c.put(f"{D}/security/access_policy", data=body, headers=AUTH)
        assert (r.status_code, r.get_json()) == (200, "restricted")
    assert c.get(D, headers=AUTH).get_json()["visibility"] == "restricted"
    r = c.put(f"{D}/security/access_policy", data=b"public", headers=AUTH)
    assert r.status_code == 400


def test_a_restricted_dataset_is_invisible_to_users_without_rights(c: FlaskClient) -> None:
    c.put(f"{D}/security/access_policy", data=b"restricted", headers=AUTH)
    assert c.get(f"{API}/datasets", headers=as_user("ed")).get_json()["nhits"] == 0
    r = c.get(D, headers=as_user("ed"))
    assert (r.status_code, r.get_json()["error_key"]) == (404, "UnknownDatasetException")
    put(c, f"{D}/security/users/ed", {"permissions": []})
    assert c.get(D, headers=as_user("ed")).status_code == 200


def test_rulesets_grant_dataset_level_permissions(c: FlaskClient) -> None:
    assert c.put(f"{D}/publish", headers=as_user("ed")).status_code == 403
    body = {
        "user": {"username": "ed"},
        "permissions": ["publish_dataset"],
        "visible_fields": ["name"],
    }
    r = c.post(f"{D}/security/users", data=json.dumps(body), headers=AUTH)
    assert r.get_json() == {
        "user": {"username": "ed"},
        "is_data_visible": True,
        "visible_fields": ["name"],
        "filter_query": "",
        "api_calls_quota": None,
        "permissions": ["publish_dataset"],
    }
    assert c.put(f"{D}/publish", headers=as_user("ed")).status_code == 200
    assert [
        r["user"]["username"] for r in c.get(f"{D}/security/users", headers=AUTH).get_json()
    ] == ["ed"]
    assert c.delete(f"{D}/security/users/ed", headers=AUTH).status_code == 204
    assert c.get(f"{D}/security/users/ed", headers=AUTH).status_code == 404


def test_security_needs_manage_dataset(c: FlaskClient) -> None:
    r = c.get(f"{D}/security/users", headers=as_user("eve"))
    assert (r.status_code, r.get_json()["raw_params"]["permission"]) == (403, "manage_dataset")


@pytest.mark.parametrize(
    ("body", "code", "key"),
    [
        ({"user": {"username": "ghost"}}, 404, "UnknownUsernameException"),
        ({"permissions": ["publish"]}, 400, "InvalidParameterException"),
        (
            {"user": {"username": "ed"}, "permissions": ["publish"]},
            400,
            "InvalidParameterException",
        ),
        (
            {"user": {"username": "ed"}, "is_data_visible": "maybe"},
            400,
            "InvalidParameterException",
        ),
        ({"user": {"username": "ed"}, "quota": 5}, 400, "InvalidParameterException"),
    ],
)
def test_bad_rulesets_change_nothing(c: FlaskClient, body: Any, code: int, key: str) -> None:
    r = c.post(f"{D}/security/users", data=json.dumps(body), headers=AUTH)
    assert (r.status_code, r.get_json()["error_key"]) == (code, key)
    assert c.get(f"{D}/security/users", headers=AUTH).get_json() == []


def test_a_second_ruleset_for_the_same_user_is_refused(c: FlaskClient) -> None:
    body = json.dumps({"user": {"username": "ed"}})
    assert c.post(f"{D}/security/users", data=body, headers=AUTH).status_code == 200
    assert c.post(f"{D}/security/users", data=body, headers=AUTH).status_code == 400


# history -----------------------------------------------------------------------------------


def test_every_configuration_edit_is_logged_with_its_diff(c: FlaskClient) -> None:
    c.post("/_sim/clock/advance", json={"seconds": 60})
    put(c, D, {"metas": {"default": {"title": "Old trees"}}})
    c.post(f"{D}/processors", data=json.dumps(SOURCE), headers=AUTH)
    c.put(f"{D}/security/access_policy", data=b"restricted", headers=AUTH)
    put(c, D, {"metas": {"default": {"title": "Old trees"}}})  # no change: not logged
    changes = c.get(f"{D}/changes", headers=AUTH).get_json()
    assert [(ch["change_uid"], ch["sections"], ch["can_restore"]) for ch in changes] == [
        (3, ["security"], False),
        (2, ["processors"], True),
        (1, ["metadata"], True),
    ]
    assert changes[2]["diff"] == {
        "metadata": [
            {
                "path": ["default", "title"],
                "old_value": "Trees",
                "new_value": "Old trees",
                "operation_type": "update",
            }
        ]
    }
    assert changes[2]["dataset"] == {"dataset_uid": "da_trees1", "domain": "ods-simulator"}
    assert list(changes[2]) == [
        "change_uid",
        "dataset",
        "user",
        "timestamp",
        "diff",
        "sections",
        "can_restore",
    ]
    assert changes[2]["user"] == {"username": "admin"}
    assert changes[2]["timestamp"] == "2026-01-01T00:01:00+00:00"
    assert c.get(f"{D}?expand=changes", headers=AUTH).get_json()["changes"] == changes


def test_restoring_a_change_brings_its_configuration_back(c: FlaskClient) -> None:
    put(c, D, {"metas": {"default": {"title": "Old trees"}}})
    c.post(f"{D}/processors", data=json.dumps(SOURCE), headers=AUTH)
    c.put(f"{D}/security/access_policy", data=b"restricted", headers=AUTH)
    r = put(c, f"{D}/restore_change", {"change_uid": 1})
    assert r.status_code == 200
    restored = r.get_json()
    assert (restored["metas"]["default"]["title"], restored["visibility"]) == (
        "Old trees",
        "domain",
    )
    assert c.get(f"{D}/processors", headers=AUTH).get_json() == []
    newest = c.get(f"{D}/changes", headers=AUTH).get_json()[0]
    assert (newest["change_uid"], newest["sections"]) == (4, ["processors", "security"])


def test_restore_refuses_bad_uids_and_an_id_change_while_published(make_client: Make) -> None:
    c = make_client(WORLD)
    put(c, D, {"dataset_id": "old-trees"})
    put(c, D, {"dataset_id": "trees"})
    assert publish_and_wait(c)[-1] == "idle"
    for body, code in (
        ({"change_uid": 9}, 404),
        ({"change_uid": "1"}, 400),
        ({}, 400),
        ({"change_uid": 1}, 400),
    ):
        r = put(c, f"{D}/restore_change", body)
        assert r.status_code == code, body
    assert c.get(D, headers=AUTH).get_json()["dataset_id"] == "trees"


def test_versions_list_what_save_version_made(c: FlaskClient) -> None:
    publish_and_wait(c)
    c.put(f"{D}/save_version", headers=AUTH)
    c.post("/_sim/clock/run_until_idle")
    versions = c.get(f"{D}/versions", headers=AUTH).get_json()
    assert [(v["version"], v["records"], v["user"]) for v in versions] == [
        (1, 800, {"username": "admin"})
    ]


def test_a_dataset_created_over_the_api_starts_its_log(c: FlaskClient) -> None:
    uid = c.post(f"{API}/datasets", data='{"dataset_id": "fresh"}', headers=AUTH).get_json()[
        "dataset_uid"
    ]
    [first] = c.get(f"{API}/datasets/{uid}/changes", headers=AUTH).get_json()
    assert first["sections"] == ["dataset_id", "metadata", "security"]
    assert first["diff"]["dataset_id"] == [
        {
            "path": ["dataset_id"],
            "old_value": None,
            "new_value": "fresh",
            "operation_type": "create",
        }
    ]
    assert first["can_restore"] is False


def test_metadata_can_be_expanded_on_a_dataset(c: FlaskClient) -> None:
    body = c.get(f"{D}?expand=metadata", headers=AUTH).get_json()
    assert body["metadata"] == c.get(f"{D}/metadata", headers=AUTH).get_json()
