"""The Automation API's pagination: ``limit`` and ``offset`` in, links to the pages around.

``{"total_count", "next", "previous", "results"}``. The links are absolute, on the
host the caller used, on the path with its trailing slash as the specification writes
it, and keep the caller's other query parameters; ``previous``
leaves ``offset`` out when it would be 0. ``limit=0`` counts: no results, no links.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from flask import request

from ..openapi import query
from ..reading import int_param

DEFAULT_LIMIT = 20
MAX_LIMIT = 1000


@dataclass(frozen=True, slots=True)
class Window:
    limit: int
    offset: int


def window() -> Window:
    """The window the request asks for (``limit`` 0 to 1000, default 20; ``offset``)."""
    args = request.args
    return Window(
        int_param("limit", args.get("limit"), DEFAULT_LIMIT, 0, MAX_LIMIT),
        int_param("offset", args.get("offset"), 0, 0),
    )


def paging_params() -> list[dict[str, Any]]:
    """``limit`` and ``offset`` as the OpenAPI document declares them."""
    return [
        query(
            "limit",
            {"type": "integer", "minimum": 0, "maximum": MAX_LIMIT},
            f"Page size (default {DEFAULT_LIMIT}; 0: only the count).",
        ),
        query("offset", {"type": "integer", "minimum": 0}, "Results to skip."),
    ]


def _link(limit: int, offset: int) -> str:
    kept = [(k, v) for k, v in request.args.items(multi=True) if k not in ("limit", "offset")]
    kept.append(("limit", str(limit)))
    if offset:
        kept.append(("offset", str(offset)))
    # the path as the specification writes it, with its trailing slash, whichever
    # form the caller used
    path = request.script_root + request.path.rstrip("/") + "/"
    return f"{request.host_url.rstrip('/')}{path}?{urlencode(kept)}"


def page(results: list[Any], total: int, at: Window) -> dict[str, Any]:
    """One page of a listing, with its links."""
    limit, offset = at.limit, at.offset
    following = _link(limit, offset + limit) if limit and offset + limit < total else None
    preceding = _link(limit, max(0, offset - limit)) if limit and offset > 0 else None
    return {"total_count": total, "next": following, "previous": preceding, "results": results}
