"""Snapshots: the whole world as its scenario and journal, restored by replaying it.

A snapshot holds the scenario's text, the settings in force, the journal of every
change since the scenario started (see :mod:`.journal`), the clock, and a ``state``
section: the datasets and jobs for people to read, counts, and digests of
everything else (timeline, fault book, script, engine, random generators). A
restore builds the scenario's world again, replays the journal on a manual clock,
puts the clock back, and then requires the world it got to give exactly that
``state`` section: a world that differs is refused, never served.
"""

from __future__ import annotations

import hashlib
import json
import time
import zlib
from collections.abc import Callable
from enum import Enum
from typing import Any, Self

from .. import __version__
from ..domain.clock import finite
from ..domain.errors import InvalidSnapshot, SimulatorError, SnapshotUnavailable, StateFileError
from ..domain.statemachine import FINE_NAME
from ..engine.script import Script
from . import checkpoint as checkpoints
from .core import Ask, Core, World, operation
from .journal import INJECT, MUTATIONS, decode, lines
from .statefile import FORMAT, VERSION, Document, check, render, write_atomic

#: What a restore may leave as it was if it fails: the facade's attributes it replaces.
_PARTS = (
    "overrides",
    "default_clock_mode",
    "scenario",
    "world",
    "script",
    "journal",
    "journal_bytes",
    "base",
    "base_bytes",
    "dropped_at_base",
    "unjournaled",
    "any_credentials",
    "generation",
)


#: The journal is written down once its text passes the world's own written size, and
#: this much at least (so a small world is not written down on every change).
JOURNAL_BYTES = 2**20
#: Content let go (uploads, a deleted dataset's metadata) after which it is too.
STALE_BYTES = 2**20


