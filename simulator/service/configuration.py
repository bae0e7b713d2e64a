"""A dataset's configuration: metadata, processors, its change log and versions."""

from __future__ import annotations

import copy
from typing import Any

from ..domain import history
from ..domain.errors import (
    BadRequest,
    InvalidParameter,
    InvalidRequest,
    SimulatorError,
    UnknownChange,
    UnknownMetadata,
    UnknownProcessor,
)
from ..domain.former import former_label, is_former
from ..domain.limits import echo
from ..domain.metadata import TEMPLATES, Field, closest, coerce
from ..domain.models import Change, Dataset, Processor, User
from ..domain.processors import check_processor
from .commands import Body, MetadataChange, ProcessorSpec
from .journal import mutation
from .operation import operation
from .state import State
from .views import (
    DatasetView,
    MetadataView,
    ProcessorView,
    VersionView,
    all_metadata,
    dataset_view,
    harvester_names,
    metadata_view,
    processor_view,
    version_view,
)


class Configuration:
    def __init__(self, state: State) -> None:
        self.state = state

    # metadata -------------------------------------------------------------------------

    @operation
    def metadata(self, user: User, dataset_uid: str) -> tuple[MetadataView, ...]:
        return all_metadata(self.state.dataset(user, dataset_uid, "edit_dataset"))

    @operation
    def metadata_field(
        self, user: User, dataset_uid: str, template: str, name: str
    ) -> MetadataView:
        ds = self.state.dataset(user, dataset_uid, "edit_dataset")
        _known(template, name)
        return metadata_view(ds, template, name)

    @mutation
    def set_metadata(
        self, user: User, dataset_uid: str, template: str, name: str, body: Body[MetadataChange]
    ) -> MetadataView:
        state = self.state
        ds = state.dataset(user, dataset_uid, "edit_dataset")
        field = _known(template, name)
        change = body()
        value = _checked(ds, field, change.value, "value")
        before = history.snapshot(ds)
        if not field.read_only:
            _apply(ds, template, name, value, change.override_remote_value)
        state.record(user, ds, before)
        return metadata_view(ds, template, name)

    @mutation
    def reset_metadata(
        self, user: User, dataset_uid: str, template: str, name: str
    ) -> MetadataView:
        state = self.state
        ds = state.dataset(user, dataset_uid, "edit_dataset")
        field = _known(template, name)
        if field.read_only:
            raise _read_only(field, field.path)
        before = history.snapshot(ds)
        _apply(ds, template, name, None, False)
        state.record(user, ds, before)
        return metadata_view(ds, template, name)

    @mutation
    def set_metadata_bulk(
        self, user: User, dataset_uid: str, body: Body[list[MetadataChange]]
    ) -> tuple[MetadataView, ...]:
        """Set several metadata at once: all are checked, every error reported, none applied."""
        state = self.state
        ds = state.dataset(user, dataset_uid, "edit_dataset")
        changes = body()
        values, errors = [], []
        for i, change in enumerate(changes):
            try:
                values.append(_bulk_value(ds, i, change))
            except SimulatorError as exc:
                errors.append(exc)
        if errors:
            raise errors[0] if len(errors) == 1 else InvalidRequest(errors)
        before = history.snapshot(ds)
        for change, (field, value) in zip(changes, values, strict=True):
            if not field.read_only:
                _apply(ds, change.template, change.name, value, change.override_remote_value)
        state.record(user, ds, before)
        return tuple(metadata_view(ds, c.template, c.name) for c in changes)

    # processors ----------------------------------------------------------------------

    @operation
    def processors(self, user: User, dataset_uid: str) -> tuple[ProcessorView, ...]:
        ds = self.state.dataset(user, dataset_uid, "edit_dataset")
        return tuple(processor_view(p) for p in ds.processors.values())

    @operation
    def processor(self, user: User, dataset_uid: str, processor_uid: str) -> ProcessorView:
        return processor_view(self._processor(user, dataset_uid, processor_uid)[1])

    @mutation
    def create_processor(
        self, user: User, dataset_uid: str, body: Body[ProcessorSpec]
    ) -> ProcessorView:
        state = self.state
        ds = state.dataset(user, dataset_uid, "edit_dataset")
        name, label, args = self._checked(body())
        before = history.snapshot(ds)
        uid = state.store.new_processor_uid(ds)
        ds.processors[uid] = Processor(uid, name, label, args)
        ds.processors_revision += 1
        state.record(user, ds, before)
        return processor_view(ds.processors[uid])

    @mutation
    def replace_processor(
        self, user: User, dataset_uid: str, processor_uid: str, body: Body[ProcessorSpec]
    ) -> ProcessorView:
        ds, processor = self._processor(user, dataset_uid, processor_uid)
        name, label, args = self._checked(body())
        before = history.snapshot(ds)
        if (processor.name, processor.args) != (name, args):
            ds.processors_revision += 1
        processor.name, processor.label, processor.args = name, label, args
        self.state.record(user, ds, before)
        return processor_view(processor)

    @mutation
    def delete_processor(self, user: User, dataset_uid: str, processor_uid: str) -> None:
        ds, _ = self._processor(user, dataset_uid, processor_uid)
        before = history.snapshot(ds)
        del ds.processors[processor_uid]
        ds.processors_revision += 1
        self.state.record(user, ds, before)

    def _checked(self, spec: ProcessorSpec) -> tuple[str, str | None, dict[str, Any]]:
        """A processor checked against the catalogue.

        A state file of an older simulator may hold one of its former processors: it
        is kept as it was then (see :mod:`~simulator.domain.former`).
        """
        try:
            return check_processor(spec.name, spec.label, spec.args)
        except InvalidParameter:
            if self.state.journal.replaying and is_former(spec.name, spec.args):
                return spec.name, former_label(spec.name, spec.label), dict(spec.args)
            raise

    def _processor(
        self, user: User, dataset_uid: str, processor_uid: str
    ) -> tuple[Dataset, Processor]:
        ds = self.state.dataset(user, dataset_uid, "edit_dataset")
        processor = ds.processors.get(processor_uid)
        if processor is None:
            raise UnknownProcessor(processor_uid)
        return ds, processor

    # history ---------------------------------------------------------------------------

    @operation
    def changes(self, user: User, dataset_uid: str) -> tuple[Change, ...]:
        """The change log, oldest first."""
        return self.state.dataset(user, dataset_uid, "edit_dataset").changes

    @mutation
    def restore_change(self, user: User, dataset_uid: str, change_uid: Body[int]) -> DatasetView:
        """Make the configuration what it was right after a change; log that as a change."""
        state = self.state
        ds = state.dataset(user, dataset_uid, "edit_dataset")
        wanted = change_uid()
        change = history.find(ds, wanted)
        if change is None:
            raise UnknownChange(wanted)
        target = copy.deepcopy(change.snapshot)
        new_id = target["dataset_id"]
        if new_id != ds.dataset_id:
            if ds.published:
                raise BadRequest(
                    "Change {change_uid} had another dataset_id ({dataset_id}), which a published "
                    "dataset cannot take: unpublish it first",
                    change_uid=wanted,
                    dataset_id=new_id,
                )
            if state.store.id_taken(new_id):
                raise BadRequest("The dataset_id '{dataset_id}' is already used", dataset_id=new_id)
        before = history.snapshot(ds)
        if new_id != ds.dataset_id:
            state.store.rename_dataset(ds, new_id)
        history.restore(ds, target)
        state.record(user, ds, before)
        return dataset_view(ds, state.store.users, harvester_names(state.store.harvesters))

    @operation
    def versions(self, user: User, dataset_uid: str) -> tuple[VersionView, ...]:
        ds = self.state.dataset(user, dataset_uid, "edit_dataset")
        users = self.state.store.users
        return tuple(version_view(v, users) for v in ds.versions)


