"""The platform guard: in a test session, a call to the platform never reaches the network.

While a guard is on, a call made with ``urllib3`` (so ``requests``), ``httpx`` (sync
and async) or ``aiohttp`` to one of the platform's hosts (``*.opendatasoft.com``,
``*.huwise.com``, and the hosts given) that no interceptor answers raises
:class:`NotIntercepted` instead of going out. The pytest plugin turns it on for every
test (``ods_platform_guard``); other hosts, loopback included, are not touched.

Each library is wrapped once, when a guard or an interceptor is first turned on after
it was imported, and the wrapper stays: with no guard on it only hands the call on.
Interception patches the same methods (for ``aiohttp``, its connector) on top of it, so
calls it answers never reach the guard.
"""

from __future__ import annotations

import fnmatch
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

DEFAULT_HOSTS: tuple[str, ...] = ("*.opendatasoft.com", "*.huwise.com")


class NotIntercepted(RuntimeError):
    """A call to a host no interceptor serves, that must not reach the network.

    Not a ``ConnectionError``: a client that retries on connection errors must not
    swallow it, and ``requests`` does not wrap it.
    """


#: The guards on, innermost last: each one's host patterns.
_guards: list[tuple[str, ...]] = []
_lock = threading.Lock()
#: The libraries wrapped so far, with their originals.
_wrapped: dict[str, Any] = {}


def pool_url(pool: Any, url: str) -> str:
    """The absolute URL a ``urllib3`` pool is asked for (a path, or a proxy's absolute URL)."""
    if url.startswith(("http://", "https://")):
        return url
    port = pool.port
    default = 443 if pool.scheme == "https" else 80
    netloc = pool.host if port in (None, default) else f"{pool.host}:{port}"
    return f"{pool.scheme}://{netloc}{url}"


def matches(url: str, patterns: Iterable[str]) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    return any(fnmatch.fnmatchcase(host, pattern) for pattern in patterns)


def check(url: str, library: str) -> None:
    """Raise if a guard is on and ``url`` is one of its hosts that no interceptor serves."""
    if not _guards or not matches(url, _guards[-1]):
        return
    intercepting = sys.modules.get(f"{__package__}.intercept")
    if intercepting is not None and any(i.serves(url) for i in intercepting._active):
        return
    raise NotIntercepted(
        f"{url}: a call to the platform ({', '.join(_guards[-1])}) through {library} that "
        "nothing intercepts; in a test, use the ods_intercept fixture or intercept(...), or "
        "point the client at the ods fixture's url. Real calls to the platform are refused "
        "while the guard is on (ods_platform_guard)"
    )


@contextmanager
def guard(hosts: Iterable[str] = ()) -> Iterator[None]:
    """Refuse calls to the platform's hosts, and to ``hosts``, that nothing intercepts."""
    patterns = (*DEFAULT_HOSTS, *hosts)
    with _lock:
        wrap_imported()
        _guards.append(patterns)
    try:
        yield
    finally:
        with _lock:
            _guards.remove(patterns)


def wrap_imported() -> None:
    """Wrap the libraries imported by now that are not wrapped yet."""
    for name, wrap in _WRAPPERS.items():
        if name not in _wrapped and name in sys.modules:
            wrap()


def _wrap_urllib3() -> None:
    import urllib3.connectionpool

    pool_class = urllib3.connectionpool.HTTPConnectionPool
    original = _wrapped["urllib3"] = pool_class.urlopen

    def urlopen(pool: Any, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        if _guards:
            check(pool_url(pool, url), "urllib3")
        return original(pool, method, url, *args, **kwargs)

    pool_class.urlopen = urlopen  # type: ignore[method-assign,assignment]  # a wrapper for good


def _wrap_httpx() -> None:
    import httpx

    sync = _wrapped["httpx"] = httpx.HTTPTransport.handle_request
    asynchronous = httpx.AsyncHTTPTransport.handle_async_request

    def handle_request(transport: Any, request: Any) -> Any:
        if _guards:
            check(str(request.url), "httpx")
        return sync(transport, request)

    async def handle_async_request(transport: Any, request: Any) -> Any:
        if _guards:
            check(str(request.url), "httpx")
        return await asynchronous(transport, request)

    httpx.HTTPTransport.handle_request = handle_request  # type: ignore[method-assign,assignment]  # a wrapper for good
    httpx.AsyncHTTPTransport.handle_async_request = handle_async_request  # type: ignore[method-assign,assignment]  # a wrapper for good


def _wrap_aiohttp() -> None:
    import aiohttp

    original = _wrapped["aiohttp"] = aiohttp.ClientSession._request

    async def request(session: Any, method: str, str_or_url: Any, *args: Any, **kwargs: Any) -> Any:
        if _guards:
            build = getattr(session, "_build_url", None)
            check(str(build(str_or_url) if build is not None else str_or_url), "aiohttp")
        return await original(session, method, str_or_url, *args, **kwargs)

    aiohttp.ClientSession._request = request  # type: ignore[method-assign,assignment]  # a wrapper for good


_WRAPPERS: dict[str, Callable[[], None]] = {
    "urllib3": _wrap_urllib3,
    "httpx": _wrap_httpx,
    "aiohttp": _wrap_aiohttp,
}

__all__ = ["DEFAULT_HOSTS", "NotIntercepted", "guard"]
