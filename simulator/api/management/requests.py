"""The Management API v2's request bodies, read into the service's commands.

A reader checks a body's shape (an object, known keys, the kind of each value) and
names what it refuses; what the values mean (a template, a processor, a permission)
is the domain's to check. Readers run when the service asks for the body (see
:class:`~simulator.service.commands.Body`), after it found what the path names.
"""

from __future__ import annotations

from typing import Any

from ...domain.errors import InvalidParameter, InvalidRequest, SimulatorError
from ...domain.fieldspecs import KINDS as FIELD_SPEC_KINDS
from ...domain.limits import as_boolean, as_integer, echo
from ...domain.metadata import closest
from ...domain.models import DATASET_READ_ONLY, RESOURCE_READ_ONLY
from ...domain.pages import READ_ONLY as PAGE_READ_ONLY
from ...domain.pages import WRITABLE as PAGE_WRITABLE
from ...domain.processors import unknown_processor
from ...service.commands import (
    ApiKeySpec,
    AttachmentSpec,
    DatasetChanges,
    DefaultSecuritySpec,
    FieldSpecification,
    GroupChanges,
    GroupRulesetSpec,
    HarvesterFields,
    Invitation,
    Members,
    MetadataChange,
    NewDataset,
    PageFields,
    PageRulesetSpec,
    ProcessorSpec,
    ResourceSpec,
    RulesetSpec,
    UserChanges,
)

#: Keys of a dataset body the caller may write.
DATASET_WRITABLE = ("dataset_id", "metas", "visibility")
#: Keys a resource body may carry; ``records`` and ``fields`` are the simulator's own.
RESOURCE_KEYS = ("url", "title", "type", "params", "records", "fields")
PROCESSOR_KEYS = ("name", "label", "args", "processor_uid")
#: What every ruleset says, in the platform's order.
RULES_KEYS = ("is_data_visible", "visible_fields", "filter_query", "api_calls_quota", "permissions")
RULESET_KEYS = ("user", "username", *RULES_KEYS)
GROUP_RULESET_KEYS = ("group", "group_id", *RULES_KEYS)


def _dataset_body(body: Any) -> dict[str, Any]:
    if body is None:
        return {}
    if not isinstance(body, dict):
        raise InvalidParameter("body", f"expected a JSON object, got {type(body).__name__}")
    _known_keys(body, DATASET_WRITABLE + DATASET_READ_ONLY, DATASET_WRITABLE, "writable")
    return body


def new_dataset(body: Any, strict: bool) -> NewDataset:
    given = _dataset_body(body)
    return NewDataset(
        given.get("dataset_id"), given.get("metas", {}), given.get("visibility"), strict
    )


def dataset_changes(body: Any) -> DatasetChanges:
    given = _dataset_body(body)
    metas = given.get("metas")
    if "metas" in given and not isinstance(metas, dict):
        raise InvalidParameter("metas", "expected an object of templates")
    return DatasetChanges(given.get("dataset_id"), metas, given.get("visibility"))


def resource(body: Any) -> ResourceSpec:
    """``{url, title, type, params}`` (and the simulator's ``records``, ``fields``)."""
    if not isinstance(body, dict):
        raise InvalidParameter("body", "expected a JSON object with at least a url")
    _known_keys(body, RESOURCE_KEYS + RESOURCE_READ_ONLY, RESOURCE_KEYS)
    url = body.get("url")
    if url is not None and not isinstance(url, str):
        raise InvalidParameter(
            "url", "expected the source's URL: odsfile://<uploaded file> or http(s)://"
        )
    params = body.get("params", {})
    if not isinstance(params, dict):
        raise InvalidParameter("params", "expected an object")
    title = body.get("title")
    if title is not None and not isinstance(title, str):
        raise InvalidParameter("title", "expected a string")
    records = body.get("records")
    if records is not None:
        count = as_integer(records)
        if count is None or count < 0:
            raise InvalidParameter("records", f"expected an integer from 0 on, got {echo(records)}")
        records = count
    return ResourceSpec(url, title, body.get("type"), dict(params), records, _fields(body))


def _fields(body: dict[str, Any]) -> dict[str, str]:
    """Record fields as a list of names or an object name: kind (the simulator's own key)."""
    raw = body.get("fields")
    if raw is None:
        return {}
    if isinstance(raw, list) and all(isinstance(f, str) and f for f in raw):
        return {f: "text" for f in raw}
    if isinstance(raw, dict) and all(isinstance(v, str) for v in raw.values()):
        return dict(raw)
    raise InvalidParameter("fields", "expected a list of field names, or an object name: kind")


