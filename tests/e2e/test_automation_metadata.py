"""The Automation API v1.0's metadata, processors and field configurations over HTTP,
sent as real clients send them, and read back on both surfaces."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Live
from tests.e2e.test_automation_datasets import WORLD, Client, MakeLive

pytestmark = pytest.mark.e2e

V2 = "/api/management/v2"
UID = "da_trees1"


@pytest.fixture
def live(make_live: MakeLive) -> Live:
    return make_live(WORLD)


@pytest.fixture
def client(live: Live) -> Client:
    return Client(live)


def v2(live: Live, method: str, path: str, **kwargs: Any) -> Any:
    r = live.http.request(method, f"{live.api}{path}", timeout=10, **kwargs)
    assert r.status_code < 300, r.text
    return r.json() if r.content else None


# metadata, one field ----------------------------------------------------------------------


def test_a_field_is_written_and_read_as_its_value(client: Client) -> None:
    r = client.call("PUT", f"/datasets/{UID}/metadata/default/title/", {"value": "Trees"})
    assert r.status_code == 200, r.text
    assert r.json() == {"value": "Trees"}
    r = client.call("GET", f"/datasets/{UID}/metadata/default/title")
    assert r.json() == {"value": "Trees"}


def test_an_unset_field_reads_as_null_and_a_delete_removes_a_value(client: Client) -> None:
    path = f"/datasets/{UID}/metadata/dcat/creator/"
    assert client.call("GET", path).json() == {"value": None}
    client.call("PUT", path, {"value": "Parks office"})
    r = client.call("DELETE", path)
    assert r.status_code == 204 and r.content == b""
    assert client.call("GET", path).json() == {"value": None}


def test_a_template_with_no_value_answers_an_empty_object(client: Client) -> None:
    for template in ("dcat_ap_ch", "custom", "admin", "semantic", "internal"):
        r = client.call("GET", f"/datasets/{UID}/metadata/{template}/")
        assert r.status_code == 200, (template, r.text)
        assert r.json() == {}


def test_unknown_templates_and_fields_are_not_found(client: Client) -> None:
    for path in ("nope/", "nope/title/", "default/nope/", "default/nope"):
        r = client.call("GET", f"/datasets/{UID}/metadata/{path}")
        assert r.status_code == 404, path
        assert r.json() == {"error_code": "not_found", "message": "Not found."}
    r = client.call("PUT", f"/datasets/{UID}/metadata/default/nope/", {"value": 1})
    assert r.status_code == 404
    assert client.call("GET", "/datasets/da_nope99/metadata/").status_code == 404


def test_a_bad_value_is_a_validation_error_naming_the_field(client: Client) -> None:
    before = client.call("GET", f"/datasets/{UID}/metadata/").json()
    r = client.call("PUT", f"/datasets/{UID}/metadata/default/modified/", {"value": "yesterday"})
    assert r.status_code == 400
    body = r.json()
    assert body["error_code"] == "validation_error"
    assert list(body["detail"]) == ["value"]
    r = client.call("PUT", f"/datasets/{UID}/metadata/default/title/", {"valeu": "x"})
    assert r.status_code == 400 and "valeu" in r.json()["detail"]
    r = client.call("PUT", f"/datasets/{UID}/metadata/default/title/", ["x"])
    assert r.status_code == 400 and r.json()["error_code"] == "validation_error"
    assert client.call("GET", f"/datasets/{UID}/metadata/").json() == before


def test_lenient_values_are_stored_in_their_canonical_form(client: Client) -> None:
    path = f"/datasets/{UID}/metadata/default/modified_updates_on_data_change/"
    r = client.call("PUT", path, {"value": "True", "override_remote_value": "false"})
    assert r.json() == {"value": True}
    r = client.call("PUT", f"/datasets/{UID}/metadata/default/keyword/", {"value": "one"})
    assert r.json() == {"value": ["one"]}


def test_the_license_id_is_also_kept_as_the_internal_one(client: Client) -> None:
    client.call("PUT", f"/datasets/{UID}/metadata/default/license_id/", {"value": "5sylls5"})
    internal = client.call("GET", f"/datasets/{UID}/metadata/internal/").json()
    assert internal == {"license_id": {"value": "5sylls5"}}


def test_a_domain_template_takes_any_field_and_any_value(client: Client) -> None:
    value = {"colour": "green", "tags": ["a", "b"]}
    r = client.call("PUT", f"/datasets/{UID}/metadata/custom/my-field/", {"value": value})
    assert r.status_code == 200 and r.json() == {"value": value}
    client.call("PUT", f"/datasets/{UID}/metadata/admin/test-admin-field/", {"value": ["V1"]})
    assert client.call("GET", f"/datasets/{UID}/metadata/custom/").json() == {
        "my-field": {"value": value}
    }
    r = client.call("PUT", f"/datasets/{UID}/metadata/custom/bad name!/", {"value": 1})
    assert r.status_code == 404


def test_an_override_flag_is_kept_and_shown(client: Client) -> None:
    body = {"value": "Mine", "override_remote_value": "true"}
    r = client.call("PUT", f"/datasets/{UID}/metadata/default/publisher/", body)
    assert r.json() == {"value": "Mine", "override_remote_value": True}


# metadata, whole levels --------------------------------------------------------------------


def test_the_whole_metadata_is_read_then_written_back(client: Client) -> None:
    """huwise-utils-py's bulk update: read everything, change a value, put it all back."""
    whole = client.call("GET", f"/datasets/{UID}/metadata/").json()
    assert list(whole)[:3] == ["default", "visualization", "internal"]
    assert {"custom", "admin", "dcat", "dcat_ap_ch", "semantic"} <= set(whole)
    assert "publishing" not in whole
    whole["default"]["description"] = {"value": "<p>Every tree</p>"}
    whole["admin"]["test-admin-field"] = {"value": ["Value2"]}
    r = client.call("PUT", f"/datasets/{UID}/metadata/", whole)
    assert r.status_code == 200, r.text
    assert r.json() == whole
    assert client.call("GET", f"/datasets/{UID}/metadata").json() == whole


