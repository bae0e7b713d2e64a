"""The Automation API's datasets: list, create, read, change, delete, copy; status, actions.

Each view's endpoint is its operation's id in the specification (``list-datasets``).
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Response, g, jsonify, request

from ..reading import json_body
from .common import created, make_blueprint, no_content, surface
from .paging import page, window
from .surface import ACTIONS

blueprint = make_blueprint("automation")


@blueprint.get("/datasets", endpoint="list-datasets")
def list_datasets() -> Response:
    at = window()
    dataset_id = request.args.get("dataset_id") or None  # empty: no filter
    results, total = surface().list_datasets(g.user, at.limit, at.offset, dataset_id)
    return jsonify(page(results, total, at))


@blueprint.post("/datasets", endpoint="create-dataset")
def create_dataset() -> tuple[Response, int]:
    return created(surface().create_dataset(g.user, json_body()))


@blueprint.get("/datasets/<dataset_uid>", endpoint="retrieve-dataset")
def retrieve_dataset(dataset_uid: str) -> Response:
    return jsonify(surface().get_dataset(g.user, dataset_uid))


@blueprint.put("/datasets/<dataset_uid>", endpoint="update-dataset")
def update_dataset(dataset_uid: str) -> Response:
    return jsonify(surface().update_dataset(g.user, dataset_uid, json_body()))


@blueprint.delete("/datasets/<dataset_uid>", endpoint="delete-dataset")
def delete_dataset(dataset_uid: str) -> Response:
    surface().delete_dataset(g.user, dataset_uid)
    return no_content()


@blueprint.post("/datasets/<dataset_uid>/copy", endpoint="copy-dataset")
def copy_dataset(dataset_uid: str) -> tuple[Response, int]:
    return created(surface().copy_dataset(g.user, dataset_uid))


@blueprint.get("/datasets/<dataset_uid>/status", endpoint="get-dataset-status")
def get_dataset_status(dataset_uid: str) -> Response:
    return jsonify(surface().dataset_status(g.user, dataset_uid))


def _action_view(action: str) -> Callable[[str], Response]:
    def view(dataset_uid: str) -> Response:
        return jsonify(surface().act(g.user, dataset_uid, action))

    view.__name__ = f"{action}_dataset"
    return view


for _action, (_operation_id, _) in ACTIONS.items():
    blueprint.add_url_rule(
        f"/datasets/<dataset_uid>/{_action}",
        endpoint=_operation_id,
        view_func=_action_view(_action),
        methods=["POST"],
    )
