"""Virtual sleep: client code that waits with ``time.sleep`` moves the virtual clock instead.

While a :class:`VirtualSleep` is active, ``time.sleep(s)`` and ``await asyncio.sleep(s)``
called by the thread that entered it advance the simulator's virtual clock by ``s`` and
return at once, so a client polling every 10 s sees every status a publish goes through
in as many polls as in production, in milliseconds. In that thread, ``time.time``,
``time.monotonic`` and ``time.perf_counter`` (and their ``_ns`` forms) move forward by the
virtual time slept, so a client's own deadline (``while time.monotonic() < deadline``)
ends when it would have. Other threads, pytest's timing and the loopback server are not
touched: the patched functions answer them as the originals do.

    with intercept("abort-midway") as ods, virtual_sleep(ods):
        my_client.publish_and_wait("building-permits")   # polls every 10 s

Code that bound the functions before the patch (``from time import sleep``) keeps the
originals, except in the modules passed as ``modules``, whose such names are rebound
while the context is active. A client that would sleep forever meets the budget
(one virtual week by default): the sleep that would pass it raises
:class:`SleepBudgetExceeded`, naming every dataset's status.
"""

from __future__ import annotations

import asyncio
import math
import sys
import threading
import time
from collections.abc import Callable, Iterable
from types import ModuleType, TracebackType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..service import Simulator
    from .handle import SimulatorHandle

#: One virtual week: longer than any publish, shorter than forever.
DEFAULT_BUDGET = 7 * 24 * 3600.0
#: Datasets the budget's message names, at most.
STATUSES_NAMED = 20

# the originals, taken when this module is first imported
real_sleep = time.sleep
real_time = time.time
real_time_ns = time.time_ns
real_monotonic = time.monotonic
real_monotonic_ns = time.monotonic_ns
real_perf_counter = time.perf_counter
real_perf_counter_ns = time.perf_counter_ns
real_async_sleep = asyncio.sleep


class SleepBudgetExceeded(BaseException):
    """A client slept past its virtual-time budget: it waits for something that never comes.

    A ``BaseException``, as pytest's own outcomes are, so that a client's ``except
    Exception`` retry loop does not swallow it and sleep on. ``statuses`` maps each
    dataset's id to its fine status when it was raised, for code that reads hangs.
    """

    def __init__(self, message: str, slept: float, budget: float, statuses: dict[str, str]) -> None:
        super().__init__(message)
        self.slept = slept
        self.budget = budget
        self.statuses = statuses


class _Thread:
    """What one thread's virtual sleep stands at: the contexts it entered, the time slept."""

    __slots__ = ("offset", "stack")

    def __init__(self) -> None:
        self.offset = 0.0
        self.stack: list[VirtualSleep] = []


#: Threads sleeping virtually, by ident.
_threads: dict[int, _Thread] = {}
_lock = threading.RLock()
_get_ident = threading.get_ident


def _virtual_sleep(seconds: float) -> None:
    here = _threads.get(_get_ident())
    if here is None:
        real_sleep(seconds)
        return
    here.stack[-1].sleep(seconds)


async def _virtual_async_sleep(delay: float, result: Any = None) -> Any:
    here = _threads.get(_get_ident())
    if here is None:
        return await real_async_sleep(delay, result)
    if delay > 0:  # asyncio's own: a delay of zero or less only yields
        here.stack[-1].sleep(delay)
    return await real_async_sleep(0, result)


def _time() -> float:
    here = _threads.get(_get_ident())
    return real_time() if here is None else real_time() + here.offset


def _time_ns() -> int:
    here = _threads.get(_get_ident())
    return real_time_ns() if here is None else real_time_ns() + int(here.offset * 1e9)


def _monotonic() -> float:
    here = _threads.get(_get_ident())
    return real_monotonic() if here is None else real_monotonic() + here.offset


def _monotonic_ns() -> int:
    here = _threads.get(_get_ident())
    return real_monotonic_ns() if here is None else real_monotonic_ns() + int(here.offset * 1e9)


def _perf_counter() -> float:
    here = _threads.get(_get_ident())
    return real_perf_counter() if here is None else real_perf_counter() + here.offset


def _perf_counter_ns() -> int:
    here = _threads.get(_get_ident())
    return (
        real_perf_counter_ns() if here is None else real_perf_counter_ns() + int(here.offset * 1e9)
    )


#: (module, attribute, original, virtual): what the patch replaces.
_PATCHES: tuple[tuple[ModuleType, str, Callable[..., Any], Callable[..., Any]], ...] = (
    (time, "sleep", real_sleep, _virtual_sleep),
    (time, "time", real_time, _time),
    (time, "time_ns", real_time_ns, _time_ns),
    (time, "monotonic", real_monotonic, _monotonic),
    (time, "monotonic_ns", real_monotonic_ns, _monotonic_ns),
    (time, "perf_counter", real_perf_counter, _perf_counter),
    (time, "perf_counter_ns", real_perf_counter_ns, _perf_counter_ns),
    (asyncio, "sleep", real_async_sleep, _virtual_async_sleep),
    (asyncio.tasks, "sleep", real_async_sleep, _virtual_async_sleep),
)
_VIRTUAL_OF: dict[int, Callable[..., Any]] = {id(o): v for _, _, o, v in _PATCHES}


