"""The Automation API's users, user groups and API keys, over the same directory
service as the Management API v2's: one domain, two surfaces.

Each view's endpoint is its operation's id in the specification.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Response, g, jsonify, request

from ...domain.errors import InvalidParameter, UnknownApiKey
from ...domain.limits import echo
from ...domain.metadata import closest
from ...domain.models import User
from ...domain.security import check_domain_permissions
from ...service import Simulator
from ...service.commands import ApiKeySpec, Body, GroupChanges, Invitation, Members, UserChanges
from ...service.directory import ApiKeyView, GroupView, PersonView
from ..app_context import simulator
from ..reading import json_body
from .common import created, make_blueprint, no_content
from .paging import page, window

blueprint = make_blueprint("automation_directory")

USER = "/users/<username>"
GROUP = "/groups/<group_uid>"
APIKEY = "/apikeys/<apikey_uid>"
#: No bound on how many a listing takes from the service: the directory is bounded.
EVERYONE = 1_000_000
REQUIRED = "This field is required."
#: The keys of a ``User`` a client may send back as read: taken and ignored.
USER_READ_ONLY = (
    "display_name",
    "is_active",
    "is_ods",
    "account_type",
    "joined_at",
    "last_seen_at",
    "last_login_at",
    "expires_at",
    "gravatar_url",
    "identity_providers",
)
#: The keys of a ``User`` the service keeps but a change cannot touch.
USER_FIXED = ("username", "email", "first_name", "last_name")
USER_WRITABLE = ("permissions", "groups", "explore_limits", "management_limits")
GROUP_READ_ONLY = ("uid", "user_count", "created_at", "updated_at", "created_by", "updated_by")
GROUP_WRITABLE = ("title", "description", "permissions", "explore_limits", "management_limits")
APIKEY_READ_ONLY = ("uid", "key", "created_at", "user", "revocation_status", "is_revoked")
APIKEY_WRITABLE = ("label", "permissions")
#: The sorts of the group list (``-`` first: descending); those the simulator keeps
#: nothing for leave the order as it is.
GROUP_SORTS = (
    "created_at",
    "updated_at",
    "created_by__username",
    "updated_by__username",
    "user_count",
    "group__title",
)
EXPORT_COLUMNS = (
    "username",
    "last_name",
    "first_name",
    "email",
    "date_joined",
    "last_seen",
    "groups",
    "permissions",
)


#: The Management API's names of fields, in this API's words.
RENAMED = {"group_ids": "groups", "quotas": "explore_limits", "limits": "management_limits"}


@contextmanager
def _in_own_words() -> Iterator[None]:
    """Refusals named as this API names the fields (``groups``, not ``group_ids``)."""
    try:
        yield
    except InvalidParameter as exc:
        name = str(exc.raw_params.get("parameter", ""))
        head, bracket, rest = name.partition("[")
        if head not in RENAMED:
            raise
        reason = str(exc.raw_params.get("reason", ""))
        raise InvalidParameter(RENAMED[head] + bracket + rest, reason) from None


def _object(body: Any) -> dict[str, Any]:
    if body is None:
        return {}
    if not isinstance(body, dict):
        raise InvalidParameter("body", f"expected a JSON object, got {type(body).__name__}")
    return body


def _known(body: dict[str, Any], writable: tuple[str, ...], ignored: tuple[str, ...]) -> None:
    for key in body:
        if key not in writable and key not in ignored:
            raise InvalidParameter(
                str(key),
                f"unknown field{closest(str(key), writable)}; writable: {', '.join(writable)}",
            )


def _limits(body: dict[str, Any], key: str) -> dict[str, Any] | None:
    value = body.get(key)
    if value is None:
        return None
    if not isinstance(value, dict):
        raise InvalidParameter(key, f"expected a JSON object, got {echo(value)}")
    return value


def _group_uids(value: Any) -> list[str]:
    """``[{"uid": ...}]`` (a bare uid is taken too)."""
    if not isinstance(value, list):
        raise InvalidParameter("groups", f'expected a list of {{"uid": ...}}, got {echo(value)}')
    out: list[str] = []
    for i, item in enumerate(value):
        uid = item.get("uid") if isinstance(item, dict) else item
        if not isinstance(uid, str):
            raise InvalidParameter(f"groups[{i}]", f'expected {{"uid": ...}}, got {echo(item)}')
        out.append(uid)
    return out


def user_changes(body: Any, current: PersonView) -> UserChanges:
    given = _object(body)
    _known(given, (*USER_WRITABLE, *USER_FIXED), USER_READ_ONLY)
    for key in USER_FIXED:
        if key in given and given[key] != getattr(current, key):
            raise InvalidParameter(key, f"cannot be changed here, got {echo(given[key])}")
    groups = None if given.get("groups") is None else _group_uids(given["groups"])
    permissions = given.get("permissions")
    return UserChanges(
        group_ids=groups,
        permissions=permissions,
        quotas=_limits(given, "explore_limits"),
        limits=_limits(given, "management_limits"),
    )


def group_changes(body: Any, creating: bool) -> GroupChanges:
    given = _object(body)
    _known(given, GROUP_WRITABLE, GROUP_READ_ONLY)
    if creating and given.get("title") is None:
        raise InvalidParameter("title", REQUIRED)
    description = given.get("description")
    if description is not None and not isinstance(description, str):
        raise InvalidParameter("description", f"expected a string, got {echo(description)}")
    return GroupChanges(
        title=given.get("title"),
        permissions=given.get("permissions"),
        quotas=_limits(given, "explore_limits"),
        limits=_limits(given, "management_limits"),
    )


def api_key_spec(body: Any) -> ApiKeySpec:
    given = _object(body)
    _known(given, APIKEY_WRITABLE, APIKEY_READ_ONLY)
    label = given.get("label")
    if label is not None and (not isinstance(label, str) or len(label) > 255):
        raise InvalidParameter("label", f"expected a string (255 characters), got {echo(label)}")
    return ApiKeySpec(
        label=label,
        permissions=given.get("permissions"),
        given=[k for k in APIKEY_WRITABLE if k in given],
    )


def _form_or_json() -> Any:
    """A body as JSON, or as a form (a real client changes a group with form fields)."""
    if request.mimetype == "application/x-www-form-urlencoded":
        form = request.form
        return {k: form.getlist(k) if k == "permissions" else form[k] for k in form}
    return json_body()


# the answers ---------------------------------------------------------------------------------


def user_json(person: PersonView, clock: Any) -> dict[str, Any]:
    """A user, the specification's keys in its order; groups as ``[{"uid"}]``."""
    display = f"{person.first_name} {person.last_name}".strip() or person.username
    return {
        "username": person.username,
        "display_name": display,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "is_active": True,
        "email": person.email,
        "is_ods": False,
        "account_type": "local",
        "permissions": list(person.permissions),
        "joined_at": clock.iso(person.date_joined),
        "last_seen_at": None,
        "last_login_at": None,
        "expires_at": None,
        "explore_limits": dict(person.quotas),
        "management_limits": dict(person.limits),
        "gravatar_url": _gravatar(person.email),
        "groups": [{"uid": group.group_id} for group in person.groups],
        "identity_providers": [],
    }


