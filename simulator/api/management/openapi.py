"""The Management API v2 as the simulator serves it: every path, as OpenAPI 3.1."""

from __future__ import annotations

from typing import Any

from ... import __version__
from ...domain.attachments import KINDS
from ...domain.metadata import TEMPLATES, all_fields
from ...domain.processors import CATALOGUE
from ...domain.statemachine import ACTIONS, VOCABULARIES
from ..openapi import (
    JSON,
    assemble,
    body,
    error_responses,
    links_to,
    operation,
    query,
)
from ..schemas import BOOLEAN, STRING, management_schemas, ref

DESCRIPTION = """\
The Opendatasoft Management API v2 as the simulator serves it, on a virtual clock.

Every path also answers with a trailing slash. JSON bodies are read whatever the
`Content-Type` says; unknown query parameters are ignored. Every error has the shape
of `Error`, and its HTTP status equals its `status_code`.

Status names: by default the platform's public names (`idle`, `queued`,
`processing`, `deleting`, `saving_version`, `aborting_processing`, `error`,
`limit_reached`); with `status_names=fine` (or the `X-Sim-Status-Names: fine`
header) the engine's fifteen statuses. `StatusName` lists them all.

A scenario's HTTP faults may answer any call with another status (and any body) or
later; such answers carry the header `X-Sim-Fault: http`, and delayed ones
`X-Sim-Latency` (virtual seconds).
"""

#: Relations any answer can expand (``expand=status,user``).
EXPAND = query(
    "expand",
    STRING,
    "Comma-separated relations to expand: status, user, records_errors, changes, metadata, "
    "definition (a metadata's form object).",
)
STATUS_NAMES = query(
    "status_names", {"enum": list(VOCABULARIES)}, "Status vocabulary (default: coarse)."
)
STATUS_HEADER = {
    "name": "X-Sim-Status-Names",
    "in": "header",
    "schema": {"enum": list(VOCABULARIES)},
    "description": "Status vocabulary, as a header (the simulator's own).",
}
ASK = (EXPAND, STATUS_NAMES, STATUS_HEADER)

PREFIX = "/api/management/v2"

DATASET = "/datasets/{dataset_uid}"
RESOURCE = f"{DATASET}/resources/{{resource_uid}}"
METADATA = f"{DATASET}/metadata/{{template}}/{{name}}"
PROCESSOR = f"{DATASET}/processors/{{processor_uid}}"
RULESET = f"{DATASET}/security/users/{{username}}"
GROUP_RULESET = f"{DATASET}/security/groups/{{group_id}}"
FIELD_SPEC = f"{DATASET}/fields_specifications/{{processor_uid}}"

E_ALL = (400, 401, 403, 404)
E_TOP = (400, 401, 403)

_ACTIONS = {
    "publish": "Publish: process the dataset's metadata and records.",
    "unpublish": "Unpublish: delete the dataset's records from the portal.",
    "publish_metadata": "Publish the metadata only.",
    "save_version": "Save a version of the published records.",
    "abort_processing": "Abort the running job; answers that job's id.",
}


def _parameters() -> dict[str, Any]:
    described = {
        "dataset_uid": ("The dataset's uid (`da_` and six characters).", "da_trees1"),
        "resource_uid": ("A resource's uid (`re_...`).", None),
        "processor_uid": (
            "A processor's or a field specification's uid (`pr_...`).",
            None,
        ),
        "template": (f"A metadata template: {', '.join(TEMPLATES)}.", "default"),
        "name": ("A metadata field of the template.", "title"),
        "username": ("A user of the portal.", "admin"),
        "group_id": ("A group of the portal's users.", "editors"),
        "file_id": ("An uploaded file's id, made from its name (`cheese_data.csv`).", None),
        "attachment_uid": ("An attachment's uid (`at_...`).", None),
        "export_uid": ("An alternative export's uid (`ae_...`).", None),
        "job_id": ("A job's id (40 hexadecimal characters).", None),
        "key": ("An API key of the caller (56 hexadecimal characters).", None),
        "slug": ("A page's slug.", "about"),
        "harvester_id": ("A harvester's id: a slug of its name.", "my-harvester"),
    }
    out: dict[str, Any] = {}
    for name, (text, example) in described.items():
        param: dict[str, Any] = {
            "name": name,
            "in": "path",
            "required": True,
            "schema": STRING,
            "description": text,
        }
        if example is not None:
            param["example"] = example
        out[name] = param
    return out


