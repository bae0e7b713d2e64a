"""What every view needs from a request: its JSON body, its caller, its wishes."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from flask import request

from ...domain.errors import InvalidJSON, InvalidParameter
from ...domain.limits import MAX_DEPTH, JSONProblem, load_json
from ...domain.statemachine import VOCABULARIES
from ...service import Ask

STATUS_NAMES_HEADER = "X-Sim-Status-Names"


def json_body(depth: int = MAX_DEPTH) -> Any:
    """Parse the body as JSON whatever the content type says; ``None`` if empty."""
    raw = request.get_data(cache=True)
    if not raw.strip():
        return None
    try:
        return load_json(raw, depth)
    except UnicodeDecodeError:
        raise InvalidJSON("the body is not UTF-8 text") from None
    except JSONProblem as exc:
        raise InvalidJSON(str(exc)) from None


Credentials = tuple[str | None, tuple[str, str] | None, str | None]


def credentials() -> Credentials:
    """The API key or Basic pair the request carries, or why they cannot be read.

    From ``Authorization: Apikey <key>`` (any case), ``Basic``, or ``?apikey=``.
    A problem is reported rather than raised: HTTP faults apply before credentials
    are looked at, as they would in front of the real API.
    """
    environ = request.environ
    header = environ.get("HTTP_AUTHORIZATION", "").strip()
    scheme, _, value = header.partition(" ")
    value = value.strip()
    if scheme.lower() == "apikey" and value:
        return value, None, None
    if scheme.lower() == "basic" and value:
        try:
            decoded = base64.b64decode(value, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None, None, "Malformed HTTP Basic credentials"
        username, sep, password = decoded.partition(":")
        if not sep:
            return None, None, "Malformed HTTP Basic credentials"
        return None, (username, password), None
    if header:
        return None, None, f"Unsupported Authorization scheme '{scheme}'"
    if not environ.get("QUERY_STRING"):
        return None, None, None
    return request.args.get("apikey") or None, None, None


#: What a request asks for without a query string or a status-names header.
_PLAIN = Ask()
_STATUS_NAMES_KEY = "HTTP_" + STATUS_NAMES_HEADER.upper().replace("-", "_")


def ask() -> Ask:
    """Status vocabulary (header or ``status_names``) and ``expand``, from the request."""
    environ = request.environ
    query = environ.get("QUERY_STRING")  # most calls have none: then nothing is parsed
    header = environ.get(_STATUS_NAMES_KEY)
    given = request.args.get("status_names") if query else None
    if header is None and not query:
        return _PLAIN
    for value in (header, given):  # the header wins, but both must make sense
        if value is not None and value not in VOCABULARIES:
            raise InvalidParameter(
                "status_names", f"expected one of {', '.join(VOCABULARIES)}, got '{value}'"
            )
    vocabulary = header or given
    expand = frozenset(
        part.strip() for part in request.args.get("expand", "").split(",") if part.strip()
    )
    return Ask(vocabulary, expand)  # type: ignore[arg-type]
