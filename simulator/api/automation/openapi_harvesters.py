"""The Automation API v1.0's document for harvesters.

Part of :mod:`.openapi`, drawn from the same code as the routes: the types and their
parameters from the domain's table, the statuses from the harvesters' state machine.
"""

from __future__ import annotations

from typing import Any

from ...domain import harvesters as rules
from ...domain.statemachine import HarvesterStatus
from ..openapi import body, operation, query
from ..schemas import BOOLEAN, DATETIME, STRING, Schema, nullable, obj, ref
from .harvester_wire import READ_ONLY, SETTINGS
from .paging import paging_params

TAGS = ("Harvesters", "Harvester schedules")
HARVESTER = "/harvesters/{harvester_uid}"
E_ALL = (400, 401, 403, 404)
E_TOP = (400, 401, 403)
COUNT: Schema = {"type": "integer", "minimum": 0}
_KINDS: dict[str, Schema] = {
    "string": STRING,
    "boolean": BOOLEAN,
    "integer": {"type": "integer"},
    "object": {"type": "object"},
}

Row = tuple[str, str, dict[str, Any]]


def _type_parameters() -> dict[str, Schema]:
    """Every type's parameters (a secret reads ``null``), the first type naming it first."""
    out: dict[str, Schema] = {}
    for own in rules.AUTOMATION_PARAMETERS.values():
        for name, kind, _, v2 in own:
            if name not in out:
                shown = _KINDS[kind]
                out[name] = nullable(shown) if v2 in rules.SECRETS else shown
    return out


def schemas() -> dict[str, Schema]:
    types = {"enum": list(rules.AUTOMATION_PARAMETERS)}
    forced = {
        "type": "object",
        "additionalProperties": {"type": "object"},
        "description": "Metadata set on every harvested dataset: `{template: {field: value}}`.",
    }
    harvester = obj(
        "uid type name status version restrict_datasets_visibility delete_missing_datasets "
        "forced_metas remote_datasets_count harvested_datasets_count published_datasets_count "
        "attached_datasets_count has_error resource_errors_count created_at updated_at "
        "updated_by last_started_at last_success_at",
        uid=STRING,
        type=types,
        name=STRING,
        status={"enum": [s.value for s in HarvesterStatus]},
        version={"type": "integer", "minimum": 1},
        restrict_datasets_visibility=BOOLEAN,
        delete_missing_datasets=BOOLEAN,
        forced_metas=forced,
        remote_datasets_count=COUNT,
        harvested_datasets_count=COUNT,
        published_datasets_count=COUNT,
        attached_datasets_count=COUNT,
        has_error=BOOLEAN,
        resource_errors_count=COUNT,
        created_at=DATETIME,
        updated_at=DATETIME,
        updated_by=obj("username", username=STRING),
        last_started_at=nullable(DATETIME),
        last_success_at=nullable(DATETIME),
        optional=_type_parameters(),
    )
    ignored = {key: {"description": "As read; ignored on write."} for key in READ_ONLY}
    write = obj(
        optional={
            **ignored,
            "type": {**types, "description": "Required on create; cannot change."},
            "name": STRING,
            "version": {"type": "integer", "minimum": 1},
            **{name: {"description": "true or false (also as a string)."} for name in SETTINGS},
            "forced_metas": {"type": ["object", "null"]},
            **{name: {"description": "A parameter of the type."} for name in _type_parameters()},
        }
    )
    preview_item = obj("id title description", id=STRING, title=STRING, description=STRING)
    link = nullable({"type": "string", "format": "uri"})
    return {
        "Harvester": harvester,
        "HarvesterWrite": {
            **write,
            "description": "A harvester: `type`, `name`, the shared settings, and the "
            "type's parameters beside them.",
        },
        "PaginatedHarvesters": obj(
            "total_count next previous results",
            total_count=COUNT,
            next=link,
            previous=link,
            results={"type": "array", "items": ref("Harvester")},
        ),
        "HarvesterPreviewResult": obj(
            "total_count results",
            total_count=COUNT,
            results={"type": "array", "items": preview_item},
        ),
        "HarvesterSchedule": obj(
            "uid cron_schedule timezone",
            uid=STRING,
            cron_schedule=STRING,
            timezone=STRING,
        ),
        "HarvesterScheduleWrite": {
            **obj(
                optional={
                    "uid": {"description": "As read; ignored on write."},
                    "cron_schedule": STRING,
                    "timezone": STRING,
                }
            ),
            "description": "`{cron_schedule, timezone}`: unix cron giving one minute and one "
            "hour, in a time zone of the tz database; both required on create.",
        },
        "PaginatedHarvesterSchedules": obj(
            "total_count next previous results",
            total_count=COUNT,
            next=link,
            previous=link,
            results={"type": "array", "items": ref("HarvesterSchedule")},
        ),
        "HarvesterErrors": obj(
            "harvester resources",
            harvester=nullable(STRING),
            resources={"type": "object", "additionalProperties": STRING},
        ),
    }


def parameters() -> dict[str, Any]:
    return {
        "harvester_uid": {
            "name": "harvester_uid",
            "in": "path",
            "required": True,
            "schema": STRING,
            "description": "The harvester's uid: a slug of its name.",
            "example": "my-harvester",
        },
        "schedule_uid": {
            "name": "schedule_uid",
            "in": "path",
            "required": True,
            "schema": STRING,
            "description": "The harvester's schedule (it has at most one).",
            "example": "sc_abc123",
        },
    }


