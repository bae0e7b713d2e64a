"""The service's views as the Automation API writes them: keys in the platform's order.

A dataset starts with ``uid``; the status object with ``status``, in the order a
real portal answers: ``status, since, is_published, previous, next, message,
records_errors, params``. Statuses are the eight public names only.
"""

from __future__ import annotations

from typing import Any

from ...domain.clock import Clock
from ...domain.metadata import Field
from ...domain.models import RecordError
from ...domain.processors import CATALOGUE as PROCESSORS
from ...domain.statemachine import PUBLIC_NAME, Status
from ...domain.templates import Catalogued
from ...service.dataset_metadata import MetadataValue
from ...service.views import (
    DatasetView,
    DefaultSecurityView,
    FieldSpecView,
    ProcessorView,
    StatusView,
)


def status_name(status: Status | None) -> str | None:
    return None if status is None else PUBLIC_NAME[status]


def record_error_json(error: RecordError) -> dict[str, Any]:
    return {
        "record_id": error.record_id,
        "field_uid": error.field_uid,
        "processor_uid": error.processor_uid,
        "message": error.raw_message.format(**error.raw_params),
    }


def status_json(status: StatusView, clock: Clock) -> dict[str, Any]:
    failure = status.failure if status.status == Status.ERROR else None
    params: dict[str, Any] = {}
    if status.status == Status.LIMIT_REACHED and status.limit is not None:
        params["error"] = dict(status.limit)
    return {
        "status": PUBLIC_NAME[status.status],
        "since": clock.iso(status.public_since),
        "is_published": status.published,
        "previous": status_name(status.previous),
        "next": None,
        "message": None if failure is None else failure.message,
        "records_errors": [record_error_json(e) for e in status.records_errors],
        "params": params,
    }


def metadata_json(metas: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """``{template: {field: {"value": ...}}}``, the fields that have a value."""
    return {
        template: {name: {"value": value} for name, value in values.items() if value is not None}
        for template, values in metas.items()
    }


def security_json(default: DefaultSecurityView) -> dict[str, Any]:
    return {
        "is_data_visible": default.is_data_visible,
        "visible_fields": list(default.visible_fields),
        "filter_query": default.filter_query,
        "api_calls_quota": default.api_calls_quota,
    }


def dataset_json(ds: DatasetView, clock: Clock) -> dict[str, Any]:
    updated_by = ds.changes[-1].user if ds.changes else ds.owner
    return {
        "uid": ds.dataset_uid,
        "dataset_id": ds.dataset_id,
        "created_at": clock.iso(ds.created),
        "updated_at": clock.iso(ds.last_modified),
        "is_published": ds.published,
        "is_restricted": ds.visibility == "restricted",
        "metadata": metadata_json(ds.metas),
        "default_security": security_json(ds.default_security),
        "created_by": {"username": ds.owner},
        "updated_by": {"username": updated_by},
    }


def detail(text: str = "ok") -> dict[str, str]:
    """What an accepted action answers."""
    return {"detail": text}


# metadata -------------------------------------------------------------------------------


def metadata_value_json(m: MetadataValue) -> dict[str, Any]:
    """``{"value": ...}``, as real portals answer for a dataset that is not harvested;
    ``override_remote_value`` only when it was set."""
    out: dict[str, Any] = {"value": m.value}
    if m.override_remote_value:
        out["override_remote_value"] = True
    return out


def template_values_json(values: dict[str, MetadataValue]) -> dict[str, Any]:
    return {name: metadata_value_json(m) for name, m in values.items()}


def all_values_json(values: dict[str, dict[str, MetadataValue]]) -> dict[str, Any]:
    return {template: template_values_json(v) for template, v in values.items()}


# the domain's templates -------------------------------------------------------------------


def template_field_json(f: Field) -> dict[str, Any]:
    """A template's field (``MetadataTemplateField``), keys in the specification's order."""
    return {
        "name": f.name,
        "type": f.type,
        "label": f.label,
        "help_text": f.help_text or None,
        "is_hidden": False,
        "self_suggest": f.suggest_url is not None,
        "is_filter": False,
        "i18n": False,
        "suggest_url": f.suggest_url,
        "choices": list(f.choice_values) if f.choices is not None else None,
        "labels": None,
        "requirement_level": "optional" if f.allow_empty else "mandatory",
    }


def template_json(t: Catalogued) -> dict[str, Any]:
    """A template of the domain (``MetadataTemplate``)."""
    return {
        "name": t.name,
        "title": t.template.label,
        "type": t.type,
        "is_active": True,
        "is_always_active": t.is_always_active,
        "is_system": t.is_system,
        "schema": [template_field_json(f) for f in t.fields.values()],
    }


# processors and field configurations -------------------------------------------------------

#: The label of a field configuration made without one (on the Management API).
FIELD_CONFIGURATION_LABELS = {
    "rename": "Rename a field",
    "type": "Set a field's type",
    "annotate": "Annotate a field",
    "description": "Describe a field",
    "order": "Order the fields",
    "delete": "Delete a field",
}
#: The Management API's argument names of field specifications, in this API's words.
_FIELD_KEYS = {"rename": {"label": "field_label"}, "type": {"type": "type_param"}}


def catalogue_processor_json(name: str) -> dict[str, Any]:
    return {"type": name, "label": _processor_title(name)}


def _processor_title(name: str) -> str:
    """The catalogue's title; a former processor of an old state file goes by its name."""
    kind = PROCESSORS.get(name)
    return name if kind is None else kind.title


def processor_json(p: ProcessorView) -> dict[str, Any]:
    """``{"uid", "type", "label", ...its arguments}`` (the specification's example)."""
    label = p.label if p.label is not None else _processor_title(p.name)
    return {"uid": p.processor_uid, "type": p.name, "label": label, **p.args}


def field_configuration_json(f: FieldSpecView) -> dict[str, Any]:
    label = f.label if f.label is not None else FIELD_CONFIGURATION_LABELS[f.name]
    out: dict[str, Any] = {"uid": f.processor_uid, "type": f.name, "label": label}
    if f.name == "order":
        out["args"] = f.args
        return out
    renamed = _FIELD_KEYS.get(f.name, {})
    for key, value in f.args.items():
        if value is not None:
            out[renamed.get(key, key)] = value
    return out
