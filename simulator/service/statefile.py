"""The snapshot document and the state file that holds it.

A snapshot is JSON: a format name and version, the scenario's text, the settings in
force, the clock, a ``state`` section that people can read and a restore checks,
and the journal (one operation a line). This module reads and checks documents and
writes them atomically: to a temporary file in the same directory, flushed to disk,
then renamed over the target, so a process killed at any moment leaves the previous
file or the new one, never a torn one.
"""

from __future__ import annotations

import contextlib
import glob
import json
import os
import re
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..domain.clock import CLOCK_MODES, MAX_SPEED, ClockMode, finite, horizon
from ..domain.errors import InvalidSnapshot
from ..domain.limits import CONTROL_TOKEN_PATTERN, SNAPSHOT_DEPTH, JSONProblem, load_json
from ..domain.statemachine import VOCABULARIES
from ..scenario.loading import Scenario, ScenarioError, load_scenario_text
from .legacy import Migration

FORMAT = "ods-simulator-snapshot"
#: Version 2 adds ``base``: the world written down whole, which the journal follows.
#: Version 3 holds metadata in the platform's vocabulary (older ones are rewritten to it,
#: see :mod:`.legacy`), change logs whose edits have paths of keys, and uploads whose
#: ids are made from their names (older ones replay with the ids drawn they had).
VERSION = 3
READABLE = (1, 2, 3)

#: Settings a snapshot may carry, as the facade's overrides name them.
SETTINGS = ("workers", "seed", "clock_mode", "speed", "status_names", "control_token")


@dataclass(frozen=True)
class Document:
    """A snapshot read and checked, ready to replay."""

    source: str
    #: The scenario in force, settings applied (overrides included).
    scenario: Scenario
    overrides: dict[str, Any]
    default_clock_mode: ClockMode
    clock: dict[str, Any]
    state: dict[str, Any]
    journal: list[Any]
    #: The world the journal follows, written down whole; ``None``: the scenario's.
    base: dict[str, Any] | None = None
    #: Of an older version, rewritten (see :mod:`.legacy`): the datasets replayed from it
    #: cannot be the ones saved, value for value.
    migrated: bool = False


_encode = json.JSONEncoder(allow_nan=False).encode


def render(head: dict[str, Any], journal: list[str], base: str | None = None) -> str:
    """The document's text, for people and diffs: one key, row or journal line a line.

    Journal lines, and the base (a checkpoint), are already JSON (see
    :mod:`simulator.service.journal`) and go in as they are; the base on one line.
    """
    parts = [f" {_encode(key)}: {_block(value, 1)}" for key, value in head.items()]
    if base is not None:
        parts.append(f' "base": {base}')
    parts.append(f' "journal": {_rows(journal, 1)}')
    return "{\n" + ",\n".join(parts) + "\n}\n"


def _block(value: Any, depth: int) -> str:
    """Objects key by key (but in lists), lists of rows a row a line."""
    if isinstance(value, dict) and value and depth < 3:
        pad = " " * (depth + 1)
        keys = [f"{pad}{_encode(k)}: {_block(v, depth + 1)}" for k, v in value.items()]
        return "{\n" + ",\n".join(keys) + "\n" + " " * depth + "}"
    if isinstance(value, list) and value and isinstance(value[0], (dict, list)):
        return _rows([_encode(v) for v in value], depth)
    return _encode(value)


def _rows(lines: list[str], depth: int) -> str:
    if not lines:
        return "[]"
    pad = " " * (depth + 1)
    return "[\n" + ",\n".join(pad + line for line in lines) + "\n" + " " * depth + "]"


def parse(raw: bytes | str, source: str) -> Document:
    """Read a snapshot's text, or raise :class:`InvalidSnapshot` saying what is wrong."""
    try:
        data = load_json(raw, SNAPSHOT_DEPTH)
    except UnicodeDecodeError:
        raise InvalidSnapshot(source, "not UTF-8 text") from None
    except JSONProblem as exc:
        raise InvalidSnapshot(source, f"not JSON ({exc})") from None
    return check(data, source)


