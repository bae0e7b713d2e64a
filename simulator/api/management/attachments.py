"""A dataset's attachments and alternative exports in the Management API v2.

Each kind has the platform's five paths: the list and ``POST`` to add one, one object
by uid (``GET``, ``DELETE``), and its download at ``download_attachment/<uid>`` or
``download_alternative_export/<uid>``. A body is ``{"url": ...}`` as JSON (whatever
the content type), a form field ``url``, or a multipart file, uploaded and attached.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from flask import Response, current_app, g, jsonify, request

from ...domain.attachments import ALTERNATIVE_EXPORTS, ATTACHMENTS, Kind
from ...service.views import Download
from ..app_context import MAX_UPLOAD_KEY
from ..reading import json_body
from .common import make_blueprint, surface
from .resources import attachment, multipart_file

blueprint = make_blueprint("attachments")

DATASET = "/datasets/<dataset_uid>"

#: Characters a ``Location`` keeps as they are; any other is percent-encoded (UTF-8).
_URL_SAFE = "!#$%&'()*+,/:;=?@[]~"


def _list(kind: Kind) -> Callable[..., Response]:
    def view(dataset_uid: str) -> Response:
        return jsonify(surface().list_attached(g.user, dataset_uid, kind.name))

    return view


def _create(kind: Kind) -> Callable[..., Response]:
    def view(dataset_uid: str) -> Response:
        if request.mimetype == "multipart/form-data":
            request.max_content_length = current_app.config[MAX_UPLOAD_KEY]
            upload = multipart_file()
            if upload is not None:
                filename, content, mimetype = upload
                made = surface().attach_upload(
                    g.user, dataset_uid, kind.name, filename, mimetype, content
                )
                return jsonify(made)
        return jsonify(surface().attach(g.user, dataset_uid, kind.name, _body()))

    return view


def _body() -> Any:
    """The ``url`` field of a form, else the body as JSON (whatever the content type)."""
    if request.mimetype == "application/x-www-form-urlencoded":
        request.get_data(cache=True)  # kept: JSON sent as a form is read from it next
    form = request.mimetype in ("multipart/form-data", "application/x-www-form-urlencoded")
    if form and "url" in request.form:
        return {"url": request.form["url"]}
    return json_body()


def _get(kind: Kind) -> Callable[..., Response]:
    def view(dataset_uid: str, **path: str) -> Response:
        uid = path[kind.uid_key]
        return jsonify(surface().get_attached(g.user, dataset_uid, kind.name, uid))

    return view


def _delete(kind: Kind) -> Callable[..., Response]:
    def view(dataset_uid: str, **path: str) -> Response:
        uid = path[kind.uid_key]
        return jsonify(surface().detach(g.user, dataset_uid, kind.name, uid))

    return view


def _download(kind: Kind) -> Callable[..., Response]:
    def view(dataset_uid: str, **path: str) -> Response:
        uid = path[kind.uid_key]
        found = surface().download_attached(g.user, dataset_uid, kind.name, uid)
        if isinstance(found, Download):
            response = Response(found.content, mimetype=found.mimetype)
            response.headers["Content-Disposition"] = attachment(found.filename)
            return response
        # a file elsewhere: the caller is sent there, as the Automation API does
        elsewhere = Response(status=303, headers={"Location": quote(found.url, safe=_URL_SAFE)})
        del elsewhere.headers["Content-Type"]  # no body
        return elsewhere

    return view


def _register(kind: Kind, download: str) -> None:
    """The kind's five routes; the uid's path parameter is named as the API's key."""
    collection = f"{DATASET}/{kind.name}"
    uid = f"<{kind.uid_key}>"
    one = kind.name.removesuffix("s")  # attachment, alternative_export
    rules: list[tuple[str, str, str, Callable[..., Response]]] = [
        (collection, "GET", f"list_{kind.name}", _list(kind)),
        (collection, "POST", f"create_{one}", _create(kind)),
        (f"{collection}/{uid}", "GET", f"get_{one}", _get(kind)),
        (f"{collection}/{uid}", "DELETE", f"delete_{one}", _delete(kind)),
        (f"{DATASET}/{download}/{uid}", "GET", f"download_{one}", _download(kind)),
    ]
    for rule, method, endpoint, view in rules:
        blueprint.add_url_rule(rule, endpoint, view, methods=[method])


_register(ATTACHMENTS, "download_attachment")
_register(ALTERNATIVE_EXPORTS, "download_alternative_export")
