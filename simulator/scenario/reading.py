"""Reading a scenario's text into plain JSON values, in bounded time and memory.

A scenario is YAML, or JSON (which is YAML too, and parses twenty times faster).
YAML can say much more than JSON: aliases that repeat a node (nine levels of nine
aliases make a 733-byte file of a billion values), nodes that contain themselves,
dates, binary data, sets. The reader composes the document's nodes first, refuses
what would expand past :data:`~simulator.limits.MAX_ALIAS_NODES` or nest past
:data:`~simulator.limits.MAX_DEPTH` before building anything, then checks that what
it built holds only JSON values: text, numbers (finite), booleans, null, lists and
mappings with text keys. A date is taken only where the scenario wants one
(``clock.start``). Integral numbers written as floats (``2.0``) are read as integers,
as JSON Schema reads them.
"""

from __future__ import annotations

import math
from datetime import date
from typing import Any

import yaml

from ..domain.limits import (
    MAX_ALIAS_NODES,
    MAX_DEPTH,
    MAX_INT_DIGITS,
    MAX_SCENARIO,
    JSONProblem,
    NotJSON,
    load_json,
)
from .validator import render_path

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

#: Where a document may hold a date: its path of keys.
DATE_PATHS = (("clock", "start"),)

#: Integral floats up to this magnitude become integers (beyond, a float is inexact).
_EXACT = 2.0**53


class TextProblem(Exception):
    """Text that is no scenario document: the problem, and where (line, key path)."""

    def __init__(self, problem: str, line: int | None = None, path: str = "") -> None:
        super().__init__(problem)
        self.problem = problem
        self.line = line
        self.path = path


def read_document(text: str) -> Any:
    """The document a scenario's text holds, as plain JSON values; raise :class:`TextProblem`."""
    if len(text) > MAX_SCENARIO:
        raise TextProblem(f"the text is larger than {MAX_SCENARIO // 2**20} MB")
    if text.lstrip().startswith("{"):
        try:
            data = load_json(text)
        except NotJSON:
            data = _read_yaml(text)  # not JSON after all: YAML flow style
        except JSONProblem as exc:  # JSON, past a bound
            raise TextProblem(str(exc)) from None
    else:
        data = _read_yaml(text)
    return _plain(data)


def _read_yaml(text: str) -> Any:
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_nodes(node)
        return loader.construct_document(node)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        context, start = getattr(exc, "context", None), getattr(exc, "context_mark", None)
        if context and start is not None and start.line + 1 != line:
            problem += f" ({context} that starts on line {start.line + 1})"
        raise TextProblem(f"not valid YAML: {problem}", line) from None
    except RecursionError:  # the pure-Python parser, on very deep nesting
        raise TextProblem(f"not valid YAML: nested deeper than {MAX_DEPTH} levels") from None
    except (ValueError, TypeError, AttributeError, OverflowError) as exc:  # e.g. !!int 'x'
        raise TextProblem(f"not valid YAML: a value cannot be read ({exc})") from None
    finally:
        loader.dispose()


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _check_nodes(root: yaml.Node) -> None:
    """Refuse nodes that contain themselves, nest too deep, or expand too much.

    One pass over the distinct nodes (an alias is the node it names, met again),
    computing for each its size and depth once its children are done.
    """
    size: dict[int, int] = {}
    depth: dict[int, int] = {}
    open_nodes: set[int] = set()
    distinct = 0
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if children_done:
            open_nodes.discard(key)
            children = _children(node)
            size[key] = 1 + sum(size[id(c)] for c in children)
            depth[key] = 1 + max((depth[id(c)] for c in children), default=0)
            if depth[key] > MAX_DEPTH + 1:  # scalars count as a level here, not in JSON
                raise TextProblem(
                    f"nested deeper than {MAX_DEPTH} levels", node.start_mark.line + 1
                )
            if size[key] - distinct > MAX_ALIAS_NODES:
                raise TextProblem(
                    f"YAML aliases expand this document past {MAX_ALIAS_NODES:,} values; "
                    "write the repeated parts out, or repeat fewer of them",
                    node.start_mark.line + 1,
                )
            continue
        if key in size:
            continue
        if key in open_nodes:
            raise TextProblem(
                "a YAML alias refers to a node that contains it", node.start_mark.line + 1
            )
        open_nodes.add(key)
        distinct += 1
        stack.append((node, True))
        stack.extend((child, False) for child in _children(node) if id(child) not in size)


def _plain(data: Any) -> Any:
    """Check that a document holds only JSON values, once per distinct container."""
    if not isinstance(data, (dict, list)):
        return _value(data, ())
    seen: set[int] = set()
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(data, ())]
    while stack:
        container, path = stack.pop()
        if id(container) in seen:
            continue
        seen.add(id(container))
        if isinstance(container, dict):
            for key, value in container.items():
                if not isinstance(key, str):
                    raise TextProblem(
                        f"a key must be text, got {_kind(key)} ({key!r}): quote it",
                        path=render_path((*path, str(key))),
                    )
                if isinstance(value, (dict, list)):
                    stack.append((value, (*path, key)))
                else:
                    container[key] = _value(value, (*path, key))
        else:
            for i, value in enumerate(container):
                if isinstance(value, (dict, list)):
                    stack.append((value, (*path, i)))
                else:
                    container[i] = _value(value, (*path, i))
    return data


def _value(value: Any, path: tuple[str | int, ...]) -> Any:
    if value is None or isinstance(value, (str, bool)):
        return value
    if isinstance(value, int):
        if abs(value) >= 10**MAX_INT_DIGITS:
            raise TextProblem(
                f"an integer longer than {MAX_INT_DIGITS} digits", path=render_path(path)
            )
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise TextProblem(f"{value!r} is not a finite number", path=render_path(path))
        return int(value) if value.is_integer() and abs(value) <= _EXACT else value
    if isinstance(value, date) and path in DATE_PATHS:
        return value.isoformat()  # checked and read as the text it was written as
    raise TextProblem(
        f"YAML reads this as {_kind(value)}, which is not a JSON value: quote it to make it text",
        path=render_path(path),
    )


def _kind(value: Any) -> str:
    if isinstance(value, date):
        return "a date"
    if isinstance(value, bytes):
        return "binary data"
    if isinstance(value, (set, frozenset)):
        return "a set"
    if isinstance(value, tuple):
        return "a list of pairs"
    return f"a {type(value).__name__}"
