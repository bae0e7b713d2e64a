"""Bodies and their parsing: every input bounded, refused in the API's shape, never a 500."""

from __future__ import annotations

import io
import json
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask.testing import FlaskClient

from simulator.api import create_app
from tests.conftest import API, AUTH, check_contract, recorded, scenario_from
from tests.contract import Recorder

SHAPE = {"status_code", "error_key", "message", "raw_message", "raw_params"}

Make = Callable[..., FlaskClient]


@pytest.fixture
def make_bounded() -> Iterator[Make]:
    """A test client of an app with the given body limits, its answers contract-checked."""
    recorders: list[Recorder] = []

    def make(**limits: int) -> FlaskClient:
        app = create_app(config={"clock_mode": "manual"}, scenario=scenario_from(""), **limits)
        return recorded(app, recorders).test_client()

    yield make
    check_contract(recorders)


def refused(answer: Any, status: int = 400, key: str = "InvalidJSONException") -> dict[str, Any]:
    body = answer.get_json()
    assert answer.status_code == status, answer.get_data()[:300]
    assert set(body) == SHAPE and body["error_key"] == key, body
    return body


def dataset_count(c: FlaskClient) -> int:
    return len(c.get(f"{API}/datasets", headers=AUTH).get_json()["datasets"])


def stored_files(c: FlaskClient) -> int:
    return json.loads(c.get("/_sim/snapshot").get_data())["state"]["counts"]["files"]


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ('{"dataset_id": ' + "7" * 5000 + "}", "an integer of 5000 digits"),
        ('{"metas": {"default": {"title": ' + "1" * 31 + "}}}", "an integer of 31 digits"),
        ("[" * 65 + "]" * 65, "nested deeper than 64 levels"),
        ("[" * 100_000 + "]" * 100_000, "nested deeper than 64 levels"),
        ('{"dataset_id": NaN}', "NaN is not a JSON value"),
        ('{"dataset_id": -Infinity}', "-Infinity is not a JSON value"),
    ],
    ids=["5000-digits", "31-digits", "65-deep", "100000-deep", "nan", "infinity"],
)
def test_json_beyond_the_bounds_is_a_400_and_changes_nothing(
    client: FlaskClient, body: str, reason: str
) -> None:
    answer = client.post(f"{API}/datasets", data=body, headers=AUTH)
    assert reason in refused(answer)["raw_params"]["reason"]
    assert dataset_count(client) == 0


def test_json_at_the_bounds_is_read(client: FlaskClient) -> None:
    metas = {"default": {"title": "Deep", "keyword": ["x"]}}
    created = client.post(f"{API}/datasets", data=json.dumps({"metas": metas}), headers=AUTH)
    assert created.status_code == 200
    deep = "[" * 63 + "]" * 63  # inside the object: 64 levels in all
    answer = client.post("/_sim/clock/advance", data=f'{{"seconds": 1, "x": {deep}}}')
    assert answer.status_code == 200


@pytest.mark.parametrize(
    ("send", "key"),
    [
        ({"data": '{"seconds": ' + "1" * 400 + "}"}, "InvalidJSONException"),
        ({"query_string": {"seconds": "1" * 400}}, "InvalidParameterException"),
        ({"query_string": {"seconds": "1e400"}}, "InvalidParameterException"),
        ({"query_string": {"seconds": "nan"}}, "InvalidParameterException"),
    ],
    ids=["json-400-digits", "query-400-digits", "query-1e400", "query-nan"],
)
def test_huge_or_non_finite_seconds_are_refused(client: FlaskClient, send: Any, key: str) -> None:
    body = refused(client.post("/_sim/clock/advance", **send), 400, key)
    assert body["raw_params"].get("parameter", "seconds") == "seconds"
    assert client.get("/_sim/clock").get_json()["now"] == 0


@pytest.mark.parametrize("speed", ["1" * 400, "1e400", "nan", "-inf"])
def test_huge_or_non_finite_speeds_are_refused(client: FlaskClient, speed: str) -> None:
    answer = client.put("/_sim/clock", query_string={"speed": speed, "mode": "realtime"})
    assert answer.status_code == 400
    assert answer.get_json()["raw_params"]["parameter"] == "speed"
    assert client.get("/_sim/clock").get_json()["mode"] == "manual"


