"""The processing pipeline's rules: processors, field specifications, sources, expressions."""

from __future__ import annotations

import random
import re
import time
from dataclasses import dataclass
from typing import Any

import pytest

from simulator.domain.errors import InvalidParameter
from simulator.domain.expressions import Expression, ExpressionError
from simulator.domain.fieldspecs import UNITS, check_field_spec
from simulator.domain.models import Dataset, FieldSpec, Processor
from simulator.domain.pipeline import guess, misconfiguration, renamed, run
from simulator.domain.processors import CATALOGUE, check_processor
from simulator.domain.sources import Field, file_source, guess_type
from simulator.domain.store import Store


@dataclass
class P:
    """A processor or field specification as the pipeline reads them."""

    name: str
    args: Any
    processor_uid: str = "pr_test01"


def fields(*specs: str) -> list[Field]:
    """Fields from ``name:type`` strings."""
    out = []
    for spec in specs:
        name, _, kind = spec.partition(":")
        out.append(Field(name, name, name, kind or "text"))
    return out


def step(name: str, **args: Any) -> P:
    checked = check_processor(name, None, args)[2]
    return P(name, checked)


def spec(name: str, args: Any) -> P:
    return P(name, check_field_spec(name, args)[1])


# the catalogue -----------------------------------------------------------------------------


def test_the_catalogue_is_the_documented_sixteen_in_the_documented_order() -> None:
    assert list(CATALOGUE) == [
        "regexp_replace",
        "transform_coordinates",
        "string_extractor",
        "skip_record",
        "create_geopoint",
        "split",
        "delete_record",
        "set_timezone",
        "string_replace",
        "date_normalizer",
        "geojoin",
        "concat",
        "geo_distance",
        "expression",
        "unicode_normalize",
        "expand_json_array",
    ]


def test_documented_arguments_keep_their_names_and_order() -> None:
    assert CATALOGUE["regexp_replace"].arg_names[:3] == ["field", "regexp", "new"]
    assert CATALOGUE["string_replace"].arg_names == ["field", "all_fields", "old", "new"]
    assert CATALOGUE["string_extractor"].arg_names == ["field", "regexp"]
    assert CATALOGUE["expression"].arg_names == ["output_field", "expression"]
    assert CATALOGUE["expand_json_array"].arg_names[0] == "json_array_field"


def test_arguments_come_back_in_order_with_lenient_booleans_and_integers() -> None:
    name, label, args = check_processor(
        "string_replace", None, {"new": "b", "old": "a", "all_fields": "False", "field": "x"}
    )
    assert (name, label) == ("string_replace", None)
    assert list(args.items()) == [("field", "x"), ("all_fields", False), ("old", "a"), ("new", "b")]
    split = check_processor(
        "split", "l", {"field": "x", "separator": ",", "index": "2", "output_field": "y"}
    )
    assert split[2]["index"] == 2
    assert check_processor("unicode_normalize", None, {"fields": "x"})[2] == {"fields": ["x"]}


def test_all_fields_makes_the_field_optional() -> None:
    assert check_processor("string_replace", None, {"all_fields": 1, "old": "a"})[2] == {
        "all_fields": True,
        "old": "a",
    }
    with pytest.raises(InvalidParameter) as refused:
        check_processor("string_replace", None, {"all_fields": "0", "old": "a"})
    assert refused.value.raw_params["parameter"] == "args.field"


# sources ---------------------------------------------------------------------------------


def test_a_csv_file_gives_named_typed_fields_and_its_first_rows() -> None:
    content = b"Tree name;Height;Planted\noak;12;2001-03-04\nelm;7.5;1999-12-31\n"
    source = file_source(content, "t.csv", "text/csv", {}, 20)
    assert source is not None
    assert [(f.name, f.label, f.type) for f in source.fields] == [
        ("tree_name", "Tree name", "text"),
        ("height", "Height", "double"),
        ("planted", "Planted", "date"),
    ]
    assert source.rows[0] == {"tree_name": "oak", "height": 12.0, "planted": "2001-03-04"}