def rows() -> list[Row]:
    tag = "Harvesters"
    write = body(ref("HarvesterWrite"))
    flag: Schema = {"anyOf": [BOOLEAN, STRING, {"type": "integer"}]}
    delete_flag = {
        **query(
            "delete_attached_datasets",
            flag,
            "Delete the attached datasets too (true), or leave them as ordinary datasets (false).",
        ),
        "required": True,
    }
    return [*_harvester_rows(tag, write, delete_flag), *schedule_rows()]


def _harvester_rows(tag: str, write: dict[str, Any], delete_flag: dict[str, Any]) -> list[Row]:
    return [
        (
            "/harvesters/",
            "get",
            operation(
                "list-harvesters",
                "List the domain's harvesters",
                tag,
                ref("PaginatedHarvesters"),
                errors=E_TOP,
                params=[
                    *paging_params(),
                ],
            ),
        ),
        (
            "/harvesters/",
            "post",
            operation(
                "create-harvester",
                "Create a harvester",
                tag,
                ref("Harvester"),
                status=201,
                errors=E_TOP,
                request=write,
            ),
        ),
        (
            f"{HARVESTER}/",
            "get",
            operation(
                "retrieve-harvester", "Read a harvester", tag, ref("Harvester"), errors=E_ALL
            ),
        ),
        (
            f"{HARVESTER}/",
            "put",
            operation(
                "update-harvester",
                "Change a harvester (what the body does not name stays)",
                tag,
                ref("Harvester"),
                errors=E_ALL,
                request=write,
            ),
        ),
        (
            f"{HARVESTER}/",
            "delete",
            operation(
                "delete-harvester",
                "Delete a harvester",
                tag,
                status=204,
                errors=E_ALL,
                params=[delete_flag],
            ),
        ),
        (
            f"{HARVESTER}/abort/",
            "post",
            operation(
                "abort-harvester",
                "Abort the harvest under way (`invalid_harvester_status` unless processing)",
                tag,
                ref("Harvester"),
                errors=E_ALL,
            ),
        ),
        (
            f"{HARVESTER}/start/",
            "post",
            operation(
                "start-harvester",
                "Start a harvest (`invalid_harvester_status` unless new or idle)",
                tag,
                ref("Harvester"),
                errors=E_ALL,
            ),
        ),
        (
            f"{HARVESTER}/publish/",
            "post",
            operation(
                "publish-harvester",
                "Publish every dataset attached to the harvester",
                tag,
                ref("OK"),
                errors=E_ALL,
            ),
        ),
        (
            f"{HARVESTER}/unpublish/",
            "post",
            operation(
                "unpublish-harvester",
                "Unpublish every published dataset attached to the harvester",
                tag,
                ref("OK"),
                errors=E_ALL,
            ),
        ),
        (
            f"{HARVESTER}/errors/",
            "get",
            operation(
                "harvester-list-errors",
                "The errors of the last harvest",
                tag,
                ref("HarvesterErrors"),
                errors=E_ALL,
            ),
        ),
        (
            f"{HARVESTER}/preview/",
            "get",
            operation(
                "harvester-preview",
                "The remote catalogue, as a harvest would read it",
                tag,
                ref("HarvesterPreviewResult"),
                errors=E_ALL,
            ),
        ),
        (
            f"{HARVESTER}/unsaved_preview/",
            "post",
            operation(
                "harvester-unsaved-preview",
                "The preview of a configuration not saved (checked, kept nowhere)",
                tag,
                ref("HarvesterPreviewResult"),
                errors=E_ALL,
                request=write,
            ),
        ),
    ]


def schedule_rows() -> list[Row]:
    tag = "Harvester schedules"
    schedules = f"{HARVESTER}/schedules"
    schedule = f"{schedules}/{{schedule_uid}}"
    write = body(ref("HarvesterScheduleWrite"))
    return [
        (
            f"{schedules}/",
            "get",
            operation(
                "list-harvester-schedules",
                "The harvester's schedule: a page of none or one",
                tag,
                ref("PaginatedHarvesterSchedules"),
                errors=E_ALL,
                params=[
                    *paging_params(),
                ],
            ),
        ),
        (
            f"{schedules}/",
            "post",
            operation(
                "create-harvester-schedule",
                "Give the harvester its schedule (a second is refused)",
                tag,
                ref("HarvesterSchedule"),
                status=201,
                errors=E_ALL,
                request=write,
            ),
        ),
        (
            f"{schedule}/",
            "get",
            operation(
                "retrieve-harvester-schedule",
                "Read the schedule",
                tag,
                ref("HarvesterSchedule"),
                errors=E_ALL,
            ),
        ),
        (
            f"{schedule}/",
            "put",
            operation(
                "update-harvester-schedule",
                "Change the schedule (what the body does not name stays)",
                tag,
                ref("HarvesterSchedule"),
                errors=E_ALL,
                request=write,
            ),
        ),
        (
            f"{schedule}/",
            "delete",
            operation(
                "delete-harvester-schedule", "Remove the schedule", tag, status=204, errors=E_ALL
            ),
        ),
    ]
