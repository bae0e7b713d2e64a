"""Reading the Automation API's bodies into the service's commands.

A dataset is written as ``{dataset_id, is_restricted, metadata, default_security}``;
what the platform sends back (``uid``, dates, ``is_published``...) may come back
and is ignored. ``metadata`` is ``{template: {field: {"value": ...}}}``; a bare value
is read as its ``value``. Every body may be left out (real clients send a ``PUT``
with none to refresh a dataset).
"""

from __future__ import annotations

from typing import Any

from ...domain.errors import InvalidParameter, InvalidRequest, SimulatorError
from ...domain.limits import as_boolean, echo
from ...domain.metadata import closest
from ...domain.processors import CATALOGUE as PROCESSORS
from ...domain.templates import CATALOGUE, unknown_template
from ...service.commands import (
    DatasetChanges,
    FieldSpecification,
    MetadataChange,
    NewDataset,
    ProcessorSpec,
)

WRITABLE = ("dataset_id", "is_restricted", "metadata", "default_security")
#: Keys a dataset carries when read, accepted back and ignored (``dataset_uid``,
#: ``asset_type``: sent by real clients).
READ_ONLY = (
    "uid",
    "created_at",
    "updated_at",
    "is_published",
    "created_by",
    "updated_by",
    "dataset_uid",
    "asset_type",
)
SECURITY_KEYS = ("is_data_visible", "visible_fields", "filter_query", "api_calls_quota")
QUOTA_UNITS = ("second", "minute", "hour", "day", "month")


def _object(body: Any, name: str = "body") -> dict[str, Any]:
    if body is None:
        return {}
    if not isinstance(body, dict):
        raise InvalidParameter(name, f"expected a JSON object, got {type(body).__name__}")
    return body


def _known(body: dict[str, Any], allowed: tuple[str, ...], shown: tuple[str, ...]) -> None:
    for key in body:
        if key not in allowed:
            raise InvalidParameter(
                key, f"unknown field{closest(key, shown)}; writable: {', '.join(shown)}"
            )


def _dataset(body: Any) -> dict[str, Any]:
    given = _object(body)
    _known(given, WRITABLE + READ_ONLY, WRITABLE)
    return given


def _visibility(given: dict[str, Any]) -> str | None:
    raw = given.get("is_restricted")
    if raw is None:
        return None
    restricted = as_boolean(raw)
    if restricted is None:
        raise InvalidParameter("is_restricted", f"expected true or false, got {echo(raw)}")
    return "restricted" if restricted else "domain"


def metas(raw: Any) -> dict[str, Any] | None:
    """``{template: {field: {"value": v}}}`` as the service's ``{template: {field: v}}``."""
    if raw is None:
        return None
    templates = _object(raw, "metadata")
    out: dict[str, Any] = {}
    for template, fields in templates.items():
        values = _object(fields, f"metadata.{template}")
        out[template] = {name: _value(value) for name, value in values.items()}
    return out


def _value(given: Any) -> Any:
    if isinstance(given, dict) and "value" in given:
        return given["value"]
    return given


def default_security(raw: Any) -> dict[str, Any] | None:
    """The default ruleset's rules, checked; ``null`` visible fields mean all of them."""
    if raw is None:
        return None
    given = _object(raw, "default_security")
    _known(given, SECURITY_KEYS, SECURITY_KEYS)
    rules: dict[str, Any] = {}
    if "is_data_visible" in given:
        visible = as_boolean(given["is_data_visible"])
        if visible is None:
            raise InvalidParameter("is_data_visible", "expected true or false")
        rules["is_data_visible"] = visible
    if "visible_fields" in given:
        fields = given["visible_fields"]
        if fields is None:
            fields = ["*"]
        if not isinstance(fields, list) or not all(isinstance(f, str) and f for f in fields):
            raise InvalidParameter("visible_fields", "expected a list of field names, or null")
        rules["visible_fields"] = list(dict.fromkeys(fields))
    if "filter_query" in given:
        query = given["filter_query"]
        if not isinstance(query, str):
            raise InvalidParameter("filter_query", "expected a string")
        rules["filter_query"] = query
    if "api_calls_quota" in given:
        rules["api_calls_quota"] = _quota(given["api_calls_quota"])
    return rules


def _quota(raw: Any) -> dict[str, Any] | None:
    if raw is None:
        return None
    if not isinstance(raw, dict) or set(raw) - {"unit", "limit"}:
        raise InvalidParameter("api_calls_quota", "expected {unit, limit} or null")
    unit, limit = raw.get("unit"), raw.get("limit")
    if unit not in QUOTA_UNITS:
        raise InvalidParameter("api_calls_quota", f"unit: expected one of {', '.join(QUOTA_UNITS)}")
    if isinstance(limit, bool) or not isinstance(limit, (int, float)) or limit < 0:
        raise InvalidParameter("api_calls_quota", "limit: expected a number from 0 on")
    return {"unit": unit, "limit": limit}


