"""What every view needs from a request: its JSON body, its caller, its wishes."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from flask import request

from ..errors import AuthenticationRequired, InvalidJSON, InvalidParameter
from ..models import User
from ..service import Ask, Simulator
from ..statemachine import VOCABULARIES

STATUS_NAMES_HEADER = "X-Sim-Status-Names"


def json_body() -> Any:
    """Parse the body as JSON whatever the content type says; ``None`` if empty."""
    raw = request.get_data(cache=True)
    if not raw.strip():
        return None
    try:
        return json.loads(raw, parse_constant=_not_json)
    except UnicodeDecodeError:
        raise InvalidJSON("the body is not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise InvalidJSON(f"{exc.msg} at line {exc.lineno} column {exc.colno}") from None


def _not_json(name: str) -> None:
    raise InvalidJSON(f"{name} is not a JSON value")


def authenticate(sim: Simulator) -> User:
    """The caller, from ``Authorization: Apikey``/``Basic`` or ``?apikey=``; else 401."""
    header = request.headers.get("Authorization", "").strip()
    scheme, _, value = header.partition(" ")
    value = value.strip()
    if scheme.lower() == "apikey" and value:
        return sim.authenticate(apikey=value)
    if scheme.lower() == "basic" and value:
        try:
            decoded = base64.b64decode(value, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise AuthenticationRequired("Malformed HTTP Basic credentials") from None
        username, sep, password = decoded.partition(":")
        if not sep:
            raise AuthenticationRequired("Malformed HTTP Basic credentials")
        return sim.authenticate(basic=(username, password))
    if header:
        raise AuthenticationRequired(f"Unsupported Authorization scheme '{scheme}'")
    key = request.args.get("apikey")
    if key:
        return sim.authenticate(apikey=key)
    return sim.authenticate()


def ask() -> Ask:
    """Status vocabulary (header or ``status_names``) and ``expand``, from the request."""
    vocabulary = request.headers.get(STATUS_NAMES_HEADER) or request.args.get("status_names")
    if vocabulary is not None and vocabulary not in VOCABULARIES:
        raise InvalidParameter(
            "status_names", f"expected one of {', '.join(VOCABULARIES)}, got '{vocabulary}'"
        )
    expand = frozenset(
        part.strip() for part in request.args.get("expand", "").split(",") if part.strip()
    )
    return Ask(vocabulary, expand)  # type: ignore[arg-type]