def check(data: Any, source: str) -> Document:
    """A loaded snapshot document, checked key by key."""

    def fail(problem: str) -> InvalidSnapshot:
        return InvalidSnapshot(source, problem)

    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise fail(f'not a simulator snapshot (no "format": "{FORMAT}")')
    version = data.get("version")
    if version not in READABLE:
        versions = ", ".join(str(v) for v in READABLE)
        raise fail(
            f"snapshot format version {version!r} is not one this simulator reads ({versions})"
        )
    base = data.get("base")
    if base is not None and not isinstance(base, dict):
        raise fail("'base' is not a JSON object")
    for key, kind in (
        ("scenario", dict),
        ("settings", dict),
        ("overrides", dict),
        ("clock", dict),
        ("state", dict),
        ("journal", list),
    ):
        if not isinstance(data.get(key), kind):
            raise fail(f"'{key}' is missing or not a JSON {'object' if kind is dict else 'array'}")
    text, name = data["scenario"].get("text"), data["scenario"].get("source")
    if not isinstance(text, str) or not isinstance(name, str):
        raise fail("'scenario' needs its 'text' and 'source' as strings")
    settings = _settings(data["settings"], "settings", fail)
    overrides = _settings(data["overrides"], "overrides", fail)
    default_mode = data.get("default_clock_mode")
    if default_mode not in CLOCK_MODES:
        raise fail(f"'default_clock_mode' must be one of {', '.join(CLOCK_MODES)}")
    journal = data["journal"]
    migration = Migration() if version < 3 else None
    try:
        if migration is None:
            scenario = load_scenario_text(text, name)
        else:
            scenario = _older_scenario(text, name, migration)
            journal = migration.journal(journal)
            migration.base(base)
        scenario = scenario.with_overrides(**settings)
    except ScenarioError as exc:
        raise fail(f"its scenario does not load: {exc}") from None
    clock = data["clock"]
    now, mode, speed = clock.get("now"), clock.get("mode"), clock.get("speed")
    if not finite(now) or not 0 <= now <= horizon(scenario.epoch):
        raise fail(f"'clock.now' must be a number of virtual seconds >= 0, got {now!r}")
    if mode not in CLOCK_MODES:
        raise fail(f"'clock.mode' must be one of {', '.join(CLOCK_MODES)}, got {mode!r}")
    if not finite(speed) or not 0 < speed <= MAX_SPEED:
        raise fail(f"'clock.speed' must be above 0 and at most {MAX_SPEED:g}, got {speed!r}")
    if not isinstance(clock.get("any_credentials"), bool):
        raise fail("'clock.any_credentials' must be true or false")
    # the code of today keeps datasets otherwise (metadata, and a change log by paths of
    # keys): replayed, an older snapshot's datasets cannot be the ones it saved
    migrated = migration is not None
    return Document(
        source, scenario, overrides, default_mode, clock, data["state"], journal, base, migrated
    )


def _older_scenario(text: str, name: str, migration: Migration) -> Scenario:
    """The scenario of an older snapshot, its metadata rewritten (and its text, if need be)."""
    before = migration.changed
    migration.changed = False
    rewritten: list[Any] = []

    def prepare(data: Any) -> Any:
        rewritten.append(migration.scenario(data))
        return rewritten[-1]

    scenario = load_scenario_text(text, name, prepare)
    if migration.changed:  # saved again, the snapshot holds the scenario as read now
        scenario = replace(scenario, text=json.dumps(rewritten[-1], ensure_ascii=False))
    migration.changed = migration.changed or before
    return scenario


def _settings(raw: dict[str, Any], key: str, fail: Any) -> dict[str, Any]:
    """Scenario settings, each checked as the command line would check it."""
    for name, value in raw.items():
        if name not in SETTINGS:
            raise fail(f"'{key}.{name}' is not a setting ({', '.join(SETTINGS)})")
        if value is None:
            continue
        if name in ("workers", "seed"):
            ok = isinstance(value, int) and not isinstance(value, bool) and value >= 0
        elif name == "speed":
            ok = finite(value) and 0 < value <= MAX_SPEED
        elif name == "control_token":
            ok = isinstance(value, str) and re.match(CONTROL_TOKEN_PATTERN, value) is not None
        else:
            ok = value in (CLOCK_MODES if name == "clock_mode" else VOCABULARIES)
        if not ok:
            raise fail(f"'{key}.{name}' has a value the simulator cannot take: {value!r}")
    return {k: v for k, v in raw.items() if v is not None}


def read(path: Path) -> Document:
    """The snapshot in a state file."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InvalidSnapshot(str(path), f"cannot read it: {exc.strerror}") from None
    return parse(raw, str(path))


def _temporary_prefix(path: Path) -> str:
    return f".{path.name}."


def write_atomic(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data``, whole or not at all, durably.

    The bytes go to a temporary file in the same directory (same file system, so the
    rename is atomic), are flushed and synced, then renamed over ``path``; the
    directory is synced so the rename itself survives a crash.
    """
    directory = path.parent
    fd, temporary = tempfile.mkstemp(prefix=_temporary_prefix(path), suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    _sync_directory(directory)


def _sync_directory(directory: Path) -> None:
    flags = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0)
    try:
        fd = os.open(directory, flags)
    except OSError:  # a platform that cannot open directories (Windows) has nothing to sync
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def remove_stale_temporaries(path: Path) -> list[Path]:
    """Delete temporary files a killed process left next to ``path``; return them.

    Only one simulator should use a state file: at its start, any temporary file of
    that name is a leftover of a write that never finished.
    """
    removed = []
    for leftover in path.parent.glob(f"{glob.escape(_temporary_prefix(path))}*.tmp"):
        with contextlib.suppress(OSError):
            leftover.unlink()
            removed.append(leftover)
    return removed
