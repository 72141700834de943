"""Helpers of the tracing-engine tests: people, cases and contacts made quickly, and a level reader.

Cases are created directly (``Case.objects.create``) and announced with
``levels.on_case_confirmed`` so that these tests pin the engine alone.
"""

from __future__ import annotations

import datetime
import itertools
from dataclasses import dataclass, field

from phongdich.cases.models import Case, CaseStatus
from phongdich.core.text import fold
from phongdich.geo.models import AdminUnit
from phongdich.geo.scoping import lineage_columns
from phongdich.people.models import Household, Person
from phongdich.policy.queries import rule_set_on
from phongdich.tracing import levels
from phongdich.tracing.contacts import add_contact, remove_contact
from phongdich.tracing.models import Contact, PersonLevel, Proximity
from tests.conftest import Tree

D = datetime.date


@dataclass
class World:
    tree: Tree
    people: dict[str, Person] = field(default_factory=dict)
    _codes: itertools.count = field(default_factory=lambda: itertools.count(1))

    def person(self, name: str, unit: AdminUnit | None = None, household: Household | None = None) -> Person:
        full = f"Lò Văn {name}"
        p = Person.objects.create(
            full_name=full, name_key=fold(full), household=household, **lineage_columns(unit or self.tree.to1)
        )
        self.people[name] = p
        return p

    def p(self, name: str) -> Person:
        return self.people[name] if name in self.people else self.person(name)

    def case(
        self, name: str, confirmed: datetime.date, onset: datetime.date | None = None, announce: bool = True
    ) -> Case:
        person = self.p(name)
        case = Case.objects.create(
            person=person,
            code=f"ĐB-{next(self._codes):04d}",
            confirmed_on=confirmed,
            onset_date=onset,
            rule_set=rule_set_on(confirmed, self.tree.province),
            status=CaseStatus.CONFIRMED,
            **lineage_columns(self.tree.to1),
        )
        if announce:
            levels.on_case_confirmed(case)
        return case

    def contact(self, a: str, b: str, first: datetime.date, last: datetime.date | None = None) -> Contact:
        contact, _created = add_contact(
            None,
            self.p(a),
            self.p(b),
            first_date=first,
            last_date=last or first,
            setting="household",
            proximity=Proximity.WITHIN_2M,
            source="interview",
        )
        return contact

    def remove(self, contact: Contact) -> None:
        remove_contact(None, contact)

    def level(self, name: str) -> int | None:
        row = PersonLevel.objects.filter(person=self.p(name)).first()
        return row.level if row else None

    def row(self, name: str) -> PersonLevel:
        return PersonLevel.objects.get(person=self.p(name))

    def levels(self) -> dict[str, int]:
        by_id = {p.pk: n for n, p in self.people.items()}
        return {by_id[r.person_id]: r.level for r in PersonLevel.objects.all() if r.person_id in by_id}

    def snapshot(self) -> dict[str, tuple[int, datetime.date, str, str]]:
        by_id = {p.pk: n for n, p in self.people.items()}
        return {
            by_id[r.person_id]: (r.level, r.exposed_on, str(r.case_id), r.handling)
            for r in PersonLevel.objects.all()
            if r.person_id in by_id
        }
