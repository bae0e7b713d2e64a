"""Serve an app over HTTP from a background thread, for tests and embedding."""

from __future__ import annotations

import logging
import threading
from types import TracebackType
from typing import Any

from waitress import wasyncore
from waitress.server import create_server

_QUEUE_LOGGER = logging.getLogger("simulator.http.queue")
_QUEUE_LOGGER.setLevel(logging.ERROR)


class LiveServer:
    """A WSGI app on a loopback port, served by waitress in a daemon thread.

    ``port=0`` picks a free port; :attr:`url` tells which. :meth:`stop` closes every
    connection from inside the server's own loop, so it returns at once.
    """

    def __init__(self, app: Any, host: str = "127.0.0.1", port: int = 0, threads: int = 8) -> None:
        self.app = app
        # No proxy-header filtering: the app reads no X-Forwarded-* header, and
        # filtering them out costs every request a pass over its headers.
        self._server = create_server(
            app, host=host, port=port, threads=threads, clear_untrusted_proxy_headers=False
        )
        # waitress warns each time a request has to wait for a free thread: under
        # load, a line on standard error for many requests, which says nothing to
        # a test double's users and slows the server down.
        self._server.task_dispatcher.queue_logger = _QUEUE_LOGGER  # type: ignore[union-attr]
        self.host: str = self._server.effective_host  # type: ignore[union-attr]
        self.port: int = self._server.effective_port  # type: ignore[union-attr]
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
        server.trigger.pull_trigger(lambda: wasyncore.close_all(server._map))  # type: ignore[union-attr]
        server.task_dispatcher.shutdown()  # type: ignore[union-attr]
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
