"""What a resource brings to the processing pipeline: its fields, typed, and its first rows.

An uploaded file is read as an extractor would read it (a CSV file's header, or
``column_1``, ``column_2``... when the resource says ``headers_first_row: false``;
a JSON list's keys; a GeoJSON feature's properties), and the types of its columns
are guessed from the first rows, as the platform guesses them. A resource without
an uploaded file has the fields its scenario or body gives, typed by their kind.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .datagen import DEFAULT_FIELDS
from .expressions import text_of
from .files import _field as field_name
from .limits import as_boolean
from .models import Dataset, Resource, StoredFile

#: The platform's field types (Management API v2, fields specification "type").
FIELD_TYPES: tuple[str, ...] = (
    "text",
    "int",
    "double",
    "geo_point_2d",
    "geo_shape",
    "date",
    "datetime",
    "file",
)

#: The type of each kind of generated field (see :mod:`.datagen`); others are text.
KIND_TYPES: dict[str, str] = {
    "int": "int",
    "float": "double",
    "date": "date",
    "datetime": "datetime",
    "latitude": "double",
    "longitude": "double",
}

#: Rows a preview shows, at most (the documentation's "up to 20").
PREVIEW_ROWS = 20
#: How much of an uploaded file is read for its first rows.
_HEAD_BYTES = 2**20

_INT = re.compile(r"^[+-]?\d{1,18}$")
_DOUBLE = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$")


@dataclass
class Field:
    """A field as the preview shows it: its names, label, type, description, annotations."""

    name: str
    original_name: str
    label: str
    type: str = "text"
    description: str | None = None
    #: Annotations by name, each with its arguments, in the order they were set.
    annotations: dict[str, list[Any]] = field(default_factory=dict)

    def copy(self) -> Field:
        return Field(
            self.name,
            self.original_name,
            self.label,
            self.type,
            self.description,
            {k: list(v) for k, v in self.annotations.items()},
        )


@dataclass
class Source:
    """A resource's fields (in order) and its first rows, as the pipeline starts from."""

    fields: list[Field]
    rows: list[dict[str, Any]]


def guess_type(values: Iterable[Any]) -> str:
    """The type the platform would give a column of these values (text when unsure)."""
    seen = [v for v in values if v is not None and v != ""]
    if not seen:
        return "text"
    if all(isinstance(v, bool) for v in seen):
        return "text"
    if all(isinstance(v, int) and not isinstance(v, bool) for v in seen):
        return "int"
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in seen):
        return "double"
    if not all(isinstance(v, str) for v in seen):
        return "text"
    text = [v.strip() for v in seen]
    for pattern, kind in ((_INT, "int"), (_DOUBLE, "double"), (_DATE, "date")):
        if all(pattern.match(v) for v in text):
            return kind
    if all(_DATETIME.match(v) for v in text):
        return "datetime"
    return "text"


def point(value: Any) -> tuple[float, float] | None:
    """A geo point from ``[lat, lon]``, ``"lat,lon"`` or ``{"lat", "lon"}``, or ``None``."""
    if isinstance(value, dict):
        value = [value.get("lat"), value.get("lon")]
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, (list, tuple)) or len(value) != 2:
        return None
    try:
        lat, lon = (float(str(v).strip()) for v in value)
    except ValueError:
        return None
    if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90):
        return None
    return lat, lon


def convert(value: Any, kind: str) -> Any:
    """A value as a field of this type holds it; ``None`` when it cannot be."""
    if value is None or value == "":
        return None
    try:
        if kind == "int":
            return int(float(str(value).strip().replace(",", ".")))
        if kind == "double":
            number = float(str(value).strip().replace(",", "."))
            return number if math.isfinite(number) else None
    except (ValueError, OverflowError):
        return None
    if kind == "geo_point_2d":
        found = point(value)
        return list(found) if found else None
    if kind == "text" and not isinstance(value, str):
        return text_of(value) if not isinstance(value, (dict, list)) else json.dumps(value)
    return value


def generated_fields(kinds: Mapping[str, str]) -> list[Field]:
    """Fields of generated records, typed by their kind."""
    return [Field(name, name, name, KIND_TYPES.get(kind, "text")) for name, kind in kinds.items()]


def file_source(
    content: bytes, filename: str, mimetype: str, params: Mapping[str, Any], rows: int
) -> Source | None:
    """An uploaded file's fields and first ``rows`` rows; ``None`` if it holds no records."""
    lower = filename.lower()
    if mimetype in ("application/json", "application/geo+json") or lower.endswith(
        (".json", ".geojson")
    ):
        return _json_source(content.decode("utf-8-sig", errors="ignore"), rows)
    text = content[:_HEAD_BYTES].decode("utf-8-sig", errors="ignore")
    if len(content) > _HEAD_BYTES:  # the last line may be cut short
        text = text[: text.rfind("\n") + 1]
    if mimetype in ("text/csv", "text/plain", "application/csv") or lower.endswith(
        (".csv", ".txt")
    ):
        return _csv_source(text, params, rows)
    return None


