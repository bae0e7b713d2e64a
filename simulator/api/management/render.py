"""The service's views in the Management API v2's JSON shapes.

Rendering needs three things besides the view: the clock (virtual timestamps are
written as ISO 8601), the status vocabulary asked for, and which relations the caller
asked to ``expand``. Keys come in the order the platform's examples show them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ...domain.attachments import KINDS
from ...domain.clock import Clock
from ...domain.harvesters import FETCHERS, RemoteDataset
from ...domain.harvesters import SECRETS as HARVESTER_SECRETS
from ...domain.harvesters import parameters as harvester_parameters
from ...domain.metadata import Field
from ...domain.models import Change, RecordError, User
from ...domain.platform import DEFAULT_DOMAIN_ID
from ...domain.statemachine import Status, Vocabulary, project
from ...service.directory import ApiKeyView, GroupView, PersonView
from ...service.harvesters import HarvesterView
from ...service.page_security import PageRulesetView
from ...service.pages import DomainView, PageView
from ...service.views import (
    AttachmentView,
    DatasetView,
    DefaultSecurityView,
    FieldSpecView,
    FieldView,
    FileView,
    GroupRulesetView,
    GuessView,
    JobView,
    MetadataView,
    PreviewView,
    ProcessorView,
    ResourceView,
    RulesetView,
    StatusView,
    UserView,
    VersionView,
    all_metadata,
)


@dataclass(frozen=True, slots=True)
class Ask:
    """How the caller wants the answer: status vocabulary and relations to expand."""

    vocabulary: Vocabulary | None = None
    expand: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Render:
    """How to write an answer: the clock, the vocabulary in force, what to expand."""

    clock: Clock
    vocabulary: Vocabulary
    expand: frozenset[str]
    #: The domain's identifier, as change objects name it.
    domain_id: str = DEFAULT_DOMAIN_ID

    def user(self, user: UserView) -> dict[str, Any]:
        if "user" in self.expand and user.known:
            return {
                "username": user.username,
                "first_name": user.first_name,
                "last_name": user.last_name,
                "email": user.email,
            }
        return {"username": user.username}

    def name(self, status: Status) -> str:
        return project(status, self.vocabulary)


def status_json(status: StatusView, r: Render) -> dict[str, Any]:
    """The dataset status object, with the keys its status carries."""
    body: dict[str, Any] = {
        "published": status.published,
        "name": r.name(status.status),
        "since": r.clock.iso(status.since if r.vocabulary == "fine" else status.public_since),
        "user": r.user(status.user),
    }
    if status.status == Status.IDLE and status.published:
        if "records_errors" in r.expand:
            body["records_errors"] = [e.to_dict() for e in status.records_errors]
        else:
            body["records_errors"] = status.records_errors_count
    elif status.status == Status.ERROR and status.failure is not None:
        body.update(status.failure.to_dict())
    elif status.status == Status.LIMIT_REACHED and status.limit is not None:
        body["params"] = dict(status.limit)
    return body


def records_errors_json(errors: tuple[RecordError, ...]) -> list[dict[str, Any]]:
    return [e.to_dict() for e in errors]


def metas_json(ds: DatasetView) -> dict[str, Any]:
    metas: dict[str, Any] = {template: dict(values) for template, values in ds.metas.items()}
    metas["publishing"] = {"published": ds.published}
    if ds.harvester is not None:  # only a harvested dataset says which harvester made it
        metas["publishing"]["harvester"] = ds.harvester
    return metas


def dataset_json(ds: DatasetView, r: Render) -> dict[str, Any]:
    status = (
        status_json(ds.status, r) if "status" in r.expand else {"name": r.name(ds.status.status)}
    )
    body: dict[str, Any] = {
        "dataset_id": ds.dataset_id,
        "dataset_uid": ds.dataset_uid,
        "metas": metas_json(ds),
        "last_modified": r.clock.iso(ds.last_modified),
        "status": status,
        "visibility": ds.visibility,
        "published": ds.published,
        "default_security": default_security_json(ds.default_security),
    }
    if "changes" in r.expand:
        body["changes"] = changes_json(ds.changes, ds.dataset_uid, r)
    if "metadata" in r.expand:
        body["metadata"] = [metadata_json(m, r) for m in all_metadata(ds)]
    return body


def changes_json(changes: tuple[Change, ...], dataset_uid: str, r: Render) -> list[dict[str, Any]]:
    """The change log, newest first."""
    newest = changes[-1].change_uid if changes else 0
    return [change_json(c, dataset_uid, newest, r) for c in reversed(changes)]


def change_json(change: Change, dataset_uid: str, newest: int, r: Render) -> dict[str, Any]:
    """A change as the platform writes it: its diff by section, each edit at a path."""
    diff: dict[str, list[dict[str, Any]]] = {}
    for edit in change.diff:
        section, path = _section_path(edit["path"])
        before, after = edit["before"], edit["after"]
        diff.setdefault(section, []).append(
            {
                "path": path,
                "old_value": before,
                "new_value": after,
                "operation_type": _operation(before, after),
            }
        )
    return {
        "change_uid": change.change_uid,
        "dataset": {"dataset_uid": dataset_uid, "domain": r.domain_id},
        "user": {"username": change.user},
        "timestamp": r.clock.iso(change.timestamp),
        "diff": diff,
        "sections": [_SECTION_NAMES.get(s, s) for s in change.sections],
        "can_restore": change.change_uid != newest,
    }


#: The platform's section names, where the change log's own differ.
_SECTION_NAMES = {"metas": "metadata"}
#: The platform's path heads, where the change log's own differ (a user's ruleset, and
#: a group's by analogy).
_PATH_HEADS = {"rulesets": "user", "group_rulesets": "group"}


def _section_path(keys: list[str]) -> tuple[str, list[str]]:
    """``metas``, ``default``, ``title`` is section ``metadata``, path ``["default", "title"]``."""
    section, *path = keys
    if path and path[0] in _PATH_HEADS:
        path[0] = _PATH_HEADS[path[0]]
    return _SECTION_NAMES.get(section, section), path or [section]


def _operation(before: Any, after: Any) -> str:
    if before is None:
        return "create"
    if after is None:
        return "delete"
    return "update"


def metadata_json(m: MetadataView, r: Render) -> dict[str, Any]:
    """One metadata object; its definition is ``{}`` unless ``expand=definition``."""
    t, f = m.template, m.field
    return {
        "name": f.name,
        "template": {"name": t.name, "label": t.label, "purpose": t.purpose},
        "definition": definition_json(f) if "definition" in r.expand else {},
        "value": m.value,
        "remote_value": None,
        "override_remote_value": m.override_remote_value,
    }


def definition_json(f: Field) -> dict[str, Any]:
    """A field's form object, keys in the documentation's order (``allow_empty`` last)."""
    body: dict[str, Any] = {"type": f.type, "label": f.label, "help_text": f.help_text}
    if f.choices is not None:
        body["choices"] = [c if isinstance(c, str) else list(c) for c in f.choices]
    widget: dict[str, Any] = {"type": f.widget_type}
    if f.suggest_values is not None:
        widget["suggest_values"] = list(f.suggest_values)
    if f.suggest_url is not None:
        widget["suggest_url"] = f.suggest_url
    body["widget"] = widget
    body["allow_empty"] = f.allow_empty
    return body


def resource_json(resource: ResourceView) -> dict[str, Any]:
    return {
        "resource_uid": resource.resource_uid,
        "url": resource.url,
        "title": resource.title,
        "type": resource.type,
        "params": dict(resource.params),
        "records": resource.records,
        "fields": list(resource.fields),
    }


def file_json(stored: FileView, r: Render) -> dict[str, Any]:
    return {
        "file_id": stored.file_id,
        "url": stored.url,
        "filename": stored.filename,
        "properties": {
            "mimetype": stored.mimetype,
            "size": stored.size,
            "records": stored.records,
            "fields": list(stored.fields),
        },
        "created": r.clock.iso(stored.created),
    }


def attachment_json(attached: AttachmentView) -> dict[str, Any]:
    """An attachment (``attachment_uid``) or an alternative export (``export_uid``)."""
    return {KINDS[attached.kind].uid_key: attached.uid, "url": attached.url}


def processor_json(processor: ProcessorView) -> dict[str, Any]:
    """``{processor_uid, name, label, args}``; without ``label`` when none was given."""
    out: dict[str, Any] = {"processor_uid": processor.processor_uid, "name": processor.name}
    if processor.label is not None:
        out["label"] = processor.label
    out["args"] = dict(processor.args)
    return out


def field_spec_json(spec: FieldSpecView) -> dict[str, Any]:
    return {"processor_uid": spec.processor_uid, "name": spec.name, "args": spec.args}


def _annotations(field: FieldView) -> list[dict[str, Any]]:
    return [{"name": name, "args": list(args)} for name, args in field.annotations]


def preview_json(preview: PreviewView) -> dict[str, Any]:
    """``{fields, records}``, each field in the documentation's key order."""
    return {
        "fields": [
            {
                "description": f.description,
                "original_name": f.original_name,
                "label": f.label,
                "type": f.type,
                "annotations": _annotations(f),
                "name": f.name,
            }
            for f in preview.fields
        ],
        "records": [dict(r) for r in preview.records],
    }


