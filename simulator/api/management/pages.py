"""The Management API v2's domain and pages: the domain's properties, pages by slug."""

from __future__ import annotations

from flask import Response, g, jsonify, request

from ..reading import int_param, json_body
from .common import ask, make_blueprint, no_content, surface

blueprint = make_blueprint("pages")

PAGE = "/pages/<slug>"


@blueprint.get("/domain")
def get_domain() -> Response:
    return jsonify(surface().get_domain(g.user))


@blueprint.get("/pages")
def list_pages() -> Response:
    args = request.args
    return jsonify(
        surface().list_pages(
            g.user,
            ask(),
            rows=int_param("rows", args.get("rows"), 10, 1, 100),
            page=int_param("page", args.get("page"), 1, 1),
            search=args.get("search") or "",
            sort=args.get("sort") or None,
        )
    )


@blueprint.post("/pages")
def create_page() -> Response:
    return jsonify(surface().create_page(g.user, json_body(), ask()))


@blueprint.delete("/pages")
def delete_pages() -> Response:
    return jsonify(surface().delete_pages(g.user, json_body(), ask()))


@blueprint.get(PAGE)
def get_page(slug: str) -> Response:
    return jsonify(surface().get_page(g.user, slug, ask()))


@blueprint.put(PAGE)
def update_page(slug: str) -> Response:
    return jsonify(surface().update_page(g.user, slug, json_body(), ask()))


@blueprint.delete(PAGE)
def delete_page(slug: str) -> Response:
    surface().delete_page(g.user, slug)
    return no_content()


# page security ----------------------------------------------------------------------------

USERS = f"{PAGE}/security/users"
GROUPS = f"{PAGE}/security/groups"


@blueprint.get(USERS)
def list_page_user_rulesets(slug: str) -> Response:
    return jsonify(surface().list_page_rulesets(g.user, slug, "user", ask()))


@blueprint.post(USERS)
def create_page_user_ruleset(slug: str) -> Response:
    return jsonify(surface().create_page_ruleset(g.user, slug, "user", json_body(), ask()))


@blueprint.get(f"{USERS}/<username>")
def get_page_user_ruleset(slug: str, username: str) -> Response:
    return jsonify(surface().get_page_ruleset(g.user, slug, "user", username, ask()))


@blueprint.put(f"{USERS}/<username>")
def replace_page_user_ruleset(slug: str, username: str) -> Response:
    body = json_body()
    return jsonify(surface().replace_page_ruleset(g.user, slug, "user", username, body, ask()))


@blueprint.delete(f"{USERS}/<username>")
def delete_page_user_ruleset(slug: str, username: str) -> Response:
    surface().delete_page_ruleset(g.user, slug, "user", username)
    return no_content()


@blueprint.get(GROUPS)
def list_page_group_rulesets(slug: str) -> Response:
    return jsonify(surface().list_page_rulesets(g.user, slug, "group", ask()))


@blueprint.post(GROUPS)
def create_page_group_ruleset(slug: str) -> Response:
    return jsonify(surface().create_page_ruleset(g.user, slug, "group", json_body(), ask()))


@blueprint.get(f"{GROUPS}/<group_id>")
def get_page_group_ruleset(slug: str, group_id: str) -> Response:
    return jsonify(surface().get_page_ruleset(g.user, slug, "group", group_id, ask()))


@blueprint.put(f"{GROUPS}/<group_id>")
def replace_page_group_ruleset(slug: str, group_id: str) -> Response:
    body = json_body()
    return jsonify(surface().replace_page_ruleset(g.user, slug, "group", group_id, body, ask()))


@blueprint.delete(f"{GROUPS}/<group_id>")
def delete_page_group_ruleset(slug: str, group_id: str) -> Response:
    surface().delete_page_ruleset(g.user, slug, "group", group_id)
    return no_content()