def _gravatar(email: str) -> str:
    digest = hashlib.md5(email.strip().lower().encode(), usedforsecurity=False).hexdigest()
    return f"https://www.gravatar.com/avatar/{digest}?d=mp"


def group_json(group: GroupView) -> dict[str, Any]:
    return {
        "uid": group.group_id,
        "title": group.title,
        "description": "",
        "user_count": group.user_count,
        "permissions": list(group.permissions),
        "explore_limits": dict(group.quotas),
        "management_limits": dict(group.limits),
    }


def api_key_uid(key: str) -> str:
    """An API key's uid: ``ak_`` and six characters that follow from the key."""
    digest = hashlib.sha256(f"apikey:{key}".encode()).digest()
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
    return "ak_" + "".join(alphabet[b % len(alphabet)] for b in digest[:6])


def api_key_json(api_key: ApiKeyView, username: str) -> dict[str, Any]:
    return {
        "uid": api_key_uid(api_key.key),
        "label": api_key.label or "",
        "key": api_key.key,
        "permissions": list(api_key.permissions),
        "user": {"username": username},
        "revocation_status": None,
        "is_revoked": False,
    }


# the operations ------------------------------------------------------------------------------


class AutomationDirectory:
    def __init__(self, sim: Simulator) -> None:
        self.simulator = sim
        self.service = sim.directory

    def _user(self, person: PersonView) -> dict[str, Any]:
        return user_json(person, self.simulator.clock)

    # users

    def users(self, caller: User, search: str | None) -> list[dict[str, Any]]:
        people = self.service.users(caller, 0, EVERYONE).items
        if search:
            needle = search.lower()
            people = tuple(
                p
                for p in people
                if any(
                    needle in v.lower() for v in (p.username, p.email, p.first_name, p.last_name)
                )
            )
        return [self._user(p) for p in people]

    def user(self, caller: User, username: str) -> dict[str, Any]:
        return self._user(self.service.user(caller, username))

    def update_user(self, caller: User, username: str, body: Any) -> dict[str, Any]:
        current = self.service.user(caller, username)
        with _in_own_words():
            done = self.service.update_user(
                caller, username, Body(lambda: user_changes(body, current))
            )
        return self._user(done)

    def delete_user(self, caller: User, username: str) -> None:
        self.service.delete_user(caller, username)

    def export(self, caller: User, delimiter: str) -> str:
        people = self.service.users(caller, 0, EVERYONE).items
        out = io.StringIO()
        writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
        writer.writerow(EXPORT_COLUMNS)
        clock = self.simulator.clock
        for p in people:
            writer.writerow(
                [
                    p.username,
                    p.last_name,
                    p.first_name,
                    p.email,
                    clock.iso(p.date_joined),
                    "",
                    ";".join(group.group_id for group in p.groups),
                    ";".join(p.permissions),
                ]
            )
        return out.getvalue()

    def invite(self, caller: User, body: Any) -> dict[str, Any]:
        """Each item's outcome by its position: the user made, or why not."""
        items = [body] if isinstance(body, dict) else body
        if not isinstance(items, list) or not items:
            raise InvalidParameter("body", 'expected a list of users, e.g. [{"email": ...}]')
        if len(items) > 1000:
            raise InvalidParameter("body", "expected at most 1000 users at once")
        emails: list[Any] = []
        known = {group.group_id for group in self.service.groups(caller, 0, EVERYONE)}
        for i, item in enumerate(items):
            if not isinstance(item, dict) or "email" not in item:
                raise InvalidParameter(f"{i}.email", REQUIRED)
            _known(item, ("email", *USER_WRITABLE, "username", "first_name", "last_name"), ())
            for uid in [] if item.get("groups") is None else _group_uids(item["groups"]):
                if uid not in known:
                    raise InvalidParameter(f"{i}.groups", f"unknown group {echo(uid)}")
            if item.get("permissions") is not None:
                check_domain_permissions(item["permissions"], f"{i}.permissions")
            emails.append(item["email"])
        outcome = self.service.invite_users(caller, Body(lambda: Invitation(emails)))
        answer: dict[str, Any] = {}
        for i, (item, email) in enumerate(zip(items, emails, strict=True)):
            said = outcome.get(str(email), "invalid-email")
            if not said.startswith("success: "):
                answer[str(i)] = {"status_code": "error", "error": said}
                continue
            username = said.removeprefix("success: ")
            extra = {k: item[k] for k in ("groups", "permissions") if item.get(k) is not None}
            if extra:
                person = self.service.user(caller, username)
                changes = user_changes(extra, person)  # checked before the invitation
                person = self.service.update_user(caller, username, Body.of(changes))
            else:
                person = self.service.user(caller, username)
            answer[str(i)] = {"status_code": "success", "data": self._user(person)}
        return answer

    # groups

    def groups(self, caller: User, search: str | None, sort: str | None) -> list[dict[str, Any]]:
        found = list(self.service.groups(caller, 0, EVERYONE))
        if search:
            needle = search.lower()
            found = [g for g in found if needle in g.group_id.lower() or needle in g.title.lower()]
        for key in reversed([k for k in (sort or "").split(",") if k]):
            name = key.removeprefix("-")
            if name not in GROUP_SORTS:
                raise InvalidParameter(
                    "sort", f"unknown sort {echo(key)}{closest(name, GROUP_SORTS)}"
                )
            if name == "group__title":
                found.sort(key=lambda g: g.title.lower(), reverse=key.startswith("-"))
            elif name == "user_count":
                found.sort(key=lambda g: g.user_count, reverse=key.startswith("-"))
        return [group_json(g) for g in found]

    def group(self, caller: User, uid: str) -> dict[str, Any]:
        return group_json(self.service.group(caller, uid))

    def create_group(self, caller: User, body: Any) -> dict[str, Any]:
        with _in_own_words():
            made = self.service.create_group(caller, Body(lambda: group_changes(body, True)))
        return group_json(made)

    def update_group(self, caller: User, uid: str, body: Any) -> dict[str, Any]:
        with _in_own_words():
            done = self.service.update_group(caller, uid, Body(lambda: group_changes(body, False)))
        return group_json(done)

    def delete_group(self, caller: User, uid: str) -> None:
        self.service.delete_group(caller, uid)

    def members(self, caller: User, uid: str) -> list[dict[str, Any]]:
        found = self.service.members(caller, uid, 0, EVERYONE).items
        return [self.user(caller, u.username) for u in found]

    def add_member(self, caller: User, uid: str, body: Any) -> dict[str, Any]:
        self.service.group(caller, uid)  # an unknown group is a 404 first
        given = _object(body)
        _known(given, ("username",), ())
        username = given.get("username")
        if not isinstance(username, str):
            raise InvalidParameter("username", REQUIRED)
        members = {u.username for u in self.service.members(caller, uid, 0, EVERYONE).items}
        people = {p.username for p in self.service.users(caller, 0, EVERYONE).items}
        if username not in people:
            raise InvalidParameter("username", f"unknown user {echo(username)}")
        if username in members:
            raise InvalidParameter("username", f"{username} is already a member of the group")
        self.service.add_members(caller, uid, Body(lambda: Members([username])))
        return self.user(caller, username)

    def add_members(self, caller: User, uid: str, body: Any) -> dict[str, Any]:
        self.service.group(caller, uid)
        if not isinstance(body, list) or len(body) > 1000:
            raise InvalidParameter("body", 'expected a list of {"username": ...} (1000 at most)')
        names = [item.get("username") if isinstance(item, dict) else item for item in body]
        outcome = self.service.add_members(caller, uid, Body(lambda: Members(names)))
        answer: dict[str, Any] = {}
        for i, name in enumerate(names):
            said = outcome.get(name if isinstance(name, str) else str(name), "error")
            if said == "error" or not isinstance(name, str):
                answer[str(i)] = {"status_code": "error", "error": f"unknown user {echo(name)}"}
            else:
                answer[str(i)] = {"status_code": "success", "data": self.user(caller, name)}
        return answer

    def remove_member(self, caller: User, uid: str, username: str) -> None:
        self.service.remove_member(caller, uid, username)

    # API keys

    def _key(self, caller: User, uid: str) -> ApiKeyView:
        for view in self.service.api_keys(caller):
            if api_key_uid(view.key) == uid:
                return view
        raise UnknownApiKey(uid)

    def api_keys(self, caller: User) -> list[dict[str, Any]]:
        return [api_key_json(k, caller.username) for k in self.service.api_keys(caller)]

    def api_key(self, caller: User, uid: str) -> dict[str, Any]:
        return api_key_json(self._key(caller, uid), caller.username)

    def create_api_key(self, caller: User, body: Any) -> dict[str, Any]:
        made = self.service.create_api_key(caller, Body(lambda: api_key_spec(body)))
        return api_key_json(made, caller.username)

    def update_api_key(self, caller: User, uid: str, body: Any) -> dict[str, Any]:
        key = self._key(caller, uid).key
        done = self.service.update_api_key(caller, key, Body(lambda: api_key_spec(body)))
        return api_key_json(done, caller.username)


