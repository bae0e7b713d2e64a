"""The processing pipeline: what processors, then field specifications, do to a dataset.

A dataset's fields come from its resources (see :mod:`.sources`); its processors run
first, in the order they were added, then its field specifications (the order of the
two is the simulator's decision: nothing public says). Each step changes the fields
(a processor writes its output field, ``string_extractor`` adds one per named group,
``rename`` and ``delete`` change names) and, in a preview, the records.

A step that cannot run (a field that does not exist at that point, a regular
expression that does not compile, a date format without directives, an annotation
the field's type does not take) is a misconfiguration: a publish stops at the first
one, a preview leaves that step out.
"""

from __future__ import annotations

import importlib
import json
import math
import re
import unicodedata
import zoneinfo
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from .expressions import Expression, ExpressionError, text_of, truth
from .fieldspecs import ANNOTATIONS, FACETSORT, PRECISIONS
from .former import former_step, is_former
from .processors import CATALOGUE, Kind
from .sources import PREVIEW_ROWS, Field, convert, json_value, point

#: Python's own reader of regular expressions (``sre_parse`` is deprecated).
_parser: Any = importlib.import_module("re._parser")
#: Longest value a regular expression is run on in a preview; longer ones are kept.
MAX_MATCHED = 1000

Fields = dict[str, Field]
Rows = list[dict[str, Any]]
#: A misconfiguration: the step's uid, the field (or argument) at fault, and why.
Problem = tuple[str, str, str]

MISSING = "the field does not exist at this point of the pipeline"


class Step(Protocol):
    """A processor or a field specification, as the pipeline reads them."""

    @property
    def processor_uid(self) -> str: ...

    @property
    def name(self) -> str: ...

    @property
    def args(self) -> Any: ...


@dataclass
class Outcome:
    fields: list[Field]
    rows: Rows
    #: The first misconfiguration met, if any.
    problem: Problem | None


class _Misconfigured(Exception):
    def __init__(self, field: str, msg: str) -> None:
        super().__init__(msg)
        self.field, self.msg = field, msg


def run(
    fields: Iterable[Field],
    rows: Rows | None,
    processors: Iterable[Step],
    specs: Iterable[Step] = (),
    stop_at_problem: bool = False,
) -> Outcome:
    """Run the processors, then the field specifications, over fields (and rows)."""
    current: Fields = {}
    for f in fields:
        current.setdefault(f.name, f.copy())
    records = None if rows is None else [dict(r) for r in rows]
    problem: Problem | None = None
    specs = list(specs)
    steps = [(p, _process) for p in processors] + [(s, _specify) for s in specs]
    for step, apply in steps:
        try:
            records = apply(step, current, records)
        except _Misconfigured as exc:
            problem = problem or (step.processor_uid, exc.field, exc.msg)
            if stop_at_problem:
                break
    if problem is None or not stop_at_problem:
        late = _facet_only(current, specs)
        problem = problem or late
    return Outcome(list(current.values()), records or [], problem)


def misconfiguration(
    fields: Iterable[Field], processors: Iterable[Step], specs: Iterable[Step]
) -> Problem | None:
    """The first step that cannot run on these fields: (uid, field, why), or ``None``."""
    return run(fields, None, processors, specs, stop_at_problem=True).problem


def fields_before(fields: Iterable[Field], processors: Iterable[Step]) -> list[Field]:
    """The fields a processor appended at the end of the stack would see."""
    return run(fields, None, processors).fields


#: The types of field a parameter is guessed among, where not any field will do.
_GUESSED_TYPES: dict[str, tuple[str, ...]] = {
    "latitude": ("double", "int"),
    "longitude": ("double", "int"),
    "coordinates_a": ("geo_point_2d",),
    "coordinates_b": ("geo_point_2d",),
    "json_array_field": ("text",),
    "set_timezone.field": ("datetime", "text"),
    "date_normalizer.field": ("text", "date", "datetime"),
    "transform_coordinates.field": ("geo_point_2d", "geo_shape"),
    "string_replace.field": ("text",),
    "regexp_replace.field": ("text",),
    "string_extractor.field": ("text",),
    "split.field": ("text",),
    "unicode_normalize.fields": ("text",),
}


