"""The JSON shapes of both APIs, as JSON Schema 2020-12 (what OpenAPI 3.1 uses).

Answers are described strictly (no unknown keys), so a key the simulator starts to
send without documenting it fails the contract test. Request bodies say what the
simulator accepts; what it refuses is answered with a 400 in the error shape.
Enumerations come from the modules that own them: statuses from the state machine,
metadata fields from the templates, processors from their catalogue, field
specifications and types from theirs.
"""

from __future__ import annotations

from typing import Any

from ..domain import metadata as md
from ..domain.clock import CLOCK_MODES, MAX_SPEED
from ..domain.datagen import FIELD_KINDS
from ..domain.fieldspecs import KINDS as FIELD_SPEC_KINDS
from ..domain.harvesters import FETCHERS
from ..domain.models import (
    DATASET_ID_PATTERN,
    DATASET_READ_ONLY,
    DOMAIN_PERMISSIONS,
    RESOURCE_READ_ONLY,
    RESOURCE_TYPES,
)
from ..domain.pages import READ_ONLY as PAGE_READ_ONLY
from ..domain.pages import RULESET_PERMISSIONS, SLUG_PATTERN
from ..domain.pages import WRITABLE as PAGE_WRITABLE
from ..domain.processors import CATALOGUE
from ..domain.security import ACCESS_POLICIES, DATASET_PERMISSIONS
from ..domain.sources import FIELD_TYPES
from ..domain.statemachine import PUBLIC_NAMES, REMOVED, VOCABULARIES, HarvesterStatus, Status
from ..domain.templates import CATALOGUE as TEMPLATE_CATALOGUE

Schema = dict[str, Any]

FINE_NAMES = [s.value for s in Status]
JOB_STATES = ["waiting", "running", "done", "error", "aborted"]
JOB_FUNCTIONS = [
    "publish",
    "unpublish",
    "publish_metadata",
    "save_version",
    "delete",
    "push",
    "recover",
    "scratch",
]


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def obj(
    required: str = "", /, optional: dict[str, Schema] | None = None, **props: Schema
) -> Schema:
    """A closed object: ``props`` are its keys, those named in ``required`` always there."""
    properties = {**props, **(optional or {})}
    schema: Schema = {"type": "object", "properties": properties, "additionalProperties": False}
    if required:
        schema["required"] = required.split()
    return schema


def nullable(schema: Schema) -> Schema:
    return {"anyOf": [schema, {"type": "null"}]}


STRING: Schema = {"type": "string"}
INTEGER: Schema = {"type": "integer"}
COUNT: Schema = {"type": "integer", "minimum": 0}
NUMBER: Schema = {"type": "number"}
BOOLEAN: Schema = {"type": "boolean"}
ANY_OBJECT: Schema = {"type": "object"}
DATETIME: Schema = {"type": "string", "format": "date-time"}
JOB_ID: Schema = {"type": "string", "pattern": "^[0-9a-f]{40}$"}
DATASET_ID: Schema = {
    "type": "string",
    "pattern": DATASET_ID_PATTERN,
    "description": "Letters, digits, '-' and '_', up to 100 characters.",
}

#: A stored metadata value, by type (the canonical form the simulator keeps).
_VALUE_TYPES: dict[str, Schema] = {
    md.TEXT: STRING,
    md.HTML: STRING,
    md.MULTITEXT: {"type": "array", "items": STRING},
    md.DATE: {"type": "string", "format": "date"},
    md.DATETIME: {**DATETIME, "description": "ISO 8601 in UTC, e.g. 2024-01-31T12:00:00+00:00."},
    md.BOOLEAN: BOOLEAN,
    md.INT: INTEGER,
    md.DOUBLE: NUMBER,
}
_LENIENT = "or the same as a string"
#: A metadata value as a client may send it (read leniently; refused values get a 400).
_VALUE_WRITES: dict[str, Schema] = {
    md.TEXT: STRING,
    md.HTML: STRING,
    md.MULTITEXT: {"anyOf": [{"type": "array", "items": STRING}, STRING]},
    md.DATE: {**STRING, "description": "An ISO 8601 date, e.g. 2024-01-31."},
    md.DATETIME: {
        **STRING,
        "description": "An ISO 8601 datetime with a time zone, e.g. 2024-01-31T12:00:00Z.",
    },
    md.BOOLEAN: {"anyOf": [BOOLEAN, STRING, INTEGER], "description": f"A boolean, {_LENIENT}."},
    md.INT: {"anyOf": [INTEGER, STRING], "description": f"An integer, {_LENIENT}."},
    md.DOUBLE: {"anyOf": [NUMBER, STRING], "description": f"A number, {_LENIENT}."},
}


def _value(f: md.Field) -> Schema:
    """What a stored value of the field looks like: its type, and its choices if any."""
    schema = dict(_VALUE_TYPES[f.type])
    if f.choices is not None:
        choices = {"enum": list(f.choice_values)}
        if f.type == md.MULTITEXT:
            schema["items"] = {**STRING, **choices}
        else:
            schema.update(choices)
    return schema


