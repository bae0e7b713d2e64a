"""What the pytest plugin costs a test suite.

1. The session server's start to first answer: in a fresh interpreter, imports
   included (what a test session pays once), and with the imports done.
   Target: under 300 ms.
2. The per-test reset the ``ods`` fixture does. Target: under 5 ms median.
3. A status call through interception (``requests``, no socket). Target: under
   1 ms median.
4. A client that reads a status every 10 s (``time.sleep(10)``) through a publish and
   an unpublish (8 transitions, 12 virtual sleeps), intercepted, under virtual sleep.
   Target: under 20 ms. Beside it, the same client handed the handle's ``sleep``
   (no patch of ``time``): what virtual sleep's patching costs on top.
5. The same status call with the request log recording it and with the log off,
   alternated in one run. Target: the log adds under 5 %.

    python bench/plugin.py [--repeat 200]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from typing import Any

COLD = """
import time
started = time.perf_counter()
import requests
from simulator.api import create_app
from simulator.scenario.loading import load_scenario_text
from simulator.api.server import LiveServer
from simulator.service import Simulator
sim = Simulator(load_scenario_text(""), overrides={"clock_mode": "manual"})
server = LiveServer(create_app(simulator=sim)).start()
assert requests.get(server.url + "/api/management/v2/datasets", auth=("admin", "admin")).ok
print(time.perf_counter() - started)
server.stop()
"""


def cold_start(runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", COLD], capture_output=True, text=True, check=True
        )
        times.append(float(out.stdout))
    return times


def warm_start(runs: int) -> list[float]:
    import requests

    from simulator.api import create_app
    from simulator.api.server import LiveServer
    from simulator.scenario.loading import load_scenario_text
    from simulator.service import Simulator

    scenario = load_scenario_text("")
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        sim = Simulator(scenario, overrides={"clock_mode": "manual"})
        server = LiveServer(create_app(simulator=sim)).start()
        requests.get(
            server.url + "/api/management/v2/datasets", auth=("admin", "admin")
        ).raise_for_status()
        times.append(time.perf_counter() - started)
        server.stop()
    return times


def resets(runs: int, scenario_text: str) -> list[float]:
    from simulator.scenario.loading import load_scenario_text
    from simulator.service import Simulator

    scenario = load_scenario_text(scenario_text)
    sim = Simulator(scenario, overrides={"clock_mode": "manual"})
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        sim.reset(scenario)
        times.append(time.perf_counter() - started)
    return times


def intercepted_status(runs: int) -> list[float]:
    import requests

    from simulator.testing.intercept import intercept

    url = "https://demo.opendatasoft.com/api/management/v2/datasets/da_trees1/status"
    with intercept("datasets: [{dataset_id: trees, dataset_uid: da_trees1}]"):
        session = requests.Session()
        session.headers["Authorization"] = "Apikey any"
        session.get(url).raise_for_status()
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            session.get(url)
            times.append(time.perf_counter() - started)
    return times


POLLED = """
status_names: fine
datasets:
  - {dataset_id: t, dataset_uid: da_tttttt, resources: [{records: 5000}, {records: 3000}]}
"""


def polling_client(runs: int, patched: bool) -> list[float]:
    import requests

    from simulator.testing import intercept

    url = "https://demo.opendatasoft.com/api/management/v2/datasets/da_tttttt"
    times = []
    with intercept(POLLED) as ods:
        session = requests.Session()
        session.headers["Authorization"] = "Apikey any"

        def wait(pause: Any) -> None:
            while session.get(f"{url}/status").json()["name"] != "idle":
                pause(10)

        for _ in range(runs):
            ods.reset()
            started = time.perf_counter()
            if patched:
                with ods.virtual_sleep():
                    session.put(f"{url}/publish")
                    wait(time.sleep)
                    session.put(f"{url}/unpublish")
                    wait(time.sleep)
            else:
                session.put(f"{url}/publish")
                wait(ods.sleep)
                session.put(f"{url}/unpublish")
                wait(ods.sleep)
            times.append(time.perf_counter() - started)
            assert len(ods.timeline("t")) == 8 and ods.now == 120, ods.timeline("t")
    return times


def status_with_and_without_log(runs: int) -> tuple[list[float], list[float]]:
    """The intercepted status read, alternately recorded in the request log and not."""
    import requests

    from simulator.testing.intercept import intercept

    url = "https://demo.opendatasoft.com/api/management/v2/datasets/da_trees1/status"
    with intercept("datasets: [{dataset_id: trees, dataset_uid: da_trees1}]") as ods:
        log = ods.simulator.requests
        session = requests.Session()
        session.headers["Authorization"] = "Apikey any"
        session.get(url).raise_for_status()
        recorded: list[float] = []
        unrecorded: list[float] = []
        for i in range(runs * 2):
            log.enabled = i % 2 == 0
            started = time.perf_counter()
            session.get(url)
            (recorded if log.enabled else unrecorded).append(time.perf_counter() - started)
        log.enabled = True
    return recorded, unrecorded


def line(label: str, times: list[float], unit: float = 1000.0, name: str = "ms") -> None:
    med, p90 = statistics.median(times), sorted(times)[int(len(times) * 0.9)]
    figures = f"median {med * unit:7.2f} {name}   p90 {p90 * unit:7.2f} {name}"
    print(f"  {label:44} {figures}   (n={len(times)})")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()
    from simulator.scenario.loading import default_scenario

    default_text = default_scenario().text or ""
    print("session server, start to first answer (target: under 300 ms)")
    line("fresh interpreter, imports included", cold_start(10))
    line("imports done", warm_start(20))
    print("per-test reset (target: under 5 ms median)")
    line("to an empty world", resets(args.repeat, ""))
    line("to the built-in scenario (4 datasets)", resets(args.repeat, default_text))
    print("intercepted call (target: under 1 ms median)")
    line("GET .../status through requests", intercepted_status(args.repeat * 5))
    print("a client polling every 10 s through 8 transitions, intercepted (target: under 20 ms)")
    line("time.sleep under virtual sleep", polling_client(args.repeat // 4 or 1, patched=True))
    line("reference: the handle's sleep passed in", polling_client(args.repeat // 4 or 1, False))
    print("request log on a status read (target: adds under 5 %)")
    recorded, unrecorded = status_with_and_without_log(args.repeat * 5)
    line("GET .../status, recorded", recorded)
    line("GET .../status, log off (reference)", unrecorded)
    added = statistics.median(recorded) / statistics.median(unrecorded) - 1
    print(f"  {'added by the log (medians)':44} {added * 100:+7.1f} %")


if __name__ == "__main__":
    main()