def _install() -> None:
    for module, name, _, virtual in _PATCHES:
        setattr(module, name, virtual)


def _uninstall() -> None:
    for module, name, original, virtual in _PATCHES:
        if getattr(module, name) is virtual:  # leave alone what someone patched since
            setattr(module, name, original)


class VirtualSleep:
    """Sleeps of the thread that enters it move a simulator's virtual clock.

    ``target`` is a :class:`SimulatorHandle` (the ``ods`` fixture, what ``intercept``
    gives) or a :class:`Simulator`. ``budget`` is the virtual seconds this context may
    sleep in all; ``modules`` are modules (or their names) whose names bound to the
    originals (``from time import sleep``) are rebound while it is active.
    """

    def __init__(
        self,
        target: SimulatorHandle | Simulator,
        *,
        budget: float = DEFAULT_BUDGET,
        modules: Iterable[ModuleType | str] = (),
    ) -> None:
        if isinstance(budget, bool) or not isinstance(budget, (int, float)) or not budget >= 0:
            raise ValueError(f"budget: expected virtual seconds >= 0, got {budget!r}")
        simulator: Any = getattr(target, "simulator", target)
        self.simulator: Simulator = simulator
        self.budget = float(budget)
        #: Virtual seconds slept in this context so far.
        self.slept = 0.0
        self._modules = tuple(modules)
        self._rebound: list[tuple[dict[str, Any], str, Any]] = []
        self._thread: int | None = None

    # activation ----------------------------------------------------------------------

    def start(self) -> VirtualSleep:
        ident = _get_ident()
        for entry in self._modules:
            if isinstance(entry, str) and entry not in sys.modules:
                raise ValueError(f"modules: {entry!r} is not imported")
        with _lock:
            if self._thread is not None:
                raise RuntimeError("this virtual sleep is already active")
            if not _threads:
                _install()
            here = _threads.setdefault(ident, _Thread())
            here.stack.append(self)
            self._thread = ident
            self._rebind()
        return self

    def stop(self) -> None:
        with _lock:
            ident, self._thread = self._thread, None
            if ident is None:
                return
            self._restore()
            here = _threads[ident]
            here.stack.remove(self)
            if not here.stack:
                del _threads[ident]
            if not _threads:
                _uninstall()

    def __enter__(self) -> VirtualSleep:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # sleeping ----------------------------------------------------------------------------

    def sleep(self, seconds: float) -> None:
        """What ``time.sleep(seconds)`` does in the thread that entered the context."""
        kind: type = type(seconds)
        if not (hasattr(kind, "__float__") or hasattr(kind, "__index__")):
            raise TypeError(f"'{kind.__name__}' object cannot be interpreted as a number")
        seconds = float(seconds)
        if math.isnan(seconds):
            raise ValueError("Invalid value NaN (not a number)")
        if seconds < 0:
            raise ValueError("sleep length must be non-negative")
        if self.slept + seconds > self.budget:
            raise self._exhausted(seconds)
        if seconds == 0:
            return
        self.simulator.control.advance(seconds)
        self.slept += seconds
        assert self._thread is not None
        _threads[self._thread].offset += seconds

    def _exhausted(self, seconds: float) -> SleepBudgetExceeded:
        view = self.simulator.dashboard.poll(sys.maxsize)
        rows = view.datasets
        statuses = {r["dataset_id"]: r["status"] for r in rows}
        named = ", ".join(f"{r['dataset_id']}={r['status']}" for r in rows[:STATUSES_NAMED])
        more = f" and {len(rows) - STATUSES_NAMED} more" if len(rows) > STATUSES_NAMED else ""
        message = (
            f"slept {self.slept:g} virtual seconds and asked for {seconds:g} more, past the "
            f"budget of {self.budget:g} (budget=, ods_sleep_budget); the client waits for "
            f"something that does not come. At {view.clock.now:g} s, dataset statuses: "
            f"{named or 'no datasets'}{more}; jobs waiting or running: {view.clock.active_jobs}"
        )
        return SleepBudgetExceeded(message, self.slept, self.budget, statuses)

    # names bound before the patch ------------------------------------------------------------

    def _rebind(self) -> None:
        for entry in self._modules:
            module = sys.modules[entry] if isinstance(entry, str) else entry
            namespace = vars(module)
            for name, value in list(namespace.items()):
                virtual = _VIRTUAL_OF.get(id(value))
                if virtual is not None:
                    self._rebound.append((namespace, name, value))
                    namespace[name] = virtual

    def _restore(self) -> None:
        while self._rebound:
            namespace, name, original = self._rebound.pop()
            if namespace.get(name) is _VIRTUAL_OF[id(original)]:
                namespace[name] = original


def virtual_sleep(
    target: SimulatorHandle | Simulator,
    *,
    budget: float = DEFAULT_BUDGET,
    modules: Iterable[ModuleType | str] = (),
) -> VirtualSleep:
    """A :class:`VirtualSleep` for a handle or a simulator: use it as a context manager."""
    return VirtualSleep(target, budget=budget, modules=modules)


__all__ = ["DEFAULT_BUDGET", "SleepBudgetExceeded", "VirtualSleep", "virtual_sleep"]
