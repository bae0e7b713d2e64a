"""The Automation API v1.0's document for users, user groups and API keys.

Part of :mod:`.openapi`, drawn from the same code as the routes.
"""

from __future__ import annotations

from typing import Any

from ...domain.models import DOMAIN_PERMISSIONS
from ..openapi import body, operation, query
from ..schemas import BOOLEAN, DATETIME, STRING, Schema, nullable, obj, ref
from .directory import (
    APIKEY_READ_ONLY,
    APIKEY_WRITABLE,
    GROUP_READ_ONLY,
    GROUP_WRITABLE,
    USER_FIXED,
    USER_READ_ONLY,
    USER_WRITABLE,
)
from .paging import paging_params

TAGS = ("Users", "User groups", "API keys")
E_ALL = (400, 401, 403, 404)
E_TOP = (400, 401, 403)
COUNT: Schema = {"type": "integer", "minimum": 0}

Row = tuple[str, str, dict[str, Any]]


def _page(item: str) -> Schema:
    link = nullable({"type": "string", "format": "uri"})
    return obj(
        "total_count next previous results",
        total_count=COUNT,
        next=link,
        previous=link,
        results={"type": "array", "items": ref(item)},
    )


def _write(writable: tuple[str, ...], ignored: tuple[str, ...], text: str) -> Schema:
    return {
        **obj(
            optional={
                **{k: {"description": "As read; ignored on write."} for k in ignored},
                **{k: {"description": "Writable."} for k in writable},
            }
        ),
        "description": text,
    }


def schemas() -> dict[str, Schema]:
    permissions = {"type": "array", "items": {"enum": list(DOMAIN_PERMISSIONS)}}
    limits = {"type": "object"}
    user = obj(
        "username display_name first_name last_name is_active email is_ods account_type "
        "permissions joined_at last_seen_at last_login_at expires_at explore_limits "
        "management_limits gravatar_url groups identity_providers",
        username=STRING,
        display_name=STRING,
        first_name=STRING,
        last_name=STRING,
        is_active=BOOLEAN,
        email=STRING,
        is_ods=BOOLEAN,
        account_type={"enum": ["global", "linked", "local"]},
        permissions=permissions,
        joined_at=DATETIME,
        last_seen_at=nullable(DATETIME),
        last_login_at=nullable(DATETIME),
        expires_at=nullable(DATETIME),
        explore_limits=limits,
        management_limits=limits,
        gravatar_url=STRING,
        groups={"type": "array", "items": obj("uid", uid=STRING)},
        identity_providers={"type": "array", "items": obj("uid", uid=STRING)},
    )
    group = obj(
        "uid title description user_count permissions explore_limits management_limits",
        uid=STRING,
        title=STRING,
        description=STRING,
        user_count=COUNT,
        permissions=permissions,
        explore_limits=limits,
        management_limits=limits,
    )
    api_key = obj(
        "uid label key permissions user revocation_status is_revoked",
        uid=STRING,
        label=STRING,
        key=STRING,
        permissions=permissions,
        user=obj("username", username=STRING),
        revocation_status={"type": "null"},
        is_revoked=BOOLEAN,
    )
    outcome = {
        "type": "object",
        "additionalProperties": obj(
            "status_code",
            status_code={"enum": ["success", "error"]},
            data=ref("User"),
            error=STRING,
        ),
        "description": 'Each item\'s outcome, by its position in the request (`"0"` first).',
    }
    return {
        "User": user,
        "UserWrite": _write(
            (*USER_WRITABLE, *USER_FIXED),
            USER_READ_ONLY,
            "`permissions`, `groups` (`[{uid}]`), `explore_limits`, `management_limits`; "
            "`username`, `email` and the names only as they are.",
        ),
        "UserInvitation": {
            "description": 'A list of users, each `{"email", "groups"?, "permissions"?}` '
            "(one such object alone is taken too).",
            "anyOf": [{"type": "array", "items": {"type": "object"}}, {"type": "object"}],
        },
        "BulkOutcome": outcome,
        "PaginatedUsers": _page("User"),
        "UserGroup": group,
        "UserGroupWrite": _write(GROUP_WRITABLE, GROUP_READ_ONLY, "A group; `title` to create."),
        "PaginatedUserGroups": _page("UserGroup"),
        "RelatedUserWrite": obj("username", username=STRING),
        "APIKey": api_key,
        "APIKeyWrite": _write(APIKEY_WRITABLE, APIKEY_READ_ONLY, "`{label, permissions}`."),
        "PaginatedAPIKeys": _page("APIKey"),
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
        "apikey_uid": path("apikey_uid", "One of the caller's API keys.", "ak_abc123"),
    }


def rows() -> list[Row]:
    return [*_users(), *_groups(), *_api_keys()]


