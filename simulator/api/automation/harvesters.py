"""The Automation API's harvesters: list, create, read, change, delete; start, abort,
publish, unpublish; the last harvest's errors, and previews of the remote catalogue.

The same harvesters as the Management API v2's (one world); each view's endpoint is
its operation's id in the specification.
"""

from __future__ import annotations

from typing import Any

from flask import Response, g, jsonify, request

from ...domain.errors import InvalidParameter, NotFound
from ...domain.limits import as_boolean, echo
from ...domain.models import User
from ...service import Simulator
from ...service.commands import Body, HarvesterFields
from ..app_context import simulator
from ..management.render import harvester_errors_json, harvester_preview_json
from ..reading import json_body
from .common import created, make_blueprint, no_content
from .harvester_wire import (
    harvester_fields,
    harvester_json,
    in_own_words,
    schedule_fields,
    schedule_json,
)
from .paging import page, window

blueprint = make_blueprint("automation_harvesters")

HARVESTERS = "/harvesters"
HARVESTER = f"{HARVESTERS}/<harvester_uid>"

#: What each harvester action answers: the harvester, or ``{"detail"}``.
DETAIL = "ok"


class AutomationHarvesters:
    """The operations of the specification's Harvesters tag, over the service."""

    def __init__(self, sim: Simulator) -> None:
        self.simulator = sim
        self.service = sim.harvesters

    def _json(self, view: Any) -> dict[str, Any]:
        return harvester_json(view, self.simulator.clock)

    def listing(self, user: User) -> list[dict[str, Any]]:
        return [self._json(h) for h in self.service.listing(user)]

    def get(self, user: User, uid: str) -> dict[str, Any]:
        return self._json(self.service.get(user, uid))

    def create(self, user: User, body: Any) -> dict[str, Any]:
        fetcher = body.get("type") if isinstance(body, dict) else None
        with in_own_words(fetcher if isinstance(fetcher, str) else None):
            made = self.service.create_harvester(user, Body(lambda: harvester_fields(body, None)))
        return self._json(made)

    def update(self, user: User, uid: str, body: Any) -> dict[str, Any]:
        current = self.service.get(user, uid)
        with in_own_words(current.fetcher):
            done = self.service.update_harvester(
                user, uid, Body(lambda: harvester_fields(body, current))
            )
        return self._json(done)

    def delete(self, user: User, uid: str, raw: str | None) -> None:
        self.service.get(user, uid)  # an unknown harvester is a 404 first
        flag = None if raw is None else as_boolean(raw)
        if flag is None:
            shown = "absent" if raw is None else echo(raw)
            raise InvalidParameter(
                "delete_attached_datasets", f"required: true or false, got {shown}"
            )
        self.service.delete_harvester(user, uid, flag)

    def start(self, user: User, uid: str) -> dict[str, Any]:
        current = self.service.get(user, uid)
        with in_own_words(current.fetcher):
            return self._json(self.service.start_harvester(user, uid))

    def abort(self, user: User, uid: str) -> dict[str, Any]:
        return self._json(self.service.abort_harvester(user, uid))

    def publish(self, user: User, uid: str, action: str) -> dict[str, str]:
        self.service.publish_harvester(user, uid, action)
        return {"detail": DETAIL}

    def errors(self, user: User, uid: str) -> dict[str, Any]:
        return harvester_errors_json(*self.service.errors(user, uid))

    def preview(self, user: User, uid: str) -> dict[str, Any]:
        return harvester_preview_json(self.service.preview(user, uid))

    def unsaved_preview(self, user: User, uid: str, body: Any) -> dict[str, Any]:
        """The preview of a configuration not saved: checked like a change, kept nowhere."""
        current = self.service.get(user, uid)
        with in_own_words(current.fetcher):
            fields = harvester_fields(body, current)
            self.service.check_fields(user, uid, fields)
        return harvester_preview_json(self.service.preview(user, uid))

    # its schedule ---------------------------------------------------------------------

    def schedules(self, user: User, uid: str) -> list[dict[str, str]]:
        found = schedule_json(self.service.get(user, uid))
        return [] if found is None else [found]

    def schedule(self, user: User, uid: str, schedule_uid: str) -> dict[str, str]:
        found = schedule_json(self.service.get(user, uid))
        if found is None or found["uid"] != schedule_uid:
            raise NotFound("Unknown schedule: {schedule_uid}", schedule_uid=schedule_uid)
        return found

    def create_schedule(self, user: User, uid: str, body: Any) -> dict[str, str]:
        if schedule_json(self.service.get(user, uid)) is not None:
            raise InvalidParameter(ONE_SCHEDULE_FIELD, ONE_SCHEDULE)
        return self._set_schedule(user, uid, body, None)

    def update_schedule(self, user: User, uid: str, schedule_uid: str, body: Any) -> dict[str, str]:
        current = self.schedule(user, uid, schedule_uid)
        return self._set_schedule(user, uid, body, current)

    def _set_schedule(
        self, user: User, uid: str, body: Any, current: dict[str, str] | None
    ) -> dict[str, str]:
        with in_own_words(None):
            done = self.service.update_harvester(
                user, uid, Body(lambda: schedule_fields(body, current))
            )
        found = schedule_json(done)
        assert found is not None  # just set
        return found

    def delete_schedule(self, user: User, uid: str, schedule_uid: str) -> None:
        self.schedule(user, uid, schedule_uid)
        fields = HarvesterFields(schedules=None, given=["schedules"])
        self.service.update_harvester(user, uid, Body.of(fields))


