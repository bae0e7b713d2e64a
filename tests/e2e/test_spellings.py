"""Values spelled as real clients spell them, sent as they send them: over HTTP with
``requests``, bodies as ``data=json.dumps(...)`` without a content type, paths with
and without a trailing slash."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from tests.conftest import Live

pytestmark = pytest.mark.e2e

MakeLive = Callable[..., Live]

WORLD = """
users:
  - {username: admin, password: admin, api_keys: [ods-sim-admin-key], permissions: all}
  - {username: ed, password: ed, permissions: [edit_dataset]}
datasets:
  - {dataset_id: trees, dataset_uid: da_trees1}
"""


@pytest.mark.parametrize("slash", ["", "/"])
@pytest.mark.parametrize(
    ("given", "stored"), [("true", True), ("True", True), (1, True), ("0", False)]
)
def test_override_remote_value_as_a_string_or_a_number(
    make_live: MakeLive, slash: str, given: object, stored: bool
) -> None:
    live = make_live(WORLD)
    url = f"{live.api}/datasets/da_trees1/metadata/default/publisher{slash}"
    body = json.dumps({"value": "Parks", "override_remote_value": given})
    r = live.http.put(url, data=body, timeout=10)
    assert r.status_code == 200, r.text
    assert r.json()["override_remote_value"] is stored
    assert live.http.get(url, timeout=10).json()["override_remote_value"] is stored


def test_a_ruleset_with_is_data_visible_as_a_string(make_live: MakeLive) -> None:
    live = make_live(WORLD)
    body = json.dumps({"user": {"username": "ed"}, "is_data_visible": "false"})
    r = live.http.post(f"{live.api}/datasets/da_trees1/security/users/", data=body, timeout=10)
    assert r.status_code == 200, r.text
    got = live.http.get(f"{live.api}/datasets/da_trees1/security/users/ed", timeout=10).json()
    assert got["is_data_visible"] is False


def test_a_word_that_is_no_boolean_is_refused_and_changes_nothing(make_live: MakeLive) -> None:
    live = make_live(WORLD)
    url = f"{live.api}/datasets/da_trees1/metadata/default/publisher"
    before = live.http.get(url, timeout=10).json()
    r = live.http.put(url, data=json.dumps({"value": "Parks", "override_remote_value": "maybe"}))
    assert (r.status_code, r.json()["error_key"]) == (400, "InvalidParameterException")
    assert r.json()["raw_params"]["parameter"] == "override_remote_value"
    assert live.http.get(url, timeout=10).json() == before


@pytest.mark.parametrize("strict", ["True", "1", "yes"])
def test_strict_creation_read_from_any_spelling(make_live: MakeLive, strict: str) -> None:
    live = make_live(WORLD)
    r = live.http.post(f"{live.api}/datasets/?strict={strict}", data=json.dumps({}), timeout=10)
    assert (r.status_code, r.json()["error_key"]) == (400, "ODSException")
