"""What a client library raises when an HTTP fault fails a call on the wire.

Under interception nothing is on the wire: the interceptor raises what ``requests``
or ``httpx`` would raise had the connection been reset, the answer cut short, or the
answer been later than the client's own read timeout. A delay never waits: with no
timeout, or one longer than ``wall_delay``, the answer comes at once. A stall never
answers: a client with a read timeout times out at once, one without fails the test
(:class:`StalledForever`), since it would wait for ever. An answer
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


class StalledForever(BaseException):
    """A call the platform never answered (``transport: stall``) from a client that set
    no read timeout: on the network it would wait for ever, so the test stops here.

    A ``BaseException``, as :class:`~simulator.testing.virtual_sleep.SleepBudgetExceeded`
    is, so that a client's ``except Exception`` retry loop does not swallow it.
    """

    def __init__(self, url: str) -> None:
        super().__init__(
            f"{url}: the platform never answered this call (transport: stall) and the "
            "client set no read timeout: it would wait for ever"
        )


def stalled(fault: TransportFault, read_timeout: float | None, url: str) -> bool:
    """Whether a stalled call times out on the client's side; raises if it never would."""
    if fault.kind != "stall":
        return False
    if read_timeout is None:
        raise StalledForever(url)
    return True


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
    if stalled(fault, read, url) or (fault.kind == "delay" and _late(fault, read)):
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
    read = request.extensions.get("timeout", {}).get("read")
    if stalled(fault, read, str(request.url)) or (fault.kind == "delay" and _late(fault, read)):
        return httpx.ReadTimeout("timed out", request=request)
    return None