def test_a_body_over_the_limit_is_a_413_in_the_api_shape(make_bounded: Make) -> None:
    c = make_bounded(max_body=1024)
    big = json.dumps({"metas": {"default": {"title": "x" * 2000}}})
    body = refused(
        c.post(f"{API}/datasets", data=big, headers=AUTH), 413, "RequestEntityTooLargeException"
    )
    assert body["raw_params"] == {"limit": 1024}
    assert dataset_count(c) == 0
    fits = json.dumps({"metas": {"default": {"title": "x" * 500}}})
    assert c.post(f"{API}/datasets", data=fits, headers=AUTH).status_code == 200


def test_the_body_limit_covers_the_control_api(make_bounded: Make) -> None:
    c = make_bounded(max_body=1024)
    answer = c.put("/_sim/scenario", data="seed: 1\n" + "#" * 2000)
    refused(answer, 413, "RequestEntityTooLargeException")
    assert c.get("/_sim/scenario").get_json()["seed"] == 0


def test_uploads_have_their_own_limit(make_bounded: Make) -> None:
    c = make_bounded(max_body=1024, max_upload=4096)
    csv = "name,height\n" + "oak,12\n" * 300  # 2,112 bytes: over the body limit, under the upload's
    files = {"file": (io.BytesIO(csv.encode()), "trees.csv", "text/csv")}
    assert c.post(f"{API}/files", data=files, headers=AUTH).status_code == 200
    bigger = {"file": (io.BytesIO(csv.encode() * 3), "trees.csv", "text/csv")}
    body = refused(
        c.post(f"{API}/files", data=bigger, headers=AUTH), 413, "RequestEntityTooLargeException"
    )
    assert body["raw_params"] == {"limit": 4096}
    assert stored_files(c) == 1


def test_a_csv_field_longer_than_a_publish_reads_is_refused_at_upload(client: FlaskClient) -> None:
    upload = {"content": "a,b\n" + "x" * 140_000 + ",1\n", "filename": "wide.csv"}
    body = refused(
        client.post(f"{API}/files", data=json.dumps(upload), headers=AUTH),
        400,
        "InvalidParameterException",
    )
    assert body["raw_params"]["parameter"] == "file"
    assert "line 2" in body["message"]
    assert stored_files(client) == 0


@pytest.mark.parametrize("mimetype", ["text/csv; charset=é☃", "texte", "text/csv\r\nX-Evil: 1"])
def test_a_media_type_no_download_could_carry_is_refused_at_upload(
    client: FlaskClient, mimetype: str
) -> None:
    upload = {"content": "a\n1\n", "filename": "a.csv", "mimetype": mimetype}
    body = refused(
        client.post(f"{API}/files", data=json.dumps(upload), headers=AUTH),
        400,
        "InvalidParameterException",
    )
    assert body["raw_params"]["parameter"] == "mimetype"
    assert stored_files(client) == 0


def test_a_multipart_media_type_is_checked_as_a_json_one(client: FlaskClient) -> None:
    odd = {"file": (io.BytesIO(b"a\n1\n"), "a.csv", "t\u00ebxt/csv")}
    body = refused(
        client.post(f"{API}/files", data=odd, headers=AUTH), 400, "InvalidParameterException"
    )
    assert body["raw_params"]["parameter"] == "mimetype"
    # the part's parameters are dropped: only its type is kept, and served back
    kept = {"file": (io.BytesIO(b"a\n1\n"), "a.csv", "text/csv; charset=\u00e9")}
    stored = client.post(f"{API}/files", data=kept, headers=AUTH).get_json()
    assert stored["properties"]["mimetype"] == "text/csv"
    download = client.get(f"{API}/files/{stored['file_id']}/download", headers=AUTH)
    assert download.status_code == 200


def test_an_accepted_media_type_comes_back_on_the_download(client: FlaskClient) -> None:
    upload = {"content": "a\n1\n", "filename": "a.csv", "mimetype": "text/csv; charset=utf-8"}
    file_id = client.post(f"{API}/files", data=json.dumps(upload), headers=AUTH).get_json()[
        "file_id"
    ]
    download = client.get(f"{API}/files/{file_id}/download", headers=AUTH)
    assert download.status_code == 200
    assert download.headers["Content-Type"].startswith("text/csv; charset=utf-8")


