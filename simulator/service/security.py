"""A dataset's security: its access policy, user and group rulesets, its default ruleset.

Every operation here needs ``edit_dataset`` and ``manage_dataset`` on the dataset, as
on the platform. Every edit is a configuration change, logged in the dataset's change
log under ``security``.
"""

from __future__ import annotations

import copy

from ..domain import history
from ..domain.errors import (
    BadRequest,
    InvalidParameter,
    UnknownGroup,
    UnknownGroupRuleset,
    UnknownRuleset,
    UnknownUsername,
)
from ..domain.limits import echo
from ..domain.models import Dataset, DefaultSecurity, GroupRuleset, Ruleset, User
from ..domain.security import ACCESS_POLICIES, check_default_permissions, check_permissions
from .commands import Body, DefaultSecuritySpec, GroupRulesetSpec, RulesetSpec
from .journal import mutation
from .operation import operation
from .state import State
from .views import (
    DefaultSecurityView,
    GroupRulesetView,
    RulesetView,
    default_security_view,
    group_ruleset_view,
    ruleset_view,
)

#: What the security endpoints need on the dataset.
MANAGE = ("edit_dataset", "manage_dataset")


class Security:
    def __init__(self, state: State) -> None:
        self.state = state

    def _dataset(self, user: User, dataset_uid: str) -> Dataset:
        return self.state.dataset(user, dataset_uid, *MANAGE)

    # the access policy -----------------------------------------------------------------

    @operation
    def access_policy(self, user: User, dataset_uid: str) -> str:
        return self._dataset(user, dataset_uid).visibility

    @mutation
    def set_access_policy(self, user: User, dataset_uid: str, policy: Body[str]) -> str:
        state = self.state
        ds = self._dataset(user, dataset_uid)
        wanted = policy()
        if wanted not in ACCESS_POLICIES:
            raise InvalidParameter(
                "access_policy", f"expected one of {', '.join(ACCESS_POLICIES)}, got {echo(wanted)}"
            )
        before = history.snapshot(ds)
        ds.visibility = wanted
        state.record(user, ds, before)
        return ds.visibility

    # user rulesets -----------------------------------------------------------------------

    @operation
    def rulesets(self, user: User, dataset_uid: str) -> tuple[RulesetView, ...]:
        """Every user ruleset, by ascending username (as the platform lists them)."""
        ds = self._dataset(user, dataset_uid)
        return tuple(ruleset_view(ds.rulesets[name]) for name in sorted(ds.rulesets))

    @operation
    def ruleset(self, user: User, dataset_uid: str, username: str) -> RulesetView:
        ds = self._dataset(user, dataset_uid)
        if username not in ds.rulesets:
            raise UnknownRuleset(username)
        return ruleset_view(ds.rulesets[username])

    @mutation
    def create_ruleset(self, user: User, dataset_uid: str, body: Body[RulesetSpec]) -> RulesetView:
        state = self.state
        ds = self._dataset(user, dataset_uid)
        ruleset = _ruleset(body())
        if ruleset.username not in state.store.users:
            raise UnknownUsername(ruleset.username)
        if ruleset.username in ds.rulesets:
            raise BadRequest(
                "User {username} already has a ruleset on this dataset; "
                "change it with PUT .../security/users/{username}",
                username=ruleset.username,
            )
        return self._put_ruleset(user, ds, ruleset)

    @mutation
    def replace_ruleset(
        self, user: User, dataset_uid: str, username: str, body: Body[RulesetSpec]
    ) -> RulesetView:
        state = self.state
        ds = self._dataset(user, dataset_uid)
        if username not in state.store.users:
            raise UnknownUsername(username)
        return self._put_ruleset(user, ds, _ruleset(body()))

    @mutation
    def delete_ruleset(self, user: User, dataset_uid: str, username: str) -> None:
        state = self.state
        ds = self._dataset(user, dataset_uid)
        if username not in ds.rulesets:
            raise UnknownRuleset(username)
        before = history.snapshot(ds)
        del ds.rulesets[username]
        state.record(user, ds, before)

    def _put_ruleset(self, user: User, ds: Dataset, ruleset: Ruleset) -> RulesetView:
        before = history.snapshot(ds)
        ds.rulesets[ruleset.username] = ruleset
        self.state.record(user, ds, before)
        return ruleset_view(ruleset)

    # group rulesets -----------------------------------------------------------------------

    @operation
    def group_rulesets(self, user: User, dataset_uid: str) -> tuple[GroupRulesetView, ...]:
        """Every group ruleset, by ascending group id."""
        ds = self._dataset(user, dataset_uid)
        rulesets = ds.group_rulesets
        return tuple(group_ruleset_view(rulesets[g]) for g in sorted(rulesets))

    @operation
    def group_ruleset(self, user: User, dataset_uid: str, group_id: str) -> GroupRulesetView:
        ds = self._dataset(user, dataset_uid)
        if group_id not in ds.group_rulesets:
            raise UnknownGroupRuleset(group_id)
        return group_ruleset_view(ds.group_rulesets[group_id])

    @mutation
    def create_group_ruleset(
        self, user: User, dataset_uid: str, body: Body[GroupRulesetSpec]
    ) -> GroupRulesetView:
        state = self.state
        ds = self._dataset(user, dataset_uid)
        ruleset = _group_ruleset(body())
        if ruleset.group_id not in state.store.groups:
            raise UnknownGroup(ruleset.group_id)
        if ruleset.group_id in ds.group_rulesets:
            raise BadRequest(
                "Group {group_id} already has a ruleset on this dataset; "
                "change it with PUT .../security/groups/{group_id}",
                group_id=ruleset.group_id,
            )
        return self._put_group_ruleset(user, ds, ruleset)

    @mutation
    def replace_group_ruleset(
        self, user: User, dataset_uid: str, group_id: str, body: Body[GroupRulesetSpec]
    ) -> GroupRulesetView:
        """Set a group's ruleset, whether it had one or not."""
        state = self.state
        ds = self._dataset(user, dataset_uid)
        if group_id not in state.store.groups:
            raise UnknownGroup(group_id)
        return self._put_group_ruleset(user, ds, _group_ruleset(body()))

    @mutation
    def delete_group_ruleset(self, user: User, dataset_uid: str, group_id: str) -> None:
        state = self.state
        ds = self._dataset(user, dataset_uid)
        if group_id not in ds.group_rulesets:
            raise UnknownGroupRuleset(group_id)
        before = history.snapshot(ds)
        del ds.group_rulesets[group_id]
        state.record(user, ds, before)

    def _put_group_ruleset(
        self, user: User, ds: Dataset, ruleset: GroupRuleset
    ) -> GroupRulesetView:
        before = history.snapshot(ds)
        ds.group_rulesets[ruleset.group_id] = ruleset
        self.state.record(user, ds, before)
        return group_ruleset_view(ruleset)

    # the default ruleset ------------------------------------------------------------------

    @operation
    def default_security(self, user: User, dataset_uid: str) -> DefaultSecurityView:
        return default_security_view(self._dataset(user, dataset_uid).default_security)

    @mutation
    def set_default_security(
        self, user: User, dataset_uid: str, body: Body[DefaultSecuritySpec]
    ) -> DefaultSecurityView:
        ds = self._dataset(user, dataset_uid)
        spec = body()
        check_default_permissions(spec.permissions)
        default = DefaultSecurity(
            spec.is_data_visible,
            list(spec.visible_fields),
            spec.filter_query,
            copy.deepcopy(spec.api_calls_quota),
        )
        return self._put_default(user, ds, default)

    @mutation
    def reset_default_security(self, user: User, dataset_uid: str) -> DefaultSecurityView:
        """Back to what a new dataset has: every field and record visible, no quota."""
        return self._put_default(user, self._dataset(user, dataset_uid), DefaultSecurity())

    def _put_default(
        self, user: User, ds: Dataset, default: DefaultSecurity
    ) -> DefaultSecurityView:
        before = history.snapshot(ds)
        ds.default_security = default
        self.state.record(user, ds, before)
        return default_security_view(default)


def _ruleset(spec: RulesetSpec) -> Ruleset:
    return Ruleset(
        spec.username,
        spec.is_data_visible,
        list(spec.visible_fields),
        spec.filter_query,
        copy.deepcopy(spec.api_calls_quota),
        check_permissions(spec.permissions),
    )


def _group_ruleset(spec: GroupRulesetSpec) -> GroupRuleset:
    return GroupRuleset(
        spec.group_id,
        spec.is_data_visible,
        list(spec.visible_fields),
        spec.filter_query,
        copy.deepcopy(spec.api_calls_quota),
        check_permissions(spec.permissions),
    )
