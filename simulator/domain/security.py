"""Who may see and do what on a dataset.

A user's rights on a dataset are their domain permissions plus those of their
ruleset on that dataset, if any. A ``restricted`` dataset is invisible (404, and
left out of listings) to a user without ``explore_restricted_dataset`` at domain
level, without a ruleset on it, and who does not own it.
"""

from __future__ import annotations

from typing import Any

from .errors import InvalidParameter
from .metadata import closest
from .models import Dataset, Ruleset, User

DATASET_PERMISSIONS: tuple[str, ...] = (
    "edit_dataset",
    "publish_dataset",
    "manage_dataset",
    "explore_restricted_dataset",
)
ACCESS_POLICIES: tuple[str, ...] = ("domain", "restricted")


def rights(user: User, ds: Dataset) -> frozenset[str]:
    ruleset = ds.rulesets.get(user.username)
    if ruleset is None:
        return user.permissions
    return user.permissions | frozenset(ruleset.permissions)


def can_see(user: User, ds: Dataset) -> bool:
    return (
        ds.visibility != "restricted"
        or "explore_restricted_dataset" in user.permissions
        or ds.owner == user.username
        or user.username in ds.rulesets
    )


def check_ruleset(body: Any, username: str | None = None) -> Ruleset:
    """A ruleset as a client sends it: ``{user: {username}, permissions, ...}``."""
    if not isinstance(body, dict):
        raise InvalidParameter("body", "expected a JSON object")
    known = (
        "user",
        "username",
        "is_data_visible",
        "visible_fields",
        "filter_query",
        "api_calls_quota",
        "permissions",
    )
    for key in body:
        if key not in known:
            raise InvalidParameter(
                key, f"unknown field{closest(key, known)}; known: {', '.join(known)}"
            )
    given = body.get("user", body.get("username"))
    if isinstance(given, dict):
        given = given.get("username")
    if username is None:
        if not isinstance(given, str) or not given:
            raise InvalidParameter("user", 'expected {"username": ...} naming the user')
        username = given
    elif given is not None and given != username:
        raise InvalidParameter("user", f"the path names '{username}' but the body names {given!r}")
    visible = body.get("is_data_visible", True)
    if not isinstance(visible, bool):
        raise InvalidParameter("is_data_visible", "expected true or false")
    fields = body.get("visible_fields", [])
    if not isinstance(fields, list) or not all(isinstance(f, str) for f in fields):
        raise InvalidParameter("visible_fields", "expected a list of field names")
    query = body.get("filter_query", "")
    if not isinstance(query, str):
        raise InvalidParameter("filter_query", "expected a string")
    quota = body.get("api_calls_quota")
    if quota is not None and not isinstance(quota, dict):
        raise InvalidParameter("api_calls_quota", "expected an object or null")
    perms = body.get("permissions", [])
    if not isinstance(perms, list):
        raise InvalidParameter("permissions", "expected a list of permissions")
    for i, perm in enumerate(perms):
        if perm not in DATASET_PERMISSIONS:
            hint = closest(perm, DATASET_PERMISSIONS) if isinstance(perm, str) else ""
            raise InvalidParameter(
                f"permissions[{i}]",
                f"expected one of {', '.join(DATASET_PERMISSIONS)}, got {perm!r}{hint}",
            )
    return Ruleset(
        username,
        visible,
        list(fields),
        query,
        quota,
        sorted(set(perms), key=DATASET_PERMISSIONS.index),
    )


def ruleset_json(ruleset: Ruleset) -> dict[str, Any]:
    return {
        "user": {"username": ruleset.username},
        "is_data_visible": ruleset.is_data_visible,
        "visible_fields": list(ruleset.visible_fields),
        "filter_query": ruleset.filter_query,
        "api_calls_quota": ruleset.api_calls_quota,
        "permissions": list(ruleset.permissions),
    }
