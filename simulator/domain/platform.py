"""How fast the simulated platform works: its worker pool, license and stage timings.

Which statuses exist is the state machine's business; how long each lasts is the
platform's. A stage lasts ``base + records / rate`` virtual seconds, stretched by an
optional seeded jitter.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from .statemachine import WORKING, Status


@dataclass(frozen=True, slots=True)
class StageTiming:
    #: Fixed virtual seconds the stage takes before records flow.
    base: float
    #: Records per virtual second; ``None`` for a stage that handles no records.
    rate: float | None = None
    #: Relative spread, e.g. ``0.2`` draws each duration within +/-20 % (seeded).
    jitter: float = 0.0


S = Status

#: Defaults give a dataset of a few thousand records a publish of a minute or two
#: of virtual time: long enough to watch at demo speed, instant in manual mode.
DEFAULT_TIMINGS: Mapping[Status, StageTiming] = MappingProxyType(
    {
        S.PROCESSING_DATASET: StageTiming(base=5),
        S.PROCESSING_ALL_DATASET_DATA: StageTiming(base=10, rate=100),
        S.PROCESSING_RESOURCE_RECORDS: StageTiming(base=5, rate=100),
        S.PROCESSING_REALTIME: StageTiming(base=2, rate=100),
        S.RECOVERING_REALTIME_RECORDS: StageTiming(base=5, rate=200),
        S.DELETING_DATASET: StageTiming(base=5),
        S.DELETING_RESOURCE_RECORDS: StageTiming(base=3, rate=1000),
        S.DELETING_ALL_DATASET_DATA: StageTiming(base=5, rate=1000),
        S.SCRATCHING_REALTIME_RECOVER_DATA: StageTiming(base=3, rate=1000),
        S.SAVING_DATASET_VERSION: StageTiming(base=5, rate=500),
        S.ABORTING_PROCESSING: StageTiming(base=5),
    }
)
assert set(DEFAULT_TIMINGS) == WORKING, "every status that holds a worker needs a timing"


#: The domain a scenario's datasets live on when it names none.
DEFAULT_DOMAIN_ID = "ods-simulator"


@dataclass(frozen=True)
class Platform:
    workers: int = 2
    #: The license's ``max_records_by_dataset``; ``None`` for no limit.
    max_records_by_dataset: int | None = None
    timings: Mapping[Status, StageTiming] = field(default_factory=lambda: DEFAULT_TIMINGS)
    #: The domain's identifier, as change objects name it (``{"domain": ...}``).
    domain_id: str = DEFAULT_DOMAIN_ID
    #: Whether dataset schedules may fire more than once a day (the platform's support
    #: enables minute-level scheduling on request).
    minute_level_schedules: bool = False
