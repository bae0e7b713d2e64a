"""A dataset's feedbacks: what visitors said about its records; list, read, archive.

No API makes a feedback: the scenario gives them (``datasets[].feedbacks``). Reading
and archiving need ``edit_dataset`` on the dataset. Archiving is not a change of the
dataset's configuration: it is not in the change log.
"""

from __future__ import annotations

import dataclasses

from ..domain.errors import UnknownFeedback
from ..domain.models import Dataset, Feedback, User
from .journal import mutation
from .operation import operation
from .state import State

NEEDED = ("edit_dataset",)


class Feedbacks:
    def __init__(self, state: State) -> None:
        self.state = state

    @operation
    def list(
        self,
        user: User,
        dataset_uid: str,
        archived: bool = False,
        record_id: str | None = None,
        newest_first: bool = True,
    ) -> tuple[Feedback, ...]:
        """The archived ones or the others, of one record if asked, by submission date."""
        ds = self.state.dataset(user, dataset_uid, *NEEDED)
        found = [
            _copy(f)
            for f in ds.feedbacks.values()
            if f.is_archived == archived and (record_id is None or f.record_id == record_id)
        ]
        found.sort(key=lambda f: f.created, reverse=newest_first)
        return tuple(found)

    @operation
    def get(self, user: User, dataset_uid: str, feedback_uid: str) -> Feedback:
        return _copy(_find(self.state.dataset(user, dataset_uid, *NEEDED), feedback_uid))

    @mutation
    def archive(self, user: User, dataset_uid: str, feedback_uid: str) -> Feedback:
        found = _find(self.state.dataset(user, dataset_uid, *NEEDED), feedback_uid)
        found.is_archived = True
        return _copy(found)


def _find(ds: Dataset, feedback_uid: str) -> Feedback:
    found = ds.feedbacks.get(feedback_uid)
    if found is None:
        raise UnknownFeedback(feedback_uid)
    return found


def _copy(f: Feedback) -> Feedback:
    return dataclasses.replace(f, values=dict(f.values))