def guess_json(guessed: GuessView) -> dict[str, Any]:
    """Parameter name: suggested value: its field, keys in the documentation's order."""
    return {
        param: {
            value: {
                "annotations": _annotations(f),
                "description": f.description,
                "label": f.label,
                "name": f.name,
                "original_name": f.original_name,
                "type": f.type,
            }
            for value, f in found.items()
        }
        for param, found in guessed.items()
    }


def ruleset_json(ruleset: RulesetView) -> dict[str, Any]:
    return {
        "user": {"username": ruleset.username},
        "is_data_visible": ruleset.is_data_visible,
        "visible_fields": list(ruleset.visible_fields),
        "filter_query": ruleset.filter_query,
        "api_calls_quota": ruleset.api_calls_quota,
        "permissions": list(ruleset.permissions),
    }


def group_ruleset_json(ruleset: GroupRulesetView) -> dict[str, Any]:
    """A group's ruleset: the group first, as a user's ruleset names its user first."""
    return {
        "group": {"group_id": ruleset.group_id},
        "is_data_visible": ruleset.is_data_visible,
        "visible_fields": list(ruleset.visible_fields),
        "filter_query": ruleset.filter_query,
        "api_calls_quota": ruleset.api_calls_quota,
        "permissions": list(ruleset.permissions),
    }


