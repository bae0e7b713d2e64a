"""Resources, uploaded files, downloads, and the realtime push API."""

from __future__ import annotations

import csv
import io
from typing import Any

from ..api.management.render import file_json, resource_json
from ..domain import history
from ..domain import statemachine as sm
from ..domain.datagen import FIELD_KINDS
from ..domain.errors import BadRequest, InvalidParameter, NotFound
from ..domain.files import guess_mimetype, read_records
from ..domain.limits import MAX_RECORDS, as_integer, echo
from ..domain.metadata import closest
from ..domain.models import (
    RESOURCE_READ_ONLY,
    RESOURCE_TYPES,
    Dataset,
    Job,
    Resource,
    StoredFile,
    User,
)
from .core import Ask, Core, operation
from .journal import mutation

#: Keys a resource body may carry; ``records`` and ``fields`` are the simulator's own.
_RESOURCE_KEYS = ("url", "title", "type", "params", "records", "fields")

#: Records a download of a resource with no uploaded file is generated with, at most.
MAX_GENERATED_ROWS = 100_000

Download = tuple[bytes, str, str]


class UnknownResource(NotFound):
    error_key = "UnknownResourceException"

    def __init__(self, resource_uid: str) -> None:
        super().__init__("Unknown resource: {resource_uid}", resource_uid=resource_uid)


class UnknownFile(NotFound):
    error_key = "UnknownFileException"

    def __init__(self, file_id: str) -> None:
        super().__init__("Unknown file: {file_id}", file_id=file_id)


