"""Group rulesets and the default ruleset over HTTP, sent as real clients send them:
``requests`` with ``data=json.dumps(...)`` and no content type, booleans as strings,
paths with and without a trailing slash."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
import requests

from tests.conftest import Live, call, keyed_session

pytestmark = pytest.mark.e2e

MakeLive = Callable[..., Live]

WORLD = """
users:
  - {username: admin, password: admin, api_keys: [ods-sim-admin-key], permissions: all}
  - {username: ana, password: ana, api_keys: [ana-key]}
  - {username: bo, password: bo, api_keys: [bo-key]}
  - {username: dee, password: dee, api_keys: [dee-key], permissions: [edit_dataset]}
groups:
  - {group_id: editors, title: Editors, usernames: [ana, bo]}
  - {title: Data makers, permissions: [create_dataset], usernames: [bo]}
datasets:
  - {dataset_id: parks, dataset_uid: da_parks1, visibility: restricted, resources: [{records: 50}]}
  - {dataset_id: trees, dataset_uid: da_trees1, resources: [{records: 80}]}
"""
PARKS = "/datasets/da_parks1"
#: What one real client POSTs to give a group access to a dataset.
CLIENT_BODY = {
    "group": {"group_id": "editors"},
    "is_data_visible": "false",
    "visible_fields": ["*"],
    "filter_query": "",
    "api_calls_quota": None,
    "permissions": ["explore_restricted_dataset", "edit_dataset", "publish_dataset"],
}


def as_user(live: Live, key: str) -> requests.Session:
    return keyed_session(key)


@pytest.fixture
def live(make_live: MakeLive) -> Live:
    return make_live(WORLD)


def test_a_member_of_a_group_with_a_ruleset_sees_and_edits_a_restricted_dataset(
    live: Live,
) -> None:
    ana = as_user(live, "ana-key")
    assert call(ana, "GET", f"{live.api}{PARKS}").status_code == 404
    r = call(live.http, "POST", f"{live.api}{PARKS}/security/groups/", CLIENT_BODY)
    assert r.status_code == 200, r.text
    assert list(r.json().items()) == [
        ("group", {"group_id": "editors"}),
        ("is_data_visible", False),
        ("visible_fields", ["*"]),
        ("filter_query", ""),
        ("api_calls_quota", None),
        ("permissions", ["edit_dataset", "publish_dataset", "explore_restricted_dataset"]),
    ]
    for slash in ("", "/"):
        got = call(live.http, "GET", f"{live.api}{PARKS}/security/groups/editors{slash}")
        assert got.json() == r.json()
    assert call(live.http, "GET", f"{live.api}{PARKS}/security/groups").json() == [r.json()]

    assert call(ana, "GET", f"{live.api}{PARKS}/").json()["dataset_id"] == "parks"
    listed = call(ana, "GET", f"{live.api}/datasets").json()["datasets"]
    assert [d["dataset_uid"] for d in listed] == ["da_parks1"]
    title = {"value": "Parks and gardens", "override_remote_value": "true"}
    r = call(ana, "PUT", f"{live.api}{PARKS}/metadata/default/title", title)
    assert (r.status_code, r.json()["value"]) == (200, "Parks and gardens")
    assert call(ana, "PUT", f"{live.api}{PARKS}/publish").status_code == 200
    # the ruleset gives no manage_dataset: the security endpoints stay closed to members
    r = call(ana, "GET", f"{live.api}{PARKS}/security/groups")
    assert (r.status_code, r.json()["raw_params"]["permission"]) == (403, "manage_dataset")

    dee = as_user(live, "dee-key")  # in no group: the dataset does not exist for them
    assert call(dee, "GET", f"{live.api}{PARKS}").status_code == 404
    assert call(dee, "GET", f"{live.api}/datasets").json()["nhits"] == 1  # trees only

    r = call(live.http, "DELETE", f"{live.api}{PARKS}/security/groups/editors/")
    assert r.status_code == 204
    r = call(ana, "GET", f"{live.api}{PARKS}")
    assert (r.status_code, r.json()["error_key"]) == (404, "UnknownDatasetException")


def test_a_ruleset_put_by_path_gives_members_the_rights_it_lists(live: Live) -> None:
    bo = as_user(live, "bo-key")
    trees = f"{live.api}/datasets/da_trees1"
    assert call(bo, "PUT", f"{trees}/publish").status_code == 403
    body = {"is_data_visible": "True", "permissions": ["edit_dataset", "publish_dataset"]}
    r = call(live.http, "PUT", f"{trees}/security/groups/editors", body)
    assert r.status_code == 200, r.text
    assert r.json()["group"] == {"group_id": "editors"} and r.json()["is_data_visible"] is True
    assert call(bo, "PUT", f"{trees}/publish/").status_code == 200
    body["permissions"] = ["edit_dataset"]
    call(live.http, "PUT", f"{trees}/security/groups/editors/", body)
    assert call(bo, "PUT", f"{trees}/unpublish").status_code == 403


def test_members_get_their_groups_domain_permissions(live: Live) -> None:
    made = call(as_user(live, "bo-key"), "POST", f"{live.api}/datasets/", {"dataset_id": "bo"})
    assert made.status_code == 200, made.text
    r = call(as_user(live, "ana-key"), "POST", f"{live.api}/datasets", {"dataset_id": "ana"})
    assert (r.status_code, r.json()["raw_params"]["permission"]) == (403, "create_dataset")
    # the processor catalogue is open to whoever may create datasets, through a group too
    listed = as_user(live, "bo-key").get(f"{live.api}/processors/", timeout=10)
    assert listed.status_code == 200 and "string_replace" in listed.json()
    refused = as_user(live, "ana-key").get(f"{live.api}/processors", timeout=10)
    assert refused.status_code == 403


def test_the_default_ruleset_is_read_set_and_reset(live: Live) -> None:
    url = f"{live.api}/datasets/da_trees1/security/default"
    reset = {
        "is_data_visible": True,
        "visible_fields": ["*"],
        "filter_query": "",
        "api_calls_quota": None,
        "permissions": [],
    }
    r = call(live.http, "GET", url)
    assert list(r.json().items()) == list(reset.items())
    body = {"is_data_visible": "false", "visible_fields": ["name"], "permissions": []}
    r = call(live.http, "PUT", f"{url}/", body)
    assert r.status_code == 200, r.text
    changed = {**reset, "is_data_visible": False, "visible_fields": ["name"]}
    assert r.json() == changed == call(live.http, "GET", f"{url}/").json()
    dataset = call(live.http, "GET", f"{live.api}/datasets/da_trees1").json()
    assert dataset["default_security"] == changed
    r = call(live.http, "DELETE", url)
    assert (r.status_code, r.json()) == (200, reset)
    assert call(live.http, "GET", url).json() == reset
    newest = call(live.http, "GET", f"{live.api}/datasets/da_trees1/changes").json()
    assert [c["sections"] for c in newest] == [["security"], ["security"]]
    assert newest[1]["diff"] == {
        "security": [
            {
                "path": ["default", "is_data_visible"],
                "old_value": True,
                "new_value": False,
                "operation_type": "update",
            },
            {
                "path": ["default", "visible_fields"],
                "old_value": ["*"],
                "new_value": ["name"],
                "operation_type": "update",
            },
        ]
    }


def test_group_ruleset_edits_are_changes_under_security(live: Live) -> None:
    changes = f"{live.api}{PARKS}/changes"
    call(live.http, "POST", f"{live.api}{PARKS}/security/groups", {"group_id": "editors"})
    body = {"group": {"group_id": "editors"}, "permissions": ["edit_dataset"]}
    call(live.http, "PUT", f"{live.api}{PARKS}/security/groups/editors", body)
    call(live.http, "DELETE", f"{live.api}{PARKS}/security/groups/editors")
    logged = call(live.http, "GET", changes).json()
    assert [(c["change_uid"], c["sections"]) for c in logged] == [
        (3, ["security"]),
        (2, ["security"]),
        (1, ["security"]),
    ]
    assert logged[1]["diff"] == {
        "security": [
            {
                "path": ["group", "editors", "permissions"],
                "old_value": [],
                "new_value": ["edit_dataset"],
                "operation_type": "update",
            }
        ]
    }
    assert logged[0]["diff"]["security"][0]["path"] == ["group", "editors"]
    assert logged[0]["diff"]["security"][0]["operation_type"] == "delete"
    restored = call(live.http, "PUT", f"{live.api}{PARKS}/restore_change", {"change_uid": 2})
    assert restored.status_code == 200
    got = call(live.http, "GET", f"{live.api}{PARKS}/security/groups/editors").json()
    assert got["permissions"] == ["edit_dataset"]


BAD = [
    ("POST", "/security/groups", "{", 400, "InvalidJSONException", None),
    ("POST", "/security/groups", [], 400, "InvalidParameterException", "body"),
    ("POST", "/security/groups", {}, 400, "InvalidParameterException", "group"),
    ("POST", "/security/groups", {"group": {"uid": "editors"}}, 400, None, "group"),
    ("POST", "/security/groups", {"groups": {"group_id": "editors"}}, 400, None, "groups"),
    (
        "POST",
        "/security/groups",
        {"group_id": "editors", "is_data_visible": "maybe"},
        400,
        "InvalidParameterException",
        "is_data_visible",
    ),
    (
        "POST",
        "/security/groups",
        {"group_id": "editors", "permissions": ["publish"]},
        400,
        "InvalidParameterException",
        "permissions[0]",
    ),
    ("POST", "/security/groups", {"group_id": "editors", "visible_fields": "x"}, 400, None, None),
    ("POST", "/security/groups", {"group_id": "editors", "api_calls_quota": 5}, 400, None, None),
    ("POST", "/security/groups", {"group_id": "nobody"}, 404, "UnknownGroupException", None),
    ("POST", "/security/groups", {"group_id": "editors", "user": {}}, 400, None, "user"),
    ("PUT", "/security/groups/nobody", {}, 404, "UnknownGroupException", None),
    ("PUT", "/security/groups/editors", {"group_id": "data-makers"}, 400, None, "group"),
    ("PUT", "/security/groups/editors", {"filter_query": 3}, 400, None, "filter_query"),
    ("GET", "/security/groups/editors", None, 404, "UnknownRulesetException", None),
    ("DELETE", "/security/groups/editors", None, 404, "UnknownRulesetException", None),
    ("PATCH", "/security/groups/editors", {}, 405, "MethodNotAllowedException", None),
    ("PUT", "/security/default", {"permissions": ["edit_dataset"]}, 400, None, "permissions"),
    ("PUT", "/security/default", {"is_data_visible": "nah"}, 400, None, "is_data_visible"),
    ("PUT", "/security/default", "restricted", 400, "InvalidParameterException", "body"),
    ("PUT", "/security/default", {"user": {"username": "ana"}}, 400, None, "user"),
    ("POST", "/security/default", {}, 405, "MethodNotAllowedException", None),
]


@pytest.mark.parametrize(("method", "path", "body", "code", "key", "parameter"), BAD)
def test_bad_input_gets_the_error_shape_and_changes_nothing(
    live: Live, method: str, path: str, body: Any, code: int, key: str | None, parameter: str | None
) -> None:
    before = live.control("GET", "snapshot")
    url = f"{live.api}{PARKS}{path}"
    data = body if isinstance(body, str) and body == "{" else json.dumps(body)
    r = live.http.request(method, url, data=None if body is None else data, timeout=10)
    got = r.json()
    assert list(got)[:5] == ["status_code", "error_key", "message", "raw_message", "raw_params"]
    assert (r.status_code, got["status_code"]) == (code, code), got
    if key is not None:
        assert got["error_key"] == key
    if parameter is not None:
        assert got["raw_params"]["parameter"] == parameter
    assert live.control("GET", "snapshot") == before


def test_a_second_ruleset_for_a_group_is_refused_and_changes_nothing(live: Live) -> None:
    url = f"{live.api}{PARKS}/security/groups"
    assert call(live.http, "POST", url, CLIENT_BODY).status_code == 200
    before = live.control("GET", "snapshot")
    r = call(live.http, "POST", url, {**CLIENT_BODY, "permissions": []})
    assert (r.status_code, r.json()["error_key"]) == (400, "ODSException")
    assert live.control("GET", "snapshot") == before


def test_rulesets_are_listed_by_ascending_name(live: Live) -> None:
    security = f"{live.api}/datasets/da_trees1/security"
    for username in ("dee", "ana", "bo"):
        call(live.http, "POST", f"{security}/users", {"user": {"username": username}})
    for group_id in ("editors", "data-makers"):
        call(live.http, "POST", f"{security}/groups/", {"group": {"group_id": group_id}})
    users = call(live.http, "GET", f"{security}/users/").json()
    assert [r["user"]["username"] for r in users] == ["ana", "bo", "dee"]
    groups = call(live.http, "GET", f"{security}/groups").json()
    assert [r["group"]["group_id"] for r in groups] == ["data-makers", "editors"]