def _metas(write: bool) -> Schema:
    """``metas`` by template (the domain's catalogue: the extra fields real clients write,
    and ``custom`` and ``admin``, open to any field); every value may be null (on write:
    remove it)."""
    templates: dict[str, Schema] = {
        name: obj(
            optional={
                f.name: nullable(_VALUE_WRITES[f.type] if write else _value(f))
                for f in template.fields.values()
            }
        )
        if not template.open
        else {"type": "object", "description": "The domain's own template: any field, any value."}
        for name, template in TEMPLATE_CATALOGUE.items()
    }
    publishing = (
        {"type": "object", "description": "Read-only; ignored on write."}
        if write
        else obj(
            "published",
            published=BOOLEAN,
            optional={
                "harvester": {
                    **STRING,
                    "description": "The name of the harvester the dataset is attached to.",
                }
            },
        )
    )
    schema = obj(optional={**templates, "publishing": publishing})
    if not write:
        schema["required"] = ["publishing"]
    return schema


def _status_object() -> Schema:
    records_errors = {
        "description": "When idle and published: a count, or the list with "
        "`expand=records_errors`.",
        "anyOf": [COUNT, {"type": "array", "items": ref("RecordError")}],
    }
    return {
        **obj(
            "name published since user",
            name=ref("StatusName"),
            published=BOOLEAN,
            since=DATETIME,
            user=ref("User"),
            records_errors=records_errors,
            message={**STRING, "description": "When error: what failed."},
            raw_message=STRING,
            raw_params=ANY_OBJECT,
            params={
                **obj("limit_type limit value", limit_type=STRING, limit=COUNT, value=COUNT),
                "description": "When limit_reached: which limit, and the value that hit it.",
            },
        ),
        "description": "Where a dataset stands. The keys after `user` depend on the status.",
    }


def _dataset() -> Schema:
    security = obj(
        "is_data_visible visible_fields filter_query api_calls_quota permissions",
        is_data_visible=BOOLEAN,
        visible_fields={"type": "array", "items": STRING},
        filter_query=STRING,
        api_calls_quota=nullable(ANY_OBJECT),
        permissions={"type": "array", "items": STRING},
    )
    return obj(
        "dataset_id dataset_uid metas last_modified published visibility default_security status",
        dataset_id=DATASET_ID,
        dataset_uid=STRING,
        metas=ref("Metas"),
        last_modified=DATETIME,
        published=BOOLEAN,
        visibility=ref("AccessPolicy"),
        default_security=security,
        status={
            "description": "`{name}`, or the whole status object with `expand=status`.",
            "anyOf": [obj("name", name=ref("StatusName")), ref("Status")],
        },
        changes={"type": "array", "items": ref("Change")},
        metadata={"type": "array", "items": ref("Metadata")},
    )


def _dataset_write() -> Schema:
    read_only = {key: {"description": "As read; ignored on write."} for key in DATASET_READ_ONLY}
    return obj(
        optional=read_only,
        dataset_id={**nullable(DATASET_ID), "description": "null: unchanged."},
        metas=ref("MetasWrite"),
        visibility={**nullable(ref("AccessPolicy")), "description": "null: unchanged."},
    )


def _job() -> Schema:
    progress = obj(
        "status fine_status started ended records_total records_done",
        status=ref("StatusName"),
        fine_status=ref("FineStatus"),
        started=DATETIME,
        ended=nullable(DATETIME),
        records_total=COUNT,
        records_done=COUNT,
    )
    result = obj(
        "status",
        status={"enum": [*FINE_NAMES, REMOVED]},
        records=COUNT,
        message=STRING,
        raw_message=STRING,
        raw_params=ANY_OBJECT,
    )
    return obj(
        "job_id function dataset_uid user state created started ended progresses result",
        job_id=JOB_ID,
        function={"enum": JOB_FUNCTIONS},
        dataset_uid=STRING,
        user=ref("User"),
        state={"enum": JOB_STATES},
        created=DATETIME,
        started=nullable(DATETIME),
        ended=nullable(DATETIME),
        progresses={"type": "array", "items": progress},
        result=nullable(result),
    )


def _resource_write() -> Schema:
    fields = {
        "description": "The simulator's own key: the records' fields, as names or name: kind.",
        "anyOf": [
            {"type": "array", "items": {"type": "string", "minLength": 1}},
            {"type": "object", "additionalProperties": {"enum": list(FIELD_KINDS)}},
        ],
    }
    schema = obj(
        optional=dict(zip(RESOURCE_READ_ONLY, (STRING, {}), strict=True)),  # as read
        url={
            **STRING,
            "description": "odsfile://<uploaded file name>, http(s)://..., or realtime://...",
        },
        title=STRING,
        type={"enum": list(RESOURCE_TYPES)},
        params=ANY_OBJECT,
        records={**COUNT, "description": "The simulator's own key: how many records it holds."},
        fields=fields,
    )
    realtime = {"required": ["type"], "properties": {"type": {"const": "realtime"}}}
    schema["anyOf"] = [{"required": ["url"]}, realtime]
    return schema


