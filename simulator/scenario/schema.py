"""The JSON Schema of scenario files, built from the code's own vocabularies.

Statuses, permissions, metadata templates and fault kinds come from the modules
that define them, so the schema cannot disagree with the engine. The package ships
it as ``scenario.schema.json`` for editors; regenerate that file with
``python -m simulator.scenario.schema``.
"""

from __future__ import annotations

import json
import sys
from dataclasses import fields
from pathlib import Path
from typing import Any

from ..domain import metadata as md
from ..domain.clock import CLOCK_MODES, MAX_SPEED
from ..domain.datagen import FIELD_KINDS
from ..domain.faults import (
    ABORT,
    FAILURE_KINDS,
    FAULT_TYPES,
    HTTP_METHODS,
    MAX_WALL_DELAY,
    TRANSPORTS,
)
from ..domain.harvest_faults import HARVEST_STEPS
from ..domain.harvesters import FETCHERS, MAX_REMOTE_DATASETS
from ..domain.limits import CONTROL_TOKEN_PATTERN, MAX_RECORDS, MAX_SLOWDOWN, MAX_SPAN, MAX_WORKERS
from ..domain.models import DOMAIN_PERMISSIONS, RESOURCE_TYPES
from ..domain.pages import SLUG_PATTERN
from ..domain.platform import DEFAULT_DOMAIN_ID
from ..domain.retention import Retention
from ..domain.statemachine import (
    ACTIONS,
    PUBLIC_NAMES,
    VOCABULARIES,
    WORKING,
    HarvesterStatus,
    Status,
)

SCHEMA_FILE = Path(__file__).with_name("scenario.schema.json")

STAGES = [s.value for s in Status if s in WORKING]
SCRIPT_ACTIONS = [*ACTIONS, "delete"]
STATUS_NAMES = sorted({s.value for s in Status} | set(PUBLIC_NAMES))
#: What a script does to a harvester, as the API's harvester actions.
HARVESTER_ACTIONS = ["start", "publish", "unpublish"]
HARVESTER_NAMES = [s.value for s in HarvesterStatus]

DATASET_ID_PATTERN = "^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$"
DATASET_UID_PATTERN = "^da_[a-z0-9]{6}$"
USERNAME_PATTERN = "^[A-Za-z0-9_.@+-]{1,150}$"
ID_HINT = "letters, digits, '-' and '_', starting with a letter or digit"


def _obj(
    description: str, properties: dict[str, Any], required: tuple[str, ...] = ()
) -> dict[str, Any]:
    schema: dict[str, Any] = {
        "type": "object",
        "description": description,
        "additionalProperties": False,
        "properties": properties,
    }
    if required:
        schema["required"] = list(required)
    return schema


def _num(description: str, minimum: float = 0, **extra: Any) -> dict[str, Any]:
    return {"type": "number", "minimum": minimum, "description": description, **extra}


def _int(description: str, minimum: int = 0, **extra: Any) -> dict[str, Any]:
    return {"type": "integer", "minimum": minimum, "description": description, **extra}


def _str(description: str, **extra: Any) -> dict[str, Any]:
    return {"type": "string", "description": description, **extra}


_META_TYPES: dict[str, dict[str, Any]] = {
    md.TEXT: {"type": "string"},
    md.HTML: {"type": "string"},
    md.MULTITEXT: {"type": "array", "items": {"type": "string"}},
    md.DATE: {
        "type": "string",
        "pattern": r"^\d{4}-\d{2}-\d{2}$",
        "x-hint": "an ISO 8601 date such as 2024-01-31 (quoted)",
    },
    md.DATETIME: {
        "type": "string",
        "pattern": r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}(:?\d{2})?)$",
        "x-hint": "an ISO 8601 datetime with a time zone such as 2024-01-31T12:00:00Z (quoted)",
    },
    md.BOOLEAN: {"type": "boolean"},
    md.INT: {"type": "integer"},
    md.DOUBLE: {"type": "number"},
}


def _meta(f: md.Field) -> dict[str, Any]:
    schema = {**_META_TYPES[f.type], "description": f"{f.label} ({f.type})"}
    if f.choices is not None:
        if f.type == md.MULTITEXT:
            schema["items"] = {"type": "string", "enum": list(f.choice_values)}
        else:
            schema["enum"] = list(f.choice_values)
    return schema


