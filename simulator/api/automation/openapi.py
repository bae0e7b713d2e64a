"""The Automation API v1.0 as the simulator serves it, as OpenAPI 3.1.

Drawn from the same code as the routes: the actions from the surface's table, the
statuses from the state machine, the error codes from the error map.
"""

from __future__ import annotations

from typing import Any

from ... import __version__
from ...domain.statemachine import PUBLIC_NAMES
from ..openapi import JSON, assemble, body, links_to, operation, query
from ..schemas import BOOLEAN, DATASET_ID, DATETIME, STRING, Schema, nullable, obj, ref
from . import openapi_attachments as attachments
from . import openapi_configuration as configuration
from . import openapi_connections as connections
from . import openapi_directory as directory
from . import openapi_governance as governance
from . import openapi_harvesters as harvesters
from . import openapi_resources as resources
from .errors import CODES
from .paging import paging_params
from .requests import QUOTA_UNITS, READ_ONLY
from .surface import ACTIONS

PREFIX = "/api/automation/v1.0"

DESCRIPTION = """\
The Opendatasoft Automation API v1.0 as the simulator serves it, over the same
world as the Management API v2: a dataset made on one is the same on the other.

Every path also answers without its trailing slash, and with a doubled slash after
`v1.0`. JSON bodies are read whatever the `Content-Type` says. Every error is
`{"error_code", "message"}`, plus `detail` (`{field: [messages]}`) on a
`validation_error`.

A scenario's HTTP faults may answer any call with another status (and any body) or
later; such answers carry the header `X-Sim-Fault: http`.
"""

DATASET = "/datasets/{dataset_uid}"

ERRORS: dict[int, str] = {
    400: "Bad input (`validation_error`, `bad_request`), or the dataset's status does not "
    "allow the action (`invalid_dataset_status`).",
    401: "No credentials, or wrong ones (`bad_request`).",
    403: "The user lacks a permission the operation needs (`bad_request`).",
    404: 'No such dataset, or other object the path names (`not_found`, "Not found.").',
    409: "Already there: a schedule the dataset has (`bad_request`).",
    413: "The request body is larger than the simulator accepts (`bad_request`).",
}
E_ALL = (400, 401, 403, 404)
E_TOP = (400, 401, 403)

_ACTIONS = {
    "publish": "Publish the dataset: process its metadata and records.",
    "unpublish": "Unpublish the dataset: delete its records.",
    "abort": "Abort the processing under way.",
    "publish_metadata": "Publish the dataset's metadata only.",
}


def _status_enum() -> Schema:
    return {"type": "string", "enum": list(PUBLIC_NAMES)}


def schemas() -> dict[str, Schema]:
    value = obj(
        "value",
        value={"description": "The metadata's value."},
        override_remote_value=BOOLEAN,
        remote_value={"description": "Read only."},
    )
    template = {"type": "object", "additionalProperties": value}
    metadata = {
        "type": "object",
        "additionalProperties": template,
        "description": "Metadata by template, then field: `{template: {field: {value}}}`.",
    }
    quota = nullable(
        obj(
            "unit limit",
            unit={"enum": list(QUOTA_UNITS)},
            limit={"type": "number", "minimum": 0},
        )
    )
    security = obj(
        optional={
            "is_data_visible": BOOLEAN,
            "visible_fields": nullable({"type": "array", "items": STRING}),
            "filter_query": STRING,
            "api_calls_quota": quota,
        }
    )
    username = obj("username", username=STRING)
    dataset = obj(
        "uid dataset_id created_at updated_at is_published is_restricted metadata "
        "default_security created_by updated_by",
        uid=STRING,
        dataset_id=DATASET_ID,
        created_at=DATETIME,
        updated_at=DATETIME,
        is_published=BOOLEAN,
        is_restricted=BOOLEAN,
        metadata=metadata,
        default_security={**security, "required": list(security["properties"])},
        created_by=username,
        updated_by=nullable(username),
    )
    ignored = {key: {"description": "As read; ignored on write."} for key in READ_ONLY}
    dataset_write = obj(
        optional={
            **ignored,
            "dataset_id": DATASET_ID,
            "is_restricted": {"anyOf": [BOOLEAN, STRING, {"type": "integer"}]},
            "metadata": {
                "type": "object",
                "additionalProperties": {"type": "object"},
                "description": "`{template: {field: {value}}}`; a bare value is read as its value.",
            },
            "default_security": security,
        }
    )
    record_error = obj(
        "record_id field_uid processor_uid message",
        record_id=STRING,
        field_uid=STRING,
        processor_uid=nullable(STRING),
        message=STRING,
    )
    status = obj(
        "status since is_published previous next message records_errors params",
        status=_status_enum(),
        since=DATETIME,
        is_published=BOOLEAN,
        previous=nullable(_status_enum()),
        next=nullable(_status_enum()),
        message=nullable(STRING),
        records_errors={"type": "array", "items": record_error},
        params={
            **obj(
                optional={
                    "error": obj(
                        "limit_type limit value",
                        limit_type=STRING,
                        limit={"type": "integer", "minimum": 0},
                        value={"type": "integer", "minimum": 0},
                    )
                }
            ),
            "description": "When limit_reached: `error` says which limit, and the value.",
        },
    )
    link = nullable({"type": "string", "format": "uri"})
    datasets_page = obj(
        "total_count next previous results",
        total_count={"type": "integer", "minimum": 0},
        next=link,
        previous=link,
        results={"type": "array", "items": ref("Dataset")},
    )
    error = obj(
        "error_code message",
        error_code={"enum": list(CODES)},
        message=STRING,
        detail={
            "type": "object",
            "additionalProperties": {"type": "array", "items": STRING},
            "description": "On a validation_error: the messages of each field refused.",
        },
    )
    return {
        "Dataset": dataset,
        "DatasetWrite": dataset_write,
        "DatasetProcessingStatus": status,
        "PaginatedDatasets": datasets_page,
        "OK": obj("detail", detail=STRING),
        "Error": {**error, "description": "Every error, whatever its status code."},
    }


