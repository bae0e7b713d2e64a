"""What a long-running simulator keeps, and what it lets go.

A simulator left running for days must hold a steady amount of memory whatever it
is asked: everything that only grows (the timeline, ended jobs, the fault log, each
dataset's change log and versions, uploads no resource uses, the journal) has a
bound. What goes is always the oldest, in a fixed order, so the same requests leave
the same world, and a snapshot replays to it. The defaults are decisions of the
simulator's own; a scenario may change them (``retention:``).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Retention:
    #: Newest transitions kept in the timeline.
    transitions: int = 5_000
    #: Newest ended jobs kept (jobs waiting or running are always kept).
    jobs: int = 1_000
    #: Newest entries kept in the log of faults that took effect.
    faults: int = 500
    #: Newest changes kept in each dataset's change log.
    changes: int = 100
    #: Newest versions kept for each dataset (the Automation API keeps the last 20).
    versions: int = 20
    #: Uploads that no resource uses, newest first, kept up to this many...
    unused_files: int = 100
    #: ... and up to this many bytes in all.
    unused_file_bytes: int = 256 * 2**20
    #: Journal lines after which the world is written down whole and the journal
    #: starts again, as soon as no job waits or runs.
    journal: int = 10_000
    #: Newest requests kept in the request log (see :mod:`.request_log`).
    requests: int = 1_000


def bound(limit: int) -> int:
    """The length past which a log kept to ``limit`` entries is trimmed down to it.

    Logs are trimmed a tenth past their limit, so trimming costs little per entry.
    """
    return limit + limit // 10


def overflow(length: int, limit: int) -> bool:
    """Whether a log of ``length`` entries is due for trimming down to ``limit``."""
    return length > bound(limit)
