"""Processing over HTTP, sent the way real clients send it.

Bodies go as ``data=json.dumps(...)`` with no content type, booleans sometimes as
strings, paths with and without their trailing slash.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
import requests

from simulator.domain.processors import CATALOGUE
from tests.conftest import Live

pytestmark = pytest.mark.e2e

MakeLive = Callable[..., Live]

WORLD = """
users:
  - {username: admin, password: admin, api_keys: [ods-sim-admin-key], permissions: all}
datasets:
  - dataset_id: trees
    dataset_uid: da_trees1
    resources:
      - title: trees.csv
        records: 500
        fields: {name: name, height: float, lat: latitude, lon: longitude}
"""
CSV = (
    "Commune;Code postal;Latitude;Longitude;Planted\n"
    "Nantes;44100;47.218;-1.553;09/10/2017\n"
    "Paris;75001;48.857;2.352;01/02/1999\n"
    "Lyon;69001;45.764;4.835;31/12/2005\n"
)


def send(live: Live, method: str, path: str, body: Any = None) -> requests.Response:
    """A call as client code makes it: JSON text without a content type."""
    data = None if body is None else json.dumps(body)
    return live.http.request(method, f"{live.api}{path}", data=data, timeout=10)


def ok(response: requests.Response) -> Any:
    assert response.status_code == 200, response.text
    assert "json" in response.headers["Content-Type"]
    return response.json()


def wait_idle(live: Live, uid: str) -> dict[str, Any]:
    for _ in range(200):
        status = ok(send(live, "GET", f"/datasets/{uid}/status"))
        if status["name"] in ("idle", "error"):
            return status
        live.advance(5)
    raise AssertionError("never idle")


def test_a_client_configures_processing_as_the_documentation_shows(make_live: MakeLive) -> None:
    live = make_live(WORLD)
    assert ok(send(live, "GET", "/processors/")) == list(CATALOGUE)
    assert ok(send(live, "GET", "/processors")) == list(CATALOGUE)
    ok(
        send(
            live,
            "POST",
            "/files",
            {"content": CSV, "filename": "communes.csv", "mimetype": "text/csv"},
        )
    )
    d = "/datasets/da_trees1"
    resource = ok(
        send(
            live,
            "POST",
            f"{d}/resources/",
            {
                "url": "odsfile://communes.csv",
                "title": "Communes",
                "type": "csvfile",
                "params": {"separator": ";"},
            },
        )
    )

    replace = ok(
        send(
            live,
            "POST",
            f"{d}/processors/",
            {
                "name": "string_replace",
                "args": {
                    "field": "commune",
                    "all_fields": "false",
                    "old": "Paris",
                    "new": "Lutèce",
                },
            },
        )
    )
    assert list(replace) == ["processor_uid", "name", "args"]
    assert replace["args"] == {
        "field": "commune",
        "all_fields": False,
        "old": "Paris",
        "new": "Lutèce",
    }
    extractor = {
        "name": "string_extractor",
        "args": {"field": "code_postal", "regexp": "(?P<departement>[0-9]{2})[0-9]{3}"},
    }
    ok(send(live, "POST", f"{d}/processors", extractor))
    geo = {
        "name": "create_geopoint",
        "label": "Where",
        "args": {"latitude": "latitude", "longitude": "longitude", "output_field": "geo"},
    }
    made = ok(send(live, "POST", f"{d}/processors", geo))
    assert list(made) == ["processor_uid", "name", "label", "args"]
    ok(
        send(
            live,
            "POST",
            f"{d}/processors",
            {"name": "date_normalizer", "args": {"field": "planted", "date_format": "%d/%m/%Y"}},
        )
    )
    skip = {
        "name": "skip_record",
        "args": {"field": "commune", "value_to_skip": "Lyon", "exact_match": "true"},
    }
    ok(send(live, "POST", f"{d}/processors", skip))

    specs = [
        {"name": "rename", "args": {"from_name": "commune", "to_name": "city", "label": "City"}},
        {"name": "annotate", "args": {"field": "city", "annotation": "facet"}},
        {"name": "type", "args": {"field": "code_postal", "type": "text"}},
        {"name": "description", "args": {"field": "geo", "description": "Town hall"}},
        {"name": "order", "args": ["geo", "city"]},
        {"name": "delete", "args": {"field": "latitude"}},
        {"name": "delete", "args": {"field": "longitude"}},
    ]
    made_specs = [ok(send(live, "POST", f"{d}/fields_specifications/", s)) for s in specs]
    assert [s["name"] for s in ok(send(live, "GET", f"{d}/fields_specifications"))] == [
        s["name"] for s in specs
    ]
    last = made_specs[-1]["processor_uid"]
    assert send(live, "DELETE", f"{d}/fields_specifications/{last}/").status_code == 204
    assert (
        ok(send(live, "GET", f"{d}/fields_specifications/{made_specs[0]['processor_uid']}/"))
        == made_specs[0]
    )

    preview = ok(send(live, "GET", f"{d}/resources/{resource['resource_uid']}/preview"))
    names = [f["name"] for f in preview["fields"]]
    assert names == ["geo", "city", "code_postal", "longitude", "planted", "departement"]
    city = preview["fields"][1]
    assert (city["label"], city["original_name"], city["annotations"]) == (
        "City",
        "commune",
        [{"name": "facet", "args": []}],
    )
    assert preview["fields"][0]["description"] == "Town hall"
    assert preview["records"] == [
        {
            "geo": [47.218, -1.553],
            "city": "Nantes",
            "code_postal": "44100",
            "planted": "2017-10-09",
            "longitude": -1.553,
            "departement": "44",
        },
        {
            "geo": [48.857, 2.352],
            "city": "Lutèce",
            "code_postal": "75001",
            "planted": "1999-02-01",
            "longitude": 2.352,
            "departement": "75",
        },
    ]
    again = ok(
        send(
            live,
            "POST",
            f"{d}/resource_preview/",
            {k: v for k, v in resource.items() if k != "resource_uid"},
        )
    )
    assert again == preview

    guessed = ok(send(live, "POST", f"{d}/guess_processor_params/", {"name": "geo_distance"}))
    assert list(guessed["coordinates_a"]) == ["geo"]
    assert guessed["output_field"] == {}
    guessed = ok(send(live, "POST", f"{d}/guess_processor_params", {"name": "expand_json_array"}))
    assert "commune" in guessed["json_array_field"]

    send(live, "PUT", f"{d}/publish")
    assert wait_idle(live, "da_trees1")["name"] == "idle"


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/processors", {"name": "replace_text", "args": {"field": "name"}}),
        (
            "POST",
            "/processors",
            {"name": "string_replace", "args": {"field": "name", "all_fields": "perhaps"}},
        ),
        (
            "POST",
            "/processors/",
            {
                "name": "split",
                "args": {"field": "name", "separator": " ", "index": "first", "output_field": "x"},
            },
        ),
        ("POST", "/fields_specifications/", {"name": "rename_field", "args": {}}),
        (
            "POST",
            "/fields_specifications",
            {
                "name": "annotate",
                "args": {"field": "name", "annotation": "unit", "args": ["furlong"]},
            },
        ),
        ("POST", "/fields_specifications", "not an object"),
        ("POST", "/guess_processor_params", {"name": "add_field"}),
        ("POST", "/resource_preview", {"url": "ftp://x"}),
        ("PUT", "/fields_specifications/pr_zzzzzz", {"name": "delete", "args": {"field": "name"}}),
    ],
)
def test_bad_input_gets_the_error_shape_and_changes_nothing(
    make_live: MakeLive, method: str, path: str, body: Any
) -> None:
    live, twin = make_live(WORLD), make_live(WORLD)
    d = "/datasets/da_trees1"
    r = send(live, method, f"{d}{path}", body)
    assert 400 <= r.status_code < 500
    assert list(r.json()) == ["status_code", "error_key", "message", "raw_message", "raw_params"]
    assert r.json()["status_code"] == r.status_code
    for listing in ("/processors", "/fields_specifications", "/changes"):
        assert ok(send(live, "GET", f"{d}{listing}")) == []
    # the next uid drawn is the one a server that saw no bad request draws
    spec = {"name": "delete", "args": {"field": "lat"}}
    made = [ok(send(x, "POST", f"{d}/fields_specifications", spec)) for x in (live, twin)]
    assert made[0] == made[1]
