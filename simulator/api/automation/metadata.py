"""The Automation API's metadata: a dataset's values at three levels, and the domain's
templates (the catalogue).

Each view's endpoint is its operation's id in the specification.
"""

from __future__ import annotations

from typing import Any

from flask import Response, g, jsonify, request

from ...domain.errors import InvalidParameter
from ...domain.limits import as_boolean, echo
from ...domain.metadata import closest
from ...domain.templates import TYPES
from ..reading import json_body
from .common import make_blueprint, no_content, surface
from .paging import page, window

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


# the domain's templates -------------------------------------------------------------------

TEMPLATES = "/metadata/templates"
CATALOGUED = f"{TEMPLATES}/<template_name>"
TEMPLATE_FIELD = f"{CATALOGUED}/fields/<template_field_name>"


def _listed(results: list[Any]) -> Response:
    """One page of a list the surface gives whole."""
    at = window()
    return jsonify(page(results[at.offset : at.offset + at.limit], len(results), at))


@blueprint.get(TEMPLATES, endpoint="list-metadata-templates")
def list_metadata_templates() -> Response:
    raw_active = request.args.get("is_active")
    is_active = None if raw_active is None else as_boolean(raw_active)
    if raw_active is not None and is_active is None:
        raise InvalidParameter("is_active", f"expected true or false, got {echo(raw_active)}")
    kind = request.args.get("type")
    if kind is not None and kind not in TYPES:
        raise InvalidParameter(
            "type", f"expected one of {', '.join(TYPES)}, got {echo(kind)}{closest(kind, TYPES)}"
        )
    return _listed(surface().list_templates(g.user, is_active, kind))


@blueprint.get(CATALOGUED, endpoint="retrieve-metadata-templates")
def retrieve_metadata_templates(template_name: str) -> Response:
    return jsonify(surface().get_template(g.user, template_name))


@blueprint.get(f"{CATALOGUED}/fields", endpoint="get-metadata-fields-list")
def get_metadata_fields_list(template_name: str) -> Response:
    return _listed(surface().template_fields(g.user, template_name))


@blueprint.get(
    f"{CATALOGUED}/fields/<template_field_name>", endpoint="get-metadata-fields-retrieve"
)
def get_metadata_fields_retrieve(template_name: str, template_field_name: str) -> Response:
    return jsonify(surface().template_field(g.user, template_name, template_field_name))