class Resources(Core):
    # resources ---------------------------------------------------------------------

    @operation
    def list_resources(self, user: User, dataset_uid: str) -> list[dict[str, Any]]:
        ds = self._dataset(user, dataset_uid, "edit_dataset")
        return [resource_json(r) for r in ds.resources.values()]

    @operation
    def get_resource(self, user: User, dataset_uid: str, resource_uid: str) -> dict[str, Any]:
        return resource_json(self._resource(user, dataset_uid, resource_uid)[1])

    @mutation
    def create_resource(self, user: User, dataset_uid: str, body: Any) -> dict[str, Any]:
        ds = self._dataset(user, dataset_uid, "edit_dataset")
        spec = self._resource_spec(body)
        before = history.snapshot(ds)
        uid = self.store.new_resource_uid(ds)
        ds.resources[uid] = Resource(uid, **spec)
        self._record(user, ds, before)
        return resource_json(ds.resources[uid])

    @mutation
    def replace_resource(
        self, user: User, dataset_uid: str, resource_uid: str, body: Any
    ) -> dict[str, Any]:
        ds, resource = self._resource(user, dataset_uid, resource_uid)
        spec = self._resource_spec(body)
        before = history.snapshot(ds)
        if any(getattr(resource, key) != spec[key] for key in history.DATA_KEYS):
            resource.revision += 1  # its records must be processed again
        for key, value in spec.items():
            setattr(resource, key, value)
        self._record(user, ds, before)
        return resource_json(resource)

    @mutation
    def delete_resource(self, user: User, dataset_uid: str, resource_uid: str) -> None:
        ds, _ = self._resource(user, dataset_uid, resource_uid)
        before = history.snapshot(ds)
        del ds.resources[resource_uid]  # its records go at the next publish
        self._record(user, ds, before)

    @operation
    def download_resource(self, user: User, dataset_uid: str, resource_uid: str) -> Download:
        ds, resource = self._resource(user, dataset_uid, resource_uid)
        if not resource.url.startswith("odsfile://"):
            raise BadRequest(
                "Resource {resource_uid} is not an uploaded file (its url is {url}): "
                "only odsfile:// resources can be downloaded",
                resource_uid=resource_uid,
                url=resource.url,
            )
        name = resource.url.removeprefix("odsfile://")
        stored = self.store.files_by_name.get(name)
        if stored is not None:
            return stored.content, stored.mimetype, stored.filename
        # a scenario's file: its records, generated from the seed
        fields, records = self._generated(
            ds, resource_uid, min(resource.records, MAX_GENERATED_ROWS)
        )
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=list(fields), lineterminator="\n")
        writer.writeheader()
        writer.writerows(records)
        return out.getvalue().encode(), "text/csv", name

    def _resource(
        self, user: User, dataset_uid: str, resource_uid: str
    ) -> tuple[Dataset, Resource]:
        ds = self._dataset(user, dataset_uid, "edit_dataset")
        resource = ds.resources.get(resource_uid)
        if resource is None:
            raise UnknownResource(resource_uid)
        return ds, resource

    def _resource_spec(self, body: Any) -> dict[str, Any]:
        """A resource body, checked: title, url, type, params, records, fields."""
        if not isinstance(body, dict):
            raise InvalidParameter("body", "expected a JSON object with at least a url")
        for key in body:
            if key not in _RESOURCE_KEYS + RESOURCE_READ_ONLY:
                known = ", ".join(_RESOURCE_KEYS)
                raise InvalidParameter(
                    key, f"unknown field{closest(key, _RESOURCE_KEYS)}; known: {known}"
                )
        kind = body.get("type")
        if kind is not None and kind not in RESOURCE_TYPES:
            raise InvalidParameter(
                "type", f"expected one of {', '.join(RESOURCE_TYPES)}, got {kind!r}"
            )
        url = body.get("url")
        if url is None and kind == "realtime":
            url = f"realtime://{body.get('title') or 'push'}"
        if not isinstance(url, str) or not url:
            raise InvalidParameter(
                "url", "expected the source's URL: odsfile://<uploaded file> or http(s)://"
            )
        params = body.get("params", {})
        if not isinstance(params, dict):
            raise InvalidParameter("params", "expected an object")
        title = body.get("title", url.rsplit("/", 1)[-1] or url)
        if not isinstance(title, str):
            raise InvalidParameter("title", "expected a string")
        records = body.get("records")
        if records is not None:
            given, records = records, as_integer(records)
            if records is None or not 0 <= records <= MAX_RECORDS:
                raise InvalidParameter(
                    "records", f"expected an integer from 0 to {MAX_RECORDS:,}, got {echo(given)}"
                )
        fields = _fields(body.get("fields"))
        if url.startswith("odsfile://"):
            name = url.removeprefix("odsfile://")
            stored = self.store.files_by_name.get(name)
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
            "params": dict(params),
            "fields": fields,
        }

    # files -------------------------------------------------------------------------------

    @mutation
    def upload_file(
        self, user: User, filename: Any, mimetype: str | None, content: bytes, ask: Ask
    ) -> dict[str, Any]:
        if "create_dataset" not in user.permissions:
            self._require(user, "edit_dataset")
        if not isinstance(filename, str) or not filename.strip() or "/" in filename:
            raise InvalidParameter("filename", "expected a file name without '/'")
        if not filename.isprintable() or _lone_surrogates(filename):
            raise InvalidParameter("filename", "expected printable Unicode text")
        mimetype = guess_mimetype(filename, mimetype)
        records, fields = read_records(content, filename, mimetype)
        stored = StoredFile(
            f"{self.store.rng.getrandbits(128):032x}",
            filename,
            mimetype,
            content,
            self.engine.now,
            records,
            fields,
        )
        self.store.add_file(stored)
        retention = self.scenario.retention
        self.store.let_unused_files_go(retention.unused_files, retention.unused_file_bytes)
        return file_json(stored, self._view(ask))

    @operation
    def get_file(self, user: User, file_id: str, ask: Ask) -> dict[str, Any]:
        return file_json(self._file(user, file_id), self._view(ask))

    @operation
    def download_file(self, user: User, file_id: str) -> Download:
        stored = self._file(user, file_id)
        return stored.content, stored.mimetype, stored.filename

    def _file(self, user: User, file_id: str) -> StoredFile:
        if "create_dataset" not in user.permissions:
            self._require(user, "edit_dataset")
        stored = self.store.files.get(file_id)
        if stored is None:
            raise UnknownFile(file_id)
        return stored

    # realtime ----------------------------------------------------------------------------

    @mutation
    def push(self, user: User, dataset_uid: str, resource_uid: str, body: Any) -> dict[str, Any]:
        """Index records pushed to a realtime resource (or buffer them while a job runs)."""
        ds, _ = self._realtime(user, dataset_uid, resource_uid)
        records = body if isinstance(body, list) else [body]
        if not records or body is None:
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
            return {"status": "OK", "records": count, "buffered": True}
        job = self._realtime_job(user, ds, "push", {resource_uid: count})
        return {"status": "OK", "records": count, "buffered": False, "job_id": job.job_id}

    @mutation
    def realtime_action(
        self, user: User, dataset_uid: str, resource_uid: str, action: str
    ) -> dict[str, Any]:
        """``recover`` re-indexes a realtime resource's recover data; ``scratch`` drops it."""
        ds, resource = self._realtime(user, dataset_uid, resource_uid)
        if action == "recover" and not ds.published:
            raise BadRequest(
                "Dataset {dataset_uid} is not published: recover data goes back to the index "
                "of a published dataset",
                dataset_uid=ds.dataset_uid,
            )
        job = self._realtime_job(user, ds, action, {resource_uid: resource.records})
        return {"job_id": job.job_id}

    def _realtime(
        self, user: User, dataset_uid: str, resource_uid: str
    ) -> tuple[Dataset, Resource]:
        ds, resource = self._resource(user, dataset_uid, resource_uid)
        self._require(user, "edit_dataset", "publish_dataset", ds=ds)
        if resource.type != "realtime":
            raise BadRequest(
                "Resource {resource_uid} is not a realtime resource (its type is {type})",
                resource_uid=resource_uid,
                type=resource.type,
            )
        return ds, resource

    def _realtime_job(self, user: User, ds: Dataset, function: str, payload: dict[str, int]) -> Job:
        self._precondition(ds, sm.ACTION_ORIGINS)
        job = self.engine.submit(ds, function, user.username, payload)
        self.engine.settle()
        return job


def _fields(raw: Any) -> dict[str, str]:
    """Record fields as a list of names or an object name: kind (the simulator's own key)."""
    if raw is None:
        return {}
    if isinstance(raw, list) and all(isinstance(f, str) and f for f in raw):
        return {f: "text" for f in raw}
    if isinstance(raw, dict) and all(
        isinstance(k, str) and v in FIELD_KINDS for k, v in raw.items()
    ):
        return dict(raw)
    kinds = ", ".join(FIELD_KINDS)
    raise InvalidParameter(
        "fields", f"expected a list of field names, or an object name: kind ({kinds})"
    )


def _lone_surrogates(text: str) -> bool:
    """Whether JSON escapes left half a character in ``text`` (not encodable as UTF-8)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False
