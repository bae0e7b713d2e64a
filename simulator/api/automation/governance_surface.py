"""The Automation API's dataset security, versions, schedules and feedbacks over the
service: bodies read into commands, views written as the specification's objects.

A user ruleset is ``{security, permissions, user: {username}}`` and a group ruleset
``{security, permissions, group: {uid}}`` (the specification's order of keys);
``security`` is a ``DatasetSecurity``. A version is an entry of the dataset's change
log: ``{uid, sections, created_by, can_restore, created_at}``.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from ...domain.errors import InvalidParameter, UnknownChange, UnknownGroup, UnknownUsername
from ...domain.limits import as_boolean, echo
from ...domain.models import ALL_FIELDS, Change, Feedback, Schedule, User
from ...service import Simulator
from ...service.commands import Body, GroupRulesetSpec, RulesetSpec, ScheduleSpec
from ...service.views import GroupRulesetView, RulesetView
from . import requests as read
from .render import dataset_json

#: The keys of a ruleset's body (the target's key aside); ``security`` is a
#: ``DatasetSecurity``.
RULESET_KEYS = ("security", "permissions")
#: How many versions the platform keeps ("only the last 20 versions are stored").
VERSIONS_KEPT = 20
#: A version's uid: ``ch_`` and the change's number on six digits.
VERSION_UID = re.compile(r"ch_(\d{1,9})")
#: The change log's sections, in this API's words.
SECTIONS = {
    "dataset_id": "dataset_id",
    "metas": "metadata",
    "resources": "resources",
    "processors": "processors",
    "fields_specifications": "fields",
    "security": "security",
    "attachments": "attachments",
    "alternative_exports": "alternative_exports",
}


# reading ------------------------------------------------------------------------------


def _target(body: Any, key: str, name: str, path_name: str | None) -> str:
    """Whom a ruleset names: ``{key: {name: ...}}``; a path's name must agree with it."""
    given = read._object(body)
    read._known(given, (key, *RULESET_KEYS), (key, *RULESET_KEYS))
    raw = given.get(key)
    named: Any = None
    if raw is not None:
        if not isinstance(raw, dict) or set(raw) - {name}:
            raise InvalidParameter(key, f'expected {{"{name}": ...}}')
        named = raw.get(name)
        if not isinstance(named, str) or not named:
            raise InvalidParameter(key, f"expected a non-empty {name}")
    if path_name is None:
        if named is None:
            raise InvalidParameter(key, "this field is required")
        return str(named)
    if named is not None and named != path_name:
        raise InvalidParameter(
            key, f"the path names '{path_name}' but the body names {echo(named)}"
        )
    return path_name


def _rules(body: Any) -> tuple[bool, list[str], str, dict[str, Any] | None, list[str]]:
    given = read._object(body)
    raw = given.get("security")
    if raw is not None and not isinstance(raw, dict):
        raise InvalidParameter("security", "expected a DatasetSecurity object, or null")
    security = read.default_security(raw) or {}
    permissions = given.get("permissions", [])
    if permissions is None:
        permissions = []
    if not isinstance(permissions, list):
        raise InvalidParameter("permissions", "expected a list of permissions")
    return (
        security.get("is_data_visible", True),
        security.get("visible_fields", [ALL_FIELDS]),
        security.get("filter_query", ""),
        security.get("api_calls_quota"),
        list(permissions),
    )


def user_ruleset(body: Any, username: str | None = None) -> RulesetSpec:
    return RulesetSpec(_target(body, "user", "username", username), *_rules(body))


def group_ruleset(body: Any, group_uid: str | None = None) -> GroupRulesetSpec:
    return GroupRulesetSpec(_target(body, "group", "uid", group_uid), *_rules(body))


def change_number(version_uid: str) -> int:
    """The change a version's uid names; an uid of another form names none (404)."""
    match = VERSION_UID.fullmatch(version_uid)
    if match is None:
        raise UnknownChange(version_uid)
    return int(match.group(1))


def schedule(body: Any) -> ScheduleSpec:
    """``{"cron_schedule"}`` (``uid`` is read only: sent back and ignored)."""
    given = read._object(body)
    read._known(given, ("cron_schedule", "uid"), ("cron_schedule",))
    if "cron_schedule" not in given:
        raise InvalidParameter("cron_schedule", "this field is required")
    return ScheduleSpec(given["cron_schedule"])


