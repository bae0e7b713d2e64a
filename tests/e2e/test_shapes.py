"""The platform's shapes, read the way real clients read them: over HTTP, byte for byte
where clients compare bytes, key by key where they take the first key."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from tests.conftest import Live

pytestmark = pytest.mark.e2e

MakeLive = Callable[..., Live]

WORLD = """
platform: {domain_id: parks-data}
users:
  - {username: admin, password: admin, api_keys: [ods-sim-admin-key], permissions: all}
  - {username: jane.doe, password: jane, permissions: [edit_dataset]}
datasets:
  - {dataset_id: trees, dataset_uid: da_trees1, metas: {default: {title: Trees}}}
  - {dataset_id: benches, dataset_uid: da_bench1, published: true}
  - {dataset_id: lamps, dataset_uid: da_lamps1}
"""


@pytest.mark.parametrize("slash", ["", "/"])
def test_a_bare_json_string_is_exactly_its_json(make_live: MakeLive, slash: str) -> None:
    live = make_live(WORLD)
    url = f"{live.api}/datasets/da_trees1/security/access_policy{slash}"
    assert live.http.get(url, timeout=10).text == '"domain"'
    put = live.http.put(url, data='"restricted"', timeout=10)
    assert (put.status_code, put.text) == (200, '"restricted"')
    assert live.http.get(url, timeout=10).text == '"restricted"'


def test_json_answers_end_with_their_last_character(make_live: MakeLive) -> None:
    live = make_live(WORLD)
    for path in ("/datasets", "/datasets/da_trees1", "/datasets/da_trees1/status", "/nowhere"):
        assert live.http.get(f"{live.api}{path}", timeout=10).content[-1:] in (b"}", b"]")


def test_the_dataset_list_pages_as_the_platform_pages_its_lists(make_live: MakeLive) -> None:
    live = make_live(WORLD)
    body = live.http.get(f"{live.api}/datasets/?rows=2&page=2&sort=dataset_id", timeout=10).json()
    assert list(body) == ["datasets", "rows", "page", "nhits"]
    assert (body["rows"], body["page"], body["nhits"]) == (2, 2, 3)
    assert [d["dataset_id"] for d in body["datasets"]] == ["trees"]


def test_objects_keep_the_documented_key_order(make_live: MakeLive) -> None:
    live = make_live(WORLD)
    dataset = live.http.get(f"{live.api}/datasets/da_trees1", timeout=10).json()
    assert list(dataset)[:5] == ["dataset_id", "dataset_uid", "metas", "last_modified", "status"]
    status = live.http.get(f"{live.api}/datasets/da_trees1/status", timeout=10).json()
    assert list(status) == ["published", "name", "since", "user"]
    error = live.http.get(f"{live.api}/datasets/da_nope99", timeout=10).json()
    assert list(error) == ["status_code", "error_key", "message", "raw_message", "raw_params"]


def test_a_change_names_its_dataset_and_its_edits_by_section(make_live: MakeLive) -> None:
    live = make_live(WORLD)
    url = f"{live.api}/datasets/da_trees1"
    live.http.put(url, data=json.dumps({"metas": {"default": {"title": "Old trees"}}}), timeout=10)
    ruleset = json.dumps({"user": {"username": "jane.doe"}, "is_data_visible": "true"})
    assert live.http.post(f"{url}/security/users", data=ruleset, timeout=10).status_code == 200
    newest, first = live.http.get(f"{url}/changes/", timeout=10).json()
    assert newest["dataset"] == {"dataset_uid": "da_trees1", "domain": "parks-data"}
    assert newest["sections"] == ["security"]
    [added] = newest["diff"]["security"]
    assert (added["path"], added["old_value"], added["operation_type"]) == (
        ["user", "jane.doe"],
        None,
        "create",
    )
    assert added["new_value"]["is_data_visible"] is True
    assert first["diff"] == {
        "metadata": [
            {
                "path": ["default", "title"],
                "old_value": "Trees",
                "new_value": "Old trees",
                "operation_type": "update",
            }
        ]
    }
    live.http.delete(f"{url}/security/users/jane.doe", timeout=10)
    [removed] = live.http.get(f"{url}/changes", timeout=10).json()[0]["diff"]["security"]
    assert (removed["path"], removed["new_value"], removed["operation_type"]) == (
        ["user", "jane.doe"],
        None,
        "delete",
    )


def test_publish_metadata_needs_a_published_dataset(make_live: MakeLive) -> None:
    live = make_live(WORLD)
    refused = live.http.put(f"{live.api}/datasets/da_trees1/publish_metadata", timeout=10)
    assert (refused.status_code, refused.json()["error_key"]) == (400, "ODSException")
    assert refused.json()["raw_params"] == {"dataset_uid": "da_trees1"}
    status = live.http.get(f"{live.api}/datasets/da_trees1/status", timeout=10).json()
    assert status["name"] == "idle"
    accepted = live.http.put(f"{live.api}/datasets/da_bench1/publish_metadata/", timeout=10)
    assert accepted.status_code == 200 and len(accepted.json()["job_id"]) == 40
