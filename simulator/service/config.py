"""Dataset configuration: metadata, processors, security, and the change log."""

from __future__ import annotations

import copy
from typing import Any

from ..api.management.render import changes_json, dataset_json, processor_json, version_json
from ..domain import history
from ..domain.errors import (
    BadRequest,
    InvalidParameter,
    InvalidRequest,
    NotFound,
    SimulatorError,
    UnknownUsername,
)
from ..domain.limits import as_integer, echo
from ..domain.metadata import TEMPLATES, all_metadata, check_value, closest, metadata_json
from ..domain.models import Dataset, Processor, User
from ..domain.processors import check_processor
from ..domain.security import ACCESS_POLICIES, check_ruleset, ruleset_json
from .core import Ask, Core, operation
from .journal import mutation


class UnknownMetadata(NotFound):
    error_key = "UnknownMetadataException"

    def __init__(self, template: str, name: str) -> None:
        super().__init__("Unknown metadata: {template}/{name}", template=template, name=name)


class UnknownProcessor(NotFound):
    error_key = "UnknownProcessorException"

    def __init__(self, processor_uid: str) -> None:
        super().__init__("Unknown processor: {processor_uid}", processor_uid=processor_uid)


class UnknownRuleset(NotFound):
    error_key = "UnknownRulesetException"

    def __init__(self, username: str) -> None:
        super().__init__(
            "No security ruleset for user {username} on this dataset", username=username
        )


class UnknownChange(NotFound):
    error_key = "UnknownChangeException"

    def __init__(self, change_uid: Any) -> None:
        super().__init__("Unknown change: {change_uid}", change_uid=change_uid)