def _processor_write() -> Schema:
    takes = "; ".join(f"{k.name}: {', '.join(k.arg_names)}" for k in CATALOGUE.values())
    return obj(
        "name",
        optional={"processor_uid": STRING},
        name={"enum": list(CATALOGUE)},
        label=STRING,
        args={
            **ANY_OBJECT,
            "description": f"The processor's arguments, by its name. {takes}.",
        },
    )


def _processing_schemas() -> dict[str, Schema]:
    """Field specifications, previews and guessed parameters."""
    spec_args: Schema = {
        "description": "An object of arguments; for `order`, the list of field names.",
        "anyOf": [ANY_OBJECT, {"type": "array", "items": STRING}],
    }
    annotations = {
        "type": "array",
        "items": obj("name args", name=STRING, args={"type": "array"}),
    }
    field_keys = {
        "description": nullable(STRING),
        "original_name": STRING,
        "label": STRING,
        "type": {"enum": list(FIELD_TYPES)},
        "annotations": annotations,
        "name": STRING,
    }
    return {
        "ProcessorNames": {"type": "array", "items": {"enum": list(CATALOGUE)}},
        "FieldSpecification": obj(
            "processor_uid name args",
            processor_uid=STRING,
            name={"enum": list(FIELD_SPEC_KINDS)},
            args=spec_args,
        ),
        "FieldSpecificationWrite": obj(
            "name",
            optional={"processor_uid": {**STRING, "description": "As read; ignored."}},
            name={"enum": list(FIELD_SPEC_KINDS)},
            args=spec_args,
        ),
        "PreviewField": obj(" ".join(field_keys), **field_keys),
        "Preview": obj(
            "fields records",
            fields={"type": "array", "items": ref("PreviewField"), "maxItems": 10_000},
            records={"type": "array", "items": ANY_OBJECT, "maxItems": 20},
        ),
        "GuessedParams": {
            "type": "object",
            "description": "Each parameter of the processor: its suggested values (field "
            "names), each with its field; `{}` for a parameter that cannot be guessed.",
            "additionalProperties": {
                "type": "object",
                "additionalProperties": obj(
                    "annotations description label name original_name type",
                    **{k: field_keys[k] for k in sorted(field_keys)},
                ),
            },
        },
    }


def _rules() -> dict[str, Schema]:
    """What every ruleset says, in the platform's order."""
    return {
        "is_data_visible": BOOLEAN,
        "visible_fields": {"type": "array", "items": STRING},
        "filter_query": STRING,
        "api_calls_quota": nullable(ANY_OBJECT),
        "permissions": {"type": "array", "items": {"enum": list(DATASET_PERMISSIONS)}},
    }


def _ruleset(write: bool) -> Schema:
    # on write, the path may name the user: the body then needs no name
    user = obj(username=nullable(STRING)) if write else obj("username", username=STRING)
    props: dict[str, Schema] = {"user": user, **_rules()}
    if write:
        return obj(optional={**props, "username": STRING})
    return obj(" ".join(props), **props)


def _group_ruleset(write: bool) -> Schema:
    # on write, the path may name the group: the body then needs no id
    group = obj(group_id=nullable(STRING)) if write else obj("group_id", group_id=STRING)
    props: dict[str, Schema] = {"group": group, **_rules()}
    if write:
        return obj(optional={**props, "group_id": STRING})
    return obj(" ".join(props), **props)


def _group_ruleset_create() -> Schema:
    """A new group ruleset names its group, as ``group: {group_id}`` or ``group_id``."""
    return {
        "allOf": [ref("GroupRulesetWrite")],
        "anyOf": [
            {"required": ["group"], "properties": {"group": {"required": ["group_id"]}}},
            {"required": ["group_id"]},
        ],
    }


def _default_security(write: bool) -> Schema:
    """The default ruleset: it grants no permission, so ``permissions`` is always ``[]``."""
    props = {**_rules(), "permissions": {"type": "array", "maxItems": 0}}
    if write:
        return {
            **obj(optional=props),
            "description": "What the body leaves out takes the value a reset gives.",
        }
    return obj(" ".join(props), **props)


def _ruleset_create() -> Schema:
    """A new ruleset names its user, as ``user: {username}`` or ``username``."""
    return {
        "allOf": [ref("RulesetWrite")],
        "anyOf": [
            {"required": ["user"], "properties": {"user": {"required": ["username"]}}},
            {"required": ["username"]},
        ],
    }


