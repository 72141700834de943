"""Shared test fixtures: a small real piece of Điện Biên and one persona per role.

The tree (pre-2025 codes):
  11 Tỉnh Điện Biên
    094 Thành phố Điện Biên Phủ
      03124 Phường Noong Bua  (villages: Tổ dân phố 1, Tổ dân phố 2)
      03127 Phường Him Lam
    096 Huyện Mường Nhé
      03154 Xã Sín Thầu       (village: Bản Sín Thầu)
      03155 Xã Sen Thượng
  12 Tỉnh Lai Châu (a neighbour, for temporary addresses)
    105 Thành phố Lai Châu
      03386 Phường Quyết Thắng
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client

from phongdich.core.models import User
from phongdich.core.roles import Role
from phongdich.core.text import fold
from phongdich.geo.models import AdminUnit, Hierarchy, Level


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: pytest.FixtureRequest) -> None:
    """Put back the data the migrations ship when a reused test database lacks it.

    The transactional tests flush the database when they end; when they end a run, the next run
    of ``make test`` (``--reuse-db``) finds it without the national rule sets. They are loaded
    again (both loaders are idempotent) and the snapshot the transactional tests restore is
    taken again.
    """
    from django.db import connection

    from phongdich.policy.models import RuleSet
    from phongdich.policy.rulesets import apply_care_rules, load_rule_sets

    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        if not RuleSet.objects.exists():
            load_rule_sets()
            apply_care_rules()
            connection._test_serialized_contents = connection.creation.serialize_db_to_string()  # type: ignore[attr-defined]


@dataclass
class Tree:
    province: AdminUnit
    city: AdminUnit
    muong_nhe: AdminUnit
    noong_bua: AdminUnit
    him_lam: AdminUnit
    sin_thau: AdminUnit
    sen_thuong: AdminUnit
    to1: AdminUnit
    to2: AdminUnit
    ban_sin_thau: AdminUnit
    lai_chau: AdminUnit
    lc_city: AdminUnit
    quyet_thang: AdminUnit


def make_unit(level: str, code: str, name: str, parent: AdminUnit | None = None, kind: str = "") -> AdminUnit:
    unit = AdminUnit(
        version=Hierarchy.PRE2025,
        level=level,
        code=code,
        name=name,
        name_key=fold(name),
        division_type=kind,
        parent=parent,
    )
    if parent is not None:
        unit.province_id = parent.province_id or (parent.pk if parent.level == Level.PROVINCE else None)
        unit.district_id = parent.district_id or (parent.pk if parent.level == Level.DISTRICT else None)
        unit.commune_id = parent.commune_id or (parent.pk if parent.level == Level.COMMUNE else None)
    unit.save()
    return unit


@pytest.fixture
def tree(db: None) -> Tree:
    p = make_unit(Level.PROVINCE, "11", "Tỉnh Điện Biên", kind="tỉnh")
    city = make_unit(Level.DISTRICT, "094", "Thành phố Điện Biên Phủ", p, "thành phố")
    mn = make_unit(Level.DISTRICT, "096", "Huyện Mường Nhé", p, "huyện")
    nb = make_unit(Level.COMMUNE, "03124", "Phường Noong Bua", city, "phường")
    hl = make_unit(Level.COMMUNE, "03127", "Phường Him Lam", city, "phường")
    st = make_unit(Level.COMMUNE, "03154", "Xã Sín Thầu", mn, "xã")
    sth = make_unit(Level.COMMUNE, "03155", "Xã Sen Thượng", mn, "xã")
    to1 = make_unit(Level.VILLAGE, "03124-001", "Tổ dân phố 1", nb, "tổ dân phố")
    to2 = make_unit(Level.VILLAGE, "03124-002", "Tổ dân phố 2", nb, "tổ dân phố")
    bst = make_unit(Level.VILLAGE, "03154-001", "Bản Sín Thầu", st, "bản")
    lc = make_unit(Level.PROVINCE, "12", "Tỉnh Lai Châu", kind="tỉnh")
    lcc = make_unit(Level.DISTRICT, "105", "Thành phố Lai Châu", lc, "thành phố")
    qt = make_unit(Level.COMMUNE, "03386", "Phường Quyết Thắng", lcc, "phường")
    return Tree(p, city, mn, nb, hl, st, sth, to1, to2, bst, lc, lcc, qt)


# Which unit each persona works in.
PERSONA_UNITS = {
    Role.ADMIN: "province",
    Role.STEERING: "province",
    Role.HEALTH: "province",
    Role.POLICE: "province",
    Role.DISTRICT: "city",
    Role.COMMUNE: "noong_bua",
    Role.HEALTH_STATION: "noong_bua",
    Role.COMMUNITY: "to1",
    Role.CHECKPOINT: "muong_nhe",
    Role.LAB: "province",
    Role.FACILITY: "city",
}


@pytest.fixture
def personas(tree: Tree) -> dict[Role, User]:
    users = {}
    for role, attr in PERSONA_UNITS.items():
        users[role] = User.objects.create_user(
            username=f"t_{role.value}", password="pw-test-1234", role=role, unit=getattr(tree, attr)
        )
    return users


@pytest.fixture
def outsider(tree: Tree) -> User:
    """A commune officer of another commune (Sín Thầu, Mường Nhé)."""
    return User.objects.create_user(
        username="t_outsider", password="pw-test-1234", role=Role.COMMUNE, unit=tree.sin_thau
    )


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client
