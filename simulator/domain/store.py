"""In-memory repository of datasets, jobs, users and groups, with seeded identifiers."""

from __future__ import annotations

import json
import random
import re
import string
import unicodedata
from collections import deque
from collections.abc import Container, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING

from .models import ApiKey, Dataset, Group, Job, StoredFile, User
from .pages import Page
from .retention import overflow

if TYPE_CHECKING:
    from .connections import Connection
    from .harvesters import Harvester

#: The scheme of an uploaded file's URL.
ODSFILE = "odsfile://"

_ALNUM = string.ascii_lowercase + string.digits
#: Maps every byte to a letter or digit (byte mod 36: close enough to uniform for ids).
_ALNUM_BYTES = bytes(ord(_ALNUM[b % len(_ALNUM)]) for b in range(256))


class Store:
    """Everything the simulator knows, indexed the ways the API looks it up.

    Identifiers come from one seeded generator, so the same scenario and the same
    requests give the same ids.
    """

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.datasets: dict[str, Dataset] = {}
        self.jobs: dict[str, Job] = {}
        self.users: dict[str, User] = {}
        self.groups: dict[str, Group] = {}
        #: The domain's pages by slug, in the order they were created.
        self.pages: dict[str, Page] = {}
        #: The harvesters by id, in the order they were created.
        self.harvesters: dict[str, Harvester] = {}
        #: The datasource connections by uid, in the order they were made.
        self.connections: dict[str, Connection] = {}
        self.files: dict[str, StoredFile] = {}
        #: The latest upload of each file name: what ``odsfile://<name>`` refers to.
        self.files_by_name: dict[str, StoredFile] = {}
        #: Bytes of every file kept.
        self.file_bytes = 0
        #: About how many bytes of content (uploads, metadata) were let go: what a
        #: journal or checkpoint written before still holds (see :mod:`.retention`).
        self.dropped_bytes = 0
        self._by_id: dict[str, str] = {}
        #: Every API key, by the key itself, in the order they came.
        self.api_keys: dict[str, ApiKey] = {}
        #: The ids of the groups each user belongs to, in the order the groups came.
        self._member_of: dict[str, tuple[str, ...]] = {}
        #: Every dataset uid ever added, deleted ones too: the timeline still names them.
        self._dataset_uids: set[str] = set()
        #: Ids of the jobs kept that have ended, in the order they ended.
        self.ended_jobs: deque[str] = deque()

    # identifiers -------------------------------------------------------------

    def _short(self, prefix: str, taken: Container[str]) -> str:
        """``prefix`` and six lowercase letters or digits, from one 48-bit draw."""
        while True:
            uid = (
                prefix
                + self.rng.getrandbits(48).to_bytes(6, "big").translate(_ALNUM_BYTES).decode()
            )
            if uid not in taken:
                return uid

    def new_dataset_uid(self) -> str:
        return self._short("da_", self._dataset_uids)  # never a deleted dataset's again

    def new_resource_uid(self, dataset: Dataset) -> str:
        return self._short("re_", dataset.resources)

    def new_processor_uid(self, dataset: Dataset) -> str:
        """A ``pr_`` uid: processors and field specifications share them."""
        return self._short("pr_", _Either(dataset.processors, dataset.field_specs))

    def new_connection_uid(self) -> str:
        return self._short("co_", self.connections)

    def new_attachment_uid(self, dataset: Dataset) -> str:
        return self._short("at_", dataset.attachments)

    def new_export_uid(self, dataset: Dataset) -> str:
        return self._short("ae_", dataset.alternative_exports)

    def new_schedule_uid(self, dataset: Dataset) -> str:
        return self._short("sc_", dataset.schedules)

    def new_feedback_uid(self, dataset: Dataset) -> str:
        return self._short("df_", dataset.feedbacks)

    def add_file(self, stored: StoredFile) -> None:
        """Keep an upload; one with the id of a kept file replaces it (and goes last)."""
        replaced = self.files.pop(stored.file_id, None)
        if replaced is not None:
            self.file_bytes -= len(replaced.content)
            self.dropped_bytes += len(replaced.content)
            if self.files_by_name.get(replaced.filename) is replaced:
                del self.files_by_name[replaced.filename]
        self.files[stored.file_id] = stored
        self.files_by_name[stored.filename] = stored
        self.file_bytes += len(stored.content)

    def file_named(self, name: str) -> StoredFile | None:
        """The upload ``odsfile://<name>`` refers to: the file of that id, else the latest
        upload of that file name."""
        return self.files.get(name) or self.files_by_name.get(name)

    @property
    def uploads(self) -> Mapping[str, StoredFile]:
        """The uploads by what ``odsfile://<name>`` names (see :meth:`file_named`)."""
        return _Uploads(self)

    def file_at(self, url: str) -> StoredFile | None:
        """The upload an ``odsfile://`` URL refers to, if any."""
        if not url.startswith(ODSFILE):
            return None
        return self.file_named(url.removeprefix(ODSFILE))

    def let_unused_files_go(self, keep: int, keep_bytes: int) -> int:
        """Drop the oldest uploads no resource uses, past ``keep`` files or ``keep_bytes``.

        A resource, an attachment or an alternative export uses the upload its
        ``odsfile://`` URL refers to; the newest upload stays whatever its size, for a
        resource to use it next. Returns the bytes let go.
        """
        if not overflow(len(self.files), keep) and self.file_bytes <= keep_bytes:
            return 0
        used = {
            id(stored)
            for ds in self.datasets.values()
            for url in used_urls(ds)
            if (stored := self.file_at(url)) is not None
        }
        unused = [f for f in self.files.values() if id(f) not in used]
        count, unused_bytes, freed = len(unused), sum(len(f.content) for f in unused), 0
        newest = next(reversed(self.files.values()))
        for stored in unused:  # oldest first
            if (count <= keep and unused_bytes <= keep_bytes) or stored is newest:
                break
            del self.files[stored.file_id]
            if self.files_by_name.get(stored.filename) is stored:
                del self.files_by_name[stored.filename]
            count -= 1
            unused_bytes -= len(stored.content)
            freed += len(stored.content)
        self.file_bytes -= freed
        self.dropped_bytes += freed
        return freed

    def new_hex_id(self) -> str:
        """A 40-hex identifier, the shape of job ids and record ids."""
        return f"{self.rng.getrandbits(160):040x}"

    def new_job_id(self) -> str:
        while True:
            job_id = self.new_hex_id()
            if job_id not in self.jobs:
                return job_id

    # datasets ----------------------------------------------------------------

    def add_dataset(self, dataset: Dataset) -> None:
        self.datasets[dataset.dataset_uid] = dataset
        self._dataset_uids.add(dataset.dataset_uid)
        self._by_id[dataset.dataset_id] = dataset.dataset_uid

    def remove_dataset(self, dataset: Dataset) -> None:
        del self.datasets[dataset.dataset_uid]
        del self._by_id[dataset.dataset_id]
        self.dropped_bytes += len(json.dumps(dataset.metas, default=str))

    @property
    def remembered_uids(self) -> set[str]:
        """Every dataset uid that may not be drawn again: live ones, and those still named."""
        return self._dataset_uids

    def remember_uids(self, uids: Iterable[str]) -> None:
        self._dataset_uids = set(uids)

    def retire_uids(self, uids: set[str]) -> None:
        """Forget uids of deleted datasets that nothing names any more.

        A uid is never drawn twice while anything still names it; once nothing
        does, remembering it would only grow the store.
        """
        self._dataset_uids -= uids

    def job_ended(self, job_id: str, keep: int) -> None:
        """Note a job's end; keep the ``keep`` that ended last (and those still to end)."""
        ended = self.ended_jobs
        ended.append(job_id)
        if overflow(len(ended), keep):
            while len(ended) > keep:
                self.jobs.pop(ended.popleft(), None)

    def rename_dataset(self, dataset: Dataset, new_id: str) -> None:
        del self._by_id[dataset.dataset_id]
        dataset.dataset_id = new_id
        self._by_id[new_id] = dataset.dataset_uid

    def dataset_by_id(self, dataset_id: str) -> Dataset | None:
        uid = self._by_id.get(dataset_id)
        return None if uid is None else self.datasets[uid]

    def id_taken(self, dataset_id: str) -> bool:
        return dataset_id in self._by_id

    def free_dataset_id(self, wanted: str) -> str:
        """Return ``wanted``, or ``wanted-2``, ``wanted-3``... if it is taken."""
        if not self.id_taken(wanted):
            return wanted
        n = 2
        while self.id_taken(f"{wanted}-{n}"):
            n += 1
        return f"{wanted}-{n}"

    # users -------------------------------------------------------------------

    def replace_users(self, users: Iterable[User], keys: Iterable[ApiKey] = ()) -> None:
        """The users, and the details of their keys (a key without any carries everything)."""
        self.users.clear()
        self.api_keys.clear()
        for api_key in keys:
            self.api_keys[api_key.key] = api_key
        for user in users:
            self.add_user(user)

    def add_user(self, user: User) -> None:
        self.users[user.username] = user
        for key in user.api_keys:
            if key not in self.api_keys:
                self.api_keys[key] = ApiKey(key, user.username)

    def remove_user(self, username: str) -> None:
        """Forget a user, their keys and their memberships."""
        user = self.users.pop(username)
        for key in user.api_keys:
            self.api_keys.pop(key, None)
        for group_id in self._member_of.pop(username, ()):
            group = self.groups[group_id]
            group.usernames = tuple(u for u in group.usernames if u != username)

    def user_by_key(self, key: str) -> User | None:
        api_key = self.api_keys.get(key)
        return None if api_key is None else self.users.get(api_key.username)

    def add_key(self, api_key: ApiKey) -> None:
        user = self.users[api_key.username]
        user.api_keys = (*user.api_keys, api_key.key)
        self.api_keys[api_key.key] = api_key

    def remove_key(self, key: str) -> None:
        api_key = self.api_keys.pop(key)
        user = self.users[api_key.username]
        user.api_keys = tuple(k for k in user.api_keys if k != key)

    def new_api_key(self) -> str:
        """56 lowercase hex characters, the shape of the platform's keys."""
        while True:
            key = f"{self.rng.getrandbits(224):056x}"
            if key not in self.api_keys:
                return key

    # groups ------------------------------------------------------------------

    def replace_groups(self, groups: Iterable[Group]) -> None:
        self.groups.clear()
        self._member_of.clear()
        for group in groups:
            self.add_group(group)

    def add_group(self, group: Group) -> None:
        """Add a group; its members' memberships go through here, to stay indexed."""
        self.groups[group.group_id] = group
        for username in group.usernames:
            self._member_of[username] = (*self._member_of.get(username, ()), group.group_id)

    def remove_group(self, group_id: str) -> None:
        group = self.groups.pop(group_id)
        for username in group.usernames:
            self._member_of[username] = tuple(
                g for g in self._member_of.get(username, ()) if g != group_id
            )

    def set_members(self, group: Group, usernames: tuple[str, ...]) -> None:
        """Change a group's members, keeping who belongs where indexed."""
        for username in group.usernames:
            self._member_of[username] = tuple(
                g for g in self._member_of.get(username, ()) if g != group.group_id
            )
        group.usernames = usernames
        for username in usernames:
            self._member_of[username] = (*self._member_of.get(username, ()), group.group_id)

    def groups_of(self, username: str) -> tuple[Group, ...]:
        """The groups a user belongs to."""
        ids = self._member_of.get(username)
        return () if ids is None else tuple(self.groups[i] for i in ids)


class _Either:
    """Taken in one container or the other."""

    def __init__(self, first: Container[str], second: Container[str]) -> None:
        self.first, self.second = first, second

    def __contains__(self, item: object) -> bool:
        return item in self.first or item in self.second


class _Uploads(Mapping[str, StoredFile]):
    """Uploads by file id, and by file name where no id is that name (the latest upload)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def __getitem__(self, name: str) -> StoredFile:
        found = self.store.file_named(name)
        if found is None:
            raise KeyError(name)
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(self.store.files)

    def __len__(self) -> int:
        return len(self.store.files)


def used_urls(ds: Dataset) -> Iterator[str]:
    """The URLs of the files a dataset uses: its resources', attachments', exports'."""
    for resource in ds.resources.values():
        yield resource.url
    for attached in (*ds.attachments.values(), *ds.alternative_exports.values()):
        yield attached.url


def slugify(text: str) -> str:
    """A dataset id from a title: ascii, lowercase, words joined by hyphens."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:100].strip("-")
