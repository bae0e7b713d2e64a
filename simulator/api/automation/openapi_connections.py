"""The Automation API v1.0's document for datasource connections.

Part of :mod:`.openapi`, drawn from the same code as the routes.
"""

from __future__ import annotations

from typing import Any

from ...domain.connections import TYPES
from ..openapi import body, operation, query
from ..schemas import BOOLEAN, STRING, Schema, nullable, obj, ref
from .connections import READ_ONLY, SORTS, WRITABLE
from .paging import paging_params

TAGS = ("Datasources connections",)
CONNECTION = "/datasource_connections/{connection_uid}/"
E_ALL = (400, 401, 403, 404)
E_TOP = (400, 401, 403)
COUNT: Schema = {"type": "integer", "minimum": 0}
DATE: Schema = {"type": "string", "format": "date"}

Row = tuple[str, str, dict[str, Any]]


def schemas() -> dict[str, Schema]:
    header = obj("name value", name=STRING, value=STRING)
    auth = nullable({"type": "object", "properties": {"type": STRING}, "required": ["type"]})
    connection = obj(
        "uid type is_reusable can_reuse can_manage dataset_count user_count group_count "
        "created_at updated_at auth",
        uid=STRING,
        type={"enum": list(TYPES)},
        is_reusable=BOOLEAN,
        can_reuse=BOOLEAN,
        can_manage=BOOLEAN,
        dataset_count=COUNT,
        user_count=COUNT,
        group_count=COUNT,
        created_at=DATE,
        updated_at=DATE,
        auth={**auth, "description": "Its secrets read `null`."},
        optional={"url": STRING, "headers": {"type": "array", "items": header}},
    )
    write = obj(
        optional={
            **{k: {"description": "As read; ignored on write."} for k in READ_ONLY},
            **{k: {"description": "Writable."} for k in WRITABLE},
        }
    )
    link = nullable({"type": "string", "format": "uri"})
    return {
        "Connection": connection,
        "ConnectionWrite": {
            **write,
            "description": "`{type, is_reusable?, url, headers?, auth?}`; `type` and, for "
            "http, ftp, amazon_s3 and azure_blob_storage, `url` to create.",
        },
        "PaginatedConnections": obj(
            "total_count next previous results",
            total_count=COUNT,
            next=link,
            previous=link,
            results={"type": "array", "items": ref("Connection")},
        ),
    }


def parameters() -> dict[str, Any]:
    return {
        "connection_uid": {
            "name": "connection_uid",
            "in": "path",
            "required": True,
            "schema": STRING,
            "description": "A datasource connection (`co_` and six characters).",
            "example": "co_abc123",
        }
    }


def rows() -> list[Row]:
    tag = "Datasources connections"
    write = body(ref("ConnectionWrite"))
    return [
        (
            "/datasource_connections/",
            "get",
            operation(
                "list-connections",
                "List the domain's datasource connections",
                tag,
                ref("PaginatedConnections"),
                errors=E_TOP,
                params=[
                    *paging_params(),
                    query("sort", STRING, f"One of {', '.join(SORTS)} (`-` first: descending)."),
                ],
            ),
        ),
        (
            "/datasource_connections/",
            "post",
            operation(
                "create-connection",
                "Make a datasource connection",
                tag,
                ref("Connection"),
                status=201,
                errors=E_TOP,
                request=write,
            ),
        ),
        (
            CONNECTION,
            "get",
            operation(
                "retrieve-connection", "Read a connection", tag, ref("Connection"), errors=E_ALL
            ),
        ),
        (
            CONNECTION,
            "put",
            operation(
                "update-connection",
                "Change a connection (what the body does not name stays)",
                tag,
                ref("Connection"),
                errors=E_ALL,
                request=write,
            ),
        ),
        (
            CONNECTION,
            "delete",
            operation("delete-connection", "Delete a connection", tag, status=204, errors=E_ALL),
        ),
    ]
