"""The fault sweep in pytest: a marked test (or, with ``--ods-sweep``, every test that
uses ``ods`` or ``ods_intercept``) runs clean, then once per fault at each point of
its clean run; it fails if a case breaks it, with the table of cases and a replay
file for each one that failed.

    @pytest.mark.ods_sweep(kinds="http_429,reset,processing_error", max_cases=50)
    def test_my_client_publishes(ods_intercept):
        ...

Loaded by the main plugin (:mod:`.pytest_plugin`); sweep modules are imported only
when a test is swept.
"""

from __future__ import annotations

import inspect
import json
from pathlib import Path
from typing import Any, cast

import pytest

SWEEP_MARKER = "ods_sweep"
_REPORT = "ods_sweep"
_TABLE = "ods_sweep_table"
_FIXTURES = ("ods", "ods_intercept")
_SHARD = "ods_sweep_shard"  # the fixture below


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("ods", "the Opendatasoft simulator")
    group.addoption(
        "--ods-sweep",
        action="store_true",
        help="sweep every test that uses ods or ods_intercept: run it clean, then once per "
        "fault at each point of its clean run (see @pytest.mark.ods_sweep)",
    )
    group.addoption("--ods-sweep-kinds", help="comma-separated fault kinds (default: all)")
    group.addoption("--ods-sweep-max-cases", type=int, help="cases per test at most (200)")
    group.addoption("--ods-sweep-seed", type=int, help="seed of the sampling (0)")
    group.addoption(
        "--ods-sweep-dir",
        default=".ods-sweep",
        help="where failing cases' scenarios are written (default: .ods-sweep)",
    )
    group.addoption("--ods-sweep-json", help="write every sweep's report to this JSON file")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{SWEEP_MARKER}(*, kinds=None, max_cases=200, seed=0, budget=None, shards=1): run "
        "the test clean, then once per fault at each point of its clean run; fail if a case "
        "breaks it",
    )


def _options(item: pytest.Item) -> dict[str, Any] | None:
    """The sweep's settings for this test, or None if it is not swept."""
    marker = item.get_closest_marker(SWEEP_MARKER)
    config = item.config
    uses = any(f in getattr(item, "fixturenames", ()) for f in _FIXTURES)
    if marker is None and not (config.getoption("--ods-sweep") and uses):
        return None
    if marker is not None and marker.args:
        raise pytest.UsageError(f"@pytest.mark.{SWEEP_MARKER} takes keywords only")
    options: dict[str, Any] = {}
    for name in ("kinds", "max_cases", "seed"):
        given = config.getoption(f"--ods-sweep-{name.replace('_', '-')}")
        if given is not None:
            options[name] = given
    options.update(marker.kwargs if marker is not None else {})
    options.pop("shards", None)
    return options


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """``shards=N`` splits a test's cases into N tests, for xdist to spread."""
    marker = metafunc.definition.get_closest_marker(SWEEP_MARKER)
    shards = int(marker.kwargs.get("shards", 1)) if marker is not None else 1
    if shards > 1:
        metafunc.fixturenames.append(_SHARD)
        metafunc.parametrize(
            _SHARD,
            range(shards),
            indirect=True,
            ids=[f"sweep{i + 1}of{shards}" for i in range(shards)],
        )


@pytest.fixture
def ods_sweep_shard(request: pytest.FixtureRequest) -> tuple[int, int]:
    """This test's share of its sweep's cases: (shard, shards)."""
    marker = request.node.get_closest_marker(SWEEP_MARKER)
    shards = int(marker.kwargs.get("shards", 1)) if marker is not None else 1
    return int(getattr(request, "param", 0)), shards


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    options = _options(pyfuncitem)
    if options is None:
        return None
    from ..sweep.inprocess import settings_from, sweep
    from .handle import SimulatorHandle

    funcargs = pyfuncitem.funcargs
    handle = next((funcargs[f] for f in _FIXTURES if f in funcargs), None)
    if not isinstance(handle, SimulatorHandle):
        pytest.fail(
            f"{pyfuncitem.nodeid}: a swept test uses the ods or ods_intercept fixture",
            pytrace=False,
        )
    function = pyfuncitem.obj
    if inspect.iscoroutinefunction(function):
        pytest.fail(f"{pyfuncitem.nodeid}: a coroutine test cannot be swept", pytrace=False)
    shard, shards = cast(tuple[int, int], funcargs.get(_SHARD, (0, 1)))
    arguments = {name: funcargs[name] for name in pyfuncitem._fixtureinfo.argnames}
    module = getattr(pyfuncitem, "module", None)
    try:
        settings = settings_from(
            {
                **options,
                "shard": shard,
                "shards": shards,
                "modules": [*options.get("modules", ()), *([module] if module else [])],
            },
            Path(pyfuncitem.config.rootpath) / pyfuncitem.config.getoption("--ods-sweep-dir"),
        )
    except ValueError as exc:
        pytest.fail(f"@pytest.mark.{SWEEP_MARKER}: {exc}", pytrace=False)
    report = sweep(handle, lambda: function(**arguments), pyfuncitem.nodeid, settings)
    pyfuncitem.user_properties.append((_REPORT, report.to_dict()))
    if report.failures:
        pytest.fail(report.table(), pytrace=False)
    # a failed sweep's table is its failure message; a passed one's goes in the summary
    pyfuncitem.user_properties.append((_TABLE, report.table()))
    return True


@pytest.hookimpl(trylast=True)
def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    tables = _properties(terminalreporter, _TABLE)
    if tables:
        terminalreporter.section("ods sweep")
        for table in tables:
            terminalreporter.write_line(table)
            terminalreporter.write_line("")
    path = config.getoption("--ods-sweep-json")
    if path:
        reports = _properties(terminalreporter, _REPORT)
        Path(path).write_text(json.dumps(reports, indent=2), encoding="utf-8")


def _properties(terminalreporter: Any, key: str) -> list[Any]:
    """What swept tests left under ``key``, from this process's or xdist workers' reports."""
    return [
        value
        for reports in terminalreporter.stats.values()
        for report in reports
        if isinstance(report, pytest.TestReport) and report.when == "call"
        for name, value in report.user_properties
        if name == key
    ]
