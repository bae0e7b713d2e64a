"""Headless runs: play a scenario to its end without a server, and report.

The report on standard output depends only on the scenario and its seed, so it can
be compared byte for byte (the golden files of the test suite are such reports).
Wall-clock figures go to standard error.
"""

from __future__ import annotations

import csv
import gc
import io
import json
import sys
import time
from dataclasses import replace
from typing import Any, TextIO

from ..api.control.render import script_json
from ..domain.timeline import (
    COLUMNS,
    HARVESTER_COLUMNS,
    Entry,
    HarvesterEntry,
    Move,
    to_csv,
    to_ndjson,
    to_table,
)
from ..service import Simulator
from .loading import Scenario

FORMATS = ("table", "json", "ndjson", "csv")


def simulate(
    scenario: Scenario,
    until: float | None = None,
    fmt: str = "table",
    overrides: dict[str, Any] | None = None,
    out: TextIO = sys.stdout,
    err: TextIO = sys.stderr,
) -> int:
    """Run ``scenario`` on a manual clock; 1 if an expectation failed, else 0."""
    started = time.perf_counter()
    # the run ends, and its report is every transition: the timeline keeps them all
    whole = replace(scenario, retention=replace(scenario.retention, transitions=sys.maxsize))
    sim = Simulator(whole, overrides={**(overrides or {}), "clock_mode": "manual"})
    # The world lives until the run ends: spare the cyclic collector from walking it
    # again and again (a fifth of the run for 10,000 datasets). Unfrozen afterwards.
    gc.freeze()
    try:
        ended = sim.control.run_to_end(until)
    finally:
        gc.unfreeze()
    wall = time.perf_counter() - started
    entries = sim.world.timeline.merged()
    script = script_json(sim.control.script_results())
    if fmt == "table":
        out.write(to_table(entries))
        out.write(report(script["results"]))
        if not ended and until is None:
            out.write("\nnot everything ended: some jobs wait for workers that never come\n")
    elif fmt == "json":
        body = {
            "timeline": [e.to_dict() for e in entries],
            "script": script,
            "faults": sim.control.fault_log(),
        }
        out.write(json.dumps(body, indent=2) + "\n")
    elif not script["results"]:  # the timeline alone, as /_sim/timeline writes it
        out.write(to_ndjson(entries) if fmt == "ndjson" else to_csv(entries))
    else:
        rows = interleaved(entries, script["results"], sim.state.script.positions)
        out.write(rows_ndjson(rows) if fmt == "ndjson" else rows_csv(rows))
    if fmt != "table":
        for result in script["results"]:
            if "expect" in result and not result["ok"]:
                err.write(describe(result) + "\n")
    rate = len(entries) / wall if wall > 0 else float("inf")
    err.write(
        f"{len(entries)} transitions over {sim.engine.now:g} virtual seconds in "
        f"{wall * 1000:.0f} ms of wall time ({rate:,.0f} transitions/s)\n"
    )
    return 1 if script["failed"] else 0


#: A line of a report: a move of the timeline, or a script step's result.
Row = Move | dict[str, Any]

#: The columns a CSV report adds when the scenario has a script.
SCRIPT_COLUMNS = ("kind", "step", "action", "expect", "actual", "ok", "error")


def interleaved(
    entries: list[Move], results: list[dict[str, Any]], positions: list[int]
) -> list[Row]:
    """The timeline's moves and the script's results, in the order they happened.

    A step comes after the dataset transitions logged before it played (its
    position) and before those it caused; at the same position, after the
    harvester moves logged there.
    """
    out: list[Row] = []
    played = iter(zip(positions, results, strict=True))
    pending = next(played, None)
    seen = 0  # dataset transitions written so far
    for entry in entries:
        if isinstance(entry, Entry):
            while pending is not None and pending[0] <= seen:
                out.append(pending[1])
                pending = next(played, None)
            seen += 1
        out.append(entry)
    while pending is not None:
        out.append(pending[1])
        pending = next(played, None)
    return out


def script_row(result: dict[str, Any]) -> dict[str, Any]:
    """A script step's result as a line of a report: its ``kind`` first."""
    return {"kind": "step" if "action" in result else "expect", **result}


def rows_ndjson(rows: list[Row]) -> str:
    """One JSON object a line: moves as the timeline writes them, steps with their kind."""
    return "".join(
        json.dumps(script_row(r) if isinstance(r, dict) else r.to_dict(), separators=(",", ":"))
        + "\n"
        for r in rows
    )


def rows_csv(rows: list[Row]) -> str:
    """The timeline's columns, then the script's; a move is of kind ``transition``."""
    columns: tuple[str, ...] = COLUMNS
    if any(isinstance(r, HarvesterEntry) for r in rows):
        columns += HARVESTER_COLUMNS
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns + SCRIPT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        if not isinstance(row, dict):
            writer.writerow({**row.to_dict(), "kind": "transition"})
            continue
        line: dict[str, Any] = {"t": row["t"], "kind": script_row(row)["kind"]}
        line["step"] = row["index"]
        if "harvester" in row:
            line["harvester_id"] = row["harvester"]
        else:
            line["dataset_id"] = row["dataset"]
        if "action" in row:
            line["action"] = row["action"]
            line["job_id"] = row.get("job_id")
            if "error" in row:
                line["error"] = row["error"]["message"]
        else:
            line["expect"] = json.dumps(row["expect"], separators=(",", ":"))
            line["actual"] = json.dumps(row["actual"], separators=(",", ":"))
        line["ok"] = "true" if row["ok"] else "false"
        writer.writerow(line)
    return out.getvalue()


def report(results: list[dict[str, Any]]) -> str:
    """The script's steps as a readable list, with a diff for each failed expectation."""
    if not results:
        return ""
    lines = ["", "script", f"{'t (s)':>10}  step"]
    passed = failed = 0
    for result in results:
        lines.append(describe(result))
        if "expect" in result:
            passed += result["ok"]
            failed += not result["ok"]
    lines.append("")
    lines.append(f"expectations: {passed} passed, {failed} failed")
    return "\n".join(lines) + "\n"


def describe(result: dict[str, Any]) -> str:
    at = f"{result['t']:10.1f}"
    if "action" in result:
        who = f" as {result['user']}" if result.get("user") else ""
        what = f"{result['action']} {_target(result)}{who}"
        if result["ok"]:
            job = result.get("job_id")
            return f"{at}  {what}: accepted" + (f", job {job[:12]}" if job else "")
        return f"{at}  {what}: refused, {result['error']['message']}"
    wanted = " ".join(f"{k}={_word(v)}" for k, v in result["expect"].items())
    line = f"{at}  expect {_target(result)} {wanted}: {'ok' if result['ok'] else 'FAILED'}"
    if result["ok"]:
        return line
    diff = []
    actual = result["actual"]
    for key, want in result["expect"].items():
        got = actual.get(key)
        if key == "status" and want == actual.get("public_status"):
            continue
        if isinstance(want, dict) and isinstance(got, dict):
            got = {k: got.get(k) for k in want}
        if got != want:
            diff.append(f"{'':10}    - {key}: {_word(want)}")
            diff.append(f"{'':10}    + {key}: {_word(got)}")
    return "\n".join([line, *diff])


def _target(result: dict[str, Any]) -> str:
    """What a step applies to: a dataset, or ``harvester <id>``."""
    if "harvester" in result:
        return f"harvester {result['harvester']}"
    return str(result["dataset"])


def _word(value: Any) -> str:
    return json.dumps(value) if not isinstance(value, str) else value
