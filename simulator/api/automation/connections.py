"""The Automation API's datasource connections: list, make, read, change, delete.

Each view's endpoint is its operation's id in the specification.
"""

from __future__ import annotations

from typing import Any

from flask import Response, g, jsonify, request

from ...domain import connections as rules
from ...domain.clock import Clock
from ...domain.connections import Connection
from ...domain.errors import InvalidParameter
from ...domain.limits import echo
from ...domain.metadata import closest
from ...service.commands import Body, ConnectionFields
from ..app_context import simulator
from ..reading import json_body
from .common import created, make_blueprint, no_content
from .paging import page, window

blueprint = make_blueprint("automation_connections")

CONNECTIONS = "/datasource_connections"
CONNECTION = f"{CONNECTIONS}/<connection_uid>"
#: The keys a connection is read with that a client cannot set: taken and ignored.
READ_ONLY = (
    "uid",
    "can_reuse",
    "can_manage",
    "dataset_count",
    "user_count",
    "group_count",
    "created_at",
    "updated_at",
)
WRITABLE = ("type", "is_reusable", "url", "headers", "auth")
SORTS = ("created_at", "updated_at", "type", "dataset_count")


def connection_fields(body: Any) -> ConnectionFields:
    if not isinstance(body, dict):
        raise InvalidParameter("body", 'expected a JSON object, e.g. {"type": "http", "url": ...}')
    for key in body:
        if key not in WRITABLE and key not in READ_ONLY:
            raise InvalidParameter(
                str(key),
                f"unknown field{closest(str(key), WRITABLE)}; writable: {', '.join(WRITABLE)}",
            )
    given = [key for key in WRITABLE if key in body]
    return ConnectionFields(**{key: body[key] for key in given}, given=given)


def connection_json(found: Connection, clock: Clock) -> dict[str, Any]:
    """A connection: the shared keys in the specification's order, then its type's."""
    out: dict[str, Any] = {
        "uid": found.uid,
        "type": found.type,
        "is_reusable": found.is_reusable,
        "can_reuse": True,
        "can_manage": True,
        "dataset_count": 0,
        "user_count": 0,
        "group_count": 0,
        "created_at": (clock.iso(found.created_at) or "")[:10],
        "updated_at": (clock.iso(found.updated_at) or "")[:10],
    }
    keys = rules.TYPES[found.type]
    if "url" in keys:
        out["url"] = found.url
    if "headers" in keys:
        out["headers"] = list(found.headers or [])
    out["auth"] = rules.shown_auth(found.auth)
    return out


def _json(found: Connection) -> dict[str, Any]:
    return connection_json(found, simulator().clock)


@blueprint.get(CONNECTIONS, endpoint="list-connections")
def list_connections() -> Response:
    at = window()
    found = list(simulator().connections.listing(g.user))
    sort = request.args.get("sort")
    if sort:
        name = sort.removeprefix("-")
        if name not in SORTS:
            raise InvalidParameter("sort", f"unknown sort {echo(sort)}{closest(name, SORTS)}")
        keys = {
            "created_at": lambda c: c.created_at,
            "updated_at": lambda c: c.updated_at,
            "type": lambda c: c.type,
            "dataset_count": lambda c: 0,
        }
        found.sort(key=keys[name], reverse=sort.startswith("-"))
    window_ = found[at.offset : at.offset + at.limit]
    return jsonify(page([_json(c) for c in window_], len(found), at))


@blueprint.post(CONNECTIONS, endpoint="create-connection")
def create_connection() -> tuple[Response, int]:
    body = json_body()
    made = simulator().connections.create_connection(g.user, Body(lambda: connection_fields(body)))
    return created(_json(made))


@blueprint.get(CONNECTION, endpoint="retrieve-connection")
def retrieve_connection(connection_uid: str) -> Response:
    return jsonify(_json(simulator().connections.get(g.user, connection_uid)))


@blueprint.put(CONNECTION, endpoint="update-connection")
def update_connection(connection_uid: str) -> Response:
    body = json_body()
    done = simulator().connections.update_connection(
        g.user, connection_uid, Body(lambda: connection_fields(body))
    )
    return jsonify(_json(done))


@blueprint.delete(CONNECTION, endpoint="delete-connection")
def delete_connection(connection_uid: str) -> Response:
    simulator().connections.delete_connection(g.user, connection_uid)
    return no_content()
