"""The domain's pages, as the Management API v2 documents them, and who may do what to them.

A page is named by its slug. Its ``title`` is an object of translations, its
``content`` an object the simulator keeps as given (``{"html": {lang: ...}, "css":
{lang: ...}}`` today, ``{"main": {"text": ...}}`` before 2019: clients still send both).
The page permissions are the platform's: ``create_page``, ``edit_page`` (every page),
``manage_page`` (the ``restricted`` flag) and ``explore_restricted_page``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .errors import InvalidParameter
from .limits import as_boolean, echo
from .security import Caller

#: The page permissions, as the platform names them.
PAGE_PERMISSIONS: tuple[str, ...] = (
    "create_page",
    "edit_page",
    "manage_page",
    "explore_restricted_page",
)

#: What a slug may be: letters, digits, ``-`` and ``_``, up to 100 characters.
SLUG_PATTERN = "^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$"
_SLUG = re.compile(SLUG_PATTERN)

#: The keys a client writes, in the documented order.
WRITABLE = ("slug", "title", "description", "template", "content", "tags", "restricted")
#: The keys the platform sets; a client sending a page back as read may keep them.
READ_ONLY = (
    "pushed_by_parent",
    "has_subdomain_copies",
    "created_at",
    "last_modified",
    "last_modified_user",
    "author",
)
#: The template of a page created without one.
DEFAULT_TEMPLATE = "custom.html"
#: Most pages a domain keeps; a creation beyond is refused.
MAX_PAGES = 10_000


@dataclass(slots=True)
class Page:
    slug: str
    title: dict[str, str]
    description: str = ""
    template: str = DEFAULT_TEMPLATE
    content: dict[str, Any] = field(default_factory=lambda: {"html": {}, "css": {}})
    tags: list[str] = field(default_factory=list)
    restricted: bool = False
    created_at: float = 0.0
    last_modified: float = 0.0
    last_modified_user: str = ""
    author: str = ""
    #: Page security rulesets by username, then by group id: ``{"permissions": [...],
    #: "created_at": t, "updated_at": t}``.
    user_rulesets: dict[str, dict[str, Any]] = field(default_factory=dict)
    group_rulesets: dict[str, dict[str, Any]] = field(default_factory=dict)


def check_slug(slug: Any) -> str:
    if not isinstance(slug, str) or not _SLUG.match(slug):
        raise InvalidParameter(
            "slug", f"expected letters, digits, '-' and '_' (up to 100), got {echo(slug)}"
        )
    return slug


def check_title(title: Any) -> dict[str, str]:
    """``{lang: text}``; a bare string is the title in English."""
    if isinstance(title, str):
        return {"en": title}
    if not isinstance(title, dict) or not all(isinstance(v, str) for v in title.values()):
        raise InvalidParameter("title", 'expected translations, e.g. {"en": "About"}')
    return dict(title)


def check_text(name: str, value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidParameter(name, f"expected a string, got {echo(value)}")
    return value


def check_template(value: Any) -> str:
    if value is None:
        return DEFAULT_TEMPLATE
    if not isinstance(value, str) or not value:
        raise InvalidParameter("template", f"expected a template's name, got {echo(value)}")
    return value


def check_content(value: Any) -> dict[str, Any]:
    if value is None:
        return {"html": {}, "css": {}}
    if not isinstance(value, dict):
        raise InvalidParameter(
            "content", 'expected an object, e.g. {"html": {"en": "..."}, "css": {"en": ""}}'
        )
    return value


def check_tags(value: Any) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(t, str) for t in value):
        raise InvalidParameter("tags", f"expected a list of strings, got {echo(value)}")
    return list(value)


def check_restricted(value: Any) -> bool:
    flag = as_boolean(value)
    if flag is None:
        raise InvalidParameter("restricted", f"expected true or false, got {echo(value)}")
    return flag


#: What a page security ruleset may grant.
RULESET_PERMISSIONS: tuple[str, ...] = ("edit_page", "manage_page")


def page_rights(caller: Caller, page: Page) -> frozenset[str]:
    """The caller's page permissions on this page: the domain's, then the rulesets'."""
    held = set(caller.permissions)
    own = page.user_rulesets.get(caller.user.username)
    if own is not None:
        held.update(own["permissions"])
    for group_id in caller.group_ids:
        ruleset = page.group_rulesets.get(group_id)
        if ruleset is not None:
            held.update(ruleset["permissions"])
    return frozenset(held)


def can_edit(caller: Caller, page: Page) -> bool:
    """``edit_page`` (on the domain or the page) edits it; so does its author."""
    return "edit_page" in page_rights(caller, page) or page.author == caller.user.username


def can_manage(caller: Caller, page: Page) -> bool:
    """``manage_page`` (on the domain or the page) changes its security."""
    return "manage_page" in page_rights(caller, page)


def check_ruleset_permissions(value: Any) -> list[str]:
    if not isinstance(value, list) or not all(p in RULESET_PERMISSIONS for p in value):
        raise InvalidParameter(
            "permissions",
            f"expected a list of {', '.join(RULESET_PERMISSIONS)}, got {echo(value)}",
        )
    return list(dict.fromkeys(value))


def matches(page: Page, search: str) -> bool:
    """Whether the words searched all appear in the title, slug, description or tags."""
    text = " ".join((page.slug, *page.title.values(), page.description, *page.tags)).casefold()
    return all(word in text for word in search.casefold().split())


#: What a page list may be sorted on.
SORT_FIELDS = ("slug", "title", "description", "template", "created_at", "last_modified")


def sort_key(page: Page, name: str) -> Any:
    if name == "title":
        return next(iter(page.title.values()), "")
    return getattr(page, name)
