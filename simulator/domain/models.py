"""Plain records of what the simulator stores: users, datasets, resources, jobs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from .statemachine import Status

#: Resource types the simulator knows.
RESOURCE_TYPES: tuple[str, ...] = ("csvfile", "http", "realtime", "jsonfile", "geojson")
#: Keys of a fetched resource that a client may send back unchanged; ignored on write.
RESOURCE_READ_ONLY: tuple[str, ...] = ("resource_uid", "datasource")

#: What a dataset_id may be: letters, digits, '-' and '_', up to 100 characters.
DATASET_ID_PATTERN = "^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$"
#: Keys of a fetched dataset that a client may send back unchanged; ignored on write.
DATASET_READ_ONLY: tuple[str, ...] = (
    "dataset_uid",
    "published",
    "status",
    "last_modified",
    "default_security",
    "changes",
    "metadata",
    "created",
)

#: Every domain-level permission, as the platform names them, in its documented order.
DOMAIN_PERMISSIONS: tuple[str, ...] = (
    "edit_domain",
    "create_page",
    "edit_page",
    "manage_page",
    "explore_restricted_page",
    "create_dataset",
    "edit_dataset",
    "publish_dataset",
    "manage_dataset",
    "explore_restricted_dataset",
    "edit_reuse",
    "manage_subdomains",
    "explore_monitoring",
    "edit_theme",
)
#: What a new API key may do when its creator names nothing.
DEFAULT_KEY_PERMISSIONS: tuple[str, ...] = ("explore_restricted_dataset",)


@dataclass(slots=True)
class User:
    username: str
    password: str | None = None
    api_keys: tuple[str, ...] = ()
    permissions: frozenset[str] = frozenset()
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    #: When they joined the domain, in virtual seconds.
    date_joined: float = 0.0
    #: Their quota of API calls and their limits, as the platform writes them (``{}``: none).
    quotas: dict[str, Any] = field(default_factory=dict)
    limits: dict[str, Any] = field(default_factory=dict)
    #: Seen through an API key: the permissions the key carries (``None``: not through a
    #: key, or a key that carries everything its owner holds). Never set on a stored user.
    key_permissions: frozenset[str] | None = None
    #: The API key the call came with, if it came with one rather than a password.
    via_key: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "username": self.username,
            "first_name": self.first_name,
            "last_name": self.last_name,
            "email": self.email,
        }


@dataclass(slots=True)
class Group:
    """Users of the domain taken together: each member gets the group's domain permissions."""

    group_id: str
    title: str
    permissions: frozenset[str] = frozenset()
    #: Its members, in the order they joined.
    usernames: tuple[str, ...] = ()
    quotas: dict[str, Any] = field(default_factory=dict)
    limits: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class ApiKey:
    """A key a user authenticates with, and what it lets them do of what they hold."""

    key: str
    username: str
    label: str | None = None
    #: ``None``: every permission its owner holds (a key a scenario names as a string).
    permissions: tuple[str, ...] | None = None


@dataclass(slots=True)
class Resource:
    resource_uid: str
    title: str
    url: str
    type: str = "csvfile"
    records: int = 0
    params: dict[str, Any] = field(default_factory=dict)
    #: Bumped on every change; a publish reprocesses resources whose revision moved.
    revision: int = 1
    #: Fields of its sample records: name -> kind (see simulator.domain.datagen).
    fields: dict[str, str] = field(default_factory=dict)
    #: A realtime resource takes pushed records only while its push is enabled.
    push_enabled: bool = True


@dataclass(slots=True)
class StoredFile:
    """An uploaded file, and what the platform would read from it."""

    file_id: str
    filename: str
    mimetype: str
    content: bytes
    created: float
    records: int
    fields: dict[str, str]
    #: Who uploaded it ("" for uploads replayed from state files older than owners).
    owner: str = ""

    #: Fields added after snapshots were first written: while they hold their default,
    #: a snapshot's digest leaves them out, so that a file saved before still matches.
    ADDED_FIELDS: ClassVar[tuple[str, ...]] = ("owner",)

    @property
    def url(self) -> str:
        return f"odsfile://{self.file_id}"