def new_dataset(body: Any) -> NewDataset:
    given = _dataset(body)
    return NewDataset(
        given.get("dataset_id"),
        metas(given.get("metadata")) or {},
        _visibility(given),
        default_security=default_security(given.get("default_security")),
    )


def dataset_changes(body: Any) -> DatasetChanges:
    given = _dataset(body)
    return DatasetChanges(
        given.get("dataset_id"),
        metas(given.get("metadata")),
        _visibility(given),
        default_security(given.get("default_security")),
    )


# metadata -------------------------------------------------------------------------------

#: The keys of a metadata value: ``remote_value`` is read only, sent back and ignored.
VALUE_KEYS = ("value", "override_remote_value", "remote_value")


def _override(given: dict[str, Any], where: str) -> bool:
    raw = given.get("override_remote_value", False)
    flag = as_boolean(raw) if raw is not None else False
    if flag is None:
        raise InvalidParameter(where, f"expected true or false, got {echo(raw)}")
    return flag


def metadata_value(template: str, name: str, body: Any) -> MetadataChange:
    """``{"value": ..., "override_remote_value"?}`` for one field (``value`` required)."""
    given = _object(body)
    _known(given, VALUE_KEYS, VALUE_KEYS[:2])
    if "value" not in given:
        raise InvalidParameter("value", "this field is required")
    return MetadataChange(template, name, given["value"], _override(given, "override_remote_value"))


def _template_values(template: str, raw: Any, where: str) -> list[MetadataChange]:
    values = _object(raw, where or "body")
    changes = []
    for name, given in values.items():
        at = f"{where}.{name}" if where else name
        if isinstance(given, dict) and "value" in given:
            _known(given, VALUE_KEYS, VALUE_KEYS[:2])
            override = _override(given, f"{at}.override_remote_value")
            changes.append(MetadataChange(template, name, given["value"], override))
        else:
            changes.append(MetadataChange(template, name, given))
    return changes


def template_metadata(template: str, body: Any) -> list[MetadataChange]:
    """``{field: {"value": ...}}``: every value of one template (a bare value is its value)."""
    if body is None:
        raise InvalidParameter("body", "expected an object of metadata values")
    return _template_values(template, body, "")


def all_metadata(body: Any) -> list[MetadataChange]:
    """``{template: {field: {"value": ...}}}``: every value of every template."""
    if body is None:
        raise InvalidParameter("body", "expected an object of templates")
    given = _object(body)
    unknown: list[SimulatorError] = [
        unknown_template(name) for name in given if name not in CATALOGUE
    ]
    if unknown:
        raise unknown[0] if len(unknown) == 1 else InvalidRequest(unknown)
    changes: list[MetadataChange] = []
    for template, values in given.items():
        changes.extend(_template_values(template, values, template))
    return changes


# processors and field configurations ----------------------------------------------------

#: The keys of a processor or a field configuration that are not its arguments
#: (``uid`` is read only: sent back and ignored).
CONFIGURATION_KEYS = ("uid", "type", "label")

#: Each field configuration's keys, and the Management API's argument each one is.
FIELD_CONFIGURATIONS: dict[str, dict[str, str]] = {
    "rename": {"from_name": "from_name", "to_name": "to_name", "field_label": "label"},
    "type": {"field": "field", "type_param": "type"},
    "annotate": {"field": "field", "annotation": "annotation", "args": "args"},
    "description": {"field": "field", "description": "description"},
    "order": {"args": "args"},
    "delete": {"field": "field"},
}


def _type_and_label(given: dict[str, Any], kinds: Any) -> tuple[str, str | None]:
    kind = given.get("type")
    if kind is None:
        raise InvalidParameter("type", "this field is required")
    if not isinstance(kind, str) or kind not in kinds:
        shown = echo(kind) if isinstance(kind, str) else repr(kind)
        hint = closest(kind, kinds) if isinstance(kind, str) else ""
        raise InvalidParameter("type", f"expected one of {', '.join(kinds)}, got {shown}{hint}")
    label = given.get("label")
    if label is not None and not isinstance(label, str):
        raise InvalidParameter("label", f"expected a string, got {type(label).__name__}")
    return kind, label


def processor(body: Any) -> ProcessorSpec:
    """``{"type", "label", ...its arguments}`` (a processor of the catalogue)."""
    given = _object(body)
    kind, label = _type_and_label(given, PROCESSORS)
    args = {k: v for k, v in given.items() if k not in CONFIGURATION_KEYS}
    return ProcessorSpec(kind, label, args)


def field_configuration(body: Any) -> FieldSpecification:
    """``{"type", "label", ...}``, the variant's keys read as the field specification's."""
    given = _object(body)
    kind, label = _type_and_label(given, FIELD_CONFIGURATIONS)
    keys = FIELD_CONFIGURATIONS[kind]
    _known(given, CONFIGURATION_KEYS + tuple(keys), ("type", "label", *keys))
    if kind == "order":
        return FieldSpecification(kind, given.get("args"), label)
    args = {keys[k]: v for k, v in given.items() if k in keys}
    return FieldSpecification(kind, args, label)
