"""The one lock: every public operation runs under it, the clock caught up first."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, ParamSpec, Protocol, TypeVar, cast

P = ParamSpec("P")
R = TypeVar("R")


class Shared(Protocol):
    """What an operation needs of the state its collaborator shares: the lock, the clock."""

    lock: Any

    def sync(self) -> None: ...


class Collaborator(Protocol):
    state: Shared


def operation(method: Callable[P, R]) -> Callable[P, R]:
    """Run a public operation under the lock, with the clock caught up to now first.

    Werkzeug's and waitress's threads call in at once, and simpy is not thread-safe:
    everything that reads or changes the world goes through here.
    """

    @functools.wraps(method)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        owner = cast(Collaborator, args[0])  # a method's self
        state = owner.state
        with state.lock:
            state.sync()
            return method(*args, **kwargs)

    return wrapper
