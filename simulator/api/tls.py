"""HTTPS in front of waitress, which speaks plain HTTP only.

A TLS terminator on the public port: an asyncio loop in a thread accepts each
connection, completes the TLS handshake, and relays the decrypted bytes both ways to
waitress on a Unix socket in a private directory (a loopback port where there are no
Unix sockets). Every HTTP rule waitress applies (body limits and its JSON refusals,
the connection limit, closing idle or half-sent connections) still applies, to each
client connection one to one. The terminator adds its own bounds for what waitress
cannot see: at most ``connection_limit`` connections accepted at once (more wait in
the listen backlog, as with waitress), a handshake must end within ``timeout``
seconds, and a client that stops reading its answer for ``timeout`` seconds is cut.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import ssl
import struct
import threading
from collections.abc import Callable
from typing import Any

#: Bytes read at once from either side.
CHUNK = 64 * 1024
#: Seconds a client has to answer TLS's close_notify before its connection is dropped.
SHUTDOWN_TIMEOUT = 5.0
#: Connections the kernel keeps waiting to be accepted (waitress's own default).
BACKLOG = 1024


def listening_socket(host: str, port: int) -> socket.socket:
    """A TCP socket bound to ``host:port`` and listening (``port=0``: a free one)."""
    infos = socket.getaddrinfo(
        host.strip("[]") or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    )
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(BACKLOG)
        sock.setblocking(False)
    except OSError:
        sock.close()
        raise
    return sock


class TLSFront:
    """Accept TLS on ``host:port``; relay each connection to the plain HTTP ``backend``.

    ``backend`` is a Unix socket path (a ``str``) or a ``(host, port)`` pair.
    """

    def __init__(
        self,
        context: ssl.SSLContext,
        host: str,
        port: int,
        backend: str | tuple[str, int],
        connection_limit: int,
        timeout: float,
    ) -> None:
        self._context = context
        self._backend = backend
        self._limit = connection_limit
        self._timeout = timeout
        self._sock = listening_socket(host, port)
        name = self._sock.getsockname()
        self.host: str = name[0]
        self.port: int = name[1]
        self._loop = asyncio.new_event_loop()
        self._loop.set_exception_handler(_quiet)
        self._main: asyncio.Task[None] | None = None
        self._relays: set[asyncio.Task[None]] = set()
        self._thread: threading.Thread | None = None

    def start(self) -> TLSFront:
        self._thread = threading.Thread(target=self._run, name="simulator-tls", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Close the port and every connection; return once the loop has ended."""
        if self._thread is None:
            self._sock.close()
            self._loop.close()
            return
        with contextlib.suppress(RuntimeError):  # the loop already ended
            self._loop.call_soon_threadsafe(self._cancel)
        self._thread.join(timeout=5)
        self._thread = None

    def _run(self) -> None:
        loop = self._loop
        asyncio.set_event_loop(loop)
        self._main = loop.create_task(self._accept())
        try:
            with contextlib.suppress(asyncio.CancelledError):
                loop.run_until_complete(self._main)
            pending = list(self._relays)
            for task in pending:
                task.cancel()
            if pending:
                loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            loop.run_until_complete(loop.shutdown_asyncgens())
        finally:
            self._sock.close()
            loop.close()

    def _cancel(self) -> None:
        if self._main is not None:
            self._main.cancel()

    async def _accept(self) -> None:
        loop = asyncio.get_running_loop()
        slots = asyncio.Semaphore(self._limit)
        while True:
            await slots.acquire()
            try:
                conn, _ = await loop.sock_accept(self._sock)
            except OSError:  # a connection reset before it was accepted, or out of descriptors
                slots.release()
                await asyncio.sleep(0.05)
                continue
            except BaseException:
                slots.release()
                raise
            task = loop.create_task(self._relay(conn))
            self._relays.add(task)
            task.add_done_callback(self._relays.discard)
            task.add_done_callback(lambda _: slots.release())

    async def _relay(self, conn: socket.socket) -> None:
        loop = asyncio.get_running_loop()
        client: asyncio.StreamWriter | None = None
        server: asyncio.StreamWriter | None = None
        try:
            reader = asyncio.StreamReader(limit=CHUNK)
            protocol = asyncio.StreamReaderProtocol(reader)
            transport, _ = await loop.connect_accepted_socket(
                lambda: protocol,
                conn,
                ssl=self._context,
                ssl_handshake_timeout=self._timeout,
                ssl_shutdown_timeout=min(self._timeout, SHUTDOWN_TIMEOUT),
            )
            client = asyncio.StreamWriter(transport, protocol, reader, loop)
            if isinstance(self._backend, str):
                back_reader, server = await asyncio.open_unix_connection(self._backend)
            else:
                back_reader, server = await asyncio.open_connection(*self._backend)
            # whether a request went to waitress since its last answer: if waitress
            # then closes without answering (an injected reset), so does the relay
            awaiting = [False]
            upstream = loop.create_task(
                self._pump(reader, server, lambda: awaiting.__setitem__(0, True))
            )
            downstream = loop.create_task(
                self._pump(back_reader, client, lambda: awaiting.__setitem__(0, False), awaiting)
            )
            try:
                # the answer side decides: waitress closes when it is done with the
                # connection (idle, half-sent, asked to, or the client went away)
                await downstream
            finally:
                upstream.cancel()
                with contextlib.suppress(asyncio.CancelledError, *_DROPPED):
                    await upstream
            if awaiting[0]:
                _reset(client)
        except _DROPPED:
            pass
        finally:
            for writer in (client, server):
                if writer is not None:
                    writer.transport.abort()
            if client is None:
                conn.close()

    async def _pump(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        moved: Callable[[], object],
        unanswered: list[bool] | None = None,
    ) -> None:
        """Copy until one side ends; then close the other (what is buffered goes out first).

        ``moved`` is told of every chunk copied. The answer side is given ``unanswered``:
        if the request it holds is unanswered when waitress closes, the client's
        connection is left open for the relay to reset.
        """
        try:
            while data := await reader.read(CHUNK):
                writer.write(data)
                moved()
                # a peer that stops reading is given ``timeout`` seconds, then cut
                await asyncio.wait_for(writer.drain(), self._timeout)
        except BaseException:
            writer.close()
            raise
        if unanswered is not None and unanswered[0]:
            return
        writer.close()
        await asyncio.wait_for(writer.wait_closed(), self._timeout)


#: How a connection ends when a peer goes away or speaks something else than TLS.
_DROPPED: tuple[type[Exception], ...] = (
    TimeoutError,
    OSError,
    ssl.SSLError,
    asyncio.IncompleteReadError,
    EOFError,
)


def _reset(writer: asyncio.StreamWriter | None) -> None:
    """Make the connection's close a TCP reset (SO_LINGER with a zero timeout)."""
    sock = None if writer is None else writer.transport.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def _quiet(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    """A client that drops a connection mid-handshake is not worth a traceback."""
