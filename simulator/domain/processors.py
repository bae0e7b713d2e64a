"""The platform's processors: their technical names and arguments, checked on creation.

The catalogue holds the sixteen technical names the Management API documentation
gives (``GET /processors/``, and ``expand_json_array`` in the guess example). The
arguments of five are documented (``regexp_replace``, ``string_replace``,
``string_extractor``, ``expression``, ``expand_json_array``); those of the others are
the user guide's labels in snake case, shortened as the documented ones are ("Old
value" is ``old``, "Regular expression" is ``regexp``): the simulator's own reading,
listed in the README's decisions.

Creating or replacing a processor checks its arguments' shape (a 400 names the
argument). Whether they make sense for the data is known only when records flow (see
:mod:`.pipeline`): such a processor is accepted, and the next publish ends in
``error`` with the platform's message
``Processor {processor_id} is misconfigured for field {field}: {msg}``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .errors import InvalidParameter
from .limits import as_boolean, as_integer, echo
from .metadata import closest

MISCONFIGURED = "Processor {processor_id} is misconfigured for field {field}: {msg}"
#: What a new field's name may be: letters, digits and underscores (user guide).
FIELD_NAME = re.compile(r"^[A-Za-z0-9_]{1,128}$")
#: Longest text argument (a regular expression, an expression, a value).
MAX_ARGUMENT = 10_000


@dataclass(frozen=True)
class Arg:
    name: str
    #: field (an existing field), fields (a list of them), output (a field written,
    #: new or existing), text, regexp, expression, date_format, timezone, boolean,
    #: index (an integer from 1) or epsg (a positive integer)
    kind: str
    required: bool = True
    #: Not required when this boolean argument is true (``all_fields``).
    unless: str | None = None


@dataclass(frozen=True)
class Kind:
    name: str
    #: The user guide's name for it.
    title: str
    args: tuple[Arg, ...]

    @property
    def arg_names(self) -> list[str]:
        return [a.name for a in self.args]


def _kind(name: str, title: str, *args: Arg) -> Kind:
    return Kind(name, title, args)


_ALL = Arg("all_fields", "boolean", required=False)

#: Every processor, in the order of the documentation's catalogue example.
CATALOGUE: dict[str, Kind] = {
    k.name: k
    for k in (
        _kind(
            "regexp_replace",
            "Replace via regular expression",
            Arg("field", "field", unless="all_fields"),
            Arg("regexp", "regexp"),
            Arg("new", "text", required=False),
            _ALL,
            Arg("case_insensitive", "boolean", required=False),
            Arg("multiline", "boolean", required=False),
            Arg("dotall", "boolean", required=False),
        ),
        _kind(
            "transform_coordinates",
            "Normalize projection reference",
            Arg("field", "field"),
            Arg("source_epsg_code", "epsg"),
        ),
        _kind("string_extractor", "Extract text", Arg("field", "field"), Arg("regexp", "regexp")),
        _kind(
            "skip_record",
            "Skip records",
            Arg("field", "field"),
            Arg("value_to_skip", "text", required=False),
            Arg("exact_match", "boolean", required=False),
            Arg("keep_instead_of_skip", "boolean", required=False),
        ),
        _kind(
            "create_geopoint",
            "Create geo point",
            Arg("latitude", "field"),
            Arg("longitude", "field"),
            Arg("source_epsg_code", "epsg", required=False),
            Arg("output_field", "output"),
        ),
        _kind(
            "split",
            "Split text",
            Arg("field", "field"),
            Arg("separator", "separator"),
            Arg("index", "index"),
            Arg("output_field", "output"),
        ),
        _kind(
            "delete_record",
            "Delete record",
            Arg("field", "field", required=False),
            Arg("value_to_skip", "text", required=False),
            Arg("exact_match", "boolean", required=False),
        ),
        _kind("set_timezone", "Set timezone", Arg("field", "field"), Arg("timezone", "timezone")),
        _kind(
            "string_replace",
            "Replace text",
            Arg("field", "field", unless="all_fields"),
            _ALL,
            Arg("old", "text", required=False),
            Arg("new", "text", required=False),
        ),
        _kind(
            "date_normalizer",
            "Normalize date",
            Arg("field", "field"),
            Arg("date_format", "date_format"),
        ),
        _kind(
            "geojoin",
            "GeoJoin",
            Arg("country", "text"),
            Arg("repository", "text"),
            Arg("local_key", "field"),
            Arg("output_field", "output"),
        ),
        _kind(
            "concat",
            "Concatenate text",
            Arg("separator", "text", required=False),
            Arg("left", "field"),
            Arg("right", "field"),
            Arg("output_field", "output"),
        ),
        _kind(
            "geo_distance",
            "Compute geo distance",
            Arg("coordinates_a", "field"),
            Arg("coordinates_b", "field"),
            Arg("output_field", "output"),
        ),
        _kind(
            "expression",
            "Expression",
            Arg("output_field", "output"),
            Arg("expression", "expression"),
        ),
        _kind(
            "unicode_normalize",
            "Normalize Unicode values",
            Arg("fields", "fields", unless="all_fields"),
            _ALL,
        ),
        _kind(
            "expand_json_array",
            "Expand JSON array",
            Arg("json_array_field", "field"),
            Arg("ijson_rule_to_array", "text", required=False),
            Arg("output_field", "output"),
        ),
    )
}

#: Names the simulator once had, with what the platform has instead.
FORMER_NAMES: dict[str, str] = {
    "replace_text": "string_replace",
    "replace_regexp": "regexp_replace",
    "concatenate": "concat",
    "split_text": "split",
    "normalize_date": "date_normalizer",
    "skip_records": "skip_record",
    "add_field": "expression",
    "copy_field": "expression",
}
#: Former names that are field specifications on the platform.
FIELD_SPECIFICATIONS: dict[str, str] = {"rename_field": "rename", "delete_field": "delete"}


def check_processor(
    name: str, label: str | None, args: dict[str, Any]
) -> tuple[str, str | None, dict[str, Any]]:
    """A processor's name, label and arguments, checked against the catalogue.

    The arguments come back in the catalogue's order (the documentation's), with
    booleans and integers as JSON has them whatever spelling was sent.
    """
    if name not in CATALOGUE:
        raise unknown_processor(name)
    kind = CATALOGUE[name]
    names = kind.arg_names
    for key in args:
        if key not in names:
            raise InvalidParameter(
                f"args.{key}",
                f"{name} takes no such argument{closest(key, names)}; it takes {', '.join(names)}",
            )
    checked: dict[str, Any] = {}
    for arg in kind.args:
        value = args.get(arg.name)
        if value is not None:
            checked[arg.name] = _check_arg(arg, value)
    for arg in kind.args:
        if arg.name in checked or not arg.required:
            continue
        if arg.unless is not None and checked.get(arg.unless) is True:
            continue
        need = f" (or {arg.unless}: true)" if arg.unless else ""
        raise InvalidParameter(f"args.{arg.name}", f"is required by {name}{need}")
    return name, label, checked


def unknown_processor(name: Any) -> InvalidParameter:
    """The refusal of a processor name the catalogue does not have, with a hint."""
    if isinstance(name, str) and name in FIELD_SPECIFICATIONS:
        spec = FIELD_SPECIFICATIONS[name]
        hint = (
            f"; on the platform this is a field specification: POST "
            f'.../fields_specifications/ {{"name": "{spec}", ...}}'
        )
    elif isinstance(name, str) and name in FORMER_NAMES:
        hint = f"; the platform's processor for this is '{FORMER_NAMES[name]}'"
    else:
        hint = closest(name, CATALOGUE) if isinstance(name, str) else ""
    shown = echo(name) if isinstance(name, str) else repr(name)
    return InvalidParameter("name", f"expected one of {', '.join(CATALOGUE)}, got {shown}{hint}")


#: An integer written as text: ASCII digits only (``"²"`` is a digit to ``str.isdigit``).
_DIGITS = re.compile(r"[0-9]{1,18}")


def _check_arg(arg: Arg, value: Any) -> Any:
    where = f"args.{arg.name}"
    kind = arg.kind
    if kind == "boolean":
        flag = as_boolean(value)
        if flag is None:
            raise InvalidParameter(where, f"expected true or false, got {echo(value)}")
        return flag
    if kind in ("index", "epsg"):
        number = as_integer(value)
        if number is None and isinstance(value, str) and _DIGITS.fullmatch(value.strip()):
            number = int(value.strip())
        if number is None or number < 1:
            raise InvalidParameter(where, f"expected an integer from 1 on, got {echo(value)}")
        return number
    if kind == "fields":
        items = [value] if isinstance(value, str) else value
        if (
            not isinstance(items, list)
            or not items
            or not all(isinstance(v, str) and 0 < len(v) <= MAX_ARGUMENT for v in items)
        ):
            raise InvalidParameter(where, "expected a field name or a list of field names")
        return list(items)
    if not isinstance(value, str):
        raise InvalidParameter(where, f"expected a string, got {type(value).__name__}")
    if len(value) > MAX_ARGUMENT:
        raise InvalidParameter(where, f"longer than {MAX_ARGUMENT:,} characters")
    if kind == "output" and not FIELD_NAME.match(value):
        raise InvalidParameter(
            where, f"{echo(value)} is not a field name: letters, digits and underscores"
        )
    required = ("field", "separator", "regexp", "expression", "date_format", "timezone")
    if kind in required and not value:
        raise InvalidParameter(where, "expected a non-empty string")
    return value
