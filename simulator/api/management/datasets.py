"""The Management API v2's datasets: list, create, read, change, delete; status, actions, jobs."""

from __future__ import annotations

from collections.abc import Callable

from flask import Response, g, jsonify, request

from ...domain.statemachine import ACTIONS
from ..reading import bool_param, int_param, json_body
from .common import ask, make_blueprint, surface

blueprint = make_blueprint("management")


@blueprint.get("/datasets")
def list_datasets() -> Response:
    args = request.args
    return jsonify(
        surface().list_datasets(
            g.user,
            ask(),
            rows=int_param("rows", args.get("rows"), 10, 1, 100),
            page=int_param("page", args.get("page"), 1, 1),
            where=args.get("where") or None,
            sort=args.get("sort") or None,
        )
    )


@blueprint.post("/datasets")
def create_dataset() -> Response:
    strict = bool_param("strict", request.args.get("strict"))
    return jsonify(surface().create_dataset(g.user, json_body(), ask(), strict=strict))


@blueprint.get("/datasets/<dataset_uid>")
def get_dataset(dataset_uid: str) -> Response:
    return jsonify(surface().get_dataset(g.user, dataset_uid, ask()))


@blueprint.put("/datasets/<dataset_uid>")
def update_dataset(dataset_uid: str) -> Response:
    return jsonify(surface().update_dataset(g.user, dataset_uid, json_body(), ask()))


@blueprint.delete("/datasets/<dataset_uid>")
def delete_dataset(dataset_uid: str) -> Response:
    return jsonify(surface().delete_dataset(g.user, dataset_uid))


@blueprint.get("/datasets/<dataset_uid>/status")
def get_dataset_status(dataset_uid: str) -> Response:
    return jsonify(surface().dataset_status(g.user, dataset_uid, ask()))


@blueprint.get("/datasets/<dataset_uid>/status/records_errors")
def get_records_errors(dataset_uid: str) -> Response:
    return jsonify(surface().records_errors(g.user, dataset_uid))


def _action_view(action: str) -> Callable[[str], Response]:
    def view(dataset_uid: str) -> Response:
        return jsonify(surface().act(g.user, dataset_uid, action))

    view.__name__ = f"{action}_dataset"
    return view


for _action in ACTIONS:
    blueprint.add_url_rule(
        f"/datasets/<dataset_uid>/{_action}", view_func=_action_view(_action), methods=["PUT"]
    )


@blueprint.get("/jobs")
def list_jobs() -> Response:
    return jsonify(surface().list_jobs(g.user, ask()))


@blueprint.get("/jobs/<job_id>")
def get_job(job_id: str) -> Response:
    return jsonify(surface().get_job(g.user, job_id, ask()))
