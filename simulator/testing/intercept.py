"""Interception: client code that calls the real platform talks to a simulator instead.

While an :class:`Interceptor` is active, ``urllib3`` (so ``requests``) and ``httpx``
(sync and async, if installed) send calls to ``https://<anything>.opendatasoft.com/...``,
to the platform's newer ``https://<anything>.huwise.com/...`` and to any configured host
to an in-process simulator, through WSGI: no socket, no change to the code under test;
what comes back is what the library builds from the network (a real
``urllib3.HTTPResponse`` under ``requests``). Calls to
other hosts fail loudly, except on loopback, unless ``passthrough=True`` lets them
through. The transport methods of both libraries
are patched while interception is active, and restored after; ``aiohttp``, which reads
its answers from a connection, is connected to a private server of the same app on a
Unix socket instead.

    with intercept(scenario="scenarios/license-limit.yaml") as ods:
        my_client.publish_everything()          # https://mydomain.opendatasoft.com/...
        ods.assert_transitions("trees", "idle > queued > processing > limit_reached")
"""

from __future__ import annotations

import fnmatch
import functools
import io
import sys
import threading
from collections.abc import Callable, Iterable
from http import HTTPStatus
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar
from urllib.parse import unquote_to_bytes, urljoin, urlsplit

from flask import Flask

from ..api import create_app
from ..api.app import use_simulator
from ..api.app_context import EXTENSION
from ..api.control.guard import IN_PROCESS
from ..api.server import LiveServer
from ..api.transport import marked
from ..scenario.loading import load_scenario_text
from ..service import Simulator
from .guard import DEFAULT_HOSTS, NotIntercepted, pool_url, wrap_imported
from .handle import ScenarioSource, SimulatorHandle, to_scenario
from .transport_errors import TransportFault, httpx_error, truncated, urllib3_error

F = TypeVar("F", bound=Callable[..., Any])

LOOPBACK: frozenset[str] = frozenset({"localhost", "127.0.0.1", "::1"})
_FRAMING = frozenset({"TRANSFER_ENCODING", "CONTENT_LENGTH"})

#: Interceptors active now, innermost last; apps no active interceptor uses.
_active: list[Interceptor] = []
_free_apps: list[Flask] = []
_lock = threading.RLock()
_originals: dict[str, Any] = {}


