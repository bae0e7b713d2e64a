"""The command line: start a simulator that answers like the Management API v2."""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import ipaddress
import platform
import re
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from . import __version__
from .api import create_app
from .api.certificates import (
    CertificateError,
    ServerCertificate,
    certificate_names,
    local_certificate,
    own_certificate,
)
from .api.control.guard import LOOPBACK_HOSTS
from .api.server import CHANNEL_TIMEOUT, CONNECTION_LIMIT, LiveServer
from .domain.clock import CLOCK_MODES, MAX_SPEED
from .domain.errors import InvalidSnapshot, SimulatorError
from .domain.limits import CONTROL_TOKEN_PATTERN, MAX_BODY, MAX_THREADS, MAX_UPLOAD, MAX_WORKERS
from .domain.statemachine import VOCABULARIES
from .scenario.headless import FORMATS, simulate
from .scenario.loading import Scenario, ScenarioError, default_scenario, load_scenario
from .service import DEFAULT_SPEED, Simulator, statefile

DESCRIPTION = """\
A local simulator of the Opendatasoft (Huwise) dataset APIs. It serves the Management
API v2 at /api/management/v2 and the Automation API v1.0 at /api/automation/v1.0, one
world on a virtual clock, and a control API at /_sim to move that clock, reset the
world and read the timeline of status transitions.
"""

EPILOG = """\
examples:
  %(prog)s                             realtime demo on the built-in scenario
  %(prog)s --clock manual --port 0     for tests: time moves only through /_sim
  %(prog)s --scenario my.yaml --seed 7 --workers 4
  %(prog)s --state-file world.json     keep the world across restarts: saved on
                                       shutdown, restored at the next start
  %(prog)s --tls                       HTTPS on the same port; trust the CA file it
                                       prints (SSL_CERT_FILE=... for Python clients)
  %(prog)s simulate scenarios/abort-midway.yaml
                                       no server: play a scenario to its end and
                                       print its timeline (see: simulate --help)
  %(prog)s sweep -- python my_client.py
                                       run a client once per fault at each point
                                       of its clean run (see: sweep --help)

control API (no credentials needed):
  GET  /_sim/clock                     virtual time, mode, next event
  POST /_sim/clock/advance             {"seconds": 30}
  POST /_sim/clock/next                jump to the next scheduled event
  POST /_sim/clock/run_until_idle      run until no job waits or runs
  PUT  /_sim/clock                     {"mode": "realtime", "speed": 60}
  POST /_sim/reset                     back to the scenario's time zero
  GET  /_sim/statemachine              the transition table
  GET  /_sim/timeline                  every transition so far (?format=ndjson|csv|table)
  PUT  /_sim/scenario                  load a scenario (YAML body) and reset to it
  GET  /_sim/script                    what the scenario's script did and found
  POST /_sim/snapshot                  save the whole state to --state-file now
  GET  /_sim/snapshot                  the snapshot itself (PUT one back to restore it)
"""

USAGE = """%(prog)s [options]
       %(prog)s simulate FILE [--until SECONDS] [--format FORMAT]
       %(prog)s sweep [options] -- COMMAND [ARGS...]"""

SIMULATE_DESCRIPTION = """\
Play a scenario to its end on a virtual clock, without a server, and print its
timeline and what its script did and found. Exits 1 if an expectation of the
script failed (with a diff of expected and actual), 2 if the scenario is invalid.
The output depends only on the scenario and its seed.
"""


def _speed(text: str) -> float:
    value = float(text)
    if not 0 < value <= MAX_SPEED:
        raise argparse.ArgumentTypeError(f"must be above 0 and at most {MAX_SPEED:g}, got {text}")
    return value


