"""The Automation API v1.0's document for a dataset's security, versions, schedules
and feedbacks.

Part of :mod:`.openapi`, drawn from the same code as the routes.
"""

from __future__ import annotations

from typing import Any

from ...domain.security import DATASET_PERMISSIONS
from ..openapi import body, operation, query
from ..schemas import BOOLEAN, DATETIME, STRING, Schema, nullable, obj, ref
from .governance_surface import FEEDBACK_SORTS
from .paging import paging_params
from .requests import QUOTA_UNITS

DATASET = "/datasets/{dataset_uid}"
E_ALL = (400, 401, 403, 404)

Row = tuple[str, str, dict[str, Any]]

TAGS = ["Dataset security", "Dataset versions", "Dataset schedules", "Dataset feedbacks"]


def _page(item: str) -> Schema:
    link = nullable({"type": "string", "format": "uri"})
    return obj(
        "total_count next previous results",
        total_count={"type": "integer", "minimum": 0},
        next=link,
        previous=link,
        results={"type": "array", "items": ref(item)},
    )


def _security() -> Schema:
    quota = nullable(
        obj(
            "unit limit",
            unit={"enum": list(QUOTA_UNITS)},
            limit={"type": "number", "minimum": 0},
        )
    )
    return obj(
        "is_data_visible visible_fields filter_query api_calls_quota",
        is_data_visible=BOOLEAN,
        visible_fields={"type": "array", "items": STRING},
        filter_query=STRING,
        api_calls_quota=quota,
    )


def schemas() -> dict[str, Schema]:
    permissions = {"type": "array", "items": {"enum": list(DATASET_PERMISSIONS)}}
    write_security = {
        "type": "object",
        "description": "`DatasetSecurity`: what is left out takes its default "
        "(data visible, every field, no filter, no quota).",
    }
    write_permissions = {
        "type": "array",
        "description": f"Among {', '.join(DATASET_PERMISSIONS)}.",
    }
    user_ruleset = obj(
        "security permissions user",
        security=ref("DatasetSecurityRules"),
        permissions=permissions,
        user=obj("username", username=STRING),
    )
    group_ruleset = obj(
        "security permissions group",
        security=ref("DatasetSecurityRules"),
        permissions=permissions,
        group=obj("uid", uid=STRING),
    )
    user_write = obj(
        optional={
            "user": {"type": "object", "description": "`{username}`; required on a create."},
            "security": write_security,
            "permissions": write_permissions,
        }
    )
    group_write = obj(
        optional={
            "group": {"type": "object", "description": "`{uid}`; required on a create."},
            "security": write_security,
            "permissions": write_permissions,
        }
    )
    version = obj(
        "uid sections created_by can_restore created_at",
        uid={"type": "string", "pattern": "^ch_[0-9]{6,9}$"},
        sections={"type": "array", "items": STRING},
        created_by=obj("username", username=STRING),
        can_restore=BOOLEAN,
        created_at=DATETIME,
    )
    return {
        "DatasetSecurityRules": _security(),
        "DatasetUserSecurity": user_ruleset,
        "DatasetUserSecurityWrite": user_write,
        "PaginatedDatasetUserSecuritys": _page("DatasetUserSecurity"),
        "DatasetGroupSecurity": group_ruleset,
        "DatasetGroupSecurityWrite": group_write,
        "PaginatedDatasetGroupSecuritys": _page("DatasetGroupSecurity"),
        "DatasetVersion": version,
        "PaginatedDatasetVersions": _page("DatasetVersion"),
        "DatasetSchedule": obj(
            "uid cron_schedule",
            uid={"type": "string", "pattern": "^sc_[a-z0-9]{6}$"},
            cron_schedule=STRING,
        ),
        "DatasetScheduleWrite": obj(
            optional={
                "cron_schedule": {
                    "description": "Five unix cron fields, read in Europe/Paris time; "
                    "required. At most daily unless the scenario enables minute-level "
                    "scheduling."
                },
                "uid": {"description": "Read only: ignored."},
            }
        ),
        "PaginatedDatasetSchedules": _page("DatasetSchedule"),
        "DatasetFeedback": obj(
            "uid record_id user comment is_archived values created_at",
            uid=STRING,
            record_id=STRING,
            user=obj("username", username=STRING),
            comment=STRING,
            is_archived=BOOLEAN,
            values={
                "type": "object",
                "description": "The values suggested, as the scenario gave them.",
            },
            created_at=DATETIME,
        ),
        "PaginatedDatasetFeedbacks": _page("DatasetFeedback"),
    }


def parameters() -> dict[str, Any]:
    def path(name: str, text: str, example: str) -> dict[str, Any]:
        return {
            "name": name,
            "in": "path",
            "required": True,
            "schema": STRING,
            "description": text,
            "example": example,
        }

    return {
        "username": path("username", "A user of the domain.", "admin"),
        "group_uid": path("group_uid", "A group of the domain.", "editors"),
        "version_uid": path("version_uid", "A version of the dataset.", "ch_000001"),
        "schedule_uid": path("schedule_uid", "A schedule of the dataset.", "sc_abc123"),
        "feedback_uid": path("feedback_uid", "A feedback on the dataset.", "df_abc123"),
    }


