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
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

from ..domain.metadata import closest

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


def _show(value: Any) -> str:
    return f"'{value}'" if isinstance(value, str) else repr(value)


def _choices(options: list[Any]) -> str:
    return ", ".join(str(o) for o in options)


Check = Callable[[Any], "Problem | None"]


class Validator:
    """Validates documents against a schema compiled once into nested checks.

    Each schema node becomes a function of a value that answers ``None`` or the
    first problem, with a path relative to that value; paths are built only on
    the way back up from a problem, so a valid document allocates none.
    """

    def __init__(self, schema: dict[str, Any]) -> None:
        unknown = sorted(_keywords(schema) - KEYWORDS)
        if unknown:
            raise ValueError(f"the schema uses keywords this validator lacks: {unknown}")
        self.schema = schema
        self._check = _compile(schema)
        self._collect: Collect | None = None

    def first_problem(self, document: Any) -> Problem | None:
        """The first problem in document order, or ``None`` if the document fits."""
        return self._check(document)

    def problems(self, document: Any) -> Iterator[Problem]:
        """Every independent problem, in document order; the first is :meth:`first_problem`'s.

        Within one value, the first check that fails is the only one reported (a value of
        the wrong type is not also checked for its keys); the keys of a mapping and the
        items of a list are each checked on their own. Compiled on first use, so that
        documents that fit never pay for it.
        """
        if self._collect is None:
            self._collect = _compile_all(self.schema)
        return self._collect(document)


def _under(key: str | int, problem: Problem) -> Problem:
    return Problem((key, *problem.path), problem.message)


def _compile(schema: dict[str, Any]) -> Check:
    steps = [
        step
        for step in (
            _type_step(schema),
            _const_step(schema),
            _enum_step(schema),
            _object_step(schema),
            _array_step(schema),
            _string_step(schema),
            _number_step(schema),
            _all_of_step(schema),
            _if_step(schema),
            _any_of_step(schema),
        )
        if step is not None
    ]
    if not steps:
        return lambda value: None
    if len(steps) == 1:
        return steps[0]

    def check(value: Any) -> Problem | None:
        for step in steps:
            problem = step(value)
            if problem is not None:
                return problem
        return None

    return check


def _type_step(schema: dict[str, Any]) -> Check | None:
    if "type" not in schema:
        return None
    test, word = _TYPES[schema["type"]], _WORDS[schema["type"]]
    return lambda v: None if test(v) else Problem((), f"expected {word}, got {kind_of(v)}")


def _const_step(schema: dict[str, Any]) -> Check | None:
    if "const" not in schema:
        return None
    want = schema["const"]
    return lambda v: None if v == want else Problem((), f"expected {_show(want)}, got {_show(v)}")


def _enum_step(schema: dict[str, Any]) -> Check | None:
    if "enum" not in schema:
        return None
    options = schema["enum"]
    exact = frozenset((type(o), o) for o in options)
    texts = [o for o in options if isinstance(o, str)]

    def check(value: Any) -> Problem | None:
        try:
            if (type(value), value) in exact:
                return None
        except TypeError:  # unhashable: a list or a mapping
            pass
        if not any(type(o) is type(value) for o in options):
            return Problem((), f"expected one of {_choices(options)}, got {kind_of(value)}")
        hint = closest(value, texts) if isinstance(value, str) else ""
        return Problem((), f"{_show(value)} is not one of {_choices(options)}{hint}")

    return check


def _object_step(schema: dict[str, Any]) -> Check | None:
    keys = ("properties", "additionalProperties", "required")
    if not any(k in schema for k in keys):
        return None
    props = {k: _compile(v) for k, v in schema.get("properties", {}).items()}
    known = list(props)
    extra = schema.get("additionalProperties", True)
    extra_check = _compile(extra) if isinstance(extra, dict) else None
    required = tuple(schema.get("required", ()))

    def check(value: Any) -> Problem | None:
        if not isinstance(value, dict):
            return None
        for key, item in value.items():
            child = props.get(key)
            if child is not None:
                problem = child(item)
            elif extra is False:
                hint = closest(str(key), known)
                return Problem((key,), f"unknown key{hint}; known: {_choices(known)}")
            elif extra_check is not None:
                problem = extra_check(item)
            else:
                continue
            if problem is not None:
                return _under(key, problem)
        for key in required:
            if key not in value:
                return Problem((key,), "is required")
        return None

    return check


def _array_step(schema: dict[str, Any]) -> Check | None:
    if "items" not in schema and "minItems" not in schema:
        return None
    least = schema.get("minItems", 0)
    items = _compile(schema["items"]) if "items" in schema else None

    def check(value: Any) -> Problem | None:
        if not isinstance(value, list):
            return None
        if len(value) < least:
            return Problem((), f"must list at least {least} item(s)")
        if items is not None:
            for i, item in enumerate(value):
                problem = items(item)
                if problem is not None:
                    return _under(i, problem)
        return None

    return check


def _string_step(schema: dict[str, Any]) -> Check | None:
    if "pattern" not in schema and "minLength" not in schema:
        return None
    least = schema.get("minLength", 0)
    search = _regex(schema["pattern"]).search if "pattern" in schema else None
    hint = schema.get("x-hint", f"the form {schema.get('pattern')}")

    def check(value: Any) -> Problem | None:
        if not isinstance(value, str):
            return None
        if len(value) < least:
            return Problem((), "must not be empty")
        if search is not None and not search(value):
            return Problem((), f"{_show(value)} is not valid: expected {hint}")
        return None

    return check