def _datasets() -> list[tuple[str, str, dict[str, Any]]]:
    uid_links = links_to(
        "get_dataset",
        "update_dataset",
        "delete_dataset",
        "get_dataset_status",
        "publish_dataset",
        "list_resources",
        "create_resource",
        "list_metadata",
        "list_changes",
        dataset_uid="$response.body#/dataset_uid",
    )
    rows = [
        (
            "/datasets",
            "get",
            operation(
                "list_datasets",
                "List the datasets the caller may edit",
                "datasets",
                ref("DatasetList"),
                errors=E_TOP,
                params=[
                    query("rows", {"type": "integer", "minimum": 1, "maximum": 100}, "Page size."),
                    query("page", {"type": "integer", "minimum": 1}, "Page number, from 1."),
                    query(
                        "where",
                        STRING,
                        'Equality clauses joined by AND: datasetid="x", dataset_uid=..., '
                        "published=true, visibility=restricted.",
                    ),
                    query("sort", STRING, "A field (dataset_id, title, ...), `-` descending."),
                    *ASK,
                ],
            ),
        ),
        (
            "/datasets",
            "post",
            operation(
                "create_dataset",
                "Create a dataset",
                "datasets",
                ref("Dataset"),
                errors=E_TOP,
                request=body(ref("DatasetWrite"), required=False),
                params=[
                    query(
                        "strict",
                        BOOLEAN,
                        "Refuse a missing or taken dataset_id instead of deriving one.",
                    ),
                    *ASK,
                ],
                description="The new dataset (200, as the platform answers).",
                links=uid_links,
            ),
        ),
        (
            DATASET,
            "get",
            operation(
                "get_dataset",
                "Read a dataset",
                "datasets",
                ref("Dataset"),
                errors=E_ALL,
                params=ASK,
            ),
        ),
        (
            DATASET,
            "put",
            operation(
                "update_dataset",
                "Change a dataset's dataset_id (unpublished only), metas or visibility",
                "datasets",
                ref("Dataset"),
                errors=E_ALL,
                request=body(ref("DatasetWrite"), required=False),
                params=ASK,
            ),
        ),
        (
            DATASET,
            "delete",
            operation(
                "delete_dataset",
                "Delete a dataset",
                "datasets",
                ref("Deleted"),
                errors=E_ALL,
            ),
        ),
        (
            f"{DATASET}/status",
            "get",
            operation(
                "get_dataset_status",
                "Read a dataset's status",
                "status and actions",
                ref("Status"),
                errors=E_ALL,
                params=ASK,
            ),
        ),
        (
            f"{DATASET}/status/records_errors",
            "get",
            operation(
                "get_records_errors",
                "List the errors on records of the last processing",
                "status and actions",
                {"type": "array", "items": ref("RecordError")},
                errors=E_ALL,
            ),
        ),
    ]
    for action in ACTIONS:
        rows.append(
            (
                f"{DATASET}/{action}",
                "put",
                operation(
                    f"{action}_dataset",
                    _ACTIONS.get(action, action),
                    "status and actions",
                    ref("JobId"),
                    errors=E_ALL,
                    links=links_to("get_job", job_id="$response.body#/job_id"),
                ),
            )
        )
    rows += [
        (
            "/jobs",
            "get",
            operation(
                "list_jobs",
                "List the caller's jobs",
                "jobs",
                ref("JobList"),
                errors=E_TOP,
                params=ASK,
            ),
        ),
        (
            "/jobs/{job_id}",
            "get",
            operation(
                "get_job",
                "Read one of the caller's jobs",
                "jobs",
                ref("Job"),
                errors=E_ALL,
                params=ASK,
            ),
        ),
    ]
    return rows


def _download() -> dict[str, Any]:
    return {
        "text/csv": {"schema": {"type": "string"}},
        "*/*": {"schema": {"type": "string", "format": "binary"}},
    }


