"""The datasets API: create, list, read, change, delete; status, actions and jobs."""

from __future__ import annotations

import re
from typing import Any

from ..api.management.query import parse_where, sort_datasets
from ..api.management.render import dataset_json, job_json, status_json
from ..domain import history
from ..domain import statemachine as sm
from ..domain.errors import BadRequest, InvalidParameter, UnknownJob
from ..domain.metadata import check_metas, closest
from ..domain.models import DATASET_ID_PATTERN, DATASET_READ_ONLY, Dataset, User
from ..domain.security import ACCESS_POLICIES, can_see, rights
from ..domain.store import slugify
from .core import Ask, Core, operation
from .journal import mutation

_DATASET_ID = re.compile(DATASET_ID_PATTERN)
_WRITABLE = ("dataset_id", "metas", "visibility")


class Datasets(Core):
    # datasets -------------------------------------------------------------------

    @operation
    def list_datasets(
        self,
        user: User,
        ask: Ask,
        rows: int = 10,
        page: int = 1,
        where: str | None = None,
        sort: str | None = None,
    ) -> dict[str, Any]:
        found = [
            ds
            for ds in self.store.datasets.values()
            if can_see(user, ds) and "edit_dataset" in rights(user, ds)
        ]
        if not found and not any(
            user.username in ds.rulesets for ds in self.store.datasets.values()
        ):
            self._require(user, "edit_dataset")  # no edit right anywhere: 403 rather than []
        if where:
            found = list(filter(parse_where(where), found))
        if sort:
            found = sort_datasets(found, sort)
        view = self._view(ask)
        start = (page - 1) * rows
        return {
            "datasets": [dataset_json(ds, view) for ds in found[start : start + rows]],
            "total_count": len(found),
        }

    @mutation
    def create_dataset(
        self, user: User, body: Any, ask: Ask, strict: bool = False
    ) -> dict[str, Any]:
        self._require(user, "create_dataset")
        body = _check_body(body)
        metas = check_metas(body.get("metas", {}))
        visibility = _visibility(body)
        wanted = _dataset_id(body.get("dataset_id"))
        title = metas.get("default", {}).get("title")
        store = self.store
        if strict:
            if wanted is None:
                raise BadRequest("A dataset_id is required when strict=true")
            if store.id_taken(wanted):
                raise BadRequest("The dataset_id '{dataset_id}' is already used", dataset_id=wanted)
        # every check passed: only now draw identifiers
        uid = store.new_dataset_uid()
        base = wanted or (slugify(title) if isinstance(title, str) else "")
        dataset_id = store.free_dataset_id(base) if base else uid
        now = self.engine.now
        metas.setdefault("default", {})
        metas["default"].setdefault("title", dataset_id)
        ds = Dataset(
            dataset_uid=uid,
            dataset_id=dataset_id,
            metas=metas,
            owner=user.username,
            created=now,
            last_modified=now,
            visibility=visibility or "domain",
            since=now,
            public_since=now,
            status_user=user.username,
        )
        store.add_dataset(ds)
        self._record(user, ds, history.EMPTY)
        return dataset_json(ds, self._view(ask))

    @operation
    def get_dataset(self, user: User, dataset_uid: str, ask: Ask) -> dict[str, Any]:
        ds = self._dataset(user, dataset_uid, "edit_dataset")
        return dataset_json(ds, self._view(ask))

    @mutation
    def update_dataset(self, user: User, dataset_uid: str, body: Any, ask: Ask) -> dict[str, Any]:
        ds = self._dataset(user, dataset_uid, "edit_dataset")
        body = _check_body(body)
        new_id = _dataset_id(body.get("dataset_id"))
        if new_id is not None and new_id != ds.dataset_id:
            if ds.published:
                raise BadRequest(
                    "The dataset_id of a published dataset cannot change; unpublish it first "
                    "(dataset '{dataset_uid}' is published)",
                    dataset_uid=ds.dataset_uid,
                )
            if self.store.id_taken(new_id):
                raise BadRequest("The dataset_id '{dataset_id}' is already used", dataset_id=new_id)
        metas = check_metas(body["metas"]) if "metas" in body else {}
        visibility = _visibility(body)
        # every check passed: apply
        before = history.snapshot(ds)
        if new_id is not None and new_id != ds.dataset_id:
            self.store.rename_dataset(ds, new_id)
        for template, values in metas.items():
            current = ds.metas.setdefault(template, {})
            for name, value in values.items():
                if value is None:
                    current.pop(name, None)
                else:
                    current[name] = value
        if visibility is not None:
            ds.visibility = visibility
        self._record(user, ds, before)
        return dataset_json(ds, self._view(ask))

    @mutation
    def delete_dataset(self, user: User, dataset_uid: str) -> dict[str, Any]:
        result = self._act(user, self._dataset(user, dataset_uid), "delete")
        self.engine.settle()
        return result

    # status and actions -----------------------------------------------------------

    @operation
    def dataset_status(self, user: User, dataset_uid: str, ask: Ask) -> dict[str, Any]:
        ds = self._dataset(user, dataset_uid, "edit_dataset", "publish_dataset")
        return status_json(ds, self._view(ask))

    @operation
    def records_errors(self, user: User, dataset_uid: str) -> list[dict[str, Any]]:
        ds = self._dataset(user, dataset_uid, "edit_dataset", "publish_dataset")
        return [e.to_dict() for e in ds.records_errors]

    @mutation
    def act(self, user: User, dataset_uid: str, action: str) -> dict[str, Any]:
        """Accept an asynchronous action; answer its job id."""
        result = self._act(user, self._dataset(user, dataset_uid), action)
        self.engine.settle()
        return result

    def _act(self, user: User, ds: Dataset, action: str) -> dict[str, Any]:
        """Check and accept an action, from the API or a script; the caller settles."""
        if action != "delete" and action not in sm.ACTIONS:
            raise InvalidParameter(
                "action", f"expected one of {', '.join((*sm.ACTIONS, 'delete'))}, got '{action}'"
            )
        if action == "delete":
            needed = ("edit_dataset", "publish_dataset") if ds.published else ("edit_dataset",)
            self._require(user, *needed, ds=ds)
            self._precondition(ds, sm.ACTION_ORIGINS)
            if not ds.published:
                self.engine.move(ds, sm.REMOVED, "deleted")
                self.store.remove_dataset(ds)
                return {}
            return {"job_id": self._submit(user, ds, "delete").job_id}
        self._require(user, "edit_dataset", "publish_dataset", ds=ds)
        if action == "abort_processing":
            self._precondition(ds, sm.ABORTABLE)
            assert ds.job is not None
            self.engine.abort(ds)
            return {"job_id": ds.job.job_id}
        self._precondition(ds, sm.ACTION_ORIGINS)
        return {"job_id": self._submit(user, ds, action).job_id}

    @operation
    def list_jobs(self, user: User, ask: Ask) -> dict[str, Any]:
        view = self._view(ask)
        jobs = [job_json(j, view) for j in self.store.jobs.values() if j.user == user.username]
        return {"jobs": jobs, "total_count": len(jobs)}

    @operation
    def get_job(self, user: User, job_id: str, ask: Ask) -> dict[str, Any]:
        job = self.store.jobs.get(job_id)
        if job is None or job.user != user.username:
            raise UnknownJob(job_id)
        return job_json(job, self._view(ask))


def _check_body(body: Any) -> dict[str, Any]:
    if body is None:
        return {}
    if not isinstance(body, dict):
        raise InvalidParameter("body", f"expected a JSON object, got {type(body).__name__}")
    known = _WRITABLE + DATASET_READ_ONLY
    for key in body:
        if key not in known:
            raise InvalidParameter(
                key, f"unknown field{closest(key, known)}; writable: {', '.join(_WRITABLE)}"
            )
    return {k: v for k, v in body.items() if k in _WRITABLE}


def _dataset_id(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not _DATASET_ID.match(value):
        raise InvalidParameter(
            "dataset_id",
            f"{value!r} is not a valid identifier: use letters, digits, '-' and '_' "
            "(up to 100 characters, starting with a letter or digit)",
        )
    return value


def _visibility(body: dict[str, Any]) -> str | None:
    value = body.get("visibility")
    if value is not None and value not in ACCESS_POLICIES:
        raise InvalidParameter(
            "visibility", f"expected one of {', '.join(ACCESS_POLICIES)}, got {value!r}"
        )
    return value
