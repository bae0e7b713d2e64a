"""The snapshot endpoints of the control API, and the snapshot document, as OpenAPI 3.1."""

from __future__ import annotations

from typing import Any

from ...domain.clock import CLOCK_MODES
from ...domain.limits import CONTROL_TOKEN_PATTERN
from ...domain.statemachine import VOCABULARIES
from ...service.statefile import FORMAT, SETTINGS, VERSION
from ..openapi import JSON, body, operation
from ..schemas import BOOLEAN, COUNT, DATETIME, NUMBER, STRING, Schema, nullable, obj, ref

_DIGEST: Schema = {"type": "string", "pattern": "^[0-9a-f]{64}$"}

_ANSWERS = {
    "409": "No state file is configured (`--state-file`), or this world cannot be "
    "snapshotted (`SnapshotUnavailableException`).",
    "500": "The state file could not be written (`StateFileException`).",
}


def _error(code: str) -> dict[str, Any]:
    return {"description": _ANSWERS[code], "content": {JSON: {"schema": ref("Error")}}}


def _settings(nullable_values: bool) -> Schema:
    kinds: dict[str, Schema] = {
        "workers": COUNT,
        "seed": COUNT,
        "clock_mode": {"enum": list(CLOCK_MODES)},
        "speed": {**NUMBER, "exclusiveMinimum": 0},
        "status_names": {"enum": list(VOCABULARIES)},
        "control_token": {**STRING, "pattern": CONTROL_TOKEN_PATTERN},
    }
    assert set(kinds) == set(SETTINGS)
    if nullable_values:
        return obj(" ".join(SETTINGS), **{k: nullable(v) for k, v in kinds.items()})
    return obj(**kinds)


def _state() -> Schema:
    dataset = obj(
        "dataset_uid dataset_id status published records job_id",
        dataset_uid=STRING,
        dataset_id=STRING,
        status=ref("FineStatus"),
        published=BOOLEAN,
        records=COUNT,
        job_id=nullable(STRING),
    )
    job = obj(
        "job_id function dataset_uid user state created started ended",
        job_id=STRING,
        function=STRING,
        dataset_uid=STRING,
        user=STRING,
        state=STRING,
        created=NUMBER,
        started=nullable(NUMBER),
        ended=nullable(NUMBER),
    )
    counts = "datasets jobs files transitions faults script_steps_played operations"
    digests = "datasets jobs files timeline faults script engine random"
    return obj(
        "now counts datasets jobs digests",
        now=NUMBER,
        counts=obj(counts, **dict.fromkeys(counts.split(), COUNT)),
        datasets={"type": "array", "items": dataset},
        jobs={"type": "array", "items": job},
        digests=obj(
            digests,
            optional={
                "pages": {**_DIGEST, "description": "Only once the domain has pages."},
                "harvesters": {**_DIGEST, "description": "Only once there are harvesters."},
                "harvester_moves": {
                    **_DIGEST,
                    "description": "Only once a harvester has moved.",
                },
                "connections": {
                    **_DIGEST,
                    "description": "Only once there are datasource connections.",
                },
            },
            **dict.fromkeys(digests.split(), _DIGEST),
        ),
    )


def snapshot_schemas() -> dict[str, Schema]:
    line = {
        "type": "array",
        "prefixItems": [NUMBER, STRING, {"type": "object"}],
        "items": False,
        "minItems": 3,
        "description": "`[t, operation, arguments]`: a change, at the virtual second it ran.",
    }
    return {
        "Snapshot": obj(
            "format version simulator scenario settings overrides default_clock_mode clock "
            "state journal",
            format={"const": FORMAT},
            version={"const": VERSION},
            simulator=STRING,
            scenario=obj("source text", source=STRING, text=STRING),
            settings=_settings(nullable_values=True),
            overrides=_settings(nullable_values=False),
            default_clock_mode={"enum": list(CLOCK_MODES)},
            clock=obj(
                "now datetime mode speed any_credentials",
                now=NUMBER,
                datetime=DATETIME,
                mode={"enum": list(CLOCK_MODES)},
                speed=NUMBER,
                any_credentials=BOOLEAN,
            ),
            state=_state(),
            journal={"type": "array", "items": line},
            optional={
                "base": {
                    "type": "object",
                    "description": "The world written down whole, which the journal follows "
                    "(once the journal grew long).",
                }
            },
        ),
        "SnapshotSaved": obj(
            "path bytes operations now datetime",
            path=STRING,
            bytes=COUNT,
            operations=COUNT,
            now=NUMBER,
            datetime=DATETIME,
        ),
        "SnapshotRestored": obj(
            "restored operations now datetime",
            restored={"const": True},
            operations=COUNT,
            now=NUMBER,
            datetime=DATETIME,
        ),
    }


def snapshot_rows() -> list[tuple[str, str, dict[str, Any]]]:
    get = operation(
        "get_snapshot",
        "The whole state as a snapshot document",
        "snapshots",
        ref("Snapshot"),
        description="What `POST` would save: the scenario, settings, clock, a checked "
        "`state` section and the journal of changes.",
    )
    get["responses"]["409"] = _error("409")
    save = operation(
        "save_snapshot",
        "Save a snapshot to the state file now",
        "snapshots",
        ref("SnapshotSaved"),
        description="Written atomically: the previous file or this one, never a torn one.",
    )
    save["responses"].update({code: _error(code) for code in ("409", "500")})
    restore = operation(
        "restore_snapshot",
        "Replace the world with a snapshot's",
        "snapshots",
        ref("SnapshotRestored"),
        errors=[400],
        request=body(ref("Snapshot"), description="A document `GET` answered."),
        description="The journal is replayed and the result checked against the "
        "document's `state`; a snapshot that does not replay the same changes nothing "
        "(`InvalidSnapshotException`).",
    )
    return [
        ("/_sim/snapshot", "get", get),
        ("/_sim/snapshot", "post", save),
        ("/_sim/snapshot", "put", restore),
    ]
