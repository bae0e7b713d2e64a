"""Extractors: what reads a resource's file into records, as the Automation API lists them.

The simulator reads CSV, JSON and GeoJSON files (see :mod:`.files`) and realtime pushes;
its catalogue holds those extractors only. Each has the platform's type name, a label
and its parameters (``{type, is_mandatory, name, label, description}``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Parameter:
    name: str
    type: str
    label: str
    description: str


@dataclass(frozen=True)
class Extractor:
    type: str
    label: str
    parameters: tuple[Parameter, ...]
    #: The file name endings it reads.
    endings: tuple[str, ...] = ()
    #: The guessed parameters of a file it reads.
    guessed: tuple[tuple[str, Any], ...] = ()


_CSV_PARAMETERS = (
    Parameter("separator", "string", "Separator", "The character between two values"),
    Parameter("encoding", "string", "Encoding", "The file's character encoding"),
    Parameter("headers_first_row", "boolean", "Headers in the first row", "The fields' names"),
    Parameter("first_row_no", "int", "First row", "The row the data starts on"),
    Parameter("doublequote", "boolean", "Double quote", "Quotes inside values are doubled"),
)
_JSON_PARAMETERS = (
    Parameter("json_root", "string", "JSON root", "Path to the array of records"),
    Parameter("extract_filename", "boolean", "Extract filename", "The file's name in a field"),
)

CATALOGUE: dict[str, Extractor] = {
    e.type: e
    for e in (
        Extractor(
            "csvfile",
            "CSV File",
            _CSV_PARAMETERS,
            (".csv", ".txt"),
            (
                ("doublequote", True),
                ("encoding", "utf-8"),
                ("first_row_no", 1),
                ("headers_first_row", True),
                ("separator", ","),
            ),
        ),
        Extractor("jsonfile", "JSON File", _JSON_PARAMETERS, (".json",)),
        Extractor("geojson", "GeoJSON File", _JSON_PARAMETERS[1:], (".geojson",)),
        Extractor("realtime", "Realtime", ()),
    )
}


def guess(name: str) -> list[Extractor]:
    """The extractors that may read a file of this name (or URL), the likeliest first."""
    lower = name.lower().split("?", 1)[0]
    found = [e for e in CATALOGUE.values() if lower.endswith(e.endings)]
    if found:
        return found
    return [CATALOGUE["csvfile"]]


def guessed_params(extractor: str, separator: str | None = None) -> dict[str, Any]:
    """The parameters a guess gives for a file read by this extractor."""
    params = dict(CATALOGUE[extractor].guessed) if extractor in CATALOGUE else {}
    if separator is not None and "separator" in params:
        params["separator"] = separator
    return params
