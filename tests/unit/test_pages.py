"""The page rules: who may edit or manage a page, what a search finds, and pages in scenarios."""

from __future__ import annotations

import pytest

from simulator.domain.errors import InvalidParameter
from simulator.domain.models import Group, User
from simulator.domain.pages import (
    Page,
    can_edit,
    can_manage,
    check_ruleset_permissions,
    check_title,
    matches,
)
from simulator.domain.security import Caller
from simulator.scenario.loading import ScenarioError
from tests.conftest import scenario_from

ANA = User("ana")
EDITORS = Group("editors", "Editors", frozenset(), ("ana",))


def test_the_author_and_edit_page_holders_edit_a_page() -> None:
    page = Page("about", {"en": "About"}, author="bo")
    assert not can_edit(Caller.of(ANA), page)
    assert can_edit(Caller.of(User("bo")), page)
    assert can_edit(Caller.of(User("ed", permissions=frozenset({"edit_page"}))), page)


def test_a_ruleset_of_the_user_or_of_a_group_gives_its_permissions_on_that_page_only() -> None:
    page = Page("about", {"en": "About"})
    other = Page("news", {"en": "News"})
    page.group_rulesets["editors"] = {"permissions": ["edit_page"]}
    member = Caller.of(ANA, [EDITORS])
    assert can_edit(member, page) and not can_edit(member, other)
    assert not can_manage(member, page)
    page.user_rulesets["ana"] = {"permissions": ["manage_page"]}
    assert can_manage(member, page) and not can_manage(member, other)


def test_a_search_needs_every_word_in_the_title_slug_description_or_tags() -> None:
    page = Page("about-us", {"en": "Who we are"}, description="The team", tags=["Info"])
    assert matches(page, "team info")
    assert matches(page, "ABOUT")
    assert not matches(page, "team budget")


def test_titles_and_ruleset_permissions_are_checked() -> None:
    assert check_title("About") == {"en": "About"}
    with pytest.raises(InvalidParameter):
        check_title({"en": 1})
    assert check_ruleset_permissions(["edit_page", "edit_page"]) == ["edit_page"]
    with pytest.raises(InvalidParameter):
        check_ruleset_permissions(["edit_dataset"])


def test_a_scenario_gives_pages_and_domain_properties() -> None:
    s = scenario_from(
        """
        users: [{username: ana}, {username: bo}]
        domain: {properties: {metadata.themes: [{id: t1, labels: {en: Water}}]}}
        pages: [{slug: about, author: bo}, {slug: news, title: {fr: Nouvelles}}]
        """
    )
    assert s.domain_properties == {"metadata.themes": [{"id": "t1", "labels": {"en": "Water"}}]}
    assert [(p.slug, p.title, p.author) for p in s.pages] == [
        ("about", {"en": "about"}, "bo"),
        ("news", {"fr": "Nouvelles"}, "ana"),
    ]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("pages: [{slug: a}, {slug: a}]", "pages[1].slug: 'a' is used twice"),
        ("pages: [{slug: a, author: zed}]", "pages[0].author: no user 'zed'"),
        ("pages: [{slug: 'a b'}]", "pages[0].slug"),
        ("domain: {properties: {metadata.themes: [{labels: {}}]}}", "metadata.themes[0]"),
    ],
)
def test_a_scenario_with_bad_pages_is_refused(text: str, problem: str) -> None:
    with pytest.raises(ScenarioError) as err:
        scenario_from(text)
    assert problem in str(err.value)