def _metas() -> dict[str, Any]:
    templates = {
        name: _obj(template.label, {f.name: _meta(f) for f in template.fields.values()})
        for name, template in md.WRITABLE.items()
    }
    return _obj(
        "Metadata by template; left out, Faker writes plausible default metadata", templates
    )


_DATASET_REF = _str(
    "A dataset id or uid of this scenario, '*' for every dataset, or a glob pattern "
    "(e.g. 'import-*') for datasets created at run time",
    minLength=1,
)
_STAGE = {
    "description": "Restrict the fault to these fine statuses",
    "anyOf": [
        {"enum": STAGES},
        {"type": "array", "items": {"enum": STAGES}, "minItems": 1},
    ],
}
_MESSAGE = {
    "raw_message": _str("Message template; {name} is replaced from raw_params"),
    "raw_params": {"type": "object", "description": "Values for the message template"},
}


def _fault(
    kind: str, description: str, properties: dict[str, Any], *required: str
) -> dict[str, Any]:
    props = {"type": {"const": kind}, **properties}
    return {
        "if": {"properties": {"type": {"const": kind}}, "required": ["type"]},
        "then": _obj(description, props, ("type", *required)),
    }


def _faults() -> dict[str, Any]:
    failure = {
        "dataset": _DATASET_REF,
        "stage": _STAGE,
        "after_records": _int("Fail after this many records of the stage"),
        "at_fraction": _num("Fail at this fraction of the stage's records", maximum=1),
        "times": _int("Fire at most this many times (default: every time)", minimum=1),
        **_MESSAGE,
    }
    kinds = [
        _fault(kind, f"{kind.replace('_', ' ')}: the stage ends in error", failure)
        for kind in FAILURE_KINDS
    ]
    kinds.append(
        _fault(
            ABORT,
            "the processing is aborted part-way through a stage, as by another user",
            {k: v for k, v in failure.items() if k not in _MESSAGE},
        )
    )
    kinds.append(
        _fault(
            "record_errors",
            "Bad values in records, counted on the status",
            {
                "dataset": _DATASET_REF,
                "stage": _STAGE,
                "count": _int("This many record errors per processing"),
                "rate": _num("This fraction of the processed records", maximum=1),
                "field": _str("Field the errors are reported on"),
                "processor_uid": _str("Processor reported with each error"),
                **_MESSAGE,
            },
        )
    )
    kinds.append(
        _fault(
            "slow_stage",
            "Stages that take longer",
            {
                "dataset": _DATASET_REF,
                "stage": _STAGE,
                "factor": _num("Duration multiplier", exclusiveMinimum=0, maximum=MAX_SLOWDOWN),
            },
            "factor",
        )
    )
    kinds.append(
        _fault(
            "worker_outage",
            "Workers leave the pool for a while; running jobs finish",
            {
                "from": _num("Virtual second the outage starts"),
                "until": _num("Virtual second it ends (default: never)"),
                "workers": _int("How many workers leave", minimum=1),
            },
        )
    )
    kinds.append(
        _fault(
            "http",
            "Calls of the Management API answered with an error, or later",
            {
                "method": {
                    "description": "HTTP method(s) to match (default: any)",
                    "anyOf": [
                        {"enum": [*HTTP_METHODS, "*"]},
                        {"type": "array", "items": {"enum": list(HTTP_METHODS)}, "minItems": 1},
                    ],
                },
                "path": _str(
                    "Glob pattern on the path, e.g. /api/management/v2/datasets/*/status",
                    pattern="^/",
                    **{"x-hint": "a path starting with /"},
                ),
                "status": _int(
                    "Answer with this HTTP status (a final one: 1xx cannot end an answer)",
                    minimum=200,
                    maximum=599,
                ),
                "body": {"type": "object", "description": "Answer with this JSON body"},
                "headers": {
                    "type": "object",
                    "description": "Extra response headers, e.g. Retry-After",
                    "additionalProperties": {"type": "string"},
                },
                "latency": _num("Virtual seconds that pass before the answer", maximum=MAX_SPAN),
                "nth": {
                    "description": "Only the nth matching call(s), counted from 1",
                    "anyOf": [
                        {"type": "integer", "minimum": 1},
                        {
                            "type": "array",
                            "items": {"type": "integer", "minimum": 1},
                            "minItems": 1,
                        },
                    ],
                },
                "probability": _num("Fire with this seeded probability", maximum=1),
                "times": _int("Fire at most this many times", minimum=1),
                "from": _num("Active from this virtual second"),
                "until": _num("Active until this virtual second"),
                "transport": {
                    "enum": list(TRANSPORTS),
                    "description": "Fail on the wire: reset (the connection is reset before "
                    "any answer; the call is not processed), truncate (the answer stops short "
                    "of its Content-Length), garble (an answer of the promised length that is "
                    "not JSON), delay (a real wait of wall_delay seconds before the answer), stall "
                    "(no answer: the connection is held wall_delay seconds, then reset)",
                },
                "wall_delay": _num(
                    "transport delay or stall: real (wall-clock) seconds to wait",
                    maximum=MAX_WALL_DELAY,
                ),
                "retry_after": _int(
                    "Set Retry-After to this many seconds (status 429 unless given)", minimum=0
                ),
            },
            "path",
        )
    )
    harvester = _str(
        "A harvester id of this scenario, '*' for every harvester (the default), or a glob "
        "pattern for harvesters created at run time",
        minLength=1,
    )
    kinds.append(
        _fault(
            "harvest_error",
            "A harvest that fails: the harvester ends idle, its errors counted",
            {
                "harvester": harvester,
                "step": {
                    "enum": list(HARVEST_STEPS),
                    "description": "catalogue (default): the harvester's own error, nothing "
                    "changes; datasets: an error for each remote dataset named",
                },
                "remote_datasets": {
                    "type": "array",
                    "items": {"type": "string"},
                    "minItems": 1,
                    "description": "step datasets: the remote ids that fail (default: all)",
                },
                "times": _int("Fire at most this many times (default: every time)", minimum=1),
                **_MESSAGE,
            },
        )
    )
    kinds.append(
        _fault(
            "slow_harvest",
            "A slow remote: harvests take longer",
            {
                "harvester": harvester,
                "factor": _num("Duration multiplier", exclusiveMinimum=0, maximum=MAX_SLOWDOWN),
                "latency": _num("Virtual seconds added to each harvest", maximum=MAX_SPAN),
            },
        )
    )
    kinds.append(
        _fault(
            "remote_outage",
            "The remote catalogue cannot be reached: harvests running then fail",
            {
                "harvester": harvester,
                "from": _num("Virtual second the outage starts"),
                "until": _num("Virtual second it ends (default: never)"),
            },
        )
    )
    return {
        "type": "array",
        "description": "Faults to inject",
        "items": {
            "type": "object",
            "description": "A fault; 'type' says which",
            "required": ["type"],
            "properties": {"type": {"enum": list(FAULT_TYPES), "description": "Fault kind"}},
            "allOf": kinds,
        },
    }


