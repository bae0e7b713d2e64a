"""``--state-file`` as a user runs it: saved on SIGTERM and Ctrl-C, restored at the next
start, and never torn, not even by SIGKILL in the middle of a write."""

from __future__ import annotations

import json
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from simulator.cli import build_parser, main, start_simulator
from simulator.service import statefile
from tests.conftest import API, AUTH
from tests.facade import Simulated as Simulator
from tests.spawn import Spawned

pytestmark = pytest.mark.e2e


def _default_sigint() -> None:
    # a child inherits an ignored SIGINT (background jobs have one); a user's Ctrl-C does not
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def spawn(*args: str) -> Spawned:
    return Spawned("--port", "0", *args, preexec_fn=_default_sigint)


@pytest.fixture
def start() -> Iterator[Any]:
    servers: list[Spawned] = []

    def start(*args: str) -> Spawned:
        servers.append(spawn(*args))
        return servers[-1]

    yield start
    for server in servers:
        server.kill()


def world(url: str) -> list[Any]:
    """What a client sees: the clock, every transition, every dataset."""
    datasets = requests.get(f"{url}{API}/datasets?rows=100", headers=AUTH, timeout=10).json()
    return [
        requests.get(f"{url}/_sim/clock", timeout=10).json(),
        requests.get(f"{url}/_sim/timeline", timeout=10).json(),
        datasets,
    ]


def test_sigterm_and_ctrl_c_save_and_the_next_start_restores(start, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "state.json"
    first = start("--clock", "manual", "--state-file", str(path))
    assert first.line("  state") == (
        f"  state        {path} (new; saved on shutdown and POST /_sim/snapshot)"
    )
    url = first.url
    requests.put(f"{url}{API}/datasets/da_trees1/publish", headers=AUTH, timeout=10)
    body = {"metas": {"default": {"title": "Kept across restarts"}}}
    requests.post(f"{url}{API}/datasets", json=body, headers=AUTH, timeout=10)
    requests.post(f"{url}/_sim/clock/advance", json={"seconds": 7}, timeout=10)
    before = world(url)
    assert before[0]["active_jobs"] == 1  # the publish is half-way
    code, out = first.stop(signal.SIGTERM)
    assert (code, out) == (
        0,
        f"state saved to {path}: 2 operations, virtual time 2026-01-01T00:00:07+00:00\n",
    )

    second = start("--clock", "manual", "--state-file", str(path))
    assert second.line("  state") == (
        f"  state        restored from {path}: 2 operations, "
        "virtual time 2026-01-01T00:00:07+00:00 (7 s)"
    )
    assert second.line("  note") == "  note         --clock ignored: the state file holds its world"
    assert world(second.url) == before
    requests.put(f"{second.url}{API}/datasets/da_bikes1/publish", headers=AUTH, timeout=10)
    requests.post(f"{second.url}/_sim/clock/run_until_idle", timeout=10)
    timeline = requests.get(f"{second.url}/_sim/timeline", timeout=10).json()
    code, out = second.stop(signal.SIGINT)  # Ctrl-C
    assert code == 0 and out.startswith(f"state saved to {path}: 3 operations"), out
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]
    assert Simulator.from_snapshot(statefile.read(path)).timeline() == timeline