@pytest.mark.parametrize(
    "content_type",
    [None, "application/json", "text/plain", "application/x-www-form-urlencoded"],
)
def test_files_reads_a_json_body_whatever_the_content_type(
    client: FlaskClient, content_type: str | None
) -> None:
    upload = {"content": "a,b\n1,2\n", "filename": "a.csv", "mimetype": "text/csv"}
    headers = dict(AUTH)
    if content_type is not None:
        headers["Content-Type"] = content_type
    answer = client.post(f"{API}/files", data=json.dumps(upload), headers=headers)
    assert answer.status_code == 200, answer.get_data()[:300]
    assert answer.get_json()["properties"]["records"] == 1


@pytest.mark.parametrize(
    "content", ["[" * 100_000 + "]" * 100_000, '[{"id": ' + "9" * 5000 + "}]"], ids=["deep", "long"]
)
def test_a_json_file_no_publish_could_read_is_refused_at_upload(
    client: FlaskClient, content: str
) -> None:
    upload = {"content": content, "filename": "odd.json", "mimetype": "application/json"}
    body = refused(
        client.post(f"{API}/files", data=json.dumps(upload), headers=AUTH),
        400,
        "InvalidParameterException",
    )
    assert body["raw_params"]["parameter"] == "file"
    assert stored_files(client) == 0


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "1e400", "x"])
def test_timeline_bounds_are_finite_numbers(client: FlaskClient, value: str) -> None:
    for name in ("since", "until"):
        body = refused(
            client.get("/_sim/timeline", query_string={name: value}),
            400,
            "InvalidParameterException",
        )
        assert body["raw_params"]["parameter"] == name


def test_integral_floats_are_integers_where_integers_are_expected(client: FlaskClient) -> None:
    uid = client.post(f"{API}/datasets", data="{}", headers=AUTH).get_json()["dataset_uid"]
    body = json.dumps({"url": "https://example.com/a.csv", "records": 8217.0})
    resource = client.post(f"{API}/datasets/{uid}/resources", data=body, headers=AUTH).get_json()
    assert resource["records"] == 8217 and isinstance(resource["records"], int)
    half = json.dumps({"url": "https://example.com/a.csv", "records": 8217.5})
    refused(
        client.post(f"{API}/datasets/{uid}/resources", data=half, headers=AUTH),
        400,
        "InvalidParameterException",
    )
    restored = client.put(
        f"{API}/datasets/{uid}/restore_change", data='{"change_uid": 1.0}', headers=AUTH
    )
    assert restored.status_code == 200
    listed = client.get(f"{API}/datasets", query_string={"rows": "10.0"}, headers=AUTH)
    assert listed.status_code == 200


BAD_SCENARIOS = {
    "billion-laughs": "a: &a [x, x, x, x, x, x, x, x, x]\n"
    + "".join(
        f"{c}: &{c} [{', '.join([f'*{p}'] * 9)}]\n"
        for p, c in zip("abcdefgh", "bcdefghi", strict=True)
    ),
    "past-the-end": "datasets: [{dataset_id: a}]\n"
    "script: [{at: 1.0e+12, action: publish, dataset: a}]",
    "header-newline": "faults: [{type: http, path: /x, status: 503, "
    'headers: {Retry-After: "1\\r\\nX: y"}}]',
    "date-in-a-body": "faults: [{type: http, path: /x, status: 503, body: {until: 2026-01-01}}]",
}


@pytest.mark.parametrize("name", BAD_SCENARIOS)
def test_a_scenario_past_the_bounds_is_refused_and_the_world_stays(
    make_client: Callable[..., FlaskClient], name: str
) -> None:
    c = make_client("seed: 4\ndatasets: [{dataset_id: kept, dataset_uid: da_kept01}]")
    c.post("/_sim/clock/advance", data='{"seconds": 7}')
    started = time.perf_counter()
    answer = c.put("/_sim/scenario", data=BAD_SCENARIOS[name])
    assert time.perf_counter() - started < 5, "bounded time: refused before it expands"
    body = refused(answer, 400, "InvalidScenarioException")
    assert body["raw_params"]["line"] is not None
    assert c.get("/_sim/clock").get_json()["now"] == 7
    assert c.get(f"{API}/datasets/da_kept01", headers=AUTH).status_code == 200
