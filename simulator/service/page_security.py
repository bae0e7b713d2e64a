"""A page's security: rulesets that give a user or a group ``edit_page`` or ``manage_page``.

Reading and changing them needs ``manage_page``, on the domain or through a ruleset on
the page. ``kind`` is ``user`` or ``group``: the same rules hold for both.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..domain import pages as rules
from ..domain.errors import (
    BadRequest,
    PermissionDenied,
    UnknownGroup,
    UnknownPage,
    UnknownPageRuleset,
    UnknownUsername,
)
from ..domain.models import User
from ..domain.pages import Page
from .commands import Body, PageRulesetSpec
from .journal import mutation
from .operation import operation
from .state import State
from .views import UserView, user_view


@dataclass(frozen=True, slots=True)
class PageRulesetView:
    kind: str
    #: The user (a user ruleset) or the group id (a group ruleset) it names.
    user: UserView | None
    group_id: str | None
    permissions: tuple[str, ...]
    created_at: float
    updated_at: float
    slug: str


class PageSecurity:
    def __init__(self, state: State) -> None:
        self.state = state

    @operation
    def page_rulesets(self, user: User, slug: str, kind: str) -> tuple[PageRulesetView, ...]:
        """Every ruleset of this kind, by ascending name."""
        page = self._managed(user, slug)
        found = _rulesets(page, kind)
        return tuple(self._view(page, kind, name) for name in sorted(found))

    @operation
    def page_ruleset(self, user: User, slug: str, kind: str, name: str) -> PageRulesetView:
        page = self._managed(user, slug)
        if name not in _rulesets(page, kind):
            raise UnknownPageRuleset(kind, name)
        return self._view(page, kind, name)

    @mutation
    def create_page_ruleset(
        self, user: User, slug: str, kind: str, body: Body[PageRulesetSpec]
    ) -> PageRulesetView:
        page = self._managed(user, slug)
        spec = body()
        self._known(kind, spec.target)
        if spec.target in _rulesets(page, kind):
            raise BadRequest(
                "The {kind} {name} already has a ruleset on this page; "
                "change it with PUT .../security/{kind}s/{name}",
                kind=kind,
                name=spec.target,
            )
        return self._put(page, kind, spec)

    @mutation
    def replace_page_ruleset(
        self, user: User, slug: str, kind: str, name: str, body: Body[PageRulesetSpec]
    ) -> PageRulesetView:
        page = self._managed(user, slug)
        self._known(kind, name)
        return self._put(page, kind, body())

    @mutation
    def delete_page_ruleset(self, user: User, slug: str, kind: str, name: str) -> None:
        page = self._managed(user, slug)
        found = _rulesets(page, kind)
        if name not in found:
            raise UnknownPageRuleset(kind, name)
        del found[name]

    # helpers -----------------------------------------------------------------------------

    def _managed(self, user: User, slug: str) -> Page:
        page = self.state.store.pages.get(slug)
        if page is None:
            raise UnknownPage(slug)
        if not rules.can_manage(self.state.caller(user), page):
            raise PermissionDenied(user.username, "manage_page")
        return page

    def _known(self, kind: str, name: str) -> None:
        store = self.state.store
        if kind == "user" and name not in store.users:
            raise UnknownUsername(name)
        if kind == "group" and name not in store.groups:
            raise UnknownGroup(name)

    def _put(self, page: Page, kind: str, spec: PageRulesetSpec) -> PageRulesetView:
        permissions = rules.check_ruleset_permissions(spec.permissions)
        now = self.state.engine.now
        found = _rulesets(page, kind)
        before = found.get(spec.target)
        created = now if before is None else before["created_at"]
        found[spec.target] = {"permissions": permissions, "created_at": created, "updated_at": now}
        return self._view(page, kind, spec.target)

    def _view(self, page: Page, kind: str, name: str) -> PageRulesetView:
        ruleset: dict[str, Any] = _rulesets(page, kind)[name]
        return PageRulesetView(
            kind,
            user_view(name, self.state.store.users) if kind == "user" else None,
            name if kind == "group" else None,
            tuple(ruleset["permissions"]),
            ruleset["created_at"],
            ruleset["updated_at"],
            page.slug,
        )


def _rulesets(page: Page, kind: str) -> dict[str, dict[str, Any]]:
    return page.user_rulesets if kind == "user" else page.group_rulesets
