"""Uploaded files: uploads, the files a user may see, their descriptions and downloads.

A user sees the files they uploaded, the files the datasets they may edit use (as
resources, attachments or alternative exports), and every file if they may edit
every dataset of the domain (``edit_dataset`` at domain level), as the platform's
file listing says. A file they cannot see is unknown to them (404).
"""

from __future__ import annotations

from typing import Any

from ..domain.errors import InvalidParameter, UnknownFile
from ..domain.files import DEFAULT_FILENAME, file_id_for, guess_mimetype, read_records
from ..domain.models import StoredFile, User
from ..domain.security import Caller, can_see, rights
from ..domain.store import Store, used_urls
from .journal import mutation
from .operation import operation
from .state import State
from .views import Download, FileView, file_view


class Files:
    def __init__(self, state: State) -> None:
        self.state = state

    @mutation
    def upload_file(
        self,
        user: User,
        filename: Any,
        mimetype: str | None,
        content: bytes,
        drawn_id: bool = False,
    ) -> FileView:
        """Keep an upload; its id is made from its name (see :func:`store_upload`).

        ``drawn_id``: a 32-hex id from the seed instead, as uploads had in state files
        of format 2 and before (their replays set it).
        """
        self.state.require_any(user, "create_dataset", "edit_dataset")
        return file_view(store_upload(self.state, user, filename, mimetype, content, drawn_id))

    @operation
    def files(self, user: User) -> tuple[FileView, ...]:
        """The files the user may see, oldest upload first."""
        store, caller = self.state.store, self.state.caller(user)
        if "edit_dataset" in caller.permissions:
            return tuple(file_view(f) for f in store.files.values())
        used = _used_by_editable(store, caller)
        return tuple(
            file_view(f)
            for f in store.files.values()
            if (f.owner and f.owner == user.username) or id(f) in used
        )

    @operation
    def file(self, user: User, file_id: str) -> FileView:
        return file_view(self._file(user, file_id))

    @operation
    def download_file(self, user: User, file_id: str) -> Download:
        stored = self._file(user, file_id)
        return Download(stored.content, stored.mimetype, stored.filename)

    def _file(self, user: User, file_id: str) -> StoredFile:
        store = self.state.store
        stored = store.files.get(file_id)
        if stored is None or not _sees(store, self.state.caller(user), stored):
            raise UnknownFile(file_id)
        return stored


def store_upload(
    state: State,
    user: User,
    filename: Any,
    mimetype: str | None,
    content: bytes,
    drawn_id: bool = False,
) -> StoredFile:
    """Check an upload and keep it; answer the file kept.

    Its id is made from its name; an upload of a name uploaded before replaces that
    file (``odsfile://<name>`` is the latest upload of that name), and a name whose id
    another file name took gets ``_2``, ``_3``... Nothing is kept if anything is wrong.
    """
    if filename is None or filename == "":
        filename = DEFAULT_FILENAME
    if not isinstance(filename, str) or not filename.strip() or "/" in filename:
        raise InvalidParameter("filename", "expected a file name without '/'")
    if not filename.isprintable() or _lone_surrogates(filename):
        raise InvalidParameter("filename", "expected printable Unicode text")
    mimetype = guess_mimetype(filename, mimetype)
    records, fields = read_records(content, filename, mimetype)
    store = state.store
    if drawn_id:
        file_id, owner = f"{store.rng.getrandbits(128):032x}", ""
    else:
        file_id, owner = _free_id(store, filename), user.username
    stored = StoredFile(
        file_id, filename, mimetype, content, state.engine.now, records, fields, owner
    )
    store.add_file(stored)
    retention = state.scenario.retention
    store.let_unused_files_go(retention.unused_files, retention.unused_file_bytes)
    return stored


def _free_id(store: Store, filename: str) -> str:
    """The id of an upload of ``filename``: its name's, unless another name holds it."""
    n = 1
    while True:
        file_id = file_id_for(filename, n)
        taken = store.files.get(file_id)
        if taken is None or taken.filename == filename:
            return file_id
        n += 1


def _used_by_editable(store: Store, caller: Caller) -> set[int]:
    """The files (by ``id()``) that datasets the caller may see and edit use."""
    return {
        id(stored)
        for ds in store.datasets.values()
        if can_see(caller, ds) and "edit_dataset" in rights(caller, ds)
        for url in used_urls(ds)
        if (stored := store.file_at(url)) is not None
    }


def _sees(store: Store, caller: Caller, stored: StoredFile) -> bool:
    if "edit_dataset" in caller.permissions:
        return True
    if stored.owner and stored.owner == caller.user.username:
        return True
    return id(stored) in _used_by_editable(store, caller)


def _lone_surrogates(text: str) -> bool:
    """Whether JSON escapes left half a character in ``text`` (not encodable as UTF-8)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False