def _known(template: str, name: str) -> Field:
    field = TEMPLATES[template].fields.get(name) if template in TEMPLATES else None
    if field is None:
        raise UnknownMetadata(template, name)
    return field


def _checked(ds: Dataset, field: Field, value: object, where: str) -> object:
    """The value to store, canonical; a read-only field takes only the value it has."""
    checked = coerce(field, value, where)
    if field.read_only and checked != ds.published:
        raise _read_only(field, where)
    return checked


def _read_only(field: Field, where: str) -> InvalidParameter:
    return InvalidParameter(
        where,
        f"{field.path} mirrors the dataset's state and is read-only: publish or unpublish "
        "the dataset to change it (PUT .../publish, PUT .../unpublish)",
    )


def _bulk_value(ds: Dataset, i: int, change: MetadataChange) -> tuple[Field, object]:
    """A bulk item's field and value, checked; a refusal names the item (``metas[i]...``)."""
    where = f"metas[{i}]"
    template, name = change.template, change.name
    if template not in TEMPLATES:
        hint = closest(template, TEMPLATES)
        raise InvalidParameter(f"{where}.template_name", f"unknown template {echo(template)}{hint}")
    field = TEMPLATES[template].fields.get(name)
    if field is None:
        hint = closest(name, TEMPLATES[template].fields)
        raise InvalidParameter(
            f"{where}.metadata_name", f"no metadata {echo(name)} in {template}{hint}"
        )
    return field, _checked(ds, field, change.value, f"{where}.value")


def _apply(ds: Dataset, template: str, name: str, value: object, override: bool) -> None:
    values = ds.metas.setdefault(template, {})
    if value is None:
        values.pop(name, None)
    else:
        values[name] = value
    if override:
        ds.meta_overrides[f"{template}.{name}"] = True
    else:
        ds.meta_overrides.pop(f"{template}.{name}", None)