def _resources() -> list[tuple[str, str, dict[str, Any]]]:
    resources = {"type": "array", "items": ref("Resource")}
    resource_links = links_to(
        "get_resource",
        "replace_resource",
        "delete_resource",
        dataset_uid="$request.path.dataset_uid",
        resource_uid="$response.body#/resource_uid",
    )
    upload = {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {"file": {"type": "string", "format": "binary"}},
                    "required": ["file"],
                }
            },
            JSON: {
                "schema": {
                    "type": "object",
                    "required": ["content"],
                    "properties": {
                        "content": STRING,
                        "filename": {"type": "string", "pattern": "^[^/]*[^/\\s][^/]*$"},
                        "mimetype": STRING,
                        "encoding": {"const": "base64"},
                    },
                }
            },
        },
    }
    record = {"type": "object"}
    push = body(
        {"anyOf": [record, {"type": "array", "items": record, "minItems": 1}]},
        description="A record, or a list of records.",
    )
    return [
        (f"{DATASET}/resources", "get",
         operation("list_resources", "List a dataset's resources", "resources", resources,
                   errors=E_ALL)),
        (f"{DATASET}/resources", "post",
         operation("create_resource", "Add a resource", "resources", ref("Resource"),
                   errors=E_ALL, request=body(ref("ResourceWrite")), links=resource_links)),
        (RESOURCE, "get",
         operation("get_resource", "Read a resource", "resources", ref("Resource"),
                   errors=E_ALL)),
        (RESOURCE, "put",
         operation("replace_resource", "Replace a resource", "resources", ref("Resource"),
                   errors=E_ALL, request=body(ref("ResourceWrite")))),
        (RESOURCE, "delete",
         operation("delete_resource", "Remove a resource (its records go at the next publish)",
                   "resources", status=204, errors=E_ALL)),
        (f"{RESOURCE}/download", "get",
         operation("download_resource", "Download an uploaded file's content", "resources",
                   content=_download(), errors=E_ALL)),
        (f"{RESOURCE}/push", "post",
         operation("push_records", "Push records to a realtime resource", "realtime",
                   ref("Pushed"), errors=E_ALL, request=push)),
        (f"{RESOURCE}/recover", "put",
         operation("recover_records", "Re-index a realtime resource's recover data",
                   "realtime", ref("JobId"), errors=E_ALL)),
        (f"{RESOURCE}/delete_recover_data", "put",
         operation("delete_recover_data", "Delete a realtime resource's recover data",
                   "realtime", ref("JobId"), errors=E_ALL)),
        ("/files", "get",
         operation("list_files", "List the files the caller uploaded or may use", "files",
                   {"type": "array", "items": ref("File")}, errors=E_TOP, params=ASK)),
        ("/files", "post",
         operation("upload_file", "Upload a file (multipart, or JSON content)", "files",
                   ref("File"), errors=E_TOP, request=upload, params=ASK,
                   links=links_to("get_file", "download_file",
                                  file_id="$response.body#/file_id"))),
        ("/files/{file_id}", "get",
         operation("get_file", "Read an uploaded file's description", "files", ref("File"),
                   errors=E_ALL, params=ASK)),
        ("/download_file/{file_id}", "get",
         operation("download_file", "Download an uploaded file", "files", content=_download(),
                   errors=E_ALL)),
        ("/files/{file_id}/download", "get",
         operation("download_file_alias", "Download an uploaded file (the simulator's older "
                   "path of /download_file/{file_id})", "files", content=_download(),
                   errors=E_ALL)),
    ]  # fmt: skip


def _attachments() -> list[tuple[str, str, dict[str, Any]]]:
    """Attachments and alternative exports: the same five operations each."""
    rows = []
    for kind, one, download, schema, title in (
        ("attachments", "attachment", "download_attachment", "Attachment", "an attachment"),
        ("alternative_exports", "alternative_export", "download_alternative_export",
         "AlternativeExport", "an alternative export"),
    ):  # fmt: skip
        uid = KINDS[kind].uid_key
        path = f"{DATASET}/{kind}/{{{uid}}}"
        links = links_to(
            f"get_{one}",
            f"delete_{one}",
            f"download_{one}",
            dataset_uid="$request.path.dataset_uid",
            **{uid: f"$response.body#/{uid}"},
        )
        listed = {"type": "array", "items": ref(schema)}
        rows += [
            (f"{DATASET}/{kind}", "get",
             operation(f"list_{kind}", f"List a dataset's {kind.replace('_', ' ')}", kind,
                       listed, errors=E_ALL)),
            (f"{DATASET}/{kind}", "post",
             operation(f"create_{one}", f"Add {title}: a file's URL, or a file uploaded",
                       kind, ref(schema), errors=E_ALL, request=_attach_body(), links=links)),
            (path, "get",
             operation(f"get_{one}", f"Read {title}", kind, ref(schema), errors=E_ALL)),
            (path, "delete",
             operation(f"delete_{one}", f"Remove {title} (the file stays)", kind,
                       ref("Empty"), errors=E_ALL, description="200 with `{}`.")),
            (f"{DATASET}/{download}/{{{uid}}}", "get",
             _redirecting(operation(f"download_{one}", f"Download {title}'s file", kind,
                                    content=_download(), errors=E_ALL))),
        ]  # fmt: skip
    return rows


