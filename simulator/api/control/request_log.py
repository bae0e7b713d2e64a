"""The request log over the control API: ``GET`` and ``DELETE /_sim/requests``.

Filters: ``method``, ``path`` (a glob, or a route template), ``status`` (a code or
a class, ``4xx``), ``surface`` (comma-separated; ``all``; by default the platform's
two APIs, not ``control`` nor ``other`` paths such as a browser's ``/favicon.ico``),
``since`` (entries whose ``seq`` is greater: for polling), ``limit`` (the newest so
many); ``format=ndjson`` for one entry a line.
"""

from __future__ import annotations

import json

from flask import Response, jsonify, request

from ...domain.errors import InvalidParameter
from ...domain.limits import echo
from ...domain.request_log import PLATFORM_SURFACES, SURFACES, check_status
from ..app_context import simulator
from ..reading import int_param
from .routes import blueprint

FORMATS = {"json": "application/json", "ndjson": "application/x-ndjson"}


def _surfaces(raw: str | None) -> frozenset[str] | None:
    if not raw:
        return PLATFORM_SURFACES
    names = {s.strip() for s in raw.split(",") if s.strip()}
    if "all" in names:
        return None
    unknown = sorted(names - set(SURFACES))
    if unknown or not names:
        known = ", ".join([*SURFACES, "all"])
        raise InvalidParameter("surface", f"expected some of {known}, got {echo(raw)}")
    return frozenset(names)


@blueprint.get("/requests")
def list_requests() -> Response:
    """The requests answered since the last reset, oldest first, filtered."""
    args = request.args
    fmt = args.get("format") or "json"
    if fmt not in FORMATS:
        raise InvalidParameter("format", f"expected json or ndjson, got {echo(fmt)}")
    status = args.get("status") or None
    if status is not None and not check_status(status.lower()):
        raise InvalidParameter(
            "status", f"expected a status code or class (4xx), got {echo(status)}"
        )
    log = simulator().requests
    entries = log.entries(
        method=args.get("method") or None,
        path=args.get("path") or None,
        status=None if status is None else status.lower(),
        surfaces=_surfaces(args.get("surface")),
        since=int_param("since", args.get("since"), 0, 0),
        limit=int_param("limit", args.get("limit"), log.limit or 1, 1),
    )
    if fmt == "ndjson":
        text = "".join(json.dumps(e.to_dict(), separators=(",", ":")) + "\n" for e in entries)
        return Response(text, mimetype=FORMATS[fmt])
    return jsonify([e.to_dict() for e in entries])


@blueprint.delete("/requests")
def clear_requests() -> Response:
    """Forget the requests kept so far (numbering goes on)."""
    log = simulator().requests
    cleared = len(log)
    log.clear()
    return jsonify({"cleared": cleared})
