"""The status each dataset was in before its current public one, read from the timeline.

The Automation API's status object names the status a dataset left (``previous``).
The timeline holds every move; rather than search it on each read, a follower
reads the entries added since its last look and keeps, for each dataset, the fine
status of its last move that changed the public name. A new world (a reset, a
restore) has a new timeline: the follower then starts over.
"""

from __future__ import annotations

from ..domain.statemachine import PUBLIC_OF, REMOVED, Status
from ..domain.timeline import Timeline


class PreviousStatuses:
    """For each dataset, the fine status it left when its public name last changed."""

    def __init__(self) -> None:
        self._timeline: Timeline | None = None
        self._position = 0
        self._previous: dict[str, Status] = {}

    def of(self, timeline: Timeline, dataset_uid: str) -> Status | None:
        """The status the dataset left, or ``None`` if the timeline never saw it change."""
        if timeline is not self._timeline or len(timeline) < self._position:
            self._timeline, self._position, self._previous = timeline, 0, {}
        if len(timeline) > self._position:
            previous = self._previous
            for entry in timeline.since(self._position):
                if entry.destination == REMOVED:
                    previous.pop(entry.dataset_uid, None)
                elif PUBLIC_OF[entry.source] != PUBLIC_OF[entry.destination]:
                    previous[entry.dataset_uid] = Status(entry.source)
            self._position = len(timeline)
        return self._previous.get(dataset_uid)
