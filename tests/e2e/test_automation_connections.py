"""The Automation API v1.0's datasource connections over HTTP, as the SDK's migration
script reads them (list, then each by uid), made and changed through the API."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
import requests

from simulator.scenario.loading import DEFAULT_API_KEY
from tests.conftest import Live

pytestmark = pytest.mark.e2e

MakeLive = Callable[..., Live]
V1 = "/api/automation/v1.0"

WORLD = """
users:
  - {username: admin, password: admin, api_keys: [ods-sim-admin-key], permissions: all}
  - {username: reader, password: reader, api_keys: [reader-key], permissions: []}
"""

HTTP = {
    "type": "http",
    "url": "https://data.example.org/exports",
    "headers": [{"name": "X-Token", "value": "abc"}],
    "auth": {"type": "basic_auth", "username": "etl", "password": "s3cret"},
}
CONNECTION_KEYS = [
    "uid",
    "type",
    "is_reusable",
    "can_reuse",
    "can_manage",
    "dataset_count",
    "user_count",
    "group_count",
    "created_at",
    "updated_at",
    "url",
    "headers",
    "auth",
]


class Client:
    def __init__(self, live: Live, key: str = DEFAULT_API_KEY) -> None:
        self.base = f"{live.url}{V1}"
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"apikey {key}"

    def call(self, method: str, path: str, body: Any = None) -> requests.Response:
        data = None if body is None else json.dumps(body)
        return self.http.request(method, self.base + path, data=data, timeout=10)


@pytest.fixture
def live(make_live: MakeLive) -> Live:
    return make_live(WORLD)


@pytest.fixture
def client(live: Live) -> Client:
    return Client(live)


def test_a_connection_made_listed_read_changed_and_deleted(client: Client) -> None:
    assert client.call("GET", "/datasource_connections/").json()["total_count"] == 0
    r = client.call("POST", "/datasource_connections/", HTTP)
    assert r.status_code == 201, r.text
    made = r.json()
    assert list(made) == CONNECTION_KEYS
    assert made["uid"].startswith("co_") and len(made["uid"]) == 9
    assert made["created_at"] == "2026-01-01" and made["is_reusable"] is True
    assert made["auth"] == {"type": "basic_auth", "username": "etl", "password": None}
    listed = client.call("GET", "/datasource_connections").json()
    assert listed["total_count"] == 1 and listed["results"] == [made]
    assert client.call("GET", f"/datasource_connections/{made['uid']}").json() == made
    # sent back as read, with a new URL: the hidden password stays
    r = client.call(
        "PUT", f"/datasource_connections/{made['uid']}/", {**made, "url": "https://x.org"}
    )
    assert (r.status_code, r.json()["url"]) == (200, "https://x.org")
    ftp = client.call(
        "POST", "/datasource_connections/", {"type": "ftp", "url": "ftp://f.org"}
    ).json()
    assert list(ftp)[-2:] == ["url", "auth"] and ftp["auth"] is None
    by_type = client.call("GET", "/datasource_connections/?sort=-type").json()["results"]
    assert [c["type"] for c in by_type] == ["http", "ftp"]
    r = client.call("DELETE", f"/datasource_connections/{made['uid']}/")
    assert (r.status_code, r.content) == (204, b"")
    r = client.call("GET", f"/datasource_connections/{made['uid']}/")
    assert (r.status_code, r.json()) == (404, {"error_code": "not_found", "message": "Not found."})


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**HTTP, "type": "htp"}, "type"),
        ({k: v for k, v in HTTP.items() if k != "url"}, "url"),
        ({**HTTP, "headers": [{"name": "X"}]}, "headers[0]"),
        ({**HTTP, "auth": {"username": "u"}}, "auth"),
        ({**HTTP, "is_reusable": "perhaps"}, "is_reusable"),
        ({**HTTP, "ulr": "x"}, "ulr"),
        ({"type": "sharepoint", "url": "https://x.org"}, "url"),
    ],
)
def test_bad_input_names_the_field_and_makes_nothing(
    client: Client, body: dict[str, Any], field: str
) -> None:
    r = client.call("POST", "/datasource_connections/", body)
    assert r.status_code == 400, r.text
    assert (r.json()["error_code"], list(r.json()["detail"])) == ("validation_error", [field])
    assert client.call("GET", "/datasource_connections/").json()["total_count"] == 0


def test_the_type_cannot_change_and_a_reader_cannot_see_them(live: Live, client: Client) -> None:
    made = client.call("POST", "/datasource_connections/", HTTP).json()
    r = client.call("PUT", f"/datasource_connections/{made['uid']}/", {"type": "ftp"})
    assert (r.status_code, list(r.json()["detail"])) == (400, ["type"])
    assert Client(live, "reader-key").call("GET", "/datasource_connections/").status_code == 403


def test_a_snapshot_keeps_the_connections(make_live: MakeLive) -> None:
    source, target = make_live(WORLD), make_live(WORLD)
    client = Client(source)
    made = client.call("POST", "/datasource_connections/", HTTP).json()
    client.call("PUT", f"/datasource_connections/{made['uid']}/", {"is_reusable": "false"})
    snapshot = requests.get(f"{source.url}/_sim/snapshot", timeout=10)
    assert requests.put(f"{target.url}/_sim/snapshot", data=snapshot.content).status_code == 200
    seen = [Client(w).call("GET", "/datasource_connections/").json() for w in (source, target)]
    assert seen[0] == seen[1] and seen[0]["results"][0]["is_reusable"] is False
    # and the next uid drawn is the same on both
    again = [
        Client(w).call("POST", "/datasource_connections/", HTTP).json()["uid"]
        for w in (source, target)
    ]
    assert again[0] == again[1]
