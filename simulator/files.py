"""Uploaded files: what a publish would read from them.

The platform counts a file's records and finds its fields; so does the simulator,
for CSV (separator sniffed), JSON (a list of objects) and GeoJSON (features). Other
files are stored and downloadable, and hold no records.
"""

from __future__ import annotations

import csv
import io
import json
import mimetypes
from typing import Any

from .errors import InvalidParameter
from .store import slugify

#: Largest upload accepted, in bytes.
MAX_UPLOAD = 50 * 1024 * 1024


def guess_mimetype(filename: str, given: str | None) -> str:
    if given and given != "application/octet-stream":
        return given
    if filename.lower().endswith(".geojson"):
        return "application/geo+json"
    return mimetypes.guess_type(filename)[0] or given or "application/octet-stream"


def read_records(content: bytes, filename: str, mimetype: str) -> tuple[int, dict[str, str]]:
    """How many records a file holds, and its fields (name: kind), as a publish sees them."""
    lower = filename.lower()
    if mimetype in ("application/json", "application/geo+json") or lower.endswith(
        (".json", ".geojson")
    ):
        return _json_records(content, filename)
    if mimetype in ("text/csv", "text/plain", "application/csv") or lower.endswith(
        (".csv", ".txt")
    ):
        return _csv_records(content, filename)
    return 0, {}


def _text(content: bytes, filename: str) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidParameter("file", f"'{filename}' is not UTF-8 text") from None


def _csv_records(content: bytes, filename: str) -> tuple[int, dict[str, str]]:
    text = _text(content, filename)
    if not text.strip():
        return 0, {}
    try:
        dialect: Any = csv.Sniffer().sniff(text[:4096], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    rows = csv.reader(io.StringIO(text), dialect)
    header = next(rows, [])
    count = sum(1 for row in rows if any(cell.strip() for cell in row))
    return count, {_field(name, i): "text" for i, name in enumerate(header)}


def _json_records(content: bytes, filename: str) -> tuple[int, dict[str, str]]:
    try:
        data = json.loads(_text(content, filename))
    except json.JSONDecodeError as exc:
        raise InvalidParameter("file", f"'{filename}' is not valid JSON: {exc.msg}") from None
    if isinstance(data, dict) and data.get("type") == "FeatureCollection":
        features = data.get("features") or []
        first = features[0] if features and isinstance(features[0], dict) else {}
        properties = first.get("properties") or {}
        fields = {"geo_shape": "geo_shape"}
        fields.update({_field(k, i): "text" for i, k in enumerate(properties)})
        return len(features), fields
    if isinstance(data, list):
        first = data[0] if data and isinstance(data[0], dict) else {}
        return len(data), {_field(k, i): "text" for i, k in enumerate(first)}
    if isinstance(data, dict):
        return 1, {_field(k, i): "text" for i, k in enumerate(data)}
    return 0, {}


def _field(name: str, index: int) -> str:
    """A field name as the platform derives it from a column header."""
    return slugify(str(name)).replace("-", "_") or f"column_{index + 1}"
