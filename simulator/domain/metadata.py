"""Metadata templates as the platform defines them: their fields, types, widgets and values.

A dataset's ``metas`` is a dict by template (``default``, ``internal``, ``dcat``...),
each a dict of values. Every field has a *definition* in the platform's vocabulary:
a ``type`` (``text``, ``multitext``, ``html``, ``date``, ``datetime``, ``boolean``,
``int``, ``double``), a ``label``, a ``help_text``, ``choices`` where only some values
are accepted, a ``widget`` and ``allow_empty``. Values are read as leniently as the
platform reads them (``"true"`` for a boolean, ``"12"`` for an integer, one string for
a ``multitext``) and stored in one canonical form; a value the platform would refuse
(a datetime without a time zone, a value outside the choices) is refused, naming the
field, so a failed request never stores a half-valid change.

Sources: the Management API v2 documentation (the metadata object, the form and
widget objects, whose examples are definitions of ``default`` fields), the Automation
API v1.0 specification (the ``default``, ``internal`` and ``visualization`` fields and
their value types) and the user guide (the ``dcat``, ``dcat_ap_ch``, ``inspire`` and
``semantic`` fields a harvester accepts).
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from .errors import InvalidParameter
from .languages import LANGUAGES
from .limits import as_boolean, as_integer, echo

# the vocabulary ------------------------------------------------------------------------

TEXT, MULTITEXT, HTML, DATE, DATETIME = "text", "multitext", "html", "date", "datetime"
BOOLEAN, INT, DOUBLE = "boolean", "int", "double"
#: Field types, in the platform's words (the documented five, then the newer three).
TYPES = (TEXT, MULTITEXT, HTML, DATE, DATETIME, BOOLEAN, INT, DOUBLE)

#: What a template is for: described to users, a norm for interoperability, or for
#: publishers only (never shown by the explore APIs).
PURPOSES = ("general", "interop", "admin")

#: Widgets the documentation lists, and ``toggle`` and ``number`` from its 2017 drafts
#: (for the types it did not document yet: ``boolean``, and ``int`` and ``double``).
WIDGETS = (
    "textinput",
    "select",
    "datalist",
    "multitextinput",
    "multiselect",
    "multidatalist",
    "tags",
    "dateinput",
    "datetimeinput",
    "richtextinput",
    "toggle",
    "number",
)

#: The widget of a field of each type, unless its definition names another.
DEFAULT_WIDGET = {
    TEXT: "textinput",
    MULTITEXT: "multitextinput",
    HTML: "richtextinput",
    DATE: "dateinput",
    DATETIME: "datetimeinput",
    BOOLEAN: "toggle",
    INT: "number",
    DOUBLE: "number",
}

Choice = str | tuple[str, str]


@dataclass(frozen=True)
class Field:
    """One metadata of a template, and its definition."""

    template: str
    name: str
    type: str
    label: str
    help_text: str = ""
    #: Accepted values: strings, or ``(value, label)`` pairs. ``None``: any value.
    choices: tuple[Choice, ...] | None = None
    widget: str = ""
    suggest_values: tuple[str, ...] | None = None
    suggest_url: str | None = None
    allow_empty: bool = True
    #: A mirror of the dataset's state (``publishing.published``): not written.
    read_only: bool = False

    @property
    def path(self) -> str:
        return f"{self.template}.{self.name}"

    @property
    def widget_type(self) -> str:
        return self.widget or DEFAULT_WIDGET[self.type]

    @property
    def choice_values(self) -> tuple[str, ...]:
        return tuple(c if isinstance(c, str) else c[0] for c in self.choices or ())


@dataclass(frozen=True)
class Template:
    name: str
    label: str
    purpose: str
    fields: dict[str, Field]
    #: Every field mirrors the dataset's state: never written, nor in a scenario.
    read_only: bool = False


def _template(
    name: str, label: str, purpose: str, *fields: tuple[Any, ...], read_only: bool = False
) -> Template:
    made: dict[str, Field] = {}
    for spec in fields:
        field_name, kind, field_label, *extra = spec
        options: dict[str, Any] = extra[0] if extra else {}
        made[field_name] = Field(name, field_name, kind, field_label, **options)
    return Template(name, label, purpose, made, read_only)


#: The themes and licences the documentation's widget examples suggest.
THEMES = (
    "Health",
    "Culture, Heritage",
    "Education, Training, Research, Teaching",
    "Environment",
    "Transport, Movements",
    "Spatial planning, Town planning, Buildings, Equipment, Housing",
    "Economy, Business, SME, Economic development, Employment",
    "Administration, Government, Public finances, Citizenship",
    "Justice, Safety, Police, Crime",
    "Sports, Leisure",
    "Accommodation, Hospitality Industry",
    "Services, Social",
)
LICENSES = (
    "Licence Ouverte (Etalab)",
    "Licence Ouverte v2.0 (Etalab)",
    "Open Government Licence v3.0",
    "Open Database License (ODbL)",
    "Public Domain",
    "CC BY",
    "CC BY-ND",
    "CC BY-NC-ND",
    "CC BY-NC",
    "CC BY-NC-SA",
    "CC BY-SA",
    "CC BY-IGO",
)
#: The INSPIRE spatial data themes (annexes I to III of the directive), as suggestions.
INSPIRE_THEMES = (
    "Coordinate reference systems",
    "Geographical grid systems",
    "Geographical names",
    "Administrative units",
    "Addresses",
    "Cadastral parcels",
    "Transport networks",
    "Hydrography",
    "Protected sites",
    "Elevation",
    "Land cover",
    "Orthoimagery",
    "Geology",
    "Statistical units",
    "Buildings",
    "Soil",
    "Land use",
    "Human health and safety",
    "Utility and governmental services",
    "Environmental monitoring facilities",
    "Production and industrial facilities",
    "Agricultural and aquaculture facilities",
    "Population distribution — demography",
    "Area management/restriction/regulation zones and reporting units",
    "Natural risk zones",
    "Atmospheric conditions",
    "Meteorological geographical features",
    "Oceanographic geographical features",
    "Sea regions",
    "Bio-geographical regions",
    "Habitats and biotopes",
    "Species distribution",
    "Energy resources",
    "Mineral resources",
)
KEYWORD_SUGGEST_URL = "/api/management/1.0/metadata_templates/default/keyword/suggest"

TEMPLATES: dict[str, Template] = {
    t.name: t
    for t in (
        _template(
            "default",
            "Default metadata",
            "general",
            ("title", TEXT, "Title", {"allow_empty": False}),
            ("description", HTML, "Description"),
            (
                "theme",
                MULTITEXT,
                "Theme",
                {"widget": "multidatalist", "suggest_values": THEMES},
            ),
            (
                "keyword",
                MULTITEXT,
                "Keyword",
                {
                    "help_text": "Hit Enter after each keyword",
                    "widget": "tags",
                    "suggest_url": KEYWORD_SUGGEST_URL,
                },
            ),
            ("license", TEXT, "License", {"widget": "datalist", "suggest_values": LICENSES}),
            (
                "language",
                TEXT,
                "Language",
                {"choices": LANGUAGES, "widget": "select", "allow_empty": False},
            ),
            ("timezone", TEXT, "Timezone"),
            ("modified", DATETIME, "Modified", {"allow_empty": False}),
            (
                "modified_updates_on_metadata_change",
                BOOLEAN,
                "Update automatically when metadata has changed",
            ),
            (
                "modified_updates_on_data_change",
                BOOLEAN,
                "Update automatically when data has changed",
            ),
            ("geographic_reference_auto", BOOLEAN, "Geographic coverage computed automatically"),
            ("geographic_reference", MULTITEXT, "Geographic coverage"),
            ("publisher", TEXT, "Publisher"),
            ("references", TEXT, "Reference"),
            ("attributions", MULTITEXT, "Attributions"),
            ("oauth_scope", TEXT, "OAuth scope"),
        ),
        _template(
            "publishing",
            "Publishing",
            "general",
            ("published", BOOLEAN, "Published", {"read_only": True}),
            read_only=True,
        ),
        _template(
            "visualization",
            "Visualization",
            "general",
            ("analyze_disabled", BOOLEAN, "Analyze tab disabled"),
            ("analyze_default", TEXT, "Default analysis chart"),
            ("table_fields", MULTITEXT, "Fields shown in the table"),
            ("table_default_sort_field", TEXT, "Table's initial sort field"),
            ("table_default_sort_direction", TEXT, "Table's initial sort direction"),
            ("map_disabled", BOOLEAN, "Map tab disabled"),
            ("map_marker_picto", TEXT, "Map marker pictogram"),
            ("map_marker_color", TEXT, "Map marker color"),
            ("map_marker_hidemarkershape", BOOLEAN, "Map markers without their shape"),
            ("map_tooltip_title", TEXT, "Field titling the map tooltips"),
            ("map_tooltip_fields", MULTITEXT, "Fields shown in the map tooltips"),
            ("map_tooltip_disabled", BOOLEAN, "Map tooltips disabled"),
            ("map_tooltip_html_enabled", BOOLEAN, "Map tooltips from an HTML template"),
            ("map_tooltip_html", TEXT, "HTML template of the map tooltips"),
            ("map_tooltip_sort_field", TEXT, "Sort field of the map tooltips"),
            ("map_tooltip_sort_direction", TEXT, "Sort direction of the map tooltips"),
            ("map_basemap", TEXT, "Default basemap"),
            ("images_disabled", BOOLEAN, "Images tab disabled"),
            ("media_gallery_fields", MULTITEXT, "Fields of the media gallery"),
            ("image_title", TEXT, "Field titling the image thumbnails"),
            ("image_fields", MULTITEXT, "Fields shown when an image is clicked"),
            ("image_tooltip_html_enabled", BOOLEAN, "Image tooltips from an HTML template"),
            ("image_tooltip_html", MULTITEXT, "HTML template of the image tooltips"),
            ("calendar_enabled", BOOLEAN, "Calendar tab enabled"),
            ("calendar_event_title", TEXT, "Field titling the calendar events"),
            ("calendar_event_start", TEXT, "Field of the events' start"),
            ("calendar_event_end", TEXT, "Field of the events' end"),
            ("calendar_tooltip_html_enabled", BOOLEAN, "Calendar tooltips from an HTML template"),
            ("calendar_tooltip_html", TEXT, "HTML template of the calendar tooltips"),
            ("calendar_tooltip_fields", MULTITEXT, "Fields shown in the calendar tooltips"),
            ("calendar_event_color", TEXT, "Color of the calendar events"),
            ("calendar_available_views", TEXT, "Calendar views available"),
            ("calendar_default_view", TEXT, "Default calendar view"),
            ("custom_view_enabled", BOOLEAN, "Custom view enabled"),
            ("custom_view_html", TEXT, "HTML of the custom view"),
            ("custom_view_css", TEXT, "CSS of the custom view"),
            ("custom_view_icon", TEXT, "Icon of the custom view"),
            ("custom_view_title", TEXT, "Title of the custom view"),
            ("custom_view_slug", TEXT, "Slug of the custom view"),
        ),
        _template(
            "internal",
            "Internal",
            "admin",
            ("license_id", TEXT, "License identifier"),
            ("theme_id", MULTITEXT, "Theme identifiers"),
            ("draft", BOOLEAN, "Draft"),
        ),
        _template(
            "dcat",
            "DCAT",
            "interop",
            ("created", DATE, "Created"),
            ("issued", DATE, "Issued"),
            ("creator", TEXT, "Creator"),
            ("contributor", TEXT, "Contributor"),
            ("contact_name", TEXT, "Contact name"),
            ("contact_email", TEXT, "Contact email"),
            ("accrualperiodicity", TEXT, "Accrual periodicity"),
            ("spatial", TEXT, "Spatial"),
            ("temporal", TEXT, "Temporal"),
            ("granularity", TEXT, "Granularity"),
            ("dataquality", TEXT, "Data quality"),
        ),
        _template(
            "dcat_ap_ch",
            "DCAT-AP for Switzerland",
            "interop",
            ("domain", TEXT, "Domain"),
            ("rights", TEXT, "Rights"),
        ),
        _template(
            "inspire",
            "INSPIRE",
            "interop",
            (
                "theme",
                MULTITEXT,
                "Theme",
                {"widget": "multidatalist", "suggest_values": INSPIRE_THEMES},
            ),
            (
                "type",
                MULTITEXT,
                "Type",
                {
                    "choices": (
                        "Spatial data set",
                        "Spatial data set series",
                        "Spatial data service",
                    ),
                    "widget": "multiselect",
                },
            ),
            ("file_identifier", TEXT, "File identifier"),
            ("hierarchy_level", TEXT, "Hierarchy level"),
            ("hierarchy_level_name", TEXT, "Hierarchy level name"),
            ("spatial_resolution", TEXT, "Spatial resolution"),
            ("topologic_consistency", TEXT, "Topologic consistency"),
            ("contact_individual_name", TEXT, "Contact name"),
            ("contact_position", TEXT, "Contact position"),
            ("contact_address", TEXT, "Contact address"),
            ("contact_email", TEXT, "Contact email"),
            ("identification_purpose", HTML, "Purpose"),
            ("extend_description", TEXT, "Geographic area description"),
            ("extend_bounding_box_westbound_longitude", DOUBLE, "Westbound longitude"),
            ("extend_bounding_box_eastbound_longitude", DOUBLE, "Eastbound longitude"),
            ("extend_bounding_box_southbound_latitude", DOUBLE, "Southbound latitude"),
            ("extend_bounding_box_northbound_latitude", DOUBLE, "Northbound latitude"),
        ),
        _template(
            "semantic",
            "Semantic",
            "interop",
            ("rml_mapping", TEXT, "RML mapping"),
            ("classes", MULTITEXT, "Classes"),
            ("properties", MULTITEXT, "Properties"),
        ),
    )
}

#: Templates a client or a scenario may write (all but the mirrors of the dataset's state).
WRITABLE: dict[str, Template] = {n: t for n, t in TEMPLATES.items() if not t.read_only}


def all_fields() -> Iterator[Field]:
    """Every field of every template, in order."""
    for template in TEMPLATES.values():
        yield from template.fields.values()


# names -----------------------------------------------------------------------------------


def closest(word: str, choices: Any) -> str:
    """A hint naming the closest known word, or an empty string."""
    match = difflib.get_close_matches(word, list(choices), n=1)
    return f" (did you mean '{match[0]}'?)" if match else ""


def check_template(template: str) -> Template:
    """The named template, or a refusal naming the closest known one."""
    if template not in TEMPLATES:
        raise InvalidParameter(
            "metas",
            f"unknown template {echo(template)}{closest(template, TEMPLATES)}; "
            f"known: {', '.join(TEMPLATES)}",
        )
    return TEMPLATES[template]


def find_field(template: str, name: str) -> Field | None:
    t = TEMPLATES.get(template)
    return None if t is None else t.fields.get(name)


# values ------------------------------------------------------------------------------------

_INTEGER = re.compile(r"^[+-]?\d{1,18}$")
_NUMBER = re.compile(r"^[+-]?(?:\d{1,40}(?:\.\d{0,40})?|\.\d{1,40})(?:[eE][+-]?\d{1,3})?$")
#: The longest date or datetime text worth parsing (ISO 8601 needs far less).
_MAX_DATETIME = 64


def coerce(f: Field, value: Any, where: str) -> Any:
    """``value`` in its canonical form for the field, ``None`` for no value; else refuse.

    ``where`` names what the caller sent (``value``, ``metas[0].value``...).
    """
    if value is None:
        return None
    kind = f.type
    if kind in (TEXT, HTML):
        if not isinstance(value, str):
            raise _refuse(f, where, "a string", value)
        if not value.strip() and not f.allow_empty:
            raise InvalidParameter(where, f"{f.path} cannot be empty")
        if value and f.choices is not None:
            _check_choice(f, where, value)
        return value
    if kind == MULTITEXT:
        items = ([value] if value else []) if isinstance(value, str) else value
        if not isinstance(items, list) or not all(isinstance(v, str) for v in items):
            raise _refuse(f, where, "a list of strings (or one string)", value)
        if not items and not f.allow_empty:
            raise InvalidParameter(where, f"{f.path} cannot be empty")
        if f.choices is not None:
            for item in items:
                _check_choice(f, where, item)
        return list(items)
    if isinstance(value, str) and not value.strip():  # an empty form input: no value
        if f.allow_empty:
            return None
        raise InvalidParameter(where, f"{f.path} cannot be empty")
    if kind == BOOLEAN:
        flag = as_boolean(value)
        if flag is None:
            raise _refuse(f, where, "true or false", value)
        return flag
    if kind == INT:
        number = as_integer(value)
        if number is None and isinstance(value, str) and _INTEGER.match(value.strip()):
            number = int(value.strip())
        if number is None:
            raise _refuse(f, where, "an integer (or its digits as a string)", value)
        return number
    if kind == DOUBLE:
        return _double(f, where, value)
    if kind == DATE:
        return _date(f, where, value)
    return _datetime(f, where, value)


def _refuse(f: Field, where: str, expected: str, value: Any) -> InvalidParameter:
    return InvalidParameter(where, f"{f.path} is {f.type}: expected {expected}, got {echo(value)}")


def _check_choice(f: Field, where: str, value: str) -> None:
    values = f.choice_values
    if value in values:
        return
    # a hint by value or by label, whatever the case: 'EN' or 'english' -> 'en'
    spelled = {v.lower(): v for v in values}
    spelled.update({c[1].lower(): c[0] for c in f.choices or () if not isinstance(c, str)})
    near = difflib.get_close_matches(value.lower(), list(spelled), n=1)
    hint = f" (did you mean '{spelled[near[0]]}'?)" if near else ""
    shown = ", ".join(values[:12]) + (f", ... ({len(values)} in all)" if len(values) > 12 else "")
    raise InvalidParameter(
        where,
        f"{echo(value)} is not one of the choices of {f.path}{hint}: "
        f"{shown}; the definition lists them (expand=definition)",
    )


def _double(f: Field, where: str, value: Any) -> float | int:
    number: float | int | None = None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and _NUMBER.match(value.strip()):
        number = float(value.strip())
    if number is None or not math.isfinite(number):
        raise _refuse(f, where, "a number (or its digits as a string)", value)
    return number


def _date(f: Field, where: str, value: Any) -> str:
    if isinstance(value, str) and len(value) <= _MAX_DATETIME:
        try:
            return date.fromisoformat(value.strip()).isoformat()
        except ValueError:
            pass
    raise _refuse(f, where, "an ISO 8601 date such as 2024-01-31", value)


def _datetime(f: Field, where: str, value: Any) -> str:
    expected = (
        "an ISO 8601 datetime with a time zone, such as 2024-01-31T12:00:00Z "
        "or 2024-01-31T12:00:00+00:00"
    )
    moment = parse_datetime(value)
    if moment is None:
        raise _refuse(f, where, expected, value)
    if moment.tzinfo is None:
        raise InvalidParameter(
            where,
            f"{f.path} is datetime: {echo(value)} has no time zone; add Z or an offset "
            "such as +00:00",
        )
    return moment.astimezone(UTC).isoformat()


def parse_datetime(value: Any) -> datetime | None:
    """An ISO 8601 date and time (with or without a zone), or ``None``."""
    if not isinstance(value, str) or len(value) > _MAX_DATETIME:
        return None
    text = value.strip()
    if "T" not in text.upper() and " " not in text:  # a date alone is no datetime
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def check_value(template: str, name: str, value: Any, where: str | None = None) -> Any:
    """``value`` for the field in its canonical form (``None``: no value), else refuse."""
    fields = check_template(template).fields
    if name not in fields:
        raise InvalidParameter(
            f"metas.{template}", f"unknown metadata {echo(name)}{closest(name, fields)}"
        )
    return coerce(fields[name], value, where or f"metas.{template}.{name}")


def check_metas(metas: Any) -> dict[str, dict[str, Any]]:
    """Validate a ``metas`` object as sent by a client; return a clean copy.

    ``publishing`` mirrors the dataset's state: a client that sends back the ``metas``
    it read sends it too, so it is ignored. ``None`` (or an empty value where that
    means none) stays ``None``: on an update, it removes the field.
    """
    if not isinstance(metas, dict):
        raise InvalidParameter("metas", "expected an object of templates")
    clean: dict[str, dict[str, Any]] = {}
    for template, values in metas.items():
        if check_template(template).read_only:
            continue
        if not isinstance(values, dict):
            raise InvalidParameter(f"metas.{template}", "expected an object of metadata values")
        clean[template] = {name: check_value(template, name, v) for name, v in values.items()}
    return clean
