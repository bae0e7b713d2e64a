"""The domain's pages, and the domain's own description (``GET /domain``).

Who may do what is the platform's page permissions: ``create_page`` to create,
``edit_page`` to edit or delete any page (a page's author edits it too), and
``manage_page`` to change the ``restricted`` flag. The list holds the pages the
caller may edit.
"""

from __future__ import annotations

import copy
import functools
from dataclasses import dataclass
from typing import Any

from ..domain import pages as rules
from ..domain.errors import (
    InvalidParameter,
    InvalidRequest,
    PermissionDenied,
    SimulatorError,
    UnknownPage,
)
from ..domain.limits import echo
from ..domain.models import User
from ..domain.pages import Page
from .commands import Body, PageFields
from .journal import mutation
from .operation import operation
from .state import State
from .views import UserView, user_view


@dataclass(frozen=True, slots=True)
class PageView:
    slug: str
    title: dict[str, str]
    description: str
    template: str
    content: dict[str, Any]
    tags: tuple[str, ...]
    restricted: bool
    created_at: float
    last_modified: float
    last_modified_user: UserView
    author: UserView


@dataclass(frozen=True, slots=True)
class PageList:
    #: How many pages match, all windows together.
    nhits: int
    items: tuple[PageView, ...]


@dataclass(frozen=True, slots=True)
class DomainView:
    domain_id: str
    properties: dict[str, Any]


class Pages:
    def __init__(self, state: State) -> None:
        self.state = state

    # the domain ------------------------------------------------------------------------

    @operation
    def domain(self, user: User) -> DomainView:
        """Any user of the domain may read it."""
        scenario = self.state.scenario
        return DomainView(scenario.platform.domain_id, copy.deepcopy(scenario.domain_properties))

    # pages -------------------------------------------------------------------------------

    @operation
    def listing(
        self,
        user: User,
        search: str = "",
        sort: tuple[tuple[str, bool], ...] = (),
        offset: int = 0,
        limit: int = 10,
    ) -> PageList:
        caller = self.state.caller(user)
        found = [
            page
            for page in self.state.store.pages.values()
            if rules.can_edit(caller, page) and (not search or rules.matches(page, search))
        ]
        for name, descending in reversed(sort):
            found.sort(key=functools.partial(rules.sort_key, name=name), reverse=descending)
        window = found[offset : offset + limit]
        return PageList(len(found), tuple(self._view(page) for page in window))

    @operation
    def get(self, user: User, slug: str) -> PageView:
        return self._view(self._editable(user, slug))

    @mutation
    def create_page(self, user: User, body: Body[PageFields]) -> PageView:
        state = self.state
        state.require(user, "create_page")
        fields = body()
        slug = rules.check_slug(fields.slug)
        if slug in state.store.pages:
            raise InvalidParameter("slug", f"a page with the slug '{slug}' already exists")
        if len(state.store.pages) >= rules.MAX_PAGES:
            raise InvalidParameter("slug", f"the domain has {rules.MAX_PAGES} pages, the most")
        title = rules.check_title(fields.title) if fields.title is not None else {"en": slug}
        page = Page(slug, title, author=user.username, last_modified_user=user.username)
        self._change(user, page, fields)
        page.created_at = page.last_modified = state.engine.now
        state.store.pages[slug] = page
        return self._view(page)

    @mutation
    def update_page(self, user: User, slug: str, body: Body[PageFields]) -> PageView:
        page = self._editable(user, slug)
        fields = body()
        if "slug" in fields.given and fields.slug != slug:
            raise InvalidParameter(
                "slug",
                f"a page keeps its slug: the path names '{slug}', the body {echo(fields.slug)}",
            )
        edited = copy.deepcopy(page)
        if "title" in fields.given:
            edited.title = rules.check_title(fields.title)
        self._change(user, edited, fields)
        edited.last_modified = self.state.engine.now
        edited.last_modified_user = user.username
        self.state.store.pages[slug] = edited
        return self._view(edited)

    @mutation
    def delete_page(self, user: User, slug: str) -> None:
        self._editable(user, slug)
        del self.state.store.pages[slug]

    @mutation
    def delete_pages(self, user: User, body: Body[list[str]]) -> tuple[PageView, ...]:
        """Delete several pages: every one is checked, every refusal reported, none deleted."""
        slugs = list(dict.fromkeys(body()))
        found: list[Page] = []
        errors: list[SimulatorError] = []
        for slug in slugs:
            try:
                found.append(self._editable(user, slug))
            except SimulatorError as exc:
                errors.append(exc)
        if errors:
            raise errors[0] if len(errors) == 1 else InvalidRequest(errors)
        for page in found:
            del self.state.store.pages[page.slug]
        return tuple(self._view(page) for page in found)

    # helpers -----------------------------------------------------------------------------

    def _editable(self, user: User, slug: str) -> Page:
        return editable_page(self.state, user, slug)

    def _change(self, user: User, page: Page, fields: PageFields) -> None:
        """Apply what the body gives (checked first), the ``restricted`` flag last."""
        given = set(fields.given)
        if "description" in given:
            page.description = rules.check_text("description", fields.description)
        if "template" in given:
            page.template = rules.check_template(fields.template)
        if "content" in given:
            page.content = copy.deepcopy(rules.check_content(fields.content))
        if "tags" in given:
            page.tags = rules.check_tags(fields.tags)
        if "restricted" in given:
            restricted = rules.check_restricted(fields.restricted)
            if restricted != page.restricted and not rules.can_manage(
                self.state.caller(user), page
            ):
                raise PermissionDenied(user.username, "manage_page")
            page.restricted = restricted

    def _view(self, page: Page) -> PageView:
        users = self.state.store.users
        return PageView(
            page.slug,
            dict(page.title),
            page.description,
            page.template,
            copy.deepcopy(page.content),
            tuple(page.tags),
            page.restricted,
            page.created_at,
            page.last_modified,
            user_view(page.last_modified_user, users),
            user_view(page.author, users),
        )


def editable_page(state: State, user: User, slug: str) -> Page:
    """The page, if it exists (404) and the user may edit it (403)."""
    page = state.store.pages.get(slug)
    if page is None:
        raise UnknownPage(slug)
    if not rules.can_edit(state.caller(user), page):
        raise PermissionDenied(user.username, "edit_page")
    return page
