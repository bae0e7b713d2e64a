"""Serve an app over HTTP (or HTTPS) from a background thread, for tests and embedding."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import socket
import struct
import tempfile
import threading
from types import TracebackType
from typing import Any, cast

from waitress import wasyncore
from waitress.channel import HTTPChannel
from waitress.server import create_server
from waitress.task import ErrorTask, WSGITask

from ..domain.errors import BodyTooLarge, HTTPError
from ..domain.limits import MAX_UPLOAD
from .certificates import ServerCertificate
from .management import errors as management
from .tls import TLSFront
from .transport import marked

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


#: Transport faults after which no answer goes out: the connection is reset.
_UNANSWERED = frozenset({"reset", "stall"})


class _FaultTask(WSGITask):
    """A call answered as waitress does, unless an HTTP fault fails it on the wire.

    ``reset`` (and ``stall``, once its wait is over): nothing is written and the
    connection closes with a TCP reset.
    ``truncate``: the headers and half the body go out, then the connection closes,
    short of the ``Content-Length`` the headers promised.
    """

    def _fault(self) -> str | None:
        mark = marked(self.environ) if self.environ is not None else None
        return None if mark is None else mark[0]

    def write(self, data: bytes) -> None:
        fault = self._fault()
        if fault in _UNANSWERED:  # nothing goes out
            self.content_bytes_written += len(data)
            return
        if fault == "truncate" and self.content_length:
            room = max(0, self.content_length // 2 - self.content_bytes_written)
            super().write(data[:room])
            self.content_bytes_written += len(data) - len(data[:room])  # as if all went
            return
        if fault == "truncate" and self.wrote_header and self.chunked_response:
            return  # a chunked answer of unknown length: its first chunk's half only
        if fault == "truncate" and self.complete and self.content_length is None:
            data = data[: len(data) // 2]
        super().write(data)

    def finish(self) -> None:
        fault = self._fault()
        if fault in _UNANSWERED:
            # SO_LINGER with a zero timeout: closing the socket sends a reset
            sock = self.channel.socket
            with contextlib.suppress(OSError):  # gone already: nothing left to reset
                if sock is not None:
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_on_finish = True
            return
        if fault == "truncate":
            self.close_on_finish = True
            if not self.wrote_header:
                super().write(b"")
            self.chunked_response = False  # no last chunk: the answer never ends
            return
        super().finish()


class _Channel(HTTPChannel):
    error_task_class = _JSONErrorTask
    task_class = _FaultTask


class LiveServer:
    """A WSGI app on a loopback port, served by waitress in a daemon thread.

    ``port=0`` picks a free port; :attr:`url` tells which. :meth:`stop` closes every
    connection from inside the server's own loop, so it returns at once.

    Up to ``connection_limit`` connections are served at once; one idle or half-sent
    for ``channel_timeout`` seconds is closed. Bodies larger than the app accepts
    (``max_body``: the larger of the body and upload limits) are refused before
    waitress buffers them whole.

    With ``private``, it listens on a Unix socket only this user can open
    (:attr:`unix_socket`), as the HTTP answerer of an interception (see
    :mod:`simulator.testing.intercept`).

    With ``tls`` (a :class:`~simulator.api.certificates.ServerCertificate`), the port
    speaks HTTPS: a TLS terminator (:mod:`simulator.api.tls`) accepts there and relays
    to waitress on a private Unix socket, so every bound above still holds.
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
        tls: ServerCertificate | None = None,
        private: bool = False,
    ) -> None:
        self.app = app
        self.tls = tls
        self._front: TLSFront | None = None
        self._private: str | None = None
        listen: dict[str, Any] = {"host": host, "port": port}
        if tls is not None or private:
            listen = self._private_listen()
        #: With ``private``, the Unix socket it listens on (None where there are none).
        self.unix_socket: str | None = listen.get("unix_socket") if private else None
        if tls is not None:
            # waitress counts its own socket and its trigger against its limit; behind
            # the terminator, which holds the limit, every connection it relays is served
            connection_limit += 2
        # No proxy-header filtering: the app reads no X-Forwarded-* header, and
        # filtering them out costs every request a pass over its headers
        # (bench/http_load.py, status reads: 1,548 against 1,392 a second, 679 against
        # 765 us of server CPU each, median of three alternated runs). One host and
        # port make one TCP server, whose attributes used here waitress's stubs lack.
        self._server: Any = cast(
            Any,
            create_server(
                app,
                **listen,
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
        self._thread: threading.Thread | None = None
        if tls is None:
            unix = listen.get("unix_socket") is not None
            self.host: str = "localhost" if unix else self._server.effective_host
            self.port: int = 0 if unix else self._server.effective_port
            return
        backend = listen.get("unix_socket") or (
            self._server.effective_host,
            self._server.effective_port,
        )
        try:
            self._front = TLSFront(
                tls.context, host, port, backend, connection_limit - 2, channel_timeout
            )
        except OSError:
            self._close_waitress()
            raise
        self.host = self._front.host
        self.port = self._front.port

    def _private_listen(self) -> dict[str, Any]:
        """Where waitress listens behind the TLS terminator: a Unix socket only we can open."""
        if not hasattr(socket, "AF_UNIX"):
            return {"host": "127.0.0.1", "port": 0, "url_scheme": "https"}
        self._private = tempfile.mkdtemp(prefix="ods-simulator-")
        return {
            "unix_socket": os.path.join(self._private, "http.sock"),
            "unix_socket_perms": "600",
            # the app sees the scheme its callers used (pages' next links, for one)
            "url_scheme": "https",
        }

    @property
    def scheme(self) -> str:
        return "http" if self.tls is None else "https"

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{host}:{self.port}"

    def start(self) -> LiveServer:
        if self._front is not None:
            self._front.start()
        self._thread = threading.Thread(target=self._server.run, name="simulator-http", daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in the calling thread until interrupted."""
        if self._front is not None:
            self._front.start()
        try:
            self._server.run()
        finally:
            if self._front is not None:
                self._front.stop()
            self._remove_private()

    def stop(self) -> None:
        if self._front is not None:
            self._front.stop()
        self._close_waitress()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        self._remove_private()

    def _remove_private(self) -> None:
        if self._private is not None:
            shutil.rmtree(self._private, ignore_errors=True)
            self._private = None

    def _close_waitress(self) -> None:
        server = self._server
        # the requests under way finish first: each pulls the trigger as it ends, which
        # must still be open then
        server.task_dispatcher.shutdown()
        with contextlib.suppress(OSError):  # its loop already ended: nothing is left open
            server.trigger.pull_trigger(lambda: wasyncore.close_all(server._map))

    def __enter__(self) -> LiveServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
