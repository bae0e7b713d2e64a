"""Who may see and do what on a dataset.

A user's domain permissions are their own plus those of every group they belong to.
Their rights on a dataset are those domain permissions plus the permissions of their
ruleset on it and of the rulesets of their groups on it, if any. A ``restricted``
dataset is invisible (404, and left out of listings) to a user without
``explore_restricted_dataset`` at domain level, without a ruleset on it (their own or
a group's), and who does not own it. The default ruleset applies to everyone else of
a ``domain`` dataset and grants no permission.

A call made with an API key holds only what both the key and its owner hold: a key's
permission counts only if its owner has it too.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .errors import InvalidParameter
from .limits import echo
from .metadata import closest
from .models import DOMAIN_PERMISSIONS, Dataset, Group, User

DATASET_PERMISSIONS: tuple[str, ...] = (
    "edit_dataset",
    "publish_dataset",
    "manage_dataset",
    "explore_restricted_dataset",
)
ACCESS_POLICIES: tuple[str, ...] = ("domain", "restricted")


@dataclass(frozen=True, slots=True)
class Caller:
    """A user as the rules see them: with their groups, and what they hold on the domain."""

    user: User
    #: The groups the user belongs to, by id.
    group_ids: tuple[str, ...]
    #: Domain permissions: the user's own and their groups' (within the key's, if any).
    permissions: frozenset[str]

    @classmethod
    def of(cls, user: User, groups: Iterable[Group] = ()) -> Caller:
        groups = tuple(groups)
        held = user.permissions
        if groups:
            held = held.union(*(g.permissions for g in groups))
        if user.key_permissions is not None:
            held = held & user.key_permissions
        return cls(user, tuple(g.group_id for g in groups), held)


def rights(caller: Caller, ds: Dataset) -> frozenset[str]:
    """Domain permissions plus those the caller's rulesets on the dataset grant."""
    held = caller.permissions
    ruleset = ds.rulesets.get(caller.user.username)
    if ruleset is not None:
        held = held | frozenset(ruleset.permissions)
    if ds.group_rulesets:
        for group_id in caller.group_ids:
            group_ruleset = ds.group_rulesets.get(group_id)
            if group_ruleset is not None:
                held = held | frozenset(group_ruleset.permissions)
    if caller.user.key_permissions is not None:
        held = held & caller.user.key_permissions
    return held


def has_ruleset(caller: Caller, ds: Dataset) -> bool:
    """Whether a ruleset on the dataset names the caller, directly or through a group."""
    return caller.user.username in ds.rulesets or any(
        g in ds.group_rulesets for g in caller.group_ids
    )


def can_see(caller: Caller, ds: Dataset) -> bool:
    return (
        ds.visibility != "restricted"
        or "explore_restricted_dataset" in caller.permissions
        or ds.owner == caller.user.username
        or has_ruleset(caller, ds)
    )


def check_permissions(permissions: list[str]) -> list[str]:
    """Dataset-level permissions, each known, in the platform's order, each once."""
    for i, perm in enumerate(permissions):
        if perm not in DATASET_PERMISSIONS:
            hint = closest(perm, DATASET_PERMISSIONS) if isinstance(perm, str) else ""
            raise InvalidParameter(
                f"permissions[{i}]",
                f"expected one of {', '.join(DATASET_PERMISSIONS)}, got {echo(perm)}{hint}",
            )
    return sorted(set(permissions), key=DATASET_PERMISSIONS.index)


def check_domain_permissions(permissions: object, where: str = "permissions") -> tuple[str, ...]:
    """Domain permissions, each known, in the platform's order, each once (a list sent
    with one twice is taken)."""
    if not isinstance(permissions, list):
        raise InvalidParameter(where, "expected a list of permissions")
    for i, perm in enumerate(permissions):
        if perm not in DOMAIN_PERMISSIONS:
            hint = closest(perm, DOMAIN_PERMISSIONS) if isinstance(perm, str) else ""
            raise InvalidParameter(f"{where}[{i}]", f"unknown permission {echo(perm)}{hint}")
    return tuple(sorted(set(permissions), key=DOMAIN_PERMISSIONS.index))


def check_default_permissions(permissions: list[str]) -> None:
    """The default ruleset grants no permission: only ``[]`` is accepted."""
    if permissions:
        raise InvalidParameter(
            "permissions",
            "the default ruleset grants no permission (only user and group rulesets do); "
            "expected []",
        )
