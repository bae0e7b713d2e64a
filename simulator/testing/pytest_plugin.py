"""A pytest plugin for testing code that calls the Management API v2.

Installing the package registers it (entry point ``pytest11``). It gives:

- ``ods``: a simulator served on a loopback port, started once per session (per
  xdist worker) and reset before each test; the fixture is a
  :class:`~simulator.testing.SimulatorHandle` (``url``, ``api_url``, ``apikey``,
  clock helpers, ``assert_transitions``...);
- ``ods_intercept``: the same handle, but calls of ``requests``/``urllib3``/``httpx`` to
  ``https://*.opendatasoft.com`` go to an in-process simulator, no socket;
- the marker ``@pytest.mark.ods_scenario(source)``: the test starts from that
  scenario (a path, relative to the test file or not; YAML text; or a mapping);
- small session fixtures to override in a ``conftest.py``: ``ods_host``,
  ``ods_workers``, ``ods_status_names``, ``ods_seed``, ``ods_default_scenario``,
  ``ods_intercept_hosts``, ``ods_intercept_passthrough``, ``ods_tls`` (serve HTTPS:
  the handle's ``url`` is ``https://``, its ``ca_file`` the local CA to trust);
- a guard (``ods_platform_guard``): in every test, a call to the platform's hosts that
  nothing intercepts raises ``NotIntercepted`` instead of reaching the network;
- virtual sleep: under ``@pytest.mark.ods_virtual_sleep`` (or ``ods_virtual_sleep``
  returning True), ``time.sleep``/``asyncio.sleep`` of the test's thread move the
  simulator's virtual clock (``ods_sleep_budget``, ``ods_sleep_modules``).

Simulator modules are imported only when a fixture is used: pytest loads this
module in every run where the package is installed.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from ..api.server import LiveServer
    from ..scenario.loading import Scenario
    from ..service import Simulator
    from .handle import SimulatorHandle

#: The fault sweep's marker, options and hooks.
pytest_plugins = ["simulator.testing.sweep_plugin"]

MARKER = "ods_scenario"
SLEEP_MARKER = "ods_virtual_sleep"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER}(source): start the test from this scenario: a path (relative to the test "
        "file, or to the working directory), YAML text, or a mapping",
    )
    config.addinivalue_line(
        "markers",
        f"{SLEEP_MARKER}(on=True, *, budget=None, modules=()): time.sleep and asyncio.sleep "
        "of the test's thread move the ods/ods_intercept simulator's virtual clock",
    )


# configuration: override any of these in a conftest.py -----------------------------------


@pytest.fixture(scope="session")
def ods_host() -> str:
    """The interface the session's simulator listens on."""
    return "127.0.0.1"


@pytest.fixture(scope="session")
def ods_workers() -> int | None:
    """Worker pool size for every scenario (None: each scenario's own)."""
    return None


@pytest.fixture(scope="session")
def ods_status_names() -> str | None:
    """``coarse`` or ``fine`` for every scenario (None: each scenario's own)."""
    return None


@pytest.fixture(scope="session")
def ods_seed() -> int | None:
    """Seed for every scenario (None: each scenario's own)."""
    return None


@pytest.fixture(scope="session")
def ods_default_scenario() -> Any:
    """The scenario of tests without a marker (None: an empty world with the default admin)."""
    return None


@pytest.fixture(scope="session")
def ods_intercept_hosts() -> tuple[str, ...]:
    """Host patterns intercepted besides ``*.opendatasoft.com``."""
    return ()


@pytest.fixture(scope="session")
def ods_intercept_passthrough() -> bool:
    """Let calls to other hosts through (False: they fail, loopback aside)."""
    return False


@pytest.fixture(scope="session")
def ods_tls() -> bool:
    """Serve HTTPS, with a certificate from a local test CA made for the session."""
    return False


@pytest.fixture(scope="session")
def ods_virtual_sleep() -> bool:
    """Virtual sleep in every test that uses ``ods`` or ``ods_intercept`` (False: per marker)."""
    return False


@pytest.fixture(scope="session")
def ods_sleep_budget() -> float:
    """Virtual seconds a test may sleep before its sleep fails (one week)."""
    return 7 * 24 * 3600.0


@pytest.fixture(scope="session")
def ods_sleep_modules() -> tuple[Any, ...]:
    """Modules (or names) whose ``from time import sleep`` names virtual sleep rebinds too."""
    return ()


@pytest.fixture(scope="session")
def ods_platform_guard() -> bool:
    """Refuse calls to the platform's hosts that nothing intercepts (False: let them out)."""
    return True


@pytest.fixture(autouse=True)
def _ods_guard(ods_platform_guard: bool, ods_intercept_hosts: tuple[str, ...]) -> Iterator[None]:
    """Every test: a call to ``*.opendatasoft.com``, ``*.huwise.com`` or the hosts of
    ``ods_intercept_hosts`` that no interceptor answers raises ``NotIntercepted``."""
    if not ods_platform_guard:
        yield
        return
    from .guard import guard

    with guard(ods_intercept_hosts):
        yield


# the simulators ------------------------------------------------------------------------------


class SessionServer:
    """The session's simulator, its server, and the scenario tests start from."""

    def __init__(self, simulator: Simulator, server: LiveServer, default: Scenario) -> None:
        self.simulator = simulator
        self.server = server
        self.default = default

    @property
    def ca_file(self) -> Path | None:
        """The local CA to trust when the server speaks HTTPS."""
        return None if self.server.tls is None else self.server.tls.ca_file

    @property
    def url(self) -> str:
        return self.server.url


