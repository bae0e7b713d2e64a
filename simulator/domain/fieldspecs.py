"""Field specifications: renaming, typing, annotating, describing, ordering, deleting fields.

The platform exposes them as processor-like objects ``{processor_uid, name, args}``
(Management API v2, "Fields specification"): ``rename`` (``from_name``, ``to_name``,
``label``), ``type`` (``field``, ``type``), ``annotate`` (``field``, ``annotation``,
optional ``args``, a list), ``description`` (``field``, ``description``), ``order``
(``args`` is the list of field names) and ``delete`` (``field``). What the
documentation says of them is checked when one is created (a 400 names the
argument); what depends on the fields (a field that does not exist, an annotation
its type does not take) when records flow, as for processors (see :mod:`.pipeline`).
"""

from __future__ import annotations

import re
from typing import Any

from .errors import InvalidParameter
from .limits import as_integer, echo
from .metadata import closest
from .processors import FIELD_NAME, MAX_ARGUMENT
from .sources import FIELD_TYPES

#: The kinds of field specification, in the documentation's order.
KINDS: tuple[str, ...] = ("rename", "type", "annotate", "description", "order", "delete")

#: Each annotation and the field types it applies to (the documentation's table, whose
#: ``decimal`` is the ``double`` type), and whether it needs the facet annotation.
ANNOTATIONS: dict[str, tuple[tuple[str, ...], bool]] = {
    "id": (FIELD_TYPES, False),
    "facet": (("date", "datetime", "int", "double", "text"), False),
    "facetsort": (FIELD_TYPES, True),
    "disjunctive": (("double", "int", "text"), True),
    "timeserie_precision": (("date", "datetime"), False),
    "timerangeFilter": (("date", "datetime"), True),
    "unit": (("int", "double"), False),
    "decimals": (("double",), False),
    "sortable": (("text",), False),
    "multivalued": (("text",), False),
    "hierarchical": (("text",), True),
}

#: The argument each annotation needs, if any: its possible values, or its kind.
FACETSORT: dict[str, tuple[str, ...]] = {
    "count": FIELD_TYPES,
    "-count": FIELD_TYPES,
    "alphanum": ("date", "datetime", "text"),
    "-alphanum": ("date", "datetime", "text"),
    "num": ("double", "int"),
    "-num": ("double", "int"),
}
PRECISIONS: dict[str, tuple[str, ...]] = {
    "year": ("date", "datetime"),
    "month": ("date", "datetime"),
    "day": ("date", "datetime"),
    "hour": ("datetime",),
    "minute": ("datetime",),
}

#: The units the platform supports, in the documentation's order (``µg/L`` is written
#: with the micro sign, ``μg/m3`` with the Greek mu, as there).
# fmt: off
UNITS: tuple[str, ...] = (
    "g", "kg", "t", "oz", "lb", "mm", "cm", "m", "km", "in", "ft", "mi", "mm2", "cm2", "m2",
    "km2", "ha", "sqft", "acre", "€", "k€", "$", "SAR", "£", "MXN", "seconds", "minutes",
    "hours", "days", "months", "years", "Wh", "kWh", "MWh", "GWh", "TWh", "Toe", "bar", "mbar",
    "Pa", "db", "W", "kW", "MW", "GW", "kVA", "A", "kA", "V", "kV", "m/s", "km/s", "km/h",
    "°C", "°F", "cm3", "m3", "l", "hl", "m3/s", "L/s", "m3/h", "L/h", "m3/d", "L/d", "ppm",
    "µg/L", "mg/L", "μg/m3", "g/L", "kg/m3", "%", "°",
)
# fmt: on

_KEYS: dict[str, tuple[str, ...]] = {
    "rename": ("from_name", "to_name", "label"),
    "type": ("field", "type"),
    "annotate": ("field", "annotation", "args"),
    "description": ("field", "description"),
    "delete": ("field",),
}
_REQUIRED: dict[str, tuple[str, ...]] = {
    "rename": ("from_name", "to_name"),
    "type": ("field", "type"),
    "annotate": ("field", "annotation"),
    "description": ("field",),
    "delete": ("field",),
}