@dataclass(slots=True)
class Attachment:
    """A file exposed with a dataset: an attachment, or an alternative export.

    ``url`` is the backing file: ``odsfile://`` and an uploaded file, or ``http(s)://``.
    """

    uid: str
    url: str
    #: An alternative export's title and description ("" until given).
    title: str = ""
    description: str = ""


@dataclass(slots=True)
class Processor:
    processor_uid: str
    name: str
    #: ``None`` when none was given (the answer then has no ``label``).
    label: str | None
    args: dict[str, Any]


@dataclass(slots=True)
class FieldSpec:
    """A field specification: a processor-like object (``order`` has a list as ``args``)."""

    processor_uid: str
    name: str
    args: Any
    #: Its label, as the Automation API v1.0 names each configuration (``None``: none given).
    label: str | None = None

    #: Fields added after snapshots were first written (see :class:`Resource`).
    ADDED_FIELDS: ClassVar[tuple[str, ...]] = ("label",)


@dataclass(slots=True)
class Ruleset:
    """What one user may see and do on one dataset."""

    username: str
    is_data_visible: bool = True
    visible_fields: list[str] = field(default_factory=list)
    filter_query: str = ""
    api_calls_quota: dict[str, Any] | None = None
    permissions: list[str] = field(default_factory=list)


@dataclass(slots=True)
class GroupRuleset:
    """What the members of one group may see and do on one dataset."""

    group_id: str
    is_data_visible: bool = True
    visible_fields: list[str] = field(default_factory=list)
    filter_query: str = ""
    api_calls_quota: dict[str, Any] | None = None
    permissions: list[str] = field(default_factory=list)


#: ``visible_fields`` that shows every field.
ALL_FIELDS = "*"


@dataclass(slots=True)
class DefaultSecurity:
    """What anyone of the domain without a ruleset of their own or of a group may see.

    It grants no permission: only user and group rulesets do.
    """

    is_data_visible: bool = True
    visible_fields: list[str] = field(default_factory=lambda: [ALL_FIELDS])
    filter_query: str = ""
    api_calls_quota: dict[str, Any] | None = None


@dataclass(slots=True)
class Change:
    """One edit of a dataset's configuration, and the configuration it left."""

    change_uid: int
    user: str
    timestamp: float
    sections: list[str]
    #: Each changed value: ``{"path": [keys...], "before": ..., "after": ...}``.
    diff: list[dict[str, Any]]
    snapshot: dict[str, Any]


@dataclass(slots=True)
class Failure:
    """Why a dataset is in ``error``: the three keys the status shows."""

    raw_message: str
    raw_params: dict[str, Any]

    @property
    def message(self) -> str:
        return self.raw_message.format(**self.raw_params)

    def to_dict(self) -> dict[str, Any]:
        return {
            "message": self.message,
            "raw_message": self.raw_message,
            "raw_params": self.raw_params,
        }


@dataclass(slots=True)
class RecordError:
    record_id: str
    processor_uid: str | None
    field_uid: str
    raw_message: str
    raw_params: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {
            "record_id": self.record_id,
            "processor_uid": self.processor_uid,
            "field_uid": self.field_uid,
            "message": self.raw_message.format(**self.raw_params),
            "raw_message": self.raw_message,
            "raw_params": self.raw_params,
        }


@dataclass(slots=True)
class Progress:
    """One stage of a job: when it ran and how many records it handled.

    While the stage runs, records flow at ``rate`` per second once ``base`` seconds
    have passed, up to ``target`` (the stage's records, or fewer when a limit or a
    fault stops it early).
    """

    status: Status
    started: float
    records_total: int = 0
    target: int = 0
    base: float = 0.0
    rate: float | None = None
    ended: float | None = None
    records_done: int = 0

    def done_at(self, now: float) -> int:
        if self.ended is not None:
            return self.records_done
        if self.rate is None:
            return 0
        flowed = (now - self.started - self.base) * self.rate
        if not flowed > 0:  # not begun yet, or a stage too slow to measure (-inf, NaN)
            return 0
        return int(min(flowed, self.target))

    def finished(self, ended: float, done: int) -> tuple[Any, ...]:
        """The stage, ended, as a row of plain values (see :attr:`Job.stages`)."""
        name = str(self.status)  # its wire name: Status is a StrEnum
        return (
            name,
            self.started,
            self.records_total,
            self.target,
            self.base,
            self.rate,
            ended,
            done,
        )

    @classmethod
    def from_row(cls, row: tuple[Any, ...]) -> Progress:
        return cls(Status(row[0]), *row[1:])