class Snapshots(Core):
    # writing the world down -------------------------------------------------------------

    def changed(self) -> None:
        """After each change: write the world down whole once the journal is long enough.

        "Long" is ``retention.journal`` lines, or more text than the world takes written
        down (1 MB at least): memory then holds at most about twice the world, and a
        restore replays at most that much. Also once content the journal holds was let
        go (a deleted dataset's metadata, an upload nothing uses), so that it leaves
        memory and the state file. Only while no job waits or runs: then the world is
        nothing but data.
        """
        if self.replaying or not checkpoints.quiet(self.engine):
            return
        if (
            len(self.journal) >= self.scenario.retention.journal
            or self.journal_bytes >= max(JOURNAL_BYTES, self.base_bytes)
            or self.store.dropped_bytes - self.dropped_at_base >= STALE_BYTES
        ):
            self._write_down()

    def _write_down(self) -> None:
        """The world becomes the new base; the journal starts again from it."""
        self.engine.settle()
        data = checkpoints.capture(self.store, self.world.timeline, self.world.faults, self.engine)
        data["script"] = self.script.results
        text = json.dumps(data, separators=(",", ":"), allow_nan=False)
        self.base = zlib.compress(text.encode("utf-8"), 1)
        self.base_bytes = len(text)
        self.journal = []
        self.journal_bytes = 0
        self.unjournaled = None  # the world is written down: nothing escapes it any more
        self.dropped_at_base = self.store.dropped_bytes

    # taking ---------------------------------------------------------------------------

    @operation
    def snapshot(self) -> str:
        """The snapshot of the world as it stands now, as JSON text."""
        return self._document()

    def save_snapshot(self) -> dict[str, Any]:
        """Write a snapshot to the state file, atomically; say what was saved."""
        path = self.state_file
        if path is None:
            raise SnapshotUnavailable(
                "No state file is configured: start the simulator with --state-file PATH "
                "(GET /_sim/snapshot answers the snapshot without saving it)"
            )
        with self._save_lock:  # saves reach the disk in the order they were taken
            with self._lock:
                self._sync()
                data = self._document().encode("utf-8")
                saved = self._summary()
            try:
                write_atomic(path, data)
            except OSError as exc:
                raise StateFileError(str(path), exc.strerror or str(exc)) from None
        return {"path": str(path), "bytes": len(data), **saved}

    def _summary(self) -> dict[str, Any]:
        now = self.engine.now
        return {"operations": len(self.journal), "now": now, "datetime": self.clock.iso(now)}

    def _document(self) -> str:
        if self.unjournaled is not None:
            raise SnapshotUnavailable(
                f"This world cannot be snapshotted until the next reset: {self.unjournaled}"
            )
        # simpy leaves a no-op marker where a run stopped; a restore ends with none
        self.engine.settle()
        stale = self.store.dropped_bytes - self.dropped_at_base >= STALE_BYTES
        if stale and checkpoints.quiet(self.engine):
            self._write_down()  # what was let go leaves the snapshot too
        s = self.scenario
        if s.text is None:
            raise SnapshotUnavailable(
                "The scenario in force was built in code, not read from text, and a snapshot "
                "holds the text: load it from YAML (a file, PUT /_sim/scenario, a mapping)"
            )
        now = self.engine.now
        head = {
            "format": FORMAT,
            "version": VERSION,
            "simulator": __version__,
            "scenario": {"source": s.name, "text": s.text},
            "settings": {
                "workers": s.platform.workers,
                "seed": s.seed,
                "clock_mode": s.clock_mode,
                "speed": s.speed,
                "status_names": s.status_names,
                "control_token": s.control_token,
            },
            "overrides": dict(self.overrides),
            "default_clock_mode": self.default_clock_mode,
            "clock": {
                "now": now,
                "datetime": self.clock.iso(now),
                "mode": self.clock.mode,
                "speed": self.clock.speed,
                "any_credentials": self.any_credentials,
            },
            "state": self._state(),
        }
        base = None if self.base is None else zlib.decompress(self.base).decode("utf-8")
        return render(head, lines(self.journal), base)

    def _state(self) -> dict[str, Any]:
        """What a restore must find again: readable parts, counts, and digests of the rest."""
        store, world, engine = self.store, self.world, self.engine
        faults = world.faults
        return {
            "now": engine.now,
            "counts": {
                "datasets": len(store.datasets),
                "jobs": len(store.jobs),
                "files": len(store.files),
                "transitions": len(world.timeline),
                "faults": len(faults.log),
                "script_steps_played": len(self.script.results),
                "operations": len(self.journal),
            },
            "datasets": [
                {
                    "dataset_uid": ds.dataset_uid,
                    "dataset_id": ds.dataset_id,
                    "status": FINE_NAME[ds.status],
                    "published": ds.published,
                    "records": ds.records,
                    "job_id": None if ds.job is None else ds.job.job_id,
                }
                for ds in store.datasets.values()
            ],
            "jobs": [
                {
                    "job_id": job.job_id,
                    "function": job.function,
                    "dataset_uid": job.dataset_uid,
                    "user": job.user,
                    "state": job.state,
                    "created": job.created,
                    "started": job.started,
                    "ended": job.ended,
                }
                for job in store.jobs.values()
            ],
            "digests": {
                "datasets": _digest(list(store.datasets.values())),
                "jobs": _digest(list(store.jobs.values())),
                "files": _digest(list(store.files.values())),
                "timeline": _digest(world.timeline.entries),
                "faults": _digest([faults.log, faults.counters()]),
                "script": _digest(self.script.results),
                "engine": _digest(
                    [
                        engine.capacity,
                        engine.busy,
                        [job.job_id for job in engine.waiting],
                        list(engine.running),
                        engine.next_event(),
                    ]
                ),
                "random": _digest(
                    [store.rng.getstate(), faults.rng.getstate(), engine.rng.getstate()]
                ),
            },
        }

    # restoring ------------------------------------------------------------------------

    @classmethod
    def from_snapshot(cls, document: Document, wall: Callable[[], float] = time.monotonic) -> Self:
        """A simulator in the world a snapshot describes, its clock where it stood."""
        sim = cls(
            document.scenario,
            wall=wall,
            overrides=document.overrides,
            default_clock_mode=document.default_clock_mode,
        )
        with sim._lock:
            sim._replay(document)
        return sim

    def restore_snapshot(self, document: Any, source: str = "<request>") -> dict[str, Any]:
        """Replace the world with a snapshot's; if it is refused, nothing changes."""
        doc = document if isinstance(document, Document) else check(document, source)
        with self._lock:
            parts = {name: getattr(self, name) for name in _PARTS}
            clock = dict(vars(self.clock))
            try:
                self.overrides = dict(doc.overrides)
                self.default_clock_mode = doc.default_clock_mode
                self.reset(doc.scenario)
                self._replay(doc)
            except BaseException:
                for name, value in parts.items():
                    setattr(self, name, value)
                vars(self.clock).update(clock)
                raise
            return {"restored": True, **self._summary()}

    def _replay(self, doc: Document) -> None:
        """Play a snapshot's journal on a world just reset to its scenario, then check it.

        A snapshot with a base resumes the world written down there first.
        """
        self.replaying = True
        try:
            self._play(doc)
        finally:
            self.replaying = False

    def _resume(self, base: dict[str, Any]) -> None:
        """Take up the world a checkpoint wrote down, and its script where it stood."""
        self.world = World(self.scenario, base)
        self.script = Script(self.scenario.script, self._perform, self._observe)
        self.script.results = list(base["script"])
        self.script.start(self.engine.env)
        text = json.dumps(base, separators=(",", ":"), allow_nan=False)
        self.base = zlib.compress(text.encode("utf-8"), 1)
        self.base_bytes = len(text)

    def _play(self, doc: Document) -> None:
        clock = self.clock
        try:
            if doc.base is not None:
                self._resume(doc.base)
            engine = self.engine
            clock.configure(engine.now, "manual", clock.speed)
            for index, entry in enumerate(doc.journal):
                self._replay_line(doc, index, entry)
            now = doc.clock["now"]
            if now < engine.now:
                raise InvalidSnapshot(
                    doc.source, f"'clock.now' ({now:g}) is before its last operation"
                )
            engine.advance_to(now)
            engine.settle()
        except InvalidSnapshot:
            raise
        except Exception as exc:  # a document no simulator wrote: say so, never crash
            raise InvalidSnapshot(
                doc.source, f"the replay failed: {type(exc).__name__}: {exc}"
            ) from None
        self.any_credentials = doc.clock["any_credentials"]
        clock.configure(engine.now, doc.clock["mode"], float(doc.clock["speed"]))
        replayed = json.loads(json.dumps(self._state()))
        if replayed != doc.state:
            raise InvalidSnapshot(
                doc.source,
                "the replayed world is not the one saved, "
                f"{_difference(doc.state, replayed, 'state')} (a snapshot of another version "
                "of the simulator, or an edited one?)",
            )

    def _replay_line(self, doc: Document, index: int, entry: Any) -> None:
        def fail(problem: str) -> InvalidSnapshot:
            return InvalidSnapshot(doc.source, f"journal[{index}]: {problem}")

        if not isinstance(entry, list) or len(entry) != 3:
            raise fail("expected [t, operation, arguments]")
        t, name, arguments = entry
        if not isinstance(name, str) or (name != INJECT and name not in MUTATIONS):
            raise fail(f"unknown operation {name!r}")
        now = self.engine.now
        if not finite(t) or not now <= t <= self.clock.horizon:
            raise fail(f"{name} at {t!r}: expected a time from {now:g} on")
        self.engine.advance_to(t)
        before = len(self.journal)
        try:
            if name == INJECT:
                self._replay_inject(arguments)
            else:
                kwargs = decode(name, arguments, self.store.users, Ask())
                getattr(self, name)(**kwargs)
        except ValueError as exc:
            raise fail(f"{name} at t={t:g}: {exc}") from None
        except SimulatorError as exc:
            raise fail(f"{name} at t={t:g} was refused on replay: {exc.message}") from None
        except Exception as exc:  # a line no simulator wrote: say so, never crash
            raise fail(f"{name} at t={t:g} failed on replay: {type(exc).__name__}: {exc}") from None
        if len(self.journal) != before + 1:
            raise fail(f"{name} at t={t:g} changed nothing on replay")

    def _replay_inject(self, arguments: Any) -> None:
        method = arguments.get("method") if isinstance(arguments, dict) else None
        path = arguments.get("path") if isinstance(arguments, dict) else None
        if not isinstance(method, str) or not isinstance(path, str):
            raise ValueError("expected the call's method and path")
        self._inject(method, path)