def _count(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {text}")
    return value


def _at_most(high: int) -> Callable[[str], int]:
    """A count from 0 to ``high``, for argparse."""

    def read(text: str) -> int:
        value = _count(text)
        if value > high:
            raise argparse.ArgumentTypeError(f"must be at most {high}, got {text}")
        return value

    read.__name__ = "count"  # argparse names the type in its messages
    return read


_workers = _at_most(MAX_WORKERS)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ods-simulator",
        usage=USAGE,
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "--host", default="127.0.0.1", help="interface to listen on (default: %(default)s)"
    )
    parser.add_argument(
        "--port",
        type=_at_most(65535),
        default=8000,
        help="port to listen on; 0 picks a free one (default: %(default)s)",
    )
    parser.add_argument(
        "--scenario",
        metavar="FILE",
        help="YAML scenario describing the world at time zero, or the name of one of the "
        "library's (e.g. abort-midway; default: the built-in scenario)",
    )
    parser.add_argument(
        "--clock",
        choices=CLOCK_MODES,
        help="manual: time moves only through the control API; realtime: scaled wall time; "
        "step: each call of the platform APIs first moves time to the next scheduled event, "
        "for clients that never call the control API (default: the scenario's, else realtime)",
    )
    parser.add_argument(
        "--speed",
        type=_speed,
        help="virtual seconds per wall second in realtime mode "
        f"(default: the scenario's, else {DEFAULT_SPEED:g})",
    )
    parser.add_argument(
        "--workers", type=_workers, help="size of the worker pool (default: the scenario's, else 2)"
    )
    parser.add_argument(
        "--seed",
        type=_count,
        help="seed for identifiers and jitter (default: the scenario's, else 0)",
    )
    parser.add_argument(
        "--status-names",
        choices=VOCABULARIES,
        help="coarse: the platform's public names (processing, deleting...); fine: the 15 "
        "internal statuses (default: the scenario's, else coarse)",
    )
    parser.add_argument(
        "--threads",
        type=_at_most(MAX_THREADS),
        default=8,
        help="HTTP worker threads (default: %(default)s)",
    )
    parser.add_argument(
        "--control-token",
        metavar="TOKEN",
        type=_token,
        help="a secret the control API (/_sim) and the dashboard then require, as "
        "X-Sim-Token, Authorization: Bearer or ?token= (default: the scenario's, else none)",
    )
    parser.add_argument(
        "--allow-host",
        metavar="NAME",
        action="append",
        default=[],
        help="a host name the control API also answers to, besides loopback names and "
        "--host (repeatable; e.g. the machine's name when it listens on 0.0.0.0)",
    )
    parser.add_argument(
        "--max-body",
        type=_size,
        default=MAX_BODY,
        metavar="SIZE",
        help="largest request body, e.g. 10M or 512K; larger ones get 413 (uploads to "
        "/files have their own limit, --max-upload) (default: 10M)",
    )
    parser.add_argument(
        "--max-upload",
        type=_size,
        default=MAX_UPLOAD,
        metavar="SIZE",
        help="largest file uploaded to /files (default: 50M)",
    )
    parser.add_argument(
        "--connection-limit",
        type=_at_most(100_000),
        default=CONNECTION_LIMIT,
        metavar="N",
        help="connections served at once; more wait to be accepted (default: %(default)s)",
    )
    parser.add_argument(
        "--channel-timeout",
        type=_at_most(86_400),
        default=CHANNEL_TIMEOUT,
        metavar="SECONDS",
        help="close a connection idle or half-sent for this long (default: %(default)s)",
    )
    parser.add_argument(
        "--tls",
        action="store_true",
        help="serve HTTPS on the same port, with a certificate for localhost, 127.0.0.1, ::1, "
        "--host and --allow-host names, signed by a local test CA made at start; the CA "
        "file to trust is printed (default: HTTP)",
    )
    parser.add_argument(
        "--tls-cert",
        metavar="PEM",
        type=Path,
        help="serve HTTPS with this certificate chain instead of a local CA's (implies --tls)",
    )
    parser.add_argument(
        "--tls-key",
        metavar="PEM",
        type=Path,
        help="the private key of --tls-cert, if not in the same file",
    )
    parser.add_argument(
        "--state-file",
        metavar="PATH",
        type=Path,
        help="save the whole state (datasets, jobs, timeline, clock, scenario) to PATH on "
        "shutdown (Ctrl-C, SIGTERM) and on POST /_sim/snapshot; if PATH exists at start, "
        "restore it, and then --scenario, --clock, --speed, --workers, --seed and "
        "--status-names are ignored (default: no state file)",
    )
    return parser


