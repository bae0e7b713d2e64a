"""The Automation API v1.0's document for resources, their files and the extractors.

Part of :mod:`.openapi`, drawn from the same code as the routes.
"""

from __future__ import annotations

from typing import Any

from ...domain.extractors import CATALOGUE as EXTRACTORS
from ..openapi import body, links_to, operation, query
from ..schemas import ANY_OBJECT, BOOLEAN, DATETIME, STRING, Schema, nullable, obj, ref
from .datasources import DATASOURCE_TYPES, EXPANDS, READ_ONLY
from .paging import paging_params

DATASET = "/datasets/{dataset_uid}"
RESOURCES = f"{DATASET}/resources"
RESOURCE = f"{RESOURCES}/{{resource_uid}}"
FILES = f"{RESOURCES}/files"
E_ALL = (400, 401, 403, 404)
E_UPLOAD = (400, 401, 403, 404, 413)
TAG = "Dataset resources"
TAGS = [TAG]

Row = tuple[str, str, dict[str, Any]]


def _label(kind: Schema) -> Schema:
    return obj("label type", label=STRING, type=kind)


def schemas() -> dict[str, Schema]:
    header = obj(optional={"name": STRING, "value": STRING})
    connection = obj("type url auth", type={"const": "http"}, url=STRING, auth={"type": "null"})
    uploaded = obj("type file", type={"const": "uploaded_file"}, file=obj("uid", uid=STRING))
    http = obj(
        "type connection relative_url headers",
        type={"const": "http"},
        connection=connection,
        relative_url=STRING,
        headers={"type": "array", "items": header},
    )
    realtime = obj("type", type={"const": "realtime"})
    resource = obj(
        "uid type title display_name extraction_infos origin params datasource",
        uid=STRING,
        type={"enum": list(EXTRACTORS)},
        title=STRING,
        display_name=STRING,
        extraction_infos=nullable(_label({"enum": list(EXTRACTORS)})),
        origin=_label({"enum": [*DATASOURCE_TYPES, "realtime"]}),
        params=ANY_OBJECT,
        datasource={"oneOf": [uploaded, http, realtime]},
    )
    datasource_write = {
        "type": "object",
        "properties": {
            "type": {"enum": list(DATASOURCE_TYPES)},
            "file": {"type": "object", "properties": {"uid": STRING}},
            "connection": {
                "type": "object",
                "properties": {"type": STRING, "url": STRING, "uid": STRING},
            },
            "relative_url": STRING,
            "headers": {"type": "array", "items": header},
        },
        "required": ["type"],
        "description": "`uploaded_file` with `file: {uid}`, or `http` with "
        "`connection: {type: http, url}` and `relative_url`.",
    }
    ignored = {key: {"description": "As read; ignored on write."} for key in READ_ONLY}
    resource_write = obj(
        optional={
            **ignored,
            "type": {"description": "The extractor (`csvfile`...); guessed if left out."},
            "title": STRING,
            "params": ANY_OBJECT,
            "datasource": datasource_write,
            "connection": {
                "type": "object",
                "description": "The flat body some clients send: with `relative_url`, "
                "`headers` and `extractor_type`, read as an `http` datasource.",
            },
            "relative_url": STRING,
            "headers": {"type": "array", "items": header},
            "extractor_type": STRING,
        },
    )
    unsaved = obj(
        "datasource",
        datasource=datasource_write,
        type=STRING,
        params=ANY_OBJECT,
    )
    link = nullable({"type": "string", "format": "uri"})
    parameter = obj(
        "type is_mandatory name label description",
        type=STRING,
        is_mandatory=BOOLEAN,
        name=STRING,
        label=STRING,
        description=STRING,
    )
    annotation = obj("name args", name=STRING, args={"type": "array"})
    preview_field = obj(
        "name label type original_name description annotations",
        name=STRING,
        label=STRING,
        type=STRING,
        original_name=STRING,
        description=nullable(STRING),
        annotations={"type": "array", "items": annotation},
    )
    return {
        "Resource": resource,
        "ResourceWrite": resource_write,
        "UnsavedResource": unsaved,
        "PaginatedResources": obj(
            "total_count next previous results",
            total_count={"type": "integer", "minimum": 0},
            next=link,
            previous=link,
            results={"type": "array", "items": ref("Resource")},
        ),
        "DatasetFile": obj(
            "uid filename mimetype created_at",
            uid=STRING,
            filename=STRING,
            mimetype=nullable(STRING),
            created_at=DATETIME,
        ),
        "Extractor": obj(
            "type label parameters",
            type=STRING,
            label=STRING,
            parameters={"type": "array", "items": parameter},
        ),
        "GuessedExtractorParams": obj("extractor params", extractor=STRING, params=ANY_OBJECT),
        "ResourcePreview": obj(
            "fields records",
            fields={"type": "array", "items": preview_field},
            records={"type": "array", "items": ANY_OBJECT},
        ),
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
        "resource_uid": path("resource_uid", "A resource of the dataset.", "re_abc123"),
        "file_uid": path("file_uid", "An uploaded file (its name-like uid).", "trees.csv"),
    }