def metadata_value(template: str, name: str, body: Any) -> MetadataChange:
    """``{"value": ..., "override_remote_value": false}`` for one metadata."""
    if not isinstance(body, dict) or "value" not in body:
        raise InvalidParameter("body", 'expected {"value": ..., "override_remote_value": false}')
    _known_keys(body, ("value", "override_remote_value"))
    return MetadataChange(template, name, body["value"], _override(body, "override_remote_value"))


def metadata_bulk(body: Any) -> list[MetadataChange]:
    """``{"metas": [{template_name, metadata_name, value, override_remote_value}]}``.

    Every item's problem is reported at once.
    """
    if not isinstance(body, dict) or not isinstance(body.get("metas"), list):
        raise InvalidParameter(
            "metas", 'expected {"metas": [{"template_name", "metadata_name", "value"}]}'
        )
    changes, errors = [], []
    for i, item in enumerate(body["metas"]):
        try:
            changes.append(_bulk_item(i, item))
        except SimulatorError as exc:
            errors.append(exc)
    if errors:
        raise errors[0] if len(errors) == 1 else InvalidRequest(errors)
    return changes


def _bulk_item(i: int, item: Any) -> MetadataChange:
    where = f"metas[{i}]"
    if not isinstance(item, dict):
        raise InvalidParameter(where, "expected an object")
    template, name = item.get("template_name"), item.get("metadata_name")
    if not isinstance(template, str) or not isinstance(name, str) or "value" not in item:
        raise InvalidParameter(where, "expected template_name, metadata_name and value")
    override = _override(item, f"{where}.override_remote_value")
    return MetadataChange(template, name, item["value"], override)


def _override(body: dict[str, Any], where: str) -> bool:
    override = as_boolean(body.get("override_remote_value", False))
    if override is None:
        raise InvalidParameter(where, "expected true or false")
    return override


def processor(body: Any) -> ProcessorSpec:
    """``{name, label, args}``."""
    if not isinstance(body, dict):
        raise InvalidParameter("body", "expected a JSON object with 'name' and 'args'")
    _known_keys(body, PROCESSOR_KEYS, ("name", "label", "args"))
    name = body.get("name")
    if not isinstance(name, str):
        raise unknown_processor(name)
    label = body.get("label")
    if label is not None and not isinstance(label, str):
        raise InvalidParameter("label", "expected a string")
    args = body.get("args", {})
    if not isinstance(args, dict):
        raise InvalidParameter("args", "expected an object of arguments")
    return ProcessorSpec(name, label, dict(args))


FIELD_SPEC_KEYS = ("name", "args", "processor_uid")


def field_spec(body: Any) -> FieldSpecification:
    """``{name, args}`` (a ``processor_uid`` sent back as read is ignored)."""
    if not isinstance(body, dict):
        raise InvalidParameter("body", "expected a JSON object with 'name' and 'args'")
    _known_keys(body, FIELD_SPEC_KEYS, ("name", "args"))
    name = body.get("name")
    if not isinstance(name, str):
        raise InvalidParameter("name", f"expected one of {', '.join(FIELD_SPEC_KINDS)}")
    return FieldSpecification(name, body.get("args"))


def processor_name(body: Any) -> Any:
    """``{"name": "<processor>"}``, the body of ``guess_processor_params``."""
    if not isinstance(body, dict):
        raise InvalidParameter("body", 'expected {"name": "<a processor\'s name>"}')
    _known_keys(body, ("name",))
    return body.get("name")


def ruleset(body: Any, username: str | None = None) -> RulesetSpec:
    """``{user: {username}, permissions, is_data_visible, ...}``; the path may name the user."""
    given = _target(body, RULESET_KEYS, "user", "username")
    if username is None:
        if not isinstance(given, str) or not given:
            raise InvalidParameter("user", 'expected {"username": ...} naming the user')
        username = given
    elif given is not None and given != username:
        raise InvalidParameter(
            "user", f"the path names '{username}' but the body names {echo(given)}"
        )
    return RulesetSpec(username, *_rules(body))


def group_ruleset(body: Any, group_id: str | None = None) -> GroupRulesetSpec:
    """``{group: {group_id}, permissions, is_data_visible, ...}``; the path may name the group."""
    given = _target(body, GROUP_RULESET_KEYS, "group", "group_id")
    if group_id is None:
        if not isinstance(given, str) or not given:
            raise InvalidParameter("group", 'expected {"group_id": ...} naming the group')
        group_id = given
    elif given is not None and given != group_id:
        raise InvalidParameter(
            "group", f"the path names '{group_id}' but the body names {echo(given)}"
        )
    return GroupRulesetSpec(group_id, *_rules(body))