def _attach_body() -> dict[str, Any]:
    url = {
        **STRING,
        "description": "odsfile://<file_id> (an uploaded file) or http(s)://...",
    }
    return {
        "required": True,
        "content": {
            JSON: {"schema": {"type": "object", "required": ["url"], "properties": {"url": url}}},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {"file": {"type": "string", "format": "binary"}},
                    "required": ["file"],
                }
            },
            "application/x-www-form-urlencoded": {
                "schema": {"type": "object", "required": ["url"], "properties": {"url": url}}
            },
        },
        "description": "A file's URL as JSON or a form field, or a file (multipart), "
        "uploaded as POST /files does and attached.",
    }


def _redirecting(op: dict[str, Any]) -> dict[str, Any]:
    """A download that sends the caller elsewhere for a file at an http(s) URL."""
    op["responses"]["303"] = {
        "description": "The file is at an http(s) URL: `Location` gives it.",
        "headers": {"Location": {"required": True, "schema": STRING}},
    }
    op["responses"] = dict(sorted(op["responses"].items()))
    return op


def _configuration() -> list[tuple[str, str, dict[str, Any]]]:
    metadata = {"type": "array", "items": ref("Metadata")}
    value = body(
        {
            "type": "object",
            "required": ["value"],
            "additionalProperties": False,
            "properties": {"value": {}, "override_remote_value": BOOLEAN},
        }
    )
    bulk_item = {
        "type": "object",
        "required": ["template_name", "metadata_name", "value"],
        "properties": {
            "template_name": {"enum": list(TEMPLATES)},
            "metadata_name": {"enum": sorted({f.name for f in all_fields()})},
            "value": {},
            "override_remote_value": BOOLEAN,
        },
    }
    bulk = body(
        {
            "type": "object",
            "required": ["metas"],
            "properties": {"metas": {"type": "array", "items": bulk_item}},
        },
        description="Every item is checked first; one refused item refuses them all.",
    )
    policy = {
        "required": True,
        "content": {
            JSON: {
                "schema": {
                    "anyOf": [
                        ref("AccessPolicy"),
                        {
                            "type": "object",
                            "required": ["access_policy"],
                            "properties": {"access_policy": ref("AccessPolicy")},
                        },
                    ]
                }
            },
            "text/plain": {"schema": ref("AccessPolicy")},
        },
        "description": 'A bare JSON string ("restricted"), or the word itself.',
    }
    processors = {"type": "array", "items": ref("Processor")}
    rulesets = {"type": "array", "items": ref("Ruleset")}
    group_rulesets = {"type": "array", "items": ref("GroupRuleset")}
    restore = body(
        {
            "type": "object",
            "required": ["change_uid"],
            "properties": {"change_uid": {"type": "integer", "minimum": 1}},
        }
    )
    changes = {"type": "array", "items": ref("Change")}
    versions = {"type": "array", "items": ref("Version")}
    return [
        (f"{DATASET}/metadata", "get",
         operation("list_metadata", "List every metadata of a dataset", "metadata", metadata,
                   errors=E_ALL, params=ASK)),
        (f"{DATASET}/metadata", "put",
         operation("set_metadata_bulk", "Set several metadata at once", "metadata", metadata,
                   errors=E_ALL, request=bulk, params=ASK)),
        (METADATA, "get",
         operation("get_metadata", "Read one metadata", "metadata", ref("Metadata"),
                   errors=E_ALL, params=ASK)),
        (METADATA, "put",
         operation("set_metadata", "Set one metadata", "metadata", ref("Metadata"),
                   errors=E_ALL, request=value, params=ASK)),
        (METADATA, "delete",
         operation("reset_metadata", "Reset one metadata to null", "metadata",
                   ref("Metadata"), errors=E_ALL, params=ASK)),
        (f"{DATASET}/processors", "get",
         operation("list_processors", "List a dataset's processors", "processors", processors,
                   errors=E_ALL)),
        (f"{DATASET}/processors", "post",
         operation("create_processor", "Add a processor", "processors", ref("Processor"),
                   errors=E_ALL, request=body(ref("ProcessorWrite")))),
        (PROCESSOR, "get",
         operation("get_processor", "Read a processor", "processors", ref("Processor"),
                   errors=E_ALL)),
        (PROCESSOR, "put",
         operation("replace_processor", "Replace a processor", "processors", ref("Processor"),
                   errors=E_ALL, request=body(ref("ProcessorWrite")))),
        (PROCESSOR, "delete",
         operation("delete_processor", "Remove a processor", "processors", status=204,
                   errors=E_ALL)),
        (f"{DATASET}/security/access_policy", "get",
         operation("get_access_policy", "Read the access policy", "security",
                   ref("AccessPolicy"), errors=E_ALL)),
        (f"{DATASET}/security/access_policy", "put",
         operation("set_access_policy", "Set the access policy", "security",
                   ref("AccessPolicy"), errors=E_ALL, request=policy)),
        (f"{DATASET}/security/users", "get",
         operation("list_rulesets", "List the per-user security rulesets", "security", rulesets,
                   errors=E_ALL)),
        (f"{DATASET}/security/users", "post",
         operation("create_ruleset", "Give a user a ruleset", "security", ref("Ruleset"),
                   errors=E_ALL, request=body(ref("RulesetCreate")))),
        (RULESET, "get",
         operation("get_ruleset", "Read a user's ruleset", "security", ref("Ruleset"),
                   errors=E_ALL)),
        (RULESET, "put",
         operation("replace_ruleset", "Set a user's ruleset", "security", ref("Ruleset"),
                   errors=E_ALL, request=body(ref("RulesetWrite")))),
        (RULESET, "delete",
         operation("delete_ruleset", "Remove a user's ruleset", "security", status=204,
                   errors=E_ALL)),
        (f"{DATASET}/security/groups", "get",
         operation("list_group_rulesets", "List the per-group security rulesets", "security",
                   group_rulesets, errors=E_ALL)),
        (f"{DATASET}/security/groups", "post",
         operation("create_group_ruleset", "Give a group a ruleset", "security",
                   ref("GroupRuleset"), errors=E_ALL, request=body(ref("GroupRulesetCreate")))),
        (GROUP_RULESET, "get",
         operation("get_group_ruleset", "Read a group's ruleset", "security",
                   ref("GroupRuleset"), errors=E_ALL)),
        (GROUP_RULESET, "put",
         operation("replace_group_ruleset", "Set a group's ruleset", "security",
                   ref("GroupRuleset"), errors=E_ALL, request=body(ref("GroupRulesetWrite")))),
        (GROUP_RULESET, "delete",
         operation("delete_group_ruleset", "Remove a group's ruleset", "security", status=204,
                   errors=E_ALL)),
        (f"{DATASET}/security/default", "get",
         operation("get_default_security", "Read the default ruleset", "security",
                   ref("DefaultSecurity"), errors=E_ALL)),
        (f"{DATASET}/security/default", "put",
         operation("set_default_security", "Set the default ruleset", "security",
                   ref("DefaultSecurity"), errors=E_ALL,
                   request=body(ref("DefaultSecurityWrite")))),
        (f"{DATASET}/security/default", "delete",
         operation("reset_default_security",
                   "Reset the default ruleset: every field and record visible, no quota",
                   "security", ref("DefaultSecurity"), errors=E_ALL)),
        (f"{DATASET}/changes", "get",
         operation("list_changes", "List the configuration changes, newest first", "history",
                   changes, errors=E_ALL, params=ASK)),
        (f"{DATASET}/restore_change", "put",
         operation("restore_change", "Restore the configuration as it was after a change",
                   "history", ref("Dataset"), errors=E_ALL, request=restore, params=ASK)),
        (f"{DATASET}/versions", "get",
         operation("list_versions", "List the versions save_version made", "history", versions,
                   errors=E_ALL, params=ASK)),
    ]  # fmt: skip


