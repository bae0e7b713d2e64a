"""What the service is asked to do: commands, as plain data whatever API they came from.

An API surface reads its own wire format (a body, a query string) into one of these;
the service checks what it says against the domain and acts. Every field is a plain
JSON value, so the journal keeps a command as it was given (see :mod:`.journal`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

C = TypeVar("C")


class Body(Generic[C]):
    """A command still to be read from a request: read when the operation gets to it.

    The platform checks what a request names (the dataset, the resource...) and the
    caller's rights before it reads the body: a bad body sent to an unknown dataset is
    a 404, not a 400. So a surface hands the service how to read its body, and the
    service reads it where the platform would. :meth:`of` wraps a command already
    read (a replayed journal line, a call in code).
    """

    __slots__ = ("_read", "command")

    def __init__(self, read: Callable[[], C]) -> None:
        self._read = read
        #: The command, once read.
        self.command: C | None = None

    @classmethod
    def of(cls, command: C) -> Body[C]:
        body = cls(lambda: command)
        body.command = command
        return body

    def __call__(self) -> C:
        if self.command is None:
            self.command = self._read()
        return self.command


@dataclass(frozen=True)
class Listing:
    """Which datasets to list: equality filters, an order, a window."""

    #: Field name (``dataset_id``, ``dataset_uid``, ``published``, ``visibility``) to the
    #: values it must equal (all of them: two different values match nothing).
    filters: dict[str, list[str]] = field(default_factory=dict)
    #: Fields to sort on, each with ``True`` for descending, the first deciding first.
    sort: list[tuple[str, bool]] = field(default_factory=list)
    offset: int = 0
    limit: int = 10


@dataclass(frozen=True)
class NewDataset:
    dataset_id: str | None = None
    #: Metadata by template, as raw values (checked against the templates).
    metas: dict[str, Any] = field(default_factory=dict)
    visibility: str | None = None
    #: Refuse rather than generate or change the dataset id.
    strict: bool = False
    #: The default ruleset's rules, already read (``is_data_visible``...); ``None``: as new.
    default_security: dict[str, Any] | None = None


@dataclass(frozen=True)
class DatasetChanges:
    dataset_id: str | None = None
    #: Metadata by template, merged field by field; ``None`` removes a field.
    metas: dict[str, Any] | None = None
    visibility: str | None = None
    #: The default ruleset's rules, already read (``is_data_visible``...); ``None``: unchanged.
    default_security: dict[str, Any] | None = None


@dataclass(frozen=True)
class ResourceSpec:
    """A resource as a client describes it; what is left out is worked out from the rest."""

    url: str | None = None
    title: str | None = None
    type: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    #: Records of a simulated source (the simulator's own key).
    records: int | None = None
    #: Fields of its sample records, name: kind (the simulator's own key).
    fields: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class MetadataChange:
    template: str
    name: str
    value: Any
    override_remote_value: bool = False


@dataclass(frozen=True)
class ProcessorSpec:
    name: str
    label: str | None = None
    args: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class FieldSpecification:
    """A field specification as a client describes it: its kind and arguments."""

    name: str
    #: An object of arguments, or for ``order`` the list of field names.
    args: Any = None
    #: Its label (the Automation API's); ``None`` keeps the one it has.
    label: str | None = None


@dataclass(frozen=True)
class RulesetSpec:
    """What one user may see and do on one dataset."""

    username: str
    is_data_visible: bool = True
    visible_fields: list[str] = field(default_factory=list)
    filter_query: str = ""
    api_calls_quota: dict[str, Any] | None = None
    permissions: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class GroupRulesetSpec:
    """What the members of one group may see and do on one dataset."""

    group_id: str
    is_data_visible: bool = True
    visible_fields: list[str] = field(default_factory=list)
    filter_query: str = ""
    api_calls_quota: dict[str, Any] | None = None
    permissions: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class DefaultSecuritySpec:
    """What everyone without a ruleset may see; ``permissions`` must stay empty."""

    is_data_visible: bool = True
    visible_fields: list[str] = field(default_factory=lambda: ["*"])
    filter_query: str = ""
    api_calls_quota: dict[str, Any] | None = None
    permissions: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class AttachmentSpec:
    """A file to expose with a dataset, by its URL (odsfile:// or http(s)://)."""

    url: str


@dataclass(frozen=True)
class Invitation:
    """E-mail addresses to make users of the domain."""

    emails: list[Any]


@dataclass(frozen=True)
class UserChanges:
    """What an update of a user changes: each field left ``None`` stays as it is."""

    group_ids: list[str] | None = None
    permissions: list[str] | None = None
    quotas: dict[str, Any] | None = None
    limits: dict[str, Any] | None = None


@dataclass(frozen=True)
class GroupChanges:
    """A new group (``title`` required), or what an update changes (``None`` stays)."""

    title: str | None = None
    permissions: list[str] | None = None
    quotas: dict[str, Any] | None = None
    limits: dict[str, Any] | None = None


@dataclass(frozen=True)
class Members:
    """Usernames to add to a group."""

    usernames: list[Any]


@dataclass(frozen=True)
class ApiKeySpec:
    """A new API key, or what an update changes: only the ``given`` fields."""

    label: str | None = None
    permissions: list[str] | None = None
    given: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class PageFields:
    """A page as a client writes it, values as sent; ``given`` names the keys it sent."""

    slug: Any = None
    title: Any = None
    description: Any = None
    template: Any = None
    content: Any = None
    tags: Any = None
    restricted: Any = None
    given: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class PageRulesetSpec:
    """Whom a page security ruleset names (a username or a group id), and what it grants."""

    target: str
    permissions: list[Any] = field(default_factory=list)


@dataclass(frozen=True)
class HarvesterFields:
    """A harvester as a client writes it, values as sent; ``given`` names the keys it sent."""

    name: Any = None
    fetcher: Any = None
    params: Any = None
    schedules: Any = None
    version: Any = None
    given: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ConnectionFields:
    """A datasource connection as a client writes it, values as sent; ``given`` names
    the keys it sent."""

    type: Any = None
    url: Any = None
    headers: Any = None
    auth: Any = None
    is_reusable: Any = None
    given: list[str] = field(default_factory=list)


#: Every command the journal may hold, by class name.
@dataclass(frozen=True)
class ScheduleSpec:
    """A dataset's schedule: a unix cron expression, as sent (checked by the service)."""

    cron_schedule: Any


COMMANDS: dict[str, type] = {
    cls.__name__: cls
    for cls in (
        Listing,
        NewDataset,
        DatasetChanges,
        ResourceSpec,
        MetadataChange,
        ProcessorSpec,
        RulesetSpec,
        GroupRulesetSpec,
        DefaultSecuritySpec,
        FieldSpecification,
        AttachmentSpec,
        Invitation,
        UserChanges,
        GroupChanges,
        Members,
        ApiKeySpec,
        PageFields,
        PageRulesetSpec,
        HarvesterFields,
        ScheduleSpec,
        ConnectionFields,
    )
}