class Config(Core):
    # metadata ----------------------------------------------------------------------

    @operation
    def list_metadata(self, user: User, dataset_uid: str) -> list[dict[str, Any]]:
        return all_metadata(self._dataset(user, dataset_uid, "edit_dataset"))

    @operation
    def get_metadata(
        self, user: User, dataset_uid: str, template: str, name: str
    ) -> dict[str, Any]:
        ds = self._dataset(user, dataset_uid, "edit_dataset")
        _known(template, name)
        return metadata_json(ds, template, name)

    @mutation
    def set_metadata(
        self, user: User, dataset_uid: str, template: str, name: str, body: Any
    ) -> dict[str, Any]:
        ds = self._dataset(user, dataset_uid, "edit_dataset")
        _known(template, name)
        if not isinstance(body, dict) or "value" not in body:
            raise InvalidParameter(
                "body", 'expected {"value": ..., "override_remote_value": false}'
            )
        extra = set(body) - {"value", "override_remote_value"}
        if extra:
            raise InvalidParameter(
                sorted(extra)[0], "unknown field; known: value, override_remote_value"
            )
        value = check_value(template, name, body["value"])
        override = _override(body)
        before = history.snapshot(ds)
        _apply(ds, template, name, value, override)
        self._record(user, ds, before)
        return metadata_json(ds, template, name)

    @mutation
    def reset_metadata(
        self, user: User, dataset_uid: str, template: str, name: str
    ) -> dict[str, Any]:
        ds = self._dataset(user, dataset_uid, "edit_dataset")
        _known(template, name)
        before = history.snapshot(ds)
        _apply(ds, template, name, None, False)
        self._record(user, ds, before)
        return metadata_json(ds, template, name)

    @mutation
    def set_metadata_bulk(self, user: User, dataset_uid: str, body: Any) -> list[dict[str, Any]]:
        """Set several metadata at once: all are checked, every error reported, none applied."""
        ds = self._dataset(user, dataset_uid, "edit_dataset")
        if not isinstance(body, dict) or not isinstance(body.get("metas"), list):
            raise InvalidParameter(
                "metas", 'expected {"metas": [{"template_name", "metadata_name", "value"}]}'
            )
        updates, errors = [], []
        for i, item in enumerate(body["metas"]):
            try:
                updates.append(_bulk_item(i, item))
            except SimulatorError as exc:
                errors.append(exc)
        if errors:
            raise errors[0] if len(errors) == 1 else InvalidRequest(errors)
        before = history.snapshot(ds)
        for template, name, value, override in updates:
            _apply(ds, template, name, value, override)
        self._record(user, ds, before)
        return [metadata_json(ds, t, n) for t, n, _, _ in updates]

    # processors ----------------------------------------------------------------------

    @operation
    def list_processors(self, user: User, dataset_uid: str) -> list[dict[str, Any]]:
        ds = self._dataset(user, dataset_uid, "edit_dataset")
        return [processor_json(p) for p in ds.processors.values()]

    @operation
    def get_processor(self, user: User, dataset_uid: str, processor_uid: str) -> dict[str, Any]:
        return processor_json(self._processor(user, dataset_uid, processor_uid)[1])

    @mutation
    def create_processor(self, user: User, dataset_uid: str, body: Any) -> dict[str, Any]:
        ds = self._dataset(user, dataset_uid, "edit_dataset")
        name, label, args = check_processor(body)
        before = history.snapshot(ds)
        uid = self.store.new_processor_uid(ds)
        ds.processors[uid] = Processor(uid, name, label, args)
        ds.processors_revision += 1
        self._record(user, ds, before)
        return processor_json(ds.processors[uid])

    @mutation
    def replace_processor(
        self, user: User, dataset_uid: str, processor_uid: str, body: Any
    ) -> dict[str, Any]:
        ds, processor = self._processor(user, dataset_uid, processor_uid)
        name, label, args = check_processor(body)
        before = history.snapshot(ds)
        if (processor.name, processor.args) != (name, args):
            ds.processors_revision += 1
        processor.name, processor.label, processor.args = name, label, args
        self._record(user, ds, before)
        return processor_json(processor)

    @mutation
    def delete_processor(self, user: User, dataset_uid: str, processor_uid: str) -> None:
        ds, _ = self._processor(user, dataset_uid, processor_uid)
        before = history.snapshot(ds)
        del ds.processors[processor_uid]
        ds.processors_revision += 1
        self._record(user, ds, before)

    def _processor(
        self, user: User, dataset_uid: str, processor_uid: str
    ) -> tuple[Dataset, Processor]:
        ds = self._dataset(user, dataset_uid, "edit_dataset")
        processor = ds.processors.get(processor_uid)
        if processor is None:
            raise UnknownProcessor(processor_uid)
        return ds, processor

    # security --------------------------------------------------------------------------

    @operation
    def get_access_policy(self, user: User, dataset_uid: str) -> str:
        return self._dataset(user, dataset_uid, "edit_dataset", "manage_dataset").visibility

    @mutation
    def set_access_policy(self, user: User, dataset_uid: str, policy: Any) -> str:
        ds = self._dataset(user, dataset_uid, "edit_dataset", "manage_dataset")
        if isinstance(policy, dict):
            policy = policy.get("access_policy")
        if policy not in ACCESS_POLICIES:
            raise InvalidParameter(
                "access_policy", f"expected one of {', '.join(ACCESS_POLICIES)}, got {policy!r}"
            )
        before = history.snapshot(ds)
        ds.visibility = policy
        self._record(user, ds, before)
        return ds.visibility

    @operation
    def list_rulesets(self, user: User, dataset_uid: str) -> list[dict[str, Any]]:
        ds = self._dataset(user, dataset_uid, "edit_dataset", "manage_dataset")
        return [ruleset_json(r) for r in ds.rulesets.values()]

    @operation
    def get_ruleset(self, user: User, dataset_uid: str, username: str) -> dict[str, Any]:
        ds = self._dataset(user, dataset_uid, "edit_dataset", "manage_dataset")
        if username not in ds.rulesets:
            raise UnknownRuleset(username)
        return ruleset_json(ds.rulesets[username])

    @mutation
    def create_ruleset(self, user: User, dataset_uid: str, body: Any) -> dict[str, Any]:
        ds = self._dataset(user, dataset_uid, "edit_dataset", "manage_dataset")
        ruleset = check_ruleset(body)
        if ruleset.username not in self.store.users:
            raise UnknownUsername(ruleset.username)
        if ruleset.username in ds.rulesets:
            raise BadRequest(
                "User {username} already has a ruleset on this dataset; "
                "change it with PUT .../security/users/{username}",
                username=ruleset.username,
            )
        return self._put_ruleset(user, ds, ruleset)

    @mutation
    def replace_ruleset(
        self, user: User, dataset_uid: str, username: str, body: Any
    ) -> dict[str, Any]:
        ds = self._dataset(user, dataset_uid, "edit_dataset", "manage_dataset")
        if username not in self.store.users:
            raise UnknownUsername(username)
        return self._put_ruleset(user, ds, check_ruleset(body, username))

    @mutation
    def delete_ruleset(self, user: User, dataset_uid: str, username: str) -> None:
        ds = self._dataset(user, dataset_uid, "edit_dataset", "manage_dataset")
        if username not in ds.rulesets:
            raise UnknownRuleset(username)
        before = history.snapshot(ds)
        del ds.rulesets[username]
        self._record(user, ds, before)

    def _put_ruleset(self, user: User, ds: Dataset, ruleset: Any) -> dict[str, Any]:
        before = history.snapshot(ds)
        ds.rulesets[ruleset.username] = ruleset
        self._record(user, ds, before)
        return ruleset_json(ruleset)

    # history ---------------------------------------------------------------------------

    @operation
    def list_changes(self, user: User, dataset_uid: str, ask: Ask) -> list[dict[str, Any]]:
        return changes_json(self._dataset(user, dataset_uid, "edit_dataset"), self._view(ask))

    @mutation
    def restore_change(self, user: User, dataset_uid: str, body: Any, ask: Ask) -> dict[str, Any]:
        """Make the configuration what it was right after a change; log that as a change."""
        ds = self._dataset(user, dataset_uid, "edit_dataset")
        given = body.get("change_uid") if isinstance(body, dict) else None
        change_uid = as_integer(given)
        if change_uid is None:
            raise InvalidParameter(
                "change_uid", f"expected the integer uid of a change, got {echo(given)}"
            )
        change = history.find(ds, change_uid)
        if change is None:
            raise UnknownChange(change_uid)
        target = copy.deepcopy(change.snapshot)
        new_id = target["dataset_id"]
        if new_id != ds.dataset_id:
            if ds.published:
                raise BadRequest(
                    "Change {change_uid} had another dataset_id ({dataset_id}), which a published "
                    "dataset cannot take: unpublish it first",
                    change_uid=change_uid,
                    dataset_id=new_id,
                )
            if self.store.id_taken(new_id):
                raise BadRequest("The dataset_id '{dataset_id}' is already used", dataset_id=new_id)
        before = history.snapshot(ds)
        if new_id != ds.dataset_id:
            self.store.rename_dataset(ds, new_id)
        history.restore(ds, target)
        self._record(user, ds, before)
        return dataset_json(ds, self._view(ask))

    @operation
    def list_versions(self, user: User, dataset_uid: str, ask: Ask) -> list[dict[str, Any]]:
        ds = self._dataset(user, dataset_uid, "edit_dataset")
        view = self._view(ask)
        return [version_json(v, view) for v in ds.versions]