def default_security_json(default: DefaultSecurityView) -> dict[str, Any]:
    """The default ruleset, in the order the platform's example gives; no permission."""
    return {
        "is_data_visible": default.is_data_visible,
        "visible_fields": list(default.visible_fields),
        "filter_query": default.filter_query,
        "api_calls_quota": default.api_calls_quota,
        "permissions": [],
    }


def version_json(version: VersionView, r: Render) -> dict[str, Any]:
    return {
        "version": version.version,
        "created": r.clock.iso(version.created),
        "records": version.records,
        "user": r.user(version.user),
        "job_id": version.job_id,
    }


def job_json(job: JobView, r: Render) -> dict[str, Any]:
    iso = r.clock.iso
    return {
        "job_id": job.job_id,
        "function": job.function,
        "dataset_uid": job.dataset_uid,
        "user": r.user(job.user),
        "state": job.state,
        "created": iso(job.created),
        "started": iso(job.started),
        "ended": iso(job.ended),
        "progresses": [
            {
                "status": r.name(p.status),
                "fine_status": p.status,
                "started": iso(p.started),
                "ended": iso(p.ended),
                "records_total": p.records_total,
                "records_done": p.records_done,
            }
            for p in job.progresses
        ],
        "result": job.result,
    }


# users, groups and API keys -------------------------------------------------------------


def group_json(group: GroupView) -> dict[str, Any]:
    """A group, in the order of the documented object."""
    return {
        "title": group.title,
        "group_id": group.group_id,
        "user_count": group.user_count,
        "permissions": list(group.permissions),
        "limits": dict(group.limits),
        "quotas": dict(group.quotas),
    }


def new_group_json(group: GroupView) -> dict[str, Any]:
    """A group just created, in the order of the documented creation answer."""
    return {
        "user_count": group.user_count,
        "limits": dict(group.limits),
        "title": group.title,
        "quotas": dict(group.quotas),
        "group_id": group.group_id,
        "permissions": list(group.permissions),
    }


