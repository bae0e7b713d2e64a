"""The domain's people: its users, their groups, and the API keys they call with.

Users and groups are managed by holders of ``edit_domain`` (the platform describes it
as "including user and group management"). API keys are each user's own: anyone may
list and read theirs, and create, change or delete them with a password (never with a
key). A call made with a key holds only what the key and its owner both hold (see
:mod:`..domain.security`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Generic, TypeVar

from ..domain.errors import (
    ApiKeyUpdateEmpty,
    BadRequest,
    InvalidParameter,
    KeyManagementRefused,
    UnknownApiKey,
    UnknownGroup,
    UnknownUsername,
)
from ..domain.models import DEFAULT_KEY_PERMISSIONS, DOMAIN_PERMISSIONS, ApiKey, Group, User
from ..domain.security import check_domain_permissions
from ..domain.store import slugify
from .commands import ApiKeySpec, Body, GroupChanges, Invitation, Members, UserChanges
from .journal import mutation
from .operation import operation
from .state import State

#: What managing users and groups needs.
EDIT_DOMAIN = "edit_domain"
#: An e-mail address as the invitation takes it: something@domain.tld, no spaces.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class GroupView:
    group_id: str
    title: str
    user_count: int
    permissions: tuple[str, ...]
    quotas: dict[str, object]
    limits: dict[str, object]


@dataclass(frozen=True, slots=True)
class PersonView:
    """A user as the users endpoints show them."""

    username: str
    first_name: str
    last_name: str
    email: str
    permissions: tuple[str, ...]
    groups: tuple[GroupView, ...]
    date_joined: float
    quotas: dict[str, object]
    limits: dict[str, object]


@dataclass(frozen=True, slots=True)
class ApiKeyView:
    key: str
    label: str | None
    permissions: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: tuple[T, ...]
    total: int


def _ordered(permissions: frozenset[str] | tuple[str, ...]) -> tuple[str, ...]:
    return tuple(p for p in DOMAIN_PERMISSIONS if p in permissions)


def _group_view(group: Group) -> GroupView:
    return GroupView(
        group.group_id,
        group.title,
        len(group.usernames),
        _ordered(group.permissions),
        dict(group.quotas),
        dict(group.limits),
    )


def _check_object(value: object, where: str) -> dict[str, object]:
    if not isinstance(value, dict):
        raise InvalidParameter(where, "expected an object")
    return dict(value)


class Directory:
    def __init__(self, state: State) -> None:
        self.state = state

    # users ------------------------------------------------------------------------------

    def _person(self, user: User) -> PersonView:
        groups = self.state.store.groups_of(user.username)
        return PersonView(
            user.username,
            user.first_name,
            user.last_name,
            user.email,
            _ordered(user.permissions),
            tuple(_group_view(g) for g in groups),
            user.date_joined,
            dict(user.quotas),
            dict(user.limits),
        )

    def _user(self, caller: User, username: str) -> User:
        self.state.require(caller, EDIT_DOMAIN)
        found = self.state.store.users.get(username)
        if found is None:
            raise UnknownUsername(username)
        return found

    @operation
    def users(self, caller: User, offset: int, limit: int) -> Page[PersonView]:
        """The domain's users, in the order they joined."""
        self.state.require(caller, EDIT_DOMAIN)
        users = list(self.state.store.users.values())
        window = users[offset : offset + limit]
        return Page(tuple(self._person(u) for u in window), len(users))

    @operation
    def user(self, caller: User, username: str) -> PersonView:
        return self._person(self._user(caller, username))

    @mutation
    def invite_users(self, caller: User, body: Body[Invitation]) -> dict[str, str]:
        """Make a user of each new address: ``{address: outcome}``, as the platform says."""
        state = self.state
        state.require(caller, EDIT_DOMAIN)
        store = state.store
        outcome: dict[str, str] = {}
        for email in body().emails:
            if str(email) in outcome:
                continue  # named twice: its first answer stands
            if not isinstance(email, str) or not _EMAIL.match(email):
                outcome[str(email)] = "invalid-email"
            elif any(u.email.lower() == email.lower() for u in store.users.values()):
                outcome[email] = "already-member"
            else:
                username = _free_username(email, store.users)
                store.add_user(User(username, email=email, date_joined=state.engine.now))
                outcome[email] = f"success: {username}"
        return outcome

    @mutation
    def update_user(self, caller: User, username: str, body: Body[UserChanges]) -> PersonView:
        state = self.state
        user = self._user(caller, username)
        changes = body()
        store = state.store
        permissions = (
            None if changes.permissions is None else check_domain_permissions(changes.permissions)
        )
        group_ids: list[str] | None = None
        if changes.group_ids is not None:
            group_ids = []
            for i, group_id in enumerate(changes.group_ids):
                if group_id not in store.groups:
                    raise InvalidParameter(f"group_ids[{i}]", f"unknown group '{group_id}'")
                if group_id not in group_ids:
                    group_ids.append(group_id)
        quotas = None if changes.quotas is None else _check_object(changes.quotas, "quotas")
        limits = None if changes.limits is None else _check_object(changes.limits, "limits")
        self._keep_an_administrator(user, permissions, group_ids)
        if permissions is not None:
            user.permissions = frozenset(permissions)
        if group_ids is not None:
            for group in store.groups_of(username):  # the example replaces the groups
                if group.group_id not in group_ids:
                    store.set_members(group, tuple(u for u in group.usernames if u != username))
            for group_id in group_ids:
                group = store.groups[group_id]
                if username not in group.usernames:
                    store.set_members(group, (*group.usernames, username))
        if quotas is not None:
            user.quotas = quotas
        if limits is not None:
            user.limits = limits
        return self._person(user)

    @mutation
    def delete_user(self, caller: User, username: str) -> None:
        user = self._user(caller, username)
        self._keep_an_administrator(user, (), [])
        self.state.store.remove_user(username)

    def _keep_an_administrator(
        self, user: User, permissions: tuple[str, ...] | None, group_ids: list[str] | None
    ) -> None:
        """Refuse a change that leaves the domain without anyone holding ``edit_domain``."""
        store = self.state.store
        own = user.permissions if permissions is None else frozenset(permissions)
        ids = group_ids
        if ids is None:
            ids = [g.group_id for g in store.groups_of(user.username)]
        if EDIT_DOMAIN in own or any(EDIT_DOMAIN in store.groups[g].permissions for g in ids):
            return
        for other in store.users.values():
            if other.username != user.username and EDIT_DOMAIN in self.state.permissions(other):
                return
        if EDIT_DOMAIN not in self.state.permissions(user):
            return  # they were no administrator: nothing is lost
        raise BadRequest(
            "{username} is the only domain administrator left; give another user edit_domain first",
            username=user.username,
        )

    # groups -----------------------------------------------------------------------------

    def _group(self, caller: User, group_id: str) -> Group:
        self.state.require(caller, EDIT_DOMAIN)
        found = self.state.store.groups.get(group_id)
        if found is None:
            raise UnknownGroup(group_id)
        return found

    @operation
    def groups(self, caller: User, offset: int, limit: int) -> tuple[GroupView, ...]:
        self.state.require(caller, EDIT_DOMAIN)
        groups = list(self.state.store.groups.values())[offset : offset + limit]
        return tuple(_group_view(g) for g in groups)

    @operation
    def group(self, caller: User, group_id: str) -> GroupView:
        return _group_view(self._group(caller, group_id))

    @mutation
    def create_group(self, caller: User, body: Body[GroupChanges]) -> GroupView:
        """A group whose id is made from its title (``-2``, ``-3``... if taken)."""
        state = self.state
        state.require(caller, EDIT_DOMAIN)
        spec = body()
        title = spec.title
        if not isinstance(title, str) or not title.strip():
            raise InvalidParameter("title", "expected the group's title, a non-empty string")
        wanted = slugify(title)
        if not wanted:
            raise InvalidParameter("title", "expected a title with at least a letter or a digit")
        permissions = check_domain_permissions(spec.permissions or [])
        quotas = _check_object(spec.quotas or {}, "quotas")
        limits = _check_object(spec.limits or {}, "limits")
        groups = state.store.groups
        group_id, n = wanted, 2
        while group_id in groups:
            group_id, n = f"{wanted}-{n}", n + 1
        group = Group(group_id, title, frozenset(permissions), (), quotas, limits)
        state.store.add_group(group)
        return _group_view(group)

    @mutation
    def update_group(self, caller: User, group_id: str, body: Body[GroupChanges]) -> GroupView:
        """Its id stays when its title changes, as on the platform."""
        group = self._group(caller, group_id)
        spec = body()
        if spec.title is not None and (not isinstance(spec.title, str) or not spec.title.strip()):
            raise InvalidParameter("title", "expected a non-empty string")
        permissions = (
            None if spec.permissions is None else check_domain_permissions(spec.permissions)
        )
        quotas = None if spec.quotas is None else _check_object(spec.quotas, "quotas")
        limits = None if spec.limits is None else _check_object(spec.limits, "limits")
        if spec.title is not None:
            group.title = spec.title
        if permissions is not None:
            group.permissions = frozenset(permissions)
        if quotas is not None:
            group.quotas = quotas
        if limits is not None:
            group.limits = limits
        return _group_view(group)

    @mutation
    def delete_group(self, caller: User, group_id: str) -> None:
        """The group goes, and its rulesets on datasets with it."""
        self._group(caller, group_id)
        store = self.state.store
        store.remove_group(group_id)
        for ds in store.datasets.values():
            ds.group_rulesets.pop(group_id, None)

    @operation
    def members(self, caller: User, group_id: str, offset: int, limit: int) -> Page[User]:
        group = self._group(caller, group_id)
        users = self.state.store.users
        window = group.usernames[offset : offset + limit]
        return Page(tuple(users[u] for u in window), len(group.usernames))

    @mutation
    def add_members(self, caller: User, group_id: str, body: Body[Members]) -> dict[str, str]:
        """``{username: success | duplicate | error}``, as the platform answers."""
        group = self._group(caller, group_id)
        store = self.state.store
        outcome: dict[str, str] = {}
        added = list(group.usernames)
        for username in body().usernames:
            name = username if isinstance(username, str) else str(username)
            if not isinstance(username, str) or username not in store.users:
                outcome[name] = "error"
            elif username in added:
                outcome[name] = "duplicate"
            else:
                added.append(username)
                outcome[name] = "success"
        if len(added) != len(group.usernames):
            store.set_members(group, tuple(added))
        return outcome

    @mutation
    def remove_member(self, caller: User, group_id: str, username: str) -> None:
        group = self._group(caller, group_id)
        if username not in group.usernames:
            raise UnknownUsername(username)
        store = self.state.store
        store.set_members(group, tuple(u for u in group.usernames if u != username))

    # API keys ---------------------------------------------------------------------------

    def _key_view(self, api_key: ApiKey) -> ApiKeyView:
        permissions = api_key.permissions
        if permissions is None:  # a key a scenario named: everything its owner holds
            owner = self.state.store.users[api_key.username]
            return ApiKeyView(api_key.key, api_key.label, _ordered(self.state.permissions(owner)))
        return ApiKeyView(api_key.key, api_key.label, permissions)

    def _own_key(self, caller: User, key: str) -> ApiKey:
        found = self.state.store.api_keys.get(key)
        if found is None or found.username != caller.username:
            raise UnknownApiKey(key)
        return found

    @operation
    def api_keys(self, caller: User) -> tuple[ApiKeyView, ...]:
        """The caller's keys; called with a key, only that key."""
        store = self.state.store
        through = caller.via_key
        keys = (through,) if through is not None else store.users[caller.username].api_keys
        return tuple(self._key_view(store.api_keys[k]) for k in keys if k in store.api_keys)

    @operation
    def api_key(self, caller: User, key: str) -> ApiKeyView:
        if caller.via_key is not None and key != caller.via_key:
            raise UnknownApiKey(key)
        return self._key_view(self._own_key(caller, key))

    @mutation
    def create_api_key(self, caller: User, body: Body[ApiKeySpec]) -> ApiKeyView:
        if caller.via_key:
            raise KeyManagementRefused()
        spec = body()
        permissions = (
            DEFAULT_KEY_PERMISSIONS
            if spec.permissions is None
            else check_domain_permissions(spec.permissions)
        )
        store = self.state.store
        api_key = ApiKey(store.new_api_key(), caller.username, spec.label, permissions)
        store.add_key(api_key)
        return self._key_view(api_key)

    @mutation
    def update_api_key(self, caller: User, key: str, body: Body[ApiKeySpec]) -> ApiKeyView:
        api_key = self._own_key(caller, key)
        if caller.via_key:
            raise KeyManagementRefused()
        spec = body()
        if not spec.given:
            raise ApiKeyUpdateEmpty()
        permissions = (
            None if spec.permissions is None else check_domain_permissions(spec.permissions)
        )
        if "label" in spec.given:
            api_key.label = spec.label
        if permissions is not None:
            api_key.permissions = permissions
        return self._key_view(api_key)

    @mutation
    def delete_api_key(self, caller: User, key: str) -> None:
        self._own_key(caller, key)
        if caller.via_key:
            raise KeyManagementRefused()
        self.state.store.remove_key(key)


def _free_username(email: str, taken: dict[str, User]) -> str:
    """A username from the address's local part, with ``-2``, ``-3``... if taken."""
    local = re.sub(r"[^a-z0-9_.+-]+", "", email.partition("@")[0].lower()) or "user"
    username, n = local, 2
    while username in taken:
        username, n = f"{local}-{n}", n + 1
    return username
