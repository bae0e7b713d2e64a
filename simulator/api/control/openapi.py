"""The control API under ``/_sim`` (and the dashboard), as OpenAPI 3.1."""

from __future__ import annotations

from typing import Any

from ... import __version__
from ...domain.clock import CLOCK_MODES, MAX_SPEED
from ...domain.statemachine import ACTIONS
from ...domain.timeline import MEDIA_TYPES
from ..openapi import JSON, assemble, body, error_responses, operation, query
from ..schemas import NUMBER, STRING, control_schemas, nullable, ref
from .openapi_request_log import request_log_rows, request_log_schemas
from .snapshot_document import snapshot_rows, snapshot_schemas

DESCRIPTION = """\
The simulator's own side: the virtual clock, resets and scenarios, the state machine,
the timeline of transitions, injected faults, and the dashboard. It needs no
credentials, unless the simulator was given a control token (`--control-token`, or
`control_token` in the scenario): then every call but the health check, this document
and the dashboard's files carries it, as `X-Sim-Token: <token>`, `Authorization: Bearer
<token>` or `?token=<token>`. It answers only to loopback names (and those allowed with
`--allow-host`), and refuses a browser's call from another site that would change
something. Errors have the Management API's shape (`Error`).

Bodies are JSON objects; where a body is optional, the same settings may be given in
the query string instead.
"""

TIMELINE_MEDIA = {
    JSON: {
        "schema": {
            "type": "array",
            "items": {"oneOf": [ref("Transition"), ref("HarvesterMove"), ref("FaultChange")]},
        }
    },
    **{media: {"schema": STRING} for media in MEDIA_TYPES.values()},
}

UI_MEDIA = {
    media: {"schema": STRING}
    for media in ("text/html", "text/css", "text/javascript", "image/svg+xml")
}

OPENAPI = {"type": "object", "required": ["openapi", "info", "paths"]}


def _clock_settings() -> dict[str, Any]:
    return body(
        {
            "type": "object",
            "properties": {
                "mode": nullable({"enum": list(CLOCK_MODES)}),
                "speed": nullable({**NUMBER, "exclusiveMinimum": 0, "maximum": MAX_SPEED}),
            },
        },
        required=False,
        description="Either or both (null: unchanged); or `?mode=...&speed=...`.",
    )


def _advance() -> dict[str, Any]:
    return body(
        {
            "type": "object",
            "required": ["seconds"],
            "properties": {"seconds": {**NUMBER, "minimum": 0}},
        },
        required=False,
        description="Or `?seconds=...`.",
    )


def _parameters() -> dict[str, Any]:
    def path(name: str, text: str, schema: dict[str, Any] = STRING) -> dict[str, Any]:
        return {"name": name, "in": "path", "required": True, "schema": schema, "description": text}

    return {
        "name": path("name", "A dataset's id or uid."),
        "action": path("action", "What to do.", {"enum": [*ACTIONS, "delete"]}),
        "file": path("file", "One of the dashboard's files."),
        "fault_id": path("fault_id", "A fault rule's id: scenario-<n> or run-<n>."),
    }