def person_json(user: PersonView, r: Render) -> dict[str, Any]:
    """A user, in the order of the documented object; their groups as it embeds them."""
    display = f"{user.first_name} {user.last_name}".strip() or user.username
    return {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "account_type": "local",
        "display_name": display,
        "auth_provider_types": [],
        "permissions": list(user.permissions),
        "groups": [new_group_json(g) for g in user.groups],
        "is_active": True,
        "date_joined": r.clock.iso(user.date_joined),
        "limits": dict(user.limits),
        "is_ods": False,
        "quotas": dict(user.quotas),
        "datasets_index_filters": [],
        "last_seen": None,
    }


def member_json(user: User) -> dict[str, Any]:
    """A member of a group, as the group's member list shows them."""
    return {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "is_ods": False,
        "is_active": True,
        "email": user.email or None,
    }


def api_key_json(api_key: ApiKeyView) -> dict[str, Any]:
    return {"key": api_key.key, "label": api_key.label, "permissions": list(api_key.permissions)}


def domain_json(domain: DomainView) -> dict[str, Any]:
    return {"domain_id": domain.domain_id, "properties": domain.properties}


def page_json(page: PageView, r: Render) -> dict[str, Any]:
    """A page, its keys in the documented order."""
    return {
        "slug": page.slug,
        "title": page.title,
        "description": page.description,
        "template": page.template,
        "content": page.content,
        "tags": list(page.tags),
        "restricted": page.restricted,
        "pushed_by_parent": False,
        "has_subdomain_copies": False,
        "created_at": r.clock.iso(page.created_at),
        "last_modified": r.clock.iso(page.last_modified),
        "last_modified_user": r.user(page.last_modified_user),
        "author": r.user(page.author),
    }


def page_ruleset_json(ruleset: PageRulesetView, r: Render) -> dict[str, Any]:
    """A page security ruleset, its keys in the documented order."""
    target: dict[str, Any] = (
        {"user": r.user(ruleset.user)}
        if ruleset.user is not None
        else {"group": {"group_id": ruleset.group_id}}
    )
    return {
        "permissions": list(ruleset.permissions),
        "created_at": r.clock.iso(ruleset.created_at),
        "updated_at": r.clock.iso(ruleset.updated_at),
        **target,
        "page": {"domain": {"domain_id": r.domain_id}, "slug": ruleset.slug},
    }


def fetcher_json(fetcher: str) -> dict[str, Any]:
    """A fetcher and its parameter catalogue, as a harvester embeds it."""
    label, _ = FETCHERS[fetcher]
    return {
        "type": fetcher,
        "label": label,
        "description": f"Harvest the datasets of a {label} catalogue",
        "parameters": [
            {"is_mandatory": mandatory, "type": kind, "name": name, "label": text}
            for name, kind, mandatory, text in sorted(harvester_parameters(fetcher))
        ],
    }


def harvester_errors_json(own: str | None, resources: dict[str, str]) -> dict[str, Any]:
    """The last harvest's errors, as the Automation API's ``errors`` answer has them."""
    return {"harvester": own, "resources": resources}


def harvester_preview_json(remote: tuple[RemoteDataset, ...]) -> dict[str, Any]:
    """The remote catalogue, as the Automation API's ``HarvesterPreviewResult``."""
    return {
        "total_count": len(remote),
        "results": [
            {"id": d.remote_id, "title": d.title, "description": d.description} for d in remote
        ],
    }


def harvester_json(harvester: HarvesterView, clock: Clock) -> dict[str, Any]:
    """A harvester, its keys in the documented order; secrets show as ``null``."""
    return {
        "status": harvester.status,
        "fetcher": fetcher_json(harvester.fetcher),
        "last_modified_by": harvester.last_modified_by,
        "schedules": harvester.schedules,
        "errors": {"resources": harvester.resource_errors, "harvester": harvester.harvester_errors},
        "name": harvester.name,
        "harvester_id": harvester.harvester_id,
        "last_modified_at": clock.iso(harvester.last_modified_at),
        "version": harvester.version,
        "params": {
            name: None if name in HARVESTER_SECRETS else value
            for name, value in harvester.params.items()
        },
        "created_at": clock.iso(harvester.created_at),
        "counters": {"attached": harvester.attached, "published": harvester.published},
    }