def guess(kind: Kind, fields: Iterable[Field]) -> dict[str, list[Field]]:
    """Suggested values of each parameter: the fields it may name (others: none)."""
    known = list(fields)
    out: dict[str, list[Field]] = {}
    for arg in kind.args:
        if arg.kind not in ("field", "fields"):
            out[arg.name] = []
            continue
        types = _GUESSED_TYPES.get(f"{kind.name}.{arg.name}") or _GUESSED_TYPES.get(arg.name)
        out[arg.name] = [f for f in known if types is None or f.type in types]
    return out


def renamed(specs: Iterable[Step], name: str) -> str:
    """A source field's name once the field specifications have renamed it."""
    for spec in specs:
        args = spec.args
        if spec.name == "rename" and isinstance(args, dict) and args.get("from_name") == name:
            name = args.get("to_name", name)
    return name


def _need(fields: Fields, name: Any) -> Field:
    if not isinstance(name, str) or name not in fields:
        raise _Misconfigured(str(name), MISSING)
    return fields[name]


def _output(fields: Fields, name: str, kind: str) -> Field:
    """The field a processor writes: the existing one, or a new one of this type."""
    if name not in fields:
        fields[name] = Field(name, name, name, kind)
    return fields[name]


# processors ------------------------------------------------------------------------------


def _process(step: Step, fields: Fields, rows: Rows | None) -> Rows | None:
    if is_former(step.name, step.args):  # replayed from an older state file
        present = set(fields)
        found = former_step(step.name, step.args, present)
        if found is not None:
            raise _Misconfigured(*found)
        for gone in [name for name in fields if name not in present]:
            del fields[gone]
        for made in sorted(present - set(fields)):
            fields[made] = Field(made, made, made)
        return rows
    if step.name not in CATALOGUE:
        raise _Misconfigured("", f"'{step.name}' is not one of the platform's processors")
    handler = _PROCESSORS[step.name]
    return handler(dict(step.args), fields, rows)


def _texts(fields: Fields, args: Mapping[str, Any], key: str = "field") -> list[str]:
    """The fields an in-place text processor works on: the one named, or all text fields."""
    if args.get("all_fields"):
        return [f.name for f in fields.values() if f.type == "text"]
    names = args.get(key)
    names = names if isinstance(names, list) else [names]
    for name in names:
        _need(fields, name)
    return list(names)


def _compile(pattern: str, flags: int = 0) -> re.Pattern[str]:
    try:
        return re.compile(pattern, flags)
    except (re.error, OverflowError, RecursionError) as exc:
        raise _Misconfigured("regexp", f"invalid regular expression: {exc}") from None


def _tame(pattern: re.Pattern[str]) -> bool:
    """Whether a pattern is safe to run on preview values.

    Patterns whose matching time can explode (a repetition inside a repetition or an
    alternative under one, more than two open-ended repetitions) are not run: the
    values are shown as the source has them.
    """
    try:
        tree = _parser.parse(pattern.pattern, pattern.flags)
    except Exception:  # compiled already: a difference of Python's parsers is not ours
        return False
    unbounded = 0

    def walk(items: Any, inside: bool) -> bool:
        nonlocal unbounded
        for op, av in items:
            name = str(op)
            if name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
                _, high, sub = av
                repeats = high is _parser.MAXREPEAT or high > 1
                if high is _parser.MAXREPEAT:
                    unbounded += 1
                if repeats and inside:
                    return False
                if not walk(sub, inside or repeats):
                    return False
            elif name == "BRANCH":
                if inside:
                    return False
                if not all(walk(branch, inside) for branch in av[1]):
                    return False
            elif name in ("SUBPATTERN", "ATOMIC_GROUP"):
                sub = av[-1]
                if not walk(sub, inside):
                    return False
            elif name in ("ASSERT", "ASSERT_NOT") and not walk(av[1], inside):
                return False
        return True

    return walk(tree, False) and unbounded <= 2


def _each(rows: Rows | None, names: Sequence[str], change: Any) -> Rows | None:
    if rows is not None:
        for row in rows:
            for name in names:
                value = row.get(name)
                if isinstance(value, str):
                    row[name] = change(value)
    return rows