def _users() -> list[Row]:
    tag = "Users"
    user = "/users/{username}/"
    return [
        (
            "/users/",
            "get",
            operation(
                "get-users",
                "List the domain's users",
                tag,
                ref("PaginatedUsers"),
                errors=E_TOP,
                params=[
                    *paging_params(),
                    query("search", STRING, "In the names and e-mail address."),
                ],
            ),
        ),
        (
            "/users/export/",
            "get",
            operation(
                "users-export",
                "The domain's users as CSV",
                tag,
                content={"text/csv": {"schema": STRING}},
                errors=E_TOP,
                params=[query("delimiter", STRING, "One character (default `,`).")],
            ),
        ),
        (
            "/users/invite/",
            "post",
            operation(
                "invite-users",
                "Make a user of each e-mail address",
                tag,
                ref("BulkOutcome"),
                errors=E_TOP,
                request=body(ref("UserInvitation")),
            ),
        ),
        (user, "get", operation("get-user", "Read a user", tag, ref("User"), errors=E_ALL)),
        (
            user,
            "put",
            operation(
                "update-user",
                "Change a user's permissions, groups and limits",
                tag,
                ref("User"),
                errors=E_ALL,
                request=body(ref("UserWrite"), required=False),
            ),
        ),
        (user, "delete", operation("delete-user", "Remove a user", tag, status=204, errors=E_ALL)),
    ]


def _groups() -> list[Row]:
    tag = "User groups"
    group = "/groups/{group_uid}/"
    write = body(ref("UserGroupWrite"), required=False)
    return [
        (
            "/groups/",
            "get",
            operation(
                "list-user-groups",
                "List the domain's groups",
                tag,
                ref("PaginatedUserGroups"),
                errors=E_TOP,
                params=[
                    *paging_params(),
                    query("search", STRING, "In the uid and title."),
                    query("sort", STRING, "`group__title`, `user_count` (`-` first: descending)."),
                ],
            ),
        ),
        (
            "/groups/",
            "post",
            operation(
                "create-user-group",
                "Create a group",
                tag,
                ref("UserGroup"),
                status=201,
                errors=E_TOP,
                request=write,
            ),
        ),
        (
            group,
            "get",
            operation("retrieve-user-group", "Read a group", tag, ref("UserGroup"), errors=E_ALL),
        ),
        (
            group,
            "put",
            operation(
                "update-user-group",
                "Change a group (JSON or form fields)",
                tag,
                ref("UserGroup"),
                errors=E_ALL,
                request=write,
            ),
        ),
        (
            group,
            "delete",
            operation("delete-user-group", "Delete a group", tag, status=204, errors=E_ALL),
        ),
        (
            f"{group}users/",
            "get",
            operation(
                "list-users-of-a-user-group",
                "The group's members",
                tag,
                ref("PaginatedUsers"),
                errors=E_ALL,
                params=paging_params(),
            ),
        ),
        (
            f"{group}users/",
            "post",
            operation(
                "add-user-to-user-group",
                "Add a user to the group",
                tag,
                ref("User"),
                status=201,
                errors=E_ALL,
                request=body(ref("RelatedUserWrite")),
            ),
        ),
        (
            f"{group}users/batch/",
            "post",
            operation(
                "batch-add-users-to-user-group",
                "Add users to the group",
                tag,
                ref("BulkOutcome"),
                errors=E_ALL,
                request=body({"type": "array", "items": ref("RelatedUserWrite")}),
            ),
        ),
        (
            f"{group}users/{{username}}/",
            "delete",
            operation(
                "delete-user-of-a-user-group",
                "Remove a user from the group",
                tag,
                status=204,
                errors=E_ALL,
            ),
        ),
    ]


def _api_keys() -> list[Row]:
    tag = "API keys"
    key = "/apikeys/{apikey_uid}/"
    write = body(ref("APIKeyWrite"), required=False)
    return [
        (
            "/apikeys/",
            "get",
            operation(
                "get-apikeys",
                "The caller's API keys",
                tag,
                ref("PaginatedAPIKeys"),
                errors=E_TOP,
                params=paging_params(),
            ),
        ),
        (
            "/apikeys/",
            "post",
            operation(
                "post-apikeys",
                "Create an API key (with a password, not a key)",
                tag,
                ref("APIKey"),
                status=201,
                errors=E_TOP,
                request=write,
            ),
        ),
        (key, "get", operation("get-apikey", "Read an API key", tag, ref("APIKey"), errors=E_ALL)),
        (
            key,
            "put",
            operation(
                "put-apikeys-apikey_uid",
                "Change an API key's label or permissions",
                tag,
                ref("APIKey"),
                errors=E_ALL,
                request=write,
            ),
        ),
    ]