def _number_step(schema: dict[str, Any]) -> Check | None:
    low, above, high = schema.get("minimum"), schema.get("exclusiveMinimum"), schema.get("maximum")
    if low is None and above is None and high is None:
        return None

    def check(value: Any) -> Problem | None:
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            return None
        if low is not None and value < low:
            return Problem((), f"must be at least {_number(low)}, got {_number(value)}")
        if above is not None and value <= above:
            return Problem((), f"must be greater than {_number(above)}, got {_number(value)}")
        if high is not None and value > high:
            return Problem((), f"must be at most {_number(high)}, got {_number(value)}")
        return None

    return check


def _number(value: float) -> str:
    """A bound or a value as people write it: ``1,000,000,000``, ``0.5``, ``1e+14``."""
    if float(value).is_integer() and abs(value) < 1e12:
        return f"{int(value):,}"
    return f"{value:g}"


def _all_of_step(schema: dict[str, Any]) -> Check | None:
    if "allOf" not in schema:
        return None
    parts = [_compile(sub) for sub in schema["allOf"]]

    def check(value: Any) -> Problem | None:
        for part in parts:
            problem = part(value)
            if problem is not None:
                return problem
        return None

    return check


def _if_step(schema: dict[str, Any]) -> Check | None:
    if "if" not in schema:
        return None
    condition = _compile(schema["if"])
    then = _compile(schema["then"]) if "then" in schema else None
    otherwise = _compile(schema["else"]) if "else" in schema else None

    def check(value: Any) -> Problem | None:
        branch = then if condition(value) is None else otherwise
        return None if branch is None else branch(value)

    return check


def _any_of_step(schema: dict[str, Any]) -> Check | None:
    if "anyOf" not in schema:
        return None
    options = [(option, _compile(option)) for option in schema["anyOf"]]

    def check(value: Any) -> Problem | None:
        problems = []
        for option, option_check in options:
            problem = option_check(value)
            if problem is None:
                return None
            problems.append((option, problem))
        # the branch whose type fits says best what is wrong; else list what would do
        for option, problem in problems:
            if "type" in option and _TYPES[option["type"]](value):
                return problem
        wanted = " or ".join(_describe(option) for option, _ in problems)
        got = _show(value) if isinstance(value, str) else kind_of(value)
        return Problem((), f"expected {wanted}, got {got}")

    return check


def _describe(option: dict[str, Any]) -> str:
    """What a schema accepts, in a few words."""
    if "type" in option:
        return _WORDS[option["type"]]
    if "const" in option:
        return _show(option["const"])
    if "enum" in option:
        return f"one of {_choices(option['enum'])}"
    return "something else"


# every problem -------------------------------------------------------------------------

Collect = Callable[[Any], Iterator[Problem]]


def _one(step: Check | None) -> Collect | None:
    """A step that has at most one problem to tell, as a collecting one."""
    if step is None:
        return None

    def collect(value: Any) -> Iterator[Problem]:
        problem = step(value)
        if problem is not None:
            yield problem

    return collect


def _compile_all(schema: dict[str, Any]) -> Collect:
    """Like :func:`_compile`, each node telling all its independent problems."""
    steps = [
        step
        for step in (
            _one(_type_step(schema)),
            _one(_const_step(schema)),
            _one(_enum_step(schema)),
            _object_all(schema),
            _array_all(schema),
            _one(_string_step(schema)),
            _one(_number_step(schema)),
            _all_of_all(schema),
            _if_all(schema),
            _one(_any_of_step(schema)),
        )
        if step is not None
    ]

    def collect(value: Any) -> Iterator[Problem]:
        for step in steps:
            told = False
            for problem in step(value):
                told = True
                yield problem
            if told:  # what follows would check a value already known to be wrong
                return

    return collect


def _object_all(schema: dict[str, Any]) -> Collect | None:
    keys = ("properties", "additionalProperties", "required")
    if not any(k in schema for k in keys):
        return None
    props = {k: _compile_all(v) for k, v in schema.get("properties", {}).items()}
    known = list(props)
    extra = schema.get("additionalProperties", True)
    extra_collect = _compile_all(extra) if isinstance(extra, dict) else None
    required = tuple(schema.get("required", ()))

    def collect(value: Any) -> Iterator[Problem]:
        if not isinstance(value, dict):
            return
        for key, item in value.items():
            child = props.get(key)
            if child is None and extra is False:
                hint = closest(str(key), known)
                yield Problem((key,), f"unknown key{hint}; known: {_choices(known)}")
                continue
            child = child or extra_collect
            if child is not None:
                for problem in child(item):
                    yield _under(key, problem)
        for key in required:
            if key not in value:
                yield Problem((key,), "is required")

    return collect


def _array_all(schema: dict[str, Any]) -> Collect | None:
    if "items" not in schema and "minItems" not in schema:
        return None
    least = schema.get("minItems", 0)
    items = _compile_all(schema["items"]) if "items" in schema else None

    def collect(value: Any) -> Iterator[Problem]:
        if not isinstance(value, list):
            return
        if len(value) < least:
            yield Problem((), f"must list at least {least} item(s)")
            return
        if items is not None:
            for i, item in enumerate(value):
                for problem in items(item):
                    yield _under(i, problem)

    return collect


def _all_of_all(schema: dict[str, Any]) -> Collect | None:
    if "allOf" not in schema:
        return None
    parts = [_compile_all(sub) for sub in schema["allOf"]]

    def collect(value: Any) -> Iterator[Problem]:
        for part in parts:
            yield from part(value)

    return collect


def _if_all(schema: dict[str, Any]) -> Collect | None:
    if "if" not in schema:
        return None
    condition = _compile(schema["if"])
    then = _compile_all(schema["then"]) if "then" in schema else None
    otherwise = _compile_all(schema["else"]) if "else" in schema else None

    def collect(value: Any) -> Iterator[Problem]:
        branch = then if condition(value) is None else otherwise
        if branch is not None:
            yield from branch(value)

    return collect


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
