"""A fault rule put in force from a test: removed when its ``with`` block ends."""

from __future__ import annotations

from types import TracebackType
from typing import Any

from ..service import Simulator
from ..service.fault_rules import UnknownFaultRule


class InjectedFault:
    """A rule in force (see :meth:`SimulatorHandle.inject`).

    Used plainly, it stays in force until :meth:`remove` (or the next reset); as a
    context manager, it is removed when the block ends.
    """

    def __init__(self, simulator: Simulator, view: dict[str, Any]) -> None:
        self._simulator = simulator
        #: Its id: ``run-<n>``.
        self.id: str = view["id"]
        #: The rule, as it was given.
        self.rule: dict[str, Any] = view["rule"]
        self._removed: dict[str, Any] | None = None

    @property
    def in_force(self) -> bool:
        return self._removed is None and any(
            r["id"] == self.id for r in self._simulator.fault_rules.rules()
        )

    @property
    def fired(self) -> int:
        """How often it fired so far (HTTP rules, and rules limited by ``times``)."""
        if self._removed is not None:
            return int(self._removed.get("fired", 0))
        try:
            return int(self._simulator.fault_rules.rule(self.id).get("fired", 0))
        except UnknownFaultRule:  # a reset, or a removal by id, took it out
            return 0

    def remove(self) -> None:
        """Take it out of force; nothing if it is already out (after a reset, say)."""
        if self._removed is not None:
            return
        try:
            self._removed = self._simulator.fault_rules.remove_fault(self.id)
        except UnknownFaultRule:
            self._removed = {}

    def __enter__(self) -> InjectedFault:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.remove()

    def __repr__(self) -> str:
        return f"InjectedFault({self.id}, {self.rule!r})"
