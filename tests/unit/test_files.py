"""File ids made from names, and what an odsfile:// URL refers to."""

from __future__ import annotations

import random

import pytest

from simulator.api.management.render import Ask
from simulator.domain.files import file_id_for
from simulator.domain.models import StoredFile
from simulator.domain.store import Store
from tests.conftest import scenario_from
from tests.facade import Simulated


@pytest.mark.parametrize(
    ("filename", "file_id"),
    [
        ("Cheese Data.csv", "cheese_data.csv"),  # the documentation's example
        ("data.csv", "data.csv"),
        ("fromages.csv", "fromages.csv"),
        ("Données été (v2).CSV", "donnees_ete_v2.csv"),
        ("my-file.v2.csv", "my-file_v2.csv"),
        ("archive.tar.gz", "archive_tar.gz"),
        ("README", "readme"),
        ("日本.csv", "file.csv"),
        ("--.csv", "file.csv"),
        (".csv", "csv"),
        ("x" * 300 + ".csv", "x" * 100 + ".csv"),
        ("a." + "b" * 40, "a." + "b" * 16),
    ],
)
def test_a_file_id_is_made_from_its_name(filename: str, file_id: str) -> None:
    assert file_id_for(filename) == file_id


def test_a_taken_id_gets_a_number_before_the_extension() -> None:
    assert [file_id_for("Cheese Data.csv", n) for n in (1, 2, 3)] == [
        "cheese_data.csv",
        "cheese_data_2.csv",
        "cheese_data_3.csv",
    ]
    assert file_id_for("README", 2) == "readme_2"


def stored(file_id: str, filename: str) -> StoredFile:
    return StoredFile(file_id, filename, "text/csv", b"a\n", 0.0, 0, {})


def test_odsfile_names_a_file_by_its_id_first_then_the_latest_upload_of_that_name() -> None:
    store = Store(random.Random(0))
    named = stored("data.csv", "Data.csv")
    other = stored("data_2.csv", "data.csv")
    store.add_file(named)
    store.add_file(other)
    assert store.file_named("data.csv") is named  # an id wins over a name
    assert store.file_named("Data.csv") is named
    assert store.file_named("data_2.csv") is other
    assert store.file_at("odsfile://data_2.csv") is other
    assert store.file_at("https://x.test/data.csv") is None
    assert store.file_named("nothing.csv") is None


def test_a_replaced_upload_is_let_go_and_counted() -> None:
    store = Store(random.Random(0))
    store.add_file(stored("a.csv", "a.csv"))
    store.add_file(stored("b.csv", "b.csv"))
    newer = StoredFile("a.csv", "a.csv", "text/csv", b"a\n1\n", 5.0, 1, {})
    store.add_file(newer)
    assert list(store.files) == ["b.csv", "a.csv"], "the replacing upload is the newest"
    assert store.files_by_name["a.csv"] is newer
    assert (store.file_bytes, store.dropped_bytes) == (2 + 4, 2)


def test_a_refused_upload_keeps_nothing_and_draws_nothing() -> None:
    sim, fresh = Simulated(scenario_from("")), Simulated(scenario_from(""))
    admin = sim.store.users["admin"]
    with pytest.raises(Exception, match="file"):
        sim.upload_file(admin, "x.json", None, b"{", Ask())
    assert sim.store.files == {} and len(sim.journal) == 0
    assert sim.store.rng.getstate() == fresh.store.rng.getstate()
