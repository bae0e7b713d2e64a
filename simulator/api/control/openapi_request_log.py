"""The request log's operations and schemas in the control API's document."""

from __future__ import annotations

from typing import Any

from ...domain.request_log import SURFACES
from ..openapi import JSON, operation, query
from ..schemas import BOOLEAN, COUNT, NUMBER, STRING, Schema, nullable, ref

NDJSON = "application/x-ndjson"


def request_log_schemas() -> dict[str, Schema]:
    entry = {
        "type": "object",
        "required": [
            "seq", "time", "wall", "duration_ms", "surface", "method", "path", "route",
            "query", "auth", "content_type", "body", "size", "truncated", "status",
        ],
        "properties": {
            "seq": {"type": "integer", "minimum": 1,
                    "description": "1 for the first request after a reset, then one more each"},
            "time": {**NUMBER, "description": "Virtual seconds when it was answered"},
            "wall": {**NUMBER, "description": "Wall-clock arrival, seconds since the epoch"},
            "duration_ms": {**NUMBER, "description": "Wall milliseconds taken to answer"},
            "surface": {"enum": list(SURFACES)},
            "method": STRING,
            "path": {**STRING, "description": "As served: without a trailing slash"},
            "route": {**nullable(STRING), "description": "The path template it matched"},
            "query": {**STRING, "description": "The query string, credentials masked"},
            "auth": {**nullable(STRING),
                     "description": "The Authorization header's scheme alone"},
            "content_type": nullable(STRING),
            "body": {**STRING, "description": "The body's first 8 KiB, secrets masked"},
            "size": {**COUNT, "description": "The body's whole length in bytes"},
            "truncated": {**BOOLEAN, "description": "Whether `body` is only its beginning"},
            "status": {"type": "integer", "minimum": 100, "maximum": 599},
        },
    }  # fmt: skip
    return {"LoggedRequest": entry, "Cleared": {
        "type": "object", "required": ["cleared"], "properties": {"cleared": COUNT}}}  # fmt: skip


def request_log_rows() -> list[tuple[str, str, dict[str, Any]]]:
    params = [
        query("method", STRING, "Only this method (any case)."),
        query("path", STRING, "A glob on the path (`*` spans slashes), or a route template."),
        query("status", {"type": "string", "pattern": "^[1-5]([0-9]{2}|[xX]{2})$"},
              "A status code, or a class: `4xx`."),
        query("surface", STRING,
              f"Comma-separated, of {', '.join(SURFACES)}, or `all` "
              "(default: management,automation)."),
        query("since", {"type": "integer", "minimum": 0}, "Only entries whose `seq` is greater."),
        query("limit", {"type": "integer", "minimum": 1}, "The newest so many."),
        query("format", {"enum": ["json", "ndjson"]}, "The answer's format (default json)."),
    ]  # fmt: skip
    listing = {
        JSON: {"schema": {"type": "array", "items": ref("LoggedRequest")}},
        NDJSON: {"schema": STRING},
    }
    return [
        ("/_sim/requests", "get",
         operation("list_requests", "The requests answered since the last reset", "requests",
                   content=listing, errors=[400], params=params,
                   description="Oldest first. Reads of the control API are not recorded; "
                   "its other calls are, as the surface `control`.")),
        ("/_sim/requests", "delete",
         operation("clear_requests", "Forget the requests kept so far", "requests",
                   ref("Cleared"), description="How many were forgotten; numbering goes on.")),
    ]  # fmt: skip
