"""The Automation API v1.0's document for attachments and alternative exports.

Part of :mod:`.openapi`, drawn from the same code as the routes.
"""

from __future__ import annotations

from typing import Any

from ..openapi import body, links_to, operation
from ..schemas import DATETIME, STRING, Schema, obj, ref
from .attachment_surface import EXPORT_TYPES, MAX_DESCRIPTION, MAX_TITLE
from .paging import paging_params

DATASET = "/datasets/{dataset_uid}"
E_ALL = (400, 401, 403, 404)
E_UPLOAD = (400, 401, 403, 404, 413)
TAGS = ["Dataset attachments", "Dataset alternative exports"]

Row = tuple[str, str, dict[str, Any]]


def _page(item: str) -> Schema:
    link = {"anyOf": [{"type": "string", "format": "uri"}, {"type": "null"}]}
    return obj(
        "total_count next previous results",
        total_count={"type": "integer", "minimum": 0},
        next=link,
        previous=link,
        results={"type": "array", "items": ref(item)},
    )


def schemas() -> dict[str, Schema]:
    attachment = obj(
        "uid filename mimetype",
        uid=STRING,
        filename=STRING,
        mimetype=STRING,
        created_at=DATETIME,
    )
    export = obj(
        "uid title description mimetype type",
        uid=STRING,
        title=STRING,
        description=STRING,
        mimetype=STRING,
        type={"enum": list(EXPORT_TYPES)},
        filename=STRING,
        url=STRING,
    )
    export_write = obj(
        "title type",
        title={"type": "string", "minLength": 1, "maxLength": MAX_TITLE},
        type={"enum": list(EXPORT_TYPES)},
        description={"type": "string", "maxLength": MAX_DESCRIPTION},
    )
    return {
        "DatasetAttachment": attachment,
        "PaginatedDatasetAttachments": _page("DatasetAttachment"),
        "DatasetAlternativeExport": export,
        "DatasetAlternativeExportWrite": export_write,
        "PaginatedDatasetAlternativeExports": _page("DatasetAlternativeExport"),
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
        "attachment_uid": path("attachment_uid", "An attachment of the dataset.", "at_abc123"),
        "export_uid": path("export_uid", "An alternative export of the dataset.", "ae_abc123"),
    }


def _multipart(properties: dict[str, Schema], required: list[str]) -> dict[str, Any]:
    return {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {"type": "object", "properties": properties, "required": required}
            }
        },
    }


def _download() -> dict[str, Any]:
    return {
        "text/csv": {"schema": {"type": "string"}},
        "*/*": {"schema": {"type": "string", "format": "binary"}},
    }


def _download_operation(operation_id: str, tag: str, elsewhere: bool) -> dict[str, Any]:
    op = operation(
        operation_id,
        "Download the file",
        tag,
        content=_download(),
        errors=E_ALL,
    )
    if elsewhere:
        op["responses"]["303"] = {
            "description": "The export is a URL: the caller is sent there.",
            "headers": {"Location": {"schema": STRING, "description": "The export's URL."}},
        }
    return op


def rows() -> list[Row]:
    """The paths of this part, as ``(path, method, operation)`` rows."""
    binary = {"type": "string", "format": "binary"}
    tag = "Dataset attachments"
    base = f"{DATASET}/attachments"
    one = f"{base}/{{attachment_uid}}"
    attachments: list[Row] = [
        (
            f"{base}/",
            "get",
            operation(
                "list-dataset-attachments",
                "List a dataset's attachments",
                tag,
                ref("PaginatedDatasetAttachments"),
                errors=E_ALL,
                params=paging_params(),
            ),
        ),
        (
            f"{base}/",
            "post",
            operation(
                "create-dataset-attachment",
                "Attach a file (multipart, field `file`)",
                tag,
                ref("DatasetAttachment"),
                status=201,
                errors=E_UPLOAD,
                request=_multipart({"file": binary}, ["file"]),
                links=links_to(
                    "retrieve-dataset-attachment",
                    "delete-dataset-attachment",
                    "download-dataset-attachment",
                    dataset_uid="$request.path.dataset_uid",
                    attachment_uid="$response.body#/uid",
                ),
            ),
        ),
        (
            f"{one}/",
            "get",
            operation(
                "retrieve-dataset-attachment",
                "Read an attachment",
                tag,
                ref("DatasetAttachment"),
                errors=E_ALL,
            ),
        ),
        (
            f"{one}/",
            "delete",
            operation(
                "delete-dataset-attachment", "Remove an attachment", tag, status=204, errors=E_ALL
            ),
        ),
        (f"{one}/download/", "get", _download_operation("download-dataset-attachment", tag, False)),
    ]
    tag = "Dataset alternative exports"
    base = f"{DATASET}/alternative_exports"
    one = f"{base}/{{export_uid}}"
    export = ref("DatasetAlternativeExport")
    exports: list[Row] = [
        (
            f"{base}/",
            "get",
            operation(
                "list-dataset-alternative-exports",
                "List a dataset's alternative exports",
                tag,
                ref("PaginatedDatasetAlternativeExports"),
                errors=E_ALL,
                params=paging_params(),
            ),
        ),
        (
            f"{base}/",
            "post",
            operation(
                "create-dataset-alternative-export",
                "Add an alternative export (multipart: `title`, `type`, `file`, `description`)",
                tag,
                export,
                status=201,
                errors=E_UPLOAD,
                request=_multipart(
                    {
                        "title": {"type": "string", "minLength": 1, "maxLength": MAX_TITLE},
                        "type": {"enum": ["uploaded_file"]},
                        "file": binary,
                        "description": {"type": "string", "maxLength": MAX_DESCRIPTION},
                    },
                    ["title", "type", "file"],
                ),
                links=links_to(
                    "retrieve-dataset-alternative-export",
                    "update-dataset-alternative-export",
                    "download-dataset-alternative_exports",
                    dataset_uid="$request.path.dataset_uid",
                    export_uid="$response.body#/uid",
                ),
            ),
        ),
        (
            f"{one}/",
            "get",
            operation(
                "retrieve-dataset-alternative-export",
                "Read an alternative export",
                tag,
                export,
                errors=E_ALL,
            ),
        ),
        (
            f"{one}/",
            "put",
            operation(
                "update-dataset-alternative-export",
                "Change its title and description (its type stays)",
                tag,
                export,
                errors=E_ALL,
                request=body(ref("DatasetAlternativeExportWrite")),
            ),
        ),
        (
            f"{one}/",
            "delete",
            operation(
                "delete-dataset-alternative-export",
                "Remove an alternative export",
                tag,
                status=204,
                errors=E_ALL,
            ),
        ),
        (
            f"{one}/download/",
            "get",
            _download_operation("download-dataset-alternative_exports", tag, True),
        ),
    ]
    return [*attachments, *exports]
