"""Fixtures of the testing-app tests: people, a laboratory, samples and pools through the real actions."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest

from phongdich.core.models import AuditLog
from phongdich.geo.models import AdminUnit
from phongdich.people.actions import PersonData, intake_person
from phongdich.people.models import Person
from phongdich.testing import actions
from phongdich.testing.models import CaseProposal, Laboratory, PlaceKind, Pool, Sample
from tests.conftest import Tree

TAKEN = datetime.datetime(2021, 8, 9, 8, 30, tzinfo=datetime.UTC)
RESULTED = datetime.datetime(2021, 8, 9, 20, 0, tzinfo=datetime.UTC)

MakePerson = Callable[..., Person]


@pytest.fixture
def make_person(tree: Tree) -> MakePerson:
    counter = iter(range(1, 10_000))

    def make(full_name: str | None = None, unit: AdminUnit | None = None, **kw: Any) -> Person:
        n = next(counter)
        kw.setdefault("birth_date", datetime.date(1980, 1, 1) + datetime.timedelta(days=n * 37))
        intake = intake_person(None, PersonData(full_name=full_name or f"Lò Văn Thử {n}", unit=unit or tree.to1, **kw))
        assert intake.created
        return intake.person

    return make


@pytest.fixture
def lab(tree: Tree) -> Laboratory:
    lab, _ = actions.create_lab(None, code="cdc-db", name="CDC Điện Biên", unit=tree.province, daily_capacity=500)
    return lab


def taking(barcode: str, **kw: Any) -> actions.Taking:
    kw.setdefault("place_kind", PlaceKind.HEALTH_STATION)
    kw.setdefault("taken_at", TAKEN)
    return actions.Taking(barcode=barcode, **kw)


def take(person: Person, barcode: str, actor: Any = None, **kw: Any) -> Sample:
    sample, created = actions.take_sample(actor, person, taking(barcode, **kw))
    assert created
    return sample


def pool_of(persons: list[Person], barcode: str, unit: AdminUnit | None = None, **kw: Any) -> Pool:
    pool, created = actions.take_pool(None, persons, taking(barcode, **kw), unit)
    assert created
    return pool


def state() -> tuple[Any, ...]:
    """Everything a refused request or a repeated import must leave untouched."""
    return (
        list(
            Sample.objects.values_list(
                "pk", "barcode", "status", "outcome", "ct", "resulted_at", "lab_id", "received_at", "pool_id"
            ).order_by("pk")
        ),
        list(Pool.objects.values_list("pk", "barcode", "status", "outcome", "ct", "lab_id").order_by("pk")),
        list(CaseProposal.objects.values_list("pk", "status", "case_id", "reject_reason").order_by("pk")),
        list(Laboratory.objects.values_list("pk", "name", "daily_capacity", "active").order_by("pk")),
        AuditLog.objects.count(),
    )
