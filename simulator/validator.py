"""A validator for the part of JSON Schema (draft 7) that the scenario schema uses.

General validators interpret every keyword of every draft (the jsonschema package
takes 1.6 s over a scenario of 10,000 datasets) or compile the schema first
(fastjsonschema: 210 ms per process for ours). This one interprets only the
keywords listed in :data:`KEYWORDS`, fast enough to validate on every load, and
words its errors for people: where, what was expected, and the closest known name.
The test suite checks that it agrees with the jsonschema package.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from .metadata import closest

Path = tuple[str | int, ...]

#: The keywords this validator implements; a schema using others is refused.
KEYWORDS = frozenset(
    {
        "$schema",
        "title",
        "description",
        "x-hint",
        "type",
        "properties",
        "additionalProperties",
        "required",
        "enum",
        "const",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "pattern",
        "minLength",
        "items",
        "minItems",
        "anyOf",
        "allOf",
        "if",
        "then",
        "else",
    }
)


@dataclass(frozen=True)
class Problem:
    """Why a document does not fit: where, and what is wrong."""

    path: Path
    message: str

    @property
    def where(self) -> str:
        return render_path(self.path)


def render_path(path: Path) -> str:
    """``datasets[3].resources[0].records`` style."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


_TYPES: dict[str, Callable[[Any], bool]] = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "null": lambda v: v is None,
}

_WORDS = {
    "object": "a mapping",
    "array": "a list",
    "string": "a string",
    "boolean": "true or false",
    "integer": "an integer",
    "number": "a number",
    "null": "nothing",
}


def kind_of(value: Any) -> str:
    """How a value reads in a message: 'a string', 'a list'..."""
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    for name, test in _TYPES.items():
        if test(value):
            return _WORDS[name]
    return type(value).__name__