def _string_replace(args: dict[str, Any], fields: Fields, rows: Rows | None) -> Rows | None:
    names = _texts(fields, args)
    old, new = args.get("old") or "", args.get("new") or ""
    return _each(rows, names, lambda v: v.replace(old, new) if old else v)


def _regexp_replace(args: dict[str, Any], fields: Fields, rows: Rows | None) -> Rows | None:
    flags = (
        (re.IGNORECASE if args.get("case_insensitive") else 0)
        | (re.MULTILINE if args.get("multiline") else 0)
        | (re.DOTALL if args.get("dotall") else 0)
    )
    pattern = _compile(args["regexp"], flags)
    names = _texts(fields, args)
    if rows is None or not _tame(pattern):
        return rows
    new = args.get("new") or ""

    def replace(value: str) -> str:
        if len(value) > MAX_MATCHED:
            return value
        try:
            return pattern.sub(new, value)
        except (re.error, IndexError):
            return pattern.sub(lambda _: new, value)

    return _each(rows, names, replace)


def _string_extractor(args: dict[str, Any], fields: Fields, rows: Rows | None) -> Rows | None:
    source = _need(fields, args["field"]).name
    pattern = _compile(args["regexp"])
    groups = list(pattern.groupindex)
    for group in groups:
        _output(fields, group, "text")
    if rows is None:
        return rows
    tame = _tame(pattern)
    for row in rows:
        value = row.get(source)
        found = None
        if tame and value is not None and len(text_of(value)) <= MAX_MATCHED:
            found = pattern.search(text_of(value))
        for group in groups:
            row[group] = found.group(group) if found else None
    return rows


def _expression(args: dict[str, Any], fields: Fields, rows: Rows | None) -> Rows | None:
    try:
        expression = Expression(args["expression"])
    except ExpressionError as exc:
        raise _Misconfigured("expression", f"invalid expression: {exc}") from None
    target = args["output_field"]
    _output(fields, target, "text")  # a new field is text, in a preview as at publish
    for row in rows or ():
        row[target] = expression(row)
    return rows


def _concat(args: dict[str, Any], fields: Fields, rows: Rows | None) -> Rows | None:
    left, right = _need(fields, args["left"]).name, _need(fields, args["right"]).name
    target, separator = args["output_field"], args.get("separator") or ""
    _output(fields, target, "text")
    for row in rows or ():
        row[target] = text_of(row.get(left)) + separator + text_of(row.get(right))
    return rows


def _split(args: dict[str, Any], fields: Fields, rows: Rows | None) -> Rows | None:
    source = _need(fields, args["field"]).name
    target, separator, index = args["output_field"], args["separator"], args["index"]
    _output(fields, target, "text")
    for row in rows or ():
        value = row.get(source)
        parts = text_of(value).split(separator) if value is not None else []
        row[target] = parts[index - 1] if index <= len(parts) else None
    return rows


_TIME_DIRECTIVES = re.compile(r"%[HIMSfpzZ]")


def _date_normalizer(args: dict[str, Any], fields: Fields, rows: Rows | None) -> Rows | None:
    field = _need(fields, args["field"])
    fmt = args["date_format"]
    if "%" not in fmt:
        raise _Misconfigured(
            "date_format", f"'{fmt}' is not a date format (use directives such as %Y-%m-%d)"
        )
    timed = _TIME_DIRECTIVES.search(fmt) is not None
    field.type = "datetime" if timed else "date"
    for row in rows or ():
        value = row.get(field.name)
        if isinstance(value, str):
            try:
                parsed = datetime.strptime(value.strip(), fmt)
            except (ValueError, re.error):
                continue
            if timed:
                aware = parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
                row[field.name] = aware.isoformat()
            else:
                row[field.name] = parsed.date().isoformat()
    return rows