def test_headers_first_row_false_names_the_columns_as_the_documentation_shows() -> None:
    source = file_source(b"Hello\nWorld\n", "h.csv", "text/csv", {"headers_first_row": False}, 20)
    assert source is not None
    field = source.fields[0]
    assert (field.name, field.original_name, field.label) == ("column_1", "column_1", "Column 1")
    assert source.rows == [{"column_1": "Hello"}, {"column_1": "World"}]


def test_a_file_is_read_no_further_than_its_first_rows() -> None:
    content = b"n\n" + b"".join(b"%d\n" % i for i in range(100_000))
    source = file_source(content, "n.csv", "text/csv", {"separator": ","}, 20)
    assert source is not None
    assert len(source.rows) == 20
    assert source.fields[0].type == "int"


@pytest.mark.parametrize(
    ("values", "kind"),
    [
        (["1", "-2", ""], "int"),
        (["1", "2,5"], "double"),
        (["2024-01-02"], "date"),
        (["2024-01-02T10:00:00Z"], "datetime"),
        (["1", "x"], "text"),
        ([3, 4.5], "double"),
        ([None], "text"),
    ],
)
def test_types_are_guessed_from_values(values: list[Any], kind: str) -> None:
    assert guess_type(values) == kind


def test_a_json_file_gives_its_objects_with_no_value_json_cannot_carry() -> None:
    content = b'[{"Name": "a", "v": NaN, "w": 1e400, "o": {"k": 1}}, {"Name": "b", "v": 2}]'
    source = file_source(content, "a.json", "application/json", {}, 20)
    assert source is not None
    assert [(f.name, f.type) for f in source.fields] == [
        ("name", "text"),
        ("v", "int"),
        ("w", "text"),
        ("o", "text"),
    ]
    assert source.rows[0] == {"name": "a", "v": None, "w": None, "o": '{"k": 1}'}


# processors on records ---------------------------------------------------------------------


def rows_after(steps: list[P], rows: list[dict[str, Any]], *names: str) -> list[dict[str, Any]]:
    done = run(fields(*names), rows, steps)
    assert done.problem is None, done.problem
    return done.rows


def test_string_replace_replaces_in_one_field_or_in_all_text_fields() -> None:
    rows = [{"a": "old town", "b": "old", "n": 1}]
    assert rows_after([step("string_replace", field="a", old="old", new="new")], rows, "a", "b")[
        0
    ] == {"a": "new town", "b": "old", "n": 1}
    every = step("string_replace", all_fields=True, old="old", new="x")
    assert rows_after([every], rows, "a", "b", "n:int")[0] == {"a": "x town", "b": "x", "n": 1}


def test_regexp_replace_honours_its_flags() -> None:
    rows = [{"zip": "44100 Nantes"}]
    plain = step("regexp_replace", field="zip", regexp="[0-9]{3} ", new="")
    assert rows_after([plain], rows, "zip")[0]["zip"] == "44Nantes"
    insensitive = step("regexp_replace", field="zip", regexp="NANTES", new="N", case_insensitive=1)
    assert rows_after([insensitive], rows, "zip")[0]["zip"] == "44100 N"


def test_string_extractor_adds_a_field_per_named_group() -> None:
    extract = step("string_extractor", field="zip", regexp="(?P<area>[0-9]{2})[0-9]{3}")
    done = run(fields("zip"), [{"zip": "44100"}, {"zip": "none"}], [extract])
    assert [f.name for f in done.fields] == ["zip", "area"]
    assert [r["area"] for r in done.rows] == ["44", None]


def test_output_fields_are_written_new_or_existing() -> None:
    rows = [{"first": "Ada", "last": "Lovelace", "lat": "48.85", "lon": "2.35"}]
    steps = [
        step("concat", separator=" ", left="first", right="last", output_field="name"),
        step("split", field="name", separator=" ", index=2, output_field="first"),
        step("expression", output_field="shout", expression="=upper(last) & '!'"),
        step("create_geopoint", latitude="lat", longitude="lon", output_field="geo"),
        step("geo_distance", coordinates_a="geo", coordinates_b="geo", output_field="d"),
    ]
    done = run(fields("first", "last", "lat", "lon"), rows, steps)
    assert done.rows[0] | {} == {
        "first": "Lovelace",
        "last": "Lovelace",
        "lat": "48.85",
        "lon": "2.35",
        "name": "Ada Lovelace",
        "shout": "LOVELACE!",
        "geo": [48.85, 2.35],
        "d": 0.0,
    }
    types = {f.name: f.type for f in done.fields}
    assert (types["geo"], types["d"], types["shout"]) == ("geo_point_2d", "double", "text")


