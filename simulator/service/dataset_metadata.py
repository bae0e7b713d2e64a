"""A dataset's metadata by template, as the Automation API v1.0 reads and writes it.

The values are the dataset's ``metas``, the same ones the Management API v2 reads;
the templates are the domain's catalogue (:mod:`~simulator.domain.templates`). Three
levels: all templates, one template, one field. Writing a level replaces it: a field
left out of the body loses its value. A refusal names every field refused and
changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..domain import history
from ..domain.errors import InvalidParameter, InvalidRequest, SimulatorError, UnknownTemplate
from ..domain.limits import echo
from ..domain.metadata import Field, closest
from ..domain.models import Dataset, User
from ..domain.templates import (
    CATALOGUE,
    COPIES,
    Catalogued,
    check_value,
    field,
    unknown_template,
)
from .commands import Body, MetadataChange
from .journal import mutation
from .operation import operation
from .state import State


@dataclass(frozen=True, slots=True)
class MetadataValue:
    value: Any
    #: Whether the value overrides a harvested (remote) one.
    override_remote_value: bool


#: ``{template: {field: value}}``, templates in the catalogue's order.
Values = dict[str, dict[str, MetadataValue]]


class DatasetMetadata:
    def __init__(self, state: State) -> None:
        self.state = state

    # reading ----------------------------------------------------------------------------

    @operation
    def all(self, user: User, dataset_uid: str) -> Values:
        """Every template of the domain, each with the fields that have a value."""
        ds = self.state.dataset(user, dataset_uid, "edit_dataset")
        return {name: _values(ds, t) for name, t in CATALOGUE.items()}

    @operation
    def template(self, user: User, dataset_uid: str, template: str) -> dict[str, MetadataValue]:
        ds = self.state.dataset(user, dataset_uid, "edit_dataset")
        return _values(ds, _template(template))

    @operation
    def field(self, user: User, dataset_uid: str, template: str, name: str) -> MetadataValue:
        ds = self.state.dataset(user, dataset_uid, "edit_dataset")
        f = _field(_template(template), name)
        return _value(ds, f)

    @operation
    def templates(self, user: User) -> tuple[Catalogued, ...]:
        """The domain's templates (creating or editing datasets lets one see them)."""
        self.state.require_any(user, "create_dataset", "edit_dataset")
        return tuple(CATALOGUE.values())

    @operation
    def catalogued(self, user: User, template: str) -> Catalogued:
        self.state.require_any(user, "create_dataset", "edit_dataset")
        return _template(template)

    # writing -----------------------------------------------------------------------------

    @mutation
    def replace_metadata(
        self, user: User, dataset_uid: str, body: Body[list[MetadataChange]]
    ) -> Values:
        """Make the dataset's metadata exactly the values given (every template)."""
        state = self.state
        ds = state.dataset(user, dataset_uid, "edit_dataset")
        values = _checked(body(), None)
        before = history.snapshot(ds)
        for name in CATALOGUE:
            _clear(ds, name)
        _apply_all(ds, values)
        state.record(user, ds, before)
        return {name: _values(ds, t) for name, t in CATALOGUE.items()}

    @mutation
    def replace_template_metadata(
        self, user: User, dataset_uid: str, template: str, body: Body[list[MetadataChange]]
    ) -> dict[str, MetadataValue]:
        """Make one template's values exactly the ones given."""
        state = self.state
        ds = state.dataset(user, dataset_uid, "edit_dataset")
        t = _template(template)
        values = _checked(body(), t)
        before = history.snapshot(ds)
        _clear(ds, t.name)
        _apply_all(ds, values)
        state.record(user, ds, before)
        return _values(ds, t)

    @mutation
    def set_template_field(
        self,
        user: User,
        dataset_uid: str,
        template: str,
        name: str,
        body: Body[MetadataChange],
    ) -> MetadataValue:
        state = self.state
        ds = state.dataset(user, dataset_uid, "edit_dataset")
        t = _template(template)
        f = _field(t, name)
        change = body()
        value = check_value(t, f, change.value, "value")
        before = history.snapshot(ds)
        _apply(ds, f, value, change.override_remote_value)
        state.record(user, ds, before)
        return _value(ds, f)

    @mutation
    def delete_template_field(self, user: User, dataset_uid: str, template: str, name: str) -> None:
        state = self.state
        ds = state.dataset(user, dataset_uid, "edit_dataset")
        f = _field(_template(template), name)
        before = history.snapshot(ds)
        _apply(ds, f, None, False)
        state.record(user, ds, before)


def _template(name: str) -> Catalogued:
    t = CATALOGUE.get(name)
    if t is None:
        raise UnknownTemplate(name)
    return t


def _field(t: Catalogued, name: str) -> Field:
    f = field(t, name)
    if f is None:
        raise UnknownTemplate(t.name, name)
    return f


def _checked(
    changes: list[MetadataChange], only: Catalogued | None
) -> list[tuple[Field, Any, bool]]:
    """Each change's field and canonical value; every refusal at once, nothing applied.

    A refusal names ``template.field`` (``field`` alone when one template is written).
    """
    out: list[tuple[Field, Any, bool]] = []
    errors: list[SimulatorError] = []
    for change in changes:
        where = change.name if only is not None else f"{change.template}.{change.name}"
        t = only or CATALOGUE.get(change.template)
        if t is None:
            errors.append(unknown_template(change.template))
            continue
        f = field(t, change.name)
        if f is None:
            hint = closest(change.name, t.fields)
            errors.append(
                InvalidParameter(where, f"no metadata {echo(change.name)} in {t.name}{hint}")
            )
            continue
        try:
            out.append((f, check_value(t, f, change.value, where), change.override_remote_value))
        except SimulatorError as exc:
            errors.append(exc)
    if errors:
        raise errors[0] if len(errors) == 1 else InvalidRequest(errors)
    return out


def _values(ds: Dataset, t: Catalogued) -> dict[str, MetadataValue]:
    stored = ds.metas.get(t.name, {})
    return {
        name: MetadataValue(value, ds.meta_overrides.get(f"{t.name}.{name}", False))
        for name, value in stored.items()
        if value is not None and (t.open or name in t.fields)
    }


def _value(ds: Dataset, f: Field) -> MetadataValue:
    return MetadataValue(
        ds.metas.get(f.template, {}).get(f.name), ds.meta_overrides.get(f.path, False)
    )


def _clear(ds: Dataset, template: str) -> None:
    values = ds.metas.get(template)
    if values:
        for name in values:
            ds.meta_overrides.pop(f"{template}.{name}", None)
        values.clear()


def _apply_all(ds: Dataset, values: list[tuple[Field, Any, bool]]) -> None:
    for f, value, override in values:
        _apply(ds, f, value, override)


def _apply(ds: Dataset, f: Field, value: Any, override: bool) -> None:
    """Set (or, for ``None``, remove) one value, and the copy the platform keeps of it."""
    _store(ds, f.template, f.name, value, override)
    copy = COPIES.get((f.template, f.name))
    if copy is not None:
        _store(ds, *copy, value, override)


def _store(ds: Dataset, template: str, name: str, value: Any, override: bool) -> None:
    values = ds.metas.setdefault(template, {})
    if value is None:
        values.pop(name, None)
    else:
        values[name] = value
    key = f"{template}.{name}"
    if override and value is not None:
        ds.meta_overrides[key] = True
    else:
        ds.meta_overrides.pop(key, None)