def test_a_state_file_that_cannot_be_used_stops_the_start(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "state.json"
    path.write_text('{"format": "ods-simulator-snapshot", "version": 7}')
    assert main(["--state-file", str(path)]) == 2
    readable = ", ".join(str(v) for v in statefile.READABLE)
    assert capsys.readouterr().err == (
        f"error: {path}: snapshot format version 7 is not one this simulator reads ({readable})\n"
    )
    path.write_text('{"format": "ods-simulator-snapshot", "vers')  # as a torn write would be
    assert main(["--state-file", str(path)]) == 2
    assert "not JSON (Unterminated string" in capsys.readouterr().err
    missing = tmp_path / "nowhere" / "state.json"
    assert main(["--state-file", str(missing)]) == 2
    assert capsys.readouterr().err == f"error: {missing}: its directory does not exist\n"


def test_a_state_file_of_an_older_format_starts_and_is_saved_in_todays(
    start, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "state.json"
    older = Path(__file__).parent.parent / "statefiles" / "metadata-v2-journal.json"
    path.write_bytes(older.read_bytes())
    server = start("--state-file", str(path))
    assert server.line("  state").startswith(f"  state        restored from {path}")
    trees = f"{server.url}{API}/datasets/da_trees1"
    metas = requests.get(trees, headers=AUTH, timeout=10).json()["metas"]
    assert metas["visualization"]["images_disabled"] is False
    assert "notes" not in metas["internal"]
    code, out = server.stop(signal.SIGTERM)
    assert code == 0 and out.startswith(f"state saved to {path}"), out
    saved = statefile.read(path)
    assert json.loads(path.read_text())["version"] == statefile.VERSION and not saved.migrated


class Hammer:
    """One thread changes the world, another saves it, both without pause, until the
    server goes away: at any moment a save is likely half-written."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.changes = 0  # changes the server acknowledged
        self.saved: list[int] = []  # the operations count of every acknowledged save
        self.more = threading.Condition()
        self.threads = [
            threading.Thread(target=self._until_killed, args=(f,), daemon=True)
            for f in (self._change, self._save)
        ]
        for thread in self.threads:
            thread.start()

    def _until_killed(self, step: Any) -> None:
        http = requests.Session()
        http.headers.update(AUTH)
        try:
            while True:
                step(http)
        except requests.RequestException:
            return

    def _change(self, http: requests.Session) -> None:
        body = {"metas": {"default": {"title": f"Dataset {self.changes}"}}}
        http.post(f"{self.url}{API}/datasets", json=body, timeout=10).raise_for_status()
        self.changes += 1

    def _save(self, http: requests.Session) -> None:
        answer = http.post(f"{self.url}/_sim/snapshot", timeout=10).json()
        with self.more:
            self.saved.append(answer["operations"])
            self.more.notify_all()

    def wait_for_saves(self, count: int) -> None:
        with self.more:
            assert self.more.wait_for(lambda: len(self.saved) >= count, timeout=60)

    def join(self) -> None:
        for thread in self.threads:
            thread.join(timeout=30)


def kill_in_a_write(server: Spawned, directory: Path) -> None:
    """SIGKILL the server the moment a save's temporary file appears: mid-write."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if any(p.suffix == ".tmp" for p in directory.iterdir()):
            server.proc.kill()
            return
    raise AssertionError("no save started")


def test_sigkill_in_the_middle_of_saves_leaves_a_file_that_restores(
    start,  # type: ignore[no-untyped-def]
    tmp_path: Path,
) -> None:
    path = tmp_path / "state.json"
    server = start("--clock", "manual", "--state-file", str(path))
    # a large upload makes every save write about a megabyte: a write takes a while
    rows = "".join(f"{i},{'x' * 60}\n" for i in range(10_000))
    upload = {"filename": "big.csv", "content": f"id,text\n{rows}", "mimetype": "text/csv"}
    r = requests.post(f"{server.url}{API}/files", json=upload, headers=AUTH, timeout=30)
    assert r.status_code == 200, r.text
    done, torn = 1, []
    for round, saves in enumerate((2, 7, 4)):
        hammer = Hammer(server.url)
        hammer.wait_for_saves(saves)
        if round < 2:
            kill_in_a_write(server, tmp_path)
        else:
            server.proc.kill()  # wherever it is
        server.stop()
        hammer.join()
        torn.append(len(list(tmp_path.iterdir())) > 1)  # a write cut short left its file
        # the file holds the last save that reached its rename: the last one acknowledged,
        # or one in flight, which holds no more than the changes made (one maybe unanswered)
        document = statefile.read(path)
        assert max(hammer.saved) <= len(document.journal) <= done + hammer.changes + 1
        done = len(document.journal)
        if round < 2:  # start again on the same file, and go on from there
            server = start("--clock", "manual", "--state-file", str(path))
            assert f"restored from {path}: {done} operations" in server.line("  state")
            snapshot = requests.get(f"{server.url}/_sim/snapshot", timeout=30).json()
        else:  # the last time, the start up to serving, in this process
            args = build_parser().parse_args(["--state-file", str(path)])
            snapshot = json.loads(start_simulator(args)[0].snapshots.take())
        assert snapshot["state"] == document.state
        assert [p.name for p in tmp_path.iterdir()] == ["state.json"]  # leftovers swept
    assert any(torn[:2]), "no kill landed in a write"
