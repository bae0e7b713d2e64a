"""The Automation API v1.0 over the service: its requests in, its JSON out.

:class:`AutomationV1` has a method per operation served; each takes what a request
carries and answers JSON-ready data. The service is the one the Management API v2
uses: one world, two surfaces.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from ...domain.errors import InvalidParameter, InvalidRequest, SimulatorError, UnknownTemplate
from ...domain.models import User
from ...service import Simulator
from ...service.commands import Body, Listing
from . import requests as read
from .render import (
    all_values_json,
    catalogue_processor_json,
    dataset_json,
    detail,
    field_configuration_json,
    metadata_value_json,
    processor_json,
    status_json,
    template_field_json,
    template_json,
    template_values_json,
)

#: Each action of this API: its operation's id, and the service's name for it.
ACTIONS = {
    "publish": ("publish-dataset", "publish"),
    "unpublish": ("unpublish-dataset", "unpublish"),
    "abort": ("abort-dataset", "abort_processing"),
    "publish_metadata": ("publish-dataset-metadata", "publish_metadata"),
}


class AutomationV1:
    def __init__(self, simulator: Simulator) -> None:
        self.simulator = simulator

    # datasets -----------------------------------------------------------------------

    def list_datasets(
        self, user: User, limit: int, offset: int, dataset_id: str | None = None
    ) -> tuple[list[dict[str, Any]], int]:
        """A window of the datasets the caller may edit, and how many there are."""
        filters = {"dataset_id": [dataset_id]} if dataset_id is not None else {}
        found = self.simulator.datasets.list(user, Body.of(Listing(filters, [], offset, limit)))
        clock = self.simulator.clock
        return [dataset_json(ds, clock) for ds in found.items], found.total

    def create_dataset(self, user: User, body: Any) -> dict[str, Any]:
        made = self.simulator.datasets.create_dataset(user, Body(lambda: read.new_dataset(body)))
        return dataset_json(made, self.simulator.clock)

    def get_dataset(self, user: User, dataset_uid: str) -> dict[str, Any]:
        return dataset_json(self.simulator.datasets.get(user, dataset_uid), self.simulator.clock)

    def update_dataset(self, user: User, dataset_uid: str, body: Any) -> dict[str, Any]:
        changed = self.simulator.datasets.update_dataset(
            user, dataset_uid, Body(lambda: read.dataset_changes(body))
        )
        return dataset_json(changed, self.simulator.clock)

    def delete_dataset(self, user: User, dataset_uid: str) -> None:
        self.simulator.datasets.delete_dataset(user, dataset_uid)

    def copy_dataset(self, user: User, dataset_uid: str) -> dict[str, Any]:
        made = self.simulator.datasets.copy_dataset(user, dataset_uid)
        return dataset_json(made, self.simulator.clock)

    def dataset_status(self, user: User, dataset_uid: str) -> dict[str, Any]:
        return status_json(self.simulator.datasets.status(user, dataset_uid), self.simulator.clock)

    def act(self, user: User, dataset_uid: str, action: str) -> dict[str, str]:
        self.simulator.datasets.act(user, dataset_uid, ACTIONS[action][1])
        return detail()

    # metadata -----------------------------------------------------------------------------

    def all_metadata(self, user: User, dataset_uid: str) -> dict[str, Any]:
        return all_values_json(self.simulator.dataset_metadata.all(user, dataset_uid))

    def replace_all_metadata(self, user: User, dataset_uid: str, body: Any) -> dict[str, Any]:
        done = self.simulator.dataset_metadata.replace_metadata(
            user, dataset_uid, Body(lambda: read.all_metadata(body))
        )
        return all_values_json(done)

    def template_metadata(self, user: User, dataset_uid: str, template: str) -> dict[str, Any]:
        values = self.simulator.dataset_metadata.template(user, dataset_uid, template)
        return template_values_json(values)

    def replace_template_metadata(
        self, user: User, dataset_uid: str, template: str, body: Any
    ) -> dict[str, Any]:
        done = self.simulator.dataset_metadata.replace_template_metadata(
            user, dataset_uid, template, Body(lambda: read.template_metadata(template, body))
        )
        return template_values_json(done)

    def metadata_field(self, user: User, dataset_uid: str, template: str, name: str) -> Any:
        value = self.simulator.dataset_metadata.field(user, dataset_uid, template, name)
        return metadata_value_json(value)

    def set_metadata_field(
        self, user: User, dataset_uid: str, template: str, name: str, body: Any
    ) -> dict[str, Any]:
        done = self.simulator.dataset_metadata.set_template_field(
            user,
            dataset_uid,
            template,
            name,
            Body(lambda: read.metadata_value(template, name, body)),
        )
        return metadata_value_json(done)

    def delete_metadata_field(self, user: User, dataset_uid: str, template: str, name: str) -> None:
        self.simulator.dataset_metadata.delete_template_field(user, dataset_uid, template, name)

    # the domain's templates -------------------------------------------------------------------

    def list_templates(
        self, user: User, is_active: bool | None, kind: str | None
    ) -> list[dict[str, Any]]:
        """The domain's templates, those of a type only if asked (all are active)."""
        found = self.simulator.dataset_metadata.templates(user)
        return [
            template_json(t)
            for t in found
            if (kind is None or t.type == kind) and is_active in (None, True)
        ]

    def get_template(self, user: User, template: str) -> dict[str, Any]:
        return template_json(self.simulator.dataset_metadata.catalogued(user, template))

    def template_fields(self, user: User, template: str) -> list[dict[str, Any]]:
        t = self.simulator.dataset_metadata.catalogued(user, template)
        return [template_field_json(f) for f in t.fields.values()]

    def template_field(self, user: User, template: str, name: str) -> dict[str, Any]:
        t = self.simulator.dataset_metadata.catalogued(user, template)
        f = t.fields.get(name)
        if f is None:
            raise UnknownTemplate(template, name)
        return template_field_json(f)

    # processors and field configurations ------------------------------------------------------

    def list_processor_catalogue(self, user: User) -> list[dict[str, Any]]:
        names = self.simulator.processing.processor_names(user)
        return [catalogue_processor_json(name) for name in names]

    def list_processors(self, user: User, dataset_uid: str) -> list[dict[str, Any]]:
        found = self.simulator.configuration.processors(user, dataset_uid)
        return [processor_json(p) for p in found]

    def get_processor(self, user: User, dataset_uid: str, processor_uid: str) -> dict[str, Any]:
        found = self.simulator.configuration.processor(user, dataset_uid, processor_uid)
        return processor_json(found)

    def create_processor(self, user: User, dataset_uid: str, body: Any) -> dict[str, Any]:
        with _flat_arguments():
            made = self.simulator.configuration.create_processor(
                user, dataset_uid, Body(lambda: read.processor(body))
            )
        return processor_json(made)

    def update_processor(
        self, user: User, dataset_uid: str, processor_uid: str, body: Any
    ) -> dict[str, Any]:
        with _flat_arguments():
            done = self.simulator.configuration.replace_processor(
                user, dataset_uid, processor_uid, Body(lambda: read.processor(body))
            )
        return processor_json(done)

    def delete_processor(self, user: User, dataset_uid: str, processor_uid: str) -> None:
        self.simulator.configuration.delete_processor(user, dataset_uid, processor_uid)

    def list_field_configurations(self, user: User, dataset_uid: str) -> list[dict[str, Any]]:
        found = self.simulator.processing.field_specs(user, dataset_uid)
        return [field_configuration_json(f) for f in found]

    def get_field_configuration(
        self, user: User, dataset_uid: str, field_uid: str
    ) -> dict[str, Any]:
        found = self.simulator.processing.field_spec(user, dataset_uid, field_uid)
        return field_configuration_json(found)

    def create_field_configuration(self, user: User, dataset_uid: str, body: Any) -> dict[str, Any]:
        with _flat_arguments(FIELD_ARGUMENTS):
            made = self.simulator.processing.create_field_spec(
                user, dataset_uid, Body(lambda: read.field_configuration(body))
            )
        return field_configuration_json(made)

    def update_field_configuration(
        self, user: User, dataset_uid: str, field_uid: str, body: Any
    ) -> dict[str, Any]:
        with _flat_arguments(FIELD_ARGUMENTS):
            done = self.simulator.processing.replace_field_spec(
                user, dataset_uid, field_uid, Body(lambda: read.field_configuration(body))
            )
        return field_configuration_json(done)

    def delete_field_configuration(self, user: User, dataset_uid: str, field_uid: str) -> None:
        self.simulator.processing.delete_field_spec(user, dataset_uid, field_uid)


#: The Management API's names of field specification arguments, in this API's words.
FIELD_ARGUMENTS = {"args.label": "field_label", "args.type": "type_param"}


@contextmanager
def _flat_arguments(renamed: dict[str, str] | None = None) -> Iterator[None]:
    """Refusals named in this API's words: arguments sit beside ``type``, not in ``args``."""
    try:
        yield
    except InvalidParameter as exc:
        raise _renamed(exc, renamed or {}) from None
    except InvalidRequest as exc:
        raise InvalidRequest([_renamed(e, renamed or {}) for e in exc.errors]) from None


def _renamed(error: SimulatorError, renamed: dict[str, str]) -> SimulatorError:
    if not isinstance(error, InvalidParameter):
        return error
    name = str(error.raw_params.get("parameter", ""))
    reason = str(error.raw_params.get("reason", ""))
    if name in renamed:
        name = renamed[name]
    elif name == "name":
        name = "type"
    elif name.startswith("args.") and name != "args.args":
        name = name.removeprefix("args.")
    elif name == "args.args":
        name = "args"
    return InvalidParameter(name, reason)