def test_geo_distance_is_in_kilometres() -> None:
    rows = [{"a": "48.8566,2.3522", "b": [51.5074, -0.1278]}]
    done = rows_after(
        [step("geo_distance", coordinates_a="a", coordinates_b="b", output_field="d")],
        rows,
        "a",
        "b",
    )
    assert 340 < done[0]["d"] < 345  # Paris to London


def test_skip_record_drops_matching_records_or_keeps_only_them() -> None:
    rows = [{"city": "Paris"}, {"city": "Paris-Plage"}, {"city": "Lyon"}]
    loose = step("skip_record", field="city", value_to_skip="Paris")
    assert rows_after([loose], rows, "city") == [{"city": "Lyon"}]
    exact = step("skip_record", field="city", value_to_skip="Paris", exact_match="true")
    assert len(rows_after([exact], rows, "city")) == 2
    keep = step(
        "skip_record", field="city", value_to_skip="Paris", exact_match=True, keep_instead_of_skip=1
    )
    assert rows_after([keep], rows, "city") == [{"city": "Paris"}]
    expression = step("skip_record", field="city", value_to_skip="=length(city) > 5")
    assert len(rows_after([expression], rows, "city")) == 2


def test_delete_record_is_not_shown_in_a_preview() -> None:
    rows = [{"city": "Paris"}]
    assert (
        rows_after([step("delete_record", field="city", value_to_skip="Paris")], rows, "city")
        == rows
    )


def test_expand_json_array_makes_a_record_per_element() -> None:
    rows = [{"id": "1", "data": '{"bloc": [{"v": 1}, {"v": 2}]}'}]
    expand = step(
        "expand_json_array",
        json_array_field="data",
        ijson_rule_to_array="bloc.item.v",
        output_field="v",
    )
    assert [r["v"] for r in rows_after([expand], rows, "id", "data")] == [1, 2]
    many = [{"data": list(range(1000))}]
    plain = step("expand_json_array", json_array_field="data", output_field="one")
    assert len(rows_after([plain], many, "data")) == 20


def test_dates_timezones_and_unicode_are_normalized() -> None:
    rows = [{"d": "09/10/2017", "t": "2016-12-08T08:51:53Z", "u": "Cafe\u0301"}]
    steps = [
        step("date_normalizer", field="d", date_format="%d/%m/%Y"),
        step("set_timezone", field="t", timezone="Europe/Paris"),
        step("unicode_normalize", fields=["u"]),
    ]
    done = rows_after(steps, rows, "d", "t", "u")[0]
    assert done == {"d": "2017-10-09", "t": "2016-12-08T08:51:53+01:00", "u": "Caf\u00e9"}


def test_a_regexp_that_could_take_forever_is_not_run_on_preview_values() -> None:
    evil = step("regexp_replace", field="a", regexp="(a+)+$", new="x")
    rows = [{"a": "a" * 40 + "b"}]
    started = time.perf_counter()
    assert rows_after([evil], rows, "a") == rows
    assert time.perf_counter() - started < 1


# field specifications ----------------------------------------------------------------------


def test_field_specifications_rename_type_annotate_describe_order_and_delete() -> None:
    specs = [
        spec("rename", {"from_name": "h", "to_name": "height", "label": "Height"}),
        spec("type", {"field": "height", "type": "int"}),
        spec("annotate", {"field": "height", "annotation": "unit", "args": ["m"]}),
        spec("description", {"field": "name", "description": "The tree's name"}),
        spec("order", ["height"]),
        spec("delete", {"field": "junk"}),
    ]
    done = run(fields("name", "h", "junk"), [{"name": "oak", "h": "12.7", "junk": 1}], [], specs)
    assert done.problem is None
    assert [(f.name, f.original_name, f.label, f.type) for f in done.fields] == [
        ("height", "h", "Height", "int"),
        ("name", "name", "name", "text"),
    ]
    assert done.fields[0].annotations == {"unit": ["m"]}
    assert done.fields[1].description == "The tree's name"
    assert done.rows == [{"name": "oak", "height": 12}]