def build_simulate_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ods-simulator simulate",
        description=SIMULATE_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "scenario", metavar="FILE", help="YAML scenario to play, or a library scenario's name"
    )
    parser.add_argument(
        "--until",
        type=_time,
        metavar="SECONDS",
        help="stop at this virtual second "
        "(default: when the script has played and every job ended)",
    )
    parser.add_argument(
        "--format", choices=FORMATS, default="table", help="output (default: %(default)s)"
    )
    parser.add_argument("--seed", type=_count, help="override the scenario's seed")
    parser.add_argument("--workers", type=_workers, help="override the scenario's worker count")
    return parser


_UNITS = {"": 1, "K": 2**10, "M": 2**20, "G": 2**30}


def _size(text: str) -> int:
    """A size in bytes, or with a K, M or G suffix (powers of 1,024)."""
    number, unit = text.strip().upper().removesuffix("B"), ""
    if number[-1:] in _UNITS:
        number, unit = number[:-1], number[-1]
    try:
        value = int(float(number) * _UNITS[unit])
    except (ValueError, OverflowError):
        raise argparse.ArgumentTypeError(f"expected a size such as 10M, got {text}") from None
    if not 1 <= value <= 2**31:
        raise argparse.ArgumentTypeError(f"must be from 1 byte to 2G, got {text}")
    return value


def _token(text: str) -> str:
    if not re.match(CONTROL_TOKEN_PATTERN, text):
        raise argparse.ArgumentTypeError("1 to 200 printable ASCII characters, no spaces")
    return text


def _time(text: str) -> float:
    value = float(text)
    if not 0 <= value < float("inf"):
        raise argparse.ArgumentTypeError(f"expected a number of seconds >= 0, got {text}")
    return value


def run_simulate(argv: Sequence[str]) -> int:
    args = build_simulate_parser().parse_args(argv)
    try:
        scenario = load_scenario(args.scenario)
    except ScenarioError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    overrides = {"seed": args.seed, "workers": args.workers}
    return simulate(scenario, args.until, args.format, overrides)


def configure(args: argparse.Namespace) -> tuple[Scenario, dict[str, Any]]:
    """The scenario to serve, and the command line's settings that override it."""
    scenario = load_scenario(args.scenario) if args.scenario else default_scenario()
    overrides = {
        "clock_mode": getattr(args, "clock", None),
        "speed": args.speed,
        "workers": args.workers,
        "seed": args.seed,
        "status_names": args.status_names,
        "control_token": args.control_token,
    }
    return scenario, overrides


#: The flags that describe a world, which a restored state file replaces.
WORLD_FLAGS = ("scenario", "clock", "speed", "workers", "seed", "status_names")


def start_simulator(args: argparse.Namespace) -> tuple[Simulator, list[str]]:
    """The simulator to serve, restored from the state file if there is one.

    Returns it with banner lines about the state file. Raises ``ScenarioError`` or
    ``InvalidSnapshot``.
    """
    path: Path | None = args.state_file
    if path is not None and path.exists():
        statefile.remove_stale_temporaries(path)
        sim = Simulator.from_snapshot(statefile.read(path))
        now = sim.control.clock().now
        notes = [
            f"  state        restored from {path}: {_operations(len(sim.journal))}, "
            f"virtual time {sim.clock.iso(now)} ({now:g} s)"
        ]
        ignored = [
            f"--{name.replace('_', '-')}" for name in WORLD_FLAGS if getattr(args, name) is not None
        ]
        if ignored:
            notes.append(
                f"  note         {', '.join(ignored)} ignored: the state file holds its world"
            )
        if args.control_token is not None:  # a restored world takes the lock it is given now
            sim.control.require_token(args.control_token)
    else:
        scenario, overrides = configure(args)
        sim = Simulator(scenario, overrides=overrides, default_clock_mode="realtime")
        notes = []
        if path is not None:
            if not path.parent.is_dir():
                raise InvalidSnapshot(str(path), "its directory does not exist")
            statefile.remove_stale_temporaries(path)
            notes.append(f"  state        {path} (new; saved on shutdown and POST /_sim/snapshot)")
    sim.state_file = path
    return sim, notes


