"""The domain's people in the Management API v2: users, groups and their members, API keys."""

from __future__ import annotations

from flask import Response, g, jsonify, request

from ..reading import int_param, json_body
from .common import ask, make_blueprint, no_content, surface

blueprint = make_blueprint("directory")


def _window(default_rows: int) -> tuple[int, int]:
    args = request.args
    rows = int_param("rows", args.get("rows"), default_rows, 1, 100)
    return rows, int_param("page", args.get("page"), 1, 1)


# users ------------------------------------------------------------------------------------


@blueprint.get("/users")
def list_users() -> Response:
    rows, page = _window(10)
    return jsonify(surface().list_users(g.user, ask(), rows, page))


@blueprint.post("/users")
def invite_users() -> Response:
    return jsonify(surface().invite_users(g.user, json_body()))


@blueprint.get("/users/<username>")
def get_user(username: str) -> Response:
    return jsonify(surface().get_user(g.user, username, ask()))


@blueprint.put("/users/<username>")
def update_user(username: str) -> Response:
    return jsonify(surface().update_user(g.user, username, json_body(), ask()))


@blueprint.delete("/users/<username>")
def delete_user(username: str) -> Response:
    surface().delete_user(g.user, username)
    return no_content()


# groups -----------------------------------------------------------------------------------


@blueprint.get("/groups")
def list_groups() -> Response:
    rows, page = _window(100)
    return jsonify(surface().list_groups(g.user, rows, page))


@blueprint.post("/groups")
def create_group() -> Response:
    return jsonify(surface().create_group(g.user, json_body()))


@blueprint.get("/groups/<group_id>")
def get_group(group_id: str) -> Response:
    return jsonify(surface().get_group(g.user, group_id))


@blueprint.put("/groups/<group_id>")
def update_group(group_id: str) -> Response:
    return jsonify(surface().update_group(g.user, group_id, json_body()))


@blueprint.delete("/groups/<group_id>")
def delete_group(group_id: str) -> Response:
    return jsonify(surface().delete_group(g.user, group_id))


@blueprint.get("/groups/<group_id>/users")
def list_members(group_id: str) -> Response:
    rows, page = _window(10)
    return jsonify(surface().list_members(g.user, group_id, rows, page))


@blueprint.post("/groups/<group_id>/users")
def add_members(group_id: str) -> Response:
    return jsonify(surface().add_members(g.user, group_id, json_body()))


@blueprint.delete("/groups/<group_id>/users/<username>")
def remove_member(group_id: str, username: str) -> Response:
    surface().remove_member(g.user, group_id, username)
    return no_content()


# API keys ---------------------------------------------------------------------------------


@blueprint.get("/apikeys")
def list_api_keys() -> Response:
    return jsonify(surface().list_api_keys(g.user))


@blueprint.post("/apikeys")
def create_api_key() -> Response:
    return jsonify(surface().create_api_key(g.user, json_body()))


@blueprint.get("/apikeys/<key>")
def get_api_key(key: str) -> Response:
    return jsonify(surface().get_api_key(g.user, key))


@blueprint.put("/apikeys/<key>")
def update_api_key(key: str) -> Response:
    return jsonify(surface().update_api_key(g.user, key, json_body()))


@blueprint.delete("/apikeys/<key>")
def delete_api_key(key: str) -> Response:
    surface().delete_api_key(g.user, key)
    return no_content()
