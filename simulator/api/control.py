"""The control API, under ``/_sim``: the virtual clock, resets, the machine, the timeline.

The prefix cannot collide with the real API's paths. It needs no credentials: it
is the test harness's side of the simulator, not the platform's.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request

from ..errors import InvalidParameter
from .app_context import simulator
from .common import json_body

PREFIX = "/_sim"

blueprint = Blueprint("control", __name__, url_prefix=PREFIX)


def _options() -> dict[str, Any]:
    """Settings from a JSON object body, or else from the query string."""
    body = json_body()
    if body is None:
        return dict(request.args)
    if not isinstance(body, dict):
        raise InvalidParameter("body", "expected a JSON object")
    return body


def _number(options: dict[str, Any], name: str) -> Any:
    """A number given in JSON, or as text in the query string."""
    value = options.get(name)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            raise InvalidParameter(name, f"expected a number, got '{value}'") from None
    return value


@blueprint.get("/health")
def health() -> Response:
    return jsonify({"status": "ok"})


@blueprint.get("/clock")
def get_clock() -> Response:
    return jsonify(simulator().clock_state())


@blueprint.put("/clock")
def configure_clock() -> Response:
    options = _options()
    return jsonify(simulator().configure_clock(options.get("mode"), _number(options, "speed")))


@blueprint.post("/clock/advance")
def advance_clock() -> Response:
    options = _options()
    if "seconds" not in options:
        raise InvalidParameter("seconds", "required: how many virtual seconds to advance")
    return jsonify(simulator().advance(_number(options, "seconds")))


@blueprint.post("/clock/next")
def advance_to_next_event() -> Response:
    return jsonify(simulator().advance_to_next_event())


@blueprint.post("/clock/run_until_idle")
def run_until_idle() -> Response:
    return jsonify(simulator().run_until_idle())


@blueprint.post("/reset")
def reset() -> Response:
    return jsonify(simulator().reset())


@blueprint.get("/statemachine")
def state_machine() -> Response:
    return jsonify(simulator().state_machine())


@blueprint.get("/timeline")
def timeline() -> Response:
    args = request.args
    datasets = {d for d in args.get("dataset", "").split(",") if d} or None
    return jsonify(
        simulator().timeline(datasets, _number(dict(args), "since"), _number(dict(args), "until"))
    )