def directory() -> AutomationDirectory:
    return AutomationDirectory(simulator())


def _listed(results: list[Any]) -> Response:
    at = window()
    return jsonify(page(results[at.offset : at.offset + at.limit], len(results), at))


@blueprint.get("/users", endpoint="get-users")
def get_users() -> Response:
    window()  # bad paging is refused first
    return _listed(directory().users(g.user, request.args.get("search")))


@blueprint.get("/users/export", endpoint="users-export")
def users_export() -> Response:
    delimiter = request.args.get("delimiter", ",")
    if len(delimiter) != 1 or delimiter in '\r\n"':
        raise InvalidParameter("delimiter", f"expected one character, got {echo(delimiter)}")
    return Response(directory().export(g.user, delimiter), mimetype="text/csv")


@blueprint.post("/users/invite", endpoint="invite-users")
def invite_users() -> Response:
    return jsonify(directory().invite(g.user, json_body()))


@blueprint.get(USER, endpoint="get-user")
def get_user(username: str) -> Response:
    return jsonify(directory().user(g.user, username))


@blueprint.put(USER, endpoint="update-user")
def update_user(username: str) -> Response:
    return jsonify(directory().update_user(g.user, username, json_body()))


@blueprint.delete(USER, endpoint="delete-user")
def delete_user(username: str) -> Response:
    directory().delete_user(g.user, username)
    return no_content()


