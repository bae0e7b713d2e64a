"""Transport faults at the app's edge: what an HTTP fault's ``transport`` does to a call.

The app marks the call in its WSGI environ (:data:`TRANSPORT`): the server, or the
interception, enacts what only it can (a reset, a truncation, the wait of a delay
under interception); a garbled answer is made here, the same for every server.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

#: Where a call keeps the transport fault that fired on it: ``(kind, wall_delay)``.
TRANSPORT = "simulator.transport"

#: What a garbled answer is made of: not JSON from its first byte.
_GARBLE = b"<garbled answer>"


def garbled(size: int) -> bytes:
    """``size`` bytes that are not the answer, nor JSON."""
    return (_GARBLE * (size // len(_GARBLE) + 1))[:size]


def marked(environ: dict[str, Any]) -> tuple[str, float] | None:
    mark = environ.get(TRANSPORT)
    return mark if isinstance(mark, tuple) else None


def garble(environ: dict[str, Any], chunks: Iterable[bytes]) -> Iterable[bytes]:
    """The answer's body, garbled if the call's fault says so (its length kept)."""
    mark = marked(environ)
    if mark is None or mark[0] != "garble":
        return chunks
    try:
        size = sum(len(chunk) for chunk in chunks)
    finally:
        close = getattr(chunks, "close", None)
        if close is not None:
            close()
    return [garbled(size)]
