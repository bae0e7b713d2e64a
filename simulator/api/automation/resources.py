"""The Automation API's resources, resource files and extractors.

Each view's endpoint is its operation's id in the specification. Note the
specification's own spelling of one path: the saved resource's parameter guess is
``guess_extractors_params`` (plural), the unsaved one's ``guess_extractor_params``.
"""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, g, jsonify, request

from ...domain.errors import InvalidParameter
from ...service.views import Download
from ..app_context import MAX_UPLOAD_KEY, simulator
from ..management.resources import attachment, multipart_file
from ..reading import json_body
from .common import created, make_blueprint, no_content
from .datasources import expand
from .paging import page, window
from .resource_surface import ResourcesV1

blueprint = make_blueprint("automation_resources")

RESOURCES = "/datasets/<dataset_uid>/resources"
RESOURCE = f"{RESOURCES}/<resource_uid>"
FILES = f"{RESOURCES}/files"


def surface() -> ResourcesV1:
    return ResourcesV1(simulator())


def _listed(results: list[Any]) -> Response:
    at = window()
    return jsonify(page(results[at.offset : at.offset + at.limit], len(results), at))


def download(found: Download) -> Response:
    response = Response(found.content, mimetype=found.mimetype)
    response.headers["Content-Disposition"] = attachment(found.filename)
    return response


def uploaded() -> tuple[Any, bytes, str | None]:
    """The multipart body's file (field ``file``, or the first file sent)."""
    request.max_content_length = current_app.config[MAX_UPLOAD_KEY]
    upload = multipart_file()
    if upload is None:
        raise InvalidParameter("file", "No file was submitted.")
    return upload


@blueprint.get("/extractors", endpoint="list-extractors")
def list_extractors() -> Response:
    return jsonify(surface().list_extractors(g.user))


@blueprint.get(RESOURCES, endpoint="list-dataset-resources")
def list_dataset_resources(dataset_uid: str) -> Response:
    window()  # bad paging is refused first
    expand(request.args.get("expand"))
    return _listed(surface().list_resources(g.user, dataset_uid))


@blueprint.post(RESOURCES, endpoint="create-dataset-resource")
def create_dataset_resource(dataset_uid: str) -> tuple[Response, int]:
    return created(surface().create_resource(g.user, dataset_uid, json_body()))


@blueprint.post(f"{RESOURCES}/guess_extractors", endpoint="guess-unsaved-resource-extractors")
def guess_unsaved_resource_extractors(dataset_uid: str) -> Response:
    return jsonify(surface().guess_unsaved_extractors(g.user, dataset_uid, json_body()))


@blueprint.post(
    f"{RESOURCES}/guess_extractor_params", endpoint="guess-unsaved-resource-extractor-params"
)
def guess_unsaved_resource_extractor_params(dataset_uid: str) -> Response:
    return jsonify(surface().guess_unsaved_params(g.user, dataset_uid, json_body()))


@blueprint.post(f"{RESOURCES}/preview", endpoint="resource-unsaved-preview")
def resource_unsaved_preview(dataset_uid: str) -> Response:
    return jsonify(surface().unsaved_preview(g.user, dataset_uid, json_body()))


@blueprint.post(FILES, endpoint="upload-resource-file")
def upload_resource_file(dataset_uid: str) -> tuple[Response, int]:
    filename, content, mimetype = uploaded()
    return created(surface().upload_file(g.user, dataset_uid, filename, mimetype, content))


@blueprint.get(f"{FILES}/<file_uid>", endpoint="retrieve-dataset-resource-file")
def retrieve_dataset_resource_file(dataset_uid: str, file_uid: str) -> Response:
    return jsonify(surface().get_file(g.user, dataset_uid, file_uid))


@blueprint.get(f"{FILES}/<file_uid>/download", endpoint="download-dataset-resource-file")
def download_dataset_resource_file(dataset_uid: str, file_uid: str) -> Response:
    return download(surface().download_file(g.user, dataset_uid, file_uid))


@blueprint.get(RESOURCE, endpoint="retrieve-dataset-resource")
def retrieve_dataset_resource(dataset_uid: str, resource_uid: str) -> Response:
    expand(request.args.get("expand"))
    return jsonify(surface().get_resource(g.user, dataset_uid, resource_uid))


@blueprint.put(RESOURCE, endpoint="update-dataset-resource")
def update_dataset_resource(dataset_uid: str, resource_uid: str) -> Response:
    body = json_body()
    return jsonify(surface().update_resource(g.user, dataset_uid, resource_uid, body))


@blueprint.delete(RESOURCE, endpoint="delete-dataset-resource")
def delete_dataset_resource(dataset_uid: str, resource_uid: str) -> Response:
    surface().delete_resource(g.user, dataset_uid, resource_uid)
    return no_content()


@blueprint.get(f"{RESOURCE}/guess_extractors", endpoint="resource-guess-extractors")
def resource_guess_extractors(dataset_uid: str, resource_uid: str) -> Response:
    return jsonify(surface().guess_extractors(g.user, dataset_uid, resource_uid))


@blueprint.get(f"{RESOURCE}/guess_extractors_params", endpoint="resource-guess-extractor-params")
def resource_guess_extractor_params(dataset_uid: str, resource_uid: str) -> Response:
    return jsonify(surface().guess_params(g.user, dataset_uid, resource_uid))


@blueprint.get(f"{RESOURCE}/preview", endpoint="resource-preview")
def resource_preview(dataset_uid: str, resource_uid: str) -> Response:
    return jsonify(surface().preview(g.user, dataset_uid, resource_uid))


@blueprint.post(f"{RESOURCE}/clean_cache", endpoint="clean-resource-cache")
def clean_resource_cache(dataset_uid: str, resource_uid: str) -> Response:
    surface().clean_cache(g.user, dataset_uid, resource_uid)
    return no_content()


@blueprint.post(f"{RESOURCE}/recover", endpoint="recover-resource")
def recover_resource(dataset_uid: str, resource_uid: str) -> Response:
    return jsonify(surface().realtime_action(g.user, dataset_uid, resource_uid, "recover"))


@blueprint.post(f"{RESOURCE}/delete_recover_data", endpoint="delete-recover-data-resource")
def delete_recover_data_resource(dataset_uid: str, resource_uid: str) -> Response:
    return jsonify(surface().realtime_action(g.user, dataset_uid, resource_uid, "scratch"))


@blueprint.post(f"{RESOURCE}/enable", endpoint="enable-resource")
def enable_resource(dataset_uid: str, resource_uid: str) -> Response:
    return jsonify(surface().set_push(g.user, dataset_uid, resource_uid, True))


@blueprint.post(f"{RESOURCE}/disable", endpoint="disable-resource")
def disable_resource(dataset_uid: str, resource_uid: str) -> Response:
    return jsonify(surface().set_push(g.user, dataset_uid, resource_uid, False))


@blueprint.post(f"{RESOURCE}/renew_api_key", endpoint="resource-renew-api-key")
def resource_renew_api_key(dataset_uid: str, resource_uid: str) -> Response:
    return jsonify(surface().renew_api_key(g.user, dataset_uid, resource_uid))
