"""Processors: a small catalogue, argument checks, and misconfiguration at publish.

Creating or replacing a processor checks its arguments' shape (a 400 names the
argument). Whether they make sense for the data is only known when records flow:
a field that does not exist at that point of the pipeline, a regular expression
that does not compile, a date format without directives. Such a processor is
accepted, and the next publish ends in ``error`` with the platform's message
``Processor {processor_id} is misconfigured for field {field}: {msg}``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from .errors import InvalidParameter
from .limits import as_integer, echo
from .metadata import closest
from .models import Dataset, Processor

FIELD_NAME = re.compile(r"^[a-z0-9_]{1,64}$")
MISCONFIGURED = "Processor {processor_id} is misconfigured for field {field}: {msg}"


@dataclass(frozen=True)
class Arg:
    name: str
    #: field (existing), new_field (created), fields (existing, a list), text, regex,
    #: date_format, count (an integer >= 0), or choice
    kind: str
    required: bool = True
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Kind:
    name: str
    label: str
    args: tuple[Arg, ...]
    #: The argument naming a field this processor removes, if any.
    removes: str | None = None


def _kind(name: str, label: str, *args: Arg, removes: str | None = None) -> Kind:
    return Kind(name, label, args, removes)


CATALOGUE: dict[str, Kind] = {
    k.name: k
    for k in (
        _kind("add_field", "Add a field", Arg("field", "new_field"), Arg("value", "text", False)),
        _kind("copy_field", "Copy a field", Arg("field", "field"), Arg("to", "new_field")),
        _kind(
            "rename_field",
            "Rename a field",
            Arg("field", "field"),
            Arg("to", "new_field"),
            removes="field",
        ),
        _kind("delete_field", "Delete a field", Arg("field", "field"), removes="field"),
        _kind(
            "replace_text",
            "Replace text",
            Arg("field", "field"),
            Arg("find", "text"),
            Arg("replace", "text", False),
        ),
        _kind(
            "replace_regexp",
            "Replace via regular expression",
            Arg("field", "field"),
            Arg("regexp", "regex"),
            Arg("replace", "text", False),
        ),
        _kind(
            "concatenate",
            "Concatenate text",
            Arg("fields", "fields"),
            Arg("to", "new_field"),
            Arg("separator", "text", False),
        ),
        _kind(
            "split_text",
            "Split text",
            Arg("field", "field"),
            Arg("separator", "text"),
        ),
        _kind(
            "normalize_date", "Normalize date", Arg("field", "field"), Arg("format", "date_format")
        ),
        _kind(
            "create_geopoint",
            "Create a geo point",
            Arg("latitude", "field"),
            Arg("longitude", "field"),
            Arg("to", "new_field"),
        ),
        _kind(
            "geocode_address",
            "Geocode an address",
            Arg("field", "field"),
            Arg("to", "new_field"),
            Arg("country", "choice", False, ("fr", "be", "ch", "de", "nl", "es", "it", "gb", "us")),
        ),
        _kind("skip_records", "Skip records", Arg("count", "count")),
        _kind("expression", "Expression", Arg("field", "new_field"), Arg("expression", "text")),
    )
}


def check_processor(
    name: str, label: str | None, args: dict[str, Any]
) -> tuple[str, str, dict[str, Any]]:
    """A processor's name, label and arguments, checked against the catalogue."""
    if name not in CATALOGUE:
        raise unknown_processor(name)
    kind = CATALOGUE[name]
    names = [a.name for a in kind.args]
    for key in args:
        if key not in names:
            raise InvalidParameter(
                f"args.{key}",
                f"{name} takes no such argument{closest(key, names)}; it takes {', '.join(names)}",
            )
    for arg in kind.args:
        if arg.name not in args:
            if arg.required:
                raise InvalidParameter(f"args.{arg.name}", f"is required by {name}")
            continue
        _check_arg(arg, args[arg.name])
    return name, kind.label if label is None else label, dict(args)


def unknown_processor(name: Any) -> InvalidParameter:
    """The refusal of a processor name the catalogue does not have."""
    hint = closest(name, CATALOGUE) if isinstance(name, str) else ""
    return InvalidParameter("name", f"expected one of {', '.join(CATALOGUE)}, got {name!r}{hint}")


def _check_arg(arg: Arg, value: Any) -> None:
    where = f"args.{arg.name}"
    if arg.kind == "count":
        count = as_integer(value)
        if count is None or count < 0:
            raise InvalidParameter(where, f"expected an integer >= 0, got {echo(value)}")
    elif arg.kind == "fields":
        if (
            not isinstance(value, list)
            or not value
            or not all(isinstance(v, str) and v for v in value)
        ):
            raise InvalidParameter(where, "expected a non-empty list of field names")
    elif arg.kind == "choice":
        if value not in arg.choices:
            raise InvalidParameter(
                where, f"expected one of {', '.join(arg.choices)}, got {value!r}"
            )
    elif not isinstance(value, str):
        raise InvalidParameter(where, f"expected a string, got {type(value).__name__}")
    elif arg.kind == "new_field" and not FIELD_NAME.match(value):
        raise InvalidParameter(
            where, f"'{value}' is not a field name: lowercase letters, digits and _"
        )


def dataset_fields(ds: Dataset) -> list[str]:
    """The fields a dataset's resources bring, in order, each once."""
    return list(dict.fromkeys(name for r in ds.resources.values() for name in r.fields))


def misconfiguration(
    processors: Iterable[Processor], fields: Iterable[str]
) -> tuple[str, str, str] | None:
    """The first processor that cannot run on these fields: (uid, field, why), or None."""
    present = set(fields)
    for processor in processors:
        kind = CATALOGUE[processor.name]
        for arg in kind.args:
            if arg.name not in processor.args:
                continue
            value = processor.args[arg.name]
            problem = _semantic(arg, value, present)
            if problem is not None:
                field, msg = problem
                return processor.processor_uid, field, msg
        if kind.removes:
            present.discard(processor.args[kind.removes])
        present.update(
            processor.args[a.name]
            for a in kind.args
            if a.kind == "new_field" and a.name in processor.args
        )
    return None


def _semantic(arg: Arg, value: Any, present: set[str]) -> tuple[str, str] | None:
    if arg.kind == "field" and value not in present:
        return value, "the field does not exist at this point of the pipeline"
    if arg.kind == "fields":
        missing = [v for v in value if v not in present]
        if missing:
            return missing[0], "the field does not exist at this point of the pipeline"
    if arg.kind == "new_field" and value in present:
        return value, "a field of that name already exists"
    if arg.kind == "regex":
        try:
            re.compile(value)
        except re.error as exc:
            return arg.name, f"invalid regular expression: {exc}"
    if arg.kind == "date_format" and "%" not in value:
        return arg.name, f"'{value}' is not a date format (use directives such as %Y-%m-%d)"
    return None