def _definition() -> Schema:
    """A metadata's form object: what its value may be, and how a form shows it."""
    choice = {"anyOf": [STRING, {"type": "array", "items": STRING, "minItems": 2, "maxItems": 2}]}
    return obj(
        "type label help_text widget allow_empty",
        type={"enum": list(md.TYPES)},
        label=STRING,
        help_text=STRING,
        choices={
            "type": "array",
            "items": choice,
            "description": "The accepted values (strings, or [value, label] pairs); any "
            "other is refused.",
        },
        widget=obj(
            "type",
            type={"enum": list(md.WIDGETS)},
            suggest_values={"type": "array", "items": STRING},
            suggest_url=STRING,
        ),
        allow_empty={
            **BOOLEAN,
            "description": "Whether an empty value (an empty string or list) is accepted.",
        },
    )


def _metadata() -> Schema:
    names = sorted({f.name for f in md.all_fields()})
    return obj(
        "name template definition value remote_value override_remote_value",
        name={"enum": names},
        template=obj(
            "name label purpose",
            name={"enum": list(md.TEMPLATES)},
            label=STRING,
            purpose={"enum": list(md.PURPOSES)},
        ),
        definition={
            "description": "`{}`, or the form object with `expand=definition`.",
            "anyOf": [obj(), ref("MetadataDefinition")],
        },
        value={},
        remote_value={},
        override_remote_value=BOOLEAN,
    )


def management_schemas() -> dict[str, Schema]:
    """The shapes of the Management API v2."""
    error = obj(
        "status_code error_key message raw_message raw_params",
        status_code={"type": "integer", "minimum": 400, "maximum": 599},
        error_key={**STRING, "pattern": "Exception$"},
        message=STRING,
        raw_message=STRING,
        raw_params=ANY_OBJECT,
        errors={"type": "array", "items": ref("Error")},
    )
    record_error = obj(
        "record_id processor_uid field_uid message raw_message raw_params",
        record_id=STRING,
        processor_uid=nullable(STRING),
        field_uid=STRING,
        message=STRING,
        raw_message=STRING,
        raw_params=ANY_OBJECT,
    )
    user = obj(
        "username",
        username=STRING,
        first_name=nullable(STRING),
        last_name=nullable(STRING),
        email=nullable(STRING),
    )
    resource = obj(
        "resource_uid url title type params records fields",
        resource_uid=STRING,
        url=STRING,
        title=STRING,
        type={"enum": list(RESOURCE_TYPES)},
        params=ANY_OBJECT,
        records=COUNT,
        fields={"type": "array", "items": STRING},
    )
    file = obj(
        "file_id url filename properties created",
        file_id=STRING,
        url=STRING,
        filename=STRING,
        properties=obj(
            "mimetype size records fields",
            mimetype=STRING,
            size=COUNT,
            records=COUNT,
            fields={"type": "array", "items": STRING},
        ),
        created=DATETIME,
    )
    edit = obj(
        "path old_value new_value operation_type",
        path={"type": "array", "items": STRING},
        old_value={},
        new_value={},
        operation_type={"enum": ["create", "update", "delete"]},
    )
    change = obj(
        "change_uid dataset user timestamp diff sections can_restore",
        change_uid={"type": "integer", "minimum": 1},
        dataset=obj("dataset_uid domain", dataset_uid=STRING, domain=STRING),
        user=ref("User"),
        timestamp=DATETIME,
        diff={
            "type": "object",
            "description": "By section, each edit with its path of keys.",
            "additionalProperties": {"type": "array", "items": edit},
        },
        sections={"type": "array", "items": STRING},
        can_restore=BOOLEAN,
    )
    return {
        "Error": {**error, "description": "Every error, whatever its status code."},
        "FineStatus": {"enum": FINE_NAMES, "description": "The engine's fifteen statuses."},
        "StatusName": {
            "enum": list(dict.fromkeys([*PUBLIC_NAMES, *FINE_NAMES])),
            "description": "A status in the vocabulary asked for: the platform's public "
            "names (coarse, the default) or the fine statuses.",
        },
        **_directory_schemas(),
        "Status": _status_object(),
        "RecordError": record_error,
        "User": user,
        "AccessPolicy": {"enum": list(ACCESS_POLICIES)},
        "Metas": _metas(write=False),
        "MetasWrite": _metas(write=True),
        "Dataset": _dataset(),
        "DatasetWrite": _dataset_write(),
        "DatasetList": obj(
            "datasets rows page nhits",
            datasets={"type": "array", "items": ref("Dataset")},
            rows={"type": "integer", "minimum": 1, "maximum": 100},
            page={"type": "integer", "minimum": 1},
            nhits=COUNT,
        ),
        "JobId": obj("job_id", job_id=JOB_ID),
        "Deleted": {
            "description": "`{}` when the dataset was unpublished (gone at once); the job "
            "that deletes it otherwise.",
            "anyOf": [obj(), ref("JobId")],
        },
        "Job": _job(),
        "JobList": obj("jobs nhits", jobs={"type": "array", "items": ref("Job")}, nhits=COUNT),
        "Resource": resource,
        "ResourceWrite": _resource_write(),
        "File": file,
        "Attachment": obj("attachment_uid url", attachment_uid=STRING, url=STRING),
        "AlternativeExport": obj("export_uid url", export_uid=STRING, url=STRING),
        "Empty": obj(),
        "Pushed": obj(
            "status records buffered",
            status={"const": "OK"},
            records={"type": "integer", "minimum": 1},
            buffered=BOOLEAN,
            job_id=JOB_ID,
        ),
        "Metadata": _metadata(),
        "MetadataDefinition": _definition(),
        "Processor": obj(
            "processor_uid name args",
            processor_uid=STRING,
            name={**STRING, "description": "One of the catalogue's (`GET /processors`)."},
            label={**STRING, "description": "Only when one was given."},
            args=ANY_OBJECT,
        ),
        "ProcessorWrite": _processor_write(),
        **_processing_schemas(),
        "Ruleset": _ruleset(write=False),
        "RulesetWrite": _ruleset(write=True),
        "RulesetCreate": _ruleset_create(),
        "GroupRuleset": _group_ruleset(write=False),
        "GroupRulesetWrite": _group_ruleset(write=True),
        "GroupRulesetCreate": _group_ruleset_create(),
        "DefaultSecurity": _default_security(write=False),
        "DefaultSecurityWrite": _default_security(write=True),
        "Change": change,
        "Version": obj(
            "version created records user job_id",
            version={"type": "integer", "minimum": 1},
            created=DATETIME,
            records=COUNT,
            user=ref("User"),
            job_id=nullable(JOB_ID),
        ),
        **_page_schemas(),
        **_harvester_schemas(),
    }


