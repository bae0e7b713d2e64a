"""Processing through the API: the catalogue, field specifications, previews, and publishing."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from simulator.api.management.render import Ask
from simulator.domain.processors import CATALOGUE
from simulator.service import statefile
from tests.api.test_bad_input import JUNK, SHAPE
from tests.conftest import API, AUTH
from tests.facade import Simulated

Make = Callable[..., FlaskClient]

WORLD = """
users:
  - {username: admin, password: admin, api_keys: [ods-sim-admin-key], permissions: all}
  - {username: ed, password: ed, permissions: [edit_dataset]}
  - {username: cat, password: cat, permissions: [create_dataset]}
  - {username: pub, password: pub, permissions: [publish_dataset]}
datasets:
  - dataset_id: trees
    dataset_uid: da_trees1
    resources:
      - {title: trees.csv, records: 800, fields: {name: name, height: float, city: city}}
      - {title: feed, type: realtime, url: "realtime://feed", records: 0}
faults:
  - {type: record_errors, dataset: trees, count: 3, field: height}
"""
D = f"{API}/datasets/da_trees1"
RENAME = {"name": "rename", "args": {"from_name": "height", "to_name": "tall", "label": "Tall"}}


@pytest.fixture
def c(make_client: Make) -> FlaskClient:
    return make_client(WORLD)


def as_user(name: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{name}:{name}".encode()).decode()}


def post(c: FlaskClient, path: str, body: Any) -> Any:
    return c.post(path, data=json.dumps(body), headers=AUTH)


def publish_and_wait(c: FlaskClient) -> list[str]:
    c.put(f"{D}/publish", headers=AUTH)
    c.post("/_sim/clock/run_until_idle")
    return [e["to"] for e in c.get("/_sim/timeline?dataset=trees").get_json()]


def resource(c: FlaskClient, title: str = "trees.csv") -> str:
    found = c.get(f"{D}/resources", headers=AUTH).get_json()
    return next(r["resource_uid"] for r in found if r["title"] == title)


# the catalogue ---------------------------------------------------------------------------


def test_the_catalogue_is_a_bare_list_of_names_for_who_creates_or_edits(c: FlaskClient) -> None:
    for who in (AUTH, as_user("ed"), as_user("cat")):
        assert c.get(f"{API}/processors", headers=who).get_json() == list(CATALOGUE)
    r = c.get(f"{API}/processors", headers=as_user("pub"))
    assert (r.status_code, r.get_json()["raw_params"]["permission"]) == (403, "edit_dataset")


def test_guessed_parameters_follow_the_fields_the_stack_leaves(c: FlaskClient) -> None:
    post(
        c,
        f"{D}/processors",
        {"name": "expression", "args": {"output_field": "geo", "expression": "=city"}},
    )
    r = post(c, f"{D}/guess_processor_params", {"name": "string_replace"})
    guessed = r.get_json()
    assert list(guessed) == ["field", "all_fields", "old", "new"]
    assert list(guessed["field"]) == ["name", "city", "geo"]  # text fields, made ones included
    assert guessed["field"]["city"] == {
        "annotations": [],
        "description": None,
        "label": "city",
        "name": "city",
        "original_name": "city",
        "type": "text",
    }
    assert guessed["old"] == {} and guessed["all_fields"] == {}
    for body, parameter in (({"name": "add_field"}, "name"), ({"nam": "x"}, "nam"), ([], "body")):
        r = post(c, f"{D}/guess_processor_params", body)
        assert (r.status_code, r.get_json()["raw_params"]["parameter"]) == (400, parameter)


# field specifications ----------------------------------------------------------------------


def test_field_specifications_are_listed_in_order_changed_in_place_and_deleted(
    c: FlaskClient,
) -> None:
    first = post(c, f"{D}/fields_specifications", RENAME).get_json()
    assert list(first) == ["processor_uid", "name", "args"]
    assert first["args"] == {"from_name": "height", "to_name": "tall", "label": "Tall"}
    order = post(c, f"{D}/fields_specifications", {"name": "order", "args": ["city"]}).get_json()
    assert order["args"] == ["city"]
    listed = c.get(f"{D}/fields_specifications", headers=AUTH).get_json()
    assert listed == [first, order]
    path = f"{D}/fields_specifications/{first['processor_uid']}"
    facet = {"name": "annotate", "args": {"field": "city", "annotation": "facet"}}
    r = c.put(path, data=json.dumps(facet), headers=AUTH)
    assert r.get_json() == {"processor_uid": first["processor_uid"], **facet}
    assert [s["name"] for s in c.get(f"{D}/fields_specifications", headers=AUTH).get_json()] == [
        "annotate",
        "order",
    ]
    assert c.get(path, headers=AUTH).get_json()["name"] == "annotate"
    assert c.delete(path, headers=AUTH).status_code == 204
    assert c.get(path, headers=AUTH).status_code == 404
    assert c.get(f"{D}/fields_specifications", headers=AUTH).get_json() == [order]


def test_processors_and_field_specifications_have_their_own_uids(c: FlaskClient) -> None:
    spec = post(c, f"{D}/fields_specifications", RENAME).get_json()["processor_uid"]
    made = post(
        c,
        f"{D}/processors",
        {
            "name": "split",
            "args": {"field": "city", "separator": " ", "index": 1, "output_field": "w"},
        },
    )
    processor = made.get_json()["processor_uid"]
    assert c.get(f"{D}/processors/{spec}", headers=AUTH).status_code == 404
    r = c.get(f"{D}/fields_specifications/{processor}", headers=AUTH)
    assert (r.status_code, r.get_json()["error_key"]) == (404, "UnknownProcessorException")


@pytest.mark.parametrize(
    ("body", "parameter"),
    [
        ({"name": "rename_field", "args": {}}, "name"),
        ({"name": "rename", "args": {"from_name": "height"}}, "args.to_name"),
        (
            {
                "name": "annotate",
                "args": {"field": "city", "annotation": "unit", "args": ["parsec"]},
            },
            "args.args",
        ),
        ({"name": "type", "args": {"field": "city", "type": "integer"}}, "args.type"),
        ({"name": "order", "args": {"fields": []}}, "args"),
        ({"name": "delete", "args": {"field": "city"}, "label": "x"}, "label"),
        ({"args": {"field": "city"}}, "name"),
    ],
)
def test_refused_field_specifications_change_nothing_not_even_the_next_uid(
    make_client: Make, body: Any, parameter: str
) -> None:
    refused, plain = make_client(WORLD), make_client(WORLD)
    r = post(refused, f"{D}/fields_specifications", body)
    assert (r.status_code, r.get_json()["raw_params"]["parameter"]) == (400, parameter)
    assert refused.get(f"{D}/fields_specifications", headers=AUTH).get_json() == []
    assert refused.get(f"{D}/changes", headers=AUTH).get_json() == []
    made = [post(x, f"{D}/fields_specifications", RENAME).get_json() for x in (refused, plain)]
    assert made[0] == made[1]


# previews ----------------------------------------------------------------------------------


def test_the_preview_of_an_uploaded_file_shows_its_rows_processed(c: FlaskClient) -> None:
    csv = "Tree;Height (m);Planted\nOak tree;12;2001\nElm;7;1999\n"
    upload = {"content": csv, "filename": "t.csv", "mimetype": "text/csv"}
    post(c, f"{API}/files", upload)
    uid = post(c, f"{D}/resources", {"url": "odsfile://t.csv"}).get_json()["resource_uid"]
    post(
        c,
        f"{D}/processors",
        {"name": "string_replace", "args": {"field": "tree", "old": " tree", "new": ""}},
    )
    post(
        c,
        f"{D}/fields_specifications",
        {
            "name": "rename",
            "args": {"from_name": "height_m", "to_name": "height", "label": "Height"},
        },
    )
    post(
        c,
        f"{D}/fields_specifications",
        {"name": "annotate", "args": {"field": "height", "annotation": "unit", "args": ["m"]}},
    )
    post(
        c,
        f"{D}/fields_specifications",
        {"name": "description", "args": {"field": "tree", "description": "Species"}},
    )
    post(c, f"{D}/fields_specifications", {"name": "delete", "args": {"field": "planted"}})
    preview = c.get(f"{D}/resources/{uid}/preview", headers=AUTH).get_json()
    assert list(preview) == ["fields", "records"]
    assert preview["fields"] == [
        {
            "description": "Species",
            "original_name": "tree",
            "label": "Tree",
            "type": "text",
            "annotations": [],
            "name": "tree",
        },
        {
            "description": None,
            "original_name": "height_m",
            "label": "Height",
            "type": "int",
            "annotations": [{"name": "unit", "args": ["m"]}],
            "name": "height",
        },
    ]
    assert list(preview["fields"][0]) == [
        "description",
        "original_name",
        "label",
        "type",
        "annotations",
        "name",
    ]
    assert preview["records"] == [{"tree": "Oak", "height": 12}, {"tree": "Elm", "height": 7}]


def test_a_generated_resource_previews_at_most_twenty_seeded_records(make_client: Make) -> None:
    c, twin = make_client(WORLD), make_client(WORLD)
    uid = resource(c)
    shown = c.get(f"{D}/resources/{uid}/preview/", headers=AUTH).get_json()
    assert len(shown["records"]) == 20
    assert [f["name"] for f in shown["fields"]] == ["name", "height", "city"]
    assert [f["type"] for f in shown["fields"]] == ["text", "double", "text"]
    assert shown == twin.get(f"{D}/resources/{uid}/preview", headers=AUTH).get_json()
    empty = c.get(f"{D}/resources/{resource(c, 'feed')}/preview", headers=AUTH).get_json()
    assert empty["records"] == []


def test_a_resource_described_in_the_body_is_previewed_without_being_kept(c: FlaskClient) -> None:
    body = {
        "url": "https://x.test/a.csv",
        "title": "A",
        "type": "http",
        "params": {},
        "records": 3,
        "fields": {"n": "int"},
    }
    r = post(c, f"{D}/resource_preview", body)
    assert r.status_code == 200
    assert [f["name"] for f in r.get_json()["fields"]] == ["n"]
    assert len(r.get_json()["records"]) == 3
    assert len(c.get(f"{D}/resources", headers=AUTH).get_json()) == 2
    for bad, parameter in (
        ({"url": "odsfile://missing.csv"}, "url"),
        ({"url": "https://x.test/a", "resource_uid": 3, "colour": 1}, "colour"),
        ([1], "body"),
    ):
        r = post(c, f"{D}/resource_preview", bad)
        assert (r.status_code, r.get_json()["raw_params"]["parameter"]) == (400, parameter)


# publishing --------------------------------------------------------------------------------


def test_a_field_specification_that_cannot_apply_fails_the_next_publish(c: FlaskClient) -> None:
    bad = {"name": "annotate", "args": {"field": "city", "annotation": "decimals", "args": [2]}}
    uid = post(c, f"{D}/fields_specifications", bad).get_json()["processor_uid"]
    assert publish_and_wait(c)[-1] == "error"
    status = c.get(f"{D}/status", headers=AUTH).get_json()
    assert status["message"] == (
        f"Processor {uid} is misconfigured for field city: "
        "the annotation 'decimals' does not apply to a text field"
    )
    c.delete(f"{D}/fields_specifications/{uid}", headers=AUTH)
    assert publish_and_wait(c)[-1] == "idle"


def test_changed_field_specifications_make_a_republish_reprocess_everything(
    c: FlaskClient,
) -> None:
    assert publish_and_wait(c)[-1] == "idle"
    post(c, f"{D}/fields_specifications", RENAME)
    moves = publish_and_wait(c)[4:]
    assert moves == [
        "queued",
        "deleting_all_dataset_data",
        "processing_dataset",
        "processing_all_dataset_data",
        "idle",
    ]


def test_record_errors_name_the_field_as_renamed(c: FlaskClient) -> None:
    post(c, f"{D}/fields_specifications", RENAME)
    publish_and_wait(c)
    errors = c.get(f"{D}/status/records_errors", headers=AUTH).get_json()
    assert {e["field_uid"] for e in errors} == {"tall"}


def test_field_specifications_are_changes_that_can_be_restored(c: FlaskClient) -> None:
    spec = post(c, f"{D}/fields_specifications", RENAME).get_json()
    c.delete(f"{D}/fields_specifications/{spec['processor_uid']}", headers=AUTH)
    changes = c.get(f"{D}/changes", headers=AUTH).get_json()
    assert [ch["sections"] for ch in changes] == [["fields_specifications"]] * 2
    r = c.put(f"{D}/restore_change", data=json.dumps({"change_uid": 1}), headers=AUTH)
    assert r.status_code == 200
    assert c.get(f"{D}/fields_specifications", headers=AUTH).get_json() == [spec]


# state files -------------------------------------------------------------------------------

#: State files the simulator wrote before it had the platform's processors: one all
#: journal, one written down whole (a checkpoint) then journaled.
FORMER = sorted((Path(__file__).resolve().parents[2] / "fixtures" / "state-files").glob("*.json"))


@pytest.mark.parametrize("path", FORMER, ids=[p.stem for p in FORMER])
def test_a_state_file_written_with_the_former_processors_still_loads(path: Path) -> None:
    loaded = Simulated.from_snapshot(statefile.parse(path.read_text(encoding="utf-8"), path.name))
    admin = loaded.store.users["admin"]
    trees = loaded.list_processors(admin, "da_trees1")
    assert trees[0] == {
        "processor_uid": trees[0]["processor_uid"],
        "name": "rename_field",
        "label": "Rename a field",
        "args": {"field": "city", "to": "town"},
    }
    assert loaded.list_field_specs(admin, "da_trees1") == []
    assert loaded.dataset_status(admin, "da_bare01", Ask())["raw_params"]["msg"] == (
        "a field of that name already exists"
    )
    loaded.act(admin, "da_trees1", "publish")  # checked as the simulator then checked it
    loaded.run_until_idle()
    assert loaded.dataset_status(admin, "da_trees1", Ask())["name"] == "idle"
    made = {"name": "expression", "args": {"output_field": "x", "expression": "=town"}}
    loaded.create_processor(admin, "da_trees1", made)
    loaded.act(admin, "da_trees1", "publish")
    loaded.run_until_idle()
    assert loaded.dataset_status(admin, "da_trees1", Ask())["name"] == "idle"


def test_junk_bodies_for_a_field_specification_are_refused_and_change_nothing(
    c: FlaskClient,
) -> None:
    spec = post(c, f"{D}/fields_specifications", RENAME).get_json()
    path = f"{D}/fields_specifications/{spec['processor_uid']}"
    before = [
        c.get(f"{D}/{what}", headers=AUTH).get_json()
        for what in ("fields_specifications", "changes")
    ]
    for junk in [*JUNK, b'{"name": "order", "args": [["nested"]]}', b'{"name": "type"}']:
        r = c.put(path, data=junk, headers=AUTH)
        assert r.status_code == 400, junk
        assert set(r.get_json()) >= SHAPE
    after = [
        c.get(f"{D}/{what}", headers=AUTH).get_json()
        for what in ("fields_specifications", "changes")
    ]
    assert after == before