def serve_until_stopped(server: LiveServer) -> None:
    """Serve until Ctrl-C or SIGTERM; requests under way finish.

    Both signals are then ignored, so that what follows (saving the state) is not cut
    short by a second one. Only the main thread may handle signals: elsewhere, this
    only serves.
    """

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    main_thread = threading.current_thread() is threading.main_thread()
    if main_thread:
        signal.signal(signal.SIGTERM, interrupt)
    try:
        with contextlib.suppress(KeyboardInterrupt):
            server.serve_forever()
    finally:
        if main_thread:
            for signum in (signal.SIGINT, signal.SIGTERM):
                signal.signal(signum, signal.SIG_IGN)


def save_on_exit(sim: Simulator) -> int:
    """Save to the state file, if there is one, before the process ends."""
    if sim.state_file is None:
        return 0
    try:
        saved = sim.snapshots.save()
    except SimulatorError as exc:
        print(f"error: the state was not saved: {exc.message}", file=sys.stderr)
        return 1
    print(
        f"state saved to {saved['path']}: {_operations(saved['operations'])}, "
        f"virtual time {saved['datetime']}",
        flush=True,
    )
    return 0


def _operations(count: int) -> str:
    return f"{count} operation{'' if count == 1 else 's'}"


def server_certificate(args: argparse.Namespace) -> ServerCertificate | None:
    """The certificate the command line asks for, if any. Raises ``CertificateError``."""
    if args.tls_cert is not None:
        return own_certificate(args.tls_cert, args.tls_key)
    if args.tls_key is not None:
        raise CertificateError("--tls-key needs --tls-cert")
    if not args.tls:
        return None
    return local_certificate(certificate_names(args.host, args.allow_host))


def tls_notes(tls: ServerCertificate | None) -> list[str]:
    """The banner's lines about HTTPS: which CA a client must trust."""
    if tls is None:
        return []
    if tls.ca_file is None:
        return ["  TLS          HTTPS with the certificate given (--tls-cert)"]
    return [
        f"  TLS          HTTPS; certificate for {', '.join(tls.names)}",
        f"  CA file      {tls.ca_file} (trust it: SSL_CERT_FILE, REQUESTS_CA_BUNDLE, "
        "CURL_CA_BUNDLE; made for this run)",
    ]


def banner(sim: Simulator, url: str, notes: Sequence[str] = (), ca_file: Path | None = None) -> str:
    scenario = sim.scenario
    user = scenario.users[0]
    key = user.api_keys[0] if user.api_keys else None
    clock = sim.clock
    speed = (
        f" at {clock.speed:g}x"
        if clock.mode == "realtime"
        else " (each API call moves it to the next event)"
        if clock.steps
        else " (POST /_sim/clock/advance to move it)"
    )
    lines = [
        f"Opendatasoft dataset APIs simulator {__version__}",
        f"  scenario     {scenario.name} (seed {scenario.seed}, {len(scenario.datasets)} datasets, "
        f"{scenario.platform.workers} workers)",
        f"  clock        {clock.mode}{speed}, status names {sim.state.vocabulary}",
        f"  API          {url}/api/management/v2/",
        f"  Automation   {url}/api/automation/v1.0/",
        f"  control      {url}/_sim/"
        + (" (the control token is required)" if sim.control_token else ""),
        *notes,
        f"  user         {user.username}"
        + (f" / password {user.password}" if user.password else ""),
    ]
    if key:
        lines += [
            f"  API key      {key}",
            "",
            "Try:",
            "  curl"
            + (f" --cacert {ca_file}" if ca_file is not None else "")
            + f' -H "Authorization: Apikey {key}" {url}/api/management/v2/datasets/',
        ]
    return "\n".join(lines)


