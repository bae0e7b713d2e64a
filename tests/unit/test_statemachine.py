"""The transition table as data: its statuses, projection and shape."""

from __future__ import annotations

import pytest

from simulator.domain import statemachine as sm
from simulator.domain.statemachine import PUBLIC_NAME, REMOVED, TRANSITIONS, Status

S = Status


def test_there_are_fifteen_fine_statuses_with_their_wire_names() -> None:
    assert len(Status) == 15
    assert Status("scratching_realtime_recover_data") is S.SCRATCHING_REALTIME_RECOVER_DATA
    assert str(S.PROCESSING_DATASET) == "processing_dataset"


def test_the_coarse_vocabulary_has_the_platforms_eight_public_names() -> None:
    assert sm.PUBLIC_NAMES == (
        "idle",
        "queued",
        "processing",
        "deleting",
        "saving_version",
        "aborting_processing",
        "error",
        "limit_reached",
    )


@pytest.mark.parametrize(
    ("status", "coarse"),
    [
        (S.PROCESSING_REALTIME, "processing"),
        (S.RECOVERING_REALTIME_RECORDS, "processing"),
        (S.SCRATCHING_REALTIME_RECOVER_DATA, "deleting"),
        (S.SAVING_DATASET_VERSION, "saving_version"),
        (S.ABORTING_PROCESSING, "aborting_processing"),
    ],
)
def test_projection_names_a_fine_status_in_either_vocabulary(status: Status, coarse: str) -> None:
    assert sm.project(status, "coarse") == coarse
    assert sm.project(status, "fine") == status.value


def test_every_status_is_reachable_from_idle_and_can_get_back_to_idle() -> None:
    forward: dict[object, set[object]] = {}
    for t in TRANSITIONS:
        forward.setdefault(t.source, set()).add(t.destination)

    def reachable(start: object) -> set[object]:
        seen, todo = {start}, [start]
        while todo:
            for nxt in forward.get(todo.pop(), ()):
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        return seen

    assert reachable(S.IDLE) == set(Status) | {REMOVED}
    assert all(S.IDLE in reachable(s) for s in Status)


def test_only_idle_error_and_limit_reached_accept_an_action() -> None:
    accepting = {t.source for t in TRANSITIONS if t.destination == S.QUEUED}
    assert accepting == set(sm.ACTION_ORIGINS) == {S.IDLE, S.ERROR, S.LIMIT_REACHED}


def test_aborting_is_entered_only_from_the_abortable_statuses() -> None:
    into = {t.source for t in TRANSITIONS if t.destination == S.ABORTING_PROCESSING}
    assert into == set(sm.ABORTABLE)


def test_the_table_has_no_duplicate_rows() -> None:
    pairs = [(t.source, t.destination) for t in TRANSITIONS]
    assert len(pairs) == len(set(pairs)) == len(sm.ALLOWED)


def test_check_accepts_table_moves_and_refuses_others() -> None:
    sm.check(S.QUEUED, S.PROCESSING_DATASET)
    with pytest.raises(sm.IllegalTransition):
        sm.check(S.QUEUED, S.IDLE)
    with pytest.raises(sm.IllegalTransition):
        sm.check(S.PROCESSING_ALL_DATASET_DATA, REMOVED)


def test_origins_are_spelled_as_the_platform_spells_them() -> None:
    assert sm.origins_text(sm.ACTION_ORIGINS) == "idle, error, limit_reached"


def test_the_served_table_lists_every_status_and_transition() -> None:
    table = sm.table()
    assert [s["name"] for s in table["statuses"]] == [s.value for s in Status]
    assert {s["name"]: s["public_name"] for s in table["statuses"]} == {
        s.value: PUBLIC_NAME[s] for s in Status
    }
    assert len(table["transitions"]) == len(TRANSITIONS)
    assert {
        "from": "deleting_dataset",
        "to": "removed",
        "trigger": "the dataset is deleted",
    } in table["transitions"]


def test_the_engines_move_lookup_is_the_table() -> None:
    assert set(sm.MOVES) == sm.ALLOWED
    assert sm.MOVES[(S.PROCESSING_DATASET, S.PROCESSING_ALL_DATASET_DATA)] == (
        "processing_dataset",
        "processing_all_dataset_data",
        False,
    )
    assert sm.MOVES[(S.QUEUED, S.PROCESSING_DATASET)] == ("queued", "processing_dataset", True)
    assert sm.MOVES[(S.DELETING_DATASET, REMOVED)] == ("deleting_dataset", "removed", True)
