"""Metadata templates: which ``metas`` a dataset may carry, and their types.

A dataset's ``metas`` is a dict by template (``default``, ``visualization``...), each
a dict of raw values. Values are checked against the field's type on every write, so
a failed request never stores a half-valid change.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .errors import InvalidParameter
from .limits import as_integer


@dataclass(frozen=True)
class Field:
    name: str
    type: str  # text, html, list, bool, int, datetime, url
    label: str
    read_only: bool = False


@dataclass(frozen=True)
class Template:
    name: str
    label: str
    purpose: str
    fields: dict[str, Field]


def _template(name: str, label: str, purpose: str, *fields: tuple[str, str, str]) -> Template:
    return Template(name, label, purpose, {n: Field(n, t, lbl) for n, t, lbl in fields})


TEMPLATES: dict[str, Template] = {
    t.name: t
    for t in (
        _template(
            "default",
            "Standard metadata",
            "general",
            ("title", "text", "Title"),
            ("description", "html", "Description"),
            ("theme", "list", "Themes"),
            ("keyword", "list", "Keywords"),
            ("license", "text", "License"),
            ("license_url", "url", "License URL"),
            ("language", "text", "Language"),
            ("metadata_languages", "list", "Metadata languages"),
            ("timezone", "text", "Timezone"),
            ("modified", "datetime", "Modified"),
            ("modified_updates_on_metadata_change", "bool", "Update modified on metadata change"),
            ("modified_updates_on_data_change", "bool", "Update modified on data change"),
            ("geographic_reference", "list", "Geographic coverage"),
            ("territory", "list", "Territory"),
            ("publisher", "text", "Publisher"),
            ("references", "url", "References"),
            ("attributions", "list", "Attributions"),
        ),
        _template(
            "visualization",
            "Visualization settings",
            "visualization",
            ("map_marker_color", "text", "Marker colour"),
            ("map_marker_picto", "text", "Marker pictogram"),
            ("map_tooltip_html_enabled", "bool", "Custom map tooltip"),
            ("map_tooltip_html", "html", "Map tooltip template"),
            ("calendar_enabled", "bool", "Calendar view"),
            ("image_enabled", "bool", "Image gallery"),
            ("analyze_default", "text", "Default analysis"),
        ),
        _template(
            "internal",
            "Internal metadata",
            "internal",
            ("draft", "bool", "Draft"),
            ("license_id", "text", "License identifier"),
            ("notes", "html", "Internal notes"),
        ),
        _template(
            "dcat",
            "DCAT",
            "interoperability",
            ("created", "datetime", "Creation date"),
            ("issued", "datetime", "Issue date"),
            ("creator", "text", "Creator"),
            ("contributor", "text", "Contributor"),
            ("contact_name", "text", "Contact name"),
            ("contact_email", "text", "Contact email"),
            ("accrualperiodicity", "text", "Update frequency"),
            ("spatial", "text", "Spatial coverage"),
            ("temporal", "text", "Temporal coverage"),
            ("granularity", "text", "Granularity"),
            ("dataquality", "html", "Data quality"),
        ),
    )
}


def closest(word: str, choices: Any) -> str:
    """A hint naming the closest known word, or an empty string."""
    match = difflib.get_close_matches(word, list(choices), n=1)
    return f" (did you mean '{match[0]}'?)" if match else ""


def check_template(template: str) -> Template:
    """The named template, or a refusal naming the closest known one."""
    if template not in TEMPLATES:
        raise InvalidParameter(
            "metas",
            f"unknown template '{template}'{closest(template, TEMPLATES)}; "
            f"known: {', '.join(TEMPLATES)}",
        )
    return TEMPLATES[template]


def check_value(template: str, name: str, value: Any) -> Any:
    """Return ``value`` if it fits the field's type, else raise naming the field."""
    fields = check_template(template).fields
    if name not in fields:
        raise InvalidParameter(
            f"metas.{template}", f"unknown metadata '{name}'{closest(name, fields)}"
        )
    if value is None:
        return None
    kind = fields[name].type
    where = f"metas.{template}.{name}"
    ok = {
        "text": isinstance(value, str),
        "html": isinstance(value, str),
        "url": isinstance(value, str),
        "bool": isinstance(value, bool),
        "int": as_integer(value) is not None,
        "list": isinstance(value, list) and all(isinstance(v, str) for v in value),
        "datetime": isinstance(value, str) and _is_datetime(value),
    }[kind]
    if not ok:
        expected = {
            "list": "a list of strings",
            "datetime": "an ISO 8601 datetime string",
            "bool": "true or false",
            "int": "an integer",
        }.get(kind, "a string")
        raise InvalidParameter(where, f"expected {expected}, got {type(value).__name__}")
    return as_integer(value) if kind == "int" else value


_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")


def _is_datetime(value: str) -> bool:
    if not _DATE.match(value):
        return False
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def check_metas(metas: Any) -> dict[str, dict[str, Any]]:
    """Validate a ``metas`` object as sent by a client; return a clean copy."""
    if not isinstance(metas, dict):
        raise InvalidParameter("metas", "expected an object of templates")
    clean: dict[str, dict[str, Any]] = {}
    for template, values in metas.items():
        if template == "publishing":
            continue  # read-only mirror of the dataset's state, ignored on write
        check_template(template)
        if not isinstance(values, dict):
            raise InvalidParameter(f"metas.{template}", "expected an object of metadata values")
        clean[template] = {name: check_value(template, name, v) for name, v in values.items()}
    return clean
