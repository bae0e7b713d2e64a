"""Datasource connections: where a dataset's resources come from, saved once and reused.

The Automation API's ``Connection`` is discriminated by ``type``; each type has its own
keys (``url``, ``headers``, ``auth``). A connection's credentials are kept as sent and
read back hidden (``null``), as a harvester's secrets are.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from .errors import InvalidParameter, NotFound
from .limits import as_boolean, echo
from .metadata import closest

#: Each type, and the keys it takes beside ``type`` and ``is_reusable`` (the
#: specification's ``<Type>Connection`` schemas); ``url`` is required where listed first.
TYPES: dict[str, tuple[str, ...]] = {
    "http": ("url", "headers", "auth"),
    "ftp": ("url", "auth"),
    "sharepoint": ("auth",),
    "google_drive": ("auth",),
    "amazon_s3": ("url", "headers", "auth"),
    "azure_blob_storage": ("url", "headers", "auth"),
}
#: The keys of an ``auth`` object whose values are secrets: read back as ``null``.
SECRETS = frozenset({"password", "client_secret", "secret_access_key", "account_key", "token"})
#: How many connections a domain may hold, and how large one's settings may be.
MAX_CONNECTIONS = 1000
MAX_SETTING_CHARACTERS = 10_000
MAX_HEADERS = 50


class UnknownConnection(NotFound):
    error_key = "UnknownConnectionException"

    def __init__(self, uid: str) -> None:
        super().__init__("Unknown connection: {uid}", uid=uid)


@dataclass(slots=True)
class Connection:
    uid: str
    type: str
    url: str | None = None
    headers: list[dict[str, str]] | None = None
    auth: dict[str, Any] | None = None
    is_reusable: bool = True
    created_at: float = 0.0
    updated_at: float = 0.0
    #: Who made it.
    created_by: str = ""


def check_type(value: Any) -> str:
    if not isinstance(value, str) or value not in TYPES:
        shown = value if isinstance(value, str) else ""
        raise InvalidParameter(
            "type",
            f"unknown connection type {echo(value)}{closest(shown, TYPES)}; "
            f"known: {', '.join(TYPES)}",
        )
    return value


def check_url(value: Any) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > 2000:
        raise InvalidParameter("url", f"expected a URL (1 to 2000 characters), got {echo(value)}")
    return value


def check_headers(value: Any) -> list[dict[str, str]] | None:
    if value is None:
        return None
    if not isinstance(value, list) or len(value) > MAX_HEADERS:
        raise InvalidParameter(
            "headers", f"expected a list of {{name, value}} ({MAX_HEADERS} at most)"
        )
    out: list[dict[str, str]] = []
    for i, header in enumerate(value):
        if (
            not isinstance(header, dict)
            or set(header) != {"name", "value"}
            or not all(isinstance(v, str) and len(v) <= 2000 for v in header.values())
        ):
            raise InvalidParameter(f"headers[{i}]", f"expected {{name, value}}, got {echo(header)}")
        out.append({"name": header["name"], "value": header["value"]})
    return out


def check_auth(value: Any) -> dict[str, Any] | None:
    """``null``, or an object with its ``type`` (``basic_auth``...) and its keys."""
    if value is None:
        return None
    if not isinstance(value, dict) or not isinstance(value.get("type"), str):
        raise InvalidParameter("auth", f"expected an object with a type, got {echo(value)}")
    if len(json.dumps(value)) > MAX_SETTING_CHARACTERS:
        raise InvalidParameter("auth", f"expected at most {MAX_SETTING_CHARACTERS:,} characters")
    return dict(value)


def check_reusable(value: Any) -> bool:
    flag = as_boolean(value)
    if flag is None:
        raise InvalidParameter("is_reusable", f"expected a boolean, got {echo(value)}")
    return flag


def shown_auth(auth: dict[str, Any] | None) -> dict[str, Any] | None:
    """The auth object as read: its secrets ``null``."""
    if auth is None:
        return None
    return {k: (None if k in SECRETS else v) for k, v in auth.items()}