def _download() -> dict[str, Any]:
    return {
        "text/csv": {"schema": {"type": "string"}},
        "*/*": {"schema": {"type": "string", "format": "binary"}},
    }


def upload() -> dict[str, Any]:
    """A multipart body with a ``file``."""
    return {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {"file": {"type": "string", "format": "binary"}},
                    "required": ["file"],
                }
            }
        },
    }


def _expand() -> dict[str, Any]:
    return query(
        "expand",
        {"enum": list(EXPANDS)},
        "Accepted; the datasource is always written in full.",
    )


def _guesses() -> list[Row]:
    extractors = {"type": "array", "items": ref("Extractor")}
    unsaved = body(ref("UnsavedResource"))
    return [
        (
            f"{RESOURCES}/guess_extractors/",
            "post",
            operation(
                "guess-unsaved-resource-extractors",
                "Guess the extractors of a datasource",
                TAG,
                extractors,
                errors=E_ALL,
                request=unsaved,
            ),
        ),
        (
            f"{RESOURCES}/guess_extractor_params/",
            "post",
            operation(
                "guess-unsaved-resource-extractor-params",
                "Guess an extractor's parameters for a datasource",
                TAG,
                ref("GuessedExtractorParams"),
                errors=E_ALL,
                request=unsaved,
            ),
        ),
        (
            f"{RESOURCES}/preview/",
            "post",
            operation(
                "resource-unsaved-preview",
                "Preview the first records of a resource not saved",
                TAG,
                ref("ResourcePreview"),
                errors=E_ALL,
                request=unsaved,
            ),
        ),
        (
            f"{RESOURCE}/guess_extractors/",
            "get",
            operation(
                "resource-guess-extractors",
                "Guess a resource's extractors",
                TAG,
                extractors,
                errors=E_ALL,
            ),
        ),
        (
            f"{RESOURCE}/guess_extractors_params/",
            "get",
            operation(
                "resource-guess-extractor-params",
                "Guess a resource's extractor parameters",
                TAG,
                ref("GuessedExtractorParams"),
                errors=E_ALL,
            ),
        ),
        (
            f"{RESOURCE}/preview/",
            "get",
            operation(
                "resource-preview",
                "Preview a resource's first records, processed",
                TAG,
                ref("ResourcePreview"),
                errors=E_ALL,
            ),
        ),
    ]


