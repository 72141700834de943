"""Fixtures of the declarations tests: a valid declaration's data, made through the real actions."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import timezone

from phongdich.declarations.actions import DeclarationData
from phongdich.declarations.models import DeclarationKind
from tests.conftest import Tree

MakeData = Callable[..., DeclarationData]
API = "/api/v1/declarations"


@pytest.fixture(autouse=True)
def _clear_cache() -> None:
    cache.clear()


@pytest.fixture
def make_data(tree: Tree) -> MakeData:
    def make(**kw: Any) -> DeclarationData:
        fields: dict[str, Any] = {
            "kind": DeclarationKind.ARRIVAL_PROVINCE,
            "full_name": "Lò Văn Minh",
            "phone": "+84912345678",
            "destination": tree.noong_bua,
            "id_number": "011090001234",
            "birth_date": datetime.date(1990, 5, 1),
            "origin_province": tree.lai_chau,
            "travel_date": timezone.localdate(),
        }
        fields.update(kw)
        return DeclarationData(**fields)

    return make


def public_form(tree: Tree, **kw: Any) -> dict[str, Any]:
    """A valid POST of the public form."""
    import uuid

    data: dict[str, Any] = {
        "kind": DeclarationKind.ARRIVAL_PROVINCE,
        "full_name": "Lò Văn Minh",
        "phone": "0912345678",
        "birth": "01/05/1990",
        "id_number": "011090001234",
        "sex": "M",
        "destination": str(tree.noong_bua.pk),
        "address": "Tổ 1",
        "origin_province": str(tree.lai_chau.pk),
        "travel_date": timezone.localdate().isoformat(),
        "transport": "coach",
        "places": "",
        "client_uuid": str(uuid.uuid4()),
        "website": "",
    }
    data.update(kw)
    return data
