"""Models to the Management API's JSON shapes.

Rendering needs three things besides the model: the clock (virtual timestamps), the
status vocabulary, and which relations the caller asked to ``expand``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ...domain.clock import Clock
from ...domain.history import change_json
from ...domain.metadata import all_metadata
from ...domain.models import Dataset, Job, Processor, Resource, StoredFile, User, Version
from ...domain.statemachine import Status, Vocabulary, project


@dataclass(slots=True)
class View:
    clock: Clock
    vocabulary: Vocabulary
    #: Virtual time of the answer, for the progress of running stages.
    now: float
    expand: frozenset[str]
    users: dict[str, User]

    def user(self, username: str) -> dict[str, Any]:
        known = self.users.get(username)
        if "user" in self.expand and known is not None:
            return known.to_dict()
        return {"username": username}

    def name(self, status: Status) -> str:
        return project(status, self.vocabulary)


def status_json(ds: Dataset, view: View) -> dict[str, Any]:
    """The dataset status object, with the keys its status carries."""
    body: dict[str, Any] = {
        "name": view.name(ds.status),
        "published": ds.published,
        "since": view.clock.iso(ds.since if view.vocabulary == "fine" else ds.public_since),
        "user": view.user(ds.status_user),
    }
    if ds.status == Status.IDLE and ds.published:
        if "records_errors" in view.expand:
            body["records_errors"] = [e.to_dict() for e in ds.records_errors]
        else:
            body["records_errors"] = ds.records_errors_count
    elif ds.status == Status.ERROR and ds.failure is not None:
        body.update(ds.failure.to_dict())
    elif ds.status == Status.LIMIT_REACHED and ds.limit is not None:
        body["params"] = dict(ds.limit)
    return body


def metas_json(ds: Dataset) -> dict[str, Any]:
    metas: dict[str, Any] = {template: dict(values) for template, values in ds.metas.items()}
    metas["publishing"] = {"published": ds.published}
    return metas


def dataset_json(ds: Dataset, view: View) -> dict[str, Any]:
    status = status_json(ds, view) if "status" in view.expand else {"name": view.name(ds.status)}
    body = {
        "dataset_id": ds.dataset_id,
        "dataset_uid": ds.dataset_uid,
        "metas": metas_json(ds),
        "last_modified": view.clock.iso(ds.last_modified),
        "published": ds.published,
        "visibility": ds.visibility,
        "default_security": {
            "is_data_visible": True,
            "visible_fields": [],
            "filter_query": "",
            "api_calls_quota": None,
            "permissions": [],
        },
        "status": status,
    }
    if "changes" in view.expand:
        body["changes"] = changes_json(ds, view)
    if "metadata" in view.expand:
        body["metadata"] = all_metadata(ds)
    return body


def changes_json(ds: Dataset, view: View) -> list[dict[str, Any]]:
    """The change log, newest first."""
    newest = ds.changes[-1].change_uid if ds.changes else 0
    return [change_json(c, newest, view.clock.iso) for c in reversed(ds.changes)]


def resource_json(resource: Resource) -> dict[str, Any]:
    return {
        "resource_uid": resource.resource_uid,
        "url": resource.url,
        "title": resource.title,
        "type": resource.type,
        "params": dict(resource.params),
        "records": resource.records,
        "fields": list(resource.fields),
    }


def file_json(stored: StoredFile, view: View) -> dict[str, Any]:
    return {
        "file_id": stored.file_id,
        "url": stored.url,
        "filename": stored.filename,
        "properties": {
            "mimetype": stored.mimetype,
            "size": len(stored.content),
            "records": stored.records,
            "fields": list(stored.fields),
        },
        "created": view.clock.iso(stored.created),
    }


def processor_json(processor: Processor) -> dict[str, Any]:
    return {
        "processor_uid": processor.processor_uid,
        "name": processor.name,
        "label": processor.label,
        "args": dict(processor.args),
    }


def version_json(version: Version, view: View) -> dict[str, Any]:
    return {
        "version": version.version,
        "created": view.clock.iso(version.created),
        "records": version.records,
        "user": view.user(version.user),
        "job_id": version.job_id,
    }


def job_json(job: Job, view: View) -> dict[str, Any]:
    iso = view.clock.iso
    return {
        "job_id": job.job_id,
        "function": job.function,
        "dataset_uid": job.dataset_uid,
        "user": view.user(job.user),
        "state": job.state,
        "created": iso(job.created),
        "started": iso(job.started),
        "ended": iso(job.ended),
        "progresses": [
            {
                "status": view.name(p.status),
                "fine_status": p.status,
                "started": iso(p.started),
                "ended": iso(p.ended),
                "records_total": p.records_total,
                "records_done": p.done_at(view.now),
            }
            for p in job.progresses
        ],
        "result": job.result,
    }
