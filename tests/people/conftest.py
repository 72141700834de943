"""Fixtures of the person-registry tests: people made through the real actions."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from phongdich.core.models import ApiToken, User
from phongdich.geo.models import AdminUnit
from phongdich.people.actions import PersonData, intake_person
from phongdich.people.models import Person, Sex
from tests.conftest import Tree

MakePerson = Callable[..., Person]


@pytest.fixture
def make_person(tree: Tree) -> MakePerson:
    def make(full_name: str = "Lò Văn Đức", unit: AdminUnit | None = None, **kw: Any) -> Person:
        data = PersonData(full_name=full_name, unit=unit or tree.to1, **kw)
        if data.birth_date and not data.birth_year:
            data.birth_year = data.birth_date.year
        intake = intake_person(None, data)
        assert intake.created, f"{full_name} matched an existing record"
        return intake.person

    return make


@pytest.fixture
def duc(make_person: MakePerson) -> Person:
    """Lò Văn Đức, Tổ dân phố 1, Phường Noong Bua."""
    return make_person(
        "Lò Văn Đức",
        id_number="011099001234",
        birth_date=datetime.date(1990, 5, 17),
        sex=Sex.MALE,
        phone="+84912345678",
    )


@pytest.fixture
def far_person(make_person: MakePerson, tree: Tree) -> Person:
    """Giàng A Páo in Bản Sín Thầu (Mường Nhé): outside Noong Bua and the city."""
    return make_person("Giàng A Páo", unit=tree.ban_sin_thau, birth_date=datetime.date(1985, 1, 2))


def token_client(user: User) -> Client:
    _token, key = ApiToken.issue(user, "test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


def vi(message: str) -> str:
    """The Vietnamese catalogue's text for an English source message (and check it is translated)."""
    from django.utils import translation

    with translation.override("vi"):
        text = translation.gettext(message)
    assert text != message, f"not translated: {message!r}"
    return text
