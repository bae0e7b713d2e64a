"""The state diagrams, drawn from the transition tables.

Two renderings of :data:`simulator.statemachine.TRANSITIONS`, fine statuses grouped
under their public name: a Mermaid block for the README, and an SVG laid out by
Graphviz (shipped with the package, served by the dashboard). The harvesters' machine
(:data:`simulator.statemachine.HARVESTER_TRANSITIONS`) gets the same two, drawn
plainly. Regenerate all four with

    python -m simulator.domain.diagram

(Graphviz's ``dot`` is needed for the SVG only). The SVG carries the hash of the
DOT source it was drawn from, so a test can tell it is out of date without
Graphviz; the Mermaid block is compared as text.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import sys
from pathlib import Path

from .statemachine import (
    HARVESTER_TRANSITIONS,
    PUBLIC_NAME,
    PUBLIC_NAMES,
    REMOVED,
    TRANSITIONS,
    HarvesterStatus,
    Status,
)

STATIC = Path(__file__).resolve().parents[1] / "api" / "control" / "static"
SVG_FILE = STATIC / "state-machine.svg"
README = Path(__file__).resolve().parents[2] / "README.md"
START, END = "<!-- state-diagram:start -->", "<!-- state-diagram:end -->"
HARVESTER_SVG_FILE = STATIC / "harvester-machine.svg"
HARVESTER_START = "<!-- harvester-diagram:start -->"
HARVESTER_END = "<!-- harvester-diagram:end -->"

#: The colour of each public name, shared with the dashboard.
COLOURS: dict[str, str] = {
    "idle": "#9aa0a6",
    "queued": "#f2a600",
    "processing": "#1a73e8",
    "deleting": "#8e44ad",
    "saving_version": "#00897b",
    "aborting_processing": "#e8710a",
    "error": "#d93025",
    "limit_reached": "#c2185b",
}


def groups() -> dict[str, list[Status]]:
    """Fine statuses by public name, in the table's order."""
    out: dict[str, list[Status]] = {name: [] for name in PUBLIC_NAMES}
    for status in Status:
        out[PUBLIC_NAME[status]].append(status)
    return out


#: Where jobs start and end: drawn on both sides of the diagram.
RESTING = frozenset({"idle", "error", "limit_reached", REMOVED})
START_COPY, END_COPY = "", ":end"


def _edge_style(destination: str) -> str:
    if destination == "error":
        return f'color="{COLOURS["error"]}"'
    if destination == "limit_reached":
        return f'color="{COLOURS["limit_reached"]}"'
    if destination == "aborting_processing":
        return f'color="{COLOURS["aborting_processing"]}", style=dashed'
    if destination == "queued":
        return f'color="{COLOURS["queued"]}"'
    return 'color="#5f6368"'


def _node(name: str, public: str, copy: str = "") -> str:
    """A node; resting statuses are drawn twice, their copies told apart by id."""
    attrs = f'id="st-{name}{copy}", class="status status-{name}", label="{name}"'
    if name == REMOVED:
        attrs += ', shape=doublecircle, label="", width=0.25, style=filled, fillcolor="#202124"'
    elif name == public:
        attrs += f', color="{COLOURS[public]}", penwidth=2'
    return f'"{name}{copy}" [{attrs}];'


def dot_source() -> str:
    """The diagram in Graphviz's DOT language.

    Jobs flow left to right: the resting statuses (idle, error, limit_reached) are
    drawn where jobs start, on the left, and again where they end, on the right.
    Every node has the SVG class ``status-<fine name>``.
    """
    lines = [
        "digraph states {",
        '  graph [rankdir=LR, bgcolor="transparent", fontname="Helvetica", fontsize=12,'
        " nodesep=0.22, ranksep=0.55, pad=0.2];",
        '  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=10,'
        ' fillcolor="#ffffff", color="#5f6368", penwidth=1.2];',
        "  edge [arrowsize=0.6, penwidth=0.9];",
    ]
    for public, members in groups().items():
        if len(members) == 1 and members[0].value == public:
            if public not in RESTING:  # queued, aborting_processing: drawn once, in colour
                lines.append(f"  {_node(public, public)}")
            continue
        colour = COLOURS[public]
        lines.append(f'  subgraph "cluster_{public}" {{')
        lines.append(
            f'    label="{public}"; id="group-{public}"; style="rounded,filled";'
            f' color="{colour}"; fillcolor="{colour}22"; fontcolor="{colour}";'
        )
        lines += [f"    {_node(status.value, public)}" for status in members]
        lines.append("  }")
    for name in sorted(RESTING - {REMOVED}, key=list(COLOURS).index):
        lines.append(f"  {_node(name, name, START_COPY)}")
        lines.append(f"  {_node(name, name, END_COPY)}")
    lines.append(f"  {_node(REMOVED, '')}")
    starts = " ".join(f'"{n}{START_COPY}";' for n in ("idle", "error", "limit_reached"))
    ends = " ".join(f'"{n}{END_COPY}";' for n in ("idle", "error", "limit_reached"))
    lines.append(f"  {{ rank=source; {starts} }}")
    lines.append(f'  {{ rank=sink; {ends} "{REMOVED}"; }}')
    for t in TRANSITIONS:
        source = t.source.value + (START_COPY if t.source.value in RESTING else "")
        destination = str(t.destination) + (
            END_COPY if t.destination in RESTING - {REMOVED} else ""
        )
        style = _edge_style(str(t.destination))
        lines.append(f'  "{source}" -> "{destination}" [{style}];')
    lines.append("}")
    return "\n".join(lines) + "\n"


