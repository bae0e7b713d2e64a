"""The Automation API's harvesters over the service's: its ``Harvester`` in and out.

The specification's ``Harvester`` is discriminated by ``type``; the type's parameters
sit at the top level, beside the shared settings. The service keeps a harvester as
the Management API v2 writes it (``fetcher``, ``params``): this module translates,
both ways, and names refusals in this API's words.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from ...domain import harvesters as rules
from ...domain.clock import Clock
from ...domain.errors import InvalidParameter, InvalidRequest, SimulatorError
from ...domain.limits import as_boolean, echo
from ...domain.metadata import closest
from ...service.commands import HarvesterFields
from ...service.harvesters import HarvesterView

#: The shared settings: this API's name, and the Management API's parameter.
SETTINGS = {
    "restrict_datasets_visibility": "restrict_visibility",
    "delete_missing_datasets": "delete",
    "forced_metas": "forced_metas",
}
#: The keys a harvester is read with that a client cannot set: taken and ignored.
READ_ONLY = (
    "uid",
    "status",
    "remote_datasets_count",
    "harvested_datasets_count",
    "published_datasets_count",
    "attached_datasets_count",
    "has_error",
    "resource_errors_count",
    "created_at",
    "updated_at",
    "updated_by",
    "last_started_at",
    "last_success_at",
)
REQUIRED = "This field is required."


def _kinds(fetcher: str) -> dict[str, str]:
    """The Management API's kind of each of the fetcher's parameters, by its name there."""
    return {
        name: kind
        for name, kind, _, _ in rules.parameters(fetcher) + rules.EXTRA_PARAMETERS[fetcher]
    }


def _type(body: dict[str, Any], current: str | None) -> str:
    kind = body.get("type", current)
    if kind is None:
        raise InvalidParameter("type", REQUIRED)
    if not isinstance(kind, str) or kind not in rules.AUTOMATION_PARAMETERS:
        shown = kind if isinstance(kind, str) else ""
        raise InvalidParameter(
            "type",
            f"unknown harvester type {echo(kind)}{closest(shown, rules.AUTOMATION_PARAMETERS)}; "
            f"known: {', '.join(rules.AUTOMATION_PARAMETERS)}",
        )
    return kind


def _param(name: str, kind: str, v2_kind: str, given: Any) -> Any:
    """A parameter's value as the service keeps it; ``None`` as sent (a hidden secret)."""
    if given is None:
        return None
    if kind == "boolean":
        flag = as_boolean(given)
        if flag is None:
            raise InvalidParameter(name, f"expected a boolean, got {echo(given)}")
        return flag if v2_kind == "boolean" else ("true" if flag else "false")
    return given


def harvester_fields(body: Any, current: HarvesterView | None) -> HarvesterFields:
    """A harvester as this API writes it; on a change, what it does not name stays."""
    if not isinstance(body, dict):
        raise InvalidParameter("body", 'expected a JSON object, e.g. {"type": ..., "name": ...}')
    fetcher = _type(body, None if current is None else current.fetcher)
    own = rules.AUTOMATION_PARAMETERS[fetcher]
    allowed = ("type", "name", "version", *SETTINGS, *(p[0] for p in own))
    for key in body:
        if key not in allowed and key not in READ_ONLY:
            raise InvalidParameter(
                key,
                f"not a field of a '{fetcher}' harvester{closest(str(key), allowed)}; "
                f"writable: {', '.join(allowed)}",
            )
    if current is None:
        if "name" not in body:
            raise InvalidParameter("name", REQUIRED)
        for name, _, required, _ in own:
            if required and body.get(name) in (None, ""):
                raise InvalidParameter(name, REQUIRED)
    v2_kinds = _kinds(fetcher)
    params: dict[str, Any] = {} if current is None else dict(current.params)
    for name, kind, _, v2 in own:
        if name in body:
            params[v2] = _param(name, kind, v2_kinds[v2], body[name])
    for name, v2 in SETTINGS.items():
        if name in body:
            kind = "object" if name == "forced_metas" else "boolean"
            given = body[name]
            if kind == "object" and given is not None and not isinstance(given, dict):
                raise InvalidParameter(name, f"expected a JSON object, got {echo(given)}")
            params[v2] = _param(name, kind, v2_kinds[v2], given)
    given = ["fetcher", "params"]
    fields: dict[str, Any] = {"fetcher": fetcher, "params": params}
    for key in ("name", "version"):
        if key in body:
            fields[key] = body[key]
            given.append(key)
    if current is not None and "name" not in body:
        fields["name"], given = current.name, [*given, "name"]
    return HarvesterFields(**fields, given=given)


def _automation_name(fetcher: str, v2: str) -> str:
    for name, setting in SETTINGS.items():
        if setting == v2:
            return name
    for name, _, _, own in rules.AUTOMATION_PARAMETERS.get(fetcher, ()):
        if own == v2:
            return name
    return v2


@contextmanager
def in_own_words(fetcher: str | None) -> Iterator[None]:
    """Refusals named as this API names the fields (``type``, ``url``, not ``params.*``)."""
    try:
        yield
    except InvalidParameter as exc:
        raise _renamed(exc, fetcher) from None
    except InvalidRequest as exc:
        raise InvalidRequest([_renamed(e, fetcher) for e in exc.errors]) from None