#: The orders feedbacks may be listed in: by submission date, newest first by default.
FEEDBACK_SORTS = ("-created_at", "created_at")


def feedback_filters(
    is_archived: str | None, record_id: str | None, sort: str | None
) -> tuple[bool, str | None, bool]:
    """``is_archived`` (any spelling of a boolean; default false), ``record_id``, ``sort``."""
    archived = False
    if is_archived is not None:
        flag = as_boolean(is_archived)
        if flag is None:
            raise InvalidParameter(
                "is_archived", f"expected true or false, got {echo(is_archived)}"
            )
        archived = flag
    order = FEEDBACK_SORTS[0] if sort in (None, "") else sort
    if order not in FEEDBACK_SORTS:
        raise InvalidParameter(
            "sort", f"expected one of {', '.join(FEEDBACK_SORTS)}, got {echo(order)}"
        )
    return archived, record_id, order == "-created_at"


# writing ------------------------------------------------------------------------------


def _security_json(r: RulesetView | GroupRulesetView) -> dict[str, Any]:
    return {
        "is_data_visible": r.is_data_visible,
        "visible_fields": list(r.visible_fields),
        "filter_query": r.filter_query,
        "api_calls_quota": r.api_calls_quota,
    }


def user_ruleset_json(r: RulesetView) -> dict[str, Any]:
    return {
        "security": _security_json(r),
        "permissions": list(r.permissions),
        "user": {"username": r.username},
    }


def group_ruleset_json(r: GroupRulesetView) -> dict[str, Any]:
    return {
        "security": _security_json(r),
        "permissions": list(r.permissions),
        "group": {"uid": r.group_id},
    }


def schedule_json(s: Schedule) -> dict[str, Any]:
    return {"uid": s.schedule_uid, "cron_schedule": s.cron_schedule}


def version_uid(change_uid: int) -> str:
    return f"ch_{change_uid:06d}"


