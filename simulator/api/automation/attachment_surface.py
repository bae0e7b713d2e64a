"""The Automation API's attachments and alternative exports, over the service.

Both are v2's: a file attached on one surface reads the same on the other. An
attachment is written as a ``DatasetFile`` (``{uid, filename, mimetype,
created_at}``); an alternative export as ``{uid, title, description, mimetype, type,
filename | url}``, ``type`` being ``uploaded_file`` or ``url``.
"""

from __future__ import annotations

import mimetypes
from typing import Any

from ...domain.errors import InvalidParameter, InvalidRequest, SimulatorError
from ...domain.limits import echo
from ...domain.models import User
from ...domain.store import ODSFILE
from ...service import Simulator
from ...service.views import AttachmentView, Download, ElsewhereFile

ATTACHMENTS = "attachments"
EXPORTS = "alternative_exports"
EXPORT_TYPES = ("uploaded_file", "url")
#: Longest title and description kept (characters).
MAX_TITLE = 1000
MAX_DESCRIPTION = 10_000


def _name(url: str) -> str:
    return url.removeprefix(ODSFILE).rstrip("/").rsplit("/", 1)[-1] or url


def _mimetype(a: AttachmentView) -> str:
    if a.mimetype is not None:
        return a.mimetype
    return mimetypes.guess_type(a.url)[0] or "application/octet-stream"


def attachment_json(a: AttachmentView, iso: Any) -> dict[str, Any]:
    out: dict[str, Any] = {
        "uid": a.uid,
        "filename": a.filename if a.filename is not None else _name(a.url),
        "mimetype": _mimetype(a),
    }
    if a.created is not None:
        out["created_at"] = iso(a.created)
    return out


def export_json(a: AttachmentView) -> dict[str, Any]:
    uploaded = a.url.startswith(ODSFILE)
    out: dict[str, Any] = {
        "uid": a.uid,
        "title": a.title or (a.filename if a.filename is not None else _name(a.url)),
        "description": a.description,
        "mimetype": _mimetype(a),
        "type": "uploaded_file" if uploaded else "url",
    }
    if uploaded:
        out["filename"] = a.filename if a.filename is not None else _name(a.url)
    else:
        out["url"] = a.url
    return out


def _text(given: dict[str, Any], name: str, longest: int, required: bool) -> str | None:
    raw = given.get(name)
    if raw is None:
        if required:
            raise InvalidParameter(name, "This field is required.")
        return None
    if not isinstance(raw, str) or (required and not raw.strip()):
        raise InvalidParameter(
            name, "expected a non-empty string" if required else "expected a string"
        )
    if len(raw) > longest or not raw.replace("\n", "").replace("\t", "").isprintable():
        raise InvalidParameter(name, f"expected printable text of at most {longest} characters")
    return raw


def _type(given: dict[str, Any], allowed: tuple[str, ...]) -> None:
    kind = given.get("type")
    if kind is None:
        raise InvalidParameter("type", "This field is required.")
    if kind not in allowed:
        shown = echo(kind) if isinstance(kind, str) else repr(kind)
        raise InvalidParameter("type", f"expected {' or '.join(allowed)}, got {shown}")


def _all(checks: list[Any]) -> list[Any]:
    """Run every check; every refusal at once, as a validation error lists them."""
    found: list[Any] = []
    refused: list[SimulatorError] = []
    for check in checks:
        try:
            found.append(check())
        except InvalidParameter as exc:
            refused.append(exc)
    if refused:
        raise refused[0] if len(refused) == 1 else InvalidRequest(refused)
    return found


class AttachmentsV1:
    def __init__(self, simulator: Simulator) -> None:
        self.simulator = simulator

    def _json(self, kind: str, a: AttachmentView) -> dict[str, Any]:
        if kind == ATTACHMENTS:
            return attachment_json(a, self.simulator.clock.iso)
        return export_json(a)

    def listed(self, user: User, dataset_uid: str, kind: str) -> list[dict[str, Any]]:
        found = self.simulator.attachments.attached(user, dataset_uid, kind)
        return [self._json(kind, a) for a in found]

    def one(self, user: User, dataset_uid: str, kind: str, uid: str) -> dict[str, Any]:
        found = self.simulator.attachments.attached_one(user, dataset_uid, kind, uid)
        return self._json(kind, found)

    def delete(self, user: User, dataset_uid: str, kind: str, uid: str) -> None:
        self.simulator.attachments.detach(user, dataset_uid, kind, uid)

    def download(
        self, user: User, dataset_uid: str, kind: str, uid: str
    ) -> Download | ElsewhereFile:
        return self.simulator.attachments.download(user, dataset_uid, kind, uid)

    def attach(
        self,
        user: User,
        dataset_uid: str,
        upload: tuple[Any, bytes, str | None] | None,
    ) -> dict[str, Any]:
        """An attachment: the multipart body's file."""
        self.simulator.datasets.get(user, dataset_uid)  # an unknown dataset first
        filename, content, mimetype = _file(upload)
        made = self.simulator.attachments.attach_upload(
            user, dataset_uid, ATTACHMENTS, filename, mimetype, content
        )
        return self._json(ATTACHMENTS, made)

    def create_export(
        self,
        user: User,
        dataset_uid: str,
        form: dict[str, Any],
        upload: tuple[Any, bytes, str | None] | None,
    ) -> dict[str, Any]:
        """An alternative export: ``{title, type: "uploaded_file", file, description}``."""
        self.simulator.datasets.get(user, dataset_uid)
        title, _, description, (filename, content, mimetype) = _all(
            [
                lambda: _text(form, "title", MAX_TITLE, True),
                lambda: _type(form, EXPORT_TYPES[:1]),
                lambda: _text(form, "description", MAX_DESCRIPTION, False),
                lambda: _file(upload),
            ]
        )
        made = self.simulator.attachments.attach_upload(
            user, dataset_uid, EXPORTS, filename, mimetype, content, title, description or ""
        )
        return self._json(EXPORTS, made)

    def update_export(self, user: User, dataset_uid: str, uid: str, body: Any) -> dict[str, Any]:
        """``{title, type, description?}``: the type stays what it is; a description left
        out is kept."""
        current = self.one(user, dataset_uid, EXPORTS, uid)
        if not isinstance(body, dict):
            raise InvalidParameter("body", "expected a JSON object {title, type, description}")
        unknown = set(body) - {"title", "type", "description", "uid", "mimetype", "filename", "url"}
        if unknown:
            raise InvalidParameter(
                sorted(unknown)[0], "unknown field; writable: title, type, description"
            )
        title, _, description = _all(
            [
                lambda: _text(body, "title", MAX_TITLE, True),
                lambda: _type(body, (current["type"],)),
                lambda: _text(body, "description", MAX_DESCRIPTION, False),
            ]
        )
        if description is None:
            description = current["description"]
        done = self.simulator.attachments.describe(
            user, dataset_uid, EXPORTS, uid, title, description
        )
        return self._json(EXPORTS, done)


def _file(upload: tuple[Any, bytes, str | None] | None) -> tuple[Any, bytes, str | None]:
    if upload is None:
        raise InvalidParameter("file", "No file was submitted.")
    return upload
