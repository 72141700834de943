"""Fixtures of the case and investigation tests: people, contacts and cases made through the real actions."""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from phongdich.cases import actions
from phongdich.cases.models import Case, CaseCounter, Cluster
from phongdich.core.models import ApiToken, AuditLog, User
from phongdich.core.roles import Role
from phongdich.geo.models import AdminUnit
from phongdich.people.actions import PersonData, intake_person
from phongdich.people.models import Person
from phongdich.policy.models import ContactSetting
from phongdich.tracing.contacts import add_contact
from phongdich.tracing.models import (
    Contact,
    ContactSource,
    Investigation,
    PersonLevel,
    Proximity,
    TeamMember,
    TracingTask,
    TracingTeam,
)
from tests.conftest import Tree

D = datetime.date
CONFIRMED = D(2021, 8, 10)  # under 5599/BYT-MT: tracing F1–F3
EXPOSED = D(2021, 8, 8)
API = "/api/v1"

MakePerson = Callable[..., Person]


@pytest.fixture
def make_person(tree: Tree) -> MakePerson:
    def make(full_name: str, unit: AdminUnit | None = None, **kw: Any) -> Person:
        intake = intake_person(None, PersonData(full_name=full_name, unit=unit or tree.to1, **kw))
        assert intake.created, full_name
        return intake.person

    return make


def link(a: Person, b: Person, day: datetime.date = EXPOSED) -> Contact:
    contact, _ = add_contact(
        None,
        a,
        b,
        first_date=day,
        last_date=day,
        setting=ContactSetting.WORKPLACE,
        proximity=Proximity.DIRECT,
        source=ContactSource.INTERVIEW,
    )
    return contact


@dataclass
class Chain:
    """An (F0-to-be) — Bình — Chi — Dung, all in Tổ dân phố 1 (Noong Bua)."""

    an: Person
    binh: Person
    chi: Person
    dung: Person


@pytest.fixture
def chain(make_person: MakePerson) -> Chain:
    an = make_person("Lò Văn An", birth_date=D(1990, 1, 1))
    binh = make_person("Quàng Thị Bình", birth_date=D(1992, 2, 2))
    chi = make_person("Lường Văn Chi", birth_date=D(1980, 3, 3))
    dung = make_person("Cà Thị Dung", birth_date=D(1975, 4, 4))
    link(an, binh)
    link(binh, chi)
    link(chi, dung)
    return Chain(an, binh, chi, dung)


def confirm(person: Person, actor: User | None = None, **kw: Any) -> Case:
    kw.setdefault("confirmed_on", CONFIRMED)
    case, created = actions.create_case(actor, person, **kw)
    assert created
    return case


@pytest.fixture
def far_district(tree: Tree) -> User:
    """A district officer of Mường Nhé: CASE_EDIT and INVESTIGATION_MANAGE, but not over Noong Bua."""
    return User.objects.create_user(
        username="t_far_district", password="pw-test-1234", role=Role.DISTRICT, unit=tree.muong_nhe
    )


def token_client(user: User) -> Client:
    _token, key = ApiToken.issue(user, "test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


def post(client: Client, url: str, data: object, **extra: Any) -> Any:
    return client.post(API + url, json.dumps(data), content_type="application/json", **extra)


def patch(client: Client, url: str, data: object, **extra: Any) -> Any:
    return client.patch(API + url, json.dumps(data), content_type="application/json", **extra)


def state() -> tuple[Any, ...]:
    """Everything a refused request must leave untouched."""
    return (
        list(
            Case.objects.values_list(
                "pk", "status", "outcome", "outcome_date", "clinical_status", "cluster_id"
            ).order_by("pk")
        ),
        list(Cluster.objects.values_list("pk", "name", "status").order_by("pk")),
        list(Investigation.objects.values_list("pk", "status").order_by("pk")),
        list(TracingTask.objects.values_list("pk", "status", "team_id", "note").order_by("pk")),
        list(TracingTeam.objects.values_list("pk", "name", "active").order_by("pk")),
        TeamMember.objects.count(),
        list(PersonLevel.objects.values_list("person_id", "level", "case_id").order_by("person_id")),
        list(CaseCounter.objects.values_list("key", "value").order_by("key")),
        AuditLog.objects.count(),
    )


def vi(message: str) -> str:
    """The Vietnamese catalogue's text for an English source message (and check it is translated)."""
    from django.utils import translation

    with translation.override("vi"):
        text = translation.gettext(message)
    assert text != message, f"not translated: {message!r}"
    return text
