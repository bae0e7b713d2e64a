"""A dataset's security in the Management API v2: access policy, rulesets, the default."""

from __future__ import annotations

from typing import Any

from flask import Response, g, jsonify, request

from ...domain.limits import JSONProblem, load_json
from ..reading import json_body
from .common import make_blueprint, no_content, surface

blueprint = make_blueprint("security")

SECURITY = "/datasets/<dataset_uid>/security"
RULESET = f"{SECURITY}/users/<username>"
GROUP_RULESET = f"{SECURITY}/groups/<group_id>"


@blueprint.get(f"{SECURITY}/access_policy")
def get_access_policy(dataset_uid: str) -> Response:
    return jsonify(surface().get_access_policy(g.user, dataset_uid))


@blueprint.put(f"{SECURITY}/access_policy")
def set_access_policy(dataset_uid: str) -> Response:
    """The body is a bare JSON string (``"restricted"``), or the raw word itself."""
    return jsonify(surface().set_access_policy(g.user, dataset_uid, _policy()))


def _policy() -> Any:
    raw = request.get_data(cache=True).decode("utf-8", errors="replace").strip()
    try:
        return load_json(raw)
    except JSONProblem:
        return raw


@blueprint.get(f"{SECURITY}/default")
def get_default_security(dataset_uid: str) -> Response:
    return jsonify(surface().get_default_security(g.user, dataset_uid))


@blueprint.put(f"{SECURITY}/default")
def set_default_security(dataset_uid: str) -> Response:
    return jsonify(surface().set_default_security(g.user, dataset_uid, json_body()))


@blueprint.delete(f"{SECURITY}/default")
def reset_default_security(dataset_uid: str) -> Response:
    return jsonify(surface().reset_default_security(g.user, dataset_uid))


@blueprint.get(f"{SECURITY}/users")
def list_rulesets(dataset_uid: str) -> Response:
    return jsonify(surface().list_rulesets(g.user, dataset_uid))


@blueprint.post(f"{SECURITY}/users")
def create_ruleset(dataset_uid: str) -> Response:
    return jsonify(surface().create_ruleset(g.user, dataset_uid, json_body()))


@blueprint.get(RULESET)
def get_ruleset(dataset_uid: str, username: str) -> Response:
    return jsonify(surface().get_ruleset(g.user, dataset_uid, username))


@blueprint.put(RULESET)
def replace_ruleset(dataset_uid: str, username: str) -> Response:
    return jsonify(surface().replace_ruleset(g.user, dataset_uid, username, json_body()))


@blueprint.delete(RULESET)
def delete_ruleset(dataset_uid: str, username: str) -> Response:
    surface().delete_ruleset(g.user, dataset_uid, username)
    return no_content()


@blueprint.get(f"{SECURITY}/groups")
def list_group_rulesets(dataset_uid: str) -> Response:
    return jsonify(surface().list_group_rulesets(g.user, dataset_uid))


@blueprint.post(f"{SECURITY}/groups")
def create_group_ruleset(dataset_uid: str) -> Response:
    return jsonify(surface().create_group_ruleset(g.user, dataset_uid, json_body()))


@blueprint.get(GROUP_RULESET)
def get_group_ruleset(dataset_uid: str, group_id: str) -> Response:
    return jsonify(surface().get_group_ruleset(g.user, dataset_uid, group_id))


@blueprint.put(GROUP_RULESET)
def replace_group_ruleset(dataset_uid: str, group_id: str) -> Response:
    return jsonify(surface().replace_group_ruleset(g.user, dataset_uid, group_id, json_body()))


@blueprint.delete(GROUP_RULESET)
def delete_group_ruleset(dataset_uid: str, group_id: str) -> Response:
    surface().delete_group_ruleset(g.user, dataset_uid, group_id)
    return no_content()