def _processing() -> list[tuple[str, str, dict[str, Any]]]:
    specs = {"type": "array", "items": ref("FieldSpecification")}
    spec_links = links_to(
        "get_field_spec",
        "replace_field_spec",
        "delete_field_spec",
        dataset_uid="$request.path.dataset_uid",
        processor_uid="$response.body#/processor_uid",
    )
    guess = body(
        {
            "type": "object",
            "required": ["name"],
            "additionalProperties": False,
            "properties": {"name": {"enum": list(CATALOGUE)}},
        }
    )
    preview = body(ref("ResourceWrite"), description="A resource object without its uid.")
    return [
        ("/processors", "get",
         operation("list_processor_names", "List the names of every processor", "processors",
                   ref("ProcessorNames"), errors=E_TOP)),
        (f"{DATASET}/guess_processor_params", "post",
         operation("guess_processor_params",
                   "Suggest the values of a processor's parameters (field names)", "processors",
                   ref("GuessedParams"), errors=E_ALL, request=guess)),
        (f"{DATASET}/fields_specifications", "get",
         operation("list_field_specs", "List a dataset's field specifications, in order",
                   "fields specifications", specs, errors=E_ALL)),
        (f"{DATASET}/fields_specifications", "post",
         operation("create_field_spec", "Append a field specification",
                   "fields specifications", ref("FieldSpecification"), errors=E_ALL,
                   request=body(ref("FieldSpecificationWrite")), links=spec_links)),
        (FIELD_SPEC, "get",
         operation("get_field_spec", "Read a field specification", "fields specifications",
                   ref("FieldSpecification"), errors=E_ALL)),
        (FIELD_SPEC, "put",
         operation("replace_field_spec", "Replace a field specification in place",
                   "fields specifications", ref("FieldSpecification"), errors=E_ALL,
                   request=body(ref("FieldSpecificationWrite")))),
        (FIELD_SPEC, "delete",
         operation("delete_field_spec", "Remove a field specification",
                   "fields specifications", status=204, errors=E_ALL)),
        (f"{RESOURCE}/preview", "get",
         operation("preview_resource", "Preview a resource's first records, processed",
                   "resources", ref("Preview"), errors=E_ALL)),
        (f"{DATASET}/resource_preview", "post",
         operation("resource_preview", "Preview the records of a resource described in the body",
                   "resources", ref("Preview"), errors=E_ALL, request=preview)),
    ]  # fmt: skip


