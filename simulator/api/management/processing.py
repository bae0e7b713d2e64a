"""Processing routes of the Management API v2: the processor catalogue, guessing a
processor's parameters, field specifications, and resource previews."""

from __future__ import annotations

from flask import Response, g, jsonify

from ..reading import json_body
from .common import make_blueprint, no_content, surface

blueprint = make_blueprint("processing")

DATASET = "/datasets/<dataset_uid>"
FIELD_SPEC = f"{DATASET}/fields_specifications/<processor_uid>"


@blueprint.get("/processors")
def list_processor_names() -> Response:
    """Every processor's name: a bare list of strings, as the documentation shows."""
    return jsonify(surface().list_processor_names(g.user))


@blueprint.post(f"{DATASET}/guess_processor_params")
def guess_processor_params(dataset_uid: str) -> Response:
    return jsonify(surface().guess_processor_params(g.user, dataset_uid, json_body()))


@blueprint.get(f"{DATASET}/fields_specifications")
def list_field_specs(dataset_uid: str) -> Response:
    return jsonify(surface().list_field_specs(g.user, dataset_uid))


@blueprint.post(f"{DATASET}/fields_specifications")
def create_field_spec(dataset_uid: str) -> Response:
    return jsonify(surface().create_field_spec(g.user, dataset_uid, json_body()))


@blueprint.get(FIELD_SPEC)
def get_field_spec(dataset_uid: str, processor_uid: str) -> Response:
    return jsonify(surface().get_field_spec(g.user, dataset_uid, processor_uid))


@blueprint.put(FIELD_SPEC)
def replace_field_spec(dataset_uid: str, processor_uid: str) -> Response:
    return jsonify(surface().replace_field_spec(g.user, dataset_uid, processor_uid, json_body()))


@blueprint.delete(FIELD_SPEC)
def delete_field_spec(dataset_uid: str, processor_uid: str) -> Response:
    surface().delete_field_spec(g.user, dataset_uid, processor_uid)
    return no_content()


@blueprint.get(f"{DATASET}/resources/<resource_uid>/preview")
def preview_resource(dataset_uid: str, resource_uid: str) -> Response:
    return jsonify(surface().preview_resource(g.user, dataset_uid, resource_uid))


@blueprint.post(f"{DATASET}/resource_preview")
def resource_preview(dataset_uid: str) -> Response:
    return jsonify(surface().resource_preview(g.user, dataset_uid, json_body()))
