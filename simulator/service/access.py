"""Who is calling, and what stands in front of the API: HTTP faults, then credentials."""

from __future__ import annotations

from ..domain.errors import AuthenticationRequired
from ..domain.faults import Injection
from ..domain.models import User
from .operation import operation
from .state import State


class Access:
    def __init__(self, state: State) -> None:
        self.state = state

    @operation
    def admit(
        self,
        method: str,
        path: str,
        apikey: str | None,
        basic: tuple[str, str] | None,
        problem: str | None,
    ) -> tuple[Injection | None, User | None]:
        """One call of an API: its HTTP fault if one fires, else its user.

        Faults apply before credentials are looked at, as they would in front of the
        real platform; a call a fault answers, or fails on the wire, has no user.
        ``problem`` says why the credentials could not be read, if they could not. On a
        ``step`` clock, the call first moves time to the next scheduled event, whatever
        it then answers.
        """
        self.state.step()
        injection = self._inject(method, path)
        if injection is not None and (
            injection.status is not None or injection.transport is not None
        ):  # a transport fault's call is authenticated by its caller (see api.admission)
            return injection, None
        if problem is not None:
            raise AuthenticationRequired(problem)
        return injection, self.state.authenticate(apikey, basic)

    def _inject(self, method: str, path: str) -> Injection | None:
        """Apply the scenario's HTTP faults to one call: latency passes, maybe an error."""
        state = self.state
        faults = state.world.faults
        if not faults.http:
            return None
        engine = state.engine
        now, counted = engine.now, faults.counted_calls
        injection = faults.inject(method, path, now)
        if faults.counted_calls != counted:  # a rule counted the call: the book changed
            state.journal.note_call(now, method, path)
        if injection is not None and injection.latency:
            engine.advance_to(min(state.clock.horizon, engine.now + injection.latency))
            state.clock.anchor(engine.now)
        return injection

    def replay_call(self, method: str, path: str) -> None:
        """A counted call of a journal, played again (see :mod:`.snapshots`)."""
        self._inject(method, path)

    @operation
    def authenticate(self, apikey: str | None = None, basic: tuple[str, str] | None = None) -> User:
        """The user behind an API key or Basic credentials, or a refusal (401)."""
        return self.state.authenticate(apikey, basic)
