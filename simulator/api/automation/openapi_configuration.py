"""The Automation API v1.0's document for a dataset's configuration: its metadata at
three levels, the domain's templates, processors and field configurations.

Part of :mod:`.openapi`, drawn from the same code as the routes.
"""

from __future__ import annotations

from typing import Any

from ..openapi import body, operation
from ..schemas import BOOLEAN, STRING, Schema, ref

DATASET = "/datasets/{dataset_uid}"
METADATA = f"{DATASET}/metadata"
E_ALL = (400, 401, 403, 404)

Row = tuple[str, str, dict[str, Any]]


def _value_schema() -> Schema:
    return {
        "type": "object",
        "properties": {
            "value": {"description": "The metadata's value; null: none."},
            "override_remote_value": BOOLEAN,
        },
        "required": ["value"],
        "additionalProperties": False,
    }


def schemas() -> dict[str, Schema]:
    value_write = {
        "type": "object",
        "properties": {
            "value": {"description": "The value; null removes it."},
            "override_remote_value": {"description": "true or false (also as a string)."},
            "remote_value": {"description": "Read only: ignored."},
        },
        "required": ["value"],
        "additionalProperties": False,
    }
    template_values = {
        "type": "object",
        "additionalProperties": ref("DatasetMetadataValue"),
        "description": "A template's fields that have a value: `{field: {value}}`.",
    }
    return {
        "DatasetMetadataValue": _value_schema(),
        "DatasetMetadataValueWrite": value_write,
        "DatasetMetadataTemplateValues": template_values,
        "DatasetMetadataAll": {
            "type": "object",
            "additionalProperties": ref("DatasetMetadataTemplateValues"),
            "description": "Every template of the domain: `{template: {field: {value}}}`.",
        },
        "DatasetMetadataWrite": {
            "type": "object",
            "additionalProperties": {"type": "object"},
            "description": "`{template: {field: {value}}}`; a bare value is read as its value.",
        },
        "DatasetMetadataTemplateWrite": {
            "type": "object",
            "description": "`{field: {value}}`; a bare value is read as its value.",
        },
    }


def parameters() -> dict[str, Any]:
    def path(name: str, text: str, example: str) -> dict[str, Any]:
        return {
            "name": name,
            "in": "path",
            "required": True,
            "schema": STRING,
            "description": text,
            "example": example,
        }

    return {
        "template_name": path("template_name", "A metadata template of the domain.", "default"),
        "template_field_name": path("template_field_name", "A field of the template.", "title"),
    }


def _metadata() -> list[Row]:
    tag = "Dataset metadata"
    template = f"{METADATA}/{{template_name}}"
    field = f"{template}/{{template_field_name}}"
    return [
        (
            f"{METADATA}/",
            "get",
            operation(
                "list-all-dataset-metadata",
                "Read the dataset's metadata, every template of the domain",
                tag,
                ref("DatasetMetadataAll"),
                errors=E_ALL,
            ),
        ),
        (
            f"{METADATA}/",
            "put",
            operation(
                "update-all-dataset-metadata",
                "Replace the dataset's metadata: a field left out loses its value",
                tag,
                ref("DatasetMetadataAll"),
                errors=E_ALL,
                request=body(ref("DatasetMetadataWrite"), required=False),
            ),
        ),
        (
            f"{template}/",
            "get",
            operation(
                "list-template-dataset-metadata",
                "Read one template's values ({} when none is set)",
                tag,
                ref("DatasetMetadataTemplateValues"),
                errors=E_ALL,
            ),
        ),
        (
            f"{template}/",
            "put",
            operation(
                "update-template-dataset-metadata",
                "Replace one template's values: a field left out loses its value",
                tag,
                ref("DatasetMetadataTemplateValues"),
                errors=E_ALL,
                request=body(ref("DatasetMetadataTemplateWrite"), required=False),
            ),
        ),
        (
            f"{field}/",
            "get",
            operation(
                "retrieve-template-field-dataset-metadata",
                "Read one field's value (null when it has none)",
                tag,
                ref("DatasetMetadataValue"),
                errors=E_ALL,
            ),
        ),
        (
            f"{field}/",
            "put",
            operation(
                "update-template-field-dataset-metadata",
                "Set one field's value (default.license_id is also kept as internal.license_id)",
                tag,
                ref("DatasetMetadataValue"),
                errors=E_ALL,
                request=body(ref("DatasetMetadataValueWrite"), required=False),
            ),
        ),
        (
            f"{field}/",
            "delete",
            operation(
                "delete-template-field-dataset-metadata",
                "Remove one field's value",
                tag,
                status=204,
                errors=E_ALL,
            ),
        ),
    ]


def rows() -> list[Row]:
    """The paths of this part, as ``(path, method, operation)`` rows."""
    return _metadata()


TAGS = ["Dataset metadata"]
