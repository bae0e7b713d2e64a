"""The domain and its pages over HTTP, as real clients call them: ``requests`` with
``data=json.dumps(...)`` and no content type, string booleans, paths with and without a
trailing slash."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
import requests

from tests.conftest import Live, call, keyed_session

MakeLive = Callable[..., Live]

WORLD = """
retention: {journal: 2}
users:
  - {username: admin, password: admin, api_keys: [ods-sim-admin-key], permissions: all}
  - {username: ana, password: ana, api_keys: [ana-key], permissions: [create_page]}
  - {username: bo, password: bo, api_keys: [bo-key]}
groups:
  - {group_id: editors, title: Editors, permissions: [edit_page], usernames: [bo]}
domain:
  properties:
    metadata.themes:
      - {id: 7b5b405, labels: {en: Environment, fr: Environnement}}
      - {id: a1c3e2f, labels: {en: Transport}}
    ui.brand: Test city
pages:
  - slug: about
    title: {en: About, fr: A propos}
    description: Who we are
    content: {html: {en: "<p>Hi</p>"}, css: {en: ""}}
    tags: [info]
  - {slug: contact, title: Contact, template: contact.html, author: ana}
"""

PAGE_KEYS = [
    "slug",
    "title",
    "description",
    "template",
    "content",
    "tags",
    "restricted",
    "pushed_by_parent",
    "has_subdomain_copies",
    "created_at",
    "last_modified",
    "last_modified_user",
    "author",
]
ERROR_KEYS = ["status_code", "error_key", "message", "raw_message", "raw_params"]


def as_user(key: str) -> requests.Session:
    return keyed_session(key)


@pytest.fixture
def live(make_live: MakeLive) -> Live:
    return make_live(WORLD)


@pytest.mark.parametrize("slash", ["", "/"])
def test_the_domain_shows_its_themes_as_a_migration_script_reads_them(
    live: Live, slash: str
) -> None:
    r = as_user("bo-key").get(f"{live.api}/domain{slash}", timeout=10)
    assert r.status_code == 200, r.text
    got = r.json()
    assert list(got) == ["domain_id", "properties"]
    themes = got["properties"].get("metadata.themes", [])
    assert {t["id"]: t["labels"]["en"] for t in themes} == {
        "7b5b405": "Environment",
        "a1c3e2f": "Transport",
    }
    assert got["properties"]["ui.brand"] == "Test city"


def test_a_domain_without_properties_has_no_themes(make_live: MakeLive) -> None:
    live = make_live("")
    r = live.http.get(f"{live.api}/domain/", timeout=10)
    assert r.json()["properties"] == {"metadata.themes": []}
    assert requests.get(f"{live.api}/domain", timeout=10).status_code == 401


def test_pages_of_the_scenario_are_listed_in_the_documented_shape(live: Live) -> None:
    r = live.http.get(f"{live.api}/pages/", timeout=10)
    assert r.status_code == 200, r.text
    got = r.json()
    assert list(got) == ["items", "rows", "page", "nhits"]
    assert (got["rows"], got["page"], got["nhits"]) == (10, 1, 2)
    about = got["items"][0]
    assert list(about) == PAGE_KEYS
    assert about["title"] == {"en": "About", "fr": "A propos"}
    assert about["content"]["html"]["en"] == "<p>Hi</p>"
    assert about["author"] == {"username": "admin"}
    assert got["items"][1]["title"] == {"en": "Contact"}
    assert got["items"][1]["template"] == "contact.html"


def test_a_backup_script_pages_until_items_is_empty(live: Live) -> None:
    for i in range(3):
        body = {"slug": f"p{i}", "title": {"de": f"Seite {i}"}}
        assert call(live.http, "POST", f"{live.api}/pages/", body).status_code == 200
    slugs: list[str] = []
    page = 1
    while True:
        got = live.http.get(f"{live.api}/pages/?page={page}&rows=2", timeout=10).json()
        if not got["items"]:
            break
        slugs += [item["slug"] for item in got["items"]]
        page += 1
    assert slugs == ["about", "contact", "p0", "p1", "p2"]
    assert page == 4


def test_search_and_sort(live: Live) -> None:
    got = live.http.get(f"{live.api}/pages?search=who", timeout=10).json()
    assert [p["slug"] for p in got["items"]] == ["about"]
    got = live.http.get(f"{live.api}/pages?search=INFO", timeout=10).json()
    assert got["nhits"] == 1
    got = live.http.get(f"{live.api}/pages?sort=-slug", timeout=10).json()
    assert [p["slug"] for p in got["items"]] == ["contact", "about"]


def test_create_read_change_and_delete_a_page(live: Live) -> None:
    ana = as_user("ana-key")
    body = {
        "slug": "news",
        "title": {"en": "News"},
        "description": "What is new",
        "template": "custom.html",
        "content": {"html": {"en": "<h1>News</h1>"}, "css": {"en": "h1 {}"}},
        "tags": ["news"],
        "restricted": "false",
    }
    live.advance(30)
    r = call(ana, "POST", f"{live.api}/pages/", body)
    assert r.status_code == 200, r.text
    created = r.json()
    assert list(created) == PAGE_KEYS
    assert created["author"] == created["last_modified_user"] == {"username": "ana"}
    assert created["created_at"] == created["last_modified"] == "2026-01-01T00:00:30+00:00"
    for slash in ("", "/"):
        assert call(ana, "GET", f"{live.api}/pages/news{slash}").json() == created

    # a client sends back the page it read, with a new content (the old shape too)
    page = call(ana, "GET", f"{live.api}/pages/news/").json()
    page["content"] = {"main": {"text": {"en": "<p>New</p>"}}, "custom_css": {"text": {}}}
    live.advance(10)
    r = call(ana, "PUT", f"{live.api}/pages/news", page)
    assert r.status_code == 200, r.text
    assert r.json()["content"]["main"]["text"]["en"] == "<p>New</p>"
    assert r.json()["created_at"] == created["created_at"]
    assert r.json()["last_modified"] == "2026-01-01T00:00:40+00:00"

    # only the keys sent change
    r = call(ana, "PUT", f"{live.api}/pages/news/", {"title": {"en": "All the news"}})
    assert r.json()["title"] == {"en": "All the news"}
    assert r.json()["tags"] == ["news"]

    expanded = ana.get(f"{live.api}/pages/news?expand=user", timeout=10).json()
    assert list(expanded["author"]) == ["username", "first_name", "last_name", "email"]

    r = ana.delete(f"{live.api}/pages/news/", timeout=10)
    assert (r.status_code, r.content) == (204, b"")
    r = ana.get(f"{live.api}/pages/news", timeout=10)
    assert (r.status_code, r.json()["error_key"]) == (404, "UnknownPageException")


def test_who_may_do_what(live: Live) -> None:
    ana, bo = as_user("ana-key"), as_user("bo-key")
    # ana authored contact: she edits it, not about; bo's group edits every page
    assert [p["slug"] for p in ana.get(f"{live.api}/pages", timeout=10).json()["items"]] == [
        "contact"
    ]
    r = call(ana, "PUT", f"{live.api}/pages/about", {"description": "x"})
    assert (r.status_code, r.json()["raw_params"]["permission"]) == (403, "edit_page")
    r = call(bo, "PUT", f"{live.api}/pages/about", {"description": "Edited"})
    assert (r.status_code, r.json()["last_modified_user"]) == (200, {"username": "bo"})
    r = call(bo, "POST", f"{live.api}/pages", {"slug": "bo"})
    assert (r.status_code, r.json()["raw_params"]["permission"]) == (403, "create_page")
    # restricted changes only with manage_page; sent back unchanged it is fine
    r = call(bo, "PUT", f"{live.api}/pages/about", {"restricted": "True"})
    assert (r.status_code, r.json()["raw_params"]["permission"]) == (403, "manage_page")
    assert call(bo, "PUT", f"{live.api}/pages/about", {"restricted": 0}).status_code == 200
    r = call(live.http, "PUT", f"{live.api}/pages/about", {"restricted": "yes"})
    assert (r.status_code, r.json()["restricted"]) == (200, True)


def test_a_bulk_delete_deletes_all_or_none(live: Live) -> None:
    body = [{"slug": "about"}, {"slug": "nope"}]
    before = live.control("GET", "snapshot")
    r = call(live.http, "DELETE", f"{live.api}/pages/", body)
    assert (r.status_code, r.json()["error_key"]) == (404, "UnknownPageException")
    assert live.control("GET", "snapshot") == before
    r = call(live.http, "DELETE", f"{live.api}/pages", [{"slug": "about"}, {"slug": "contact"}])
    assert r.status_code == 200, r.text
    assert [p["slug"] for p in r.json()] == ["about", "contact"]
    assert live.http.get(f"{live.api}/pages", timeout=10).json()["nhits"] == 0


def test_a_snapshot_keeps_the_pages(make_live: MakeLive) -> None:
    source, target = make_live(WORLD), make_live(WORLD)
    for i in range(4):  # past the journal's retention: the world is written down whole
        body = {"slug": f"p{i}", "title": f"Page {i}", "tags": [str(i)]}
        assert call(source.http, "POST", f"{source.api}/pages", body).status_code == 200
    call(source.http, "PUT", f"{source.api}/pages/p1", {"description": "one"})
    call(source.http, "DELETE", f"{source.api}/pages/about")
    snapshot = requests.get(f"{source.url}/_sim/snapshot", timeout=10)
    assert requests.put(f"{target.url}/_sim/snapshot", data=snapshot.content).status_code == 200
    seen = [w.http.get(f"{w.api}/pages?rows=100", timeout=10).json() for w in (source, target)]
    assert seen[0] == seen[1]
    assert [p["slug"] for p in seen[0]["items"]] == ["contact", "p0", "p1", "p2", "p3"]


BAD: list[tuple[str, str, Any, int, str | None, str | None]] = [
    ("POST", "/pages", None, 400, "InvalidParameterException", "body"),
    ("POST", "/pages", "{", 400, "InvalidJSONException", None),
    ("POST", "/pages", [], 400, "InvalidParameterException", "body"),
    ("POST", "/pages", {"title": "No slug"}, 400, None, "slug"),
    ("POST", "/pages", {"slug": "a b"}, 400, None, "slug"),
    ("POST", "/pages", {"slug": "about"}, 400, None, "slug"),
    ("POST", "/pages", {"slug": "x", "titel": {}}, 400, None, "titel"),
    ("POST", "/pages", {"slug": "x", "title": 3}, 400, None, "title"),
    ("POST", "/pages", {"slug": "x", "tags": "a"}, 400, None, "tags"),
    ("POST", "/pages", {"slug": "x", "content": "<p>"}, 400, None, "content"),
    ("POST", "/pages", {"slug": "x", "restricted": "maybe"}, 400, None, "restricted"),
    ("POST", "/pages", {"slug": "x", "description": 1}, 400, None, "description"),
    ("POST", "/pages", {"slug": "x", "template": ""}, 400, None, "template"),
    ("PUT", "/pages/about", {"slug": "other"}, 400, None, "slug"),
    ("PUT", "/pages/about", {"tags": [1]}, 400, None, "tags"),
    ("PUT", "/pages/about", "nope", 400, None, "body"),
    ("PUT", "/pages/nope", {"tags": [1]}, 404, "UnknownPageException", None),
    ("DELETE", "/pages/nope", None, 404, "UnknownPageException", None),
    ("DELETE", "/pages", None, 400, None, "body"),
    ("DELETE", "/pages", {"slug": "about"}, 400, None, "body"),
    ("DELETE", "/pages", [{"slug": 1}], 400, None, "[0].slug"),
    ("GET", "/pages?rows=0", None, 400, None, "rows"),
    ("GET", "/pages?page=x", None, 400, None, "page"),
    ("GET", "/pages?sort=slgu", None, 400, None, "sort"),
    ("PATCH", "/pages/about", {}, 405, "MethodNotAllowedException", None),
    ("POST", "/domain", {}, 405, "MethodNotAllowedException", None),
]


@pytest.mark.parametrize(("method", "path", "body", "code", "key", "parameter"), BAD)
def test_bad_input_gets_the_error_shape_and_changes_nothing(
    live: Live, method: str, path: str, body: Any, code: int, key: str | None, parameter: str | None
) -> None:
    before = live.control("GET", "snapshot")
    data = body if body == "{" else json.dumps(body)
    r = live.http.request(method, f"{live.api}{path}", data=None if body is None else data)
    got = r.json()
    assert list(got)[:5] == ERROR_KEYS
    assert (r.status_code, got["status_code"]) == (code, code), got
    if key is not None:
        assert got["error_key"] == key
    if parameter is not None:
        assert got["raw_params"]["parameter"] == parameter
    assert live.control("GET", "snapshot") == before


def test_page_security_gives_a_user_and_a_group_rights_on_one_page(live: Live) -> None:
    ana = as_user("ana-key")
    base = f"{live.api}/pages/about/security"
    assert call(ana, "PUT", f"{live.api}/pages/about", {"tags": []}).status_code == 403
    live.advance(5)
    body = {"permissions": ["edit_page"], "user": {"username": "ana"}}
    r = call(live.http, "POST", f"{base}/users/", body)
    assert r.status_code == 200, r.text
    assert list(r.json().items()) == [
        ("permissions", ["edit_page"]),
        ("created_at", "2026-01-01T00:00:05+00:00"),
        ("updated_at", "2026-01-01T00:00:05+00:00"),
        ("user", {"username": "ana"}),
        ("page", {"domain": {"domain_id": "ods-simulator"}, "slug": "about"}),
    ]
    for slash in ("", "/"):
        assert call(live.http, "GET", f"{base}/users/ana{slash}").json() == r.json()
    assert call(live.http, "GET", f"{base}/users").json() == [r.json()]
    # the ruleset lets ana edit this page, not change its security
    assert call(ana, "PUT", f"{live.api}/pages/about", {"tags": []}).status_code == 200
    assert call(ana, "GET", f"{base}/users").status_code == 403
    live.advance(5)
    r = call(live.http, "PUT", f"{base}/users/ana", {"permissions": ["manage_page"]})
    assert (r.json()["permissions"], r.json()["updated_at"]) == (
        ["manage_page"],
        "2026-01-01T00:00:10+00:00",
    )
    assert r.json()["created_at"] == "2026-01-01T00:00:05+00:00"
    r = call(ana, "PUT", f"{live.api}/pages/about", {"restricted": "true"})
    assert (r.status_code, r.json()["raw_params"]["permission"]) == (403, "edit_page")

    r = call(live.http, "POST", f"{base}/groups", {"group": {"group_id": "editors"}})
    assert list(r.json())[3] == "group" and r.json()["group"] == {"group_id": "editors"}
    assert r.json()["permissions"] == []
    assert call(live.http, "DELETE", f"{base}/groups/editors/").status_code == 204
    assert call(live.http, "DELETE", f"{base}/users/ana").status_code == 204
    r = call(live.http, "GET", f"{base}/users/ana")
    assert (r.status_code, r.json()["error_key"]) == (404, "UnknownRulesetException")


def test_a_deleted_page_takes_its_rulesets_along(make_live: MakeLive) -> None:
    source, target = make_live(WORLD), make_live(WORLD)
    base = f"{source.api}/pages/about/security"
    call(source.http, "POST", f"{base}/users", {"user": "bo", "permissions": ["edit_page"]})
    call(source.http, "PUT", f"{base}/groups/editors", {"permissions": ["manage_page"]})
    snapshot = requests.get(f"{source.url}/_sim/snapshot", timeout=10)
    assert requests.put(f"{target.url}/_sim/snapshot", data=snapshot.content).status_code == 200
    for kind in ("users", "groups"):
        seen = [
            w.http.get(f"{w.api}/pages/about/security/{kind}", timeout=10).json()
            for w in (source, target)
        ]
        assert seen[0] == seen[1] != []
    call(source.http, "DELETE", f"{source.api}/pages/about")
    call(source.http, "POST", f"{source.api}/pages", {"slug": "about"})
    assert call(source.http, "GET", f"{base}/users").json() == []


SECURITY_BAD: list[tuple[str, str, Any, int, str | None, str | None]] = [
    ("POST", "/users", {"permissions": ["edit_page"]}, 400, None, "user"),
    ("POST", "/users", {"user": {"username": "zed"}}, 404, "UnknownUsernameException", None),
    ("POST", "/users", {"user": "ana", "permissions": ["edit_dataset"]}, 400, None, "permissions"),
    ("POST", "/users", {"user": "ana", "permissions": "edit_page"}, 400, None, "permissions"),
    ("POST", "/users", {"user": "ana", "permisions": []}, 400, None, "permisions"),
    ("POST", "/users", [], 400, None, "body"),
    ("PUT", "/users/ana", {"user": {"username": "bo"}}, 400, None, "user"),
    ("PUT", "/users/zed", {}, 404, "UnknownUsernameException", None),
    ("DELETE", "/users/ana", None, 404, "UnknownRulesetException", None),
    ("POST", "/groups", {"group": {"group_id": "nope"}}, 404, "UnknownGroupException", None),
    ("PUT", "/groups/editors", {"group_id": "other"}, 400, None, "group"),
    ("GET", "/groups/editors", None, 404, "UnknownRulesetException", None),
]


@pytest.mark.parametrize(("method", "path", "body", "code", "key", "parameter"), SECURITY_BAD)
def test_bad_page_security_input_gets_the_error_shape_and_changes_nothing(
    live: Live, method: str, path: str, body: Any, code: int, key: str | None, parameter: str | None
) -> None:
    before = live.control("GET", "snapshot")
    url = f"{live.api}/pages/about/security{path}"
    r = live.http.request(method, url, data=None if body is None else json.dumps(body))
    got = r.json()
    assert list(got)[:5] == ERROR_KEYS
    assert (r.status_code, got["status_code"]) == (code, code), got
    if key is not None:
        assert got["error_key"] == key
    if parameter is not None:
        assert got["raw_params"]["parameter"] == parameter
    assert live.control("GET", "snapshot") == before
    r = call(live.http, "GET", f"{live.api}/pages/nope/security/users")
    assert (r.status_code, r.json()["error_key"]) == (404, "UnknownPageException")