def check_field_spec(name: Any, args: Any) -> tuple[str, Any]:
    """A field specification's name and arguments, checked; arguments in documented order."""
    if not isinstance(name, str) or name not in KINDS:
        hint = closest(name, KINDS) if isinstance(name, str) else ""
        shown = echo(name) if isinstance(name, str) else repr(name)
        raise InvalidParameter("name", f"expected one of {', '.join(KINDS)}, got {shown}{hint}")
    if name == "order":
        return name, _order(args)
    if not isinstance(args, dict):
        raise InvalidParameter("args", f"expected an object of arguments for {name}")
    known = _KEYS[name]
    for key in args:
        if key not in known:
            raise InvalidParameter(
                f"args.{key}",
                f"{name} takes no such argument{closest(key, known)}; it takes {', '.join(known)}",
            )
    for key in _REQUIRED[name]:
        if args.get(key) is None:
            raise InvalidParameter(f"args.{key}", f"is required by {name}")
    checked: dict[str, Any] = {}
    for key in known:
        if key in args:
            checked[key] = _value(name, key, args[key], args)
    if name == "annotate":
        annotation_args = _annotation_args(checked["annotation"], checked.get("args"))
        if annotation_args is None:
            checked.pop("args", None)
        else:
            checked["args"] = annotation_args
    return name, checked


def _order(args: Any) -> list[str]:
    items = [args] if isinstance(args, str) else args
    if not isinstance(items, list) or not all(
        isinstance(i, str) and 0 < len(i) <= MAX_ARGUMENT for i in items
    ):
        raise InvalidParameter("args", "expected the list of field names, in their new order")
    return list(items)


def _value(name: str, key: str, value: Any, args: dict[str, Any]) -> Any:
    where = f"args.{key}"
    if key == "args":
        return value
    if key in ("label", "description") and value is None:
        return None
    if not isinstance(value, str):
        raise InvalidParameter(where, f"expected a string, got {type(value).__name__}")
    if len(value) > MAX_ARGUMENT:
        raise InvalidParameter(where, f"longer than {MAX_ARGUMENT:,} characters")
    if key in ("field", "from_name") and not value:
        raise InvalidParameter(where, "expected the name of a field")
    if key == "to_name" and not FIELD_NAME.match(value):
        raise InvalidParameter(
            where, f"{echo(value)} is not a field name: letters, digits and underscores"
        )
    if key == "type" and value not in FIELD_TYPES:
        raise InvalidParameter(
            where,
            f"expected one of {', '.join(FIELD_TYPES)}, got {echo(value)}"
            f"{closest(value, FIELD_TYPES)}",
        )
    if key == "annotation" and value not in ANNOTATIONS:
        raise InvalidParameter(
            where,
            f"expected one of {', '.join(ANNOTATIONS)}, got {echo(value)}"
            f"{closest(value, ANNOTATIONS)}",
        )
    return value


def _annotation_args(annotation: str, given: Any) -> list[Any] | None:
    """An annotation's arguments: a list (one value is read as a list of it)."""
    where = "args.args"
    items = None if given is None else given if isinstance(given, list) else [given]
    if annotation in ("facetsort", "timeserie_precision", "unit"):
        choices = {"facetsort": FACETSORT, "timeserie_precision": PRECISIONS}.get(
            annotation, dict.fromkeys(UNITS)
        )
        if not items or not isinstance(items[0], str) or items[0] not in choices:
            shown = echo(items[0]) if items else "nothing"
            raise InvalidParameter(
                where,
                f"{annotation} takes one of {', '.join(choices)}, got {shown}"
                f"{closest(items[0], choices) if items and isinstance(items[0], str) else ''}",
            )
        return [items[0]]
    if annotation == "decimals":
        number = as_integer(items[0]) if items else None
        if number is None and items and isinstance(items[0], str):
            number = int(items[0]) if re.fullmatch(r"\d{1,3}", items[0].strip()) else None
        if number is None or not 0 <= number <= 100:
            raise InvalidParameter(
                where,
                f"decimals takes the number of digits, got {echo(items) if items else 'nothing'}",
            )
        return [number]
    if annotation in ("multivalued", "hierarchical"):
        if not items or not isinstance(items[0], str) or not items[0]:
            raise InvalidParameter(where, f'{annotation} takes the separator, e.g. [","]')
        if len(items[0]) > MAX_ARGUMENT:
            raise InvalidParameter(where, f"longer than {MAX_ARGUMENT:,} characters")
        return [items[0]]
    return items if items else None