def default_security(body: Any) -> DefaultSecuritySpec:
    """``{is_data_visible, visible_fields, filter_query, api_calls_quota, permissions}``.

    What the body leaves out takes the value a reset gives.
    """
    _object_of(body, RULES_KEYS)
    visible, fields, query, quota, permissions = _rules(body, all_fields=True)
    return DefaultSecuritySpec(visible, fields, query, quota, permissions)


def _object_of(body: Any, keys: tuple[str, ...]) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise InvalidParameter("body", "expected a JSON object")
    _known_keys(body, keys)
    return body


def _known_keys(
    body: dict[str, Any],
    allowed: tuple[str, ...],
    shown: tuple[str, ...] | None = None,
    label: str = "known",
) -> None:
    """Refuse a key the body may not hold, naming the closest of the ``shown`` ones
    (by default all ``allowed``; a key sent back as read is allowed, not shown)."""
    shown = allowed if shown is None else shown
    for key in body:
        if key not in allowed:
            raise InvalidParameter(
                key, f"unknown field{closest(key, shown)}; {label}: {', '.join(shown)}"
            )


def _target(body: Any, keys: tuple[str, ...], key: str, name: str) -> Any:
    """Whom a ruleset's body names: ``{key: {name: ...}}``, or ``{name: ...}``."""
    given = _object_of(body, keys).get(key, body.get(name))
    if isinstance(given, dict):
        given = given.get(name)
    return given


def _rules(
    body: dict[str, Any], all_fields: bool = False
) -> tuple[bool, list[str], str, dict[str, Any] | None, list[Any]]:
    """What a ruleset says: ``is_data_visible`` (any spelling of a boolean) and the rest."""
    visible = as_boolean(body.get("is_data_visible", True))
    if visible is None:
        raise InvalidParameter("is_data_visible", "expected true or false")
    fields = body.get("visible_fields", ["*"] if all_fields else [])
    if not isinstance(fields, list) or not all(isinstance(f, str) for f in fields):
        raise InvalidParameter("visible_fields", "expected a list of field names")
    query = body.get("filter_query", "")
    if not isinstance(query, str):
        raise InvalidParameter("filter_query", "expected a string")
    quota = body.get("api_calls_quota")
    if quota is not None and not isinstance(quota, dict):
        raise InvalidParameter("api_calls_quota", "expected an object or null")
    permissions = body.get("permissions", [])
    if not isinstance(permissions, list):
        raise InvalidParameter("permissions", "expected a list of permissions")
    return visible, list(fields), query, quota, list(permissions)


def access_policy(body: Any) -> Any:
    """A bare JSON string (``"restricted"``), or ``{"access_policy": ...}``."""
    return body.get("access_policy") if isinstance(body, dict) else body


def change_uid(body: Any) -> int:
    given = body.get("change_uid") if isinstance(body, dict) else None
    uid = as_integer(given)
    if uid is None:
        raise InvalidParameter(
            "change_uid", f"expected the integer uid of a change, got {echo(given)}"
        )
    return uid


def attachment(body: Any, uid_key: str) -> AttachmentSpec:
    """``{"url": "odsfile://file.csv"}``; an object as read (with its uid) is taken too."""
    if not isinstance(body, dict):
        raise InvalidParameter("body", 'expected a JSON object: {"url": "odsfile://<file_id>"}')
    _known_keys(body, ("url", uid_key), ("url",))
    url = body.get("url")
    if not isinstance(url, str):
        raise InvalidParameter(
            "url", "expected the file's URL: odsfile://<uploaded file> or http(s)://..."
        )
    return AttachmentSpec(url)


# users, groups and API keys -------------------------------------------------------------

USER_KEYS = ("group_ids", "permissions", "quotas", "limits")
GROUP_KEYS = ("title", "permissions", "quotas", "limits")
API_KEY_KEYS = ("label", "permissions")


def _list_of(body: dict[str, Any], key: str, kind: str, required: bool = False) -> Any:
    value = body.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, list):
        raise InvalidParameter(key, f"expected a list of {kind}")
    return list(value)


def _object_or_none(body: dict[str, Any], key: str) -> Any:
    value = body.get(key)
    if value is not None and not isinstance(value, dict):
        raise InvalidParameter(key, "expected an object")
    return value


def invitation(body: Any) -> Invitation:
    """``{"emails": ["a@example.org", ...]}``."""
    given = _object_of(body, ("emails",))
    return Invitation(_list_of(given, "emails", "e-mail addresses", required=True))