def _directory() -> list[tuple[str, str, dict[str, Any]]]:
    """Users, groups and their members, API keys."""
    window = [
        query("rows", {"type": "integer", "minimum": 1, "maximum": 100}, "Page size."),
        query("page", {"type": "integer", "minimum": 1}, "Page number, from 1."),
    ]
    groups = {"type": "array", "items": ref("Group")}
    keys = {"type": "array", "items": ref("APIKey")}
    user = "/users/{username}"
    group = "/groups/{group_id}"
    key = "/apikeys/{key}"
    return [
        ("/users", "get",
         operation("list_users", "List the domain's users (needs edit_domain)", "users",
                   ref("DomainUserList"), errors=E_TOP, params=[*window, EXPAND])),
        ("/users", "post",
         operation("invite_users", "Invite users by e-mail (needs edit_domain)", "users",
                   ref("Outcomes"), errors=E_TOP, request=body(ref("Invitation")))),
        (user, "get",
         operation("get_user", "Read a user (needs edit_domain)", "users", ref("DomainUser"),
                   errors=E_ALL, params=[EXPAND])),
        (user, "put",
         operation("update_user", "Change a user's groups, permissions, quotas, limits",
                   "users", ref("DomainUser"), errors=E_ALL,
                   request=body(ref("DomainUserWrite")), params=[EXPAND])),
        (user, "delete",
         operation("delete_user", "Remove a user from the domain", "users", status=204,
                   errors=E_ALL)),
        ("/groups", "get",
         operation("list_groups", "List the groups (needs edit_domain)", "groups", groups,
                   errors=E_TOP, params=window)),
        ("/groups", "post",
         operation("create_group", "Create a group; its id is made from its title", "groups",
                   ref("Group"), errors=E_TOP, request=body(ref("GroupWrite")))),
        (group, "get",
         operation("get_group", "Read a group", "groups", ref("Group"), errors=E_ALL)),
        (group, "put",
         operation("update_group", "Change a group's title, permissions, quotas, limits",
                   "groups", ref("Group"), errors=E_ALL, request=body(ref("GroupWrite")))),
        (group, "delete",
         operation("delete_group", "Delete a group (and its rulesets on datasets)", "groups",
                   ref("Empty"), errors=E_ALL)),
        (f"{group}/users", "get",
         operation("list_members", "List a group's members", "groups",
                   ref("GroupMemberList"), errors=E_ALL, params=window)),
        (f"{group}/users", "post",
         operation("add_members", "Add users to a group", "groups", ref("Outcomes"),
                   errors=E_ALL, request=body(ref("GroupMembersWrite")))),
        (f"{group}/users/{{username}}", "delete",
         operation("remove_member", "Remove a user from a group", "groups", status=204,
                   errors=E_ALL)),
        ("/apikeys", "get",
         operation("list_api_keys", "List the caller's API keys (with a key: only it)",
                   "apikeys", keys, errors=E_TOP)),
        ("/apikeys", "post",
         operation("create_api_key", "Create an API key (HTTP Basic only)", "apikeys",
                   ref("APIKey"), errors=E_TOP,
                   request=body(ref("APIKeyWrite"), required=False))),
        (key, "get",
         operation("get_api_key", "Read one of the caller's API keys", "apikeys",
                   ref("APIKey"), errors=E_ALL)),
        (key, "put",
         operation("update_api_key", "Change an API key's label or permissions (HTTP Basic)",
                   "apikeys", ref("APIKey"), errors=E_ALL, request=body(ref("APIKeyWrite")))),
        (key, "delete",
         operation("delete_api_key", "Delete an API key (HTTP Basic only)", "apikeys",
                   status=204, errors=E_ALL)),
    ]  # fmt: skip