def _actions() -> list[Row]:
    rows: list[Row] = [
        (
            f"{RESOURCE}/clean_cache/",
            "post",
            operation(
                "clean-resource-cache",
                "Clean a resource's cache",
                TAG,
                status=204,
                errors=E_ALL,
            ),
        )
    ]
    for action, operation_id, text in (
        ("recover", "recover-resource", "Recover a realtime resource's data"),
        ("delete_recover_data", "delete-recover-data-resource", "Delete its recover data"),
    ):
        text = f"{text} (the dataset must be published)"
        rows.append(
            (
                f"{RESOURCE}/{action}/",
                "post",
                operation(
                    operation_id,
                    text,
                    TAG,
                    ref("Resource"),
                    errors=E_ALL,
                ),
            )
        )
    for action, operation_id, text in (
        ("enable", "enable-resource", "Enable a realtime resource's push"),
        ("disable", "disable-resource", "Disable a realtime resource's push (its records stay)"),
        ("renew_api_key", "resource-renew-api-key", "Renew a realtime resource's API key"),
    ):
        rows.append(
            (
                f"{RESOURCE}/{action}/",
                "post",
                operation(operation_id, text, TAG, ref("Resource"), errors=E_ALL),
            )
        )
    return rows


def _files() -> list[Row]:
    one = f"{FILES}/{{file_uid}}/"
    return [
        (
            f"{FILES}/",
            "post",
            operation(
                "upload-resource-file",
                "Upload a file (multipart, field `file`)",
                TAG,
                ref("DatasetFile"),
                status=201,
                errors=E_UPLOAD,
                request=upload(),
                links=links_to(
                    "retrieve-dataset-resource-file",
                    "download-dataset-resource-file",
                    dataset_uid="$request.path.dataset_uid",
                    file_uid="$response.body#/uid",
                ),
            ),
        ),
        (
            one,
            "get",
            operation(
                "retrieve-dataset-resource-file",
                "Read an uploaded file's description",
                TAG,
                ref("DatasetFile"),
                errors=E_ALL,
            ),
        ),
        (
            f"{one}download/",
            "get",
            operation(
                "download-dataset-resource-file",
                "Download an uploaded file",
                TAG,
                content=_download(),
                errors=E_ALL,
            ),
        ),
    ]


def rows() -> list[Row]:
    """The paths of this part, as ``(path, method, operation)`` rows."""
    resource = ref("Resource")
    write = body(ref("ResourceWrite"), required=False)
    resource_links = links_to(
        "retrieve-dataset-resource",
        "update-dataset-resource",
        "delete-dataset-resource",
        "resource-preview",
        dataset_uid="$request.path.dataset_uid",
        resource_uid="$response.body#/uid",
    )
    crud: list[Row] = [
        (
            "/extractors/",
            "get",
            operation(
                "list-extractors",
                "List the extractors of the domain",
                TAG,
                {"type": "array", "items": ref("Extractor")},
                errors=(401, 403),
            ),
        ),
        (
            f"{RESOURCES}/",
            "get",
            operation(
                "list-dataset-resources",
                "List a dataset's resources",
                TAG,
                ref("PaginatedResources"),
                errors=E_ALL,
                params=[*paging_params(), _expand()],
            ),
        ),
        (
            f"{RESOURCES}/",
            "post",
            operation(
                "create-dataset-resource",
                "Add a resource to a dataset",
                TAG,
                resource,
                status=201,
                errors=E_ALL,
                request=write,
                links=resource_links,
            ),
        ),
        (
            f"{RESOURCE}/",
            "get",
            operation(
                "retrieve-dataset-resource",
                "Read a resource",
                TAG,
                resource,
                errors=E_ALL,
                params=[_expand()],
            ),
        ),
        (
            f"{RESOURCE}/",
            "put",
            operation(
                "update-dataset-resource",
                "Change a resource (what is left out stays)",
                TAG,
                resource,
                errors=E_ALL,
                request=write,
            ),
        ),
        (
            f"{RESOURCE}/",
            "delete",
            operation(
                "delete-dataset-resource", "Delete a resource", TAG, status=204, errors=E_ALL
            ),
        ),
    ]
    return [*crud, *_files(), *_guesses(), *_actions()]
