"""Seeded, realistic data: dataset metadata, usernames and sample records.

Faker does the wording, seeded per scenario, so the same seed gives the same text
(for a given Faker version). Nothing that the timeline shows comes from Faker:
generated dataset ids and record counts are drawn from the scenario's own seeded
generator, so timelines stay the same whatever Faker version is installed. Faker
is imported only when a scenario asks for generated data.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from faker import Faker

#: Subjects of city open data, with their keywords and theme.
SUBJECTS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("Bike counters", ("mobility", "cycling"), "Transport, Mobility"),
    ("Air quality measurements", ("environment", "air", "health"), "Environment"),
    ("Public toilets", ("equipment", "public space"), "Urban planning"),
    ("Street trees", ("environment", "trees", "biodiversity"), "Environment"),
    ("Parking occupancy", ("mobility", "parking"), "Transport, Mobility"),
    ("Building permits", ("urban planning", "housing"), "Urban planning"),
    ("Library loans", ("culture", "books"), "Culture, Heritage"),
    ("Noise levels", ("environment", "noise"), "Environment"),
    ("Electric vehicle charging points", ("mobility", "energy"), "Energy"),
    ("Bus stops", ("transport", "public transport"), "Transport, Mobility"),
    ("Election results", ("elections", "citizenship"), "Administration, Government"),
    ("Restaurant inspections", ("health", "food"), "Health"),
    ("School locations", ("education", "schools"), "Education"),
    ("Water consumption", ("environment", "water"), "Energy"),
    ("Road works", ("mobility", "roads"), "Transport, Mobility"),
    ("Population by district", ("demography", "population"), "Population, Society"),
    ("Public Wi-Fi hotspots", ("digital", "wifi"), "Digital"),
    ("Waste collection points", ("environment", "waste"), "Environment"),
    ("Sports facilities", ("sport", "equipment"), "Sport, Leisure"),
    ("Cultural events", ("culture", "events"), "Culture, Heritage"),
)

LANGUAGES: tuple[str, ...] = ("en", "fr", "de", "es", "nl", "it")

FieldMaker = Callable[["Faker", random.Random], Any]

#: Kinds of record fields a resource may declare, and how a value is made.
FIELD_KINDS: dict[str, FieldMaker] = {
    "int": lambda f, r: r.randint(0, 100_000),
    "float": lambda f, r: round(r.uniform(0, 1000), 2),
    "boolean": lambda f, r: r.random() < 0.5,
    "word": lambda f, r: f.word(),
    "text": lambda f, r: f.sentence(),
    "name": lambda f, r: f.name(),
    "first_name": lambda f, r: f.first_name(),
    "last_name": lambda f, r: f.last_name(),
    "email": lambda f, r: f.email(),
    "phone": lambda f, r: f.phone_number(),
    "company": lambda f, r: f.company(),
    "city": lambda f, r: f.city(),
    "address": lambda f, r: f.street_address(),
    "country": lambda f, r: f.country(),
    "date": lambda f, r: date.fromordinal(r.randint(738000, 740000)).isoformat(),
    "datetime": lambda f, r: f.iso8601(),
    "latitude": lambda f, r: round(r.uniform(-90, 90), 6),
    "longitude": lambda f, r: round(r.uniform(-180, 180), 6),
}

DEFAULT_FIELDS: dict[str, str] = {
    "id": "int",
    "name": "name",
    "city": "city",
    "date": "date",
    "value": "float",
}


@cache
def _faker_class() -> type[Faker]:
    from faker import Faker

    return Faker


def faker(seed: int | str) -> Faker:
    """A Faker seeded with ``seed``."""
    fake = _faker_class()("en_US")
    fake.seed_instance(seed)
    return fake


class DataGen:
    """Everything generated for one scenario, from its seed."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.rng = random.Random(f"{seed}:datagen")
        self._faker: Faker | None = None
        self._usernames: set[str] = set()

    @property
    def fake(self) -> Faker:
        if self._faker is None:
            self._faker = faker(f"{self.seed}:faker")
        return self._faker

    def metas(self) -> dict[str, dict[str, Any]]:
        """Default-template metadata of a plausible city dataset."""
        fake, rng = self.fake, self.rng
        subject, keywords, theme = rng.choice(SUBJECTS)
        city = fake.city()
        return {
            "default": {
                "title": f"{subject} in {city}",
                "description": fake.paragraph(nb_sentences=3),
                "keyword": [*keywords, fake.word()],
                "theme": [theme],
                "publisher": rng.choice((f"City of {city}", fake.company())),
                "language": rng.choice(LANGUAGES),
            }
        }

    def username(self) -> str:
        while True:
            name = self.fake.user_name()
            if name not in self._usernames:
                self._usernames.add(name)
                return name

    def secret(self, length: int = 16) -> str:
        return f"{self.rng.getrandbits(length * 4):0{length}x}"


def sample_records(seed: int | str, fields: dict[str, str], rows: int) -> list[dict[str, Any]]:
    """``rows`` records with the given fields, the same for the same seed."""
    fake = faker(seed)
    rng = random.Random(f"{seed}:records")
    makers = [(name, FIELD_KINDS[kind]) for name, kind in fields.items()]
    return [{name: make(fake, rng) for name, make in makers} for _ in range(rows)]