def _harvester_schemas() -> dict[str, Schema]:
    """Harvesters, the fetcher they embed, and what a client writes."""
    parameter = obj(
        "is_mandatory type name label",
        is_mandatory=BOOLEAN,
        type={"enum": ["string", "boolean"]},
        name=STRING,
        label=STRING,
    )
    fetcher = obj(
        "type label description parameters",
        type={"enum": list(FETCHERS)},
        label=STRING,
        description=STRING,
        parameters={"type": "array", "items": parameter},
    )
    schedule = obj(
        "cron_schedule timezone",
        cron_schedule={**STRING, "description": "Unix cron: one minute and one hour, '0 2 * * *'."},
        timezone={**STRING, "description": "A time zone of the tz database, e.g. Europe/Berlin."},
    )
    harvester = obj(
        "status fetcher last_modified_by schedules errors name harvester_id last_modified_at "
        "version params created_at counters",
        status={"enum": [s.value for s in HarvesterStatus]},
        fetcher=fetcher,
        last_modified_by=STRING,
        schedules=nullable({"type": "array", "items": schedule, "maxItems": 1}),
        errors=obj("resources harvester", resources=COUNT, harvester=COUNT),
        name=STRING,
        harvester_id=STRING,
        last_modified_at=DATETIME,
        version={"type": "integer", "minimum": 1},
        params={
            "type": "object",
            "additionalProperties": {"type": ["string", "boolean", "null"]},
            "description": "The parameters set; secrets (api_key, password...) show as null.",
        },
        created_at=DATETIME,
        counters=obj("attached published", attached=COUNT, published=COUNT),
    )
    write = {
        "type": "object",
        "description": (
            "A harvester's writable keys; the keys it is read with may be sent back (ignored)."
        ),
        "properties": {
            "name": {**STRING, "minLength": 1, "maxLength": 255, "pattern": "[A-Za-z0-9]"},
            "fetcher": {
                "anyOf": [
                    {"enum": list(FETCHERS)},
                    {"type": "object", "properties": {"type": {"enum": list(FETCHERS)}}},
                ],
                "description": "A fetcher type, or the fetcher object as read.",
            },
            "params": nullable(ANY_OBJECT),
            "schedules": nullable({"type": "array", "items": schedule, "maxItems": 1}),
            "version": {"type": "integer", "minimum": 1},
            **{
                key: {}
                for key in (
                    "status",
                    "last_modified_by",
                    "errors",
                    "harvester_id",
                    "last_modified_at",
                    "created_at",
                    "counters",
                )
            },
        },
        "additionalProperties": False,
    }
    errors = obj(
        "harvester resources",
        harvester=nullable(STRING),
        resources={
            "type": "object",
            "additionalProperties": STRING,
            "description": "Each failed remote dataset's error, by its remote id.",
        },
    )
    preview = obj(
        "total_count results",
        total_count=COUNT,
        results={
            "type": "array",
            "items": obj("id title description", id=STRING, title=STRING, description=STRING),
        },
    )
    return {
        "Harvester": harvester,
        "HarvesterWrite": write,
        "HarvesterErrors": errors,
        "HarvesterPreview": preview,
    }


