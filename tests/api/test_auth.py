"""Authentication variants and permissions."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable

import pytest
from flask.testing import FlaskClient

from simulator.scenario.loading import DEFAULT_API_KEY
from tests.conftest import API

Make = Callable[..., FlaskClient]

USERS = """
users:
  - {username: admin, password: s3cret, api_keys: [admin-key], permissions: all}
  - {username: reader, password: r, api_keys: [reader-key], permissions: [edit_dataset]}
  - {username: nobody, password: n, permissions: []}
datasets:
  - {dataset_id: a, dataset_uid: da_aaaaaa}
"""


def basic(user: str, password: str) -> dict[str, str]:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


@pytest.mark.parametrize("scheme", ["Apikey", "apikey", "ApiKey", "APIKEY"])
def test_the_apikey_scheme_word_is_case_insensitive(client: FlaskClient, scheme: str) -> None:
    r = client.get(f"{API}/datasets", headers={"Authorization": f"{scheme} {DEFAULT_API_KEY}"})
    assert r.status_code == 200


def test_the_key_may_come_in_the_query_string(client: FlaskClient) -> None:
    assert client.get(f"{API}/datasets?apikey={DEFAULT_API_KEY}").status_code == 200


def test_http_basic_with_the_default_admin(client: FlaskClient) -> None:
    assert client.get(f"{API}/datasets", headers=basic("admin", "admin")).status_code == 200


@pytest.mark.parametrize(
    ("headers", "query", "reason"),
    [
        ({}, "", "No credentials were sent"),
        ({"Authorization": "Apikey wrong"}, "", "Unknown API key"),
        ({}, "?apikey=wrong", "Unknown API key"),
        (basic("admin", "nope"), "", "Wrong username or password"),
        (basic("ghost", "admin"), "", "Wrong username or password"),
        ({"Authorization": "Basic !!!"}, "", "Malformed HTTP Basic credentials"),
        ({"Authorization": "Bearer abc"}, "", "Unsupported Authorization scheme 'Bearer'"),
    ],
)
def test_missing_or_wrong_credentials_get_a_401(
    client: FlaskClient, headers: dict[str, str], query: str, reason: str
) -> None:
    r = client.get(f"{API}/datasets{query}", headers=headers)
    assert r.status_code == 401
    body = r.get_json()
    assert body["error_key"] == "AuthenticationRequiredException"
    assert body["raw_params"] == {"reason": reason}


def test_every_management_path_needs_credentials(client: FlaskClient) -> None:
    for method, path in [
        ("GET", "/datasets/da_x"),
        ("PUT", "/datasets/da_x/publish"),
        ("GET", "/jobs"),
    ]:
        assert client.open(f"{API}{path}", method=method).status_code == 401


def test_users_of_the_scenario_authenticate_with_their_own_credentials(make_client: Make) -> None:
    c = make_client(USERS)
    assert c.get(f"{API}/datasets", headers=basic("admin", "s3cret")).status_code == 200
    assert (
        c.get(f"{API}/datasets", headers={"Authorization": "Apikey reader-key"}).status_code == 200
    )
    assert (
        c.get(f"{API}/datasets", headers={"Authorization": f"Apikey {DEFAULT_API_KEY}"}).status_code
        == 401
    )


def test_a_user_without_a_permission_gets_a_403_and_nothing_happens(make_client: Make) -> None:
    c = make_client(USERS)
    reader = {"Authorization": "Apikey reader-key"}
    r = c.put(f"{API}/datasets/da_aaaaaa/publish", headers=reader)
    assert r.status_code == 403
    assert r.get_json()["raw_params"] == {"username": "reader", "permission": "publish_dataset"}
    assert c.post(f"{API}/datasets", headers=reader).status_code == 403
    assert c.get(f"{API}/datasets", headers=basic("nobody", "n")).status_code == 403
    assert c.get("/_sim/timeline").get_json() == []


HIDDEN = """
users:
  - {username: admin, password: admin, api_keys: [admin-key], permissions: all}
  - {username: ed, password: ed, api_keys: [ed-key], permissions: [create_dataset, edit_dataset]}
datasets:
  - {dataset_id: secret-plan, dataset_uid: da_secret, visibility: restricted,
     metas: {default: {title: Secret plan}}}
  - {dataset_id: open-plan, dataset_uid: da_open01, metas: {default: {title: Open plan}}}
"""


@pytest.mark.parametrize("strict", ["", "?strict=true"])
def test_creating_over_a_hidden_id_tells_no_more_than_over_a_visible_one(
    make_client: Callable[..., FlaskClient], strict: str
) -> None:
    answers = {}
    for wanted in ("secret-plan", "open-plan"):
        c = make_client(HIDDEN)
        body = json.dumps({"dataset_id": wanted})
        answer = c.post(
            f"{API}/datasets{strict}", data=body, headers={"Authorization": "Apikey ed-key"}
        )
        text = answer.get_data(as_text=True)
        assert "da_secret" not in text and "Secret plan" not in text
        assert "da_open01" not in text and "Open plan" not in text
        answers[wanted] = (answer.status_code, text.replace(wanted, "<id>"))
    hidden, visible = answers["secret-plan"], answers["open-plan"]
    if strict:
        assert hidden == visible, "the same refusal, whoever holds the id"
    else:
        assert hidden[0] == visible[0] == 200
        assert (
            json.loads(hidden[1])["dataset_id"] == json.loads(visible[1])["dataset_id"] == "<id>-2"
        )