@cache
def _regex(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _in(value: Any, options: list[Any]) -> bool:
    """Membership that tells true from 1 and false from 0, as JSON does."""
    return any(value == o and type(value) is type(o) for o in options)


def _show(value: Any) -> str:
    return f"'{value}'" if isinstance(value, str) else repr(value)


def _choices(options: list[Any]) -> str:
    return ", ".join(str(o) for o in options)


class Validator:
    def __init__(self, schema: dict[str, Any]) -> None:
        unknown = sorted(_keywords(schema) - KEYWORDS)
        if unknown:
            raise ValueError(f"the schema uses keywords this validator lacks: {unknown}")
        self.schema = schema

    def first_problem(self, document: Any) -> Problem | None:
        """The first problem in document order, or ``None`` if the document fits."""
        return self._check(document, self.schema, ())

    def _check(self, value: Any, schema: dict[str, Any], path: Path) -> Problem | None:
        if "type" in schema and not _TYPES[schema["type"]](value):
            return Problem(path, f"expected {_WORDS[schema['type']]}, got {kind_of(value)}")
        if "const" in schema and value != schema["const"]:
            return Problem(path, f"expected {_show(schema['const'])}, got {_show(value)}")
        if "enum" in schema and not _in(value, schema["enum"]):
            options = schema["enum"]
            if not any(type(o) is type(value) for o in options):
                return Problem(path, f"expected one of {_choices(options)}, got {kind_of(value)}")
            hint = (
                closest(value, [o for o in options if isinstance(o, str)])
                if isinstance(value, str)
                else ""
            )
            return Problem(path, f"{_show(value)} is not one of {_choices(options)}{hint}")
        if isinstance(value, dict):
            problem = self._object(value, schema, path)
        elif isinstance(value, list):
            problem = self._array(value, schema, path)
        elif isinstance(value, str):
            problem = self._string(value, schema, path)
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            problem = self._number(value, schema, path)
        else:
            problem = None
        return problem or self._combined(value, schema, path)

    def _object(self, value: dict[str, Any], schema: dict[str, Any], path: Path) -> Problem | None:
        props = schema.get("properties", {})
        extra = schema.get("additionalProperties", True)
        for key, item in value.items():
            if key in props:
                problem = self._check(item, props[key], (*path, key))
            elif extra is False:
                known = list(props)
                return Problem(
                    (*path, key),
                    f"unknown key{closest(str(key), known)}; known: {_choices(known)}",
                )
            elif isinstance(extra, dict):
                problem = self._check(item, extra, (*path, key))
            else:
                problem = None
            if problem:
                return problem
        for key in schema.get("required", ()):
            if key not in value:
                return Problem((*path, key), "is required")
        return None

    def _array(self, value: list[Any], schema: dict[str, Any], path: Path) -> Problem | None:
        if len(value) < schema.get("minItems", 0):
            return Problem(path, f"must list at least {schema['minItems']} item(s)")
        items = schema.get("items")
        if items is not None:
            for i, item in enumerate(value):
                problem = self._check(item, items, (*path, i))
                if problem:
                    return problem
        return None

    def _string(self, value: str, schema: dict[str, Any], path: Path) -> Problem | None:
        if len(value) < schema.get("minLength", 0):
            return Problem(path, "must not be empty")
        pattern = schema.get("pattern")
        if pattern is not None and not _regex(pattern).search(value):
            hint = schema.get("x-hint", f"the form {pattern}")
            return Problem(path, f"{_show(value)} is not valid: expected {hint}")
        return None

    def _number(self, value: float, schema: dict[str, Any], path: Path) -> Problem | None:
        if "minimum" in schema and value < schema["minimum"]:
            return Problem(path, f"must be at least {schema['minimum']:g}, got {value:g}")
        if "exclusiveMinimum" in schema and value <= schema["exclusiveMinimum"]:
            return Problem(
                path, f"must be greater than {schema['exclusiveMinimum']:g}, got {value:g}"
            )
        if "maximum" in schema and value > schema["maximum"]:
            return Problem(path, f"must be at most {schema['maximum']:g}, got {value:g}")
        return None

    def _combined(self, value: Any, schema: dict[str, Any], path: Path) -> Problem | None:
        for sub in schema.get("allOf", ()):
            problem = self._check(value, sub, path)
            if problem:
                return problem
        if "if" in schema:
            branch = "then" if self._check(value, schema["if"], path) is None else "else"
            if branch in schema:
                problem = self._check(value, schema[branch], path)
                if problem:
                    return problem
        if "anyOf" in schema:
            return self._any_of(value, schema["anyOf"], path)
        return None

    def _any_of(self, value: Any, options: list[dict[str, Any]], path: Path) -> Problem | None:
        problems = []
        for option in options:
            problem = self._check(value, option, path)
            if problem is None:
                return None
            problems.append((option, problem))
        # the branch whose type fits says best what is wrong; else list what would do
        for option, problem in problems:
            if "type" in option and _TYPES[option["type"]](value):
                return problem
        wanted = " or ".join(_describe(option) for option, _ in problems)
        got = _show(value) if isinstance(value, str) else kind_of(value)
        return Problem(path, f"expected {wanted}, got {got}")


def _describe(option: dict[str, Any]) -> str:
    """What a schema accepts, in a few words."""
    if "type" in option:
        return _WORDS[option["type"]]
    if "const" in option:
        return _show(option["const"])
    if "enum" in option:
        return f"one of {_choices(option['enum'])}"
    return "something else"


def _keywords(schema: Any) -> set[str]:
    """Every keyword used anywhere in a schema (property names excluded)."""
    found: set[str] = set()
    if isinstance(schema, dict):
        for key, sub in schema.items():
            found.add(key)
            if key == "properties":
                for prop in sub.values():
                    found |= _keywords(prop)
            elif key in ("items", "additionalProperties", "if", "then", "else"):
                found |= _keywords(sub)
            elif key in ("anyOf", "allOf"):
                for option in sub:
                    found |= _keywords(option)
    return found
