"""Fixtures of the quarantine tests: people, F levels from real cases and contacts, facilities made by the actions."""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from phongdich.cases import actions as case_actions
from phongdich.cases.models import Case
from phongdich.core.models import AuditLog
from phongdich.geo.models import AdminUnit
from phongdich.people.actions import PersonData, intake_person
from phongdich.people.models import Household, Person
from phongdich.policy.models import ContactSetting
from phongdich.quarantine import actions
from phongdich.quarantine.models import (
    Facility,
    FacilityKind,
    HealthCheck,
    Incident,
    Placement,
    PlacementRequest,
    Room,
    RoomSex,
)
from phongdich.tracing.contacts import add_contact
from phongdich.tracing.models import ContactSource, Proximity
from tests.conftest import Tree

D = datetime.date
EXPOSED = D(2021, 8, 8)  # 5599/BYT-MT: F1 14 days, tests on days 1, 7, 14
CONFIRMED = D(2021, 8, 10)
ENTERED = D(2021, 8, 10)
API = "/api/v1/quarantine"

MakePerson = Callable[..., Person]


@pytest.fixture
def make_person(tree: Tree) -> MakePerson:
    def make(full_name: str, unit: AdminUnit | None = None, **kw: Any) -> Person:
        intake = intake_person(None, PersonData(full_name=full_name, unit=unit or tree.to1, **kw))
        assert intake.created, full_name
        return intake.person

    return make


def link(a: Person, b: Person, day: datetime.date = EXPOSED) -> None:
    add_contact(
        None,
        a,
        b,
        first_date=day,
        last_date=day,
        setting=ContactSetting.WORKPLACE,
        proximity=Proximity.DIRECT,
        source=ContactSource.INTERVIEW,
    )


def confirm(person: Person, on: datetime.date = CONFIRMED) -> Case:
    case, created = case_actions.create_case(None, person, confirmed_on=on)
    assert created
    return case


@pytest.fixture
def outbreak(make_person: MakePerson) -> dict[str, Person]:
    """An F0 (An) with two F1 (Bình, a man; Chi, a woman) and an F2 (Dung, contact of Bình)."""
    an = make_person("Lò Văn An", sex="M")
    binh = make_person("Quàng Văn Bình", sex="M")
    chi = make_person("Lường Thị Chi", sex="F")
    dung = make_person("Cà Thị Dung", sex="F")
    link(an, binh)
    link(an, chi)
    link(binh, dung)
    confirm(an)
    return {"an": an, "binh": binh, "chi": chi, "dung": dung}


@pytest.fixture
def camp(tree: Tree) -> Facility:
    """A centralised camp in Him Lam (the city): rooms A1 (4 beds, men), A2 (4 beds, women), B1 (6 beds, 4 usable)."""
    facility, _ = actions.create_facility(
        None,
        name="Trường Cao đẳng Y tế Điện Biên",
        kind=FacilityKind.CENTRALISED,
        unit=tree.him_lam,
        meal_cost_per_day=80000,
    )
    actions.add_room(None, facility, name="A1", beds=4, sex=RoomSex.MALE)
    actions.add_room(None, facility, name="A2", beds=4, sex=RoomSex.FEMALE)
    actions.add_room(None, facility, name="B1", beds=6, usable_beds=4)
    return facility


@pytest.fixture
def far_camp(tree: Tree) -> Facility:
    """A facility in Mường Nhé (another district)."""
    facility, _ = actions.create_facility(
        None, name="Trạm Mường Nhé", kind=FacilityKind.CENTRALISED, unit=tree.sin_thau
    )
    actions.add_room(None, facility, name="1", beds=2)
    return facility


def room(facility: Facility, name: str) -> Room:
    return Room.objects.get(facility=facility, name=name)


def household(code: str) -> Household:
    return Household.objects.create(code=code)


def post(client: Client, url: str, data: object) -> Any:
    return client.post(API + url, json.dumps(data), content_type="application/json")


def state() -> tuple[Any, ...]:
    """Everything a refused request must leave untouched."""
    return (
        list(Placement.objects.values_list("pk", "status", "room_id", "bed_id", "ended_on").order_by("pk")),
        list(Facility.objects.values_list("pk", "name").order_by("pk")),
        list(Room.objects.values_list("pk", "flagged_at").order_by("pk")),
        PlacementRequest.objects.count(),
        HealthCheck.objects.count(),
        Incident.objects.count(),
        AuditLog.objects.count(),
    )
