"""State files written before file ids followed names still load, and go on.

``fixtures/state-v2/`` holds two snapshots written by the simulator before this
change (format 2): one a journal from the scenario, one a checkpoint (``base``) and
a journal after it. Each has uploads (one name twice), resources on them, edits in
the change log, a publish done and one half-way. They must load (their files' digest
checked: the uploads replay with the 32-hex ids they had), keep those ids, and then go
on as any world does.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from simulator.api.management.render import Ask
from simulator.service import statefile
from tests.facade import Simulated

ROOT = Path(__file__).resolve().parents[2]
OLDER = sorted((ROOT / "fixtures" / "state-v2").glob("*.json"))


def test_there_are_both_kinds_of_older_state_file() -> None:
    kinds = {"base" in json.loads(path.read_text()) for path in OLDER}
    assert kinds == {True, False}
    assert {json.loads(path.read_text())["version"] for path in OLDER} == {2}


@pytest.mark.parametrize("path", OLDER, ids=[p.stem for p in OLDER])
def test_an_older_state_file_loads_and_goes_on(path: Path) -> None:
    sim = Simulated.from_snapshot(statefile.read(path))  # every digest checked
    admin = sim.store.users["admin"]
    files = sim.list_files(admin, Ask())
    assert [f["filename"] for f in files] == ["a.csv", "Cheese Data.csv", "a.csv", "later.json"]
    assert all(len(f["file_id"]) == 32 for f in files), "the ids they were given"
    for f in files:  # each still found by its URL
        assert sim.download_file(admin, f["file_id"]).filename == f["filename"]
    # odsfile://<name> is still the latest upload of that name
    trees = sim.list_resources(admin, "da_trees1")[-1]
    assert trees["url"] == "odsfile://a.csv"
    assert sim.download_resource(admin, "da_trees1", trees["resource_uid"]).content == (
        b"name\nx\ny\nz\n"
    )
    # new uploads get ids from their names; the name's latest upload is the new one
    new = sim.upload_file(admin, "a.csv", "text/csv", b"name\nw\n", Ask())
    assert (new["file_id"], new["url"]) == ("a.csv", "odsfile://a.csv")
    uid = sim.create_dataset(admin, {}, Ask())["dataset_uid"]
    made = sim.create_resource(admin, uid, {"url": "odsfile://a.csv"})
    assert made["records"] == 1
    sim.attach(admin, uid, "attachments", {"url": new["url"]})
    sim.run_until_idle()
    # and written again (format 3), it loads again as the same world
    document = json.loads(sim.snapshot())
    assert document["version"] == statefile.VERSION == 3
    again = Simulated.from_snapshot(statefile.parse(sim.snapshot(), "<again>"))
    assert again.list_files(admin, Ask()) == sim.list_files(admin, Ask())
    assert again.list_attached(admin, uid, "attachments") == sim.list_attached(
        admin, uid, "attachments"
    )
    assert again.list_changes(admin, uid, Ask()) == sim.list_changes(admin, uid, Ask())
