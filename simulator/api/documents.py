"""The OpenAPI documents, served without credentials next to the APIs they describe."""

from __future__ import annotations

import functools
import json

from flask import Blueprint, Response

from .automation.openapi import automation_document
from .control.openapi import control_document
from .management.openapi import management_document

blueprint = Blueprint("documents", __name__)


@functools.cache
def _serialized(which: str) -> bytes:
    makers = {
        "management": management_document,
        "automation": automation_document,
        "control": control_document,
    }
    document = makers[which]()
    return json.dumps(document, indent=1).encode()


def _answer(which: str) -> Response:
    response = Response(_serialized(which), mimetype="application/json")
    response.headers["Cache-Control"] = "no-cache"
    return response


@blueprint.get("/api/management/v2/openapi.json")
def management_openapi() -> Response:
    return _answer("management")


@blueprint.get("/api/automation/v1.0/openapi.json")
def automation_openapi() -> Response:
    return _answer("automation")


@blueprint.get("/_sim/openapi.json")
def control_openapi() -> Response:
    return _answer("control")
