"""A dataset's attachments and alternative exports: list, add, remove, download.

Both kinds work alike (``kind`` names one: ``attachments`` or ``alternative_exports``).
Reading needs ``edit_dataset`` (domain or dataset) or ``publish_dataset`` on the
dataset; adding and removing need ``edit_dataset``, as the platform's permissions
page gives them for attachments. Every addition and removal is a change of the
dataset's configuration, in its change log.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from ..domain import history
from ..domain.attachments import KINDS, Kind, check_url
from ..domain.errors import PermissionDenied, UnknownFile
from ..domain.models import Attachment, Dataset, User
from ..domain.security import rights
from ..domain.store import ODSFILE
from .commands import AttachmentSpec, Body
from .files import store_upload
from .journal import mutation
from .operation import operation
from .state import State
from .views import AttachmentView, Download, ElsewhereFile, attachment_view


class Attachments:
    def __init__(self, state: State) -> None:
        self.state = state

    @operation
    def attached(self, user: User, dataset_uid: str, kind: str) -> tuple[AttachmentView, ...]:
        """The dataset's files of this kind, oldest first."""
        ds = self._readable(user, dataset_uid)
        return tuple(self._view(kind, a) for a in KINDS[kind].of(ds).values())

    @operation
    def attached_one(self, user: User, dataset_uid: str, kind: str, uid: str) -> AttachmentView:
        ds = self._readable(user, dataset_uid)
        return self._view(kind, KINDS[kind].find(ds, uid))

    @mutation
    def attach(
        self, user: User, dataset_uid: str, kind: str, body: Body[AttachmentSpec]
    ) -> AttachmentView:
        """Expose a file with the dataset: an uploaded one (``odsfile://``) or http(s)."""
        ds = self._editable(user, dataset_uid)
        url = check_url(body().url, self.state.store)
        return self._add(user, ds, KINDS[kind], url)

    @mutation
    def attach_upload(
        self,
        user: User,
        dataset_uid: str,
        kind: str,
        filename: Any,
        mimetype: str | None,
        content: bytes,
        title: str = "",
        description: str = "",
    ) -> AttachmentView:
        """Upload a file (as ``POST /files`` does) and expose it with the dataset.

        ``title`` and ``description``: an alternative export's, as the Automation API
        gives them (checked by the caller: any text).
        """
        ds = self._editable(user, dataset_uid)
        stored = store_upload(self.state, user, filename, mimetype, content)
        return self._add(user, ds, KINDS[kind], stored.url, title, description)

    @mutation
    def describe(
        self, user: User, dataset_uid: str, kind: str, uid: str, title: str, description: str
    ) -> AttachmentView:
        """Give a file exposed with the dataset a title and a description."""
        ds = self._editable(user, dataset_uid)
        found = KINDS[kind].find(ds, uid)
        before = history.snapshot(ds)
        found.title, found.description = title, description
        self.state.record(user, ds, before)
        return self._view(kind, found)

    @mutation
    def detach(self, user: User, dataset_uid: str, kind: str, uid: str) -> None:
        """Stop exposing a file with the dataset; the file itself stays."""
        ds = self._editable(user, dataset_uid)
        collection = KINDS[kind]
        collection.find(ds, uid)
        before = history.snapshot(ds)
        del collection.of(ds)[uid]
        self.state.record(user, ds, before)

    @operation
    def download(
        self, user: User, dataset_uid: str, kind: str, uid: str
    ) -> Download | ElsewhereFile:
        """The uploaded file behind it, or where the file is when it is elsewhere."""
        ds = self._readable(user, dataset_uid)
        url = KINDS[kind].find(ds, uid).url
        if not url.startswith(ODSFILE):
            return ElsewhereFile(url)
        stored = self.state.store.file_at(url)
        if stored is None:  # not possible while the store keeps used files; said if it is
            raise UnknownFile(url.removeprefix(ODSFILE))
        return Download(stored.content, stored.mimetype, stored.filename)

    def _add(
        self, user: User, ds: Dataset, kind: Kind, url: str, title: str = "", description: str = ""
    ) -> AttachmentView:
        before = history.snapshot(ds)
        uid = kind.new_uid(self.state.store, ds)
        kind.of(ds)[uid] = Attachment(uid, url, title, description)
        self.state.record(user, ds, before)
        return self._view(kind.name, kind.of(ds)[uid])

    def _view(self, kind: str, attached: Attachment) -> AttachmentView:
        return attachment_view(kind, attached, self.state.store.file_at(attached.url))

    def _editable(self, user: User, dataset_uid: str) -> Dataset:
        return self.state.dataset(user, dataset_uid, "edit_dataset")

    def _readable(self, user: User, dataset_uid: str) -> Dataset:
        """The dataset, if the user may read its files: ``edit_dataset``, or
        ``publish_dataset`` given on the dataset itself."""
        ds = self.state.dataset(user, dataset_uid)
        caller = self.state.caller(user)
        if "edit_dataset" in rights(caller, ds):
            return ds
        on_dataset = rights(dataclasses.replace(caller, permissions=frozenset()), ds)
        if "publish_dataset" not in on_dataset:
            raise PermissionDenied(user.username, "edit_dataset")
        return ds