def user_changes(body: Any) -> UserChanges:
    """Any of ``group_ids``, ``permissions``, ``quotas``, ``limits``."""
    given = _object_of(body, USER_KEYS)
    group_ids = _list_of(given, "group_ids", "group ids")
    if group_ids is not None:
        for i, group_id in enumerate(group_ids):
            if not isinstance(group_id, str):
                raise InvalidParameter(f"group_ids[{i}]", "expected a group id")
    return UserChanges(
        group_ids,
        _list_of(given, "permissions", "permissions"),
        _object_or_none(given, "quotas"),
        _object_or_none(given, "limits"),
    )


def group_changes(body: Any) -> GroupChanges:
    """Any of ``title``, ``permissions``, ``quotas``, ``limits`` (a new group needs a title)."""
    given = _object_of(body, GROUP_KEYS)
    title = given.get("title")
    if title is not None and not isinstance(title, str):
        raise InvalidParameter("title", "expected a string")
    return GroupChanges(
        title,
        _list_of(given, "permissions", "permissions"),
        _object_or_none(given, "quotas"),
        _object_or_none(given, "limits"),
    )


def members(body: Any) -> Members:
    """``{"usernames": [...]}``."""
    given = _object_of(body, ("usernames",))
    return Members(_list_of(given, "usernames", "usernames", required=True))


def api_key(body: Any) -> ApiKeySpec:
    """``{"label", "permissions"}``, both optional; an empty body is ``{}``."""
    given = {} if body is None else _object_of(body, API_KEY_KEYS)
    label = given.get("label")
    if label is not None and not isinstance(label, str):
        raise InvalidParameter("label", "expected a string or null")
    permissions = _list_of(given, "permissions", "permissions")
    return ApiKeySpec(label, permissions, [k for k in API_KEY_KEYS if k in given])


def page(body: Any) -> PageFields:
    """A page's writable keys; the keys a page is read with are taken and ignored."""
    if not isinstance(body, dict):
        raise InvalidParameter("body", 'expected a JSON object, e.g. {"slug": ..., "title": ...}')
    _known_keys(body, PAGE_WRITABLE + PAGE_READ_ONLY, PAGE_WRITABLE, "writable")
    given = [key for key in PAGE_WRITABLE if key in body]
    return PageFields(**{key: body[key] for key in given}, given=given)


def page_slugs(body: Any) -> list[str]:
    """``[{"slug": ...}, ...]``: the pages to delete (a bare slug is taken too)."""
    if not isinstance(body, list) or not body:
        raise InvalidParameter("body", 'expected a list of pages: [{"slug": "about"}, ...]')
    slugs: list[str] = []
    for i, item in enumerate(body):
        slug = item.get("slug") if isinstance(item, dict) else item
        if not isinstance(slug, str) or not slug:
            raise InvalidParameter(f"[{i}].slug", f"expected a page's slug, got {echo(item)}")
        slugs.append(slug)
    return slugs


def page_ruleset(body: Any, kind: str, name: str | None = None) -> PageRulesetSpec:
    """``{user: {username}, permissions}`` or ``{group: {group_id}, permissions}``; the
    path may name the target (a ``PUT``)."""
    key = "username" if kind == "user" else "group_id"
    given = _target(body, (kind, key, "permissions"), kind, key)
    if name is None:
        if not isinstance(given, str) or not given:
            raise InvalidParameter(kind, f'expected {{"{key}": ...}} naming the {kind}')
        name = given
    elif given is not None and given != name:
        raise InvalidParameter(kind, f"the path names '{name}' but the body names {echo(given)}")
    return PageRulesetSpec(name, body.get("permissions", []))


#: The keys a harvester is written with, and those it is read with (sent back, ignored).
HARVESTER_WRITABLE = ("name", "fetcher", "params", "schedules", "version")
HARVESTER_READ_ONLY = (
    "status",
    "last_modified_by",
    "errors",
    "harvester_id",
    "last_modified_at",
    "created_at",
    "counters",
)


def harvester(body: Any) -> HarvesterFields:
    """A harvester's writable keys; the keys it is read with are taken and ignored."""
    if not isinstance(body, dict):
        raise InvalidParameter("body", 'expected a JSON object, e.g. {"fetcher": ..., "name": ...}')
    _known_keys(body, HARVESTER_WRITABLE + HARVESTER_READ_ONLY, HARVESTER_WRITABLE, "writable")
    given = [key for key in HARVESTER_WRITABLE if key in body]
    return HarvesterFields(**{key: body[key] for key in given}, given=given)


def delete_attached(raw: str | None) -> bool:
    """``delete_attached_datasets=0|1`` (or any boolean word); absent: keep them."""
    if raw is None or raw == "":
        return False
    flag = as_boolean(raw)
    if flag is None:
        raise InvalidParameter("delete_attached_datasets", f"expected 0 or 1, got {echo(raw)}")
    return flag
