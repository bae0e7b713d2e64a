"""Publish a dataset and wait for it: the way production code should.

Every call has a timeout; a call the platform pushes back (429, 503, with or
without ``Retry-After``), answers with a server error, or loses on the wire
(connection reset, read timeout, a cut answer) is tried again with backoff; a
publish that went through before its answer was lost is recognised; the wait ends
on ``idle``, ``error`` or ``limit_reached``, and after a deadline at the latest.
It waits with plain ``time.sleep`` and measures with ``time.monotonic``, as
production code does: its tests run it on the simulator's virtual time.
"""

from __future__ import annotations

import time
from typing import Any

import requests

#: What is worth trying again: the platform pushing back, or a call lost on the way.
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
TRANSIENT = (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError)


class PublishFailed(Exception):
    """The dataset could not be published; ``status`` is the platform's last word."""

    def __init__(self, message: str, status: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.status = status or {}


class Waiter:
    def __init__(
        self,
        domain_url: str,
        apikey: str,
        poll_every: float = 10.0,
        deadline: float = 4 * 3600.0,
        attempts: int = 6,
        call_timeout: float = 30.0,
    ) -> None:
        self.api = f"{domain_url.rstrip('/')}/api/management/v2"
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Apikey {apikey}"
        self.poll_every = poll_every
        self.deadline = deadline
        self.attempts = attempts
        self.call_timeout = call_timeout

    def publish_and_wait(self, dataset_uid: str) -> dict[str, Any]:
        """Publish, then poll until the dataset is idle and published; raise otherwise."""
        self.publish(dataset_uid)
        started = time.monotonic()
        while True:
            status = self.call("GET", f"/datasets/{dataset_uid}/status").json()
            name = status["name"]
            if name == "idle":
                if not status.get("published"):
                    raise PublishFailed("the processing was aborted", status)
                return status
            if name == "error":
                raise PublishFailed(status.get("message") or "publishing failed", status)
            if name == "limit_reached":
                raise PublishFailed("the license's record limit was reached", status)
            if time.monotonic() - started > self.deadline:
                raise PublishFailed(f"still {name} after {self.deadline:g} s", status)
            time.sleep(self.poll_every)

    def publish(self, dataset_uid: str) -> None:
        response = self.call("PUT", f"/datasets/{dataset_uid}/publish", accept=(400,))
        # a 400 to a retried publish whose first try went through: the dataset is on its way
        on_its_way = "InvalidDatasetStatusPreconditionException"
        if response.status_code == 400 and response.json().get("error_key") != on_its_way:
            raise PublishFailed(response.json().get("message", response.text))

    def call(self, method: str, path: str, accept: tuple[int, ...] = ()) -> requests.Response:
        """One call, tried again with backoff while the failure is a passing one."""
        delay = 1.0
        for attempt in range(1, self.attempts + 1):
            last = attempt == self.attempts
            try:
                response = self.session.request(method, self.api + path, timeout=self.call_timeout)
            except TRANSIENT:
                if last:
                    raise
                time.sleep(delay)
            else:
                if response.status_code not in RETRY_STATUSES or last:
                    if response.status_code >= 400 and response.status_code not in accept:
                        response.raise_for_status()
                    return response
                retry_after = response.headers.get("Retry-After", "")
                time.sleep(float(retry_after) if retry_after.isdigit() else delay)
            delay = min(delay * 2, 60.0)
        raise AssertionError("unreachable: the last attempt returns or raises")