@blueprint.get("/groups", endpoint="list-user-groups")
def list_user_groups() -> Response:
    window()
    args = request.args
    return _listed(directory().groups(g.user, args.get("search"), args.get("sort")))


@blueprint.post("/groups", endpoint="create-user-group")
def create_user_group() -> tuple[Response, int]:
    return created(directory().create_group(g.user, _form_or_json()))


@blueprint.get(GROUP, endpoint="retrieve-user-group")
def retrieve_user_group(group_uid: str) -> Response:
    return jsonify(directory().group(g.user, group_uid))


@blueprint.put(GROUP, endpoint="update-user-group")
def update_user_group(group_uid: str) -> Response:
    return jsonify(directory().update_group(g.user, group_uid, _form_or_json()))


@blueprint.delete(GROUP, endpoint="delete-user-group")
def delete_user_group(group_uid: str) -> Response:
    directory().delete_group(g.user, group_uid)
    return no_content()


@blueprint.get(f"{GROUP}/users", endpoint="list-users-of-a-user-group")
def list_users_of_a_user_group(group_uid: str) -> Response:
    window()
    return _listed(directory().members(g.user, group_uid))


@blueprint.post(f"{GROUP}/users", endpoint="add-user-to-user-group")
def add_user_to_user_group(group_uid: str) -> tuple[Response, int]:
    return created(directory().add_member(g.user, group_uid, json_body()))


@blueprint.post(f"{GROUP}/users/batch", endpoint="batch-add-users-to-user-group")
def batch_add_users_to_user_group(group_uid: str) -> Response:
    return jsonify(directory().add_members(g.user, group_uid, json_body()))


@blueprint.delete(f"{GROUP}/users/<username>", endpoint="delete-user-of-a-user-group")
def delete_user_of_a_user_group(group_uid: str, username: str) -> Response:
    directory().remove_member(g.user, group_uid, username)
    return no_content()


@blueprint.get("/apikeys", endpoint="get-apikeys")
def get_apikeys() -> Response:
    window()
    return _listed(directory().api_keys(g.user))


@blueprint.post("/apikeys", endpoint="post-apikeys")
def post_apikeys() -> tuple[Response, int]:
    return created(directory().create_api_key(g.user, json_body()))


@blueprint.get(APIKEY, endpoint="get-apikey")
def get_apikey(apikey_uid: str) -> Response:
    return jsonify(directory().api_key(g.user, apikey_uid))


@blueprint.put(APIKEY, endpoint="put-apikeys-apikey_uid")
def put_apikey(apikey_uid: str) -> Response:
    return jsonify(directory().update_api_key(g.user, apikey_uid, json_body()))