def _zone(name: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        raise _Misconfigured("timezone", f"unknown timezone '{name}'") from None


def _set_timezone(args: dict[str, Any], fields: Fields, rows: Rows | None) -> Rows | None:
    field = _need(fields, args["field"])
    zone = _zone(args["timezone"])
    field.type = "datetime"
    for row in rows or ():
        value = row.get(field.name)
        if isinstance(value, str):
            try:
                parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
            except ValueError:
                continue
            row[field.name] = parsed.replace(tzinfo=zone).isoformat()
    return rows


def _matches(args: dict[str, Any], row: Mapping[str, Any], check: Expression | None) -> bool:
    if check is not None:
        return truth(check(row))
    value, wanted = text_of(row.get(args["field"])), args.get("value_to_skip") or ""
    return value == wanted if args.get("exact_match") else wanted in value


def _condition(args: dict[str, Any]) -> Expression | None:
    wanted = args.get("value_to_skip") or ""
    if not wanted.startswith("="):
        return None
    try:
        return Expression(wanted)
    except ExpressionError as exc:
        raise _Misconfigured("value_to_skip", f"invalid expression: {exc}") from None


def _skip_record(args: dict[str, Any], fields: Fields, rows: Rows | None) -> Rows | None:
    check = _condition(args)
    if check is None:
        _need(fields, args["field"])
    if rows is None:
        return rows
    keep = bool(args.get("keep_instead_of_skip"))
    return [row for row in rows if _matches(args, row, check) == keep]


def _delete_record(args: dict[str, Any], fields: Fields, rows: Rows | None) -> Rows | None:
    """Deletes indexed records at publish: a preview does not show it (user guide)."""
    if _condition(args) is None:
        _need(fields, args.get("field"))
    return rows


def _geojoin(args: dict[str, Any], fields: Fields, rows: Rows | None) -> Rows | None:
    _need(fields, args["local_key"])
    target = args["output_field"]
    field = _output(fields, target, "geo_shape")
    field.type = "geo_shape"
    for row in rows or ():  # the shapes come from the platform's referentials
        row.setdefault(target, None)
    return rows


def _transform_coordinates(args: dict[str, Any], fields: Fields, rows: Rows | None) -> Rows | None:
    _need(fields, args["field"])
    return rows


def _create_geopoint(args: dict[str, Any], fields: Fields, rows: Rows | None) -> Rows | None:
    lat, lon = _need(fields, args["latitude"]).name, _need(fields, args["longitude"]).name
    target = args["output_field"]
    _output(fields, target, "geo_point_2d").type = "geo_point_2d"
    for row in rows or ():
        found = point([row.get(lat), row.get(lon)])
        row[target] = list(found) if found else None
    return rows


def _geo_distance(args: dict[str, Any], fields: Fields, rows: Rows | None) -> Rows | None:
    a, b = _need(fields, args["coordinates_a"]).name, _need(fields, args["coordinates_b"]).name
    target = args["output_field"]
    _output(fields, target, "double")
    for row in rows or ():
        p, q = point(row.get(a)), point(row.get(b))
        row[target] = None if p is None or q is None else round(_km(p, q), 6)
    return rows


def _km(p: tuple[float, float], q: tuple[float, float]) -> float:
    """Great-circle distance in kilometres (haversine, mean Earth radius)."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*p, *q))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(h)))


def _unicode_normalize(args: dict[str, Any], fields: Fields, rows: Rows | None) -> Rows | None:
    names = _texts(fields, args, "fields")
    return _each(rows, names, lambda v: unicodedata.normalize("NFC", v))


def _expand_json_array(args: dict[str, Any], fields: Fields, rows: Rows | None) -> Rows | None:
    source = _need(fields, args["json_array_field"]).name
    target = args["output_field"]
    _output(fields, target, "text")
    rule = [part for part in (args.get("ijson_rule_to_array") or "item").split(".") if part]
    if rows is None:
        return rows
    out: Rows = []
    for row in rows:
        for element in _elements(row.get(source), rule):
            if len(out) >= PREVIEW_ROWS:
                break
            made = dict(row)
            made[target] = json.dumps(element) if isinstance(element, (dict, list)) else element
            out.append(made)
    return out


def _elements(value: Any, rule: list[str]) -> list[Any]:
    """What an iJSON rule reaches in a JSON value: ``item`` goes through an array."""
    if isinstance(value, str):
        try:
            value = json_value(value)
        except (ValueError, RecursionError):
            return []
    found = [value]
    for part in rule:
        step: list[Any] = []
        for item in found:
            if part == "item" and isinstance(item, list):
                step.extend(item)
            elif isinstance(item, dict) and part in item:
                step.append(item[part])
        found = step[: PREVIEW_ROWS * 10]
    return found


_PROCESSORS: dict[str, Any] = {
    "regexp_replace": _regexp_replace,
    "transform_coordinates": _transform_coordinates,
    "string_extractor": _string_extractor,
    "skip_record": _skip_record,
    "create_geopoint": _create_geopoint,
    "split": _split,
    "delete_record": _delete_record,
    "set_timezone": _set_timezone,
    "string_replace": _string_replace,
    "date_normalizer": _date_normalizer,
    "geojoin": _geojoin,
    "concat": _concat,
    "geo_distance": _geo_distance,
    "expression": _expression,
    "unicode_normalize": _unicode_normalize,
    "expand_json_array": _expand_json_array,
}
assert set(_PROCESSORS) == set(CATALOGUE), "every processor has its effect"


# field specifications -----------------------------------------------------------------------


def _specify(step: Step, fields: Fields, rows: Rows | None) -> Rows | None:
    name, args = step.name, step.args
    if name == "order":
        listed = [n for n in dict.fromkeys(args) if n in fields]
        rest = [n for n in fields if n not in listed]
        reordered = {n: fields[n] for n in [*listed, *rest]}
        fields.clear()
        fields.update(reordered)
        return rows
    if name == "rename":
        field = _need(fields, args["from_name"])
        new = args["to_name"]
        if new != field.name and new in fields:
            raise _Misconfigured(new, "a field of that name already exists")
        old = field.name
        field.name = new
        if args.get("label") is not None:
            field.label = args["label"]
        moved = {(new if k == old else k): f for k, f in fields.items()}
        fields.clear()
        fields.update(moved)
        for row in rows or ():
            if old in row and old != new:
                row[new] = row.pop(old)
        return rows
    field = _need(fields, args["field"])
    if name == "type":
        field.type = args["type"]
        for row in rows or ():
            if field.name in row:
                row[field.name] = convert(row[field.name], field.type)
    elif name == "annotate":
        annotation = args["annotation"]
        _applies(field, annotation, args.get("args") or [])
        field.annotations[annotation] = list(args.get("args") or [])
    elif name == "description":
        field.description = args.get("description")
    elif name == "delete":
        del fields[field.name]
        for row in rows or ():
            row.pop(field.name, None)
    return rows


def _applies(field: Field, annotation: str, args: list[Any]) -> None:
    types, _ = ANNOTATIONS[annotation]
    if field.type not in types:
        raise _Misconfigured(
            field.name, f"the annotation '{annotation}' does not apply to a {field.type} field"
        )
    table = {"facetsort": FACETSORT, "timeserie_precision": PRECISIONS}.get(annotation)
    if table is not None and args and field.type not in table.get(args[0], ()):
        raise _Misconfigured(
            field.name, f"'{args[0]}' does not apply to {annotation} on a {field.type} field"
        )


def _facet_only(fields: Fields, specs: Iterable[Step]) -> Problem | None:
    """An annotation that needs the facet annotation, on a field without it."""
    by_field = {f.name: f for f in fields.values()}
    for spec in specs:
        args = spec.args
        if spec.name != "annotate" or not isinstance(args, dict):
            continue
        annotation = args.get("annotation")
        if annotation not in ANNOTATIONS or not ANNOTATIONS[annotation][1]:
            continue
        field = by_field.get(renamed_after(specs, spec, args.get("field")))
        if (
            field is not None
            and annotation in field.annotations
            and ("facet" not in field.annotations)
        ):
            return (
                spec.processor_uid,
                field.name,
                f"the annotation '{annotation}' needs the field to be a facet",
            )
    return None


def renamed_after(specs: Iterable[Step], after: Step, name: Any) -> str:
    """A field's final name, following the renames that come after a given step."""
    later, seen = [], False
    for spec in specs:
        if seen:
            later.append(spec)
        seen = seen or spec is after
    return renamed(later, str(name))
