"""The domain's metadata templates as the Automation API v1.0 serves them.

The same definitions as the Management API v2 (:mod:`.metadata`), plus what real
Automation clients read and write beyond them:

- fields outside the specification's schema that clients set on real portals
  (``default.license_id``, ``default.theme_id``, ``default.tags``,
  ``internal.category_id``, ``internal.metadata_source_language``, ``dcat.relation``,
  ``dcat.temporal_coverage_start_date``...);
- the domain's own templates ``custom`` and ``admin``, whose fields each domain
  defines: any field name is accepted there, with any JSON value.

``publishing`` mirrors the dataset's state and is not an Automation template. A
template's ``type`` is the specification's: ``basic`` (described to users),
``interop``, ``extra`` (the portal's display settings) or ``admin``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from .errors import InvalidParameter
from .limits import echo
from .metadata import MULTITEXT, TEMPLATES, TEXT, Field, Template, closest, coerce

#: The specification's template types.
TYPES = ("interop", "basic", "extra", "admin")

#: A field name of a domain's own template (the specification's example: ``my-custom-field``).
FIELD_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")

#: Fields real clients write beyond the definitions v2 serves, by template.
_EXTRA: dict[str, tuple[tuple[str, str, str], ...]] = {
    "default": (
        ("license_id", TEXT, "License identifier"),
        ("theme_id", TEXT, "Theme identifier"),
        ("tags", MULTITEXT, "Tags"),
    ),
    "internal": (
        ("category_id", TEXT, "Category identifier"),
        ("metadata_source_language", TEXT, "Language of the metadata's source"),
    ),
    "dcat": (
        ("relation", TEXT, "Relation"),
        ("temporal_coverage_start_date", TEXT, "Temporal coverage: start date"),
        ("temporal_coverage_end_date", TEXT, "Temporal coverage: end date"),
    ),
    "dcat_ap_ch": (("license", TEXT, "License"),),
}

#: Where a field written is copied as well: the platform keeps the licence a client
#: sets in ``default.license_id`` as ``internal.license_id`` (huwise-utils-py reads it there).
COPIES: dict[tuple[str, str], tuple[str, str]] = {
    ("default", "license_id"): ("internal", "license_id"),
}


@dataclass(frozen=True)
class Catalogued:
    """A template of the domain: its definition, type, and whether any field name goes."""

    template: Template
    type: str
    #: A domain's own template: its fields are the domain's, any name is accepted.
    open: bool = False
    is_system: bool = True
    is_always_active: bool = False

    @property
    def name(self) -> str:
        return self.template.name

    @property
    def fields(self) -> dict[str, Field]:
        return self.template.fields


_TYPE = {"general": "basic", "interop": "interop", "admin": "admin"}


def _extended(t: Template) -> Template:
    extra = {
        name: Field(t.name, name, kind, label)
        for name, kind, label in _EXTRA.get(t.name, ())
        if name not in t.fields
    }
    return replace(t, fields={**t.fields, **extra}) if extra else t


def _build() -> dict[str, Catalogued]:
    out: dict[str, Catalogued] = {}
    for name, t in TEMPLATES.items():
        if t.read_only:
            continue
        kind = "extra" if name == "visualization" else _TYPE[t.purpose]
        out[name] = Catalogued(_extended(t), kind, is_always_active=name == "default")
    for name, label, kind in (("custom", "Custom", "basic"), ("admin", "Admin", "admin")):
        out[name] = Catalogued(Template(name, label, "general", {}), kind, True, False)
    return out


#: Every template of the domain, in the order the catalogue lists them.
CATALOGUE: dict[str, Catalogued] = _build()

#: A field of a domain's own template: text by definition, any JSON value accepted.
_OPEN_TYPE = TEXT


def template(name: str) -> Catalogued | None:
    return CATALOGUE.get(name)


def field(t: Catalogued, name: str) -> Field | None:
    """The field's definition; in a domain's own template, any well-formed name has one."""
    known = t.fields.get(name)
    if known is not None or not t.open or not FIELD_NAME.match(name):
        return known
    return Field(t.name, name, _OPEN_TYPE, name)


def check_value(t: Catalogued, f: Field, value: Any, where: str) -> Any:
    """The value to store (canonical), ``None`` for none; a refusal names ``where``."""
    if t.open and f.name not in t.fields:
        return value
    return coerce(f, value, where)


def unknown_template(name: str) -> InvalidParameter:
    """A refusal of a template name the domain does not have, naming the closest one."""
    known = ", ".join(CATALOGUE)
    return InvalidParameter(
        name, f"unknown template {echo(name)}{closest(name, CATALOGUE)}; known: {known}"
    )


def check_dataset_metas(metas: Any) -> dict[str, dict[str, Any]]:
    """A dataset body's metadata (v2's ``metas``, the Automation API's ``metadata``),
    checked against the domain's catalogue: its templates, their extra fields, and any
    field of ``custom`` and ``admin``; return a clean copy.

    ``publishing`` mirrors the dataset's state and is ignored (a client sends back what
    it read). ``None`` stays ``None``: on an update, it removes the field. A value set
    where the platform keeps a copy (``default.license_id``) is copied as well, as the
    metadata endpoints do.
    """
    if not isinstance(metas, dict):
        raise InvalidParameter("metas", "expected an object of templates")
    clean: dict[str, dict[str, Any]] = {}
    for name, values in metas.items():
        t = CATALOGUE.get(name)
        if t is None:
            if name in TEMPLATES:  # read only: a mirror of the dataset's state
                continue
            known = ", ".join(CATALOGUE)
            raise InvalidParameter(
                "metas", f"unknown template {echo(name)}{closest(name, CATALOGUE)}; known: {known}"
            )
        if not isinstance(values, dict):
            raise InvalidParameter(f"metas.{name}", "expected an object of metadata values")
        out = clean.setdefault(name, {})
        for key, value in values.items():
            f = field(t, key)
            if f is None:
                raise InvalidParameter(
                    f"metas.{name}", f"unknown metadata {echo(key)}{closest(key, t.fields)}"
                )
            out[key] = check_value(t, f, value, f"metas.{name}.{key}")
    for (template, key), (to_template, to_key) in COPIES.items():
        if key in clean.get(template, {}):
            clean.setdefault(to_template, {})[to_key] = clean[template][key]
    return clean
