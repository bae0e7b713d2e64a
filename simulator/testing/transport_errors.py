"""What a client library raises when an HTTP fault fails a call on the wire.

Under interception nothing is on the wire: the interceptor raises what ``requests``
or ``httpx`` would raise had the connection been reset, the answer cut short, or the
answer been later than the client's own read timeout. A delay never waits: with no
timeout, or one longer than ``wall_delay``, the answer comes at once. An answer
without a body cannot be cut short: it comes whole, as from the server.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass
class TransportFault(Exception):
    """An intercepted call an HTTP fault fails on the wire, with the answer it had."""

    kind: str
    wall_delay: float
    answer: tuple[int, list[tuple[str, str]], bytes]


def _read_timeout(timeout: Any) -> float | None:
    """The read timeout of a ``requests`` ``timeout=`` (a number, a pair, a Timeout)."""
    if timeout is None or isinstance(timeout, (int, float)):
        return timeout
    if isinstance(timeout, tuple):
        return timeout[1] if len(timeout) > 1 else None
    read = getattr(timeout, "read_timeout", None)
    return read if isinstance(read, (int, float)) else None


def _late(fault: TransportFault, read_timeout: float | None) -> bool:
    return read_timeout is not None and read_timeout < fault.wall_delay


def urllib3_error(fault: TransportFault, pool: Any, url: str, timeout: Any) -> Exception | None:
    """What ``urllib3``'s ``urlopen`` raises for this call, or ``None`` if it answers
    (a truncated answer is :func:`truncated`'s: it fails as its body is read).

    ``requests`` turns these into its own, as it does off the network: a
    ``ProtocolError`` into ``ConnectionError``, a ``ReadTimeoutError`` into
    ``ReadTimeout``.
    """
    from urllib3.exceptions import ProtocolError, ReadTimeoutError

    if fault.kind == "reset":
        return ProtocolError(
            "Connection aborted.", ConnectionResetError(104, "Connection reset by peer")
        )
    read = _read_timeout(timeout)
    if fault.kind == "delay" and _late(fault, read):
        return ReadTimeoutError(pool, url, f"Read timed out. (read timeout={read})")
    return None


def truncated(fault: TransportFault) -> bytes | None:
    """The part of a truncated answer's body that arrives (half of it), or ``None``
    if the fault does not truncate it. Given with the answer's own ``Content-Length``
    to a ``urllib3.HTTPResponse`` (``enforce_content_length``), reading it raises
    ``ProtocolError``, which ``requests`` turns into ``ChunkedEncodingError``."""
    content = fault.answer[2]
    if fault.kind != "truncate" or not content:
        return None
    return content[: len(content) // 2]


def httpx_error(fault: TransportFault, request: Any) -> Exception | None:
    """What ``httpx`` raises for this call, or ``None`` if it answers."""
    import httpx

    if fault.kind == "reset":
        return httpx.ReadError("[Errno 104] Connection reset by peer", request=request)
    if fault.kind == "truncate" and fault.answer[2]:
        return httpx.RemoteProtocolError(
            "peer closed connection without sending complete message body (incomplete read)",
            request=request,
        )
    timeouts = request.extensions.get("timeout", {})
    if fault.kind == "delay" and _late(fault, timeouts.get("read")):
        return httpx.ReadTimeout("timed out", request=request)
    return None
