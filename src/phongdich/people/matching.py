"""Is this the same person? Run on every intake.

- The same ID number (CCCD/CMND) is the same person.
- Otherwise the diacritic-insensitive name, the birth date (or year) and the phone give a
  score. 90 or more (name + full birth date + phone all equal, and no conflicting ID number)
  is taken as the same person; 50 to 89 is a likely duplicate: a new record is made and the
  pair goes to the review queue.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Q

from phongdich.core.text import fold
from phongdich.people.models import Person

SAME_PERSON = 90
LIKELY = 50


@dataclass
class Identity:
    full_name: str
    id_number: str | None = None
    birth_date: datetime.date | None = None
    birth_year: int | None = None
    phone: str = ""

    @property
    def name_key(self) -> str:
        return fold(self.full_name)


@dataclass
class Match:
    person: Person | None = None
    score: int = 0
    candidates: list[tuple[Person, int, list[str]]] = field(default_factory=list)


def score_pair(a: Identity, b: Person) -> tuple[int, list[str]]:
    """Score how likely ``a`` and ``b`` are one person (0-100) and say why."""
    if a.id_number and b.id_number:
        if a.id_number == b.id_number:
            return 100, ["id_number"]
        return 0, ["id_number_differs"]
    reasons: list[str] = []
    score = 0
    if a.name_key == b.name_key:
        score += 40
        reasons.append("name")
    else:
        return 0, []
    if a.birth_date and b.birth_date:
        if a.birth_date == b.birth_date:
            score += 30
            reasons.append("birth_date")
        else:
            return 0, []
    elif a.birth_year and b.birth_year:
        if a.birth_year == b.birth_year:
            score += 15
            reasons.append("birth_year")
        else:
            return 0, []
    if a.phone and b.phone and a.phone == b.phone:
        score += 25
        reasons.append("phone")
    return min(score, 100), reasons


def find_match(identity: Identity, exclude: Person | None = None) -> Match:
    active = Person.objects.filter(merged_into__isnull=True)
    if exclude is not None:
        active = active.exclude(pk=exclude.pk)
    if identity.id_number:
        same = active.filter(id_number=identity.id_number).first()
        if same is not None:
            return Match(person=same, score=100)
    filters = Q(name_key=identity.name_key)
    if identity.birth_date:
        filters &= Q(birth_date=identity.birth_date) | Q(birth_date__isnull=True, birth_year=identity.birth_date.year)
    elif identity.birth_year:
        filters &= Q(birth_year=identity.birth_year)
    elif identity.phone:
        filters &= Q(phone=identity.phone)
    else:
        return Match()
    scored = []
    for person in active.filter(filters)[:50]:
        score, reasons = score_pair(identity, person)
        if score >= LIKELY:
            scored.append((person, score, reasons))
    scored.sort(key=lambda t: -t[1])
    if scored and scored[0][1] >= SAME_PERSON:
        return Match(person=scored[0][0], score=scored[0][1], candidates=scored[1:])
    return Match(candidates=scored)
