"""The Management API v2: datasets, their status, actions and jobs."""

from __future__ import annotations

from flask import Blueprint, Response, g, jsonify, request

from ...domain.statemachine import ACTIONS
from ..app_context import LATENCY, simulator
from .common import ask, credentials, json_body
from .query import bool_param, int_param

PREFIX = "/api/management/v2"


def inject_faults_then_authenticate() -> Response | None:
    """Apply the scenario's HTTP faults first, as a proxy in front of the API would."""
    environ = request.environ
    method, path = environ["REQUEST_METHOD"], request.path
    injection, user = simulator().admit(method, path, *credentials())
    if injection is not None:
        if injection.latency:  # the edge of the app tells the client (X-Sim-Latency)
            environ[LATENCY] = injection.latency
        if injection.status is not None:
            response = jsonify(injection.body)
            response.status_code = injection.status
            response.headers.update(injection.headers)
            response.headers["X-Sim-Fault"] = "http"
            return response
    g.user = user
    return None


def make_blueprint(name: str) -> Blueprint:
    """A blueprint of the Management API: faults and authentication before every view."""
    bp = Blueprint(name, __name__, url_prefix=PREFIX)
    bp.before_request(inject_faults_then_authenticate)
    return bp


blueprint = make_blueprint("management")


def no_content() -> Response:
    return Response(status=204)


@blueprint.get("/datasets")
def list_datasets() -> Response:
    args = request.args
    return jsonify(
        simulator().list_datasets(
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
    return jsonify(simulator().create_dataset(g.user, json_body(), ask(), strict=strict))


@blueprint.get("/datasets/<dataset_uid>")
def get_dataset(dataset_uid: str) -> Response:
    return jsonify(simulator().get_dataset(g.user, dataset_uid, ask()))


@blueprint.put("/datasets/<dataset_uid>")
def update_dataset(dataset_uid: str) -> Response:
    return jsonify(simulator().update_dataset(g.user, dataset_uid, json_body(), ask()))


@blueprint.delete("/datasets/<dataset_uid>")
def delete_dataset(dataset_uid: str) -> Response:
    return jsonify(simulator().delete_dataset(g.user, dataset_uid))


@blueprint.get("/datasets/<dataset_uid>/status")
def get_dataset_status(dataset_uid: str) -> Response:
    return jsonify(simulator().dataset_status(g.user, dataset_uid, ask()))


@blueprint.get("/datasets/<dataset_uid>/status/records_errors")
def get_records_errors(dataset_uid: str) -> Response:
    return jsonify(simulator().records_errors(g.user, dataset_uid))


def _action_view(action: str):  # type: ignore[no-untyped-def]
    def view(dataset_uid: str) -> Response:
        return jsonify(simulator().act(g.user, dataset_uid, action))

    view.__name__ = f"{action}_dataset"
    return view


for _action in ACTIONS:
    blueprint.add_url_rule(
        f"/datasets/<dataset_uid>/{_action}", view_func=_action_view(_action), methods=["PUT"]
    )


@blueprint.get("/jobs")
def list_jobs() -> Response:
    return jsonify(simulator().list_jobs(g.user, ask()))


@blueprint.get("/jobs/<job_id>")
def get_job(job_id: str) -> Response:
    return jsonify(simulator().get_job(g.user, job_id, ask()))