def _responses() -> dict[str, Any]:
    return {
        f"E{code}": {"description": text, "content": {JSON: {"schema": ref("Error")}}}
        for code, text in ERRORS.items()
    }


def _datasets() -> list[tuple[str, str, dict[str, Any]]]:
    tag = "Datasets"
    uid_links = links_to(
        "retrieve-dataset",
        "update-dataset",
        "delete-dataset",
        "get-dataset-status",
        "publish-dataset",
        "copy-dataset",
        dataset_uid="$response.body#/uid",
    )
    rows = [
        (
            "/datasets/",
            "get",
            operation(
                "list-datasets",
                "List the datasets the caller may edit",
                tag,
                ref("PaginatedDatasets"),
                errors=E_TOP,
                params=[
                    *paging_params(),
                    query("dataset_id", STRING, "Only the dataset with this dataset_id."),
                ],
            ),
        ),
        (
            "/datasets/",
            "post",
            operation(
                "create-dataset",
                "Create a dataset",
                tag,
                ref("Dataset"),
                status=201,
                errors=E_TOP,
                request=body(ref("DatasetWrite"), required=False),
                links=uid_links,
            ),
        ),
        (
            f"{DATASET}/",
            "get",
            operation("retrieve-dataset", "Read a dataset", tag, ref("Dataset"), errors=E_ALL),
        ),
        (
            f"{DATASET}/",
            "put",
            operation(
                "update-dataset",
                "Change a dataset (partial bodies, and no body, accepted)",
                tag,
                ref("Dataset"),
                errors=E_ALL,
                request=body(ref("DatasetWrite"), required=False),
            ),
        ),
        (
            f"{DATASET}/",
            "delete",
            operation("delete-dataset", "Delete a dataset", tag, status=204, errors=E_ALL),
        ),
        (
            f"{DATASET}/copy/",
            "post",
            operation(
                "copy-dataset",
                "Copy a dataset's configuration into a new, unpublished one",
                tag,
                ref("Dataset"),
                status=201,
                errors=E_ALL,
            ),
        ),
        (
            f"{DATASET}/status/",
            "get",
            operation(
                "get-dataset-status",
                "Read a dataset's processing status",
                tag,
                ref("DatasetProcessingStatus"),
                errors=E_ALL,
            ),
        ),
    ]
    for action, (operation_id, _) in ACTIONS.items():
        rows.append(
            (
                f"{DATASET}/{action}/",
                "post",
                operation(operation_id, _ACTIONS[action], tag, ref("OK"), errors=E_ALL),
            )
        )
    return rows


def automation_document() -> dict[str, Any]:
    """The OpenAPI 3.1 document of the simulated Automation API v1.0."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Opendatasoft Automation API v1.0 (simulated)",
            "version": __version__,
            "description": DESCRIPTION,
        },
        "servers": [{"url": PREFIX}],
        "security": [{"QueryAPIKey": []}, {"HeaderAPIKey": []}, {"BasicAuth": []}],
        "tags": [
            {"name": "Datasets"},
            *({"name": t} for t in configuration.TAGS),
            *({"name": t} for t in governance.TAGS),
            *({"name": t} for t in harvesters.TAGS),
            *({"name": t} for t in directory.TAGS),
            *({"name": t} for t in connections.TAGS),
            *({"name": t} for t in resources.TAGS),
            *({"name": t} for t in attachments.TAGS),
        ],
        "paths": assemble(
            [
                *_datasets(),
                *configuration.rows(),
                *governance.rows(),
                *harvesters.rows(),
                *directory.rows(),
                *connections.rows(),
                *resources.rows(),
                *attachments.rows(),
            ]
        ),
        "components": {
            "schemas": {
                **schemas(),
                **configuration.schemas(),
                **governance.schemas(),
                **harvesters.schemas(),
                **directory.schemas(),
                **connections.schemas(),
                **resources.schemas(),
                **attachments.schemas(),
            },
            "responses": _responses(),
            "parameters": {
                "dataset_uid": {
                    "name": "dataset_uid",
                    "in": "path",
                    "required": True,
                    "schema": STRING,
                    "description": "The dataset's uid (`da_` and six characters).",
                    "example": "da_trees1",
                },
                **configuration.parameters(),
                **governance.parameters(),
                **harvesters.parameters(),
                **directory.parameters(),
                **connections.parameters(),
                **resources.parameters(),
                **attachments.parameters(),
            },
            "securitySchemes": {
                "QueryAPIKey": {"type": "apiKey", "in": "query", "name": "apikey"},
                "HeaderAPIKey": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "Authorization",
                    "description": "`Authorization: apikey <key>` (the word in any case).",
                },
                "BasicAuth": {"type": "http", "scheme": "basic"},
            },
        },
    }
