"""``ods-simulator sweep -- COMMAND ...``: a sweep of a client in another process.

The simulator is served on a loopback port with the step clock (each API call moves
time to the next event), and the command runs once clean, then once per case against
the world reset to that case's scenario. Where to connect is in its environment:
``ODS_URL`` (the server), ``ODS_API_URL`` (Management API v2), ``ODS_AUTOMATION_URL``
(Automation API v1.0) and ``ODS_APIKEY``. A case fails if the command exits non-zero,
or hangs: more requests than the budget, or longer than the wall-clock limit.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

from ..api import create_app
from ..api.server import LiveServer
from ..scenario.loading import ScenarioError, default_scenario, load_scenario
from ..service import Simulator
from ..testing.handle import SimulatorHandle
from .inprocess import DEFAULT_DIRECTORY, base_document, record
from .plan import DEFAULT_MAX_CASES, KINDS, planned_cases
from .report import SURVIVED, Outcome, Report, detail_of, with_replays

DESCRIPTION = """\
Run a client command once clean, then once per fault at each point of its clean run
(the n-th call answered 500, 503 or 429, reset or stalled; a job's stage failing,
slowed down or aborted; the license limit; a worker outage), each against a fresh
world on a step clock. Report which cases it survives (exit status 0), and write a
scenario file that replays each one it does not.

The command finds the simulator in its environment: ODS_URL, ODS_API_URL,
ODS_AUTOMATION_URL, ODS_APIKEY. Exits 0 if every case survived, 1 if one failed,
2 if the clean run fails or the options are wrong.
"""

#: Seconds between looks at a running command.
_POLL = 0.02
#: Lines of a failing command's standard error quoted in the report.
_TAIL = 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ods-simulator sweep",
        usage="%(prog)s [options] -- COMMAND [ARGS...]",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("command", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    parser.add_argument(
        "--scenario", metavar="FILE", help="the world every run starts from (default: built-in)"
    )
    parser.add_argument(
        "--kinds",
        metavar="KIND,...",
        help=f"fault kinds to try (default: all: {', '.join(KINDS)})",
    )
    parser.add_argument(
        "--max-cases",
        type=int,
        default=DEFAULT_MAX_CASES,
        help="at most this many cases, a seeded sample (default: %(default)s)",
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the sample (default: 0)")
    parser.add_argument(
        "--case-timeout",
        type=float,
        default=60.0,
        metavar="SECONDS",
        help="wall-clock seconds a run may take before it counts as a hang (default: 60)",
    )
    parser.add_argument(
        "--request-budget",
        type=int,
        metavar="N",
        help="requests a run may make before it counts as a hang "
        "(default: ten times the clean run's, plus 100)",
    )
    parser.add_argument(
        "--out",
        default=str(DEFAULT_DIRECTORY),
        metavar="DIR",
        help="where failing cases' scenarios are written (default: %(default)s)",
    )
    parser.add_argument("--json", metavar="FILE", help="also write the report as JSON")
    return parser


def run(argv: Sequence[str]) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    command = [c for c in args.command if c != "--"] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("give the command to sweep after --")
    kinds = None if args.kinds is None else [k.strip() for k in args.kinds.split(",") if k.strip()]
    unknown = [k for k in kinds or () if k not in KINDS]
    if unknown:
        parser.error(f"unknown fault kinds {unknown}; known: {', '.join(KINDS)}")
    try:
        scenario = load_scenario(args.scenario) if args.scenario else default_scenario()
    except ScenarioError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    simulator = Simulator(scenario, overrides={"clock_mode": "step"})
    with LiveServer(create_app(simulator=simulator)) as server:
        handle = SimulatorHandle(simulator, server.url)
        return _sweep(handle, command, args, kinds)


def _sweep(handle: SimulatorHandle, command: list[str], args: Any, kinds: Any) -> int:
    environment = {
        **os.environ,
        "ODS_URL": handle.url,
        "ODS_API_URL": handle.api_url,
        "ODS_AUTOMATION_URL": handle.automation_url,
        "ODS_APIKEY": handle.apikey,
    }
    subject = " ".join(command)
    base = base_document(handle)
    handle.reset()
    how, detail = _run_command(command, environment, handle, args.case_timeout, None)
    if how != SURVIVED:
        print(f"error: the command fails without any fault: {detail}", file=sys.stderr)
        return 2
    recording = record(handle)
    budget = args.request_budget or 10 * len(handle.requests) + 100
    cases, planned = planned_cases(recording, kinds, args.max_cases, args.seed)
    outcomes = []
    for case in cases:
        handle.load(case.scenario(base))
        how, detail = _run_command(command, environment, handle, args.case_timeout, budget)
        outcomes.append(Outcome(case, how, detail))
    report = Report(
        subject, recording, with_replays(outcomes, Path(args.out), subject, base), planned
    )
    print(report.table())
    if args.json:
        Path(args.json).write_text(report.to_json(), encoding="utf-8")
    return 1 if report.failures else 0


def _run_command(
    command: list[str],
    environment: dict[str, str],
    handle: SimulatorHandle,
    timeout: float,
    budget: int | None,
) -> tuple[str, str]:
    """Run the command once against the world as it stands: how it went (``survived``,
    ``exit`` or ``hang``), and a detail."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        try:
            process = subprocess.Popen(command, env=environment, stdout=out, stderr=err)
        except OSError as exc:
            return "exit", f"cannot run {command[0]}: {exc.strerror}"
        deadline = time.monotonic() + timeout
        while True:
            try:
                code = process.wait(timeout=_POLL)
                break
            except subprocess.TimeoutExpired:
                pass
            if budget is not None and len(handle.requests) > budget:
                _stop(process)
                return "hang", f"more than {budget} requests"
            if time.monotonic() > deadline:
                _stop(process)
                return "hang", f"still running after {timeout:g} s"
        if code == 0:
            return SURVIVED, ""
        return "exit", f"exit status {code}: {_tail(err)}"


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.kill()
    process.wait()


def _tail(stream: IO[bytes]) -> str:
    stream.seek(0)
    lines = [line for line in stream.read().decode("utf-8", "replace").splitlines() if line]
    return detail_of("\n".join(lines[-_TAIL:])) if lines else "no error output"