@dataclass(slots=True)
class Job:
    job_id: str
    function: str
    dataset_uid: str
    user: str
    created: float
    state: str = "waiting"
    started: float | None = None
    ended: float | None = None
    #: Finished stages, as rows of plain values: the garbage collector stops tracking
    #: exact tuples of those, and jobs are kept for ever. Read through ``progresses``.
    stages: tuple[tuple[Any, ...], ...] = ()
    #: The stage running now.
    stage: Progress | None = None
    result: dict[str, Any] | None = None
    #: Records by realtime resource uid, for push, recover and scratch jobs.
    payload: dict[str, int] = field(default_factory=dict)

    @property
    def progresses(self) -> list[Progress]:
        """Every stage so far, the running one last."""
        done = [Progress.from_row(row) for row in self.stages]
        return done if self.stage is None else [*done, self.stage]


@dataclass(slots=True)
class Version:
    version: int
    created: float
    records: int
    user: str
    job_id: str


@dataclass(slots=True)
class Feedback:
    """A visitor's comment on a record, with the values they suggest."""

    feedback_uid: str
    record_id: str
    username: str
    comment: str
    values: dict[str, Any] = field(default_factory=dict)
    is_archived: bool = False
    created: float = 0.0


@dataclass(slots=True)
class Schedule:
    """When the platform re-processes a dataset by itself (see :mod:`.schedules`)."""

    schedule_uid: str
    cron_schedule: str
    #: Who last wrote it: the user a firing publishes as.
    user: str = ""


@dataclass(slots=True)
class Dataset:
    dataset_uid: str
    dataset_id: str
    metas: dict[str, dict[str, Any]]
    owner: str
    created: float
    last_modified: float
    visibility: str = "domain"
    published: bool = False
    status: Status = Status.IDLE
    #: When the fine status, and the coarse public name, were last entered.
    since: float = 0.0
    public_since: float = 0.0
    status_user: str = ""
    resources: dict[str, Resource] = field(default_factory=dict)
    #: Records in the search index, per resource uid.
    indexed: dict[str, int] = field(default_factory=dict)
    #: Resource revision whose records were fully indexed, per resource uid.
    indexed_revisions: dict[str, int] = field(default_factory=dict)
    # Append-only logs are tuples: the empty one is a shared constant the garbage
    # collector does not track, where an empty list would be one more per dataset.
    records_errors: tuple[RecordError, ...] = ()
    records_errors_count: int = 0
    failure: Failure | None = None
    limit: dict[str, Any] | None = None
    job: Job | None = None
    versions: tuple[Version, ...] = ()
    processors: dict[str, Processor] = field(default_factory=dict)
    #: Field specifications, in the order they apply (after the processors).
    field_specs: dict[str, FieldSpec] = field(default_factory=dict)
    #: Bumped on every change of processors or field specifications; a publish after
    #: one reprocesses everything.
    processors_revision: int = 0
    indexed_processors_revision: int = 0
    rulesets: dict[str, Ruleset] = field(default_factory=dict)
    group_rulesets: dict[str, GroupRuleset] = field(default_factory=dict)
    default_security: DefaultSecurity = field(default_factory=DefaultSecurity)
    changes: tuple[Change, ...] = ()
    #: ``override_remote_value`` of metadata, by "template.name".
    meta_overrides: dict[str, bool] = field(default_factory=dict)
    #: Realtime records pushed while a job ran, indexed when it ends, and by whom.
    pending_push: dict[str, int] = field(default_factory=dict)
    pending_pusher: str = ""
    #: Files exposed with the dataset, by uid (``at_...``, ``ae_...``).
    attachments: dict[str, Attachment] = field(default_factory=dict)
    alternative_exports: dict[str, Attachment] = field(default_factory=dict)
    #: Its schedules (``sc_...``), in the order they were made.
    schedules: dict[str, Schedule] = field(default_factory=dict)
    #: What visitors said about its records (``df_...``); the scenario gives them.
    feedbacks: dict[str, Feedback] = field(default_factory=dict)

    @property
    def records(self) -> int:
        return sum(self.indexed.values())