def test_a_whole_write_removes_what_it_leaves_out(client: Client) -> None:
    client.call("PUT", f"/datasets/{UID}/metadata/dcat/creator/", {"value": "Parks"})
    r = client.call("PUT", f"/datasets/{UID}/metadata/", {"default": {"title": "Only this"}})
    assert r.status_code == 200, r.text
    assert r.json()["default"] == {"title": {"value": "Only this"}}
    assert r.json()["dcat"] == {}


def test_a_template_write_replaces_that_template_only(client: Client) -> None:
    client.call("PUT", f"/datasets/{UID}/metadata/dcat/creator/", {"value": "Parks"})
    client.call("PUT", f"/datasets/{UID}/metadata/default/title/", {"value": "Kept"})
    body = {"contributor": {"value": "City"}, "issued": "2024-01-31"}
    r = client.call("PUT", f"/datasets/{UID}/metadata/dcat/", body)
    assert r.status_code == 200, r.text
    assert r.json() == {"contributor": {"value": "City"}, "issued": {"value": "2024-01-31"}}
    assert client.call("GET", f"/datasets/{UID}/metadata/default/title/").json() == {
        "value": "Kept"
    }


def test_a_whole_write_with_errors_names_each_and_changes_nothing(client: Client) -> None:
    before = client.call("GET", f"/datasets/{UID}/metadata/").json()
    r = client.call("PUT", f"/datasets/{UID}/metadata/", {"default": {}, "dcta": {}, "x": {}})
    assert r.status_code == 400
    assert set(r.json()["detail"]) == {"dcta", "x"}
    assert "did you mean 'dcat'" in r.json()["detail"]["dcta"][0]
    body = {"default": {"modified": "soon", "titel": "x"}}
    r = client.call("PUT", f"/datasets/{UID}/metadata/", body)
    assert r.status_code == 400
    err = r.json()
    assert err["error_code"] == "validation_error"
    assert set(err["detail"]) == {"default.modified", "default.titel"}
    assert "did you mean 'title'" in err["detail"]["default.titel"][0]
    assert client.call("GET", f"/datasets/{UID}/metadata/").json() == before
    r = client.call("PUT", f"/datasets/{UID}/metadata/")
    assert r.status_code == 400 and r.json()["error_code"] == "validation_error"


# one world -------------------------------------------------------------------------------


def test_metadata_written_on_one_surface_reads_the_same_on_the_other(
    live: Live, client: Client
) -> None:
    client.call("PUT", f"/datasets/{UID}/metadata/default/description/", {"value": "From v1"})
    got = v2(live, "GET", f"/datasets/{UID}/metadata/default/description")
    assert got["value"] == "From v1"
    v2(live, "PUT", f"/datasets/{UID}/metadata/dcat/creator", json={"value": "From v2"})
    assert client.call("GET", f"/datasets/{UID}/metadata/dcat/creator/").json() == {
        "value": "From v2"
    }
    dataset = client.call("GET", f"/datasets/{UID}").json()
    assert dataset["metadata"]["dcat"]["creator"] == {"value": "From v2"}


# the domain's templates ----------------------------------------------------------------------