def _rulesets(kind: str, item: str, ids: tuple[str, ...], what: str) -> list[Row]:
    tag = "Dataset security"
    base = f"{DATASET}/security/{kind}"
    one = f"{base}/{{{item}}}/"
    listed, create, retrieve, update, delete = ids
    schema = ref(f"Dataset{what}Security")
    write = body(ref(f"Dataset{what}SecurityWrite"), required=False)
    return [
        (
            f"{base}/",
            "get",
            operation(
                listed,
                f"List the dataset's {what.lower()} rulesets",
                tag,
                ref(f"PaginatedDataset{what}Securitys"),
                errors=E_ALL,
                params=paging_params(),
            ),
        ),
        (
            f"{base}/",
            "post",
            operation(
                create,
                f"Give a {what.lower()} a ruleset on the dataset",
                tag,
                schema,
                status=201,
                errors=E_ALL,
                request=write,
            ),
        ),
        (one, "get", operation(retrieve, "Read a ruleset", tag, schema, errors=E_ALL)),
        (
            one,
            "put",
            operation(update, "Replace a ruleset", tag, schema, errors=E_ALL, request=write),
        ),
        (one, "delete", operation(delete, "Delete a ruleset", tag, status=204, errors=E_ALL)),
    ]


def _versions() -> list[Row]:
    tag = "Dataset versions"
    base = f"{DATASET}/versions"
    one = f"{base}/{{version_uid}}/"
    return [
        (
            f"{base}/",
            "get",
            operation(
                "list-dataset-versions",
                "List the dataset's last 20 versions, newest first",
                tag,
                ref("PaginatedDatasetVersions"),
                errors=E_ALL,
                params=paging_params(),
            ),
        ),
        (
            one,
            "get",
            operation(
                "retrieve-dataset-version",
                "Read a version",
                tag,
                ref("DatasetVersion"),
                errors=E_ALL,
            ),
        ),
        (
            f"{one}restore/",
            "post",
            operation(
                "restore-version",
                "Make the configuration what it was at this version (a new version)",
                tag,
                ref("Dataset"),
                errors=E_ALL,
            ),
        ),
    ]


def _schedules() -> list[Row]:
    tag = "Dataset schedules"
    base = f"{DATASET}/schedules"
    one = f"{base}/{{schedule_uid}}/"
    schema = ref("DatasetSchedule")
    write = body(ref("DatasetScheduleWrite"), required=False)
    return [
        (
            f"{base}/",
            "get",
            operation(
                "list-dataset-schedules",
                "List the dataset's schedules",
                tag,
                ref("PaginatedDatasetSchedules"),
                errors=E_ALL,
                params=paging_params(),
            ),
        ),
        (
            f"{base}/",
            "post",
            operation(
                "create-dataset-schedule",
                "Schedule the dataset's processing",
                tag,
                schema,
                status=201,
                errors=(*E_ALL, 409),
                request=write,
            ),
        ),
        (one, "get", operation("retrieve-dataset-schedule", "Read one", tag, schema, errors=E_ALL)),
        (
            one,
            "put",
            operation(
                "update-dataset-schedule", "Change one", tag, schema, errors=E_ALL, request=write
            ),
        ),
        (
            one,
            "delete",
            operation("delete-dataset-schedule", "Delete one", tag, status=204, errors=E_ALL),
        ),
    ]


def _feedbacks() -> list[Row]:
    tag = "Dataset feedbacks"
    base = f"{DATASET}/feedbacks"
    one = f"{base}/{{feedback_uid}}/"
    schema = ref("DatasetFeedback")
    params = [
        *paging_params(),
        query("record_id", STRING, "Only the feedbacks on this record."),
        query(
            "is_archived",
            {"type": ["boolean", "string", "integer"]},
            "true: only the archived ones; false (default): only the others.",
        ),
        query("sort", {"enum": list(FEEDBACK_SORTS)}, "By submission date (default -created_at)."),
    ]
    return [
        (
            f"{base}/",
            "get",
            operation(
                "list-dataset-feedbacks",
                "List the feedbacks on the dataset's records",
                tag,
                ref("PaginatedDatasetFeedbacks"),
                errors=E_ALL,
                params=params,
            ),
        ),
        (one, "get", operation("retrieve-dataset-feedback", "Read one", tag, schema, errors=E_ALL)),
        (
            f"{one}archive/",
            "post",
            operation("archive-dataset-feedback", "Archive one", tag, schema, errors=E_ALL),
        ),
    ]


def rows() -> list[Row]:
    """The paths of this part, as ``(path, method, operation)`` rows."""
    users = _rulesets(
        "users",
        "username",
        (
            "list-dataset-user-security",
            "create-dataset-user-security",
            "retrieve-dataset-user-security",
            "update-dataset-user-security",
            "delete-dataset-user-security",
        ),
        "User",
    )
    groups = _rulesets(
        "groups",
        "group_uid",
        (
            "list-dataset-group-security",
            "create-dataset-group-security",
            "retrieve-dataset-group-security",
            "update-dataset-group-security",
            "delete-dataset-group-security",
        ),
        "Group",
    )
    return [*users, *groups, *_versions(), *_schedules(), *_feedbacks()]