def _rows() -> list[tuple[str, str, dict[str, Any]]]:
    clock = ref("Clock")
    records = query("rows", {"type": "integer", "minimum": 1, "maximum": 1000}, "How many.")
    timeline_params = [
        query("dataset", STRING, "Comma-separated dataset uids or ids."),
        query(
            "harvester",
            STRING,
            "Comma-separated harvester ids or names: their moves (with `dataset`, both).",
        ),
        query("since", NUMBER, "From this virtual second (inclusive)."),
        query("until", NUMBER, "Up to this virtual second (exclusive)."),
        query(
            "format",
            {"enum": ["json", *MEDIA_TYPES]},
            "The answer's format (default: from Accept, else json).",
        ),
    ]
    scenario = {
        "required": False,
        "content": {
            media: {"schema": STRING}
            for media in ("application/yaml", "application/json", "text/plain")
        },
        "description": "A scenario in YAML (or JSON), as the scenario files are written; "
        "an empty one is an empty world with the default admin.",
    }
    faults = {"type": "array", "items": ref("FaultEvent")}
    return [
        ("/", "get",
         operation("home", "Redirect to the dashboard", "dashboard", status=302,
                   content={"text/html": {"schema": STRING}})),
        ("/_sim/health", "get",
         operation("health", "Is the simulator up", "clock", ref("Health"))),
        ("/_sim/clock", "get",
         operation("get_clock", "The virtual clock and the worker pool", "clock", clock)),
        ("/_sim/clock", "put",
         operation("configure_clock", "Change the clock's mode or speed", "clock", clock,
                   errors=[400], request=_clock_settings())),
        ("/_sim/clock/advance", "post",
         operation("advance_clock", "Move virtual time forward, running what falls due",
                   "clock", clock, errors=[400], request=_advance())),
        ("/_sim/clock/next", "post",
         operation("advance_to_next_event", "Jump to the next scheduled event", "clock",
                   clock, description="The clock, with `advanced`: whether there was one.")),
        ("/_sim/clock/run_until_idle", "post",
         operation("run_until_idle", "Run until no job waits or runs", "clock", clock,
                   description="The clock, with `idle`: false if jobs can never end.")),
        ("/_sim/reset", "post",
         operation("reset", "Back to the scenario's time zero", "scenario", clock)),
        ("/_sim/scenario", "get",
         operation("get_scenario", "The scenario in force, with its text", "scenario",
                   ref("ScenarioSummary"))),
        ("/_sim/scenario", "put",
         operation("load_scenario", "Load a scenario and reset to it", "scenario",
                   ref("ScenarioSummary"), errors=[400], request=scenario,
                   description="What was loaded; a scenario that cannot load changes nothing "
                   "(`InvalidScenarioException` names the line and key of each mistake, "
                   "also listed in `raw_params.mistakes`).")),
        ("/_sim/script", "get",
         operation("script_results", "What the scenario's script did and found so far",
                   "scenario", ref("ScriptResults"))),
        ("/_sim/statemachine", "get",
         operation("state_machine", "The transition table", "state machine",
                   ref("StateMachine"))),
        ("/_sim/timeline", "get",
         operation("timeline", "Every transition so far", "state machine",
                   content=TIMELINE_MEDIA, errors=[400], params=timeline_params)),
        ("/_sim/faults", "get",
         operation("fault_log", "Every injected fault that took effect", "scenario", faults)),
        ("/_sim/faults", "post",
         operation("add_fault", "Put a fault rule in force now", "scenario",
                   ref("FaultRule"), status=201, errors=[400], request=body(
                       {"type": "object", "required": ["type"]},
                       description="A rule as a scenario's `faults:` item, checked the same "
                       "way (`InvalidScenarioException` names the key); times are virtual "
                       "seconds, as in a scenario.",
                   ))),
        ("/_sim/faults", "delete",
         operation("remove_added_faults", "Take every rule added at run time out of force",
                   "scenario", {"type": "array", "items": ref("FaultRule")})),
        ("/_sim/faults/rules", "get",
         operation("fault_rules", "The fault rules in force", "scenario",
                   {"type": "array", "items": ref("FaultRule")})),
        ("/_sim/faults/{fault_id}", "get",
         operation("fault_rule", "One fault rule in force", "scenario", ref("FaultRule"),
                   errors=[404])),
        ("/_sim/faults/{fault_id}", "delete",
         operation("remove_fault", "Take one fault rule out of force", "scenario",
                   ref("FaultRule"), errors=[404])),
        ("/_sim/datasets/{name}/records", "get",
         operation("sample_records", "Seeded sample records of a dataset", "scenario",
                   ref("Records"), errors=[400, 404], params=[records])),
        ("/_sim/datasets/{name}/actions/{action}", "post",
         operation("dashboard_action", "Act on a dataset as the scenario's first user",
                   "dashboard", ref("ActionResult"), errors=[400, 403, 404])),
        ("/_sim/dashboard", "get",
         operation("dashboard_state", "What the dashboard polls", "dashboard",
                   ref("Dashboard"), errors=[400],
                   params=[query("since", {"type": "integer", "minimum": 0},
                                 "Transitions after the first `since`.")])),
        ("/_sim/ui", "get",
         operation("dashboard_page", "The dashboard", "dashboard",
                   content={"text/html": {"schema": STRING}})),
        ("/_sim/ui/{file}", "get",
         operation("dashboard_file", "A file of the dashboard", "dashboard",
                   content=UI_MEDIA, errors=[404])),
        ("/_sim/openapi.json", "get",
         operation("control_openapi", "This document", "documents", OPENAPI)),
        ("/api/management/v2/openapi.json", "get",
         operation("management_openapi", "The Management API's document", "documents",
                   OPENAPI)),
        ("/api/automation/v1.0/openapi.json", "get",
         operation("automation_openapi", "The Automation API's document", "documents",
                   OPENAPI)),
    ]  # fmt: skip


#: Control paths that need no token (see :mod:`simulator.api.control.guard`).
_OPEN = ("/_sim/health", "/_sim/openapi.json", "/_sim/ui/{file}")

_GUARD_RESPONSES = {
    "C401": {
        "description": "This simulator has a control token, and the call did not carry it "
        "(`ControlTokenRequiredException`): send `X-Sim-Token`, `Authorization: Bearer` "
        "or `?token=`.",
        "content": {JSON: {"schema": ref("Error")}},
    },
    "C403": {
        "description": "Refused for where it comes from (`ControlForbiddenException`): a "
        "name the control API does not answer to, or a browser's call from another site; "
        "for a dashboard action, also a permission the scenario's first user lacks.",
        "content": {JSON: {"schema": ref("Error")}},
    },
}


def _guarded(rows: list[tuple[str, str, dict[str, Any]]]) -> list[tuple[str, str, dict[str, Any]]]:
    """Every control operation may be refused by the guard: 403, and 401 but where open."""
    for path, _, op in rows:
        if not path.startswith("/_sim/"):
            continue
        responses = op["responses"]
        responses["403"] = {"$ref": "#/components/responses/C403"}
        if path not in _OPEN:
            responses["401"] = {"$ref": "#/components/responses/C401"}
        op["responses"] = dict(sorted(responses.items()))
    return rows


def control_document() -> dict[str, Any]:
    """The OpenAPI 3.1 document of the control API."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Management API simulator: control API",
            "version": __version__,
            "description": DESCRIPTION,
        },
        "servers": [{"url": "/"}],
        "tags": [
            {"name": name}
            for name in (
                "clock",
                "scenario",
                "state machine",
                "snapshots",
                "dashboard",
                "documents",
                "requests",
            )
        ],
        "paths": assemble(_guarded([*_rows(), *snapshot_rows(), *request_log_rows()])),
        "components": {
            "schemas": {**control_schemas(), **snapshot_schemas(), **request_log_schemas()},
            "responses": {
                **{k: v for k, v in error_responses().items() if k in ("E400", "E404", "E413")},
                **_GUARD_RESPONSES,
            },
            "parameters": _parameters(),
        },
    }
