"""The Automation API's dataset attachments and alternative exports.

Each view's endpoint is its operation's id in the specification. Creating either is a
multipart body; an alternative export's download sends the caller elsewhere (303 with
``Location``) when the export is a URL.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from flask import Response, current_app, g, jsonify, request

from ...service.views import Download
from ..app_context import MAX_UPLOAD_KEY, simulator
from ..management.resources import multipart_file
from ..reading import json_body
from .attachment_surface import ATTACHMENTS, EXPORTS, AttachmentsV1
from .common import created, make_blueprint, no_content
from .paging import page, window
from .resources import download

blueprint = make_blueprint("automation_attachments")

DATASET = "/datasets/<dataset_uid>"
ATTACHMENT = f"{DATASET}/attachments/<attachment_uid>"
EXPORT = f"{DATASET}/alternative_exports/<export_uid>"

#: Characters a ``Location`` keeps as they are; any other is percent-encoded (UTF-8).
_URL_SAFE = "!#$%&'()*+,/:;=?@[]~"


def surface() -> AttachmentsV1:
    return AttachmentsV1(simulator())


def _listed(results: list[Any]) -> Response:
    at = window()
    return jsonify(page(results[at.offset : at.offset + at.limit], len(results), at))


def _upload() -> tuple[Any, bytes, str | None] | None:
    if request.mimetype == "multipart/form-data":
        request.max_content_length = current_app.config[MAX_UPLOAD_KEY]
    return multipart_file()


def _sent(found: Any) -> Response:
    if isinstance(found, Download):
        return download(found)
    elsewhere = Response(status=303, headers={"Location": quote(found.url, safe=_URL_SAFE)})
    del elsewhere.headers["Content-Type"]  # no body
    return elsewhere


@blueprint.get(f"{DATASET}/attachments", endpoint="list-dataset-attachments")
def list_dataset_attachments(dataset_uid: str) -> Response:
    window()
    return _listed(surface().listed(g.user, dataset_uid, ATTACHMENTS))


@blueprint.post(f"{DATASET}/attachments", endpoint="create-dataset-attachment")
def create_dataset_attachment(dataset_uid: str) -> tuple[Response, int]:
    return created(surface().attach(g.user, dataset_uid, _upload()))


@blueprint.get(ATTACHMENT, endpoint="retrieve-dataset-attachment")
def retrieve_dataset_attachment(dataset_uid: str, attachment_uid: str) -> Response:
    return jsonify(surface().one(g.user, dataset_uid, ATTACHMENTS, attachment_uid))


@blueprint.delete(ATTACHMENT, endpoint="delete-dataset-attachment")
def delete_dataset_attachment(dataset_uid: str, attachment_uid: str) -> Response:
    surface().delete(g.user, dataset_uid, ATTACHMENTS, attachment_uid)
    return no_content()


@blueprint.get(f"{ATTACHMENT}/download", endpoint="download-dataset-attachment")
def download_dataset_attachment(dataset_uid: str, attachment_uid: str) -> Response:
    return _sent(surface().download(g.user, dataset_uid, ATTACHMENTS, attachment_uid))


@blueprint.get(f"{DATASET}/alternative_exports", endpoint="list-dataset-alternative-exports")
def list_dataset_alternative_exports(dataset_uid: str) -> Response:
    window()
    return _listed(surface().listed(g.user, dataset_uid, EXPORTS))


@blueprint.post(f"{DATASET}/alternative_exports", endpoint="create-dataset-alternative-export")
def create_dataset_alternative_export(dataset_uid: str) -> tuple[Response, int]:
    upload = _upload()
    form = dict(request.form.items()) if request.mimetype == "multipart/form-data" else {}
    return created(surface().create_export(g.user, dataset_uid, form, upload))


@blueprint.get(EXPORT, endpoint="retrieve-dataset-alternative-export")
def retrieve_dataset_alternative_export(dataset_uid: str, export_uid: str) -> Response:
    return jsonify(surface().one(g.user, dataset_uid, EXPORTS, export_uid))


@blueprint.put(EXPORT, endpoint="update-dataset-alternative-export")
def update_dataset_alternative_export(dataset_uid: str, export_uid: str) -> Response:
    return jsonify(surface().update_export(g.user, dataset_uid, export_uid, json_body()))


@blueprint.delete(EXPORT, endpoint="delete-dataset-alternative-export")
def delete_dataset_alternative_export(dataset_uid: str, export_uid: str) -> Response:
    surface().delete(g.user, dataset_uid, EXPORTS, export_uid)
    return no_content()


@blueprint.get(f"{EXPORT}/download", endpoint="download-dataset-alternative_exports")
def download_dataset_alternative_exports(dataset_uid: str, export_uid: str) -> Response:
    return _sent(surface().download(g.user, dataset_uid, EXPORTS, export_uid))
