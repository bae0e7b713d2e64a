"""The Automation API v1.0's document for a dataset's configuration: its metadata at
three levels, the domain's templates, processors and field configurations.

Part of :mod:`.openapi`, drawn from the same code as the routes.
"""

from __future__ import annotations

from typing import Any

from ...domain import metadata as md
from ...domain.processors import CATALOGUE as PROCESSORS
from ...domain.templates import TYPES
from ..openapi import body, operation, query
from ..schemas import BOOLEAN, STRING, Schema, nullable, obj, ref
from .paging import paging_params
from .requests import FIELD_CONFIGURATIONS

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
        **catalogue_schemas(),
        **processing_schemas(),
    }


def _page(item: str) -> Schema:
    link = nullable({"type": "string", "format": "uri"})
    return obj(
        "total_count next previous results",
        total_count={"type": "integer", "minimum": 0},
        next=link,
        previous=link,
        results={"type": "array", "items": ref(item)},
    )


def catalogue_schemas() -> dict[str, Schema]:
    field = obj(
        "name type label help_text is_hidden self_suggest is_filter i18n suggest_url choices "
        "labels requirement_level",
        name=STRING,
        type={"enum": list(md.TYPES)},
        label=STRING,
        help_text=nullable(STRING),
        is_hidden=BOOLEAN,
        self_suggest=BOOLEAN,
        is_filter=BOOLEAN,
        i18n=BOOLEAN,
        suggest_url=nullable(STRING),
        choices=nullable({"type": "array", "items": STRING}),
        labels={"type": "null"},
        requirement_level={"enum": ["optional", "recommended", "mandatory"]},
    )
    template = obj(
        "name title type is_active is_always_active is_system schema",
        name=STRING,
        title=STRING,
        type={"enum": list(TYPES)},
        is_active=BOOLEAN,
        is_always_active=BOOLEAN,
        is_system=BOOLEAN,
        schema={"type": "array", "items": ref("MetadataTemplateField")},
    )
    return {
        "MetadataTemplate": template,
        "MetadataTemplateField": field,
        "PaginatedMetadataTemplates": _page("MetadataTemplate"),
        "PaginatedMetadataTemplateFields": _page("MetadataTemplateField"),
    }


