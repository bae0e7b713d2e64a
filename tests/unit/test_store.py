"""The store's identifiers: seeded, and never one that names something else."""

from __future__ import annotations

import random

from simulator.domain.models import Dataset
from simulator.domain.store import Store


class Replay(random.Random):
    """A generator that draws the given numbers in turn."""

    def __init__(self, *draws: int) -> None:
        super().__init__(0)
        self.draws = list(draws)

    def getrandbits(self, k: int) -> int:
        return self.draws.pop(0)


def dataset(uid: str) -> Dataset:
    return Dataset(uid, uid, {}, "admin", 0.0, 0.0)


def test_the_uid_of_a_deleted_dataset_is_not_drawn_again() -> None:
    store = Store(Replay(1, 1, 2))
    first = store.new_dataset_uid()
    store.add_dataset(dataset(first))
    store.remove_dataset(store.datasets[first])
    second = store.new_dataset_uid()  # draws the same number again, then another
    assert second != first
    assert store.rng.draws == []  # type: ignore[attr-defined]


def test_the_same_seed_gives_the_same_uids() -> None:
    a, b = Store(random.Random("7:ids")), Store(random.Random("7:ids"))
    assert [a.new_dataset_uid() for _ in range(5)] == [b.new_dataset_uid() for _ in range(5)]
