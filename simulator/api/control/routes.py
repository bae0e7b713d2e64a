"""The control API, under ``/_sim``: the virtual clock, resets, the machine, the timeline.

The prefix cannot collide with the real API's paths. It needs no credentials: it
is the test harness's side of the simulator, not the platform's.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint, Response, jsonify, request

from ...domain.clock import finite
from ...domain.errors import InvalidParameter, NotFound
from ...domain.limits import SNAPSHOT_DEPTH, echo
from ...domain.timeline import MEDIA_TYPES
from ..app_context import simulator
from ..reading import int_param, json_body
from .render import action_json, clock_json, dashboard_json, scenario_json, script_json

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
    """A number given in JSON, or as text in the query string; finite either way."""
    value = options.get(name)
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            raise InvalidParameter(name, f"expected a number, got {echo(value)}") from None
        if not finite(value):
            raise InvalidParameter(name, f"expected a finite number, got {value!r}")
    return value


@blueprint.get("/health")
def health() -> Response:
    return jsonify({"status": "ok"})


@blueprint.get("/clock")
def get_clock() -> Response:
    sim = simulator()
    return jsonify(clock_json(sim.control.clock(), sim.clock))


@blueprint.put("/clock")
def configure_clock() -> Response:
    options = _options()
    sim = simulator()
    view = sim.control.configure_clock(options.get("mode"), _number(options, "speed"))
    return jsonify(clock_json(view, sim.clock))


@blueprint.post("/clock/advance")
def advance_clock() -> Response:
    options = _options()
    if "seconds" not in options:
        raise InvalidParameter("seconds", "required: how many virtual seconds to advance")
    sim = simulator()
    return jsonify(clock_json(sim.control.advance(_number(options, "seconds")), sim.clock))


@blueprint.post("/clock/next")
def advance_to_next_event() -> Response:
    sim = simulator()
    view, advanced = sim.control.next_event()
    return jsonify(clock_json(view, sim.clock, advanced=advanced))


@blueprint.post("/clock/run_until_idle")
def run_until_idle() -> Response:
    sim = simulator()
    view, idle = sim.control.run_until_idle()
    return jsonify(clock_json(view, sim.clock, idle=idle))


@blueprint.post("/reset")
def reset() -> Response:
    sim = simulator()
    return jsonify(clock_json(sim.control.reset(), sim.clock))


@blueprint.get("/statemachine")
def state_machine() -> Response:
    return jsonify(simulator().control.state_machine())


@blueprint.get("/timeline")
def timeline() -> Response:
    """The transitions so far: JSON, or ``?format=ndjson|csv|table``."""
    args = request.args
    datasets = {d for d in args.get("dataset", "").split(",") if d} or None
    harvesters = {h for h in args.get("harvester", "").split(",") if h} or None
    since, until = _number(args, "since"), _number(args, "until")
    fmt = args.get("format") or _format_from_accept()
    if fmt == "json":
        entries = simulator().control.timeline(datasets, since, until, harvesters)
        return jsonify([e.to_dict() for e in entries])
    text = simulator().control.timeline_text(fmt, datasets, since, until, harvesters)
    return Response(text, mimetype=MEDIA_TYPES[fmt])


def _format_from_accept() -> str:
    best = request.accept_mimetypes.best_match(["application/json", *MEDIA_TYPES.values()])
    return {v: k for k, v in MEDIA_TYPES.items()}.get(best or "", "json")


@blueprint.get("/scenario")
def get_scenario() -> Response:
    """What the simulator runs: seed, users and their credentials, counts, the text."""
    return jsonify(scenario_json(simulator().control.scenario(), with_text=True))


@blueprint.put("/scenario")
def load_scenario() -> Response:
    """Load a scenario sent as YAML (or JSON) text, and reset to it."""
    raw = request.get_data(cache=True)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidParameter("body", "the scenario is not UTF-8 text") from None
    return jsonify(scenario_json(simulator().control.load_scenario(text)))


@blueprint.get("/script")
def script_results() -> Response:
    """What each step of the scenario's script did or found so far."""
    return jsonify(script_json(simulator().control.script_results()))