def _renamed(error: SimulatorError, fetcher: str | None) -> SimulatorError:
    if not isinstance(error, InvalidParameter):
        return error
    name = str(error.raw_params.get("parameter", ""))
    reason = str(error.raw_params.get("reason", ""))
    if name == "fetcher":
        name = "type"
    elif name.startswith("params.") and fetcher is not None:
        name = _automation_name(fetcher, name.removeprefix("params."))
    elif name.startswith("schedules[0]."):
        name = name.removeprefix("schedules[0].")
    return InvalidParameter(name, reason)


def _shown(kind: str, value: Any) -> Any:
    """A kept value as this API types it (``None``: not shown)."""
    if kind == "boolean":
        return as_boolean(value)
    if kind == "integer":
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        text = str(value).strip()
        return int(text) if text.lstrip("-").isdigit() and len(text) <= 10 else None
    if kind == "object":
        return value if isinstance(value, dict) else None
    return value if isinstance(value, str) else str(value)


def _forced_metas(raw: Any) -> dict[str, Any]:
    if isinstance(raw, dict):
        found: Any = raw
    else:
        try:
            found = json.loads(raw) if isinstance(raw, str) else None
        except ValueError:
            found = None
    if not isinstance(found, dict) or not all(isinstance(v, dict) for v in found.values()):
        return {}
    return found


def harvester_json(harvester: HarvesterView, clock: Clock) -> dict[str, Any]:
    """A harvester, its keys in the specification's order, its type's parameters last;
    a secret shows as ``null``, a parameter not set not at all."""
    params = harvester.params
    succeeded = harvester.last_success_at is not None and not harvester.harvester_errors
    out: dict[str, Any] = {
        "uid": harvester.harvester_id,
        "type": harvester.fetcher,
        "name": harvester.name,
        "status": harvester.status,
        "version": harvester.version,
        "restrict_datasets_visibility": params.get("restrict_visibility") is True,
        "delete_missing_datasets": params.get("delete") is True,
        "forced_metas": _forced_metas(params.get("forced_metas")),
        "remote_datasets_count": harvester.remote_count,
        "harvested_datasets_count": (
            max(0, harvester.remote_count - harvester.resource_errors) if succeeded else 0
        ),
        "published_datasets_count": harvester.published,
        "attached_datasets_count": harvester.attached,
        "has_error": harvester.harvester_errors > 0,
        "resource_errors_count": harvester.resource_errors,
        "created_at": clock.iso(harvester.created_at),
        "updated_at": clock.iso(harvester.last_modified_at),
        "updated_by": {"username": harvester.last_modified_by},
        "last_started_at": clock.iso(harvester.last_started_at),
        "last_success_at": clock.iso(harvester.last_success_at),
    }
    for name, kind, _, v2 in rules.AUTOMATION_PARAMETERS.get(harvester.fetcher, ()):
        if v2 not in params:
            continue
        if v2 in rules.SECRETS:
            out[name] = None
            continue
        value = _shown(kind, params[v2])
        if value is not None:
            out[name] = value
    return out


# schedules --------------------------------------------------------------------------------

#: The keys of a schedule as this API writes it; ``uid`` is read only.
SCHEDULE_KEYS = ("uid", *rules.SCHEDULE_KEYS)
_ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789"


def schedule_uid(harvester_uid: str) -> str:
    """A harvester has at most one schedule: its uid follows from the harvester's."""
    digest = hashlib.sha256(f"schedule:{harvester_uid}".encode()).digest()
    return "sc_" + "".join(_ALNUM[b % len(_ALNUM)] for b in digest[:6])


def schedule_json(harvester: HarvesterView) -> dict[str, str] | None:
    """The harvester's schedule ``{uid, cron_schedule, timezone}``, or ``None``."""
    if not harvester.schedules:
        return None
    given = harvester.schedules[0]
    return {
        "uid": schedule_uid(harvester.harvester_id),
        "cron_schedule": given["cron_schedule"],
        "timezone": given["timezone"],
    }


def schedule_fields(body: Any, current: dict[str, str] | None) -> HarvesterFields:
    """A schedule as this API writes it, as a change of the harvester's ``schedules``;
    on a change, a key the body does not name stays."""
    if not isinstance(body, dict):
        raise InvalidParameter(
            "body", 'expected a JSON object, e.g. {"cron_schedule": ..., "timezone": ...}'
        )
    for key in body:
        if key not in SCHEDULE_KEYS:
            raise InvalidParameter(
                key,
                f"not a field of a schedule{closest(str(key), SCHEDULE_KEYS)}; "
                f"writable: {', '.join(rules.SCHEDULE_KEYS)}",
            )
    schedule = {key: value for key, value in (current or {}).items() if key != "uid"}
    for key in rules.SCHEDULE_KEYS:
        if key in body:
            schedule[key] = body[key]
        elif key not in schedule:
            raise InvalidParameter(key, REQUIRED)
    return HarvesterFields(schedules=[schedule], given=["schedules"])
