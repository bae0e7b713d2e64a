"""The simulator's former processors, kept only to replay state files written with them.

Before the platform's catalogue (see :mod:`.processors`), the simulator had processors
of its own (``add_field``, ``rename_field``, ``replace_text``...). A state file written
then holds them; replaying it must make the same world, so such a processor keeps its
former label and arguments, and a publish checks it as the simulator then did, over
the fields the resources declare. The API no longer accepts these names.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from .errors import InvalidParameter
from .models import Dataset
from .processors import CATALOGUE, check_processor

#: Each former processor: its label, its arguments (name, kind), and what it removed.
FORMER: dict[str, tuple[str, tuple[tuple[str, str], ...], str | None]] = {
    "add_field": ("Add a field", (("field", "new_field"), ("value", "text")), None),
    "copy_field": ("Copy a field", (("field", "field"), ("to", "new_field")), None),
    "rename_field": ("Rename a field", (("field", "field"), ("to", "new_field")), "field"),
    "delete_field": ("Delete a field", (("field", "field"),), "field"),
    "replace_text": (
        "Replace text",
        (("field", "field"), ("find", "text"), ("replace", "text")),
        None,
    ),
    "replace_regexp": (
        "Replace via regular expression",
        (("field", "field"), ("regexp", "regex"), ("replace", "text")),
        None,
    ),
    "concatenate": (
        "Concatenate text",
        (("fields", "fields"), ("to", "new_field"), ("separator", "text")),
        None,
    ),
    "split_text": ("Split text", (("field", "field"), ("separator", "text")), None),
    "normalize_date": ("Normalize date", (("field", "field"), ("format", "date_format")), None),
    "create_geopoint": (
        "Create a geo point",
        (("latitude", "field"), ("longitude", "field"), ("to", "new_field")),
        None,
    ),
    "geocode_address": (
        "Geocode an address",
        (("field", "field"), ("to", "new_field"), ("country", "choice")),
        None,
    ),
    "skip_records": ("Skip records", (("count", "count"),), None),
    "expression": ("Expression", (("field", "new_field"), ("expression", "text")), None),
}


def is_former(name: str, args: Any) -> bool:
    """Whether a processor is one of the former catalogue's, not a platform one."""
    if name not in FORMER or not isinstance(args, dict):
        return False
    if name not in CATALOGUE:  # a name only the former catalogue had
        return True
    try:  # a name both have (create_geopoint, expression): the platform's arguments?
        check_processor(name, None, args)
    except InvalidParameter:
        return True
    return False


def former_label(name: str, label: str | None) -> str | None:
    """The label a former processor was given: its own, or its kind's."""
    return label if label is not None else FORMER[name][0]


def uses_former(processors: Iterable[Any]) -> bool:
    return any(is_former(p.name, p.args) for p in processors)


def declared_fields(ds: Dataset) -> list[str]:
    """The fields the resources declare, as the former checks saw them."""
    return list(dict.fromkeys(name for r in ds.resources.values() for name in r.fields))


def former_step(name: str, args: Mapping[str, Any], present: set[str]) -> tuple[str, str] | None:
    """The former check of one processor: (field, why) if it cannot run; updates ``present``."""
    _, kinds, removes = FORMER[name]
    for arg, kind in kinds:
        if arg not in args:
            continue
        value = args[arg]
        if kind == "field" and value not in present:
            return str(value), "the field does not exist at this point of the pipeline"
        if kind == "fields":
            missing = [v for v in value if v not in present]
            if missing:
                return str(missing[0]), "the field does not exist at this point of the pipeline"
        if kind == "new_field" and value in present:
            return str(value), "a field of that name already exists"
        if kind == "regex":
            try:
                re.compile(value)
            except re.error as exc:
                return arg, f"invalid regular expression: {exc}"
        if kind == "date_format" and "%" not in value:
            return arg, f"'{value}' is not a date format (use directives such as %Y-%m-%d)"
    if removes:
        present.discard(args[removes])
    present.update(args[arg] for arg, kind in kinds if kind == "new_field" and arg in args)
    return None
