"""Metadata templates, definitions and values: the platform's vocabulary, without HTTP."""

from __future__ import annotations

from typing import Any

import pytest

from simulator.api.management.render import definition_json
from simulator.domain import metadata as md
from simulator.domain.errors import InvalidParameter
from simulator.service.legacy import migrate_value


def field(path: str) -> md.Field:
    template, name = path.split(".")
    found = md.find_field(template, name)
    assert found is not None, path
    return found


def test_the_templates_are_the_platforms_with_their_purposes() -> None:
    assert {n: t.purpose for n, t in md.TEMPLATES.items()} == {
        "default": "general",
        "publishing": "general",
        "visualization": "general",
        "internal": "admin",
        "dcat": "interop",
        "dcat_ap_ch": "interop",
        "inspire": "interop",
        "semantic": "interop",
    }
    assert {f.type for f in md.all_fields()} <= set(md.TYPES)
    assert {f.widget_type for f in md.all_fields()} <= set(md.WIDGETS)


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("internal.license_id", "text"),
        ("internal.theme_id", "multitext"),
        ("internal.draft", "boolean"),
        ("publishing.published", "boolean"),
        ("default.keyword", "multitext"),
        ("default.modified", "datetime"),
        ("default.modified_updates_on_data_change", "boolean"),
        ("default.geographic_reference_auto", "boolean"),
        ("visualization.images_disabled", "boolean"),
        ("visualization.image_tooltip_html", "multitext"),
        ("dcat.created", "date"),
        ("dcat_ap_ch.rights", "text"),
        ("inspire.extend_bounding_box_westbound_longitude", "double"),
        ("semantic.rml_mapping", "text"),
    ],
)
def test_fields_have_the_platforms_types(path: str, kind: str) -> None:
    assert field(path).type == kind


def test_invented_fields_are_gone() -> None:
    for path in (
        "default.license_url",
        "default.metadata_languages",
        "default.territory",
        "internal.notes",
        "visualization.image_enabled",
    ):
        template, name = path.split(".")
        assert md.find_field(template, name) is None, path


def test_definitions_are_the_documented_widget_examples() -> None:
    # the examples of the documentation's form widgets page, with allow_empty after them
    assert definition_json(field("default.title")) == {
        "type": "text",
        "label": "Title",
        "help_text": "",
        "widget": {"type": "textinput"},
        "allow_empty": False,
    }
    keyword = definition_json(field("default.keyword"))
    assert keyword == {
        "type": "multitext",
        "label": "Keyword",
        "help_text": "Hit Enter after each keyword",
        "widget": {
            "type": "tags",
            "suggest_url": "/api/management/1.0/metadata_templates/default/keyword/suggest",
        },
        "allow_empty": True,
    }
    language = definition_json(field("default.language"))
    assert list(language) == ["type", "label", "help_text", "choices", "widget", "allow_empty"]
    assert language["choices"][:4] == [
        ["aa", "Afar"],
        ["ab", "Abkhazian"],
        ["ae", "Avestan"],
        ["af", "Afrikaans"],
    ]
    assert language["widget"] == {"type": "select"}
    assert definition_json(field("inspire.type"))["choices"] == [
        "Spatial data set",
        "Spatial data set series",
        "Spatial data service",
    ]
    theme = definition_json(field("default.theme"))["widget"]
    assert (theme["type"], theme["suggest_values"][:2]) == (
        "multidatalist",
        ["Health", "Culture, Heritage"],
    )
    kinds = {
        path: definition_json(field(path))["widget"]["type"]
        for path in (
            "default.description",
            "default.license",
            "default.modified",
            "default.attributions",
            "dcat.created",
        )
    }
    assert kinds == {
        "default.description": "richtextinput",
        "default.license": "datalist",
        "default.modified": "datetimeinput",
        "default.attributions": "multitextinput",
        "dcat.created": "dateinput",
    }


@pytest.mark.parametrize(
    ("path", "given", "stored"),
    [
        ("default.title", "Trees", "Trees"),
        ("default.description", "<p>Old trees</p>", "<p>Old trees</p>"),
        ("default.keyword", ["a", "b"], ["a", "b"]),
        ("default.keyword", "Culture, Heritage", ["Culture, Heritage"]),  # one string, kept whole
        ("default.keyword", "", []),
        ("internal.draft", "true", True),
        ("internal.draft", "False", False),
        ("internal.draft", 1, True),
        ("internal.draft", "0", False),
        ("internal.draft", "", None),
        ("inspire.extend_bounding_box_westbound_longitude", "2.35", 2.35),
        ("inspire.extend_bounding_box_westbound_longitude", " -5 ", -5.0),
        ("inspire.extend_bounding_box_westbound_longitude", 3, 3),
        ("default.modified", "2024-01-31T12:00:00Z", "2024-01-31T12:00:00+00:00"),
        ("default.modified", "2024-01-31T14:00:00+02:00", "2024-01-31T12:00:00+00:00"),
        ("default.modified", "20240131T120000Z", "2024-01-31T12:00:00+00:00"),
        ("dcat.created", "2024-01-31", "2024-01-31"),
        ("dcat.created", "20240131", "2024-01-31"),
        ("default.language", "fr", "fr"),
        ("inspire.type", "Spatial data set", ["Spatial data set"]),
        ("default.title", None, None),
    ],
)
def test_values_are_read_leniently_and_stored_canonically(
    path: str, given: Any, stored: Any
) -> None:
    value = md.coerce(field(path), given, "value")
    assert value == stored and type(value) is type(stored)