def test_processors_run_before_field_specifications() -> None:
    processors = [step("expression", output_field="twice", expression="=h * 2")]
    specs = [spec("rename", {"from_name": "twice", "to_name": "double_h"})]
    done = run(fields("h"), [{"h": "2"}], processors, specs)
    assert done.problem is None
    assert done.rows == [{"h": "2", "double_h": 4}]


@pytest.mark.parametrize(
    ("name", "args", "parameter"),
    [
        ("renam", {}, "name"),
        ("rename", {"from_name": "a"}, "args.to_name"),
        ("rename", {"from_name": "a", "to_name": "b c"}, "args.to_name"),
        ("type", {"field": "a", "type": "decimal"}, "args.type"),
        ("annotate", {"field": "a", "annotation": "facette"}, "args.annotation"),
        ("annotate", {"field": "a", "annotation": "unit", "args": ["parsec"]}, "args.args"),
        ("annotate", {"field": "a", "annotation": "decimals", "args": ["many"]}, "args.args"),
        ("annotate", {"field": "a", "annotation": "facetsort", "args": []}, "args.args"),
        ("annotate", {"field": "a", "annotation": "multivalued"}, "args.args"),
        ("description", {"field": "a", "description": 3}, "args.description"),
        ("order", {"fields": ["a"]}, "args"),
        ("order", [1, 2], "args"),
        ("delete", {"field": "a", "fields": ["b"]}, "args.fields"),
        ("delete", ["a"], "args"),
    ],
)
def test_field_specifications_are_checked_as_documented(
    name: str, args: Any, parameter: str
) -> None:
    with pytest.raises(InvalidParameter) as refused:
        check_field_spec(name, args)
    assert refused.value.raw_params["parameter"] == parameter


def test_units_are_the_documented_seventy_three() -> None:
    assert len(UNITS) == 73
    assert "\u00b5g/L" in UNITS and "\u03bcg/m3" in UNITS
    assert check_field_spec("annotate", {"field": "a", "annotation": "unit", "args": "km2"})[1] == {
        "field": "a",
        "annotation": "unit",
        "args": ["km2"],
    }


@pytest.mark.parametrize(
    ("specs", "field", "msg"),
    [
        ([("type", {"field": "nope", "type": "int"})], "nope", "the field does not exist"),
        (
            [("annotate", {"field": "name", "annotation": "unit", "args": ["m"]})],
            "name",
            "the annotation 'unit' does not apply to a text field",
        ),
        (
            [
                (
                    "annotate",
                    {"field": "when", "annotation": "timeserie_precision", "args": ["hour"]},
                )
            ],
            "when",
            "'hour' does not apply to timeserie_precision on a date field",
        ),
        (
            [("annotate", {"field": "name", "annotation": "disjunctive"})],
            "name",
            "the annotation 'disjunctive' needs the field to be a facet",
        ),
        (
            [("rename", {"from_name": "name", "to_name": "when"})],
            "when",
            "a field of that name already exists",
        ),
    ],
)
def test_a_field_specification_that_cannot_apply_is_a_misconfiguration(
    specs: list[tuple[str, Any]], field: str, msg: str
) -> None:
    steps = [spec(name, args) for name, args in specs]
    found = misconfiguration(fields("name", "when:date"), [], steps)
    assert found is not None
    assert found[1] == field and found[2].startswith(msg)


def test_a_facet_makes_the_facet_only_annotations_apply() -> None:
    steps = [
        spec("annotate", {"field": "name", "annotation": "disjunctive"}),
        spec("annotate", {"field": "name", "annotation": "facet"}),
        spec("rename", {"from_name": "name", "to_name": "who"}),
    ]
    assert misconfiguration(fields("name"), [], steps) is None


