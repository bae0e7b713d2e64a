"""Users, groups and API keys over HTTP, sent as real clients send them: ``requests``
with ``data=json.dumps(...)`` and no content type, paths with and without a trailing
slash, HTTP Basic where the platform requires it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import requests

from tests.conftest import Live, call

pytestmark = pytest.mark.e2e

MakeLive = Callable[..., Live]

WORLD = """
users:
  - {username: admin, password: admin, api_keys: [ods-sim-admin-key], permissions: all}
  - {username: ana, password: ana, api_keys: [ana-key]}
  - {username: bo, password: bo, api_keys: [bo-key], permissions: [create_dataset]}
groups:
  - {group_id: editors, title: Editors, usernames: [bo]}
datasets:
  - {dataset_id: parks, dataset_uid: da_parks1, visibility: restricted, resources: [{records: 5}]}
"""
PARKS = "/datasets/da_parks1"


def session(*, key: str | None = None, basic: tuple[str, str] | None = None) -> requests.Session:
    s = requests.Session()
    if key is not None:
        s.headers["Authorization"] = f"Apikey {key}"
    if basic is not None:
        s.auth = basic
    return s


@pytest.fixture
def live(make_live: MakeLive) -> Live:
    return make_live(WORLD)


def test_a_key_created_works_at_once_with_its_permissions_and_stops_when_deleted(
    live: Live,
) -> None:
    ana = session(basic=("ana", "ana"))
    # ana holds nothing: a key asking for more than she has gives her no more
    r = call(ana, "POST", f"{live.api}/apikeys/", {"label": "ci", "permissions": ["edit_domain"]})
    assert r.status_code == 200, r.text
    assert list(r.json()) == ["key", "label", "permissions"]
    assert r.json()["label"] == "ci" and r.json()["permissions"] == ["edit_domain"]
    assert len(r.json()["key"]) == 56
    weak = session(key=r.json()["key"])
    assert call(weak, "GET", f"{live.api}/users").status_code == 403

    admin = session(basic=("admin", "admin"))
    made = call(admin, "POST", f"{live.api}/apikeys", {})
    assert made.status_code == 200, made.text
    assert made.json()["label"] is None
    assert made.json()["permissions"] == ["explore_restricted_dataset"]
    key = made.json()["key"]
    through = session(key=key)
    # the key sees the restricted dataset (but may not edit it), nor manage users
    assert call(through, "GET", f"{live.api}{PARKS}").status_code == 403
    assert call(through, "GET", f"{live.api}/users/").status_code == 403
    # with a key, only that key is listed, and no key may be made
    listed = call(through, "GET", f"{live.api}/apikeys/")
    assert [k["key"] for k in listed.json()] == [key]
    refused = call(through, "POST", f"{live.api}/apikeys/", {})
    assert refused.status_code == 403
    assert refused.json()["error_key"] == "PermissionDeniedException"

    changed = call(admin, "PUT", f"{live.api}/apikeys/{key}", {"permissions": ["edit_domain"]})
    assert changed.status_code == 200, changed.text
    assert call(through, "GET", f"{live.api}/users").status_code == 200

    for slash in ("", "/"):
        assert call(admin, "GET", f"{live.api}/apikeys/{key}{slash}").json() == changed.json()
    assert key in [k["key"] for k in call(admin, "GET", f"{live.api}/apikeys").json()]
    assert call(admin, "DELETE", f"{live.api}/apikeys/{key}/").status_code == 204
    gone = call(through, "GET", f"{live.api}/users")
    assert gone.status_code == 401
    assert call(admin, "GET", f"{live.api}/apikeys/{key}").status_code == 404


def test_an_api_key_update_needs_a_label_or_permissions(live: Live) -> None:
    admin = session(basic=("admin", "admin"))
    key = call(admin, "POST", f"{live.api}/apikeys", {"label": "x"}).json()["key"]
    r = call(admin, "PUT", f"{live.api}/apikeys/{key}/", {})
    assert r.status_code == 400
    assert r.json() == {
        "status_code": 400,
        "error_key": "PermissionsOrLabelMissingFromAPIKeyUpdateException",
        "message": "'permissions' or 'label' must be provided to update an API key",
        "raw_message": "'permissions' or 'label' must be provided to update an API key",
        "raw_params": {},
    }
    # a client sends one permission twice: it is kept once
    twice = ["explore_restricted_dataset", "edit_dataset", "explore_restricted_dataset"]
    r = call(admin, "PUT", f"{live.api}/apikeys/{key}", {"permissions": twice})
    assert r.json()["permissions"] == ["edit_dataset", "explore_restricted_dataset"]
    assert r.json()["label"] == "x"


def test_a_group_granted_publish_on_a_restricted_dataset_through_its_members(
    live: Live,
) -> None:
    admin = live.http
    ana = session(key="ana-key")
    assert call(ana, "PUT", f"{live.api}{PARKS}/publish").status_code == 404
    made = call(admin, "POST", f"{live.api}/groups/", {"title": "Park keepers"})
    assert made.status_code == 200, made.text
    assert list(made.json().items()) == [
        ("user_count", 0),
        ("limits", {}),
        ("title", "Park keepers"),
        ("quotas", {}),
        ("group_id", "park-keepers"),
        ("permissions", []),
    ]
    added = call(
        admin, "POST", f"{live.api}/groups/park-keepers/users", {"usernames": ["ana", "ana", "zed"]}
    )
    assert added.json() == {"ana": "duplicate", "zed": "error"}
    members = call(admin, "GET", f"{live.api}/groups/park-keepers/users/?rows=10&page=1")
    assert members.json() == {
        "users": [
            {
                "username": "ana",
                "first_name": "",
                "last_name": "",
                "is_ods": False,
                "is_active": True,
                "email": None,
            }
        ],
        "rows": 10,
        "page": 1,
        "nhits": 1,
    }
    ruleset = {
        "group": {"group_id": "park-keepers"},
        "permissions": ["explore_restricted_dataset", "publish_dataset", "edit_dataset"],
    }
    assert call(admin, "POST", f"{live.api}{PARKS}/security/groups", ruleset).status_code == 200
    published = call(ana, "PUT", f"{live.api}{PARKS}/publish")
    assert published.status_code == 200, published.text

    # removed from the group, she loses it at once
    out = call(admin, "DELETE", f"{live.api}/groups/park-keepers/users/ana")
    assert out.status_code == 204
    assert call(ana, "GET", f"{live.api}{PARKS}").status_code == 404
    renamed = call(admin, "PUT", f"{live.api}/groups/park-keepers/", {"title": "Keepers"})
    assert renamed.json()["group_id"] == "park-keepers"
    assert list(renamed.json()) == [
        "title",
        "group_id",
        "user_count",
        "permissions",
        "limits",
        "quotas",
    ]
    assert call(admin, "DELETE", f"{live.api}/groups/park-keepers").json() == {}
    assert call(admin, "GET", f"{live.api}/groups/park-keepers").status_code == 404
    assert call(admin, "GET", f"{live.api}{PARKS}/security/groups").json() == []


def test_users_are_invited_listed_with_paging_changed_and_deleted(live: Live) -> None:
    admin = live.http
    invited = call(
        admin,
        "POST",
        f"{live.api}/users/",
        {"emails": ["carla@example.org", "not-an-address"]},
    )
    assert invited.status_code == 200, invited.text
    assert invited.json() == {
        "carla@example.org": "success: carla",
        "not-an-address": "invalid-email",
    }
    again = call(admin, "POST", f"{live.api}/users", {"emails": ["Carla@example.org"]})
    assert again.json() == {"Carla@example.org": "already-member"}
    listed = call(admin, "GET", f"{live.api}/users?rows=2&page=2")
    assert listed.status_code == 200
    body = listed.json()
    assert list(body) == ["users", "rows", "page", "nhits"]
    assert (body["rows"], body["page"], body["nhits"]) == (2, 2, 4)
    assert [u["username"] for u in body["users"]] == ["bo", "carla"]
    carla = body["users"][1]
    assert list(carla) == [
        "username",
        "first_name",
        "last_name",
        "email",
        "account_type",
        "display_name",
        "auth_provider_types",
        "permissions",
        "groups",
        "is_active",
        "date_joined",
        "limits",
        "is_ods",
        "quotas",
        "datasets_index_filters",
        "last_seen",
    ]
    assert carla["email"] == "carla@example.org"
    assert call(admin, "GET", f"{live.api}/users?rows=100&page=3").json()["users"] == []

    changed = call(
        admin,
        "PUT",
        f"{live.api}/users/carla/",
        {"group_ids": ["editors"], "permissions": ["publish_dataset"]},
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["permissions"] == ["publish_dataset"]
    assert [g["group_id"] for g in changed.json()["groups"]] == ["editors"]
    assert call(admin, "GET", f"{live.api}/groups/editors").json()["user_count"] == 2
    assert call(admin, "DELETE", f"{live.api}/users/carla").status_code == 204
    missing = call(admin, "GET", f"{live.api}/users/carla")
    assert missing.status_code == 404
    assert missing.json()["error_key"] == "UnknownUsernameException"
    assert call(admin, "GET", f"{live.api}/groups/editors").json()["user_count"] == 1


def test_only_edit_domain_manages_users_and_groups_and_the_last_admin_stays(
    live: Live,
) -> None:
    bo = session(key="bo-key")
    for method, path in (("GET", "/users"), ("GET", "/groups"), ("POST", "/groups")):
        r = call(bo, method, f"{live.api}{path}", {"title": "x"})
        assert r.status_code == 403, (method, path)
    r = call(live.http, "DELETE", f"{live.api}/users/admin")
    assert r.status_code == 400
    assert call(live.http, "GET", f"{live.api}/users/admin").status_code == 200


@pytest.mark.parametrize(
    ("method", "path", "body", "parameter"),
    [
        ("POST", "/users", {"emails": "a@b.org"}, "emails"),
        ("POST", "/users", {"email": ["a@b.org"]}, "email"),
        ("PUT", "/users/ana", {"permissions": ["edit_domian"]}, "permissions[0]"),
        ("PUT", "/users/ana", {"group_ids": ["nobody"]}, "group_ids[0]"),
        ("PUT", "/users/ana", {"quotas": 3}, "quotas"),
        ("POST", "/groups", {}, "title"),
        ("POST", "/groups", {"title": "!!"}, "title"),
        ("POST", "/groups", {"title": "x", "permissions": "all"}, "permissions"),
        ("PUT", "/groups/editors", {"titel": "x"}, "titel"),
        ("POST", "/groups/editors/users", {"usernames": "ana"}, "usernames"),
        ("POST", "/apikeys", {"permissions": ["nope"]}, "permissions[0]"),
        ("POST", "/apikeys", {"label": 3}, "label"),
        ("POST", "/apikeys", [], "body"),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(
    live: Live, method: str, path: str, body: Any, parameter: str
) -> None:
    admin = session(basic=("admin", "admin"))
    before = [
        call(admin, "GET", f"{live.api}{p}").json()
        for p in ("/users?rows=100", "/groups", "/apikeys")
    ]
    r = call(admin, method, f"{live.api}{path}", body)
    assert r.status_code == 400, r.text
    assert r.json()["error_key"] == "InvalidParameterException"
    assert r.json()["raw_params"]["parameter"] == parameter
    after = [
        call(admin, "GET", f"{live.api}{p}").json()
        for p in ("/users?rows=100", "/groups", "/apikeys")
    ]
    assert after == before
    # the next key drawn is the one it would have been
    made = call(admin, "POST", f"{live.api}/apikeys", {}).json()["key"]
    fresh = live.control("POST", "reset")
    assert fresh is not None
    again = call(admin, "POST", f"{live.api}/apikeys", {}).json()["key"]
    assert made == again


@pytest.mark.parametrize("retention", ["", "retention: {journal: 1}\n"])
def test_a_snapshot_keeps_users_groups_and_keys(make_live: MakeLive, retention: str) -> None:
    """Replayed from the journal, or revived from the world written down whole."""
    source, target = make_live(WORLD + retention), make_live(WORLD + retention)
    admin = session(basic=("admin", "admin"))
    call(admin, "POST", f"{source.api}/users", {"emails": ["dan@example.org"]})
    call(admin, "POST", f"{source.api}/groups", {"title": "Keepers", "permissions": ["edit_page"]})
    call(admin, "POST", f"{source.api}/groups/keepers/users", {"usernames": ["dan", "ana"]})
    key = call(admin, "POST", f"{source.api}/apikeys", {"label": "x"}).json()["key"]
    call(admin, "DELETE", f"{source.api}/users/bo")
    snapshot = requests.get(f"{source.url}/_sim/snapshot", timeout=10)
    assert requests.put(f"{target.url}/_sim/snapshot", data=snapshot.content).status_code == 200
    for path in ("/users?rows=100", "/groups", "/groups/keepers/users", "/apikeys"):
        seen = [call(admin, "GET", f"{w.api}{path}").json() for w in (source, target)]
        assert seen[0] == seen[1], path
    assert call(session(key=key), "GET", f"{target.api}/apikeys").json()[0]["label"] == "x"


def test_a_scenario_names_keys_with_a_label_and_permissions(make_live: MakeLive) -> None:
    live = make_live(
        """
        users:
          - username: admin
            password: admin
            permissions: all
            api_keys:
              - ods-sim-admin-key
              - {key: reader-key, label: Reader, permissions: [explore_restricted_dataset]}
        datasets:
          - {dataset_id: parks, dataset_uid: da_parks1, visibility: restricted}
        """
    )
    reader = session(key="reader-key")
    assert call(reader, "GET", f"{live.api}/apikeys").json() == [
        {"key": "reader-key", "label": "Reader", "permissions": ["explore_restricted_dataset"]}
    ]
    assert call(reader, "PUT", f"{live.api}{PARKS}/publish").status_code == 403
    assert call(live.http, "PUT", f"{live.api}{PARKS}/publish").status_code == 200
    keys = call(session(basic=("admin", "admin")), "GET", f"{live.api}/apikeys").json()
    assert keys[0]["key"] == "ods-sim-admin-key" and keys[0]["label"] is None
    assert "edit_domain" in keys[0]["permissions"]