def test_the_templates_are_listed_a_page_at_a_time(client: Client) -> None:
    r = client.call("GET", "/metadata/templates/?limit=2")
    assert r.status_code == 200, r.text
    body = r.json()
    assert list(body) == ["total_count", "next", "previous", "results"]
    assert body["total_count"] == 9
    assert [t["name"] for t in body["results"]] == ["default", "visualization"]
    assert "limit=2" in body["next"] and "offset=2" in body["next"]
    default = body["results"][0]
    assert list(default)[:4] == ["name", "title", "type", "is_active"]
    assert default["type"] == "basic" and default["is_always_active"] is True
    names = [f["name"] for f in default["schema"]]
    assert {"title", "license_id", "tags"} <= set(names)


def test_the_templates_are_filtered_by_type_and_activity(client: Client) -> None:
    found = client.call("GET", "/metadata/templates?type=interop").json()["results"]
    assert [t["name"] for t in found] == ["dcat", "dcat_ap_ch", "inspire", "semantic"]
    admin = client.call("GET", "/metadata/templates/?type=admin&is_active=True").json()
    assert [t["name"] for t in admin["results"]] == ["internal", "admin"]
    assert client.call("GET", "/metadata/templates/?is_active=0").json()["total_count"] == 0
    r = client.call("GET", "/metadata/templates/?type=interops")
    assert r.status_code == 400
    assert "did you mean 'interop'" in r.json()["detail"]["type"][0]


def test_a_template_and_its_fields_are_read(client: Client) -> None:
    semantic = client.call("GET", "/metadata/templates/semantic/").json()
    assert semantic["type"] == "interop" and semantic["is_system"] is True
    fields = client.call("GET", "/metadata/templates/semantic/fields/").json()
    assert [f["name"] for f in fields["results"]] == ["rml_mapping", "classes", "properties"]
    title = client.call("GET", "/metadata/templates/default/fields/title").json()
    assert title["type"] == "text" and title["requirement_level"] == "mandatory"
    language = client.call("GET", "/metadata/templates/default/fields/language/").json()
    assert "fr" in language["choices"]
    custom = client.call("GET", "/metadata/templates/custom/").json()
    assert custom["is_system"] is False and custom["schema"] == []
    for path in ("nope/", "nope/fields/", "default/fields/nope/", "custom/fields/any/"):
        assert client.call("GET", f"/metadata/templates/{path}").status_code == 404, path


# processors ------------------------------------------------------------------------------------

REPLACE = {"type": "string_replace", "label": "Tidy", "field": "name", "old": "x", "new": "y"}


def test_the_processor_catalogue_is_a_bare_array(client: Client) -> None:
    r = client.call("GET", "/processors/")
    assert r.status_code == 200
    found = r.json()
    assert isinstance(found, list)
    assert {"string_replace", "regexp_replace", "expression"} <= {p["type"] for p in found}
    assert all(list(p) == ["type", "label"] for p in found)


def test_a_processor_is_appended_read_replaced_and_deleted(client: Client) -> None:
    r = client.call("POST", f"/datasets/{UID}/processors/", REPLACE)
    assert r.status_code == 201, r.text
    made = r.json()
    assert list(made)[:3] == ["uid", "type", "label"] and made["uid"].startswith("pr_")
    assert made == {"uid": made["uid"], **REPLACE}
    second = client.call("POST", f"/datasets/{UID}/processors", REPLACE).json()
    listed = client.call("GET", f"/datasets/{UID}/processors/?limit=1").json()
    assert listed["total_count"] == 2 and listed["results"] == [made]
    assert "offset=1" in listed["next"]
    one = f"/datasets/{UID}/processors/{made['uid']}/"
    assert client.call("GET", one).json() == made
    changed = {**REPLACE, "uid": "ignored", "new": "z"}
    r = client.call("PUT", one, changed)
    assert r.status_code == 200 and r.json()["new"] == "z" and r.json()["uid"] == made["uid"]
    assert client.call("DELETE", one).status_code == 204
    assert client.call("GET", one).status_code == 404
    listed = client.call("GET", f"/datasets/{UID}/processors/").json()
    assert [p["uid"] for p in listed["results"]] == [second["uid"]]