def _page_schemas() -> dict[str, Schema]:
    """The domain's description and its pages."""
    translations = {"type": "object", "additionalProperties": STRING}
    ruleset_permissions = {
        "type": "array",
        "items": {"enum": list(RULESET_PERMISSIONS)},
        "description": "What the ruleset grants on the page.",
    }
    theme = obj("id", id=STRING, labels=translations)
    properties = {
        "type": "object",
        "properties": {"metadata.themes": {"type": "array", "items": theme}},
        "description": "The domain's properties by dotted key, as its scenario gives them.",
    }
    page = obj(
        " ".join(PAGE_WRITABLE + PAGE_READ_ONLY),
        slug=STRING,
        title=translations,
        description=STRING,
        template=STRING,
        content={**ANY_OBJECT, "description": "{html: {lang: ...}, css: {lang: ...}}."},
        tags={"type": "array", "items": STRING},
        restricted=BOOLEAN,
        pushed_by_parent=BOOLEAN,
        has_subdomain_copies=BOOLEAN,
        created_at=DATETIME,
        last_modified=DATETIME,
        last_modified_user=ref("User"),
        author=ref("User"),
    )
    write = {
        "type": "object",
        "description": (
            "A page's writable keys; the keys a page is read with may be sent back (ignored)."
        ),
        "properties": {
            "slug": {**STRING, "pattern": SLUG_PATTERN},
            "title": {"anyOf": [translations, STRING]},
            "description": nullable(STRING),
            "template": nullable(STRING),
            "content": nullable(ANY_OBJECT),
            "tags": nullable({"type": "array", "items": STRING}),
            "restricted": {
                "anyOf": [BOOLEAN, STRING, INTEGER],
                "description": "A boolean, or the same as a string.",
            },
            **{key: {} for key in PAGE_READ_ONLY},
        },
        "additionalProperties": False,
    }
    return {
        "Domain": obj("domain_id properties", domain_id=STRING, properties=properties),
        "Page": page,
        "PageList": obj(
            "items rows page nhits",
            items={"type": "array", "items": ref("Page")},
            rows=COUNT,
            page=COUNT,
            nhits=COUNT,
        ),
        "PageWrite": write,
        "PageRuleset": obj(
            "permissions created_at updated_at page",
            permissions={"type": "array", "items": {"enum": list(RULESET_PERMISSIONS)}},
            created_at=DATETIME,
            updated_at=DATETIME,
            user=ref("User"),
            group=obj("group_id", group_id=STRING),
            page=obj("domain slug", domain=obj("domain_id", domain_id=STRING), slug=STRING),
        ),
        **{
            f"Page{kind.title()}Ruleset{suffix}": _page_ruleset_write(
                kind, key, suffix == "Create", ruleset_permissions
            )
            for kind, key in (("user", "username"), ("group", "group_id"))
            for suffix in ("Create", "Write")
        },
        "PageSlugs": {
            "type": "array",
            "minItems": 1,
            "items": {"anyOf": [obj("slug", slug=STRING), STRING]},
            "description": 'The pages to delete: [{"slug": "about"}, ...].',
        },
    }


# users, groups and API keys -------------------------------------------------------------


def _directory_schemas() -> dict[str, Schema]:
    """Users, groups and API keys, each in the order of its documented example."""
    permissions: Schema = {"type": "array", "items": {"enum": list(DOMAIN_PERMISSIONS)}}
    group_props: dict[str, Schema] = {
        "title": STRING,
        "group_id": STRING,
        "user_count": COUNT,
        "permissions": permissions,
        "limits": ANY_OBJECT,
        "quotas": ANY_OBJECT,
    }
    user_props: dict[str, Schema] = {
        "username": STRING,
        "first_name": STRING,
        "last_name": STRING,
        "email": STRING,
        "account_type": {"enum": ["global", "linked", "local"]},
        "display_name": STRING,
        "auth_provider_types": {"type": "array", "items": STRING},
        "permissions": permissions,
        "groups": {"type": "array", "items": ref("Group")},
        "is_active": BOOLEAN,
        "date_joined": DATETIME,
        "limits": ANY_OBJECT,
        "is_ods": BOOLEAN,
        "quotas": ANY_OBJECT,
        "datasets_index_filters": {"type": "array", "items": STRING},
        "last_seen": nullable(DATETIME),
    }
    member_props: dict[str, Schema] = {
        "username": STRING,
        "first_name": STRING,
        "last_name": STRING,
        "is_ods": BOOLEAN,
        "is_active": BOOLEAN,
        "email": nullable(STRING),
    }
    outcomes = {"type": "object", "additionalProperties": STRING}
    return {
        "Group": obj(" ".join(group_props), **group_props),
        "GroupWrite": obj(
            optional={
                "title": {**STRING, "minLength": 1},
                "permissions": permissions,
                "quotas": ANY_OBJECT,
                "limits": ANY_OBJECT,
            }
        ),
        "DomainUser": obj(" ".join(user_props), **user_props),
        "DomainUserList": obj(
            "users rows page nhits",
            users={"type": "array", "items": ref("DomainUser")},
            rows=COUNT,
            page=COUNT,
            nhits=COUNT,
        ),
        "DomainUserWrite": obj(
            optional={
                "group_ids": {"type": "array", "items": STRING},
                "permissions": permissions,
                "quotas": ANY_OBJECT,
                "limits": ANY_OBJECT,
            }
        ),
        "Invitation": obj("emails", emails={"type": "array", "items": STRING}),
        "Outcomes": {
            **outcomes,
            "description": "What became of each address or username, by it.",
        },
        "GroupMember": obj(" ".join(member_props), **member_props),
        "GroupMemberList": obj(
            "users rows page nhits",
            users={"type": "array", "items": ref("GroupMember")},
            rows=COUNT,
            page=COUNT,
            nhits=COUNT,
        ),
        "GroupMembersWrite": obj("usernames", usernames={"type": "array", "items": STRING}),
        "APIKey": obj(
            "key label permissions", key=STRING, label=nullable(STRING), permissions=permissions
        ),
        "APIKeyWrite": obj(optional={"label": nullable(STRING), "permissions": permissions}),
    }


