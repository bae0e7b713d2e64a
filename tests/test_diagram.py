"""The state diagram cannot drift from the transition table."""

from __future__ import annotations

import re

from simulator.domain import diagram
from simulator.domain.statemachine import (
    HARVESTER_TRANSITIONS,
    REMOVED,
    TRANSITIONS,
    HarvesterStatus,
    Status,
)

SVG = diagram.SVG_FILE.read_text(encoding="utf-8")
HARVESTER_SVG = diagram.HARVESTER_SVG_FILE.read_text(encoding="utf-8")
REGENERATE = "regenerate it: .venv/bin/python -m simulator.domain.diagram"


def test_the_readme_mermaid_block_is_the_tables() -> None:
    block = diagram.readme_block(diagram.README.read_text(encoding="utf-8"))
    assert block == diagram.mermaid(), REGENERATE


def test_the_svg_was_drawn_from_the_current_table() -> None:
    assert diagram.stamp_of(SVG) == diagram.source_hash(), REGENERATE


def test_every_status_is_a_node_of_the_svg_and_the_dot_source_has_every_edge() -> None:
    classes = set(re.findall(r'class="node status status&#45;([a-z_]+)"', SVG))
    assert classes == {s.value for s in Status} | {REMOVED}
    source = diagram.dot_source()
    for t in TRANSITIONS:
        assert re.search(rf'"{t.source.value}(:end)?" -> "{t.destination}(:end)?"', source), t


def test_fine_statuses_are_grouped_under_their_public_name() -> None:
    mermaid = diagram.mermaid()
    assert "state processing {" in mermaid
    processing = mermaid.split("state processing {", 1)[1].split("}", 1)[0].split()
    assert processing == [
        "processing_dataset",
        "processing_resource_records",
        "processing_all_dataset_data",
        "processing_realtime",
        "recovering_realtime_records",
    ]
    assert 'id="group&#45;deleting"' in SVG


def test_a_changed_table_changes_the_stamp(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    before = diagram.source_hash()
    monkeypatch.setattr(diagram, "TRANSITIONS", TRANSITIONS[:-1])
    assert diagram.source_hash() != before


def test_the_harvesters_machine_is_current_in_the_readme_and_the_svg() -> None:
    readme = diagram.README.read_text(encoding="utf-8")
    block = diagram.readme_block(readme, diagram.HARVESTER_START, diagram.HARVESTER_END)
    assert block == diagram.harvester_mermaid(), REGENERATE
    assert diagram.stamp_of(HARVESTER_SVG) == diagram.harvester_source_hash(), REGENERATE
    classes = set(
        re.findall(
            r'class="node harvester&#45;status harvester&#45;status&#45;([a-z_]+)"', HARVESTER_SVG
        )
    )
    assert classes == {s.value for s in HarvesterStatus} | {REMOVED}
    for source, destination, _ in HARVESTER_TRANSITIONS:
        arrow = "[*]" if destination == REMOVED else destination
        assert f"    {source.value} --> {arrow}" in block
        assert f'"{source.value}" -> "{destination}"' in diagram.harvester_dot_source()


def test_a_changed_harvester_table_changes_its_stamp_only(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    before, datasets = diagram.harvester_source_hash(), diagram.source_hash()
    monkeypatch.setattr(diagram, "HARVESTER_TRANSITIONS", HARVESTER_TRANSITIONS[:-1])
    assert diagram.harvester_source_hash() != before
    assert diagram.source_hash() == datasets