def _plain(value: Any) -> Any:
    """Model objects as plain values, for digests."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, bytes):
        return hashlib.sha256(value).hexdigest()
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    slots = getattr(type(value), "__slots__", None)
    if slots is None:
        raise TypeError(f"{type(value).__name__} has no plain form")
    return [getattr(value, name) for name in slots]


def _digest(value: Any) -> str:
    # the models hold no cycles: the encoder need not look for them
    text = json.dumps(value, default=_plain, separators=(",", ":"), check_circular=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _difference(saved: Any, replayed: Any, where: str) -> str:
    """Where two JSON values first differ, and how."""
    if isinstance(saved, dict) and isinstance(replayed, dict):
        for key in [*saved, *(k for k in replayed if k not in saved)]:
            if saved.get(key) != replayed.get(key):
                return _difference(saved.get(key), replayed.get(key), f"{where}.{key}")
    if isinstance(saved, list) and isinstance(replayed, list) and len(saved) == len(replayed):
        for i, (a, b) in enumerate(zip(saved, replayed, strict=True)):
            if a != b:
                return _difference(a, b, f"{where}[{i}]")
    return f"at {where}: saved {_short(saved)}, replayed {_short(replayed)}"


def _short(value: Any) -> str:
    text = json.dumps(value)
    return text if len(text) <= 80 else f"{text[:77]}..."
