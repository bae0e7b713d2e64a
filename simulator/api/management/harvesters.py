"""The Management API v2's harvesters: CRUD, start, publish and unpublish, errors and
preview."""

from __future__ import annotations

from flask import Response, g, jsonify, request

from ..reading import json_body
from .common import make_blueprint, no_content, surface

blueprint = make_blueprint("harvesters")

HARVESTER = "/harvesters/<harvester_id>"


@blueprint.get("/harvesters")
def list_harvesters() -> Response:
    return jsonify(surface().list_harvesters(g.user))


@blueprint.post("/harvesters")
def create_harvester() -> Response:
    return jsonify(surface().create_harvester(g.user, json_body()))


@blueprint.get(HARVESTER)
def get_harvester(harvester_id: str) -> Response:
    return jsonify(surface().get_harvester(g.user, harvester_id))


@blueprint.put(HARVESTER)
def update_harvester(harvester_id: str) -> Response:
    return jsonify(surface().update_harvester(g.user, harvester_id, json_body()))


@blueprint.delete(HARVESTER)
def delete_harvester(harvester_id: str) -> Response:
    given = request.args.get("delete_attached_datasets")
    surface().delete_harvester(g.user, harvester_id, given)
    return no_content()


@blueprint.put(f"{HARVESTER}/start")
def start_harvester(harvester_id: str) -> Response:
    return jsonify(surface().act_on_harvester(g.user, harvester_id, "start"))


@blueprint.put(f"{HARVESTER}/publish")
def publish_harvester(harvester_id: str) -> Response:
    return jsonify(surface().act_on_harvester(g.user, harvester_id, "publish"))


@blueprint.put(f"{HARVESTER}/unpublish")
def unpublish_harvester(harvester_id: str) -> Response:
    return jsonify(surface().act_on_harvester(g.user, harvester_id, "unpublish"))


@blueprint.get(f"{HARVESTER}/errors")
def get_harvester_errors(harvester_id: str) -> Response:
    return jsonify(surface().harvester_errors(g.user, harvester_id))


@blueprint.get(f"{HARVESTER}/preview")
def preview_harvester(harvester_id: str) -> Response:
    return jsonify(surface().harvester_preview(g.user, harvester_id))
