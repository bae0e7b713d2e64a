"""Processing a dataset: the processor catalogue, field specifications, and previews.

The processors themselves are the configuration's (see :mod:`.configuration`); this
collaborator answers what the platform says about processing as a whole: which
processors exist, what their parameters could be (``guess_processor_params``), the
field specifications, and what a resource's first records look like once processed.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from ..domain import history
from ..domain.datagen import DEFAULT_FIELDS, sample_records
from ..domain.errors import UnknownProcessor
from ..domain.fieldspecs import check_field_spec
from ..domain.models import Dataset, FieldSpec, User
from ..domain.pipeline import fields_before, guess, run
from ..domain.processors import CATALOGUE, unknown_processor
from ..domain.sources import (
    PREVIEW_ROWS,
    Source,
    dataset_fields,
    generated_fields,
    stored_source,
    uploaded,
)
from .commands import Body, FieldSpecification, ResourceSpec
from .journal import mutation
from .operation import operation
from .resources import Resources
from .state import State
from .views import (
    FieldSpecView,
    GuessView,
    PreviewView,
    field_spec_view,
    field_view,
)


class Processing:
    def __init__(self, state: State, resources: Resources) -> None:
        self.state = state
        self.resources = resources

    # the catalogue -----------------------------------------------------------------------

    @operation
    def processor_names(self, user: User) -> tuple[str, ...]:
        """Every processor of the domain (creating or editing datasets lets one see them)."""
        self.state.require_any(user, "create_dataset", "edit_dataset")
        return tuple(CATALOGUE)

    @operation
    def guess_processor_params(self, user: User, dataset_uid: str, name: Body[Any]) -> GuessView:
        """For each parameter of a processor appended to the stack: the fields it may name."""
        state = self.state
        ds = state.dataset(user, dataset_uid, "edit_dataset")
        wanted = name()
        if not isinstance(wanted, str) or wanted not in CATALOGUE:
            raise unknown_processor(wanted)
        fields = fields_before(dataset_fields(ds, state.store.uploads), ds.processors.values())
        suggested = guess(CATALOGUE[wanted], fields)
        return {param: {f.name: field_view(f) for f in found} for param, found in suggested.items()}

    # field specifications ------------------------------------------------------------------

    @operation
    def field_specs(self, user: User, dataset_uid: str) -> tuple[FieldSpecView, ...]:
        ds = self.state.dataset(user, dataset_uid, "edit_dataset")
        return tuple(field_spec_view(f) for f in ds.field_specs.values())

    @operation
    def field_spec(self, user: User, dataset_uid: str, processor_uid: str) -> FieldSpecView:
        return field_spec_view(self._spec(user, dataset_uid, processor_uid)[1])

    @mutation
    def create_field_spec(
        self, user: User, dataset_uid: str, body: Body[FieldSpecification]
    ) -> FieldSpecView:
        """Append a field specification to the dataset's stack."""
        state = self.state
        ds = state.dataset(user, dataset_uid, "edit_dataset")
        given = body()
        name, args = check_field_spec(given.name, given.args)
        before = history.snapshot(ds)
        uid = state.store.new_processor_uid(ds)
        ds.field_specs[uid] = FieldSpec(uid, name, args, given.label)
        ds.processors_revision += 1
        state.record(user, ds, before)
        return field_spec_view(ds.field_specs[uid])

    @mutation
    def replace_field_spec(
        self, user: User, dataset_uid: str, processor_uid: str, body: Body[FieldSpecification]
    ) -> FieldSpecView:
        """Change a field specification in place."""
        ds, spec = self._spec(user, dataset_uid, processor_uid)
        given = body()
        name, args = check_field_spec(given.name, given.args)
        before = history.snapshot(ds)
        if (spec.name, spec.args) != (name, args):
            ds.processors_revision += 1
        spec.name, spec.args = name, args
        if given.label is not None:
            spec.label = given.label
        self.state.record(user, ds, before)
        return field_spec_view(spec)

    @mutation
    def delete_field_spec(self, user: User, dataset_uid: str, processor_uid: str) -> None:
        ds, _ = self._spec(user, dataset_uid, processor_uid)
        before = history.snapshot(ds)
        del ds.field_specs[processor_uid]
        ds.processors_revision += 1
        self.state.record(user, ds, before)

    def _spec(self, user: User, dataset_uid: str, processor_uid: str) -> tuple[Dataset, FieldSpec]:
        ds = self.state.dataset(user, dataset_uid, "edit_dataset")
        spec = ds.field_specs.get(processor_uid)
        if spec is None:
            raise UnknownProcessor(processor_uid)
        return ds, spec

    # previews ------------------------------------------------------------------------------

    @operation
    def preview(self, user: User, dataset_uid: str, resource_uid: str) -> PreviewView:
        """A resource's first records, processed as the dataset's configuration says."""
        ds, resource = self.resources._resource(user, dataset_uid, resource_uid)
        store = self.state.store
        stored = uploaded(resource, store.uploads)
        if stored is not None:
            source = stored_source(stored, resource.params, PREVIEW_ROWS)
        else:
            kinds, rows = self.state.generated(
                ds, resource_uid, min(resource.records, PREVIEW_ROWS)
            )
            source = Source(generated_fields(kinds), rows)
        return self._processed(ds, source)

    @operation
    def resource_preview(
        self, user: User, dataset_uid: str, body: Body[ResourceSpec]
    ) -> PreviewView:
        """The preview of a resource described in the body, as if it were the dataset's."""
        state = self.state
        ds = state.dataset(user, dataset_uid, "edit_dataset")
        given = body()
        url = given.url or ""
        if url.startswith("odsfile://") and url[10:] in state.store.uploads:
            # a resource as read carries the counts the file gives: not a second opinion
            given = dataclasses.replace(given, records=None, fields={})
        spec = self.resources._spec(given)
        url = spec["url"]
        stored = state.store.uploads.get(url.removeprefix("odsfile://"))
        if url.startswith("odsfile://") and stored is not None:
            source = stored_source(stored, spec["params"], PREVIEW_ROWS)
        else:
            kinds = spec["fields"] or DEFAULT_FIELDS
            seed = f"{state.scenario.seed}:{ds.dataset_uid}:resource_preview:{url}"
            rows = sample_records(seed, kinds, min(spec["records"], PREVIEW_ROWS))
            source = Source(generated_fields(kinds), rows)
        return self._processed(ds, source)

    def _processed(self, ds: Dataset, source: Source) -> PreviewView:
        done = run(source.fields, source.rows, ds.processors.values(), ds.field_specs.values())
        names = [f.name for f in done.fields]
        records = tuple({name: row.get(name) for name in names} for row in done.rows[:PREVIEW_ROWS])
        return PreviewView(tuple(field_view(f) for f in done.fields), records)