def _records() -> dict[str, Any]:
    return {
        "description": "Records per dataset: a number, or a range drawn from the seed",
        "anyOf": [
            {"type": "integer", "minimum": 0, "maximum": MAX_RECORDS},
            _obj(
                "A range of record counts",
                {
                    "min": _int("Fewest records", maximum=MAX_RECORDS),
                    "max": _int("Most records", maximum=MAX_RECORDS),
                },
                ("min", "max"),
            ),
        ],
    }


def _resource() -> dict[str, Any]:
    return _obj(
        "A resource of the dataset",
        {
            "title": _str("Resource title (default: '<dataset_id>.csv')"),
            "records": _int("Records this resource holds", maximum=MAX_RECORDS),
            "url": _str("Source URL (default: odsfile://<title>)"),
            "type": {"enum": list(RESOURCE_TYPES), "description": "Resource type"},
            "fields": {
                "type": "object",
                "description": "Fields of its sample records, name: kind",
                "additionalProperties": {"enum": list(FIELD_KINDS)},
            },
        },
    )


def _dataset() -> dict[str, Any]:
    common = {
        "visibility": {"enum": ["domain", "restricted"], "description": "Who may see it"},
        "published": {"type": "boolean", "description": "Already published at time zero"},
        "owner": _str("Username of the owner (default: the first user)"),
    }
    explicit = _obj(
        "A dataset",
        {
            "dataset_id": _str(
                "Human-readable id", pattern=DATASET_ID_PATTERN, **{"x-hint": ID_HINT}
            ),
            "dataset_uid": _str(
                "Fixed uid (default: drawn from the seed)",
                pattern=DATASET_UID_PATTERN,
                **{"x-hint": "'da_' and 6 lowercase letters or digits"},
            ),
            "metas": _metas(),
            "resources": {"type": "array", "items": _resource(), "description": "Its resources"},
            "feedbacks": {
                "type": "array",
                "items": _feedback(),
                "description": "What visitors said about its records (no API makes them)",
            },
            **common,
        },
    )
    generated = _obj(
        "Many generated datasets: ids <prefix>-001..., metadata by Faker",
        {
            "generate": _int("How many datasets", minimum=1, maximum=100_000),
            "prefix": _str(
                "Their ids' prefix (default: dataset)",
                pattern=DATASET_ID_PATTERN,
                **{"x-hint": ID_HINT},
            ),
            "records": _records(),
            "resources": _int("Resources per dataset (default 1)", minimum=1, maximum=100),
            **common,
        },
        ("generate",),
    )
    return {"if": {"required": ["generate"]}, "then": generated, "else": explicit}


