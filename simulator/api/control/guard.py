"""What keeps the control API, which needs no credentials, safe to leave running.

``/_sim`` resets the world, loads scenarios and hands out every user's credentials:
made for test harnesses on loopback, it must not be usable by a web page the
developer happens to open. Three checks, before any control view runs:

- **Host.** Served on loopback, the simulator answers ``/_sim`` only to requests
  addressed to a loopback name (or a name allowed with ``--allow-host``): a page
  that makes its own domain point at 127.0.0.1 (DNS rebinding) gets a 403.
- **Origin.** A call that changes something and comes from a browser (it carries
  ``Origin``, ``Sec-Fetch-Site`` or ``Referer``) must come from the simulator's own
  pages, and say so with a JSON body or the ``X-Sim-Control`` header, which a form
  on another site cannot send. Scripts and test clients send none of these headers
  and are not affected.
- **Token.** With a control token (``--control-token``, or ``control_token`` in the
  scenario), every ``/_sim`` call but the health check, the OpenAPI document and
  the dashboard's static files needs it: ``X-Sim-Token: <token>``,
  ``Authorization: Bearer <token>`` or ``?token=<token>``.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable
from urllib.parse import urlsplit

from flask import Flask, current_app, request

from ...domain.errors import SimulatorError
from ..app_context import simulator

#: Names a loopback server answers to.
LOOPBACK_HOSTS: frozenset[str] = frozenset({"localhost", "127.0.0.1", "::1"})
#: The app's setting: the host names ``/_sim`` answers to (``None``: any).
HOSTS_KEY = "SIMULATOR_CONTROL_HOSTS"
#: Set in the WSGI environ of intercepted calls: in-process, no browser can send them.
IN_PROCESS = "simulator.in_process"

CONTROL_HEADER = "X-Sim-Control"
TOKEN_HEADER = "X-Sim-Token"
#: Control paths open without the token: nothing on them changes or tells anything.
_OPEN = ("/_sim/health", "/_sim/openapi.json", "/_sim/ui/")
_CHANGES = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class ControlForbidden(SimulatorError):
    """A control call refused because of where it comes from."""

    error_key = "ControlForbiddenException"

    def __init__(self, reason: str) -> None:
        super().__init__("{reason}", reason=reason)


class ControlTokenRequired(SimulatorError):
    """A control call without the control token this simulator was given."""

    error_key = "ControlTokenRequiredException"

    def __init__(self) -> None:
        super().__init__(
            "This simulator's control API needs its token: send 'X-Sim-Token: <token>', "
            "'Authorization: Bearer <token>' or '?token=<token>' (for the dashboard, open "
            "/_sim/ui?token=<token>)"
        )


def host_name(value: str) -> str:
    """The host part of a ``Host`` header or an origin's netloc, lowercased, no port."""
    value = value.strip().lower()
    if value.startswith("["):
        return value[1 : value.find("]")] if "]" in value else value
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


def allowed_host(name: str, hosts: Iterable[str]) -> bool:
    return name in hosts or name.endswith(".localhost")


def register(app: Flask, hosts: Iterable[str] | None) -> None:
    """Check every ``/_sim`` call before its view runs."""
    app.config[HOSTS_KEY] = None if hosts is None else frozenset(h.lower() for h in hosts)
    for blueprint in ("control", "documents"):  # the views under /_sim
        app.before_request_funcs.setdefault(blueprint, []).append(_guard)


def _guard() -> None:
    path = request.path
    if not path.startswith("/_sim/"):
        return  # the Management API's own document, beside its API
    environ = request.environ
    if environ.get(IN_PROCESS):
        return
    hosts = current_app.config[HOSTS_KEY]
    if hosts is not None and not allowed_host(host_name(request.host), hosts):
        raise ControlForbidden(
            f"The control API answers only to {', '.join(sorted(hosts))} here, not to "
            f"'{host_name(request.host)}' (start the simulator with --allow-host to add a name)"
        )
    if request.method in _CHANGES:
        _same_site()
    token = simulator().control_token
    if token is not None and not path.startswith(_OPEN) and not _carries(token):
        raise ControlTokenRequired()


def _same_site() -> None:
    """Refuse a browser's cross-site call that would change something."""
    headers = request.headers
    fetch_site = headers.get("Sec-Fetch-Site")
    origin = headers.get("Origin")
    referer = headers.get("Referer")
    if fetch_site is None and origin is None and referer is None:
        return  # not a browser: a script, a test client, curl
    if fetch_site is not None and fetch_site not in ("same-origin", "none"):
        raise ControlForbidden(f"A {fetch_site} page may not change the simulator")
    source = origin if origin is not None else referer or ""
    if origin == "null" or host_port(source) != request.host.lower():
        raise ControlForbidden("Only the simulator's own pages may change it from a browser")
    if request.mimetype != "application/json" and CONTROL_HEADER not in headers:
        raise ControlForbidden(
            f"A browser's call that changes the simulator needs a JSON body or the "
            f"'{CONTROL_HEADER}' header"
        )


def host_port(url: str) -> str:
    """The ``host[:port]`` of a URL, as a ``Host`` header writes it."""
    return urlsplit(url).netloc.lower().rsplit("@", 1)[-1]


def _carries(token: str) -> bool:
    given = request.headers.get(TOKEN_HEADER)
    if given is None:
        scheme, _, value = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "bearer":
            given = value.strip()
    if given is None:
        given = request.args.get("token")
    return given is not None and hmac.compare_digest(given.encode(), token.encode())
