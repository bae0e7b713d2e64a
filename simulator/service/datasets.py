"""Datasets: list, create, read, change and delete them; their status, actions and jobs."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterable
from typing import Any

from ..domain import history
from ..domain import statemachine as sm
from ..domain.errors import BadRequest, InvalidParameter, SimulatorError, UnknownJob
from ..domain.metadata import Field, coerce, find_field
from ..domain.models import DATASET_ID_PATTERN, Dataset, DefaultSecurity, RecordError, User
from ..domain.security import ACCESS_POLICIES, can_see, has_ruleset, rights
from ..domain.store import slugify
from ..domain.templates import check_dataset_metas
from .commands import Body, DatasetChanges, Listing, NewDataset
from .journal import mutation
from .operation import operation
from .state import State
from .transitions import PreviousStatuses
from .views import (
    Accepted,
    DatasetView,
    JobView,
    Page,
    StatusView,
    accepted,
    dataset_view,
    harvester_names,
    job_view,
    status_view,
)

_DATASET_ID = re.compile(DATASET_ID_PATTERN)

#: What datasets can be filtered on, as text to compare.
FILTERS: dict[str, Callable[[Dataset], str]] = {
    "dataset_id": lambda d: d.dataset_id,
    "dataset_uid": lambda d: d.dataset_uid,
    "published": lambda d: "true" if d.published else "false",
    "visibility": lambda d: d.visibility,
}

#: What datasets can be sorted on.
SORTS: dict[str, Callable[[Dataset], Any]] = {
    "dataset_id": lambda d: d.dataset_id,
    "dataset_uid": lambda d: d.dataset_uid,
    "last_modified": lambda d: d.last_modified,
    "created": lambda d: d.created,
    "title": lambda d: str(d.metas.get("default", {}).get("title") or ""),
    "published": lambda d: d.published,
}


def select(datasets: Iterable[Dataset], listing: Listing) -> list[Dataset]:
    """The datasets passing the listing's filters, in its order (all of them, unwindowed).

    A filter or sort key is a field of the dataset, or a metadata as ``template.name``:
    a ``multitext`` passes when it holds every value asked for.
    """
    tests = [_test(name, values) for name, values in listing.filters.items()]
    found = [ds for ds in datasets if all(test(ds) for test in tests)]
    for name, descending in reversed(listing.sort):
        found.sort(key=SORTS.get(name) or _meta_key(name), reverse=descending)
    return found


def _test(name: str, values: list[str]) -> Callable[[Dataset], bool]:
    wanted = set(values)
    if name in FILTERS:
        get = FILTERS[name]
        return lambda ds: {get(ds)} >= wanted
    field = _field(name)
    canonical = {_text_of(field, v) for v in wanted}
    return lambda ds: _texts(_meta(ds, field)) >= canonical


def _field(name: str) -> Field:
    template, _, field_name = name.partition(".")
    field = find_field(template, field_name)
    assert field is not None, name  # the API checked the name
    return field


def _meta(ds: Dataset, field: Field) -> Any:
    if field.read_only:
        return ds.published
    return ds.metas.get(field.template, {}).get(field.name)


def _text_of(field: Field, given: str) -> str:
    """A value asked for, as its stored form reads (``True`` -> ``true``, ``Z`` -> UTC)."""
    try:
        value = coerce(field, given, "where")
    except SimulatorError:
        return given  # no value of the field reads so: nothing passes
    if isinstance(value, list):
        return given
    return next(iter(_texts(value)), given)


def _texts(value: Any) -> set[str]:
    items = value if isinstance(value, list) else [] if value is None else [value]
    out = set()
    for item in items:
        if isinstance(item, bool):
            out.add("true" if item else "false")
        elif isinstance(item, float) and item.is_integer():
            out.add(str(int(item)))
        else:
            out.add(str(item))
    return out


def _meta_key(name: str) -> Callable[[Dataset], Any]:
    """Sort on a metadata: datasets without a value first, then by value."""
    field = _field(name)

    def key(ds: Dataset) -> tuple[bool, Any]:
        value = _meta(ds, field)
        if value is None:
            return (False, 0)
        return (True, tuple(value) if isinstance(value, list) else value)

    return key


class Datasets:
    def __init__(self, state: State) -> None:
        self.state = state
        self._previous = PreviousStatuses()

    # datasets -------------------------------------------------------------------------

    @operation
    def list(self, user: User, body: Body[Listing]) -> Page:
        """The datasets the user may edit, filtered, sorted, and a window of them."""
        state = self.state
        datasets = state.store.datasets.values()
        caller = state.caller(user)
        found = [
            ds for ds in datasets if can_see(caller, ds) and "edit_dataset" in rights(caller, ds)
        ]
        if not found and not any(has_ruleset(caller, ds) for ds in datasets):
            state.require(user, "edit_dataset")  # no edit right anywhere: 403 rather than []
        listing = body()
        found = select(found, listing)
        window = found[listing.offset : listing.offset + listing.limit]
        users = state.store.users
        harvested = harvester_names(state.store.harvesters)
        return Page(tuple(dataset_view(ds, users, harvested) for ds in window), len(found))

    @mutation
    def create_dataset(self, user: User, body: Body[NewDataset]) -> DatasetView:
        state = self.state
        state.require(user, "create_dataset")
        command = body()
        metas = {
            template: {name: value for name, value in values.items() if value is not None}
            for template, values in check_dataset_metas(command.metas).items()
        }
        visibility = _visibility(command.visibility)
        default = _default_security(command.default_security)
        if default is not None:
            state.require(user, "manage_dataset")
        wanted = _dataset_id(command.dataset_id)
        title = metas.get("default", {}).get("title")
        store = state.store
        if command.strict:
            if wanted is None:
                raise BadRequest("A dataset_id is required when strict=true")
            if store.id_taken(wanted):
                raise BadRequest("The dataset_id '{dataset_id}' is already used", dataset_id=wanted)
        # every check passed: only now draw identifiers
        uid = store.new_dataset_uid()
        base = wanted or (slugify(title) if isinstance(title, str) else "")
        dataset_id = store.free_dataset_id(base) if base else uid
        now = state.engine.now
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
        if default is not None:
            ds.default_security = default
        store.add_dataset(ds)
        state.record(user, ds, history.EMPTY)
        return dataset_view(ds, store.users)

    @mutation
    def copy_dataset(self, user: User, dataset_uid: str) -> DatasetView:
        """A new, unpublished dataset with the configuration of another.

        Its metadata, resources, processors, field specifications, security and
        attachments are copies (their uids scoped to the dataset are kept); its
        ``dataset_id`` is the source's, made free (``-2``, ``-3``...).
        """
        state = self.state
        source = state.dataset(user, dataset_uid, "edit_dataset")
        state.require(user, "create_dataset")
        store = state.store
        uid = store.new_dataset_uid()
        now = state.engine.now
        ds = Dataset(
            dataset_uid=uid,
            dataset_id=store.free_dataset_id(source.dataset_id),
            metas=copy.deepcopy(source.metas),
            owner=user.username,
            created=now,
            last_modified=now,
            visibility=source.visibility,
            since=now,
            public_since=now,
            status_user=user.username,
            resources=copy.deepcopy(source.resources),
            processors=copy.deepcopy(source.processors),
            field_specs=copy.deepcopy(source.field_specs),
            processors_revision=source.processors_revision,
            rulesets=copy.deepcopy(source.rulesets),
            group_rulesets=copy.deepcopy(source.group_rulesets),
            default_security=copy.deepcopy(source.default_security),
            meta_overrides=dict(source.meta_overrides),
            attachments=copy.deepcopy(source.attachments),
            alternative_exports=copy.deepcopy(source.alternative_exports),
        )
        store.add_dataset(ds)
        state.record(user, ds, history.EMPTY)
        return dataset_view(ds, store.users)

    @operation
    def get(self, user: User, dataset_uid: str) -> DatasetView:
        ds = self.state.dataset(user, dataset_uid, "edit_dataset")
        store = self.state.store
        return dataset_view(ds, store.users, harvester_names(store.harvesters))

    @mutation
    def update_dataset(
        self, user: User, dataset_uid: str, body: Body[DatasetChanges]
    ) -> DatasetView:
        state = self.state
        ds = state.dataset(user, dataset_uid, "edit_dataset")
        command = body()
        new_id = _dataset_id(command.dataset_id)
        if new_id is not None and new_id != ds.dataset_id:
            if ds.published:
                raise BadRequest(
                    "The dataset_id of a published dataset cannot change; unpublish it first "
                    "(dataset '{dataset_uid}' is published)",
                    dataset_uid=ds.dataset_uid,
                )
            if state.store.id_taken(new_id):
                raise BadRequest("The dataset_id '{dataset_id}' is already used", dataset_id=new_id)
        metas = check_dataset_metas(command.metas) if command.metas is not None else {}
        visibility = _visibility(command.visibility)
        default = _default_security(command.default_security)
        if default is not None:
            state.require(user, "manage_dataset", ds=ds)
        # every check passed: apply
        before = history.snapshot(ds)
        if new_id is not None and new_id != ds.dataset_id:
            state.store.rename_dataset(ds, new_id)
        for template, values in metas.items():
            current = ds.metas.setdefault(template, {})
            for name, value in values.items():
                if value is None:
                    current.pop(name, None)
                else:
                    current[name] = value
        if visibility is not None:
            ds.visibility = visibility
        if default is not None:
            ds.default_security = default
        state.record(user, ds, before)
        return dataset_view(ds, state.store.users, harvester_names(state.store.harvesters))

    @mutation
    def delete_dataset(self, user: User, dataset_uid: str) -> Accepted | None:
        """Delete a dataset: at once if unpublished, else by a job (answered)."""
        result = self.action(user, self.state.dataset(user, dataset_uid), "delete")
        self.state.engine.settle()
        return result

    # status and actions -----------------------------------------------------------------

    @operation
    def status(self, user: User, dataset_uid: str) -> StatusView:
        state = self.state
        ds = state.dataset(user, dataset_uid, "edit_dataset", "publish_dataset")
        previous = self._previous.of(state.world.timeline, ds.dataset_uid)
        return status_view(ds, state.store.users, previous)

    @operation
    def records_errors(self, user: User, dataset_uid: str) -> tuple[RecordError, ...]:
        ds = self.state.dataset(user, dataset_uid, "edit_dataset", "publish_dataset")
        return ds.records_errors

    @mutation
    def act(self, user: User, dataset_uid: str, action: str) -> Accepted | None:
        """Accept an asynchronous action; answer its job."""
        result = self.action(user, self.state.dataset(user, dataset_uid), action)
        self.state.engine.settle()
        return result

    def action(self, user: User, ds: Dataset, action: str) -> Accepted | None:
        """Check and accept an action, from the API or a script; the caller settles.

        Answers the job it queued (for ``abort_processing``, the job it aborts), or
        ``None`` for an unpublished dataset deleted at once.
        """
        state = self.state
        if action != "delete" and action not in sm.ACTIONS:
            raise InvalidParameter(
                "action", f"expected one of {', '.join((*sm.ACTIONS, 'delete'))}, got '{action}'"
            )
        if action == "delete":
            needed = ("edit_dataset", "publish_dataset") if ds.published else ("edit_dataset",)
            state.require(user, *needed, ds=ds)
            state.precondition(ds, sm.ACTION_ORIGINS)
            if not ds.published:
                state.engine.move(ds, sm.REMOVED, "deleted")
                state.store.remove_dataset(ds)
                return None
            return self._queued(state.engine.submit(ds, "delete", user.username))
        state.require(user, "edit_dataset", "publish_dataset", ds=ds)
        if action == "abort_processing":
            state.precondition(ds, sm.ABORTABLE)
            assert ds.job is not None
            state.engine.abort(ds)
            return self._queued(ds.job)
        state.precondition(ds, sm.ACTION_ORIGINS)
        if action == "publish_metadata" and not ds.published:
            raise BadRequest(
                "Dataset {dataset_uid} is not published: publish it to publish its metadata",
                dataset_uid=ds.dataset_uid,
            )
        return self._queued(state.engine.submit(ds, action, user.username))

    def _queued(self, job: Any) -> Accepted:
        return accepted(job)

    @operation
    def jobs(self, user: User) -> tuple[JobView, ...]:
        """The user's jobs, oldest first."""
        state = self.state
        now, users = state.engine.now, state.store.users
        return tuple(
            job_view(job, now, users)
            for job in state.store.jobs.values()
            if job.user == user.username
        )

    @operation
    def job(self, user: User, job_id: str) -> JobView:
        job = self.state.store.jobs.get(job_id)
        if job is None or job.user != user.username:
            raise UnknownJob(job_id)
        return job_view(job, self.state.engine.now, self.state.store.users)


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


def _visibility(value: Any) -> str | None:
    if value is not None and value not in ACCESS_POLICIES:
        raise InvalidParameter(
            "visibility", f"expected one of {', '.join(ACCESS_POLICIES)}, got {value!r}"
        )
    return value


def _default_security(rules: dict[str, Any] | None) -> DefaultSecurity | None:
    """A default ruleset from rules a surface read (``is_data_visible``...), if any."""
    if rules is None:
        return None
    made = DefaultSecurity()
    quota = rules.get("api_calls_quota")
    return DefaultSecurity(
        bool(rules.get("is_data_visible", made.is_data_visible)),
        list(rules.get("visible_fields", made.visible_fields)),
        str(rules.get("filter_query", made.filter_query)),
        None if quota is None else dict(quota),
    )