def _known(template: str, name: str) -> None:
    if template not in TEMPLATES or name not in TEMPLATES[template].fields:
        raise UnknownMetadata(template, name)


def _override(body: dict[str, Any]) -> bool:
    override = body.get("override_remote_value", False)
    if not isinstance(override, bool):
        raise InvalidParameter("override_remote_value", "expected true or false")
    return override


def _bulk_item(i: int, item: Any) -> tuple[str, str, Any, bool]:
    where = f"metas[{i}]"
    if not isinstance(item, dict):
        raise InvalidParameter(where, "expected an object")
    template, name = item.get("template_name"), item.get("metadata_name")
    if not isinstance(template, str) or not isinstance(name, str) or "value" not in item:
        raise InvalidParameter(where, "expected template_name, metadata_name and value")
    if template not in TEMPLATES:
        hint = closest(template, TEMPLATES)
        raise InvalidParameter(f"{where}.template_name", f"unknown template '{template}'{hint}")
    if name not in TEMPLATES[template].fields:
        hint = closest(name, TEMPLATES[template].fields)
        raise InvalidParameter(
            f"{where}.metadata_name", f"no metadata '{name}' in {template}{hint}"
        )
    try:
        value = check_value(template, name, item["value"])
        override = _override(item)
    except InvalidParameter as exc:
        key = (
            "override_remote_value"
            if exc.raw_params["parameter"] == "override_remote_value"
            else "value"
        )
        raise InvalidParameter(f"{where}.{key}", exc.raw_params["reason"]) from None
    return template, name, value, override


def _apply(ds: Dataset, template: str, name: str, value: Any, override: bool) -> None:
    values = ds.metas.setdefault(template, {})
    if value is None:
        values.pop(name, None)
    else:
        values[name] = value
    if override:
        ds.meta_overrides[f"{template}.{name}"] = True
    else:
        ds.meta_overrides.pop(f"{template}.{name}", None)