def harvester_dot_source() -> str:
    """The harvesters' machine in DOT: every status once, ``removed`` as an end point.

    Every node has the SVG class ``harvester-status-<name>``; the statuses no move
    enters (``aborting``, ``deleting``) are drawn too, dashed.
    """
    used = {s for t in HARVESTER_TRANSITIONS for s in (t[0], t[1])}
    lines = [
        "digraph harvesters {",
        '  graph [rankdir=LR, bgcolor="transparent", fontname="Helvetica", fontsize=12,'
        " nodesep=0.3, ranksep=0.6, pad=0.2];",
        '  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=10,'
        ' fillcolor="#ffffff", color="#5f6368", penwidth=1.2];',
        '  edge [arrowsize=0.6, penwidth=0.9, color="#5f6368"];',
    ]
    for status in HarvesterStatus:
        name = status.value
        attrs = f'id="hv-{name}", class="harvester-status harvester-status-{name}"'
        attrs += f', label="{name}"'
        if status not in used:
            attrs += ', style="rounded,dashed", fontcolor="#9aa0a6", color="#9aa0a6"'
        elif name in COLOURS:
            attrs += f', color="{COLOURS[name]}", penwidth=2'
        lines.append(f'  "{name}" [{attrs}];')
    lines.append(
        f'  "{REMOVED}" [id="hv-{REMOVED}", class="harvester-status harvester-status-{REMOVED}",'
        ' shape=doublecircle, label="", width=0.25, style=filled, fillcolor="#202124"];'
    )
    lines.append(f'  {{ rank=source; "{HarvesterStatus.NEW.value}"; }}')
    lines.append(f'  {{ rank=sink; "{REMOVED}"; }}')
    for source, destination, _ in HARVESTER_TRANSITIONS:
        lines.append(f'  "{source.value}" -> "{destination}";')
    lines.append("}")
    return "\n".join(lines) + "\n"


def source_hash(source: str | None = None) -> str:
    text = dot_source() if source is None else source
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def harvester_source_hash() -> str:
    return source_hash(harvester_dot_source())


def stamp_of(svg: str) -> str | None:
    found = re.search(r"<!-- drawn from DOT source ([0-9a-f]{16}) -->", svg)
    return found.group(1) if found else None


def render_svg(source: str | None = None) -> str:
    """Lay a diagram out with Graphviz, and stamp it with its source's hash."""
    text = dot_source() if source is None else source
    dot = shutil.which("dot")
    if dot is None:
        raise RuntimeError("Graphviz's dot is needed to draw the SVG: apt-get install graphviz")
    svg = subprocess.run(
        [dot, "-Tsvg"], input=text, capture_output=True, text=True, check=True
    ).stdout
    stamp = f"<!-- drawn from DOT source {source_hash(text)} -->\n"
    return re.sub(r"(<svg\b)", stamp + r"\1", svg, count=1)


def mermaid() -> str:
    """The diagram as a Mermaid state diagram, for the README."""
    lines = ["```mermaid", "stateDiagram-v2", "    direction LR"]
    for public, members in groups().items():
        if len(members) == 1 and members[0].value == public:
            continue
        lines.append(f"    state {public} {{")
        lines += [f"        {status.value}" for status in members]
        lines.append("    }")
    lines.append("    [*] --> idle")
    for t in TRANSITIONS:
        destination = "[*]" if t.destination == REMOVED else str(t.destination)
        lines.append(f"    {t.source.value} --> {destination}")
    lines.append("```")
    return "\n".join(lines)


def harvester_mermaid() -> str:
    """The harvesters' machine as a Mermaid state diagram, for the README."""
    lines = ["```mermaid", "stateDiagram-v2", "    direction LR"]
    lines.append(f"    [*] --> {HarvesterStatus.NEW.value}")
    for source, destination, _ in HARVESTER_TRANSITIONS:
        target = "[*]" if destination == REMOVED else str(destination)
        lines.append(f"    {source.value} --> {target}")
    used = {s for t in HARVESTER_TRANSITIONS for s in (t[0], t[1])}
    for status in HarvesterStatus:
        if status not in used:  # listed by the platform, entered by no move here
            lines.append(f"    {status.value}")
    lines.append("```")
    return "\n".join(lines)


def readme_block(text: str, start: str = START, end: str = END) -> str | None:
    """The Mermaid block between the README's markers."""
    if start not in text or end not in text:
        return None
    return text.split(start, 1)[1].split(end, 1)[0].strip()


def write_readme(text: str) -> str:
    for start, end, block in (
        (START, END, mermaid()),
        (HARVESTER_START, HARVESTER_END, harvester_mermaid()),
    ):
        before, rest = text.split(start, 1)
        after = rest.split(end, 1)[1]
        text = f"{before}{start}\n{block}\n{end}{after}"
    return text


def main(argv: list[str] | None = None) -> int:
    """Regenerate the SVGs and the README's Mermaid blocks from the tables.

    An SVG whose stamp already matches its table is left as it is: another Graphviz
    version would lay it out anew for nothing.
    """
    del argv
    for path, source in ((SVG_FILE, dot_source()), (HARVESTER_SVG_FILE, harvester_dot_source())):
        if not path.exists() or stamp_of(path.read_text(encoding="utf-8")) != source_hash(source):
            path.write_text(render_svg(source), encoding="utf-8")
    README.write_text(write_readme(README.read_text(encoding="utf-8")), encoding="utf-8")
    print(f"wrote {SVG_FILE.name}, {HARVESTER_SVG_FILE.name} and the diagrams of {README}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
