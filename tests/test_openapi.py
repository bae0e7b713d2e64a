"""The OpenAPI documents: valid, served, complete, and strict enough to catch drift."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from jsonschema import Draft202012Validator
from schemathesis.specs.openapi.definitions import OPENAPI_31

from simulator.api import create_app
from simulator.api.automation.openapi import automation_document
from simulator.api.control.openapi import control_document
from simulator.api.management.openapi import management_document
from simulator.domain.statemachine import PUBLIC_NAMES, Status
from tests.conftest import API, AUTH
from tests.contract import Exchange, contract

AUTOMATION = "/api/automation/v1.0"

DOCUMENTS = {
    "management": management_document,
    "automation": automation_document,
    "control": control_document,
}


@pytest.fixture(scope="module")
def app() -> Flask:
    return create_app(config={"clock_mode": "manual"})


def refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from refs(item)


@pytest.mark.parametrize("name", DOCUMENTS)
def test_the_document_is_valid_openapi_3_1(name: str) -> None:
    document = DOCUMENTS[name]()
    errors = [e.message for e in Draft202012Validator(OPENAPI_31).iter_errors(document)]
    assert errors == []
    for schema in document["components"]["schemas"].values():
        Draft202012Validator.check_schema(schema)


@pytest.mark.parametrize("name", DOCUMENTS)
def test_every_reference_resolves(name: str) -> None:
    document = DOCUMENTS[name]()
    for ref in set(refs(document)):
        node: Any = document
        for part in ref.removeprefix("#/").split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        assert isinstance(node, dict), ref


@pytest.mark.parametrize("name", DOCUMENTS)
def test_operation_ids_are_unique(name: str) -> None:
    ids = [
        op["operationId"]
        for item in DOCUMENTS[name]()["paths"].values()
        for method, op in item.items()
        if method != "parameters"
    ]
    assert len(ids) == len(set(ids))


def documented() -> set[tuple[str, str, str]]:
    """(method, path in Flask's syntax, operationId) of both documents."""
    found = set()
    for make in DOCUMENTS.values():
        document = make()
        prefix = document["servers"][0]["url"].rstrip("/")
        for path, item in document["paths"].items():
            rule = re.sub(r"{(\w+)}", r"<\1>", (prefix + path).rstrip("/") or "/")
            for method, op in item.items():
                if method != "parameters":
                    found.add((method.upper(), rule, op["operationId"]))
    return found


def test_every_route_is_documented_and_every_operation_served(app: Flask) -> None:
    served = {
        (method, rule.rule, rule.endpoint.rpartition(".")[2])
        for rule in app.url_map.iter_rules()
        for method in rule.methods - {"HEAD", "OPTIONS"}  # type: ignore[operator]
    }
    assert served - documented() == set(), "served but not documented"
    assert documented() - served == set(), "documented but not served"


def test_every_status_value_is_named() -> None:
    schemas = management_document()["components"]["schemas"]
    assert set(schemas["StatusName"]["enum"]) == set(PUBLIC_NAMES) | {s.value for s in Status}
    assert schemas["FineStatus"]["enum"] == [s.value for s in Status]


def test_auth_schemes_are_the_three_the_api_accepts() -> None:
    document = management_document()
    schemes = document["components"]["securitySchemes"]
    assert schemes["ApiKeyHeader"] == {
        **schemes["ApiKeyHeader"],
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
    }
    assert schemes["ApiKeyQuery"]["in"] == "query"
    assert schemes["BasicAuth"]["scheme"] == "basic"
    assert {next(iter(s)) for s in document["security"]} == set(schemes)


@pytest.mark.parametrize(
    ("path", "make"),
    [
        (f"{API}/openapi.json", management_document),
        ("/api/automation/v1.0/openapi.json", automation_document),
        ("/_sim/openapi.json", control_document),
    ],
)
def test_the_documents_are_served_without_credentials(path: str, make: Any) -> None:
    client = create_app(config={"clock_mode": "manual"}).test_client()
    r = client.get(path)
    assert r.status_code == 200
    assert r.mimetype == "application/json"
    assert r.get_json() == json.loads(json.dumps(make()))


# the contract checker itself: it must catch what it is there to catch ----------------------


def exchange(method: str, path: str, status: int, data: Any, media: str = "") -> Exchange:
    body = data if isinstance(data, bytes) else json.dumps(data).encode()
    return Exchange(method, path, status, media or "application/json", {}, body)


@pytest.fixture(scope="module")
def status_answer(app: Flask) -> dict[str, Any]:
    client: FlaskClient = app.test_client()
    return client.get(f"{API}/datasets/da_trees1/status", headers=AUTH).get_json()  # type: ignore[no-any-return]


@pytest.mark.parametrize("path", [f"{API}/datasets/x/status", f"{API}/datasets/x/status/"])
def test_a_true_answer_passes(status_answer: dict[str, Any], path: str) -> None:
    assert contract().problem(exchange("GET", path, 200, status_answer)) is None


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"name": "sleeping"}, "name"),
        ({"published": "yes"}, "published"),
        ({"since": "yesterday"}, "since"),
        ({"surprise": 1}, "surprise"),
    ],
)
def test_a_wrong_answer_is_caught(
    status_answer: dict[str, Any], change: dict[str, Any], expected: str
) -> None:
    problem = contract().problem(
        exchange("GET", f"{API}/datasets/x/status", 200, {**status_answer, **change})
    )
    assert problem is not None and expected in problem


@pytest.mark.parametrize(
    ("ex", "expected"),
    [
        (exchange("GET", f"{API}/datasets/x/status", 418, {}), "status not documented"),
        (exchange("GET", f"{API}/datasets/x/status", 200, b"idle", "text/plain"), "media type"),
        (exchange("DELETE", f"{API}/datasets/x/resources/r", 204, b"{}"), "expected no body"),
        (exchange("GET", "/nowhere", 200, {}), "expected 404"),
        (exchange("GET", f"{API}/datasets/x/publish", 404, {}), "expected 405"),
        (exchange("GET", f"{API}/datasets/x", 404, {"status_code": 404}), "error_key"),
        (exchange("GET", f"{AUTOMATION}/nowhere", 404, {"status_code": 404}), "error_code"),
        (exchange("GET", f"{AUTOMATION}/datasets/x/status", 200, {"status": "x"}), "status"),
    ],
)
def test_undocumented_answers_are_caught(ex: Exchange, expected: str) -> None:
    problem = contract().problem(ex)
    assert problem is not None and expected in problem


def test_a_scripted_fault_is_not_held_against_the_documents() -> None:
    faulted = Exchange("GET", f"{API}/datasets", 503, "text/plain", {"x-sim-fault": "http"}, b"")
    assert contract().problem(faulted) is None
