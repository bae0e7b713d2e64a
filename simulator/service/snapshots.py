"""Snapshots: the whole world as its scenario, its base and its journal, replayed to restore.

A snapshot holds the scenario's text, the settings in force, the world as last written
down whole (its ``base``, see :mod:`.checkpoint`, once the journal grew long), the
journal of every change since (see :mod:`.journal`), the clock, and a ``state``
section: the datasets and jobs for people to read, counts, and digests of everything
else (timeline, fault book, script, engine, random generators). A restore builds the
scenario's world again (or takes it up from the base), replays the journal on a manual
clock, puts the clock back, and then requires the world it got to give exactly that
``state`` section: a world that differs is refused, never served.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import zlib
from collections.abc import Callable, Mapping
from enum import Enum
from typing import Any

from .. import __version__
from ..domain.clock import finite
from ..domain.errors import InvalidSnapshot, SimulatorError, SnapshotUnavailable, StateFileError
from . import checkpoint as checkpoints
from .journal import INJECT, MUTATIONS, decode
from .operation import operation
from .state import State
from .statefile import FORMAT, VERSION, Document, check, render, write_atomic

#: The journal is written down once its text passes the world's own written size, and
#: this much at least (so a small world is not written down on every change).
JOURNAL_BYTES = 2**20
#: Content let go (uploads, a deleted dataset's metadata) after which it is too.
STALE_BYTES = 2**20

#: What a restore may put back as it was if it fails: the state's parts it replaces.
_PARTS = ("overrides", "default_clock_mode", "scenario", "world", "script", "journal")


class Snapshots:
    """Taking, saving and restoring snapshots, and writing the world down when due.

    ``owners`` are the collaborators whose operations the journal names (by class
    name); ``replay_call`` plays a call an HTTP fault counted.
    """

    def __init__(
        self,
        state: State,
        owners: Mapping[str, object],
        replay_call: Callable[[str, str], None],
    ) -> None:
        self.state = state
        self._owners = owners
        self._replay_call = replay_call

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
        state, journal = self.state, self.state.journal
        if journal.replaying or not checkpoints.quiet(state.engine):
            return
        if (
            len(journal) >= state.scenario.retention.journal
            or journal.bytes >= max(JOURNAL_BYTES, journal.base_bytes)
            or state.store.dropped_bytes - journal.dropped_at_base >= STALE_BYTES
        ):
            self._write_down()

    def _write_down(self) -> None:
        """The world becomes the new base; the journal starts again from it."""
        state = self.state
        state.engine.settle()
        world = state.world
        data = checkpoints.capture(state.store, world.timeline, world.faults, state.engine)
        data["script"] = state.script.results
        text = json.dumps(data, separators=(",", ":"), allow_nan=False)
        # the world is written down: nothing escapes it any more (unjournaled is cleared)
        state.journal.restart(
            zlib.compress(text.encode("utf-8"), 1), len(text), state.store.dropped_bytes
        )

    # taking ---------------------------------------------------------------------------

    @operation
    def take(self) -> str:
        """The snapshot of the world as it stands now, as JSON text."""
        return self._document()

    def save(self) -> dict[str, Any]:
        """Write a snapshot to the state file, atomically; say what was saved."""
        state = self.state
        path = state.state_file
        if path is None:
            raise SnapshotUnavailable(
                "No state file is configured: start the simulator with --state-file PATH "
                "(GET /_sim/snapshot answers the snapshot without saving it)"
            )
        with state.save_lock:  # saves reach the disk in the order they were taken
            with state.lock:
                state.sync()
                data = self._document().encode("utf-8")
                saved = self._summary()
            try:
                write_atomic(path, data)
            except OSError as exc:
                raise StateFileError(str(path), exc.strerror or str(exc)) from None
        return {"path": str(path), "bytes": len(data), **saved}

    def _summary(self) -> dict[str, Any]:
        state = self.state
        now = state.engine.now
        return {"operations": len(state.journal), "now": now, "datetime": state.clock.iso(now)}

    def _document(self) -> str:
        state = self.state
        journal = state.journal
        if journal.unjournaled is not None:
            raise SnapshotUnavailable(
                f"This world cannot be snapshotted until the next reset: {journal.unjournaled}"
            )
        # simpy leaves a no-op marker where a run stopped; a restore ends with none
        state.engine.settle()
        stale = state.store.dropped_bytes - journal.dropped_at_base >= STALE_BYTES
        if stale and checkpoints.quiet(state.engine):
            self._write_down()  # what was let go leaves the snapshot too
        s = state.scenario
        if s.text is None:
            raise SnapshotUnavailable(
                "The scenario in force was built in code, not read from text, and a snapshot "
                "holds the text: load it from YAML (a file, PUT /_sim/scenario, a mapping)"
            )
        now = state.engine.now
        clock = state.clock
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
            "overrides": dict(state.overrides),
            "default_clock_mode": state.default_clock_mode,
            "clock": {
                "now": now,
                "datetime": clock.iso(now),
                "mode": clock.mode,
                "speed": clock.speed,
                "any_credentials": state.any_credentials,
            },
            "state": self._state(),
        }
        base = state.journal.base
        written = None if base is None else zlib.decompress(base).decode("utf-8")
        return render(head, state.journal.lines(), written)

    def _state(self) -> dict[str, Any]:
        """What a restore must find again: readable parts, counts, and digests of the rest."""
        state = self.state
        store, world, engine = state.store, state.world, state.engine
        faults = world.faults
        return {
            "now": engine.now,
            "counts": {
                "datasets": len(store.datasets),
                "jobs": len(store.jobs),
                "files": len(store.files),
                "transitions": len(world.timeline),
                "faults": len(faults.log),
                "script_steps_played": len(state.script.results),
                "operations": len(state.journal),
            },
            "datasets": [
                {
                    "dataset_uid": ds.dataset_uid,
                    "dataset_id": ds.dataset_id,
                    "status": ds.status.value,
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
                "script": _digest(state.script.results),
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
                # only once there are pages: a snapshot from before pages digests the same
                **({"pages": _digest(list(store.pages.values()))} if store.pages else {}),
                **(
                    {"harvesters": _digest(list(store.harvesters.values()))}
                    if store.harvesters
                    else {}
                ),
                **(
                    {"harvester_moves": _digest(world.timeline.harvester_moves)}
                    if world.timeline.harvester_moves
                    else {}
                ),
                **(
                    {"connections": _digest(list(store.connections.values()))}
                    if store.connections
                    else {}
                ),
            },
        }

    # restoring ------------------------------------------------------------------------

    def restore(self, document: Any, source: str = "<request>") -> dict[str, Any]:
        """Replace the world with a snapshot's; if it is refused, nothing changes."""
        doc = document if isinstance(document, Document) else check(document, source)
        state = self.state
        with state.lock:
            parts = {name: getattr(state, name) for name in _PARTS}
            any_credentials, generation = state.any_credentials, state.generation
            clock = dict(vars(state.clock))
            try:
                state.overrides = dict(doc.overrides)
                state.default_clock_mode = doc.default_clock_mode
                state.journal = type(state.journal)()
                state.reset(doc.scenario)
                self.replay(doc)
            except BaseException:
                for name, value in parts.items():
                    setattr(state, name, value)
                state.any_credentials, state.generation = any_credentials, generation
                vars(state.clock).update(clock)
                raise
            return {"restored": True, **self._summary()}

    def replay(self, doc: Document) -> None:
        """Play a snapshot's journal on a world just reset to its scenario, then check it.

        A snapshot with a base resumes the world written down there first.
        """
        journal = self.state.journal
        journal.replaying = True
        try:
            self._play(doc)
        finally:
            journal.replaying = False

    def _play(self, doc: Document) -> None:
        state = self.state
        clock = state.clock
        try:
            if doc.base is not None:
                state.resume(doc.base)
                text = json.dumps(doc.base, separators=(",", ":"), allow_nan=False)
                state.journal.restart(zlib.compress(text.encode("utf-8"), 1), len(text))
            engine = state.engine
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
        state.any_credentials = doc.clock["any_credentials"]
        clock.configure(state.engine.now, doc.clock["mode"], float(doc.clock["speed"]))
        replayed = json.loads(json.dumps(self._state()))
        saved = doc.state
        if doc.migrated:  # rewritten from an older version: its datasets cannot match
            saved, replayed = _without_rewritten(saved), _without_rewritten(replayed)
        if replayed != saved:
            raise InvalidSnapshot(
                doc.source,
                "the replayed world is not the one saved, "
                f"{_difference(saved, replayed, 'state')} (a snapshot of another version "
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
        state = self.state
        now = state.engine.now
        if not finite(t) or not now <= t <= state.clock.horizon:
            raise fail(f"{name} at {t!r}: expected a time from {now:g} on")
        state.engine.advance_to(t)
        before = len(state.journal)
        try:
            if name == INJECT:
                self._replay_inject(arguments)
            else:
                mutation = MUTATIONS[name]
                kwargs = decode(mutation, arguments, state.store.users)
                getattr(self._owners[mutation.owner], name)(**kwargs)
        except ValueError as exc:
            raise fail(f"{name} at t={t:g}: {exc}") from None
        except SimulatorError as exc:
            raise fail(f"{name} at t={t:g} was refused on replay: {exc.message}") from None
        except Exception as exc:  # a line no simulator wrote: say so, never crash
            raise fail(f"{name} at t={t:g} failed on replay: {type(exc).__name__}: {exc}") from None
        if len(state.journal) != before + 1:
            raise fail(f"{name} at t={t:g} changed nothing on replay")

    def _replay_inject(self, arguments: Any) -> None:
        method = arguments.get("method") if isinstance(arguments, dict) else None
        path = arguments.get("path") if isinstance(arguments, dict) else None
        if not isinstance(method, str) or not isinstance(path, str):
            raise ValueError("expected the call's method and path")
        self._replay_call(method, path)


def _without_rewritten(state: Any) -> Any:
    """A ``state`` section without what rewriting an older snapshot changes (see
    :mod:`.legacy`): the datasets' digest, and the count of journal lines."""
    if not isinstance(state, dict):
        return state
    out = dict(state)
    if isinstance(out.get("digests"), dict):
        out["digests"] = {k: v for k, v in out["digests"].items() if k != "datasets"}
    if isinstance(out.get("counts"), dict):
        out["counts"] = {k: v for k, v in out["counts"].items() if k != "operations"}
    return out


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
    added = _added_defaults(type(value))
    if not added:
        return [getattr(value, name) for name in slots]
    return [
        getattr(value, name)
        for name in slots
        if name not in added or getattr(value, name) != added[name]
    ]


#: The defaults of each model's added fields, once worked out (see ``_added_defaults``).
_ADDED: dict[type, dict[str, Any]] = {}


def _added_defaults(cls: type) -> dict[str, Any]:
    """The defaults of a model's fields added since snapshots were first written.

    A digest leaves such a field out while it holds its default, so a world saved
    before the field existed digests the same once replayed (see ``ADDED_FIELDS``).
    """
    found = _ADDED.get(cls)
    if found is None:
        added = getattr(cls, "ADDED_FIELDS", ())
        found = {}
        for f in dataclasses.fields(cls) if added else ():
            if f.name in added:
                factory = f.default_factory
                found[f.name] = f.default if factory is dataclasses.MISSING else factory()
        _ADDED[cls] = found
    return found


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