def _pages() -> list[tuple[str, str, dict[str, Any]]]:
    page = ref("Page")
    write = body(ref("PageWrite"))
    return [
        ("/domain", "get",
         operation("get_domain", "Read the domain: its id and properties (themes...)", "domain",
                   ref("Domain"), errors=(401, 403))),
        ("/pages", "get",
         operation("list_pages", "List the pages the caller may edit", "pages",
                   ref("PageList"), errors=E_TOP, params=[
                       query("rows", {"type": "integer", "minimum": 1, "maximum": 100},
                             "Page size."),
                       query("page", {"type": "integer", "minimum": 1}, "Page number, from 1."),
                       query("search", STRING,
                             "Words that must all appear in the title, slug, description or "
                             "tags."),
                       query("sort", STRING,
                             "Comma-separated fields, `-` for descending: slug, title, "
                             "description, template, created_at, last_modified."),
                       *ASK,
                   ])),
        ("/pages", "post",
         operation("create_page", "Create a page", "pages", page, errors=E_TOP,
                   request=write, params=ASK)),
        ("/pages", "delete",
         operation("delete_pages", "Delete several pages (all or none)", "pages",
                   {"type": "array", "items": page}, errors=E_ALL,
                   request=body(ref("PageSlugs")), params=ASK)),
        ("/pages/{slug}", "get",
         operation("get_page", "Read a page", "pages", page, errors=E_ALL, params=ASK)),
        ("/pages/{slug}", "put",
         operation("update_page", "Change a page (the keys sent)", "pages", page,
                   errors=E_ALL, request=write, params=ASK)),
        ("/pages/{slug}", "delete",
         operation("delete_page", "Delete a page", "pages", status=204, errors=E_ALL)),
        *_page_security("users", "username", "user"),
        *_page_security("groups", "group_id", "group"),
    ]  # fmt: skip