def is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return host.lower() == "localhost" or host.lower().endswith(".localhost")


def control_hosts(host: str, allowed: Sequence[str]) -> frozenset[str] | None:
    """The names the control API answers to; ``None`` (any) on every interface, unless named."""
    if host in ("0.0.0.0", "::", "") and not allowed:
        return None
    names = set(LOOPBACK_HOSTS) | {name.lower() for name in allowed}
    if host not in ("0.0.0.0", "::", ""):
        names.add(host.strip("[]").lower())
    return frozenset(names)


def exposed_warning(host: str, locked: bool) -> str:
    """What someone starting the simulator on a shared interface must read."""
    lines = [
        f"WARNING: listening on {host}, not on loopback: anyone who can reach it can use the "
        "control API at /_sim,",
        "  which resets the world, loads scenarios and answers every user's password and "
        "API key (GET /_sim/scenario).",
    ]
    if locked:
        lines.append("  The control token is set: /_sim and the dashboard require it.")
    else:
        lines.append(
            "  Lock it with --control-token TOKEN, or listen on 127.0.0.1 (see the README: "
            "The control API)."
        )
    return "\n".join(lines)


def _return_large_buffers() -> None:
    """Have glibc give large freed buffers back to the system at once.

    glibc raises its threshold for serving a large allocation from its own map each
    time one is freed; after that, the large, short-lived buffers of a long run
    (writing the world down, a snapshot, an upload) come from the heap, which they
    fragment, and resident memory climbs for minutes before it settles (measured by
    ``bench/memory_soak.py``). A fixed threshold keeps them out of the heap.
    """
    if platform.libc_ver()[0] != "glibc":
        return
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(_M_MMAP_THRESHOLD, 128 * 1024)  # glibc's own default, made fixed


#: ``mallopt``'s parameter for the mmap threshold (glibc's malloc.h).
_M_MMAP_THRESHOLD = -3


def _allow_descriptors(connections: int) -> None:
    """Let the process open a descriptor per connection, and some to spare, if it may."""
    try:
        import resource
    except ImportError:  # not on this platform
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = connections + 64
    if soft != resource.RLIM_INFINITY and soft < wanted:
        ceiling = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (ceiling, hard))


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "simulate":
        return run_simulate(argv[1:])
    if argv and argv[0] == "sweep":
        from .sweep.command import run as run_sweep

        return run_sweep(argv[1:])
    args = build_parser().parse_args(argv)
    _return_large_buffers()
    try:
        sim, notes = start_simulator(args)
    except ScenarioError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except InvalidSnapshot as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 2
    app = create_app(
        simulator=sim,
        max_body=args.max_body,
        max_upload=args.max_upload,
        control_hosts=control_hosts(args.host, args.allow_host),
    )
    _allow_descriptors(args.connection_limit)
    try:
        tls = server_certificate(args)
    except CertificateError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        server = LiveServer(
            app,
            host=args.host,
            port=args.port,
            threads=args.threads or 1,
            connection_limit=args.connection_limit,
            channel_timeout=args.channel_timeout,
            max_body=max(args.max_body, args.max_upload),
            tls=tls,
        )
    except OSError as exc:
        if tls is not None:
            tls.remove()
        print(f"error: cannot listen on {args.host}:{args.port}: {exc.strerror}", file=sys.stderr)
        return 1
    print(banner(sim, server.url, [*notes, *tls_notes(tls)], _ca(tls)), flush=True)
    if not is_loopback(args.host):
        print(
            exposed_warning(args.host, sim.control_token is not None), file=sys.stderr, flush=True
        )
    try:
        serve_until_stopped(server)
    finally:
        if tls is not None:
            tls.remove()
    return save_on_exit(sim)


def _ca(tls: ServerCertificate | None) -> Path | None:
    return None if tls is None else tls.ca_file