class Governance:
    """The operations of the tags Dataset security, versions, schedules, feedbacks."""

    def __init__(self, simulator: Simulator) -> None:
        self.simulator = simulator

    # security ---------------------------------------------------------------------------

    def list_user_rulesets(self, user: User, dataset_uid: str) -> list[dict[str, Any]]:
        return [user_ruleset_json(r) for r in self.simulator.security.rulesets(user, dataset_uid)]

    def get_user_ruleset(self, user: User, dataset_uid: str, username: str) -> dict[str, Any]:
        return user_ruleset_json(self.simulator.security.ruleset(user, dataset_uid, username))

    def create_user_ruleset(self, user: User, dataset_uid: str, body: Any) -> dict[str, Any]:
        try:
            made = self.simulator.security.create_ruleset(
                user, dataset_uid, Body(lambda: user_ruleset(body))
            )
        except UnknownUsername as exc:
            raise InvalidParameter("user", exc.message) from None
        return user_ruleset_json(made)

    def update_user_ruleset(
        self, user: User, dataset_uid: str, username: str, body: Any
    ) -> dict[str, Any]:
        done = self.simulator.security.replace_ruleset(
            user, dataset_uid, username, Body(lambda: user_ruleset(body, username))
        )
        return user_ruleset_json(done)

    def delete_user_ruleset(self, user: User, dataset_uid: str, username: str) -> None:
        self.simulator.security.delete_ruleset(user, dataset_uid, username)

    def list_group_rulesets(self, user: User, dataset_uid: str) -> list[dict[str, Any]]:
        found = self.simulator.security.group_rulesets(user, dataset_uid)
        return [group_ruleset_json(r) for r in found]

    def get_group_ruleset(self, user: User, dataset_uid: str, group_uid: str) -> dict[str, Any]:
        return group_ruleset_json(
            self.simulator.security.group_ruleset(user, dataset_uid, group_uid)
        )

    def create_group_ruleset(self, user: User, dataset_uid: str, body: Any) -> dict[str, Any]:
        try:
            made = self.simulator.security.create_group_ruleset(
                user, dataset_uid, Body(lambda: group_ruleset(body))
            )
        except UnknownGroup as exc:
            raise InvalidParameter("group", exc.message) from None
        return group_ruleset_json(made)

    def update_group_ruleset(
        self, user: User, dataset_uid: str, group_uid: str, body: Any
    ) -> dict[str, Any]:
        done = self.simulator.security.replace_group_ruleset(
            user, dataset_uid, group_uid, Body(lambda: group_ruleset(body, group_uid))
        )
        return group_ruleset_json(done)

    def delete_group_ruleset(self, user: User, dataset_uid: str, group_uid: str) -> None:
        self.simulator.security.delete_group_ruleset(user, dataset_uid, group_uid)

    # versions ---------------------------------------------------------------------------

    def _version_json(self, change: Change) -> dict[str, Any]:
        return {
            "uid": version_uid(change.change_uid),
            "sections": [SECTIONS.get(s, s) for s in change.sections],
            "created_by": {"username": change.user},
            "can_restore": True,
            "created_at": self.simulator.clock.iso(change.timestamp),
        }

    def list_versions(self, user: User, dataset_uid: str) -> list[dict[str, Any]]:
        """The last 20 versions, newest first."""
        changes = self.simulator.configuration.changes(user, dataset_uid)[-VERSIONS_KEPT:]
        return [self._version_json(c) for c in reversed(changes)]

    def get_version(self, user: User, dataset_uid: str, version: str) -> dict[str, Any]:
        for change in self.simulator.configuration.changes(user, dataset_uid)[-VERSIONS_KEPT:]:
            if version_uid(change.change_uid) == version:
                return self._version_json(change)
        raise UnknownChange(version)

    def restore_version(self, user: User, dataset_uid: str, version: str) -> dict[str, Any]:
        self.get_version(user, dataset_uid, version)  # only what the list shows
        done = self.simulator.configuration.restore_change(
            user, dataset_uid, Body(lambda: change_number(version))
        )
        return dataset_json(done, self.simulator.clock)

    # schedules --------------------------------------------------------------------------

    def list_schedules(self, user: User, dataset_uid: str) -> list[dict[str, Any]]:
        return [schedule_json(s) for s in self.simulator.schedules.list(user, dataset_uid)]

    def get_schedule(self, user: User, dataset_uid: str, schedule_uid: str) -> dict[str, Any]:
        return schedule_json(self.simulator.schedules.get(user, dataset_uid, schedule_uid))

    def create_schedule(self, user: User, dataset_uid: str, body: Any) -> dict[str, Any]:
        made = self.simulator.schedules.create(user, dataset_uid, Body(lambda: schedule(body)))
        return schedule_json(made)

    def update_schedule(
        self, user: User, dataset_uid: str, schedule_uid: str, body: Any
    ) -> dict[str, Any]:
        done = self.simulator.schedules.replace(
            user, dataset_uid, schedule_uid, Body(lambda: schedule(body))
        )
        return schedule_json(done)

    def delete_schedule(self, user: User, dataset_uid: str, schedule_uid: str) -> None:
        self.simulator.schedules.delete(user, dataset_uid, schedule_uid)

    # feedbacks --------------------------------------------------------------------------

    def _feedback_json(self, f: Feedback) -> dict[str, Any]:
        """The specification's example's order, ``created_at`` last."""
        return {
            "uid": f.feedback_uid,
            "record_id": f.record_id,
            "user": {"username": f.username},
            "comment": f.comment,
            "is_archived": f.is_archived,
            "values": f.values,
            "created_at": self._before_start(f.created),
        }

    def _before_start(self, t: float) -> str | None:
        """A time that may come before virtual second zero (a feedback the scenario gives)."""
        if t >= 0:
            return self.simulator.clock.iso(t)
        return (self.simulator.clock.epoch + timedelta(seconds=t)).isoformat(timespec="seconds")

    def list_feedbacks(
        self,
        user: User,
        dataset_uid: str,
        is_archived: str | None,
        record_id: str | None,
        sort: str | None,
    ) -> list[dict[str, Any]]:
        archived, record, newest_first = feedback_filters(is_archived, record_id, sort)
        found = self.simulator.feedbacks.list(user, dataset_uid, archived, record, newest_first)
        return [self._feedback_json(f) for f in found]

    def get_feedback(self, user: User, dataset_uid: str, feedback_uid: str) -> dict[str, Any]:
        return self._feedback_json(self.simulator.feedbacks.get(user, dataset_uid, feedback_uid))

    def archive_feedback(self, user: User, dataset_uid: str, feedback_uid: str) -> dict[str, Any]:
        done = self.simulator.feedbacks.archive(user, dataset_uid, feedback_uid)
        return self._feedback_json(done)