def _harvesters() -> list[tuple[str, str, dict[str, Any]]]:
    harvester = ref("Harvester")
    one = "/harvesters/{harvester_id}"
    write = body(ref("HarvesterWrite"))
    acts = {
        "start": "Start a harvest: a job of the worker pool; the harvester then shows "
        "`queued`, `processing`, then `idle`.",
        "publish": "Publish every dataset attached to the harvester (one job each).",
        "unpublish": "Unpublish every published dataset attached to the harvester.",
    }
    return [
        ("/harvesters", "get",
         operation("list_harvesters", "List the domain's harvesters", "harvesters",
                   {"type": "array", "items": harvester}, errors=E_TOP)),
        ("/harvesters", "post",
         operation("create_harvester", "Create a harvester (its id: a slug of its name)",
                   "harvesters", harvester, errors=E_TOP, request=write)),
        (one, "get",
         operation("get_harvester", "Read a harvester and its status", "harvesters",
                   harvester, errors=E_ALL)),
        (one, "put",
         operation("update_harvester", "Change a harvester (the keys sent)", "harvesters",
                   harvester, errors=E_ALL, request=write)),
        (one, "delete",
         operation("delete_harvester", "Delete a harvester, and its datasets if asked",
                   "harvesters", status=204, errors=E_ALL, params=[
                       query("delete_attached_datasets",
                             STRING,
                             "1: delete the attached datasets too; 0 (default): keep them."),
                   ])),
        *(
            (f"{one}/{action}", "put",
             operation(f"{action}_harvester", text, "harvesters", harvester, errors=E_ALL))
            for action, text in acts.items()
        ),
        (f"{one}/errors", "get",
         operation("get_harvester_errors", "The errors of the last harvest", "harvesters",
                   ref("HarvesterErrors"), errors=E_ALL,
                   description="The harvester's own error (`null`: none) and each remote "
                   "dataset's, by remote id, as the last harvest met them.")),
        (f"{one}/preview", "get",
         operation("preview_harvester", "Preview the remote catalogue", "harvesters",
                   ref("HarvesterPreview"), errors=E_ALL,
                   description="The datasets a harvest would read: their remote id, title "
                   "and description.")),
    ]  # fmt: skip


def _page_security(kinds: str, name: str, kind: str) -> list[tuple[str, str, dict[str, Any]]]:
    base = f"/pages/{{slug}}/security/{kinds}"
    one = f"{base}/{{{name}}}"
    ruleset = ref("PageRuleset")
    return [
        (base, "get",
         operation(f"list_page_{kind}_rulesets", f"List a page's {kind} rulesets",
                   "page security", {"type": "array", "items": ruleset}, errors=E_ALL,
                   params=ASK)),
        (base, "post",
         operation(f"create_page_{kind}_ruleset", f"Give a {kind} a ruleset on a page",
                   "page security", ruleset, errors=E_ALL,
                   request=body(ref(f"Page{kind.title()}RulesetCreate")), params=ASK)),
        (one, "get",
         operation(f"get_page_{kind}_ruleset", f"Read a {kind}'s ruleset on a page",
                   "page security", ruleset, errors=E_ALL, params=ASK)),
        (one, "put",
         operation(f"replace_page_{kind}_ruleset", f"Set a {kind}'s ruleset on a page",
                   "page security", ruleset, errors=E_ALL,
                   request=body(ref(f"Page{kind.title()}RulesetWrite")), params=ASK)),
        (one, "delete",
         operation(f"delete_page_{kind}_ruleset", f"Remove a {kind}'s ruleset on a page",
                   "page security", status=204, errors=E_ALL)),
    ]  # fmt: skip


def management_document() -> dict[str, Any]:
    """The OpenAPI 3.1 document of the simulated Management API v2."""
    rows = [
        *_datasets(),
        *_resources(),
        *_attachments(),
        *_configuration(),
        *_processing(),
        *_directory(),
        *_pages(),
        *_harvesters(),
    ]
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Opendatasoft Management API v2 (simulated)",
            "version": __version__,
            "description": DESCRIPTION,
        },
        "servers": [{"url": PREFIX}],
        "security": [{"ApiKeyHeader": []}, {"ApiKeyQuery": []}, {"BasicAuth": []}],
        "tags": [
            {"name": name}
            for name in (
                "datasets",
                "status and actions",
                "jobs",
                "resources",
                "realtime",
                "files",
                "attachments",
                "alternative_exports",
                "metadata",
                "processors",
                "fields specifications",
                "security",
                "history",
                "users",
                "groups",
                "apikeys",
                "domain",
                "pages",
                "page security",
                "harvesters",
            )
        ],
        "paths": assemble(rows),
        "components": {
            "schemas": management_schemas(),
            "responses": error_responses(),
            "parameters": _parameters(),
            "securitySchemes": {
                "ApiKeyHeader": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "Authorization",
                    "description": "`Authorization: Apikey <key>` (the word in any case).",
                },
                "ApiKeyQuery": {"type": "apiKey", "in": "query", "name": "apikey"},
                "BasicAuth": {"type": "http", "scheme": "basic"},
            },
        },
    }
