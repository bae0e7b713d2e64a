"""huwise-utils-py, a real client from PyPI, run unmodified against the simulator over HTTPS.

The client hard-codes ``https://{HUWISE_DOMAIN}/api/automation/v1.0``; it is pointed
at a live simulator with ``HUWISE_DOMAIN=localhost:PORT``, ``HUWISE_API_KEY`` and
``SSL_CERT_FILE`` (the local CA of ``--tls``), as a user of the client would. It needs
Python 3.12: the test builds the client's environment once (cached, see
``tests/realclients/environment.py``) and runs a script of calls in it. The clock
runs in realtime, fast, as the client waits with its own 3-second polls.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from simulator.api import create_app
from simulator.api.certificates import certificate_names, local_certificate
from simulator.api.server import LiveServer
from simulator.scenario.loading import DEFAULT_API_KEY
from simulator.service import Simulator
from tests.conftest import check_contract, recorded, scenario_from
from tests.contract import Recorder
from tests.realclients.environment import NoInterpreter, client_environment, find_python

pytestmark = pytest.mark.e2e

#: The client, pinned: its calls are what the tests below were written against.
CLIENT = "huwise-utils-py==1.5.1"
CLIENTS = Path(__file__).resolve().parents[1] / "realclients"
#: 120 datasets: more than one of the client's pages of 100.
WORLD = "datasets:\n" + "".join(f"  - dataset_id: ds-{n:03d}\n" for n in range(120))
#: Virtual seconds per wall second: a publish ends within one of the client's polls.
SPEED = 600


@pytest.fixture(scope="module")
def huwise_python(request: pytest.FixtureRequest) -> Path:
    try:
        python = find_python((3, 12))
    except NoInterpreter as exc:
        pytest.fail(f"huwise-utils-py requires Python 3.12: {exc}", pytrace=False)
    cache = getattr(request.config, "cache", None)
    root = (
        cache.mkdir("real-clients")
        if cache is not None
        else Path(tempfile.gettempdir()) / "ods-simulator-real-clients"
    )
    return client_environment(root, python, CLIENT)


class Served:
    def __init__(self, simulator: Simulator, server: LiveServer, ca_file: Path) -> None:
        self.simulator = simulator
        self.server = server
        self.ca_file = ca_file


@pytest.fixture
def served() -> Iterator[Served]:
    """The simulator over HTTPS on a realtime clock; its answers checked against the documents."""
    recorders: list[Recorder] = []
    simulator = Simulator(
        scenario_from(WORLD), overrides={"clock_mode": "realtime", "speed": SPEED}
    )
    tls = local_certificate(certificate_names("127.0.0.1"))
    assert tls.ca_file is not None
    server = LiveServer(recorded(create_app(simulator=simulator), recorders), tls=tls).start()
    try:
        yield Served(simulator, server, tls.ca_file)
    finally:
        server.stop()
        tls.remove()
    check_contract(recorders)


def run_client(python: Path, script: str, served: Served, tmp_path: Path) -> dict[str, Any]:
    """Run a client script against the served simulator; what it saw, as JSON."""
    out = tmp_path / "seen.json"
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("HUWISE_", "SSL_CERT_", "PYTHON"))
    }
    env |= {
        "HUWISE_DOMAIN": f"localhost:{served.server.port}",
        "HUWISE_API_KEY": DEFAULT_API_KEY,
        "SSL_CERT_FILE": str(served.ca_file),
        "NO_PROXY": "localhost,127.0.0.1",
    }
    done = subprocess.run(
        [str(python), str(CLIENTS / script), str(out)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, f"{script} failed:\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}"
    return json.loads(out.read_text())


def fine_path(served: Served, uid: str) -> list[str]:
    entries = [e.to_dict() for e in served.simulator.control.timeline({uid})]
    return [entries[0]["from"], *(e["to"] for e in entries)]


def test_huwise_utils_creates_pages_publishes_waits_unpublishes_and_deletes(
    huwise_python: Path, served: Served, tmp_path: Path
) -> None:
    seen = run_client(huwise_python, "huwise_datasets.py", served, tmp_path)
    port = served.server.port
    assert seen["base_url"] == f"https://localhost:{port}/api/automation/v1.0"
    assert seen["count_before"] == 120
    uid = seen["uid"]
    assert seen["from_id"] == uid
    assert seen["metadata"]["default"]["title"] == {"value": "Trees of the city"}
    bulk = seen["bulk_metadata"]
    assert bulk["city-trees"]["default"]["title"] == {"value": "Trees of the city"}
    assert "Could not resolve" in bulk["no-such-id"]["error"]
    expected_ids = sorted([*(f"ds-{n:03d}" for n in range(120)), "city-trees"])
    assert seen["ids"] == expected_ids
    assert seen["ids_async"] == expected_ids  # the async walk follows next verbatim
    assert seen["count_after"] == 120
    # publish, the client's wait, unpublish, its wait, then delete (after a wait too);
    # the configuration change and the bodiless PUT (a refresh) start no job
    assert fine_path(served, uid) == [
        "idle",
        "queued",
        "processing_dataset",
        "processing_all_dataset_data",
        "idle",
        "queued",
        "deleting_all_dataset_data",
        "deleting_dataset",
        "idle",
        "removed",
    ]
    assert served.simulator.control.observe(uid)["exists"] is False


def test_a_missing_interpreter_fails_naming_it_and_how_to_install_it() -> None:
    with pytest.raises(NoInterpreter, match=r"python3\.99 is needed .* `pyenv install 3\.99`"):
        find_python((3, 99))


def test_huwise_utils_reads_and_writes_metadata_and_bulk_updates(
    huwise_python: Path, served: Served, tmp_path: Path
) -> None:
    seen = run_client(huwise_python, "huwise_metadata.py", served, tmp_path)
    assert seen["title_created"] == "Benches"
    assert seen["title"] == "Benches of the city"
    assert seen["description"] == "Where to sit down"
    assert seen["keywords"] == ["bench", "park"]
    # the client writes default.license_id and reads internal.license_id back
    assert seen["license"] == "cc_by"
    assert seen["bulk"] == {
        seen["uid"]: {"status": "success", "fields_updated": ["title", "description"]}
    }
    assert seen["title_after_bulk"] == "Benches (bulk)"
    assert seen["description_after_bulk"] == "Updated in bulk"
    assert seen["keywords_after_bulk"] == ["bench", "park"]  # the PUT of all kept them
    assert seen["metadata"]["default"]["title"] == {"value": "Benches (bulk)"}
    path = fine_path(served, seen["uid"])
    assert path[0] == "idle" and path[-1] == "removed"
    assert path.count("processing_dataset") == 2  # set_title's publish, then the bulk one
