"""Datasets: create, list, get, update, delete, through the Flask test client."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import pytest
from flask.testing import FlaskClient

from tests.conftest import API, AUTH

Make = Callable[..., FlaskClient]

THREE = """
datasets:
  - {dataset_id: trees, dataset_uid: da_trees1, metas: {default: {title: Trees}}}
  - {dataset_id: bikes, dataset_uid: da_bikes1, published: true, resources: [{records: 10}]}
  - {dataset_id: toilets, dataset_uid: da_toilet}
"""


def create(client: FlaskClient, body: object = None, query: str = "", **kw: object):  # type: ignore[no-untyped-def]
    data = kw.pop("data", None)
    if data is None and body is not None:
        data = json.dumps(body)
    return client.post(f"{API}/datasets{query}", data=data, headers=AUTH, **kw)


def test_create_with_an_empty_body_uses_the_uid_as_dataset_id(client: FlaskClient) -> None:
    r = create(client)
    assert r.status_code == 200
    body = r.get_json()
    assert re.fullmatch(r"da_[a-z0-9]{6}", body["dataset_uid"])
    assert body["dataset_id"] == body["dataset_uid"]
    assert body["published"] is False
    assert body["status"] == {"name": "idle"}
    assert body["last_modified"] == "2026-01-01T00:00:00+00:00"


def test_create_slugifies_the_title_into_the_dataset_id(client: FlaskClient) -> None:
    body = create(
        client, {"metas": {"default": {"title": "Arbres remarquables à Paris!"}}}
    ).get_json()
    assert body["dataset_id"] == "arbres-remarquables-a-paris"
    assert body["metas"]["default"]["title"] == "Arbres remarquables à Paris!"
    assert body["metas"]["publishing"] == {"published": False}


def test_a_taken_dataset_id_gets_a_suffix(client: FlaskClient) -> None:
    ids = [create(client, {"dataset_id": "trees"}).get_json()["dataset_id"] for _ in range(3)]
    assert ids == ["trees", "trees-2", "trees-3"]


def test_strict_mode_refuses_a_missing_or_taken_dataset_id(client: FlaskClient) -> None:
    r = create(client, {"metas": {"default": {"title": "x"}}}, "?strict=true")
    assert r.status_code == 400
    assert r.get_json()["error_key"] == "ODSException"
    assert create(client, {"dataset_id": "trees"}, "?strict=true").status_code == 200
    r = create(client, {"dataset_id": "trees"}, "?strict=true")
    assert r.status_code == 400
    assert r.get_json()["message"] == "The dataset_id 'trees' is already used"


def test_json_is_read_whatever_the_content_type(client: FlaskClient) -> None:
    raw = json.dumps({"dataset_id": "plain"})
    for headers in (
        {},
        {"Content-Type": "text/plain"},
        {"Content-Type": "application/x-www-form-urlencoded"},
    ):
        r = client.post(f"{API}/datasets", data=raw, headers={**AUTH, **headers})
        assert r.status_code == 200, r.get_json()
    listed = client.get(f"{API}/datasets", headers=AUTH).get_json()
    assert [d["dataset_id"] for d in listed["datasets"]] == ["plain", "plain-2", "plain-3"]


@pytest.mark.parametrize(
    ("body", "key", "parameter"),
    [
        ("{not json", "InvalidJSONException", None),
        ("[1, 2]", "InvalidParameterException", "body"),
        ('{"dataset_id": "has space"}', "InvalidParameterException", "dataset_id"),
        ('{"dataset_id": 12}', "InvalidParameterException", "dataset_id"),
        ('{"datset_id": "x"}', "InvalidParameterException", "datset_id"),
        (
            '{"metas": {"default": {"keyword": [1]}}}',
            "InvalidParameterException",
            "metas.default.keyword",
        ),
        (
            '{"metas": {"default": {"modified": "2024-01-31T12:00:00"}}}',
            "InvalidParameterException",
            "metas.default.modified",
        ),
        ('{"metas": {"defualt": {}}}', "InvalidParameterException", "metas"),
        ('{"visibility": "public"}', "InvalidParameterException", "visibility"),
    ],
)
def test_bad_creation_bodies_get_a_400_naming_the_field_and_create_nothing(
    client: FlaskClient, body: str, key: str, parameter: str | None
) -> None:
    r = create(client, data=body)
    assert r.status_code == 400
    error = r.get_json()
    assert error["error_key"] == key
    if parameter:
        assert error["raw_params"]["parameter"] == parameter
    assert client.get(f"{API}/datasets", headers=AUTH).get_json()["nhits"] == 0


def test_hints_name_the_closest_known_field(client: FlaskClient) -> None:
    error = create(client, {"metas": {"default": {"titel": "x"}}}).get_json()
    assert "did you mean 'title'?" in error["message"]


def test_list_answers_datasets_under_a_datasets_key(make_client: Make) -> None:
    client = make_client(THREE)
    body = client.get(f"{API}/datasets", headers=AUTH).get_json()
    assert [d["dataset_id"] for d in body["datasets"]] == ["trees", "bikes", "toilets"]
    assert body["nhits"] == 3


@pytest.mark.parametrize("where", ['datasetid="bikes"', "datasetid='bikes'", "datasetid=bikes"])
def test_list_filters_with_where(make_client: Make, where: str) -> None:
    client = make_client(THREE)
    body = client.get(f"{API}/datasets", query_string={"where": where}, headers=AUTH).get_json()
    assert [d["dataset_uid"] for d in body["datasets"]] == ["da_bikes1"]


def test_list_pages_and_sorts(make_client: Make) -> None:
    client = make_client(THREE)

    def ids(**query: str) -> list[str]:
        return [
            d["dataset_id"]
            for d in client.get(f"{API}/datasets", query_string=query, headers=AUTH).get_json()[
                "datasets"
            ]
        ]

    assert ids(sort="dataset_id") == ["bikes", "toilets", "trees"]
    assert ids(sort="-dataset_id", rows="2") == ["trees", "toilets"]
    assert ids(sort="-dataset_id", rows="2", page="2") == ["bikes"]
    assert ids(rows="2", page="5") == []


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ({"rows": "1000"}, "rows"),
        ({"rows": "x"}, "rows"),
        ({"page": "0"}, "page"),
        ({"sort": "size"}, "sort"),
        ({"where": "title=x"}, "where"),
    ],
)
def test_list_refuses_bad_parameters(
    make_client: Make, query: dict[str, str], parameter: str
) -> None:
    r = make_client(THREE).get(f"{API}/datasets", query_string=query, headers=AUTH)
    assert r.status_code == 400
    assert r.get_json()["raw_params"]["parameter"] == parameter


def test_unknown_query_parameters_are_ignored(make_client: Make) -> None:
    r = make_client(THREE).get(
        f"{API}/datasets", query_string={"include_app_metas": "true", "x": "y"}, headers=AUTH
    )
    assert r.status_code == 200


def test_get_one_dataset_with_and_without_expanded_status(make_client: Make) -> None:
    client = make_client(THREE)
    plain = client.get(f"{API}/datasets/da_bikes1", headers=AUTH).get_json()
    assert plain["status"] == {"name": "idle"}
    expanded = client.get(f"{API}/datasets/da_bikes1?expand=status", headers=AUTH).get_json()
    assert expanded["status"] == {
        "name": "idle",
        "published": True,
        "since": "2026-01-01T00:00:00+00:00",
        "user": {"username": "admin"},
        "records_errors": 0,
    }


def test_an_unknown_dataset_is_a_404_in_the_api_shape(client: FlaskClient) -> None:
    r = client.get(f"{API}/datasets/da_nope00", headers=AUTH)
    assert r.status_code == 404
    assert r.get_json() == {
        "status_code": 404,
        "error_key": "UnknownDatasetException",
        "message": "Unknown dataset: da_nope00",
        "raw_message": "Unknown dataset: {dataset_uid}",
        "raw_params": {"dataset_uid": "da_nope00"},
    }


def test_update_changes_the_id_of_an_unpublished_dataset_and_merges_metas(
    make_client: Make,
) -> None:
    client = make_client(THREE)
    client.post("/_sim/clock/advance", json={"seconds": 90})
    body = {"dataset_id": "old-trees", "metas": {"default": {"keyword": ["a", "b"]}}}
    r = client.put(f"{API}/datasets/da_trees1", data=json.dumps(body), headers=AUTH)
    assert r.status_code == 200
    updated = r.get_json()
    assert updated["dataset_id"] == "old-trees"
    assert updated["metas"]["default"] == {"title": "Trees", "keyword": ["a", "b"]}
    assert updated["last_modified"] == "2026-01-01T00:01:30+00:00"
    found = client.get(f"{API}/datasets?where=datasetid=old-trees", headers=AUTH).get_json()
    assert [d["dataset_uid"] for d in found["datasets"]] == ["da_trees1"]


def test_update_removes_a_meta_set_to_null(make_client: Make) -> None:
    client = make_client(THREE)
    body = {"metas": {"default": {"title": None}}}
    updated = client.put(
        f"{API}/datasets/da_trees1", data=json.dumps(body), headers=AUTH
    ).get_json()
    assert "title" not in updated["metas"]["default"]


def test_a_published_dataset_keeps_its_id_and_a_refused_update_changes_nothing(
    make_client: Make,
) -> None:
    client = make_client(THREE)
    before = client.get(f"{API}/datasets/da_bikes1", headers=AUTH).get_json()
    body = {"dataset_id": "cycles", "metas": {"default": {"title": "Cycles"}}}
    r = client.put(f"{API}/datasets/da_bikes1", data=json.dumps(body), headers=AUTH)
    assert r.status_code == 400
    assert "unpublish it first" in r.get_json()["message"]
    assert client.get(f"{API}/datasets/da_bikes1", headers=AUTH).get_json() == before


def test_an_update_with_one_bad_meta_changes_nothing(make_client: Make) -> None:
    client = make_client(THREE)
    before = client.get(f"{API}/datasets/da_trees1", headers=AUTH).get_json()
    body = {"dataset_id": "renamed", "metas": {"default": {"title": "New", "language": 3}}}
    r = client.put(f"{API}/datasets/da_trees1", data=json.dumps(body), headers=AUTH)
    assert r.status_code == 400
    assert client.get(f"{API}/datasets/da_trees1", headers=AUTH).get_json() == before


def test_renaming_onto_a_taken_id_is_refused(make_client: Make) -> None:
    client = make_client(THREE)
    r = client.put(f"{API}/datasets/da_trees1", data='{"dataset_id": "toilets"}', headers=AUTH)
    assert r.status_code == 400
    assert r.get_json()["raw_params"] == {"dataset_id": "toilets"}


def test_deleting_an_unpublished_dataset_is_immediate(make_client: Make) -> None:
    client = make_client(THREE)
    r = client.delete(f"{API}/datasets/da_trees1", headers=AUTH)
    assert (r.status_code, r.get_json()) == (200, {})
    assert client.get(f"{API}/datasets/da_trees1", headers=AUTH).status_code == 404
    assert client.get("/_sim/timeline").get_json()[-1]["to"] == "removed"


def test_deleting_a_published_dataset_runs_a_job_then_it_is_gone(make_client: Make) -> None:
    client = make_client(THREE)
    r = client.delete(f"{API}/datasets/da_bikes1", headers=AUTH)
    assert r.status_code == 200
    assert re.fullmatch(r"[0-9a-f]{40}", r.get_json()["job_id"])
    status = client.get(
        f"{API}/datasets/da_bikes1/status?status_names=fine", headers=AUTH
    ).get_json()
    assert status["name"] == "deleting_all_dataset_data"
    client.post("/_sim/clock/run_until_idle")
    assert client.get(f"{API}/datasets/da_bikes1", headers=AUTH).status_code == 404


def test_every_path_answers_with_and_without_a_trailing_slash(make_client: Make) -> None:
    client = make_client(THREE)
    for path in ("/datasets", "/datasets/da_trees1", "/datasets/da_trees1/status", "/jobs"):
        assert client.get(f"{API}{path}", headers=AUTH).status_code == 200
        assert client.get(f"{API}{path}/", headers=AUTH).status_code == 200
    assert create(client, {"dataset_id": "slash"}, "/").status_code == 200
