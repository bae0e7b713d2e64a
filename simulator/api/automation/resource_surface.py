"""The Automation API's resources, their files and the extractors, over the service.

One method per operation served; each takes what a request carries and answers
JSON-ready data. Resources are the Management API's: a resource made on one surface
reads the same on the other.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from ...domain.errors import InvalidParameter, InvalidStatusPrecondition, NotFound, UnknownFile
from ...domain.extractors import CATALOGUE as EXTRACTORS
from ...domain.extractors import guess, guessed_params
from ...domain.limits import echo
from ...domain.models import User
from ...domain.store import ODSFILE
from ...service import Simulator
from ...service.commands import Body
from ...service.views import Download, ResourceView
from . import datasources as read
from .datasources import extractor_json, file_json, preview_json, resource_json


class ResourcesV1:
    def __init__(self, simulator: Simulator) -> None:
        self.simulator = simulator

    # resources ---------------------------------------------------------------------------

    def list_resources(self, user: User, dataset_uid: str) -> list[dict[str, Any]]:
        return [resource_json(r) for r in self.simulator.resources.list(user, dataset_uid)]

    def get_resource(self, user: User, dataset_uid: str, resource_uid: str) -> dict[str, Any]:
        return resource_json(self.simulator.resources.get(user, dataset_uid, resource_uid))

    def _connected(self, user: User, body: Any) -> Any:
        """The body with a saved connection (``connection: {uid}``) given as its URL."""
        source = body.get("datasource") if isinstance(body, dict) else None
        if not isinstance(source, dict):
            return body
        connection = source.get("connection")
        if not isinstance(connection, dict) or "url" in connection or "uid" not in connection:
            return body
        uid = connection["uid"]
        try:
            found = self.simulator.connections.get(user, uid) if isinstance(uid, str) else None
        except NotFound:
            found = None
        if found is None or found.type != "http" or not found.url:
            raise InvalidParameter(
                "datasource.connection", f"no http connection {echo(str(uid))} is known"
            )
        return {**body, "datasource": {**source, "connection": {"type": "http", "url": found.url}}}

    def create_resource(self, user: User, dataset_uid: str, body: Any) -> dict[str, Any]:
        self.simulator.datasets.get(user, dataset_uid)  # an unknown dataset first
        body = self._connected(user, body)
        with _datasource_named():
            made = self.simulator.resources.create_resource(
                user, dataset_uid, Body(lambda: read.resource(body))
            )
        return resource_json(made)

    def update_resource(
        self, user: User, dataset_uid: str, resource_uid: str, body: Any
    ) -> dict[str, Any]:
        current = self.simulator.resources.get(user, dataset_uid, resource_uid)
        body = self._connected(user, body)
        # a simulated source (no uploaded file behind it) keeps its counts while it stays
        simulated = current if not self._uploaded(user, current.url) else None
        with _datasource_named():
            done = self.simulator.resources.replace_resource(
                user,
                dataset_uid,
                resource_uid,
                Body(lambda: read.resource(body, current, simulated)),
            )
        return resource_json(done)

    def _uploaded(self, user: User, url: str) -> bool:
        if not url.startswith(ODSFILE):
            return False
        try:
            self.simulator.files.file(user, url.removeprefix(ODSFILE))
        except UnknownFile:
            return False
        return True

    def delete_resource(self, user: User, dataset_uid: str, resource_uid: str) -> None:
        self.simulator.resources.delete_resource(user, dataset_uid, resource_uid)

    # previews and guesses ----------------------------------------------------------------

    def preview(self, user: User, dataset_uid: str, resource_uid: str) -> dict[str, Any]:
        return preview_json(self.simulator.processing.preview(user, dataset_uid, resource_uid))

    def unsaved_preview(self, user: User, dataset_uid: str, body: Any) -> dict[str, Any]:
        self.simulator.datasets.get(user, dataset_uid)
        body = self._connected(user, body)
        done = self.simulator.processing.resource_preview(
            user, dataset_uid, Body(lambda: read.unsaved(body))
        )
        return preview_json(done)

    def guess_extractors(self, user: User, dataset_uid: str, resource_uid: str) -> list[Any]:
        found = self.simulator.resources.get(user, dataset_uid, resource_uid)
        return [extractor_json(e) for e in _guessed(found)]

    def guess_unsaved_extractors(self, user: User, dataset_uid: str, body: Any) -> list[Any]:
        self.simulator.datasets.get(user, dataset_uid)  # an unknown dataset first
        url = read.source_url(_datasource(self._connected(user, body)))
        return [extractor_json(e) for e in guess(url)]

    def guess_params(self, user: User, dataset_uid: str, resource_uid: str) -> dict[str, Any]:
        found = self.simulator.resources.get(user, dataset_uid, resource_uid)
        extractor = read.resource_json(found)["type"]
        return {"extractor": extractor, "params": guessed_params(extractor)}

    def guess_unsaved_params(self, user: User, dataset_uid: str, body: Any) -> dict[str, Any]:
        self.simulator.datasets.get(user, dataset_uid)
        spec = read.unsaved(self._connected(user, body))
        extractor = spec.type or "csvfile"
        return {"extractor": extractor, "params": guessed_params(extractor)}

    def clean_cache(self, user: User, dataset_uid: str, resource_uid: str) -> None:
        """The simulator caches no download: nothing to clean, once the resource is found."""
        self.simulator.resources.get(user, dataset_uid, resource_uid)

    def realtime_action(
        self, user: User, dataset_uid: str, resource_uid: str, action: str
    ) -> dict[str, Any]:
        """``recover`` or ``scratch`` (delete_recover_data): the dataset must be published."""
        found = self.simulator.resources.get(user, dataset_uid, resource_uid)
        status = self.simulator.datasets.status(user, dataset_uid)
        if not status.published:
            raise InvalidStatusPrecondition(status.status.value, "published")
        self.simulator.resources.realtime_action(user, dataset_uid, resource_uid, action)
        return resource_json(found)

    def set_push(
        self, user: User, dataset_uid: str, resource_uid: str, enabled: bool
    ) -> dict[str, Any]:
        """``enable`` and ``disable``: whether a realtime resource takes pushed records."""
        done = self.simulator.resources.set_push(user, dataset_uid, resource_uid, enabled)
        return resource_json(done)

    def renew_api_key(self, user: User, dataset_uid: str, resource_uid: str) -> dict[str, Any]:
        """The simulator's pushes authenticate with API keys: a resource has no key to renew."""
        return resource_json(self.simulator.resources.realtime(user, dataset_uid, resource_uid))

    # files -------------------------------------------------------------------------------

    def upload_file(
        self, user: User, dataset_uid: str, filename: Any, mimetype: str | None, content: bytes
    ) -> dict[str, Any]:
        self.simulator.datasets.get(user, dataset_uid)
        made = self.simulator.files.upload_file(user, filename, mimetype, content)
        return file_json(made, self.simulator.clock.iso)

    def get_file(self, user: User, dataset_uid: str, file_uid: str) -> dict[str, Any]:
        self.simulator.datasets.get(user, dataset_uid)
        return file_json(self.simulator.files.file(user, file_uid), self.simulator.clock.iso)

    def download_file(self, user: User, dataset_uid: str, file_uid: str) -> Download:
        self.simulator.datasets.get(user, dataset_uid)
        return self.simulator.files.download_file(user, file_uid)

    # extractors --------------------------------------------------------------------------

    def list_extractors(self, user: User) -> list[dict[str, Any]]:
        self.simulator.processing.processor_names(user)  # who may read the catalogues
        return [extractor_json(e) for e in EXTRACTORS.values()]


@contextmanager
def _datasource_named() -> Iterator[None]:
    """The service names a resource's source ``url``; this API calls it ``datasource``."""
    try:
        yield
    except InvalidParameter as exc:
        if exc.raw_params.get("parameter") != "url":
            raise
        raise InvalidParameter("datasource", str(exc.raw_params.get("reason", ""))) from None


def _datasource(body: Any) -> Any:
    return body.get("datasource") if isinstance(body, dict) else None


def _guessed(found: ResourceView) -> list[Any]:
    if found.type == "realtime":
        return [EXTRACTORS["realtime"]]
    return guess(found.url.removeprefix(ODSFILE))
