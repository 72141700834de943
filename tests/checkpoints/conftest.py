"""Fixtures of the checkpoint tests: a checkpoint in Mường Nhé, people made through the real actions."""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from phongdich.checkpoints import actions
from phongdich.checkpoints.models import (
    Arrival,
    Checkpoint,
    CheckpointKind,
    Passage,
    Vehicle,
    VehiclePassage,
    Violation,
)
from phongdich.core.models import AuditLog
from phongdich.geo.models import AdminUnit
from phongdich.people.actions import PersonData, intake_person
from phongdich.people.models import Person
from tests.conftest import Tree

API = "/api/v1/checkpoints"
MakePerson = Callable[..., Person]


@pytest.fixture
def checkpoint(tree: Tree) -> Checkpoint:
    cp, _ = actions.create_checkpoint(None, name="Chốt Sín Thầu", kind=CheckpointKind.ROAD, unit=tree.sin_thau)
    return cp


@pytest.fixture
def city_checkpoint(tree: Tree) -> Checkpoint:
    """A checkpoint outside the checkpoint persona's district (Mường Nhé)."""
    cp, _ = actions.create_checkpoint(None, name="Chốt Him Lam", kind=CheckpointKind.ROAD, unit=tree.him_lam)
    return cp


_numbers = iter(range(11_0000_0000_01, 11_0000_0099_99))


@pytest.fixture
def make_person(tree: Tree) -> MakePerson:
    def make(full_name: str, unit: AdminUnit | None = None, **kw: Any) -> Person:
        kw.setdefault("id_number", str(next(_numbers)))
        intake = intake_person(None, PersonData(full_name=full_name, unit=unit or tree.to1, **kw))
        assert intake.created, full_name
        return intake.person

    return make


def post(client: Client, url: str, data: object, **extra: Any) -> Any:
    return client.post(API + url, json.dumps(data), content_type="application/json", **extra)


def state() -> tuple[Any, ...]:
    """Everything a refused request must leave untouched."""
    from phongdich.quarantine.models import PlacementRequest

    return (
        list(Checkpoint.objects.values_list("pk", "name", "active").order_by("pk")),
        list(Passage.objects.values_list("pk", "outcome").order_by("pk")),
        list(Arrival.objects.values_list("pk", "status").order_by("pk")),
        list(Vehicle.objects.values_list("pk", "plate", "seats").order_by("pk")),
        VehiclePassage.objects.count(),
        Violation.objects.count(),
        PlacementRequest.objects.count(),
        Person.objects.count(),
        AuditLog.objects.count(),
    )


def hours_ago(h: float, at: datetime.datetime | None = None) -> datetime.datetime:
    from django.utils import timezone

    return (at or timezone.now()) - datetime.timedelta(hours=h)