def _overrides(workers: int | None, status_names: str | None, seed: int | None) -> dict[str, Any]:
    return {"clock_mode": "manual", "workers": workers, "status_names": status_names, "seed": seed}


def _default(source: Any, root: Path) -> Scenario:
    from ..scenario.loading import load_scenario_text
    from .handle import to_scenario

    return load_scenario_text("") if source is None else to_scenario(source, root)


@pytest.fixture(scope="session")
def ods_server(
    request: pytest.FixtureRequest,
    ods_host: str,
    ods_workers: int | None,
    ods_status_names: str | None,
    ods_seed: int | None,
    ods_default_scenario: Any,
    ods_tls: bool,
) -> Iterator[SessionServer]:
    """A simulator on a free loopback port, for the whole session."""
    from ..api import create_app
    from ..api.certificates import certificate_names, local_certificate
    from ..api.server import LiveServer
    from ..service import Simulator

    default = _default(ods_default_scenario, request.config.rootpath)
    simulator = Simulator(default, overrides=_overrides(ods_workers, ods_status_names, ods_seed))
    tls = local_certificate(certificate_names(ods_host)) if ods_tls else None
    server = LiveServer(create_app(simulator=simulator), host=ods_host, tls=tls).start()
    try:
        yield SessionServer(simulator, server, default)
    finally:
        server.stop()
        if tls is not None:
            tls.remove()


def _marked(request: pytest.FixtureRequest) -> Any:
    """The marker's scenario; a relative path is tried against the test file, then rootdir."""
    marker = request.node.get_closest_marker(MARKER)
    if marker is None:
        return None
    if len(marker.args) != 1:
        raise pytest.UsageError(
            f"@pytest.mark.{MARKER} takes one scenario (a path, YAML text or a mapping)"
        )
    source = marker.args[0]
    if isinstance(source, (str, Path)) and "\n" not in str(source):
        for base in (Path(request.path).parent, request.config.rootpath):
            if (base / source).is_file():
                return base / source
    return source


class _Sleeping:
    """The session's virtual-sleep settings, read once a test asks for a simulator."""

    def __init__(self, on: bool, budget: float, modules: tuple[Any, ...]) -> None:
        self.on, self.budget, self.modules = on, budget, modules

    def around(self, request: pytest.FixtureRequest, handle: SimulatorHandle) -> Any:
        """A virtual sleep for this test, or a context that does nothing."""
        from contextlib import nullcontext

        on, budget, modules = self.on, self.budget, [*self.modules]
        marker = request.node.get_closest_marker(SLEEP_MARKER)
        if marker is not None:
            if len(marker.args) > 1 or set(marker.kwargs) - {"on", "budget", "modules"}:
                raise pytest.UsageError(
                    f"@pytest.mark.{SLEEP_MARKER} takes on=True|False, budget= and modules="
                )
            on = bool(marker.args[0]) if marker.args else bool(marker.kwargs.get("on", True))
            budget = marker.kwargs.get("budget", budget)
            modules += list(marker.kwargs.get("modules", ()))
        if not on:
            return nullcontext()
        module = getattr(request, "module", None)
        return handle.virtual_sleep(
            budget=budget, modules=[*([module] if module is not None else []), *modules]
        )


@pytest.fixture
def _ods_sleeping(
    ods_virtual_sleep: bool, ods_sleep_budget: float, ods_sleep_modules: tuple[Any, ...]
) -> _Sleeping:
    return _Sleeping(ods_virtual_sleep, ods_sleep_budget, ods_sleep_modules)


@pytest.fixture
def ods(
    request: pytest.FixtureRequest, ods_server: SessionServer, _ods_sleeping: _Sleeping
) -> Iterator[SimulatorHandle]:
    """The session's simulator, reset for this test (its marker's scenario, or the default)."""
    from .handle import SimulatorHandle

    handle = SimulatorHandle(
        ods_server.simulator, ods_server.url, Path(request.path).parent, ods_server.ca_file
    )
    ods_server.simulator.any_credentials = False
    source = _marked(request)
    if source is None:
        ods_server.simulator.reset(ods_server.default)
    else:
        handle.load(source)
    with _ods_sleeping.around(request, handle):
        yield handle


@pytest.fixture
def ods_intercept(
    request: pytest.FixtureRequest,
    ods_workers: int | None,
    ods_status_names: str | None,
    ods_seed: int | None,
    ods_default_scenario: Any,
    ods_intercept_hosts: tuple[str, ...],
    ods_intercept_passthrough: bool,
    _ods_sleeping: _Sleeping,
) -> Iterator[SimulatorHandle]:
    """Calls to ``https://*.opendatasoft.com`` go to an in-process simulator for this test."""
    from .intercept import Interceptor

    base = Path(request.path).parent
    source = _marked(request)
    scenario = (
        source if source is not None else _default(ods_default_scenario, request.config.rootpath)
    )
    interceptor = Interceptor(
        scenario,
        hosts=ods_intercept_hosts,
        passthrough=ods_intercept_passthrough,
        base=base,
        **{
            k: v
            for k, v in _overrides(ods_workers, ods_status_names, ods_seed).items()
            if k != "clock_mode"
        },
    )
    with interceptor as handle, _ods_sleeping.around(request, handle):
        yield handle
