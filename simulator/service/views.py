"""What the service answers: the world's objects as immutable values.

A view is taken under the lock and never changes after: an API surface renders it
in its own wire format once the lock is released, while the engine goes on moving
the live objects. Times are virtual seconds; a surface writes them with the clock.
Records that are never changed once made (record errors, failures, versions,
changes) are handed out as they are.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from ..domain import sources
from ..domain.harvesters import Harvester
from ..domain.metadata import TEMPLATES, Field, Template
from ..domain.models import (
    Attachment,
    Change,
    Dataset,
    DefaultSecurity,
    Failure,
    FieldSpec,
    GroupRuleset,
    Job,
    Processor,
    RecordError,
    Resource,
    Ruleset,
    StoredFile,
    User,
    Version,
)
from ..domain.statemachine import Status


@dataclass(frozen=True, slots=True)
class UserView:
    username: str
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    #: Whether the user is one of the scenario's (an unknown name has no details).
    known: bool = False


@dataclass(frozen=True, slots=True)
class StatusView:
    status: Status
    published: bool
    #: When the fine status, and the public name, were entered.
    since: float
    public_since: float
    user: UserView
    records_errors_count: int
    records_errors: tuple[RecordError, ...]
    failure: Failure | None
    #: ``limit_type``, ``limit`` and ``value`` while in ``limit_reached``.
    limit: dict[str, Any] | None
    #: The status left when the public name last changed (read by the status operation).
    previous: Status | None = None


@dataclass(frozen=True, slots=True)
class DefaultSecurityView:
    is_data_visible: bool
    visible_fields: tuple[str, ...]
    filter_query: str
    api_calls_quota: dict[str, Any] | None


@dataclass(frozen=True, slots=True)
class DatasetView:
    dataset_uid: str
    dataset_id: str
    metas: dict[str, dict[str, Any]]
    #: ``override_remote_value`` of metadata, by ``template.name``.
    meta_overrides: dict[str, bool]
    created: float
    last_modified: float
    published: bool
    visibility: str
    owner: str
    status: StatusView
    changes: tuple[Change, ...]
    default_security: DefaultSecurityView
    #: The name of the harvester that made it (``metas.publishing.harvester``), if any.
    harvester: str | None = None


@dataclass(frozen=True, slots=True)
class MetadataView:
    template: Template
    field: Field
    value: Any
    override_remote_value: bool


@dataclass(frozen=True, slots=True)
class ProgressView:
    status: Status
    started: float
    ended: float | None
    records_total: int
    records_done: int


@dataclass(frozen=True, slots=True)
class Accepted:
    """An action the platform took on: the job that carries it out (``job`` reads it)."""

    job_id: str
    function: str
    dataset_uid: str


@dataclass(frozen=True, slots=True)
class JobView:
    job_id: str
    function: str
    dataset_uid: str
    user: UserView
    state: str
    created: float
    started: float | None
    ended: float | None
    progresses: tuple[ProgressView, ...]
    result: dict[str, Any] | None


@dataclass(frozen=True, slots=True)
class ResourceView:
    resource_uid: str
    url: str
    title: str
    type: str
    params: dict[str, Any]
    records: int
    fields: dict[str, str]


@dataclass(frozen=True, slots=True)
class FileView:
    file_id: str
    url: str
    filename: str
    mimetype: str
    size: int
    records: int
    fields: tuple[str, ...]
    created: float


@dataclass(frozen=True, slots=True)
class AttachmentView:
    """An attachment or an alternative export (``kind`` says which)."""

    kind: str
    uid: str
    url: str
    title: str = ""
    description: str = ""
    #: The uploaded file behind it, if it is one: name, media type, upload time.
    filename: str | None = None
    mimetype: str | None = None
    created: float | None = None


@dataclass(frozen=True, slots=True)
class ProcessorView:
    processor_uid: str
    name: str
    label: str | None
    args: dict[str, Any]


@dataclass(frozen=True, slots=True)
class RulesetView:
    username: str
    is_data_visible: bool
    visible_fields: tuple[str, ...]
    filter_query: str
    api_calls_quota: dict[str, Any] | None
    permissions: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class GroupRulesetView:
    group_id: str
    is_data_visible: bool
    visible_fields: tuple[str, ...]
    filter_query: str
    api_calls_quota: dict[str, Any] | None
    permissions: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class VersionView:
    version: int
    created: float
    records: int
    user: UserView
    job_id: str


@dataclass(frozen=True, slots=True)
class Page:
    """Some of the items that match, and how many match in all."""

    items: tuple[Any, ...]
    total: int


@dataclass(frozen=True, slots=True)
class PushResult:
    records: int
    #: Kept for the job under way to index when it ends.
    buffered: bool
    job: Accepted | None


@dataclass(frozen=True, slots=True)
class Download:
    content: bytes
    mimetype: str
    filename: str


@dataclass(frozen=True, slots=True)
class ElsewhereFile:
    """A file the platform does not hold: a download sends the caller to its URL."""

    url: str


# taking views (under the lock) ------------------------------------------------------


def user_view(username: str, users: Mapping[str, User]) -> UserView:
    known = users.get(username)
    if known is None:
        return UserView(username)
    return UserView(username, known.first_name, known.last_name, known.email, known=True)


def status_view(
    ds: Dataset, users: Mapping[str, User], previous: Status | None = None
) -> StatusView:
    return StatusView(
        ds.status,
        ds.published,
        ds.since,
        ds.public_since,
        user_view(ds.status_user, users),
        ds.records_errors_count,
        ds.records_errors,
        ds.failure,
        None if ds.limit is None else dict(ds.limit),
        previous,
    )


def harvester_names(harvesters: Mapping[str, Harvester]) -> dict[str, str]:
    """The name of the harvester each harvested dataset is attached to, by dataset uid."""
    return {uid: h.name for h in harvesters.values() for uid in h.datasets.values()}


def dataset_view(
    ds: Dataset, users: Mapping[str, User], harvested: Mapping[str, str] | None = None
) -> DatasetView:
    return DatasetView(
        ds.dataset_uid,
        ds.dataset_id,
        {template: dict(values) for template, values in ds.metas.items()},
        dict(ds.meta_overrides),
        ds.created,
        ds.last_modified,
        ds.published,
        ds.visibility,
        ds.owner,
        status_view(ds, users),
        ds.changes,
        default_security_view(ds.default_security),
        None if harvested is None else harvested.get(ds.dataset_uid),
    )


class _Described(Protocol):
    """What a dataset's metadata is read from: the dataset itself, or a view of it."""

    @property
    def metas(self) -> dict[str, dict[str, Any]]: ...
    @property
    def meta_overrides(self) -> dict[str, bool]: ...
    @property
    def published(self) -> bool: ...


