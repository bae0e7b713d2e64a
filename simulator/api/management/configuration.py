"""Metadata, processors and the change log of the Management API v2."""

from __future__ import annotations

from flask import Response, g, jsonify

from ..reading import json_body
from .common import ask, make_blueprint, no_content, surface

blueprint = make_blueprint("configuration")

DATASET = "/datasets/<dataset_uid>"
METADATA = f"{DATASET}/metadata/<template>/<name>"
PROCESSOR = f"{DATASET}/processors/<processor_uid>"


@blueprint.get(f"{DATASET}/metadata")
def list_metadata(dataset_uid: str) -> Response:
    return jsonify(surface().list_metadata(g.user, dataset_uid, ask()))


@blueprint.put(f"{DATASET}/metadata")
def set_metadata_bulk(dataset_uid: str) -> Response:
    return jsonify(surface().set_metadata_bulk(g.user, dataset_uid, json_body(), ask()))


@blueprint.get(METADATA)
def get_metadata(dataset_uid: str, template: str, name: str) -> Response:
    return jsonify(surface().get_metadata(g.user, dataset_uid, template, name, ask()))


@blueprint.put(METADATA)
def set_metadata(dataset_uid: str, template: str, name: str) -> Response:
    body = json_body()
    return jsonify(surface().set_metadata(g.user, dataset_uid, template, name, body, ask()))


@blueprint.delete(METADATA)
def reset_metadata(dataset_uid: str, template: str, name: str) -> Response:
    return jsonify(surface().reset_metadata(g.user, dataset_uid, template, name, ask()))


@blueprint.get(f"{DATASET}/processors")
def list_processors(dataset_uid: str) -> Response:
    return jsonify(surface().list_processors(g.user, dataset_uid))


@blueprint.post(f"{DATASET}/processors")
def create_processor(dataset_uid: str) -> Response:
    return jsonify(surface().create_processor(g.user, dataset_uid, json_body()))


@blueprint.get(PROCESSOR)
def get_processor(dataset_uid: str, processor_uid: str) -> Response:
    return jsonify(surface().get_processor(g.user, dataset_uid, processor_uid))


@blueprint.put(PROCESSOR)
def replace_processor(dataset_uid: str, processor_uid: str) -> Response:
    return jsonify(surface().replace_processor(g.user, dataset_uid, processor_uid, json_body()))


@blueprint.delete(PROCESSOR)
def delete_processor(dataset_uid: str, processor_uid: str) -> Response:
    surface().delete_processor(g.user, dataset_uid, processor_uid)
    return no_content()


@blueprint.get(f"{DATASET}/changes")
def list_changes(dataset_uid: str) -> Response:
    return jsonify(surface().list_changes(g.user, dataset_uid, ask()))


@blueprint.put(f"{DATASET}/restore_change")
def restore_change(dataset_uid: str) -> Response:
    return jsonify(surface().restore_change(g.user, dataset_uid, json_body(), ask()))


@blueprint.get(f"{DATASET}/versions")
def list_versions(dataset_uid: str) -> Response:
    return jsonify(surface().list_versions(g.user, dataset_uid, ask()))
