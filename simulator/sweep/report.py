"""What a sweep found: each case survived or failed, and how; a table, JSON, replay files.

A case fails in one of a few ways: the client raised (``exception``), the test's own
checks found a wrong final state (``assertion``), the client waited past the sweep's
virtual-time budget or request budget (``hang``), or a command exited non-zero
(``exit``). Each failing case gets a scenario file that replays its timeline.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .plan import KINDS, Case, Recording

SURVIVED = "survived"
#: How a case can fail, and the letter the table shows for it.
FAILURES = {"exception": "E", "assertion": "A", "hang": "H", "exit": "X"}
#: Failing cases the table details for each fault kind; the rest are counted.
SHOWN_PER_KIND = 2
#: The longest detail kept for a failure (the first line of its message).
DETAIL_LIMIT = 300


@dataclass(frozen=True)
class ClientScript:
    """What the client did to the world in a case's run, as script steps for a headless
    replay; ``unplayable``: such calls on datasets it made itself (no step names them)."""

    steps: tuple[dict[str, Any], ...] = ()
    unplayable: int = 0


@dataclass(frozen=True)
class Outcome:
    case: Case
    how: str = SURVIVED
    detail: str = ""
    #: The scenario file that replays a failing case, once written.
    replay: str | None = None
    #: The client's calls of the case's run that changed the world (in-process sweeps).
    client: ClientScript | None = None

    @property
    def survived(self) -> bool:
        return self.how == SURVIVED

    def to_dict(self) -> dict[str, Any]:
        return {
            "number": self.case.number,
            "kind": self.case.kind,
            "point": self.case.point,
            "result": SURVIVED if self.survived else "failed",
            "how": None if self.survived else self.how,
            "detail": self.detail or None,
            "replay": self.replay,
        }


def detail_of(message: str) -> str:
    """The first line of a message, cut to a readable length."""
    first = message.strip().splitlines()[0] if message.strip() else ""
    return first if len(first) <= DETAIL_LIMIT else first[: DETAIL_LIMIT - 3] + "..."


@dataclass(frozen=True)
class Report:
    subject: str
    recording: Recording
    outcomes: tuple[Outcome, ...]
    #: How many cases the plan had before sampling.
    planned: int

    @property
    def failures(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.survived]

    def to_dict(self) -> dict[str, Any]:
        return {
            "subject": self.subject,
            "cases": len(self.outcomes),
            "planned": self.planned,
            "survived": len(self.outcomes) - len(self.failures),
            "failed": len(self.failures),
            "calls": [
                {"number": c.number, "method": c.method, "path": c.path}
                for c in self.recording.calls
            ],
            "outcomes": [o.to_dict() for o in self.outcomes],
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2)

    def table(self) -> str:
        """The terminal's view: one line per fault kind, one mark per point, then failures."""
        lines = [self._headline(), ""]
        by_kind: dict[str, list[Outcome]] = {}
        for outcome in self.outcomes:
            by_kind.setdefault(outcome.case.kind, []).append(outcome)
        width = max((len(k) for k in by_kind), default=0)
        for kind in (k for k in KINDS if k in by_kind):
            marks = "".join("." if o.survived else FAILURES.get(o.how, "?") for o in by_kind[kind])
            lines.append(f"  {kind:<{width}}  {marks}")
        lines += [
            "",
            "  . survived   E exception   A wrong final state   H hang   X non-zero exit",
        ]
        shown: dict[str, int] = {}
        for outcome in self.failures:
            kind = outcome.case.kind
            shown[kind] = shown.get(kind, 0) + 1
            if shown[kind] > SHOWN_PER_KIND:
                continue
            lines.append("")
            lines.append(
                f"  FAILED #{outcome.case.number} {outcome.case.name}: {outcome.how}"
                + (f": {outcome.detail}" if outcome.detail else "")
            )
            if outcome.replay:
                lines.append(f"    replay: {outcome.replay}")
        hidden = {k: n - SHOWN_PER_KIND for k, n in shown.items() if n > SHOWN_PER_KIND}
        if hidden:
            more = ", ".join(f"{n} {k}" for k, n in hidden.items())
            lines += ["", f"  and {more} failed cases more (each with its replay file)"]
        return "\n".join(lines)

    def _headline(self) -> str:
        sampled = (
            f" (a seeded sample of {self.planned})" if self.planned > len(self.outcomes) else ""
        )
        return (
            f"ods sweep: {self.subject}: {len(self.outcomes)} cases{sampled}, "
            f"{len(self.outcomes) - len(self.failures)} survived, {len(self.failures)} failed"
        )


def write_replay(
    directory: Path, subject: str, outcome: Outcome, base: dict[str, Any] | None
) -> Path:
    """Write the scenario of a failing case; its header says what failed and how to replay."""
    case = outcome.case
    folder = directory / _slug(subject)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"case-{case.number:03d}-{case.kind}.yaml"
    header = [
        f"# ods sweep of {subject}: case {case.number}, {case.name}",
        f"# failed: {outcome.how}" + (f": {outcome.detail}" if outcome.detail else ""),
        "# replay: run the same test with @pytest.mark.ods_scenario on this file,",
        "# or the same command against `ods-simulator --clock step --scenario` this file",
    ]
    document = case.scenario(base)
    body = yaml.safe_dump(document, sort_keys=False, allow_unicode=True)
    path.write_text("\n".join(header) + "\n" + body, encoding="utf-8")
    if outcome.client is not None:
        _write_headless(path.with_suffix(".simulate.yaml"), header[:2], document, outcome.client)
    return path


def _write_headless(
    path: Path, header: list[str], document: dict[str, Any], client: ClientScript
) -> None:
    """The case's scenario with the client's own calls as its script: ``ods-simulator
    simulate`` plays the case's timeline without the client."""
    lines = [
        *header,
        f"# for `ods-simulator simulate`: the client's {len(client.steps)} calls that changed "
        "the world are script steps",
    ]
    if client.unplayable:
        lines.append(
            f"# ({client.unplayable} such calls named datasets the client made itself, "
            "which no step can name: they are missing)"
        )
    headless = {**document, "script": [*document.get("script", []), *client.steps]}
    body = yaml.safe_dump(headless, sort_keys=False, allow_unicode=True)
    path.write_text("\n".join(lines) + "\n" + body, encoding="utf-8")


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-")[:120] or "sweep"


def with_replays(
    outcomes: Sequence[Outcome], directory: Path, subject: str, base: dict[str, Any] | None
) -> tuple[Outcome, ...]:
    """The outcomes, each failing one with the replay file written for it."""
    return tuple(
        o
        if o.survived
        else Outcome(
            o.case, o.how, o.detail, str(write_replay(directory, subject, o, base)), o.client
        )
        for o in outcomes
    )