def processing_schemas() -> dict[str, Schema]:
    kinds = list(FIELD_CONFIGURATIONS)
    processor = {
        "type": "object",
        "properties": {"uid": STRING, "type": STRING, "label": STRING},
        "required": ["uid", "type", "label"],
        "additionalProperties": True,
        "description": "A processor: its arguments sit beside `type` and `label`.",
    }
    processor_write = {
        "type": "object",
        "properties": {"uid": STRING, "type": STRING, "label": nullable(STRING)},
        "required": ["type"],
        "additionalProperties": True,
        "description": "`{type, label, ...its arguments}`; `uid` is ignored.",
    }
    variant_keys = {
        "from_name": STRING,
        "to_name": STRING,
        "field_label": STRING,
        "field": STRING,
        "type_param": STRING,
        "annotation": STRING,
        "args": {"type": "array"},
        "description": STRING,
    }
    field = obj(
        "uid type label",
        uid=STRING,
        type={"enum": kinds},
        label=STRING,
        optional=variant_keys,
    )
    field_write = {
        "type": "object",
        "properties": {"uid": STRING, "type": STRING, "label": nullable(STRING), **variant_keys},
        "required": ["type"],
        "description": "A field configuration: `type` (" + ", ".join(kinds) + ") and its keys.",
    }
    return {
        "CatalogueProcessor": obj("type label", type={"enum": list(PROCESSORS)}, label=STRING),
        "DatasetProcessor": processor,
        "DatasetProcessorWrite": processor_write,
        "DatasetFieldConfiguration": field,
        "DatasetFieldConfigurationWrite": field_write,
        "PaginatedDatasetProcessors": _page("DatasetProcessor"),
        "PaginatedDatasetFieldConfigurations": _page("DatasetFieldConfiguration"),
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
        "processor_uid": path("processor_uid", "A processor of the dataset.", "pr_abc123"),
        "field_uid": path("field_uid", "A field configuration of the dataset.", "pr_abc123"),
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


def _catalogue() -> list[Row]:
    tag = "Metadata templates"
    template = "/metadata/templates/{template_name}"
    return [
        (
            "/metadata/templates/",
            "get",
            operation(
                "list-metadata-templates",
                "List the domain's metadata templates",
                tag,
                ref("PaginatedMetadataTemplates"),
                errors=(400, 401, 403),
                params=[
                    *paging_params(),
                    query("is_active", {"type": "boolean"}, "Only the (in)active templates."),
                    query("type", {"enum": list(TYPES)}, "Only the templates of this type."),
                ],
            ),
        ),
        (
            f"{template}/",
            "get",
            operation(
                "retrieve-metadata-templates",
                "Read a metadata template",
                tag,
                ref("MetadataTemplate"),
                errors=E_ALL,
            ),
        ),
        (
            f"{template}/fields/",
            "get",
            operation(
                "get-metadata-fields-list",
                "List a template's fields",
                tag,
                ref("PaginatedMetadataTemplateFields"),
                errors=E_ALL,
                params=paging_params(),
            ),
        ),
        (
            f"{template}/fields/{{template_field_name}}/",
            "get",
            operation(
                "get-metadata-fields-retrieve",
                "Read a template's field",
                tag,
                ref("MetadataTemplateField"),
                errors=E_ALL,
            ),
        ),
    ]


def _crud(tag: str, base: str, item: str, ids: tuple[str, ...], what: str) -> list[Row]:
    """List, create, read, replace and delete on a dataset's stack (``ids``: operation ids)."""
    one = f"{base}/{{{item}}}/"
    listed, create, retrieve, update, delete = ids
    schema = ref(f"Dataset{what}")
    write = body(ref(f"Dataset{what}Write"), required=False)
    return [
        (
            f"{base}/",
            "get",
            operation(
                listed,
                f"List the dataset's {tag.lower()}, in stack order",
                tag,
                ref(f"PaginatedDataset{what}s"),
                errors=E_ALL,
                params=paging_params(),
            ),
        ),
        (
            f"{base}/",
            "post",
            operation(
                create,
                "Append one to the stack",
                tag,
                schema,
                status=201,
                errors=E_ALL,
                request=write,
            ),
        ),
        (f"{one}", "get", operation(retrieve, "Read one", tag, schema, errors=E_ALL)),
        (
            f"{one}",
            "put",
            operation(update, "Replace one", tag, schema, errors=E_ALL, request=write),
        ),
        (f"{one}", "delete", operation(delete, "Delete one", tag, status=204, errors=E_ALL)),
    ]


def _processing() -> list[Row]:
    catalogue = (
        "/processors/",
        "get",
        operation(
            "list-processors",
            "List the processors of the domain",
            "Dataset processors",
            {"type": "array", "items": ref("CatalogueProcessor")},
            errors=(401, 403),
        ),
    )
    processors = _crud(
        "Dataset processors",
        f"{DATASET}/processors",
        "processor_uid",
        (
            "list-dataset-processors",
            "create-dataset-processor",
            "retrieve-dataset-processor",
            "update-dataset-processor",
            "delete-dataset-processor",
        ),
        "Processor",
    )
    fields = _crud(
        "Dataset fields",
        f"{DATASET}/fields",
        "field_uid",
        (
            "list-dataset-field-configurations",
            "create-dataset-field-configurations",
            "retrieve-dataset-field-configuration",
            "update-dataset-field",
            "destroy-dataset-field-configurations",
        ),
        "FieldConfiguration",
    )
    return [catalogue, *processors, *fields]


def rows() -> list[Row]:
    """The paths of this part, as ``(path, method, operation)`` rows."""
    return [*_metadata(), *_catalogue(), *_processing()]


TAGS = ["Dataset metadata", "Metadata templates", "Dataset processors", "Dataset fields"]
