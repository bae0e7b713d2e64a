"""The Automation API's metadata: a dataset's values at three levels, and the domain's
templates (the catalogue).

Each view's endpoint is its operation's id in the specification.
"""

from __future__ import annotations

from flask import Response, g, jsonify

from ..reading import json_body
from .common import make_blueprint, no_content, surface

blueprint = make_blueprint("automation_metadata")

METADATA = "/datasets/<dataset_uid>/metadata"
TEMPLATE = f"{METADATA}/<template_name>"
FIELD = f"{TEMPLATE}/<template_field_name>"


@blueprint.get(METADATA, endpoint="list-all-dataset-metadata")
def list_all_dataset_metadata(dataset_uid: str) -> Response:
    return jsonify(surface().all_metadata(g.user, dataset_uid))


@blueprint.put(METADATA, endpoint="update-all-dataset-metadata")
def update_all_dataset_metadata(dataset_uid: str) -> Response:
    return jsonify(surface().replace_all_metadata(g.user, dataset_uid, json_body()))


@blueprint.get(TEMPLATE, endpoint="list-template-dataset-metadata")
def list_template_dataset_metadata(dataset_uid: str, template_name: str) -> Response:
    return jsonify(surface().template_metadata(g.user, dataset_uid, template_name))


@blueprint.put(TEMPLATE, endpoint="update-template-dataset-metadata")
def update_template_dataset_metadata(dataset_uid: str, template_name: str) -> Response:
    answer = surface().replace_template_metadata(g.user, dataset_uid, template_name, json_body())
    return jsonify(answer)


@blueprint.get(FIELD, endpoint="retrieve-template-field-dataset-metadata")
def retrieve_template_field(
    dataset_uid: str, template_name: str, template_field_name: str
) -> Response:
    answer = surface().metadata_field(g.user, dataset_uid, template_name, template_field_name)
    return jsonify(answer)


@blueprint.put(FIELD, endpoint="update-template-field-dataset-metadata")
def update_template_field(
    dataset_uid: str, template_name: str, template_field_name: str
) -> Response:
    answer = surface().set_metadata_field(
        g.user, dataset_uid, template_name, template_field_name, json_body()
    )
    return jsonify(answer)


@blueprint.delete(FIELD, endpoint="delete-template-field-dataset-metadata")
def delete_template_field(
    dataset_uid: str, template_name: str, template_field_name: str
) -> Response:
    surface().delete_metadata_field(g.user, dataset_uid, template_name, template_field_name)
    return no_content()