def _feedback() -> dict[str, Any]:
    return _obj(
        "A visitor's comment on a record, as the Automation API lists it",
        {
            "uid": _str(
                "Fixed uid (default: drawn from the seed)",
                pattern="^df_[a-z0-9]{6}$",
                **{"x-hint": "'df_' and 6 lowercase letters or digits"},
            ),
            "record_id": _str("The record commented on", minLength=1),
            "user": _str(
                "Who wrote it (default: a name made up by Faker)", pattern=USERNAME_PATTERN
            ),
            "comment": _str("What they wrote"),
            "values": {
                "type": "object",
                "description": "The values they suggest: {field: {value, type}}",
            },
            "is_archived": {"type": "boolean", "description": "Archived already (default false)"},
            "ago": _num("Virtual seconds before the start it was written", maximum=MAX_SPAN),
        },
        ("record_id", "comment"),
    )


def _user() -> dict[str, Any]:
    return _obj(
        "A user; left without a username, Faker makes one up",
        {
            "username": _str(
                "Login name",
                pattern=USERNAME_PATTERN,
                **{"x-hint": "letters, digits and _ . @ + -"},
            ),
            "password": _str("Password for HTTP Basic (default: drawn from the seed)"),
            "api_keys": {
                "type": "array",
                "items": {
                    "anyOf": [
                        {"type": "string", "minLength": 1},
                        _obj(
                            "An API key with a label and the permissions it carries",
                            {
                                "key": {"type": "string", "minLength": 1},
                                "label": _str("What the key is for"),
                                "permissions": {
                                    "type": "array",
                                    "items": {"enum": list(DOMAIN_PERMISSIONS)},
                                    "description": "What it carries of what its owner holds "
                                    "(default: explore_restricted_dataset)",
                                },
                            },
                            required=("key",),
                        ),
                    ]
                },
                "description": "API keys for 'Authorization: Apikey <key>'; a key given "
                "as a string carries every permission its owner holds",
            },
            "permissions": {
                "description": "Domain permissions, or 'all'",
                "anyOf": [
                    {"const": "all"},
                    {"type": "array", "items": {"enum": list(DOMAIN_PERMISSIONS)}},
                ],
            },
        },
    )


def _group() -> dict[str, Any]:
    return _obj(
        "A group of users, in the platform's words; its members get its domain permissions",
        {
            "group_id": _str(
                "Its id (default: made from the title, e.g. 'My editors' -> my-editors)",
                pattern=DATASET_ID_PATTERN,
                **{"x-hint": ID_HINT},
            ),
            "title": _str("Its name (default: the group_id)", minLength=1),
            "permissions": {
                "description": "Domain permissions its members get, or 'all'",
                "anyOf": [
                    {"const": "all"},
                    {"type": "array", "items": {"enum": list(DOMAIN_PERMISSIONS)}},
                ],
            },
            "usernames": {
                "type": "array",
                "items": _str(
                    "A user of this scenario",
                    pattern=USERNAME_PATTERN,
                    **{"x-hint": "letters, digits and _ . @ + -"},
                ),
                "description": "Its members",
            },
        },
    )


def _domain() -> dict[str, Any]:
    theme = _obj(
        "A theme: its id is what a dataset's internal.theme_id holds",
        {
            "id": _str("Its id, e.g. 7b5b405", minLength=1),
            "labels": {
                "type": "object",
                "additionalProperties": {"type": "string"},
                "description": "Its label by language, e.g. {en: Environment}",
            },
        },
        ("id",),
    )
    properties = {
        "type": "object",
        "description": "Its properties by dotted key (any JSON value), as GET /domain shows them",
        "properties": {
            "metadata.themes": {"type": "array", "items": theme, "description": "Its themes"}
        },
    }
    return _obj("The domain, as GET /domain shows it", {"properties": properties})


