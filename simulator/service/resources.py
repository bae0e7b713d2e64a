"""Resources, their downloads, and the realtime push of records."""

from __future__ import annotations

import csv
import io
from typing import Any

from ..domain import history
from ..domain import statemachine as sm
from ..domain.datagen import FIELD_KINDS
from ..domain.errors import BadRequest, InvalidParameter, UnknownResource
from ..domain.limits import MAX_RECORDS, echo
from ..domain.models import RESOURCE_TYPES, Dataset, Job, Resource, User
from .commands import Body, ResourceSpec
from .journal import mutation
from .operation import operation
from .state import State
from .views import (
    Accepted,
    Download,
    PushResult,
    ResourceView,
    accepted,
    resource_view,
)

#: Records a download of a resource with no uploaded file is generated with, at most.
MAX_GENERATED_ROWS = 100_000


class Resources:
    def __init__(self, state: State) -> None:
        self.state = state

    # resources ---------------------------------------------------------------------

    @operation
    def list(self, user: User, dataset_uid: str) -> tuple[ResourceView, ...]:
        ds = self.state.dataset(user, dataset_uid, "edit_dataset")
        return tuple(resource_view(r) for r in ds.resources.values())

    @operation
    def get(self, user: User, dataset_uid: str, resource_uid: str) -> ResourceView:
        return resource_view(self._resource(user, dataset_uid, resource_uid)[1])

    @mutation
    def create_resource(
        self, user: User, dataset_uid: str, body: Body[ResourceSpec]
    ) -> ResourceView:
        state = self.state
        ds = state.dataset(user, dataset_uid, "edit_dataset")
        spec = self._spec(body())
        before = history.snapshot(ds)
        uid = state.store.new_resource_uid(ds)
        ds.resources[uid] = Resource(uid, **spec)
        state.record(user, ds, before)
        return resource_view(ds.resources[uid])

    @mutation
    def replace_resource(
        self, user: User, dataset_uid: str, resource_uid: str, body: Body[ResourceSpec]
    ) -> ResourceView:
        ds, resource = self._resource(user, dataset_uid, resource_uid)
        spec = self._spec(body())
        before = history.snapshot(ds)
        if any(getattr(resource, key) != spec[key] for key in history.DATA_KEYS):
            resource.revision += 1  # its records must be processed again
        for key, value in spec.items():
            setattr(resource, key, value)
        self.state.record(user, ds, before)
        return resource_view(resource)

    @mutation
    def delete_resource(self, user: User, dataset_uid: str, resource_uid: str) -> None:
        ds, _ = self._resource(user, dataset_uid, resource_uid)
        before = history.snapshot(ds)
        del ds.resources[resource_uid]  # its records go at the next publish
        self.state.record(user, ds, before)

    @operation
    def download(self, user: User, dataset_uid: str, resource_uid: str) -> Download:
        ds, resource = self._resource(user, dataset_uid, resource_uid)
        if not resource.url.startswith("odsfile://"):
            raise BadRequest(
                "Resource {resource_uid} is not an uploaded file (its url is {url}): "
                "only odsfile:// resources can be downloaded",
                resource_uid=resource_uid,
                url=resource.url,
            )
        name = resource.url.removeprefix("odsfile://")
        stored = self.state.store.file_named(name)
        if stored is not None:
            return Download(stored.content, stored.mimetype, stored.filename)
        # a scenario's file: its records, generated from the seed
        fields, records = self.state.generated(
            ds, resource_uid, min(resource.records, MAX_GENERATED_ROWS)
        )
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=list(fields), lineterminator="\n")
        writer.writeheader()
        writer.writerows(records)
        return Download(out.getvalue().encode(), "text/csv", name)

    def _resource(
        self, user: User, dataset_uid: str, resource_uid: str
    ) -> tuple[Dataset, Resource]:
        ds = self.state.dataset(user, dataset_uid, "edit_dataset")
        resource = ds.resources.get(resource_uid)
        if resource is None:
            raise UnknownResource(resource_uid)
        return ds, resource

    def _spec(self, command: ResourceSpec) -> dict[str, Any]:
        """A resource's settings: title, url, type, params, records, fields, all checked."""
        kind = command.type
        if kind is not None and kind not in RESOURCE_TYPES:
            raise InvalidParameter(
                "type", f"expected one of {', '.join(RESOURCE_TYPES)}, got {kind!r}"
            )
        url = command.url
        if url is None and kind == "realtime":
            url = f"realtime://{command.title or 'push'}"
        if not isinstance(url, str) or not url:
            raise InvalidParameter(
                "url", "expected the source's URL: odsfile://<uploaded file> or http(s)://"
            )
        title = url.rsplit("/", 1)[-1] or url if command.title is None else command.title
        records = command.records
        if records is not None and not 0 <= records <= MAX_RECORDS:
            raise InvalidParameter(
                "records", f"expected an integer from 0 to {MAX_RECORDS:,}, got {echo(records)}"
            )
        fields = _fields(command.fields)
        if url.startswith("odsfile://"):
            name = url.removeprefix("odsfile://")
            stored = self.state.store.file_named(name)
            if stored is not None:
                if records is not None:
                    raise InvalidParameter(
                        "records", "an uploaded file's records are counted from it"
                    )
                records, fields = stored.records, fields or dict(stored.fields)
            elif records is None:  # else: a simulated file of that many records
                raise InvalidParameter(
                    "url",
                    f"no uploaded file is named '{name}': upload it with POST /files first "
                    "(or give 'records' for a simulated file)",
                )
            kind = kind or "csvfile"
        elif url.startswith(("http://", "https://")):
            kind = kind or "http"
        elif not url.startswith("realtime://"):
            raise InvalidParameter(
                "url", f"'{url}' is neither odsfile://, http(s):// nor realtime://"
            )
        return {
            "title": title,
            "url": url,
            "type": kind or "realtime",
            "records": records or 0,
            "params": dict(command.params),
            "fields": fields,
        }

    # realtime ----------------------------------------------------------------------------

    @mutation
    def push(self, user: User, dataset_uid: str, resource_uid: str, records: Any) -> PushResult:
        """Index records pushed to a realtime resource (or buffer them while a job runs).

        ``records`` is a record (a JSON object) or a list of them.
        """
        ds, resource = self._realtime(user, dataset_uid, resource_uid)
        if not resource.push_enabled:
            raise BadRequest(
                "The push of resource {resource_uid} is disabled: no record is added "
                "until it is enabled again",
                resource_uid=resource_uid,
            )
        if records is not None and not isinstance(records, list):
            records = [records]
        if not records:
            raise InvalidParameter("body", "expected a record (a JSON object) or a list of records")
        for i, record in enumerate(records):
            if not isinstance(record, dict):
                raise InvalidParameter(
                    f"body[{i}]", f"a record is a JSON object, got {type(record).__name__}"
                )
        if not ds.published:
            raise BadRequest(
                "Dataset {dataset_uid} is not published: realtime records go to published datasets",
                dataset_uid=ds.dataset_uid,
            )
        count = len(records)
        if ds.job is not None:  # indexed when the running job ends
            ds.pending_push[resource_uid] = ds.pending_push.get(resource_uid, 0) + count
            ds.pending_pusher = user.username
            return PushResult(count, True, None)
        job = self._realtime_job(user, ds, "push", {resource_uid: count})
        return PushResult(count, False, job)

    @mutation
    def realtime_action(
        self, user: User, dataset_uid: str, resource_uid: str, action: str
    ) -> Accepted:
        """``recover`` re-indexes a realtime resource's recover data; ``scratch`` drops it."""
        ds, resource = self._realtime(user, dataset_uid, resource_uid)
        if action == "recover" and not ds.published:
            raise BadRequest(
                "Dataset {dataset_uid} is not published: recover data goes back to the index "
                "of a published dataset",
                dataset_uid=ds.dataset_uid,
            )
        return self._realtime_job(user, ds, action, {resource_uid: resource.records})

    @mutation
    def set_push(
        self, user: User, dataset_uid: str, resource_uid: str, enabled: bool
    ) -> ResourceView:
        """Enable or disable the push of a realtime resource; its records stay."""
        _, resource = self._realtime(user, dataset_uid, resource_uid)
        resource.push_enabled = enabled
        return resource_view(resource)

    @operation
    def realtime(self, user: User, dataset_uid: str, resource_uid: str) -> ResourceView:
        """A realtime resource, if the user may push to it."""
        return resource_view(self._realtime(user, dataset_uid, resource_uid)[1])

    def _realtime(
        self, user: User, dataset_uid: str, resource_uid: str
    ) -> tuple[Dataset, Resource]:
        ds, resource = self._resource(user, dataset_uid, resource_uid)
        self.state.require(user, "edit_dataset", "publish_dataset", ds=ds)
        if resource.type != "realtime":
            raise BadRequest(
                "Resource {resource_uid} is not a realtime resource (its type is {type})",
                resource_uid=resource_uid,
                type=resource.type,
            )
        return ds, resource

    def _realtime_job(
        self, user: User, ds: Dataset, function: str, payload: dict[str, int]
    ) -> Accepted:
        state = self.state
        state.precondition(ds, sm.ACTION_ORIGINS)
        job: Job = state.engine.submit(ds, function, user.username, payload)
        state.engine.settle()
        return accepted(job)


def _fields(raw: dict[str, str]) -> dict[str, str]:
    """Record fields, name: kind, each kind one the sample records know."""
    for name, kind in raw.items():
        if not isinstance(name, str) or kind not in FIELD_KINDS:
            kinds = ", ".join(FIELD_KINDS)
            raise InvalidParameter(
                "fields", f"expected a list of field names, or an object name: kind ({kinds})"
            )
    return dict(raw)