def metadata_view(ds: _Described, template: str, name: str) -> MetadataView:
    t = TEMPLATES[template]
    if t.read_only:  # publishing: a mirror of the dataset's state
        return MetadataView(t, t.fields[name], ds.published, False)
    return MetadataView(
        t,
        t.fields[name],
        ds.metas.get(template, {}).get(name),
        ds.meta_overrides.get(f"{template}.{name}", False),
    )


def all_metadata(ds: _Described) -> tuple[MetadataView, ...]:
    return tuple(
        metadata_view(ds, t, name) for t, template in TEMPLATES.items() for name in template.fields
    )


def accepted(job: Job) -> Accepted:
    return Accepted(job.job_id, job.function, job.dataset_uid)


def job_view(job: Job, now: float, users: Mapping[str, User]) -> JobView:
    return JobView(
        job.job_id,
        job.function,
        job.dataset_uid,
        user_view(job.user, users),
        job.state,
        job.created,
        job.started,
        job.ended,
        tuple(
            ProgressView(p.status, p.started, p.ended, p.records_total, p.done_at(now))
            for p in job.progresses
        ),
        None if job.result is None else dict(job.result),
    )


def resource_view(resource: Resource) -> ResourceView:
    return ResourceView(
        resource.resource_uid,
        resource.url,
        resource.title,
        resource.type,
        dict(resource.params),
        resource.records,
        dict(resource.fields),
    )


def file_view(stored: StoredFile) -> FileView:
    return FileView(
        stored.file_id,
        stored.url,
        stored.filename,
        stored.mimetype,
        len(stored.content),
        stored.records,
        tuple(stored.fields),
        stored.created,
    )


def attachment_view(
    kind: str, attached: Attachment, stored: StoredFile | None = None
) -> AttachmentView:
    if stored is None:
        return AttachmentView(
            kind, attached.uid, attached.url, attached.title, attached.description
        )
    return AttachmentView(
        kind,
        attached.uid,
        attached.url,
        attached.title,
        attached.description,
        stored.filename,
        stored.mimetype,
        stored.created,
    )


def processor_view(processor: Processor) -> ProcessorView:
    return ProcessorView(
        processor.processor_uid, processor.name, processor.label, copy.deepcopy(processor.args)
    )


def ruleset_view(ruleset: Ruleset) -> RulesetView:
    return RulesetView(
        ruleset.username,
        ruleset.is_data_visible,
        tuple(ruleset.visible_fields),
        ruleset.filter_query,
        None if ruleset.api_calls_quota is None else dict(ruleset.api_calls_quota),
        tuple(ruleset.permissions),
    )


def group_ruleset_view(ruleset: GroupRuleset) -> GroupRulesetView:
    return GroupRulesetView(
        ruleset.group_id,
        ruleset.is_data_visible,
        tuple(ruleset.visible_fields),
        ruleset.filter_query,
        None if ruleset.api_calls_quota is None else dict(ruleset.api_calls_quota),
        tuple(ruleset.permissions),
    )


def default_security_view(default: DefaultSecurity) -> DefaultSecurityView:
    return DefaultSecurityView(
        default.is_data_visible,
        tuple(default.visible_fields),
        default.filter_query,
        None if default.api_calls_quota is None else dict(default.api_calls_quota),
    )


def version_view(version: Version, users: Mapping[str, User]) -> VersionView:
    return VersionView(
        version.version,
        version.created,
        version.records,
        user_view(version.user, users),
        version.job_id,
    )


# processing ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FieldSpecView:
    processor_uid: str
    name: str
    #: An object of arguments, or for ``order`` the list of field names.
    args: Any
    label: str | None = None


@dataclass(frozen=True, slots=True)
class FieldView:
    """A dataset field as processing leaves it."""

    name: str
    original_name: str
    label: str
    type: str
    description: str | None
    #: Each annotation's name and arguments.
    annotations: tuple[tuple[str, tuple[Any, ...]], ...]


@dataclass(frozen=True, slots=True)
class PreviewView:
    fields: tuple[FieldView, ...]
    records: tuple[dict[str, Any], ...]


#: For each parameter of a processor, its suggested values and the field each one is.
GuessView = dict[str, dict[str, FieldView]]


def field_spec_view(spec: FieldSpec) -> FieldSpecView:
    return FieldSpecView(spec.processor_uid, spec.name, copy.deepcopy(spec.args), spec.label)


def field_view(f: sources.Field) -> FieldView:
    return FieldView(
        f.name,
        f.original_name,
        f.label,
        f.type,
        f.description,
        tuple((name, tuple(args)) for name, args in f.annotations.items()),
    )
