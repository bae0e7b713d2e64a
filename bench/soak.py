"""The concurrency soak, long: many client threads against a server whose clock runs.

Starts the simulator as its own process (``run_simulator.py --port 0``, so that the
clients and the server do not share an interpreter), loads the soak's world into it,
and runs ``tests/soak.py``'s clients against it: a seeded mix of create, resources,
processors, publish, abort, unpublish, save_version, publish_metadata, realtime
pushes, status, list, delete, jobs and control reads, while the clock runs in
realtime. Then it stops the clock, runs every job to its end and checks the
invariants. Prints requests per second, every operation's answers and latency, the
transitions produced and the invariants' verdict; exits 1 on any violation.

    python bench/soak.py [--threads 16] [--duration 60 | --operations N] [--speed 300]
                         [--seed 0] [--server-threads 8] [--url URL] [--mix jobs=0,...]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the driver is the suite's: tests/soak.py

from tests import soak  # noqa: E402
from tests.spawn import Spawned  # noqa: E402


@contextmanager
def server(threads: int) -> Iterator[str]:
    """The simulator in a process of its own, on a free port; its URL."""
    args = ["--port", "0", "--clock", "manual", "--threads", str(threads)]
    try:
        spawned = Spawned(*args, stderr=subprocess.DEVNULL)
    except RuntimeError as exc:
        raise SystemExit(f"the simulator did not start: {exc}") from None
    try:
        yield spawned.url
    finally:
        spawned.stop(timeout=10)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, default=16, help="client threads (16)")
    parser.add_argument("--duration", type=float, default=60.0, help="wall seconds (60)")
    parser.add_argument(
        "--operations", type=int, help="operations per thread (instead of a duration)"
    )
    parser.add_argument("--speed", type=float, default=300.0, help="virtual s per wall s (300)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the operation mix (0)")
    parser.add_argument(
        "--server-threads", type=int, default=8, help="the server's HTTP threads (8)"
    )
    parser.add_argument("--url", help="soak this running simulator instead (it is reset)")
    parser.add_argument(
        "--mix", default="", help="weights to change, e.g. jobs=0,publish=40 (see tests/soak.py)"
    )
    args = parser.parse_args()
    mix = dict(soak.DEFAULT_MIX)
    for item in filter(None, args.mix.split(",")):
        name, _, weight = item.partition("=")
        if name not in mix or not weight.isdigit():
            parser.error(f"--mix: expected operation=weight with one of {', '.join(mix)}")
        mix[name] = int(weight)
    config = soak.SoakConfig(
        threads=args.threads,
        operations=args.operations,
        duration=None if args.operations else args.duration,
        speed=args.speed,
        seed=args.seed,
        mix=mix,
    )
    if args.url:
        result = soak.run(args.url.rstrip("/"), config)
    else:
        with server(args.server_threads) as url:
            result = soak.run(url, config)
    print(result.summary())
    return 1 if result.violations else 0


if __name__ == "__main__":
    raise SystemExit(main())
