"""Uploaded files: their ids, and what a publish would read from them.

A file's id is made from its name, as the platform's are ("Cheese Data.csv" is
``cheese_data.csv``), and ``odsfile://<file_id>`` is its URL. The platform counts a
file's records and finds its fields; so does the simulator, for CSV (separator
sniffed), JSON (a list of objects) and GeoJSON (features). Other files are stored and
downloadable, and hold no records.
"""

from __future__ import annotations

import csv
import io
import json
import mimetypes
import posixpath
import re
import unicodedata
from typing import Any

from .errors import InvalidParameter
from .limits import echo
from .store import slugify

#: The name of a file uploaded without one, as the platform names it.
DEFAULT_FILENAME = "file"
#: Longest part of a file id before its extension, and longest extension kept.
MAX_ID_STEM = 100
MAX_ID_EXTENSION = 16

#: A media type as a Content-Type header carries it: type/subtype, then parameters,
#: in printable ASCII (a download answers with it).
_MEDIA_TYPE = re.compile(r"^[A-Za-z0-9!#$&^_.+-]+/[A-Za-z0-9!#$&^_.+-]+(\s*;[ -~]*)?$")


def file_id_for(filename: str, n: int = 1) -> str:
    """The id of a file by its name: "Cheese Data.csv" -> ``cheese_data.csv``.

    ASCII letters and digits, lowercase, other runs of characters as ``_``, the extension
    kept; ``n`` from 2 on adds ``_<n>`` before the extension (another file took the id).
    """
    stem, extension = posixpath.splitext(filename)
    plain = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode().lower()
    words = re.sub(r"[^a-z0-9-]+", "_", plain).strip("_-")[:MAX_ID_STEM].strip("_-")
    suffix = re.sub(r"[^a-z0-9]+", "", extension.lower())[:MAX_ID_EXTENSION]
    stem_id = (words or DEFAULT_FILENAME) + (f"_{n}" if n > 1 else "")
    return f"{stem_id}.{suffix}" if suffix else stem_id


def guess_mimetype(filename: str, given: str | None) -> str:
    """The media type of an upload: the one given, or one guessed from the file name."""
    if given and given != "application/octet-stream":
        if len(given) > 255 or not _MEDIA_TYPE.match(given):
            raise InvalidParameter(
                "mimetype", f"expected a media type such as text/csv, got {echo(given)}"
            )
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
    try:
        header = next(rows, [])
        count = sum(1 for row in rows if any(cell.strip() for cell in row))
    except csv.Error as exc:  # e.g. a field longer than the csv module reads
        raise InvalidParameter(
            "file", f"'{filename}' cannot be read as CSV at line {rows.line_num}: {exc}"
        ) from None
    return count, {_field(name, i): "text" for i, name in enumerate(header)}


def _json_records(content: bytes, filename: str) -> tuple[int, dict[str, str]]:
    try:
        data = json.loads(_text(content, filename))
    except json.JSONDecodeError as exc:
        raise InvalidParameter("file", f"'{filename}' is not valid JSON: {exc.msg}") from None
    except (ValueError, RecursionError) as exc:  # a number too long, nesting too deep
        raise InvalidParameter("file", f"'{filename}' cannot be read as JSON: {exc}") from None
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
