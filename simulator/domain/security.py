"""Who may see and do what on a dataset.

A user's rights on a dataset are their domain permissions plus those of their
ruleset on that dataset, if any. A ``restricted`` dataset is invisible (404, and
left out of listings) to a user without ``explore_restricted_dataset`` at domain
level, without a ruleset on it, and who does not own it.
"""

from __future__ import annotations

from .errors import InvalidParameter
from .metadata import closest
from .models import Dataset, User

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


def check_permissions(permissions: list[str]) -> list[str]:
    """Dataset-level permissions, each known, in the platform's order, each once."""
    for i, perm in enumerate(permissions):
        if perm not in DATASET_PERMISSIONS:
            hint = closest(perm, DATASET_PERMISSIONS) if isinstance(perm, str) else ""
            raise InvalidParameter(
                f"permissions[{i}]",
                f"expected one of {', '.join(DATASET_PERMISSIONS)}, got {perm!r}{hint}",
            )
    return sorted(set(permissions), key=DATASET_PERMISSIONS.index)