@blueprint.get("/faults")
def fault_log() -> Response:
    """Every injected fault that took effect, in virtual-time order."""
    return jsonify(simulator().control.fault_log())


@blueprint.get("/faults/rules")
def fault_rules() -> Response:
    """The fault rules in force: the scenario's (``scenario-<n>``), then those added."""
    return jsonify(simulator().fault_rules.rules())


@blueprint.post("/faults")
def add_fault() -> Response:
    """Put a fault rule in force now: a scenario's ``faults:`` item, as JSON."""
    rule = json_body()
    if not isinstance(rule, dict):
        raise InvalidParameter(
            "body",
            "expected a JSON object: a fault rule, e.g. "
            '{"type": "http", "path": "/api/*", "status": 503}',
        )
    response = jsonify(simulator().fault_rules.add_fault(rule))
    response.status_code = 201
    return response


@blueprint.get("/faults/<fault_id>")
def fault_rule(fault_id: str) -> Response:
    return jsonify(simulator().fault_rules.rule(fault_id))


@blueprint.delete("/faults/<fault_id>")
def remove_fault(fault_id: str) -> Response:
    """Take one rule out of force (one of the scenario's too); what it was."""
    return jsonify(simulator().fault_rules.remove_fault(fault_id))


@blueprint.delete("/faults")
def remove_added_faults() -> Response:
    """Take every rule added at run time out of force; the scenario's stay."""
    return jsonify(simulator().fault_rules.remove_added_faults())


@blueprint.get("/snapshot")
def get_snapshot() -> Response:
    """The snapshot of the whole world as it stands: what ``POST`` would save."""
    return Response(simulator().snapshots.take(), mimetype="application/json")


@blueprint.post("/snapshot")
def save_snapshot() -> Response:
    """Save a snapshot to the state file now (``--state-file``)."""
    return jsonify(simulator().snapshots.save())


@blueprint.put("/snapshot")
def restore_snapshot() -> Response:
    """Replace the world with a snapshot sent as the body; a bad one changes nothing."""
    return jsonify(simulator().snapshots.restore(json_body(SNAPSHOT_DEPTH)))


@blueprint.get("/datasets/<name>/records")
def sample_records(name: str) -> Response:
    """Seeded sample records of a dataset (by id or uid): ``?rows=`` up to 1000."""
    rows = int_param("rows", request.args.get("rows"), 10, 1, 1000)
    dataset_uid, records = simulator().control.sample_records(name, rows)
    return jsonify({"dataset_uid": dataset_uid, "records": records})


# the dashboard -------------------------------------------------------------------------

STATIC = Path(__file__).with_name("static")
#: What the dashboard is made of; nothing else is served from the package.
UI_FILES = {
    "dashboard.html": "text/html",
    "dashboard.css": "text/css",
    "dashboard.js": "text/javascript",
    "state-machine.svg": "image/svg+xml",
    "harvester-machine.svg": "image/svg+xml",
    "requests-panel.js": "text/javascript",
}


@blueprint.get("/ui")
def dashboard_page() -> Response:
    return _ui_file("dashboard.html")


@blueprint.get("/ui/<file>")
def dashboard_file(file: str) -> Response:
    return _ui_file(file)


def _ui_file(name: str) -> Response:
    if name not in UI_FILES:
        raise NotFound("No such file: {name}", name=name)
    response = Response((STATIC / name).read_bytes(), mimetype=UI_FILES[name])
    response.headers["Cache-Control"] = "no-cache"
    return response


@blueprint.get("/dashboard")
def dashboard_state() -> Response:
    """The page's poll: the clock, the datasets, the transitions after ``?since=``."""
    since = int_param("since", request.args.get("since"), 0, 0)
    sim = simulator()
    return jsonify(dashboard_json(sim.dashboard.poll(since), sim.clock))


@blueprint.post("/datasets/<name>/actions/<action>")
def dashboard_action(name: str, action: str) -> Response:
    """An action on a dataset (id or uid), made by the scenario's first user."""
    return jsonify(action_json(simulator().dashboard.act_as_first_user(name, action)))