def test_integers_are_read_from_numbers_and_digits() -> None:
    number = md.Field("custom", "count", md.INT, "Count")
    assert [md.coerce(number, v, "value") for v in (12, 12.0, "12", " -3 ")] == [12, 12, 12, -3]
    for bad in ("1.5", "twelve", True, 1.5, "1" * 30):
        with pytest.raises(InvalidParameter):
            md.coerce(number, bad, "value")


@pytest.mark.parametrize(
    ("path", "given", "reason"),
    [
        ("default.title", 3, "default.title is text: expected a string, got 3"),
        ("default.title", "  ", "default.title cannot be empty"),
        ("default.keyword", [1], "expected a list of strings (or one string)"),
        ("internal.draft", "maybe", "internal.draft is boolean: expected true or false"),
        ("internal.draft", 2, "expected true or false, got 2"),
        ("inspire.extend_bounding_box_westbound_longitude", "nan", "expected a number"),
        ("inspire.extend_bounding_box_westbound_longitude", True, "expected a number"),
        ("default.modified", "2024-01-31T12:00:00", "has no time zone; add Z or an offset"),
        ("default.modified", "2024-01-31", "expected an ISO 8601 datetime with a time zone"),
        ("default.modified", "", "default.modified cannot be empty"),
        ("dcat.created", "2024-02-30", "expected an ISO 8601 date such as 2024-01-31"),
        ("dcat.created", "2024-01-31T10:00:00Z", "expected an ISO 8601 date"),
        ("default.language", "EN", "did you mean 'en'?"),
        ("default.language", "english", "did you mean 'en'?"),
        ("inspire.type", ["Spatial data set", "Map"], "'Map' is not one of the choices"),
    ],
)
def test_values_the_platform_refuses_are_refused_naming_the_field(
    path: str, given: Any, reason: str
) -> None:
    with pytest.raises(InvalidParameter) as caught:
        md.coerce(field(path), given, "metas[0].value")
    assert caught.value.raw_params["parameter"] == "metas[0].value"
    assert reason in caught.value.raw_params["reason"]


def test_long_input_is_refused_without_parsing_it() -> None:
    for path in ("default.modified", "dcat.created"):
        with pytest.raises(InvalidParameter):
            md.coerce(field(path), "2024-01-31" + " " * 10**6, "value")
    with pytest.raises(InvalidParameter):
        md.coerce(field("inspire.extend_bounding_box_westbound_longitude"), "9" * 10**5, "value")


def test_check_metas_ignores_the_publishing_mirror_and_names_unknown_fields() -> None:
    clean = md.check_metas({"publishing": {"published": True}, "internal": {"draft": "yes"}})
    assert clean == {"internal": {"draft": True}}
    with pytest.raises(InvalidParameter) as caught:
        md.check_metas({"internal": {"notes": "x"}})
    assert caught.value.raw_params["parameter"] == "metas.internal"


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (("default", "title", "Trees"), ("default", "title", "Trees")),
        (("default", "license_url", "https://x"), None),
        (("default", "territory", ["Paris"]), None),
        (("default", "metadata_languages", ["fr"]), None),
        (("internal", "notes", "<p>x</p>"), None),
        (("visualization", "image_enabled", True), ("visualization", "images_disabled", False)),
        (("visualization", "image_enabled", False), ("visualization", "images_disabled", True)),
        (("dcat", "created", "2023-05-04T10:00:00+00:00"), ("dcat", "created", "2023-05-04")),
        (
            ("default", "modified", "2024-03-01"),
            ("default", "modified", "2024-03-01T00:00:00+00:00"),
        ),
        (
            ("default", "modified", "2024-03-01T10:00:00"),
            ("default", "modified", "2024-03-01T10:00:00+00:00"),
        ),
        (("default", "language", "english"), None),
    ],
)
def test_values_written_before_are_moved_to_the_platforms_fields(
    old: tuple[str, str, Any], new: tuple[str, str, Any] | None
) -> None:
    assert migrate_value(*old) == new
