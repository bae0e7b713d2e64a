"""Serve an app over HTTP from a background thread, for tests and embedding."""

from __future__ import annotations

import contextlib
import json
import logging
import threading
from types import TracebackType
from typing import Any, cast

from waitress import wasyncore
from waitress.channel import HTTPChannel
from waitress.server import create_server
from waitress.task import ErrorTask

from ..domain.errors import BodyTooLarge, HTTPError
from ..domain.limits import MAX_UPLOAD
from .management import errors as management

_QUEUE_LOGGER = logging.getLogger("simulator.http.queue")
_QUEUE_LOGGER.setLevel(logging.ERROR)

#: Open connections served at once; more wait in the listen backlog.
CONNECTION_LIMIT = 1000
#: Seconds a connection may stay idle, or half-sent, before it is closed.
CHANNEL_TIMEOUT = 60
#: Seconds between sweeps for such connections.
CLEANUP_INTERVAL = 10


class _JSONErrorTask(ErrorTask):
    """waitress's own refusals (a bad chunk, headers or a body too large) in the API's shape."""

    def execute(self) -> None:
        # waitress hands an error task the request parser that failed (its stubs say the
        # error itself): the parser's ``error`` is the refusal
        parser: Any = self.request
        error = parser.error
        refusal = (
            BodyTooLarge(self.channel.adj.max_request_body_size)
            if error.code == 413
            else HTTPError(error.code, f"{error.reason}: {error.body}")
        )
        body = json.dumps(management.body(refusal))
        payload = (body + "\n").encode("utf-8")
        self.status = f"{error.code} {error.reason}"
        self.response_headers = [*self.response_headers, ("Content-Type", "application/json")]
        self.set_close_on_finish()
        self.content_length = len(payload)
        self.write(payload)


class _Channel(HTTPChannel):
    error_task_class = _JSONErrorTask


class LiveServer:
    """A WSGI app on a loopback port, served by waitress in a daemon thread.

    ``port=0`` picks a free port; :attr:`url` tells which. :meth:`stop` closes every
    connection from inside the server's own loop, so it returns at once.

    Up to ``connection_limit`` connections are served at once; one idle or half-sent
    for ``channel_timeout`` seconds is closed. Bodies larger than the app accepts
    (``max_body``: the larger of the body and upload limits) are refused before
    waitress buffers them whole.
    """

    def __init__(
        self,
        app: Any,
        host: str = "127.0.0.1",
        port: int = 0,
        threads: int = 8,
        connection_limit: int = CONNECTION_LIMIT,
        channel_timeout: int = CHANNEL_TIMEOUT,
        max_body: int = MAX_UPLOAD,
    ) -> None:
        self.app = app
        # No proxy-header filtering: the app reads no X-Forwarded-* header, and
        # filtering them out costs every request a pass over its headers
        # (bench/http_load.py, status reads: 1,548 against 1,392 a second, 679 against
        # 765 us of server CPU each, median of three alternated runs). One host and
        # port make one TCP server, whose attributes used here waitress's stubs lack.
        self._server: Any = cast(
            Any,
            create_server(
                app,
                host=host,
                port=port,
                threads=threads,
                clear_untrusted_proxy_headers=False,
                connection_limit=connection_limit,
                channel_timeout=channel_timeout,
                cleanup_interval=min(CLEANUP_INTERVAL, channel_timeout),
                # poll(), not select(): select() cannot watch more than 1,024 descriptors
                asyncore_use_poll=True,
                # the app answers 413 itself up to here; past it, waitress does
                max_request_body_size=max_body + 2**20,
            ),
        )
        self._server.channel_class = _Channel
        # waitress warns each time a request has to wait for a free thread: under
        # load, a line on standard error for many requests, which says nothing to
        # a test double's users and slows the server down.
        self._server.task_dispatcher.queue_logger = _QUEUE_LOGGER
        self.host: str = self._server.effective_host
        self.port: int = self._server.effective_port
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def start(self) -> LiveServer:
        self._thread = threading.Thread(target=self._server.run, name="simulator-http", daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in the calling thread until interrupted."""
        self._server.run()

    def stop(self) -> None:
        server = self._server
        with contextlib.suppress(OSError):  # its loop already ended: nothing is left open
            server.trigger.pull_trigger(lambda: wasyncore.close_all(server._map))
        server.task_dispatcher.shutdown()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> LiveServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
