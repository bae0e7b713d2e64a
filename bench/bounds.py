"""What bad input costs a live simulator, beside what ordinary input costs it.

Against a simulator in a process of its own (``ods-simulator``, 1,000 datasets),
each figure is the median of repeated requests, beside a reference measured in the
same run:

- a dataset listing with a long ``where`` (80,000 spaces in a clause; 1,000 clauses on
  one field, the most it may join; 6,001 clauses, 132 KB), beside the same listing
  with a one-clause ``where``;
- a status read by a new client while 200 connections stall (100 idle, 100 with a
  request half sent), beside the same read with none stalled;
- a 733-byte "billion laughs" scenario refused by ``PUT /_sim/scenario``, beside a
  small valid scenario loaded.

Targets: a ``where`` of 100 KB answered under 50 ms; the new client served within 1 s.

    python bench/bounds.py [--repeat 9]
"""

from __future__ import annotations

import argparse
import http.client
import socket
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.spawn import Spawned

KEY = {"Authorization": "Apikey ods-sim-admin-key"}
WORLD = "seed: 3\ndatasets: [{generate: 1000, prefix: ds, records: 100}]\n"
LAUGHS = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{c}: &{c} [{', '.join([f'*{p}'] * 9)}]\n" for p, c in zip("abcdefgh", "bcdefghi", strict=True)
)


def median_ms(call: Callable[[], Any], repeat: int, expect: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        answer = call()
        times.append(time.perf_counter() - started)
        assert answer.status_code == expect, answer.status_code
    return statistics.median(times) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args()
    n = args.repeat
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "world.yaml"
        path.write_text(WORLD, encoding="utf-8")
        server = Spawned("--port", "0", "--clock", "manual", "--scenario", str(path))
        try:
            url = server.url
            listing = f"{url}/api/management/v2/datasets"
            rows: list[tuple[str, float, str, float]] = []

            host, port = url.removeprefix("http://").rsplit(":", 1)

            def listed(where: str) -> Callable[[], Any]:
                """The request as bytes on the wire: the client's own work left out."""
                path = "/api/management/v2/datasets?" + urlencode({"where": where})

                def get() -> Any:
                    connection = http.client.HTTPConnection(host, int(port), timeout=30)
                    connection.request("GET", path, headers=KEY)
                    answer = connection.getresponse()
                    answer.read()
                    connection.close()
                    answer.status_code = answer.status
                    return answer

                return get

            short = median_ms(listed("datasetid=ds-0001"), n, 200)
            spaces = median_ms(listed("datasetid=x" + " " * 80_000 + "x"), n, 400)
            many = median_ms(listed("datasetid=ds-0001 AND " * 999 + "published=false"), n, 200)
            too_many = "datasetid=ds-0001 AND " * 6_000 + "published=false"
            refused = median_ms(listed(too_many), n, 400)
            rows.append(("where: 80,000 spaces (400)", spaces, "one clause", short))
            rows.append(("where: 1,000 clauses, 22 KB", many, "one clause", short))
            rows.append(("where: 6,001 clauses, 132 KB (400)", refused, "one clause", short))

            first = requests.get(listing, headers=KEY).json()["datasets"][0]["dataset_uid"]
            status = f"{listing}/{first}/status"
            calm = median_ms(lambda: requests.get(status, headers=KEY), n, 200)
            with ExitStack() as stack:
                for first in (b"", b"GET /_sim/health HTTP/1.1\r\nHost: x\r\nX-Slow: "):
                    for _ in range(100):
                        sock = stack.enter_context(
                            socket.create_connection(("127.0.0.1", int(url.rsplit(":", 1)[1])))
                        )
                        if first:
                            sock.sendall(first)
                crowded = median_ms(lambda: requests.get(status, headers=KEY), n, 200)
            rows.append(("status read, 200 stalled connections", crowded, "none stalled", calm))

            load = f"{url}/_sim/scenario"
            laughs = median_ms(lambda: requests.put(load, data=LAUGHS), n, 400)
            valid = median_ms(lambda: requests.put(load, data="seed: 1\n"), n, 200)
            rows.append(("billion laughs refused", laughs, "small scenario loaded", valid))
        finally:
            server.stop()
    width = max(len(r[0]) for r in rows)
    print(f"{'case':<{width}}  {'median':>9}   reference")
    for name, ms, ref_name, ref_ms in rows:
        print(f"{name:<{width}}  {ms:>7.1f} ms   {ref_name}: {ref_ms:.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