def _page() -> dict[str, Any]:
    strings = {"type": "object", "additionalProperties": {"type": "string"}}
    return _obj(
        "A page of the domain, named by its slug",
        {
            "slug": _str("Its slug", pattern=SLUG_PATTERN, **{"x-hint": ID_HINT}),
            "title": {
                "anyOf": [{"type": "string"}, strings],
                "description": "Its title by language, or one title (English)",
            },
            "description": _str("Its description"),
            "template": _str("Its template (default custom.html)", minLength=1),
            "content": {"type": "object", "description": "{html: {lang: ...}, css: {lang: ...}}"},
            "tags": {"type": "array", "items": {"type": "string"}, "description": "Its tags"},
            "restricted": {"type": "boolean", "description": "Only for those allowed"},
            "author": _str(
                "A user of this scenario (default: the first)",
                pattern=USERNAME_PATTERN,
                **{"x-hint": "letters, digits and _ . @ + -"},
            ),
        },
        ("slug",),
    )


def _harvester() -> dict[str, Any]:
    remote = _obj(
        "A dataset of the remote catalogue",
        {
            "id": _str("Its remote id", pattern="^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$"),
            "title": _str("Its title (default: its id)"),
            "description": _str("Its description"),
            "records": {"type": "integer", "minimum": 0, "maximum": MAX_RECORDS},
        },
        ("id",),
    )
    return _obj(
        "A harvester, or (exists: false) only the remote catalogue of one a client creates",
        {
            "name": _str("Its name (letters or digits)", pattern="^.{0,254}[A-Za-z0-9].{0,254}$"),
            "harvester_id": _str(
                "Its id (default: a slug of its name)", pattern="^[a-z0-9][a-z0-9-]{0,99}$"
            ),
            "fetcher": {"enum": list(FETCHERS), "description": "Its type (default ods)"},
            "params": {"type": "object", "description": "Its fetcher's parameters"},
            "exists": {"type": "boolean", "description": "Whether it exists at time zero"},
            "schedules": {
                "type": "array",
                "items": _obj(
                    "When it runs: once a day at most, after a first run",
                    {
                        "cron_schedule": _str("Unix cron, one minute and one hour: '0 2 * * *'"),
                        "timezone": _str("A time zone of the tz database, e.g. Europe/Berlin"),
                    },
                    ("cron_schedule", "timezone"),
                ),
                "description": "Its schedule (at most one)",
            },
            "remote_datasets": {
                "anyOf": [
                    {"type": "integer", "minimum": 0, "maximum": MAX_REMOTE_DATASETS},
                    {"type": "array", "items": remote},
                ],
                "description": "How many remote datasets (generated), or their list",
            },
        },
        ("name",),
    )


def _script() -> dict[str, Any]:
    expect = _obj(
        "What must hold at that virtual time, of a dataset or of a harvester",
        {
            "dataset": _str("Dataset id or uid"),
            "harvester": _str("Harvester id"),
            "status": {
                "enum": [*STATUS_NAMES, *(n for n in HARVESTER_NAMES if n not in STATUS_NAMES)],
                "description": "A dataset's fine or public status name, or a harvester's status",
            },
            "published": {"type": "boolean"},
            "records": _int("Records indexed"),
            "records_errors": _int("Record errors counted"),
            "counters": _obj(
                "A harvester's counters (the keys given)",
                {"attached": _int("Datasets attached"), "published": _int("Of them published")},
            ),
            "errors": _obj(
                "A harvester's error counts (the keys given)",
                {
                    "harvester": _int("The harvester's own errors"),
                    "resources": _int("Errors of remote datasets"),
                },
            ),
            "exists": {"type": "boolean", "description": "false: it was deleted"},
        },
    )
    step = _obj(
        "One step: an action, or an expectation",
        {
            "at": _num("Virtual second of the step"),
            "action": {
                "enum": [*SCRIPT_ACTIONS, *(a for a in HARVESTER_ACTIONS if a not in ACTIONS)],
                "description": "What to do: a dataset's action, or start, publish or "
                "unpublish for a harvester",
            },
            "dataset": _str("Dataset id or uid the action applies to"),
            "harvester": _str("Harvester id the action applies to"),
            "user": _str("Who acts (default: the first user)"),
            "expect": expect,
        },
        ("at",),
    )
    return {"type": "array", "items": step, "description": "Actions and checks in virtual time"}


