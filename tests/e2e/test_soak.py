"""A short concurrency soak: client threads against a live server whose clock runs.

The driver and the invariants live in ``tests/soak.py`` (``bench/soak.py`` runs the
same soak longer). The operation mix is seeded; how the threads interleave is not.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests import soak
from tests.conftest import Live

pytestmark = pytest.mark.e2e


def test_concurrent_clients_leave_a_consistent_world(make_live: Callable[..., Live]) -> None:
    # 1,200 operations take 5 to 15 s on two cores; the duration only bounds a slow run
    config = soak.SoakConfig(threads=8, operations=150, duration=25, speed=150, seed=2026)
    # make_live also checks every answer against the OpenAPI documents
    result = soak.run(make_live().url, config)

    assert result.violations == [], result.summary()
    ledger = result.ledger
    assert result.hung_threads == 0
    # the clock ran while the clients sent, and they got in each other's way
    assert result.virtual_at_stop > 60
    assert ledger.codes["publish"][200] > 0
    assert ledger.refusals["publish", 400, soak.PRECONDITION] > 0
    assert ledger.created and ledger.deleted_now
    assert result.transitions > 200
    ended = {j["state"] for j in result.snapshot.jobs}
    assert {"done", "error"} <= ended
