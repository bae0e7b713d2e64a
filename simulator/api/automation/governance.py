"""The Automation API's dataset security (user and group rulesets), versions,
schedules and feedbacks.

Each view's endpoint is its operation's id in the specification.
"""

from __future__ import annotations

from typing import Any

from flask import Response, g, jsonify, request

from ..app_context import simulator
from ..reading import json_body
from .common import created, make_blueprint, no_content
from .governance_surface import Governance
from .paging import page, window

blueprint = make_blueprint("automation_governance")

DATASET = "/datasets/<dataset_uid>"
USERS = f"{DATASET}/security/users"
USER = f"{USERS}/<username>"
GROUPS = f"{DATASET}/security/groups"
GROUP = f"{GROUPS}/<group_uid>"
VERSIONS = f"{DATASET}/versions"
VERSION = f"{VERSIONS}/<version_uid>"
SCHEDULES = f"{DATASET}/schedules"
SCHEDULE = f"{SCHEDULES}/<schedule_uid>"
FEEDBACKS = f"{DATASET}/feedbacks"
FEEDBACK = f"{FEEDBACKS}/<feedback_uid>"


def surface() -> Governance:
    return Governance(simulator())


def _listed(results: list[Any]) -> Response:
    at = window()
    return jsonify(page(results[at.offset : at.offset + at.limit], len(results), at))


# security ---------------------------------------------------------------------------------


@blueprint.get(USERS, endpoint="list-dataset-user-security")
def list_dataset_user_security(dataset_uid: str) -> Response:
    window()  # bad paging is refused first
    return _listed(surface().list_user_rulesets(g.user, dataset_uid))


@blueprint.post(USERS, endpoint="create-dataset-user-security")
def create_dataset_user_security(dataset_uid: str) -> tuple[Response, int]:
    return created(surface().create_user_ruleset(g.user, dataset_uid, json_body()))


@blueprint.get(USER, endpoint="retrieve-dataset-user-security")
def retrieve_dataset_user_security(dataset_uid: str, username: str) -> Response:
    return jsonify(surface().get_user_ruleset(g.user, dataset_uid, username))


@blueprint.put(USER, endpoint="update-dataset-user-security")
def update_dataset_user_security(dataset_uid: str, username: str) -> Response:
    body = json_body()
    return jsonify(surface().update_user_ruleset(g.user, dataset_uid, username, body))


@blueprint.delete(USER, endpoint="delete-dataset-user-security")
def delete_dataset_user_security(dataset_uid: str, username: str) -> Response:
    surface().delete_user_ruleset(g.user, dataset_uid, username)
    return no_content()


@blueprint.get(GROUPS, endpoint="list-dataset-group-security")
def list_dataset_group_security(dataset_uid: str) -> Response:
    window()
    return _listed(surface().list_group_rulesets(g.user, dataset_uid))


@blueprint.post(GROUPS, endpoint="create-dataset-group-security")
def create_dataset_group_security(dataset_uid: str) -> tuple[Response, int]:
    return created(surface().create_group_ruleset(g.user, dataset_uid, json_body()))


@blueprint.get(GROUP, endpoint="retrieve-dataset-group-security")
def retrieve_dataset_group_security(dataset_uid: str, group_uid: str) -> Response:
    return jsonify(surface().get_group_ruleset(g.user, dataset_uid, group_uid))


@blueprint.put(GROUP, endpoint="update-dataset-group-security")
def update_dataset_group_security(dataset_uid: str, group_uid: str) -> Response:
    body = json_body()
    return jsonify(surface().update_group_ruleset(g.user, dataset_uid, group_uid, body))


@blueprint.delete(GROUP, endpoint="delete-dataset-group-security")
def delete_dataset_group_security(dataset_uid: str, group_uid: str) -> Response:
    surface().delete_group_ruleset(g.user, dataset_uid, group_uid)
    return no_content()


# versions ---------------------------------------------------------------------------------


@blueprint.get(VERSIONS, endpoint="list-dataset-versions")
def list_dataset_versions(dataset_uid: str) -> Response:
    window()
    return _listed(surface().list_versions(g.user, dataset_uid))


@blueprint.get(VERSION, endpoint="retrieve-dataset-version")
def retrieve_dataset_version(dataset_uid: str, version_uid: str) -> Response:
    return jsonify(surface().get_version(g.user, dataset_uid, version_uid))


@blueprint.post(f"{VERSION}/restore", endpoint="restore-version")
def restore_version(dataset_uid: str, version_uid: str) -> Response:
    return jsonify(surface().restore_version(g.user, dataset_uid, version_uid))


# schedules --------------------------------------------------------------------------------


@blueprint.get(SCHEDULES, endpoint="list-dataset-schedules")
def list_dataset_schedules(dataset_uid: str) -> Response:
    window()
    return _listed(surface().list_schedules(g.user, dataset_uid))


@blueprint.post(SCHEDULES, endpoint="create-dataset-schedule")
def create_dataset_schedule(dataset_uid: str) -> tuple[Response, int]:
    return created(surface().create_schedule(g.user, dataset_uid, json_body()))


@blueprint.get(SCHEDULE, endpoint="retrieve-dataset-schedule")
def retrieve_dataset_schedule(dataset_uid: str, schedule_uid: str) -> Response:
    return jsonify(surface().get_schedule(g.user, dataset_uid, schedule_uid))


@blueprint.put(SCHEDULE, endpoint="update-dataset-schedule")
def update_dataset_schedule(dataset_uid: str, schedule_uid: str) -> Response:
    body = json_body()
    return jsonify(surface().update_schedule(g.user, dataset_uid, schedule_uid, body))


@blueprint.delete(SCHEDULE, endpoint="delete-dataset-schedule")
def delete_dataset_schedule(dataset_uid: str, schedule_uid: str) -> Response:
    surface().delete_schedule(g.user, dataset_uid, schedule_uid)
    return no_content()


# feedbacks --------------------------------------------------------------------------------


@blueprint.get(FEEDBACKS, endpoint="list-dataset-feedbacks")
def list_dataset_feedbacks(dataset_uid: str) -> Response:
    window()
    args = request.args
    found = surface().list_feedbacks(
        g.user, dataset_uid, args.get("is_archived"), args.get("record_id"), args.get("sort")
    )
    return _listed(found)


@blueprint.get(FEEDBACK, endpoint="retrieve-dataset-feedback")
def retrieve_dataset_feedback(dataset_uid: str, feedback_uid: str) -> Response:
    return jsonify(surface().get_feedback(g.user, dataset_uid, feedback_uid))


@blueprint.post(f"{FEEDBACK}/archive", endpoint="archive-dataset-feedback")
def archive_dataset_feedback(dataset_uid: str, feedback_uid: str) -> Response:
    return jsonify(surface().archive_feedback(g.user, dataset_uid, feedback_uid))
