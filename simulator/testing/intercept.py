"""Interception: client code that calls the real platform talks to a simulator instead.

While an :class:`Interceptor` is active, ``requests`` (and ``httpx``, if installed)
send calls to ``https://<anything>.opendatasoft.com/...``, to the platform's newer
``https://<anything>.huwise.com/...`` and to any configured host to an in-process
simulator, through WSGI: no socket, no change to the code under test. Calls to
other hosts fail loudly, except on loopback, unless ``passthrough=True`` lets them
through. The transport methods of both libraries
are patched while interception is active, and restored after.

    with intercept(scenario="scenarios/license-limit.yaml") as ods:
        my_client.publish_everything()          # https://mydomain.opendatasoft.com/...
        ods.assert_transitions("trees", "idle > queued > processing > limit_reached")
"""

from __future__ import annotations

import fnmatch
import functools
import io
import threading
from collections.abc import Callable, Iterable
from http import HTTPStatus
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar
from urllib.parse import unquote_to_bytes, urlsplit

from flask import Flask

from ..api import create_app
from ..api.app import use_simulator
from ..api.app_context import EXTENSION
from ..api.control.guard import IN_PROCESS
from ..scenario.loading import load_scenario_text
from ..service import Simulator
from .handle import ScenarioSource, SimulatorHandle, to_scenario

F = TypeVar("F", bound=Callable[..., Any])

DEFAULT_HOSTS: tuple[str, ...] = ("*.opendatasoft.com", "*.huwise.com")
LOOPBACK: frozenset[str] = frozenset({"localhost", "127.0.0.1", "::1"})
_FRAMING = frozenset({"TRANSFER_ENCODING", "CONTENT_LENGTH"})

#: Interceptors active now, innermost last; apps no active interceptor uses.
_active: list[Interceptor] = []
_free_apps: list[Flask] = []
_lock = threading.RLock()
_originals: dict[str, Any] = {}


class NotIntercepted(ConnectionError):
    """A call to a host no interceptor serves, while passthrough is off."""


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

    # activation ----------------------------------------------------------------------

    def start(self) -> SimulatorHandle:
        with _lock:
            # building an app takes tens of milliseconds: borrow one that is free
            app = _free_apps.pop() if _free_apps else create_app(simulator=self.simulator)
            self.app = use_simulator(app, self.simulator)
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
            if not _active:
                _unpatch()

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
        return int(status.split(" ", 1)[0]), list(response_headers), content


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


# requests ---------------------------------------------------------------------------


def _requests_send(adapter: Any, request: Any, *args: Any, **kwargs: Any) -> Any:
    interceptor = _route(request.url)
    if interceptor is None:
        return _originals["requests"](adapter, request, *args, **kwargs)
    import requests
    from requests.structures import CaseInsensitiveDict
    from requests.utils import get_encoding_from_headers

    status, headers, content = interceptor.call(
        request.method, request.url, request.headers, _body(request.body)
    )
    response = requests.Response()
    response.status_code = status
    response.headers = CaseInsensitiveDict(headers)
    response._content = content
    response._content_consumed = True  # type: ignore[attr-defined]  # requests' own flag, not in its stubs
    response.raw = io.BytesIO(content)
    response.reason = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else ""
    response.encoding = get_encoding_from_headers(response.headers)
    response.url = request.url
    response.request = request
    response.connection = adapter
    return response


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

    status, headers, content = interceptor.call(
        request.method, str(request.url), request.headers, request.read()
    )
    return httpx.Response(status, headers=headers, content=content, request=request)


async def _httpx_handle_async(transport: Any, request: Any) -> Any:
    interceptor = _route(str(request.url))
    if interceptor is None:
        return await _originals["httpx_async"](transport, request)
    import httpx

    body = await request.aread()
    status, headers, content = interceptor.call(
        request.method, str(request.url), request.headers, body
    )
    return httpx.Response(status, headers=headers, content=content, request=request)


def _patch() -> None:
    import requests.adapters
    import requests.sessions

    _originals["requests"] = requests.adapters.HTTPAdapter.send
    requests.adapters.HTTPAdapter.send = _requests_send  # type: ignore[method-assign,assignment]  # patched, restored by _unpatch
    _originals["requests_settings"] = requests.sessions.Session.merge_environment_settings
    requests.sessions.Session.merge_environment_settings = _requests_settings  # type: ignore[method-assign,assignment]  # patched, restored by _unpatch
    try:
        import httpx
    except ImportError:
        return
    _originals["httpx"] = httpx.HTTPTransport.handle_request
    _originals["httpx_async"] = httpx.AsyncHTTPTransport.handle_async_request
    httpx.HTTPTransport.handle_request = _httpx_handle  # type: ignore[method-assign,assignment]  # patched, restored by _unpatch
    httpx.AsyncHTTPTransport.handle_async_request = _httpx_handle_async  # type: ignore[method-assign,assignment]  # patched, restored by _unpatch


def _unpatch() -> None:
    import requests.adapters
    import requests.sessions

    requests.adapters.HTTPAdapter.send = _originals.pop("requests")  # type: ignore[method-assign]  # the original, restored
    requests.sessions.Session.merge_environment_settings = _originals.pop("requests_settings")  # type: ignore[method-assign]  # the original, restored
    if "httpx" in _originals:
        import httpx

        httpx.HTTPTransport.handle_request = _originals.pop("httpx")  # type: ignore[method-assign]  # the original, restored
        httpx.AsyncHTTPTransport.handle_async_request = _originals.pop("httpx_async")  # type: ignore[method-assign]  # the original, restored
