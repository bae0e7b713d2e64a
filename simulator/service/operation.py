"""The one lock: every public operation runs under it, the clock caught up first."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, Concatenate, ParamSpec, Protocol, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


class Shared(Protocol):
    """What an operation needs of the state its collaborator shares: the lock, the clock."""

    lock: Any

    def sync(self) -> None: ...


class Collaborator(Protocol):
    @property
    def state(self) -> Shared: ...


C = TypeVar("C", bound=Collaborator)


def operation(method: Callable[Concatenate[C, P], R]) -> Callable[Concatenate[C, P], R]:
    """Run a public operation under the lock, with the clock caught up to now first.

    Werkzeug's and waitress's threads call in at once, and simpy is not thread-safe:
    everything that reads or changes the world goes through here.
    """

    @functools.wraps(method)
    def wrapper(self: C, /, *args: P.args, **kwargs: P.kwargs) -> R:
        state = self.state
        with state.lock:
            state.sync()
            return method(self, *args, **kwargs)

    return wrapper
