"""Files exposed with a dataset: its attachments and its alternative exports.

Both are a uid and a URL: an uploaded file (``odsfile://<file_id>``), or a file
elsewhere (``http(s)://``). Attachments help make sense of the data; alternative exports
are exports made outside the platform, offered beside its own. Both are part of the
dataset's configuration, so each change is one of its change log.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .errors import InvalidParameter, NotFound, UnknownAlternativeExport, UnknownAttachment
from .limits import MAX_URL, echo
from .models import Attachment, Dataset
from .store import ODSFILE, Store


@dataclass(frozen=True)
class Kind:
    """One of the two collections: its name (a path segment too), its key, its uids."""

    name: str
    #: The key of an object's uid, as the API writes it.
    uid_key: str
    #: What its uids start with.
    prefix: str
    #: The error an unknown uid gets.
    unknown: type[NotFound]

    def of(self, ds: Dataset) -> dict[str, Attachment]:
        """The dataset's collection of this kind."""
        return ds.attachments if self.name == "attachments" else ds.alternative_exports

    def new_uid(self, store: Store, ds: Dataset) -> str:
        if self.name == "attachments":
            return store.new_attachment_uid(ds)
        return store.new_export_uid(ds)

    def find(self, ds: Dataset, uid: str) -> Attachment:
        found = self.of(ds).get(uid)
        if found is None:
            raise self.unknown(uid)
        return found


ATTACHMENTS = Kind("attachments", "attachment_uid", "at_", UnknownAttachment)
ALTERNATIVE_EXPORTS = Kind("alternative_exports", "export_uid", "ae_", UnknownAlternativeExport)
KINDS: dict[str, Kind] = {k.name: k for k in (ATTACHMENTS, ALTERNATIVE_EXPORTS)}

_EXPECTED = "expected the file's URL: odsfile://<uploaded file> or http(s)://..."


def check_url(url: Any, store: Store) -> str:
    """The URL of a file to expose, checked: an upload that exists, or an http(s) URL."""
    if not isinstance(url, str) or not url:
        raise InvalidParameter("url", _EXPECTED)
    if url.startswith(ODSFILE):
        name = url.removeprefix(ODSFILE)
        if store.file_named(name) is None:
            raise InvalidParameter(
                "url", f"no uploaded file is named {echo(name)}: upload it with POST /files first"
            )
        return url
    if not url.startswith(("http://", "https://")):
        raise InvalidParameter("url", f"{echo(url)} is neither odsfile:// nor http(s)://")
    if len(url) > MAX_URL or not url.isprintable() or any(c.isspace() for c in url):
        raise InvalidParameter(
            "url", f"expected a URL of at most {MAX_URL} printable characters without spaces"
        )
    return url