def _page_ruleset_write(kind: str, key: str, create: bool, permissions: Schema) -> Schema:
    """What a page security ruleset's body may hold: its target (by name), its permissions."""
    target: Schema = {"anyOf": [obj(key, **{key: STRING}), STRING]}
    props: dict[str, Schema] = {"permissions": permissions, kind: target, key: STRING}
    return obj(kind if create else "", **props)


def _clock() -> Schema:
    return obj(
        "now datetime mode speed epoch next_event next_event_datetime active_jobs workers "
        "busy_workers",
        optional={"advanced": BOOLEAN, "idle": BOOLEAN},
        now={**NUMBER, "minimum": 0, "description": "Virtual seconds since time zero."},
        datetime=DATETIME,
        mode={"enum": list(CLOCK_MODES)},
        speed={**NUMBER, "exclusiveMinimum": 0, "maximum": MAX_SPEED},
        epoch=DATETIME,
        next_event=nullable(NUMBER),
        next_event_datetime=nullable(DATETIME),
        active_jobs=COUNT,
        workers=COUNT,
        busy_workers=COUNT,
    )


def _timeline_entry() -> Schema:
    fine: Schema = {"enum": [*FINE_NAMES, REMOVED]}
    public: Schema = {"enum": [*PUBLIC_NAMES, REMOVED]}
    return obj(
        "t dataset_uid dataset_id from to from_public to_public cause job_id",
        t={**NUMBER, "minimum": 0},
        dataset_uid=STRING,
        dataset_id=STRING,
        to=fine,
        from_public=public,
        to_public=public,
        cause=STRING,
        job_id=nullable(JOB_ID),
        **{"from": fine},
    )


def _harvester_move() -> Schema:
    status: Schema = {"enum": [*(s.value for s in HarvesterStatus), REMOVED]}
    return obj(
        "t harvester_id harvester_name from to cause job_id",
        t={**NUMBER, "minimum": 0},
        harvester_id=STRING,
        harvester_name=STRING,
        to=status,
        cause=STRING,
        job_id=nullable(JOB_ID),
        **{"from": status},
    )


def _scenario_summary() -> Schema:
    user = obj(
        "username password api_keys permissions",
        username=STRING,
        password=nullable(STRING),
        api_keys={"type": "array", "items": STRING},
        permissions={"type": "array", "items": {"enum": list(DOMAIN_PERMISSIONS)}},
    )
    return obj(
        "name seed status_names workers max_records_by_dataset datasets users faults script_steps",
        optional={"text": {**STRING, "description": "The scenario's YAML (GET only)."}},
        name=STRING,
        seed=COUNT,
        status_names={"enum": list(VOCABULARIES)},
        workers=COUNT,
        max_records_by_dataset=nullable(COUNT),
        datasets=COUNT,
        users={"type": "array", "items": user},
        faults=COUNT,
        script_steps=COUNT,
    )


def _dashboard() -> Schema:
    job = obj(
        "job_id function stage records_done records_total",
        job_id=JOB_ID,
        function={"enum": JOB_FUNCTIONS},
        stage=nullable(ref("FineStatus")),
        records_done=COUNT,
        records_total=COUNT,
    )
    row = obj(
        "dataset_uid dataset_id title status public_status published records job error limit",
        dataset_uid=STRING,
        dataset_id=STRING,
        title={},
        status=ref("FineStatus"),
        public_status={"enum": list(PUBLIC_NAMES)},
        published=BOOLEAN,
        records=COUNT,
        job=nullable(job),
        error=nullable(STRING),
        limit=nullable(ANY_OBJECT),
    )
    lane = obj(
        "harvester_id name status datasets moves",
        harvester_id=STRING,
        name=STRING,
        status={"enum": [s.value for s in HarvesterStatus]},
        datasets={
            "type": "array",
            "items": obj("dataset_uid dataset_id", dataset_uid=STRING, dataset_id=STRING),
        },
        moves={"type": "array", "items": ref("HarvesterMove")},
    )
    return obj(
        "generation clock vocabulary datasets timeline timeline_length faults script",
        optional={
            "harvesters": {
                "type": "array",
                "items": lane,
                "description": "Only in a world with harvesters: a lane per harvester.",
            }
        },
        generation={"type": "integer", "minimum": 1},
        clock=ref("Clock"),
        vocabulary={"enum": list(VOCABULARIES)},
        datasets={"type": "array", "items": row},
        timeline={"type": "array", "items": ref("Transition")},
        timeline_length=COUNT,
        faults={"type": "array", "items": ref("FaultEvent")},
        script=obj("steps played failed", steps=COUNT, played=COUNT, failed=COUNT),
    )