def _csv_source(text: str, params: Mapping[str, Any], limit: int) -> Source | None:
    if not text.strip():
        return None
    separator = params.get("separator")
    dialect: Any
    if isinstance(separator, str) and len(separator) == 1:
        dialect = _Separated(separator)
    else:
        try:
            dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t|")
        except csv.Error:
            dialect = csv.excel
    headers = as_boolean(params.get("headers_first_row", True))
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        lines = []
        for line in reader:
            if any(cell.strip() for cell in line):
                lines.append(line)
            if len(lines) > limit:
                break
    except csv.Error:
        return None
    if not lines:
        return None
    if headers is False:
        width = max(len(line) for line in lines)
        labels = [f"Column {i + 1}" for i in range(width)]
        names = [f"column_{i + 1}" for i in range(width)]
        body = lines[:limit]
    else:
        labels = [cell.strip() or f"Column {i + 1}" for i, cell in enumerate(lines[0])]
        names = [field_name(cell, i) for i, cell in enumerate(lines[0])]
        body = lines[1 : limit + 1]
    names = _unique(names)
    records = [
        {name: (line[i] if i < len(line) else None) for i, name in enumerate(names)}
        for line in body
    ]
    fields = [
        Field(name, name, label, guess_type(r[name] for r in records))
        for name, label in zip(names, labels, strict=True)
    ]
    return _typed(fields, records)


def _typed(fields: list[Field], records: list[dict[str, Any]]) -> Source:
    """The values as their guessed types hold them (``"12"`` in an int field is 12)."""
    for f in fields:
        if f.type != "text":
            for r in records:
                r[f.name] = convert(r.get(f.name), f.type)
    return Source(fields, records)


class _Separated(csv.excel):
    def __init__(self, separator: str) -> None:
        super().__init__()
        self.delimiter = separator


def _json_source(text: str, limit: int) -> Source | None:
    try:
        data = json_value(text)
    except (ValueError, RecursionError):
        return None
    items: list[Any]
    geo = isinstance(data, dict) and data.get("type") == "FeatureCollection"
    if geo:
        features = data.get("features")
        items = features if isinstance(features, list) else []
    elif isinstance(data, list):
        items = data
    elif isinstance(data, dict):
        items = [data]
    else:
        return None
    objects = [item for item in items[:limit] if isinstance(item, dict)]
    rows: list[dict[str, Any]] = []
    labels: dict[str, str] = {}
    for item in objects:
        values = item.get("properties") if geo else item
        row: dict[str, Any] = {"geo_shape": item.get("geometry")} if geo else {}
        for j, (key, value) in enumerate((values or {}).items()):
            name = field_name(key, j)
            labels.setdefault(name, str(key))
            row[name] = value if not isinstance(value, (dict, list)) else json.dumps(value)
        rows.append(row)
    names = (["geo_shape"] if geo else []) + [n for n in labels if n != "geo_shape"]
    fields = [
        Field(n, n, labels.get(n, n), "geo_shape" if geo and n == "geo_shape" else "text")
        for n in names
    ]
    for f in fields:
        if f.type == "text":
            f.type = guess_type(r.get(f.name) for r in rows)
    return _typed(fields, [{n: r.get(n) for n in names} for r in rows])


def _finite(text: str) -> float | None:
    number = float(text)
    return number if math.isfinite(number) else None


def json_value(text: str) -> Any:
    """JSON text read as a record holds it: NaN and infinities (not JSON) are empty."""
    return json.loads(text, parse_constant=lambda _: None, parse_float=_finite)


def _unique(names: list[str]) -> list[str]:
    """Names made unique as columns with the same header would be: ``name_2``..."""
    seen: dict[str, int] = {}
    out = []
    for name in names:
        if name in seen:
            seen[name] += 1
            name = f"{name}_{seen[name]}"
        seen.setdefault(name, 1)
        out.append(name)
    return out


def uploaded(resource: Resource, files: Mapping[str, StoredFile]) -> StoredFile | None:
    """The uploaded file an ``odsfile://`` resource reads, if it was uploaded."""
    if not resource.url.startswith("odsfile://"):
        return None
    return files.get(resource.url.removeprefix("odsfile://"))


def resource_fields(resource: Resource, files: Mapping[str, StoredFile]) -> list[Field]:
    """The fields a resource brings: its uploaded file's, or those of its generated records."""
    stored = uploaded(resource, files)
    if stored is not None:
        return stored_source(stored, resource.params, PREVIEW_ROWS).fields
    return generated_fields(resource.fields or DEFAULT_FIELDS)


def stored_source(stored: StoredFile, params: Mapping[str, Any], rows: int) -> Source:
    """An uploaded file's fields and first rows (none for a file without records)."""
    found = file_source(stored.content, stored.filename, stored.mimetype, params, rows)
    return found or Source([], [])


def dataset_fields(ds: Dataset, files: Mapping[str, StoredFile]) -> list[Field]:
    """The fields a dataset's resources bring, in order, each name once."""
    fields: dict[str, Field] = {}
    for resource in ds.resources.values():
        for f in resource_fields(resource, files):
            fields.setdefault(f.name, f)
    return list(fields.values())
