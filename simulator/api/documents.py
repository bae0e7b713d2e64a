"""The OpenAPI documents, served without credentials next to the APIs they describe."""

from __future__ import annotations

import functools
import json

from flask import Blueprint, Response

from .control.openapi import control_document
from .management.openapi import management_document

blueprint = Blueprint("documents", __name__)


@functools.cache
def _serialized(which: str) -> bytes:
    document = management_document() if which == "management" else control_document()
    return json.dumps(document, indent=1).encode()


def _answer(which: str) -> Response:
    response = Response(_serialized(which), mimetype="application/json")
    response.headers["Cache-Control"] = "no-cache"
    return response


@blueprint.get("/api/management/v2/openapi.json")
def management_openapi() -> Response:
    return _answer("management")


@blueprint.get("/_sim/openapi.json")
def control_openapi() -> Response:
    return _answer("control")