def _harvester_machine() -> Schema:
    status: Schema = {"enum": [s.value for s in HarvesterStatus]}
    return obj(
        "statuses transitions action_origins",
        statuses={"type": "array", "items": status},
        transitions={
            "type": "array",
            "items": obj(
                "from to trigger",
                to={"enum": [*(s.value for s in HarvesterStatus), REMOVED]},
                trigger=STRING,
                **{"from": status},
            ),
        },
        action_origins={"type": "array", "items": status},
    )


def control_schemas() -> dict[str, Schema]:
    """The shapes of the control API (with the error and job shapes it shares)."""
    shared = management_schemas()
    machine = obj(
        "statuses public_names pseudo_statuses transitions action_origins abortable harvesters",
        statuses={
            "type": "array",
            "items": obj(
                "name public_name holds_worker",
                name=ref("FineStatus"),
                public_name={"enum": list(PUBLIC_NAMES)},
                holds_worker=BOOLEAN,
            ),
        },
        public_names={"type": "array", "items": {"enum": list(PUBLIC_NAMES)}},
        pseudo_statuses={"type": "array", "items": {"const": REMOVED}},
        transitions={
            "type": "array",
            "items": obj(
                "from to trigger",
                to={"enum": [*FINE_NAMES, REMOVED]},
                trigger=STRING,
                **{"from": ref("FineStatus")},
            ),
        },
        action_origins={"type": "array", "items": ref("FineStatus")},
        abortable={"type": "array", "items": ref("FineStatus")},
        harvesters=_harvester_machine(),
    )
    script_result = {
        "type": "object",
        "required": ["index", "at", "t", "ok"],
        "properties": {
            "index": COUNT,
            "at": NUMBER,
            "t": NUMBER,
            "dataset": STRING,
            "harvester": STRING,
            "ok": BOOLEAN,
            "action": STRING,
            "user": nullable(STRING),
            "error": ref("Error"),
        },
        "description": "One step played: an action's answer, or an expectation's findings; "
        "of a dataset, or (with harvester) of a harvester.",
    }
    return {
        "Error": shared["Error"],
        "FineStatus": shared["FineStatus"],
        "JobId": shared["JobId"],
        "Clock": _clock(),
        "Health": obj("status", status={"const": "ok"}),
        "StateMachine": machine,
        "Transition": _timeline_entry(),
        "HarvesterMove": _harvester_move(),
        "FaultChange": obj(
            "t fault_id fault_type change",
            t={**NUMBER, "minimum": 0},
            fault_id=STRING,
            fault_type=STRING,
            change={"enum": ["added", "removed"]},
        ),
        "FaultRule": obj(
            "id origin added_at rule",
            optional={
                "fired": {**COUNT, "description": "Times it fired (HTTP rules, limited rules)."},
                "calls": {**COUNT, "description": "Calls an HTTP rule counted."},
            },
            id=STRING,
            origin={"enum": ["scenario", "run time"]},
            added_at=nullable({**NUMBER, "minimum": 0}),
            rule={**ANY_OBJECT, "description": "The rule, as a scenario's `faults:` item."},
        ),
        "ScenarioSummary": _scenario_summary(),
        "ScriptResults": obj(
            "steps done failed results",
            steps=COUNT,
            done=BOOLEAN,
            failed=COUNT,
            results={"type": "array", "items": script_result},
        ),
        "FaultEvent": {
            "type": "object",
            "required": ["t", "kind", "target"],
            "properties": {
                "t": NUMBER,
                "kind": {
                    **STRING,
                    "description": "http, worker_outage, slow_stage, record_errors, or the "
                    "kind of a stage failure",
                },
                "target": STRING,
            },
            "description": "An injected fault that took effect; other keys detail it.",
        },
        "Records": obj(
            "dataset_uid records",
            dataset_uid=STRING,
            records={"type": "array", "items": ANY_OBJECT},
        ),
        "Dashboard": _dashboard(),
        "ActionResult": {
            "description": "The action's job, or `{}` for an unpublished dataset's deletion.",
            "anyOf": [obj(), ref("JobId")],
        },
    }