def _retention() -> dict[str, Any]:
    defaults = Retention()
    described = {
        "transitions": "Newest transitions the timeline keeps",
        "jobs": "Newest ended jobs kept",
        "faults": "Newest entries of the fault log kept",
        "changes": "Newest changes kept in each dataset's change log",
        "versions": "Newest versions kept for each dataset",
        "unused_files": "Uploads no resource uses kept, newest first",
        "unused_file_bytes": "Bytes of such uploads kept, at most",
        "journal": "Journal lines before the world is written down whole",
        "requests": "Newest requests the request log keeps",
    }
    assert set(described) == {f.name for f in fields(Retention)}
    return _obj(
        "What a long-running simulator keeps; the oldest of the rest goes",
        {
            name: _int(f"{text} (default {getattr(defaults, name):,})", minimum=1)
            for name, text in described.items()
        },
    )


def build_schema() -> dict[str, Any]:
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": "Opendatasoft dataset APIs simulator scenario",
        **_obj(
            "The world at virtual time zero, the faults to inject, and a script",
            {
                "seed": _int("Seed of ids, jitter, probabilities and generated data"),
                "status_names": {"enum": list(VOCABULARIES), "description": "Status vocabulary"},
                "control_token": _str(
                    "A secret the control API (/_sim) and the dashboard then require",
                    pattern=CONTROL_TOKEN_PATTERN,
                    **{"x-hint": "1 to 200 printable ASCII characters, no spaces"},
                ),
                "clock": _obj(
                    "The virtual clock",
                    {
                        "mode": {
                            "enum": list(CLOCK_MODES),
                            "description": "manual, realtime or step",
                        },
                        "speed": _num(
                            "Virtual seconds per wall second in realtime mode",
                            exclusiveMinimum=0,
                            maximum=MAX_SPEED,
                        ),
                        "start": _str("Date and time of virtual second zero (ISO 8601)"),
                    },
                ),
                "platform": _obj(
                    "The simulated platform",
                    {
                        "workers": _int("Size of the worker pool", maximum=MAX_WORKERS),
                        "license": _obj(
                            "License limits",
                            {"max_records_by_dataset": _int("Most records a dataset may index")},
                        ),
                        "stages": _obj(
                            "Timings by fine status: base + records / rate virtual seconds",
                            {
                                stage: _obj(
                                    f"Timing of {stage}",
                                    {
                                        "base": _num("Fixed virtual seconds", maximum=MAX_SPAN),
                                        "rate": _num("Records per second", exclusiveMinimum=0),
                                        "jitter": _num("Relative spread (seeded)", maximum=0.99),
                                    },
                                )
                                for stage in STAGES
                            },
                        ),
                        "domain_id": _str(
                            f"The domain's identifier (default {DEFAULT_DOMAIN_ID!r})",
                            pattern="^[a-z0-9][a-z0-9-]{0,62}$",
                        ),
                        "minute_level_schedules": {
                            "type": "boolean",
                            "description": "Dataset schedules may fire more than once a day "
                            "(default false: at most daily, as on the platform)",
                        },
                    },
                ),
                "users": {
                    "type": "array",
                    "items": _user(),
                    "description": "Users and their rights",
                },
                "groups": {
                    "type": "array",
                    "items": _group(),
                    "description": "Groups of users, and the rights their members get",
                },
                "datasets": {
                    "type": "array",
                    "items": _dataset(),
                    "description": "Datasets at time zero",
                },
                "domain": _domain(),
                "pages": {
                    "type": "array",
                    "items": _page(),
                    "description": "The domain's pages at time zero",
                },
                "harvesters": {
                    "type": "array",
                    "items": _harvester(),
                    "description": "Harvesters, and the remote catalogue each reads",
                },
                "faults": _faults(),
                "script": _script(),
                "retention": _retention(),
            },
        ),
    }


def schema_text() -> str:
    return json.dumps(build_schema(), indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write the shipped schema file (or check it with ``--check``)."""
    args = sys.argv[1:] if argv is None else argv
    text = schema_text()
    if "--check" in args:
        if SCHEMA_FILE.read_text(encoding="utf-8") != text:
            print(f"{SCHEMA_FILE} is out of date: run python -m simulator.scenario.schema")
            return 1
        return 0
    SCHEMA_FILE.write_text(text, encoding="utf-8")
    print(f"wrote {SCHEMA_FILE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
