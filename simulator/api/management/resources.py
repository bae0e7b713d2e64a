"""Resources, files, downloads and realtime pushes of the Management API v2."""

from __future__ import annotations

import base64
import binascii
from typing import Any
from urllib.parse import quote

from flask import Response, current_app, g, jsonify, request

from ...domain.errors import InvalidParameter
from ...service.views import Download
from ..app_context import MAX_UPLOAD_KEY
from ..reading import json_body
from .common import ask, make_blueprint, no_content, surface

blueprint = make_blueprint("resources")

RESOURCE = "/datasets/<dataset_uid>/resources/<resource_uid>"


@blueprint.get("/datasets/<dataset_uid>/resources")
def list_resources(dataset_uid: str) -> Response:
    return jsonify(surface().list_resources(g.user, dataset_uid))


@blueprint.post("/datasets/<dataset_uid>/resources")
def create_resource(dataset_uid: str) -> Response:
    return jsonify(surface().create_resource(g.user, dataset_uid, json_body()))


@blueprint.get(RESOURCE)
def get_resource(dataset_uid: str, resource_uid: str) -> Response:
    return jsonify(surface().get_resource(g.user, dataset_uid, resource_uid))


@blueprint.put(RESOURCE)
def replace_resource(dataset_uid: str, resource_uid: str) -> Response:
    return jsonify(surface().replace_resource(g.user, dataset_uid, resource_uid, json_body()))


@blueprint.delete(RESOURCE)
def delete_resource(dataset_uid: str, resource_uid: str) -> Response:
    surface().delete_resource(g.user, dataset_uid, resource_uid)
    return no_content()


@blueprint.get(f"{RESOURCE}/download")
def download_resource(dataset_uid: str, resource_uid: str) -> Response:
    return _download(surface().download_resource(g.user, dataset_uid, resource_uid))


@blueprint.post(f"{RESOURCE}/push")
def push_records(dataset_uid: str, resource_uid: str) -> Response:
    return jsonify(surface().push(g.user, dataset_uid, resource_uid, json_body()))


@blueprint.put(f"{RESOURCE}/recover")
def recover_records(dataset_uid: str, resource_uid: str) -> Response:
    return jsonify(surface().realtime_action(g.user, dataset_uid, resource_uid, "recover"))


@blueprint.put(f"{RESOURCE}/delete_recover_data")
def delete_recover_data(dataset_uid: str, resource_uid: str) -> Response:
    return jsonify(surface().realtime_action(g.user, dataset_uid, resource_uid, "scratch"))


@blueprint.get("/files")
def list_files() -> Response:
    """A bare list: the files the caller uploaded, or that datasets they may edit use."""
    return jsonify(surface().list_files(g.user, ask()))


@blueprint.post("/files")
def upload_file() -> Response:
    """Multipart (any file field), or JSON ``{content, mimetype, filename}`` whatever its type."""
    request.max_content_length = current_app.config[MAX_UPLOAD_KEY]  # uploads: their own limit
    filename, content, mimetype = multipart_file() or _json_upload()
    return jsonify(surface().upload_file(g.user, filename, mimetype, content, ask()))


def multipart_file() -> tuple[Any, bytes, str | None] | None:
    """The first file of a multipart body (whatever its field's name), if there is one.

    Its name as sent (the service checks it); its media type without parameters.
    """
    if request.mimetype != "multipart/form-data" or not request.files:
        return None
    upload = next(iter(request.files.values()))
    return upload.filename or "", upload.read(), upload.mimetype


def _json_upload() -> tuple[Any, bytes, str | None]:
    """The file as sent; its name as sent too, for the service to check."""
    body = json_body()
    if not isinstance(body, dict):
        raise InvalidParameter(
            "body", 'send a multipart file, or {"content", "mimetype", "filename"}'
        )
    # no filename: the platform names the file "file" (the service does)
    content, filename, mimetype = body.get("content"), body.get("filename"), body.get("mimetype")
    if not isinstance(content, str):
        raise InvalidParameter("content", "expected the file's content as a string")
    if mimetype is not None and not isinstance(mimetype, str):
        raise InvalidParameter("mimetype", "expected a string")
    encoding = body.get("encoding")
    if encoding not in (None, "base64"):
        raise InvalidParameter("encoding", f"expected 'base64' or nothing, got {encoding!r}")
    if encoding == "base64":
        try:
            return filename, base64.b64decode(content, validate=True), mimetype
        except (binascii.Error, ValueError):  # ValueError: characters outside ASCII
            raise InvalidParameter("content", "not valid base64") from None
    return filename, content.encode("utf-8"), mimetype


@blueprint.get("/files/<file_id>")
def get_file(file_id: str) -> Response:
    return jsonify(surface().get_file(g.user, file_id, ask()))


@blueprint.get("/download_file/<file_id>")
def download_file(file_id: str) -> Response:
    return _download(surface().download_file(g.user, file_id))


@blueprint.get("/files/<file_id>/download")
def download_file_alias(file_id: str) -> Response:
    """The simulator's earlier path of ``/download_file/<file_id>``, kept."""
    return _download(surface().download_file(g.user, file_id))


def _download(download: Download) -> Response:
    response = Response(download.content, mimetype=download.mimetype)
    response.headers["Content-Disposition"] = attachment(download.filename)
    return response


def attachment(filename: str) -> str:
    """A ``Content-Disposition`` for any file name (RFC 6266): headers are Latin-1 text.

    ``filename`` gets a printable-ASCII stand-in; ``filename*`` the exact name in
    UTF-8, percent-encoded, when it differs.
    """
    plain = "".join(c if " " <= c <= "~" and c not in '"\\' else "_" for c in filename)
    value = f'attachment; filename="{plain}"'
    if plain != filename:
        value += f"; filename*=UTF-8''{quote(filename, safe='')}"
    return value