def test_a_bad_processor_is_refused_in_this_apis_words(client: Client) -> None:
    r = client.call("POST", f"/datasets/{UID}/processors/", {**REPLACE, "type": "string_replac"})
    assert r.status_code == 400
    assert "did you mean 'string_replace'" in r.json()["detail"]["type"][0]
    r = client.call("POST", f"/datasets/{UID}/processors/", {**REPLACE, "feild": "a"})
    assert r.status_code == 400 and list(r.json()["detail"]) == ["feild"]
    r = client.call("POST", f"/datasets/{UID}/processors/", {"label": "no type"})
    assert r.status_code == 400 and list(r.json()["detail"]) == ["type"]
    assert client.call("GET", f"/datasets/{UID}/processors/").json()["total_count"] == 0
    assert client.call("GET", f"/datasets/{UID}/processors/pr_nope00/").status_code == 404


def test_a_processor_made_on_one_surface_is_the_same_on_the_other(
    live: Live, client: Client
) -> None:
    made = client.call("POST", f"/datasets/{UID}/processors/", REPLACE).json()
    got = v2(live, "GET", f"/datasets/{UID}/processors/{made['uid']}")
    assert got["name"] == "string_replace" and got["label"] == "Tidy"
    assert got["args"] == {"field": "name", "old": "x", "new": "y"}
    body = {"name": "string_replace", "args": {"all_fields": True, "old": "a", "new": "b"}}
    other = v2(live, "POST", f"/datasets/{UID}/processors", json=body)
    read = client.call("GET", f"/datasets/{UID}/processors/{other['processor_uid']}/").json()
    assert read["type"] == "string_replace" and read["all_fields"] is True
    assert isinstance(read["label"], str) and read["label"]


# field configurations ---------------------------------------------------------------------------


def test_each_field_configuration_is_made_and_read_back(client: Client) -> None:
    variants = [
        {"type": "rename", "label": "R", "from_name": "h", "to_name": "height", "field_label": "H"},
        {"type": "type", "label": "T", "field": "height", "type_param": "int"},
        {
            "type": "annotate",
            "label": "A",
            "field": "tags",
            "annotation": "multivalued",
            "args": [","],
        },
        {"type": "description", "label": "D", "field": "height", "description": "In metres"},
        {"type": "order", "label": "O", "args": ["height", "name"]},
        {"type": "delete", "label": "X", "field": "secret"},
    ]
    uids = []
    for body in variants:
        r = client.call("POST", f"/datasets/{UID}/fields/", body)
        assert r.status_code == 201, r.text
        made = r.json()
        assert made == {"uid": made["uid"], **body}
        uids.append(made["uid"])
    listed = client.call("GET", f"/datasets/{UID}/fields").json()
    assert [f["uid"] for f in listed["results"]] == uids
    one = f"/datasets/{UID}/fields/{uids[1]}/"
    r = client.call(
        "PUT", one, {"type": "type", "label": "Float", "field": "height", "type_param": "double"}
    )
    assert (
        r.status_code == 200 and r.json()["type_param"] == "double" and r.json()["label"] == "Float"
    )
    assert client.call("DELETE", one).status_code == 204
    assert client.call("GET", one).status_code == 404


def test_a_bad_field_configuration_is_refused_naming_its_key(client: Client) -> None:
    cases = [
        ({"type": "renam", "label": "x"}, "type"),
        ({"type": "type", "label": "x", "field": "a", "type_param": "integer"}, "type_param"),
        ({"type": "delete", "label": "x", "from_name": "a"}, "from_name"),
        ({"type": "rename", "label": "x", "from_name": "a", "to_name": "b c"}, "to_name"),
        ({"type": "annotate", "label": "x", "field": "a"}, "annotation"),
    ]
    for body, key in cases:  # each refused, nothing made
        r = client.call("POST", f"/datasets/{UID}/fields/", body)
        assert r.status_code == 400, body
        assert list(r.json()["detail"]) == [key], (body, r.text)
    assert client.call("GET", f"/datasets/{UID}/fields/").json()["total_count"] == 0


def test_a_field_configuration_is_a_field_specification_on_v2(live: Live, client: Client) -> None:
    body = {
        "type": "rename",
        "label": "R",
        "from_name": "h",
        "to_name": "height",
        "field_label": "H",
    }
    made = client.call("POST", f"/datasets/{UID}/fields/", body).json()
    got = v2(live, "GET", f"/datasets/{UID}/fields_specifications/{made['uid']}")
    assert got["name"] == "rename"
    assert got["args"] == {"from_name": "h", "to_name": "height", "label": "H"}
    spec = {"name": "type", "args": {"field": "height", "type": "int"}}
    other = v2(live, "POST", f"/datasets/{UID}/fields_specifications", json=spec)
    read = client.call("GET", f"/datasets/{UID}/fields/{other['processor_uid']}/").json()
    assert read == {
        "uid": other["processor_uid"],
        "type": "type",
        "label": "Set a field's type",
        "field": "height",
        "type_param": "int",
    }