#: "A harvester can only have one schedule" (the specification): a second is refused.
ONE_SCHEDULE = "A harvester can only have one schedule."
ONE_SCHEDULE_FIELD = "non_field_errors"


def harvesters() -> AutomationHarvesters:
    return AutomationHarvesters(simulator())


@blueprint.get(HARVESTERS, endpoint="list-harvesters")
def list_harvesters() -> Response:
    at = window()
    found = harvesters().listing(g.user)
    return jsonify(page(found[at.offset : at.offset + at.limit], len(found), at))


@blueprint.post(HARVESTERS, endpoint="create-harvester")
def create_harvester() -> tuple[Response, int]:
    return created(harvesters().create(g.user, json_body()))


@blueprint.get(HARVESTER, endpoint="retrieve-harvester")
def retrieve_harvester(harvester_uid: str) -> Response:
    return jsonify(harvesters().get(g.user, harvester_uid))


@blueprint.put(HARVESTER, endpoint="update-harvester")
def update_harvester(harvester_uid: str) -> Response:
    return jsonify(harvesters().update(g.user, harvester_uid, json_body()))


@blueprint.delete(HARVESTER, endpoint="delete-harvester")
def delete_harvester(harvester_uid: str) -> Response:
    harvesters().delete(g.user, harvester_uid, request.args.get("delete_attached_datasets"))
    return no_content()


@blueprint.post(f"{HARVESTER}/start", endpoint="start-harvester")
def start_harvester(harvester_uid: str) -> Response:
    return jsonify(harvesters().start(g.user, harvester_uid))


@blueprint.post(f"{HARVESTER}/abort", endpoint="abort-harvester")
def abort_harvester(harvester_uid: str) -> Response:
    return jsonify(harvesters().abort(g.user, harvester_uid))


@blueprint.post(f"{HARVESTER}/publish", endpoint="publish-harvester")
def publish_harvester(harvester_uid: str) -> Response:
    return jsonify(harvesters().publish(g.user, harvester_uid, "publish"))


@blueprint.post(f"{HARVESTER}/unpublish", endpoint="unpublish-harvester")
def unpublish_harvester(harvester_uid: str) -> Response:
    return jsonify(harvesters().publish(g.user, harvester_uid, "unpublish"))


@blueprint.get(f"{HARVESTER}/errors", endpoint="harvester-list-errors")
def get_harvester_errors(harvester_uid: str) -> Response:
    return jsonify(harvesters().errors(g.user, harvester_uid))


@blueprint.get(f"{HARVESTER}/preview", endpoint="harvester-preview")
def preview_harvester(harvester_uid: str) -> Response:
    return jsonify(harvesters().preview(g.user, harvester_uid))


@blueprint.post(f"{HARVESTER}/unsaved_preview", endpoint="harvester-unsaved-preview")
def unsaved_preview_harvester(harvester_uid: str) -> Response:
    return jsonify(harvesters().unsaved_preview(g.user, harvester_uid, json_body()))


SCHEDULES = f"{HARVESTER}/schedules"
SCHEDULE = f"{SCHEDULES}/<schedule_uid>"


@blueprint.get(SCHEDULES, endpoint="list-harvester-schedules")
def list_harvester_schedules(harvester_uid: str) -> Response:
    at = window()
    found = harvesters().schedules(g.user, harvester_uid)
    return jsonify(page(found[at.offset : at.offset + at.limit], len(found), at))


@blueprint.post(SCHEDULES, endpoint="create-harvester-schedule")
def create_harvester_schedule(harvester_uid: str) -> tuple[Response, int]:
    return created(harvesters().create_schedule(g.user, harvester_uid, json_body()))


@blueprint.get(SCHEDULE, endpoint="retrieve-harvester-schedule")
def retrieve_harvester_schedule(harvester_uid: str, schedule_uid: str) -> Response:
    return jsonify(harvesters().schedule(g.user, harvester_uid, schedule_uid))


@blueprint.put(SCHEDULE, endpoint="update-harvester-schedule")
def update_harvester_schedule(harvester_uid: str, schedule_uid: str) -> Response:
    body = json_body()
    return jsonify(harvesters().update_schedule(g.user, harvester_uid, schedule_uid, body))


@blueprint.delete(SCHEDULE, endpoint="delete-harvester-schedule")
def delete_harvester_schedule(harvester_uid: str, schedule_uid: str) -> Response:
    harvesters().delete_schedule(g.user, harvester_uid, schedule_uid)
    return no_content()
