"""run_simulator.py as a user runs it: a real process, its banner, its exit codes."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.spawn import Spawned

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = str(ROOT / "run_simulator.py")


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, SCRIPT, *args], capture_output=True, text=True, timeout=60
    )


@pytest.fixture
def start() -> Iterator:  # type: ignore[type-arg]
    servers: list[Spawned] = []

    def start(*args: str) -> tuple[str, list[str]]:
        servers.append(Spawned(*args))
        return servers[-1].url, servers[-1].banner

    yield start
    for server in servers:
        server.stop(timeout=10)


def test_port_zero_picks_a_free_port_and_prints_url_credentials_and_a_curl_example(start) -> None:  # type: ignore[no-untyped-def]
    url, lines = start("--port", "0", "--clock", "manual")
    text = "\n".join(lines)
    assert "API key      ods-sim-admin-key" in text
    assert "user         admin / password admin" in text
    assert (
        f'curl -H "Authorization: Apikey ods-sim-admin-key" {url}/api/management/v2/datasets/'
        in text
    )
    r = requests.get(f"{url}/api/management/v2/datasets", auth=("admin", "admin"), timeout=10)
    assert [d["dataset_id"] for d in r.json()["datasets"]][:2] == ["trees", "bike-counters"]
    assert requests.get(f"{url}/_sim/clock", timeout=10).json()["mode"] == "manual"


def test_the_default_is_a_realtime_demo_clock(start) -> None:  # type: ignore[no-untyped-def]
    url, lines = start("--port", "0")
    assert any("clock        realtime at 10x" in line for line in lines)
    clock = requests.get(f"{url}/_sim/clock", timeout=10).json()
    assert (clock["mode"], clock["speed"]) == ("realtime", 10)


def test_flags_override_the_scenario(start, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    scenario = tmp_path / "s.yaml"
    scenario.write_text("platform: {workers: 7}\ndatasets: [{dataset_id: only}]\n")
    url, lines = start(
        "--port",
        "0",
        "--scenario",
        str(scenario),
        "--workers",
        "3",
        "--status-names",
        "fine",
        "--clock",
        "manual",
    )
    assert any("1 datasets, 3 workers" in line for line in lines)
    assert f"  Automation   {url}/api/automation/v1.0/" in lines
    assert requests.get(f"{url}/_sim/clock", timeout=10).json()["workers"] == 3


def test_help_explains_every_flag() -> None:
    result = run("--help")
    assert result.returncode == 0
    for flag in (
        "--host",
        "--port",
        "--clock",
        "--speed",
        "--workers",
        "--seed",
        "--status-names",
        "--scenario",
    ):
        assert flag in result.stdout
    assert "/_sim/clock/advance" in result.stdout


def test_a_broken_scenario_exits_2_naming_the_file_and_key(tmp_path: Path) -> None:
    scenario = tmp_path / "bad.yaml"
    scenario.write_text("platform:\n  wrokers: 3\n")
    result = run("--scenario", str(scenario))
    assert result.returncode == 2
    assert f"{scenario}:2: platform.wrokers: unknown key (did you mean 'workers'?)" in result.stderr


def test_bad_flag_values_are_refused_by_the_parser() -> None:
    result = run("--clock", "fast")
    assert result.returncode == 2
    assert "invalid choice: 'fast'" in result.stderr
    assert run("--speed", "0").returncode == 2


def test_a_control_token_locks_the_control_api_of_a_real_server() -> None:
    server = Spawned("--port", "0", "--clock", "manual", "--control-token", "s3cret")
    try:
        assert "control token is required" in server.line("  control")
        assert requests.get(f"{server.url}/_sim/clock", timeout=10).status_code == 401
        locked = requests.post(f"{server.url}/_sim/reset", timeout=10)
        assert locked.json()["error_key"] == "ControlTokenRequiredException"
        token = {"X-Sim-Token": "s3cret"}
        assert requests.get(f"{server.url}/_sim/clock", headers=token, timeout=10).ok
        assert requests.get(f"{server.url}/_sim/health", timeout=10).ok
    finally:
        server.stop()


def test_listening_beyond_loopback_warns_loudly_and_names_the_remedy() -> None:
    server = Spawned("--host", "0.0.0.0", "--port", "0", "--clock", "manual")
    url = server.url.replace("0.0.0.0", "127.0.0.1")
    assert requests.get(f"{url}/_sim/clock", timeout=10).ok  # any name, on every interface
    code, later = server.stop()
    assert code == 0
    assert "WARNING: listening on 0.0.0.0, not on loopback" in later
    assert "--control-token" in later


def test_a_loopback_server_answers_control_calls_to_loopback_names_only(start) -> None:  # type: ignore[no-untyped-def]
    url, _ = start("--port", "0", "--clock", "manual", "--allow-host", "ci-runner")
    port = url.rsplit(":", 1)[1]

    def clock(host: str) -> int:
        return requests.get(f"{url}/_sim/clock", headers={"Host": host}, timeout=10).status_code

    assert clock(f"localhost:{port}") == 200
    assert clock(f"ci-runner:{port}") == 200
    assert clock(f"attacker.example:{port}") == 403
