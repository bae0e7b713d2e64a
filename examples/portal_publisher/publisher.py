"""Publish a CSV file as a dataset on an Opendatasoft portal, and wait until it is live.

A small client of the Management API v2, written the way production code is: it
retries when the platform pushes back (429, 503), waits for publishing with a
growing poll interval and a timeout, and turns the platform's failure statuses
into exceptions. ``sleep`` and ``clock`` are parameters so that tests can run it
in a simulator's virtual time.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import requests


class PublishError(Exception):
    """The platform could not publish the dataset."""

    def __init__(self, message: str, status: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.status = status or {}


class LicenseLimit(PublishError):
    """Publishing stopped at the license's record limit; the records up to it are live."""


class PublishTimeout(PublishError):
    """Publishing took longer than we were ready to wait."""


class ApiError(Exception):
    """The API refused a call."""

    def __init__(self, response: requests.Response) -> None:
        try:
            body = response.json()
        except ValueError:
            body = {}
        self.status_code = response.status_code
        self.error_key = body.get("error_key", "")
        super().__init__(
            f"{response.status_code} {self.error_key}: {body.get('message', response.text)}"
        )


@dataclass
class Publisher:
    domain_url: str  # e.g. https://mydomain.opendatasoft.com
    apikey: str
    poll_every: float = 5.0
    poll_at_most: float = 60.0
    timeout: float = 3600.0
    retries: int = 5
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    session: requests.Session = field(default_factory=requests.Session)

    # the whole job --------------------------------------------------------------------

    def publish_csv(self, title: str, filename: str, content: str) -> dict[str, Any]:
        """Upload, create a dataset with that file, publish it; answer its final status."""
        upload = self.upload(filename, content)
        dataset = self.create_dataset(title)
        uid = dataset["dataset_uid"]
        self.add_resource(uid, upload["url"], title=filename)
        self.publish(uid)
        return {"dataset_uid": uid, **self.wait(uid)}

    # one call each ------------------------------------------------------------------------

    def upload(self, filename: str, content: str) -> dict[str, Any]:
        body = {"filename": filename, "content": content, "mimetype": "text/csv"}
        return self._call("POST", "/files", json=body).json()

    def create_dataset(self, title: str) -> dict[str, Any]:
        return self._call("POST", "/datasets", json={"metas": {"default": {"title": title}}}).json()

    def add_resource(self, uid: str, url: str, title: str) -> dict[str, Any]:
        return self._call(
            "POST", f"/datasets/{uid}/resources", json={"url": url, "title": title}
        ).json()

    def publish(self, uid: str) -> str:
        return self._call("PUT", f"/datasets/{uid}/publish").json()["job_id"]

    def abort(self, uid: str) -> None:
        self._call("PUT", f"/datasets/{uid}/abort_processing")

    def status(self, uid: str) -> dict[str, Any]:
        return self._call("GET", f"/datasets/{uid}/status").json()

    def wait(self, uid: str) -> dict[str, Any]:
        """Poll until the dataset is idle again; raise on error, limit or timeout."""
        started = self.clock()
        interval = self.poll_every
        while True:
            status = self.status(uid)
            name = status["name"]
            if name == "idle":
                return status
            if name == "error":
                raise PublishError(status.get("message", "publishing failed"), status)
            if name == "limit_reached":
                params = status.get("params", {})
                raise LicenseLimit(
                    f"license limit of {params.get('limit')} records reached", status
                )
            if self.clock() - started > self.timeout:
                raise PublishTimeout(f"still {name} after {self.timeout:g} s", status)
            self.sleep(interval)
            interval = min(interval * 1.5, self.poll_at_most)

    # plumbing -------------------------------------------------------------------------------

    def _call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """One API call, retried with backoff when the platform says 429 or 503."""
        url = f"{self.domain_url.rstrip('/')}/api/management/v2{path}"
        headers = {"Authorization": f"Apikey {self.apikey}"}
        delay = 1.0
        for attempt in range(self.retries + 1):
            response = self.session.request(method, url, headers=headers, timeout=30, **kwargs)
            if response.status_code not in (429, 503) or attempt == self.retries:
                break
            retry_after = response.headers.get("Retry-After")
            self.sleep(float(retry_after) if retry_after else delay)
            delay *= 2
        if response.status_code >= 400:
            raise ApiError(response)
        return response