def test_renames_follow_the_field_through_the_stack() -> None:
    specs = [
        FieldSpec("pr_a", "rename", {"from_name": "h", "to_name": "height"}),
        FieldSpec("pr_b", "rename", {"from_name": "height", "to_name": "tall"}),
    ]
    assert renamed(specs, "h") == "tall"
    assert renamed(specs, "other") == "other"


def test_a_former_processor_is_checked_as_the_simulator_then_checked_it() -> None:
    old = Processor("pr_old001", "add_field", "Add a field", {"field": "a"})
    assert misconfiguration(fields("a"), [old], []) == (
        "pr_old001",
        "a",
        "a field of that name already exists",
    )
    moved = Processor("pr_old002", "rename_field", "Rename a field", {"field": "a", "to": "b"})
    assert (
        misconfiguration(
            fields("a"),
            [moved, step("split", field="b", separator=" ", index=1, output_field="c")],
            [],
        )
        is None
    )
    unknown = Processor("pr_old003", "teleport", None, {})
    assert misconfiguration(fields("a"), [unknown], []) == (
        "pr_old003",
        "",
        "'teleport' is not one of the platform's processors",
    )


# guessing ------------------------------------------------------------------------------------


def test_guesses_name_the_fields_a_parameter_may_take_and_leave_the_rest_empty() -> None:
    known = fields("name", "lat:double", "lon:double", "geo:geo_point_2d")
    guessed = guess(CATALOGUE["create_geopoint"], known)
    assert {k: [f.name for f in v] for k, v in guessed.items()} == {
        "latitude": ["lat", "lon"],
        "longitude": ["lat", "lon"],
        "source_epsg_code": [],
        "output_field": [],
    }
    assert [f.name for f in guess(CATALOGUE["skip_record"], known)["field"]] == [
        "name",
        "lat",
        "lon",
        "geo",
    ]


# expressions ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "value"),
    [
        ("=2 + 3", 5),
        ("=15 / 6", 2.5),
        ("=15 // 6", 2),
        ("=2 ^ 3", 8),
        ("=3!", 6),
        ("='Hello' & ' world'", "Hello world"),
        ("=n > 2 ? 'big' : 'small'", "big"),
        ("='false' ? 'hello'", None),
        ("=not(4 > 5)", True),
        ("=$33 + 1", 2),
        ("{{n > 0 ? 'positive' : 'negative'}}", "positive"),
        ("n is {{n}}", "n is 3"),
        ("not evaluated", "not evaluated"),
        ("=ljust('4400', 5, '0')", "44000"),
        ("=1 / 0", None),
        ("=(0 - 8) ^ (1 / 3)", None),
        ("=now()", None),
    ],
)
def test_expressions_evaluate_as_the_user_guide_says(source: str, value: Any) -> None:
    assert Expression(source)({"n": "3", "33": 1}) == value


@pytest.mark.parametrize(
    "source",
    ["=1 +", "=(1", "='open", "=" + "(" * 100 + "1" + ")" * 100, "=" + "+".join("1" * 3000)],
)
def test_unreadable_or_unbounded_expressions_are_refused(source: str) -> None:
    with pytest.raises(ExpressionError):
        Expression(source)


def test_expressions_cannot_build_unbounded_values() -> None:
    doubling = "=" + " & ".join(["t"] * 200)
    assert Expression(doubling)({"t": "x" * 10_000}) is None
    assert Expression("=99999 ^ 99999")({}) is None
    assert Expression("=200!")({}) is None


def test_field_specification_uids_are_drawn_like_processor_uids_and_never_collide() -> None:
    store = Store(random.Random("1:ids"))
    ds = Dataset("da_x00001", "x", {}, "admin", 0.0, 0.0)
    taken = set()
    for i in range(200):
        uid = store.new_processor_uid(ds)
        assert re.fullmatch(r"pr_[a-z0-9]{6}", uid) and uid not in taken
        taken.add(uid)
        if i % 2:
            ds.processors[uid] = Processor(uid, "expression", None, {})
        else:
            ds.field_specs[uid] = FieldSpec(uid, "delete", {"field": "a"})
