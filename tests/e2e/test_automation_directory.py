"""The Automation API v1.0's users, groups and API keys over HTTP, sent as real clients
send them (a ministry's user and group scripts, an R package's key creation): the same
people as the Management API v2's."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
import requests

from tests.conftest import Live

pytestmark = pytest.mark.e2e

MakeLive = Callable[..., Live]
V1 = "/api/automation/v1.0"

WORLD = """
users:
  - {username: admin, password: admin, api_keys: [ods-sim-admin-key], permissions: all}
  - {username: ana, password: ana, api_keys: [ana-key]}
  - {username: bo, password: bo, api_keys: [bo-key], permissions: [create_dataset]}
groups:
  - {group_id: editors, title: Editors, usernames: [bo]}
"""

USER_KEYS = [
    "username",
    "display_name",
    "first_name",
    "last_name",
    "is_active",
    "email",
    "is_ods",
    "account_type",
    "permissions",
    "joined_at",
    "last_seen_at",
    "last_login_at",
    "expires_at",
    "explore_limits",
    "management_limits",
    "gravatar_url",
    "groups",
    "identity_providers",
]


class Client:
    def __init__(self, live: Live, auth: str = "apikey ods-sim-admin-key") -> None:
        self.base = f"{live.url}{V1}"
        self.http = requests.Session()
        self.http.headers["Authorization"] = auth

    def call(self, method: str, path: str, body: Any = None, **kw: Any) -> requests.Response:
        data = None if body is None else json.dumps(body)
        return self.http.request(method, self.base + path, data=data, timeout=10, **kw)


@pytest.fixture
def live(make_live: MakeLive) -> Live:
    return make_live(WORLD)


@pytest.fixture
def client(live: Live) -> Client:
    return Client(live)


def test_users_list_read_and_404_means_absent(client: Client) -> None:
    page = client.call("GET", "/users/?limit=1000").json()
    assert page["total_count"] == 3 and page["next"] is None
    assert [u["username"] for u in page["results"]] == ["admin", "ana", "bo"]
    bo = client.call("GET", "/users/bo").json()
    assert list(bo) == USER_KEYS
    assert bo["groups"] == [{"uid": "editors"}] and bo["permissions"] == ["create_dataset"]
    assert bo["joined_at"].endswith("+00:00")
    r = client.call("GET", "/users/nobody/")
    assert (r.status_code, r.json()) == (404, {"error_code": "not_found", "message": "Not found."})
    found = client.call("GET", "/users/?search=AN").json()
    assert [u["username"] for u in found["results"]] == ["ana"]


def test_a_user_changed_here_is_changed_on_v2(live: Live, client: Client) -> None:
    r = client.call(
        "PUT", "/users/ana/", {"permissions": ["edit_dataset"], "groups": [{"uid": "editors"}]}
    )
    assert r.status_code == 200, r.text
    assert r.json()["permissions"] == ["edit_dataset"] and r.json()["groups"] == [
        {"uid": "editors"}
    ]
    v2 = live.http.get(f"{live.api}/users/ana", timeout=10).json()
    assert v2["permissions"] == ["edit_dataset"]
    assert [g["group_id"] for g in v2["groups"]] == ["editors"]
    # the user as read, sent back whole, changes nothing more
    again = client.call("PUT", "/users/ana", r.json())
    assert (again.status_code, again.json()) == (200, r.json())
    for body, field in [
        ({"permissions": ["edit_datset"]}, "permissions[0]"),
        ({"groups": [{"uid": "nobody"}]}, "groups[0]"),
        ({"email": "other@example.org"}, "email"),
        ({"permision": []}, "permision"),
    ]:
        bad = client.call("PUT", "/users/ana/", body)
        assert (bad.status_code, list(bad.json()["detail"])) == (400, [field]), body
    assert client.call("GET", "/users/ana").json() == r.json()  # nothing changed


def test_export_is_csv_with_the_documented_columns(client: Client) -> None:
    r = client.call("GET", "/users/export/?delimiter=;")
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/csv")
    lines = r.text.splitlines()
    assert (
        lines[0] == "username;last_name;first_name;email;date_joined;last_seen;groups;permissions"
    )
    assert lines[3].startswith("bo;") and lines[3].endswith(";editors;create_dataset")
    assert client.call("GET", "/users/export/?delimiter=ab").status_code == 400


def test_invite_answers_each_item_by_position(live: Live, client: Client) -> None:
    body = [
        {"email": "cleo@example.org", "groups": [{"uid": "editors"}], "permissions": []},
        {"email": "not an address"},
    ]
    r = client.call("POST", "/users/invite/", body)
    assert r.status_code == 200, r.text
    answer = r.json()
    assert list(answer) == ["0", "1"]
    assert answer["0"]["status_code"] == "success"
    assert answer["0"]["data"]["username"] == "cleo"
    assert answer["0"]["data"]["groups"] == [{"uid": "editors"}]
    assert answer["1"] == {"status_code": "error", "error": "invalid-email"}
    r = client.call("POST", "/users/invite/", [{"email": "cleo@example.org"}])
    assert r.json() == {"0": {"status_code": "error", "error": "already-member"}}
    # one object alone, as a ministry's script sends it
    r = client.call("POST", "/users/invite", {"email": "dan@example.org"})
    assert r.json()["0"]["data"]["username"] == "dan"
    # an unknown group refuses the whole request, and nobody is invited
    r = client.call("POST", "/users/invite/", [{"email": "eve@example.org", "groups": ["x"]}])
    assert (r.status_code, list(r.json()["detail"])) == (400, ["0.groups"])
    assert client.call("GET", "/users/").json()["total_count"] == 5


def test_groups_crud_members_and_a_form_encoded_change(live: Live, client: Client) -> None:
    r = client.call("POST", "/groups/", {"title": "Data Team", "permissions": ["edit_dataset"]})
    assert r.status_code == 201, r.text
    made = r.json()
    assert list(made) == [
        "uid",
        "title",
        "description",
        "user_count",
        "permissions",
        "explore_limits",
        "management_limits",
    ]
    assert (made["uid"], made["user_count"]) == ("data-team", 0)
    assert live.http.get(f"{live.api}/groups/data-team", timeout=10).json()["title"] == "Data Team"
    listed = client.call("GET", "/groups/?limit=100&sort=group__title").json()
    assert [g["uid"] for g in listed["results"]] == ["data-team", "editors"]
    assert client.call("GET", "/groups/?sort=titel").status_code == 400
    # a change sent as form fields, as a real client does
    r = client.http.put(
        f"{client.base}/groups/data-team/",
        data={"title": "Data", "permissions": ["edit_dataset", "publish_dataset"]},
        timeout=10,
    )
    assert r.status_code == 200, r.text
    assert r.json()["permissions"] == ["edit_dataset", "publish_dataset"]
    r = client.call("POST", "/groups/data-team/users/", {"username": "ana"})
    assert (r.status_code, r.json()["username"]) == (201, "ana")
    assert r.json()["groups"] == [{"uid": "data-team"}]
    again = client.call("POST", "/groups/data-team/users/", {"username": "ana"})
    assert (again.status_code, list(again.json()["detail"])) == (400, ["username"])
    unknown = client.call("POST", "/groups/data-team/users/", {"username": "nobody"})
    assert (unknown.status_code, list(unknown.json()["detail"])) == (400, ["username"])
    batch = client.call(
        "POST", "/groups/data-team/users/batch/", [{"username": "bo"}, {"username": "x"}]
    )
    assert batch.status_code == 200
    assert (
        batch.json()["0"]["status_code"] == "success"
        and batch.json()["1"]["status_code"] == "error"
    )
    members = client.call("GET", "/groups/data-team/users/").json()
    assert [u["username"] for u in members["results"]] == ["ana", "bo"]
    r = client.call("DELETE", "/groups/data-team/users/ana/")
    assert (r.status_code, r.content) == (204, b"")
    assert client.call("DELETE", "/groups/data-team/users/ana").status_code == 404
    assert client.call("DELETE", "/groups/data-team").status_code == 204
    assert client.call("GET", "/groups/data-team/").status_code == 404
    r = client.call("POST", "/groups/", {"description": "no title"})
    assert (r.status_code, list(r.json()["detail"])) == (400, ["title"])


def test_api_keys_created_with_a_password_201_and_read_by_uid(live: Live) -> None:
    client = Client(live)
    client.http.headers.pop("Authorization")
    client.http.auth = ("admin", "admin")
    r = client.call("POST", "/apikeys/", {"label": "R script", "permissions": ["edit_dataset"]})
    assert r.status_code == 201, r.text
    made = r.json()
    assert list(made) == [
        "uid",
        "label",
        "key",
        "permissions",
        "user",
        "revocation_status",
        "is_revoked",
    ]
    assert made["uid"].startswith("ak_") and made["user"] == {"username": "admin"}
    # the new key works on both surfaces
    with_key = requests.get(
        f"{live.api}/datasets/", headers={"Authorization": f"Apikey {made['key']}"}, timeout=10
    )
    assert with_key.status_code == 200
    assert client.call("GET", f"/apikeys/{made['uid']}").json() == made
    listed = client.call("GET", "/apikeys/").json()
    assert made in listed["results"]
    r = client.call("PUT", f"/apikeys/{made['uid']}/", {"label": "renamed"})
    assert (r.status_code, r.json()["label"]) == (200, "renamed")
    assert client.call("GET", "/apikeys/ak_nope00/").status_code == 404
    bad = client.call("POST", "/apikeys/", {"permissions": ["everything"]})
    assert (bad.status_code, list(bad.json()["detail"])) == (400, ["permissions[0]"])
    assert client.call("GET", "/apikeys/").json()["total_count"] == listed["total_count"]