class Interceptor:
    """Routes calls to the platform's hosts to an in-process simulator.

    ``hosts`` adds glob patterns to ``*.opendatasoft.com``. Credentials are
    required but any key or password is accepted as the scenario's first user
    (``any_credentials``), since client code carries its real ones.
    """

    def __init__(
        self,
        scenario: ScenarioSource | None = None,
        *,
        hosts: Iterable[str] = (),
        passthrough: bool = False,
        any_credentials: bool = True,
        simulator: Simulator | None = None,
        base: Path | None = None,
        **overrides: Any,
    ) -> None:
        self.hosts = (*DEFAULT_HOSTS, *hosts)
        self.passthrough = passthrough
        if simulator is None:
            start = to_scenario(scenario, base) if scenario is not None else load_scenario_text("")
            simulator = Simulator(start, overrides={**overrides, "clock_mode": "manual"})
        simulator.any_credentials = any_credentials
        self.simulator = simulator
        self.app: Flask | None = None
        self.handle = SimulatorHandle(simulator, "https://simulator.opendatasoft.com", base)
        #: The server that answers ``aiohttp``'s calls, started at the first one.
        self._bridge: LiveServer | None = None

    # activation ----------------------------------------------------------------------

    def start(self) -> SimulatorHandle:
        with _lock:
            # building an app takes tens of milliseconds: borrow one that is free
            app = _free_apps.pop() if _free_apps else create_app(simulator=self.simulator)
            self.app = use_simulator(app, self.simulator)
            wrap_imported()  # the guard's wrappers first: interception patches on top
            if not _active:
                _patch()
            _active.append(self)
        return self.handle

    def stop(self) -> None:
        with _lock:
            if self in _active:
                _active.remove(self)
                assert self.app is not None
                # a free app keeps no simulator: this one's world can go once it is done with
                self.app.extensions.pop(EXTENSION, None)
                _free_apps.append(self.app)
                self.app = None
            bridge, self._bridge = self._bridge, None
            if not _active:
                _unpatch()
        if bridge is not None:
            bridge.stop()

    def bridge(self) -> LiveServer:
        """The server ``aiohttp``'s calls reach: the same app, on a private Unix socket
        (``aiohttp`` reads its answers from a connection: it cannot be handed one)."""
        with _lock:
            if self._bridge is None:
                assert self.app is not None, "the interceptor is not active"
                self._bridge = LiveServer(self.app, threads=2, private=True).start()
            return self._bridge

    def __enter__(self) -> SimulatorHandle:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def __call__(self, func: F) -> F:
        """Use as a decorator: interception is active while the function runs."""

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self:
                return func(*args, **kwargs)

        return wrapper  # type: ignore[return-value]  # functools.wraps keeps func's signature

    # routing -------------------------------------------------------------------------

    def serves(self, url: str) -> bool:
        host = (urlsplit(url).hostname or "").lower()
        return any(fnmatch.fnmatchcase(host, pattern) for pattern in self.hosts)

    def call(
        self, method: str, url: str, headers: Any, body: bytes
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        """Answer one call through the app, as a WSGI server would (PEP 3333)."""
        assert self.app is not None, "the interceptor is not active"
        parts = urlsplit(url)
        secure = parts.scheme == "https"
        environ: dict[str, Any] = {
            "REQUEST_METHOD": method.upper(),
            "SCRIPT_NAME": "",
            "PATH_INFO": unquote_to_bytes(parts.path or "/").decode("latin-1"),
            "QUERY_STRING": parts.query,
            "SERVER_NAME": parts.hostname or "localhost",
            "SERVER_PORT": str(parts.port or (443 if secure else 80)),
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": parts.scheme or "http",
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": io.StringIO(),
            "wsgi.multithread": True,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
            "CONTENT_LENGTH": str(len(body)),
            IN_PROCESS: True,
        }
        for name, value in headers.items():
            key = name.upper().replace("-", "_")
            if key == "CONTENT_TYPE":
                environ["CONTENT_TYPE"] = value
            elif key not in _FRAMING:  # the body arrives whole: framing no longer applies
                environ[f"HTTP_{key}"] = value
        answer: list[Any] = []
        written: list[bytes] = []  # by WSGI's write(), before the iterable (Flask does not)

        def start_response(
            status: str, response_headers: list[tuple[str, str]], exc_info: Any = None
        ) -> Callable[[bytes], object]:
            answer.extend((status, response_headers))
            return written.append

        chunks = self.app(environ, start_response)
        try:
            content = b"".join([*written, *chunks])
        finally:
            close = getattr(chunks, "close", None)
            if close is not None:
                close()
        status, response_headers = answer
        result = int(status.split(" ", 1)[0]), list(response_headers), content
        mark = marked(environ)
        if mark is not None and mark[0] != "garble":  # the app garbles; the rest is ours
            raise TransportFault(mark[0], mark[1], result)
        return result


def intercept(scenario: ScenarioSource | None = None, **options: Any) -> Interceptor:
    """An :class:`Interceptor`: a context manager, or a decorator."""
    return Interceptor(scenario, **options)


def current() -> SimulatorHandle:
    """The handle of the innermost active interceptor (e.g. inside a decorated test)."""
    if not _active:
        raise RuntimeError("no interception is active")
    return _active[-1].handle


def _route(url: str) -> Interceptor | None:
    """The interceptor that serves this URL, or None to let it through; else raise."""
    if not _active:  # between an interceptor's stop and the patch's removal
        return None
    for interceptor in reversed(_active):
        if interceptor.serves(url):
            return interceptor
    host = (urlsplit(url).hostname or "").lower()
    if host in LOOPBACK or any(i.passthrough for i in _active):
        return None
    hosts = ", ".join(dict.fromkeys(h for i in _active for h in i.hosts))
    raise NotIntercepted(
        f"{url}: the host is not intercepted ({hosts}) and passthrough is off; "
        "add it with hosts=[...] or allow real calls with passthrough=True"
    )


def _body(data: Any) -> bytes:
    if data is None:
        return b""
    if isinstance(data, bytes):
        return data
    if isinstance(data, str):
        return data.encode("utf-8")
    if hasattr(data, "read"):
        return data.read()
    return b"".join(chunk if isinstance(chunk, bytes) else chunk.encode() for chunk in data)


# urllib3 (and requests, which sends through it) -------------------------------------------

_URLOPEN_ARGS = (
    "body",
    "headers",
    "retries",
    "redirect",
    "assert_same_host",
    "timeout",
    "pool_timeout",
    "release_conn",
    "chunked",
    "body_pos",
    "preload_content",
    "decode_content",
)


def _urlopen(pool: Any, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
    """``HTTPConnectionPool.urlopen``: intercepted hosts answered by the app, as a socket would.

    What comes back is a real ``urllib3.HTTPResponse`` over the answer's bytes, so
    ``requests`` builds its response as it does from the network (``raw``, streaming,
    ``iter_content``, ``raise_for_status``), and urllib3's own ``Retry`` (statuses,
    ``Retry-After``, redirects) runs as it would.
    """
    full = pool_url(pool, url)
    interceptor = _route(full)
    if interceptor is None:
        return _originals["urllib3"](pool, method, url, *args, **kwargs)
    params = dict(zip(_URLOPEN_ARGS, args, strict=False))
    params.update(kwargs)
    return _answer(pool, interceptor, method, full, params)


def _answer(
    pool: Any, interceptor: Interceptor, method: str, url: str, params: dict[str, Any]
) -> Any:
    from urllib3 import HTTPHeaderDict, HTTPResponse
    from urllib3.util.retry import Retry

    body = _body(params.get("body"))
    headers = params.get("headers")
    if headers is None:
        headers = pool.headers
    redirect = params.get("redirect", True)
    retries = params.get("retries")
    if not isinstance(retries, Retry):
        retries = Retry.from_int(retries, redirect=redirect, default=pool.retries)
    again: dict[str, Any] = {**params, "body": body}
    cut: bytes | None = None
    try:
        status, response_headers, content = interceptor.call(method, url, headers, body)
    except TransportFault as fault:
        error = urllib3_error(fault, pool, url, params.get("timeout"))
        if error is not None:
            # as urlopen does with an error off the network: retried if its Retry allows,
            # else raised (requests turns it into ConnectionError or ReadTimeout)
            retries = retries.increment(method, url, error=error, _pool=pool)
            retries.sleep()
            return _answer(pool, interceptor, method, url, {**again, "retries": retries})
        status, response_headers, content = fault.answer
        cut = truncated(fault)
    answered = HTTPHeaderDict()
    for name, value in response_headers:
        answered.add(name, value)
    response = HTTPResponse(
        body=io.BytesIO(content if cut is None else cut),
        headers=answered,
        status=status,
        version=11,
        version_string="HTTP/1.1",
        reason=_phrase(status),
        preload_content=params.get("preload_content", True),
        decode_content=params.get("decode_content", True),
        retries=retries,
        request_method=method,
        request_url=url,
        enforce_content_length=True,
    )
    location = redirect and response.get_redirect_location()
    if location:
        if status == 303:
            method, again["body"] = "GET", None
        retries = retries.increment(method, url, response=response, _pool=pool)
        response.drain_conn()
        retries.sleep_for_retry(response)
        return _answer(
            pool, interceptor, method, urljoin(url, location), {**again, "retries": retries}
        )
    if retries.is_retry(method, status, bool(response.headers.get("Retry-After"))):
        from urllib3.exceptions import MaxRetryError

        try:
            retries = retries.increment(method, url, response=response, _pool=pool)
        except MaxRetryError:
            if retries.raise_on_status:
                response.drain_conn()
                raise
            return response
        response.drain_conn()
        retries.sleep(response)  # time.sleep: virtual under virtual sleep
        return _answer(pool, interceptor, method, url, {**again, "retries": retries})
    return response


def _phrase(status: int) -> str:
    return HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else ""


def _requests_settings(
    session: Any, url: str, proxies: Any, stream: Any, verify: Any, cert: Any
) -> Any:
    """Session settings; for intercepted URLs without reading the environment's proxies.

    Nothing intercepted goes to the network, so proxy variables do not apply, and
    reading them costs a third of an intercepted call (bench/plugin.py: a status read
    through ``requests`` took 0.93 ms with them read, 0.63 ms without).
    """
    if not any(i.serves(url) for i in _active):
        return _originals["requests_settings"](session, url, proxies, stream, verify, cert)
    from requests.sessions import merge_setting

    return {
        "proxies": merge_setting(proxies, session.proxies),
        "stream": merge_setting(stream, session.stream),
        "verify": merge_setting(verify, session.verify),
        "cert": merge_setting(cert, session.cert),
    }


# httpx --------------------------------------------------------------------------------


def _httpx_handle(transport: Any, request: Any) -> Any:
    interceptor = _route(str(request.url))
    if interceptor is None:
        return _originals["httpx"](transport, request)
    import httpx

    try:
        status, headers, content = interceptor.call(
            request.method, str(request.url), request.headers, request.read()
        )
    except TransportFault as fault:
        error = httpx_error(fault, request)
        if error is not None:
            raise error from None
        status, headers, content = fault.answer
    return httpx.Response(status, headers=headers, content=content, request=request)


async def _httpx_handle_async(transport: Any, request: Any) -> Any:
    interceptor = _route(str(request.url))
    if interceptor is None:
        return await _originals["httpx_async"](transport, request)
    import httpx

    body = await request.aread()
    try:
        status, headers, content = interceptor.call(
            request.method, str(request.url), request.headers, body
        )
    except TransportFault as fault:
        error = httpx_error(fault, request)
        if error is not None:
            raise error from None
        status, headers, content = fault.answer
    return httpx.Response(status, headers=headers, content=content, request=request)


# aiohttp --------------------------------------------------------------------------------


async def _aiohttp_connect(connector: Any, request: Any, traces: Any, timeout: Any) -> Any:
    """``TCPConnector._create_connection``: an intercepted host's connection goes to its
    interceptor's private server, whatever the URL's host, port and scheme say."""
    interceptor = _route(str(request.url))
    if interceptor is None:
        return await _originals["aiohttp"](connector, request, traces, timeout)
    bridge = interceptor.bridge()
    loop = connector._loop
    if bridge.unix_socket is not None:
        _, protocol = await loop.create_unix_connection(connector._factory, bridge.unix_socket)
    else:
        _, protocol = await loop.create_connection(connector._factory, bridge.host, bridge.port)
    return protocol


def _patch() -> None:
    import requests.sessions
    import urllib3.connectionpool

    pool = urllib3.connectionpool.HTTPConnectionPool
    _originals["urllib3"] = pool.urlopen
    pool.urlopen = _urlopen  # type: ignore[method-assign,assignment]  # patched, restored by _unpatch
    _originals["requests_settings"] = requests.sessions.Session.merge_environment_settings
    requests.sessions.Session.merge_environment_settings = _requests_settings  # type: ignore[method-assign,assignment]  # patched, restored by _unpatch
    if "aiohttp" in sys.modules:  # imported by the code under test: no import paid otherwise
        import aiohttp

        _originals["aiohttp"] = aiohttp.TCPConnector._create_connection
        aiohttp.TCPConnector._create_connection = _aiohttp_connect  # type: ignore[method-assign,assignment]  # patched, restored by _unpatch
    try:
        import httpx
    except ImportError:
        return
    _originals["httpx"] = httpx.HTTPTransport.handle_request
    _originals["httpx_async"] = httpx.AsyncHTTPTransport.handle_async_request
    httpx.HTTPTransport.handle_request = _httpx_handle  # type: ignore[method-assign,assignment]  # patched, restored by _unpatch
    httpx.AsyncHTTPTransport.handle_async_request = _httpx_handle_async  # type: ignore[method-assign,assignment]  # patched, restored by _unpatch


def _unpatch() -> None:
    import requests.sessions
    import urllib3.connectionpool

    urllib3.connectionpool.HTTPConnectionPool.urlopen = _originals.pop("urllib3")  # type: ignore[method-assign]  # the original, restored
    requests.sessions.Session.merge_environment_settings = _originals.pop("requests_settings")  # type: ignore[method-assign]  # the original, restored
    if "aiohttp" in _originals:
        import aiohttp

        aiohttp.TCPConnector._create_connection = _originals.pop("aiohttp")  # type: ignore[method-assign]  # the original, restored
    if "httpx" in _originals:
        import httpx

        httpx.HTTPTransport.handle_request = _originals.pop("httpx")  # type: ignore[method-assign]  # the original, restored
        httpx.AsyncHTTPTransport.handle_async_request = _originals.pop("httpx_async")  # type: ignore[method-assign]  # the original, restored
