"""Fixtures of the treatment tests: facilities, F0 and stays made through the real actions."""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from phongdich.cases import actions as case_actions
from phongdich.cases.models import Case
from phongdich.core.models import ApiToken, AuditLog, User
from phongdich.core.roles import Role
from phongdich.people.actions import PersonData, intake_person
from phongdich.people.models import Person
from phongdich.treatment import actions
from phongdich.treatment.models import (
    Admission,
    BedStock,
    EligibilityCheck,
    Facility,
    FacilityKind,
    HomeCare,
    MonitoringEntry,
    Reassessment,
)
from tests.conftest import Tree

D = datetime.date
CONFIRMED = D(2021, 8, 10)  # under 5599/BYT-MT: home care 12 months–50 years, release day 7, Ct ≥ 30
API = "/api/v1/treatment"


def make_person(tree: Tree, name: str, **kw: Any) -> Person:
    kw.setdefault("unit", tree.to1)
    intake = intake_person(None, PersonData(full_name=name, **kw))
    assert intake.created
    return intake.person


def confirm(person: Person, **kw: Any) -> Case:
    kw.setdefault("confirmed_on", CONFIRMED)
    case, created = case_actions.create_case(None, person, **kw)
    assert created
    return case


@dataclass
class Facilities:
    field: Facility  # tier 1, Him Lam (city), ordinary 2
    centre: Facility  # tier 2, city, ordinary 5 + oxygen 2
    icu: Facility  # tier 3, province, icu 1 + ventilator 1
    far: Facility  # tier 2, Mường Nhé, ordinary 2 + oxygen 1


@pytest.fixture
def facilities(tree: Tree) -> Facilities:
    def make(name: str, kind: str, tier: int, unit: Any, beds: dict[str, int]) -> Facility:
        f, _ = actions.create_facility(
            None, name=name, kind=kind, tier=tier, unit=unit, beds=beds, active=True, activated_on=D(2021, 8, 1)
        )
        return f

    return Facilities(
        field=make("Bệnh viện dã chiến Him Lam", FacilityKind.FIELD_HOSPITAL, 1, tree.him_lam, {"ordinary": 2}),
        centre=make(
            "Trung tâm Y tế TP Điện Biên Phủ", FacilityKind.HEALTH_CENTRE, 2, tree.city, {"ordinary": 5, "oxygen": 2}
        ),
        icu=make("Khoa Hồi sức tích cực", FacilityKind.ICU_CENTRE, 3, tree.province, {"icu": 1, "ventilator": 1}),
        far=make(
            "Trung tâm Y tế huyện Mường Nhé",
            FacilityKind.HEALTH_CENTRE,
            2,
            tree.muong_nhe,
            {"ordinary": 2, "oxygen": 1},
        ),
    )


@pytest.fixture
def an(tree: Tree) -> Person:
    return make_person(tree, "Lò Văn An", birth_date=D(1990, 1, 1))


@pytest.fixture
def case(an: Person) -> Case:
    return confirm(an, clinical_status="mild")


@pytest.fixture
def far_facility_staff(tree: Tree) -> User:
    """Facility staff of Mường Nhé: sees stays in Mường Nhé facilities only."""
    return User.objects.create_user(
        username="t_far_fac", password="pw-test-1234", role=Role.FACILITY, unit=tree.muong_nhe
    )


def token_client(user: User) -> Client:
    _token, key = ApiToken.issue(user, "test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


def post(client: Client, url: str, data: object) -> Any:
    return client.post(API + url, json.dumps(data), content_type="application/json")


def put(client: Client, url: str, data: object) -> Any:
    return client.put(API + url, json.dumps(data), content_type="application/json")


def patch(client: Client, url: str, data: object) -> Any:
    return client.patch(API + url, json.dumps(data), content_type="application/json")


def state() -> tuple[Any, ...]:
    """Everything a refused request must leave untouched."""
    return (
        list(Facility.objects.values_list("pk", "name", "tier", "staff_count", "active").order_by("pk")),
        list(BedStock.objects.values_list("facility_id", "kind", "total").order_by("facility_id", "kind")),
        list(Admission.objects.values_list("pk", "facility_id", "bed_kind", "ended_on", "ended_by").order_by("pk")),
        Reassessment.objects.count(),
        EligibilityCheck.objects.count(),
        list(HomeCare.objects.values_list("pk", "status").order_by("pk")),
        MonitoringEntry.objects.count(),
        list(Case.objects.values_list("pk", "clinical_status", "outcome", "outcome_date").order_by("pk")),
        AuditLog.objects.count(),
    )
