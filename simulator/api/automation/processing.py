"""The Automation API's processors (the catalogue, a dataset's stack) and a dataset's
field configurations, over the same service as the Management API's processors and
field specifications.

Each view's endpoint is its operation's id in the specification.
"""

from __future__ import annotations

from typing import Any

from flask import Response, g, jsonify

from ..reading import json_body
from .common import created, make_blueprint, no_content, surface
from .paging import page, window

blueprint = make_blueprint("automation_processing")

PROCESSORS = "/datasets/<dataset_uid>/processors"
PROCESSOR = f"{PROCESSORS}/<processor_uid>"
FIELDS = "/datasets/<dataset_uid>/fields"
FIELD = f"{FIELDS}/<field_uid>"


def _listed(results: list[Any]) -> Response:
    at = window()
    return jsonify(page(results[at.offset : at.offset + at.limit], len(results), at))


@blueprint.get("/processors", endpoint="list-processors")
def list_processors() -> Response:
    return jsonify(surface().list_processor_catalogue(g.user))


@blueprint.get(PROCESSORS, endpoint="list-dataset-processors")
def list_dataset_processors(dataset_uid: str) -> Response:
    window()  # bad paging is refused first
    return _listed(surface().list_processors(g.user, dataset_uid))


@blueprint.post(PROCESSORS, endpoint="create-dataset-processor")
def create_dataset_processor(dataset_uid: str) -> tuple[Response, int]:
    return created(surface().create_processor(g.user, dataset_uid, json_body()))


@blueprint.get(PROCESSOR, endpoint="retrieve-dataset-processor")
def retrieve_dataset_processor(dataset_uid: str, processor_uid: str) -> Response:
    return jsonify(surface().get_processor(g.user, dataset_uid, processor_uid))


@blueprint.put(PROCESSOR, endpoint="update-dataset-processor")
def update_dataset_processor(dataset_uid: str, processor_uid: str) -> Response:
    body = json_body()
    return jsonify(surface().update_processor(g.user, dataset_uid, processor_uid, body))


@blueprint.delete(PROCESSOR, endpoint="delete-dataset-processor")
def delete_dataset_processor(dataset_uid: str, processor_uid: str) -> Response:
    surface().delete_processor(g.user, dataset_uid, processor_uid)
    return no_content()


@blueprint.get(FIELDS, endpoint="list-dataset-field-configurations")
def list_dataset_field_configurations(dataset_uid: str) -> Response:
    window()
    return _listed(surface().list_field_configurations(g.user, dataset_uid))


@blueprint.post(FIELDS, endpoint="create-dataset-field-configurations")
def create_dataset_field_configurations(dataset_uid: str) -> tuple[Response, int]:
    return created(surface().create_field_configuration(g.user, dataset_uid, json_body()))


@blueprint.get(FIELD, endpoint="retrieve-dataset-field-configuration")
def retrieve_dataset_field_configuration(dataset_uid: str, field_uid: str) -> Response:
    return jsonify(surface().get_field_configuration(g.user, dataset_uid, field_uid))


@blueprint.put(FIELD, endpoint="update-dataset-field")
def update_dataset_field(dataset_uid: str, field_uid: str) -> Response:
    body = json_body()
    return jsonify(surface().update_field_configuration(g.user, dataset_uid, field_uid, body))


@blueprint.delete(FIELD, endpoint="destroy-dataset-field-configurations")
def destroy_dataset_field_configurations(dataset_uid: str, field_uid: str) -> Response:
    surface().delete_field_configuration(g.user, dataset_uid, field_uid)
    return no_content()
