"""manage.py demo_users: one user per role, on the right unit, idempotent, documented password."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from phongdich.core.models import User
from phongdich.core.roles import Role
from phongdich.demo.generate import build_demo
from phongdich.demo.users import DEFAULT_PASSWORD, DEMO_USERS
from phongdich.geo.models import AdminUnit, Level

EXPECTED_UNITS = {
    Role.ADMIN: (Level.PROVINCE, "11"),
    Role.STEERING: (Level.PROVINCE, "11"),
    Role.HEALTH: (Level.PROVINCE, "11"),
    Role.POLICE: (Level.PROVINCE, "11"),
    Role.LAB: (Level.PROVINCE, "11"),
    Role.DISTRICT: (Level.DISTRICT, "094"),
    Role.FACILITY: (Level.DISTRICT, "094"),
    Role.COMMUNE: (Level.COMMUNE, "03325"),
    Role.HEALTH_STATION: (Level.COMMUNE, "03325"),
    Role.CHECKPOINT: (Level.DISTRICT, "099"),
}


def test_demo_users_one_per_role_idempotent(units: AdminUnit, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    build_demo(people=300, seed=1)
    out = io.StringIO()
    call_command("demo_users", stdout=out)
    users = {u.role: u for u in User.objects.all()}
    assert set(users) == set(Role) and User.objects.count() == len(Role) == len(DEMO_USERS)
    for role, (level, code) in EXPECTED_UNITS.items():
        unit = users[role].unit
        assert unit is not None and (unit.level, unit.code) == (level, code), role
        assert unit.version == "pre2025"
    community = users[Role.COMMUNITY].unit
    assert community is not None and community.level == Level.VILLAGE and community.parent is not None
    assert community.parent.code == "03325"
    # The district officer's area holds the commune, the community team's village and the facility.
    district = users[Role.DISTRICT].unit
    assert district is not None and district.contains(users[Role.COMMUNE].unit)  # type: ignore[arg-type]
    assert district.contains(community)
    for user in users.values():
        assert user.check_password(DEFAULT_PASSWORD) and user.language == "vi" and user.is_active
        assert user.get_full_name()
        assert user.is_superuser == user.is_staff == (user.role == Role.ADMIN)
    assert users[Role.ADMIN].username == "admin"
    text = out.getvalue()
    assert DEFAULT_PASSWORD in text and "toCOVID_muongphang" in text and "Xã Mường Phăng" in text

    # Run again after someone changed things: same users, reset.
    admin = users[Role.ADMIN]
    admin.set_password("changed-1234")
    admin.is_superuser = False
    admin.save()
    User.objects.filter(username="congan").update(role=Role.COMMUNE, is_active=False)
    ids = set(User.objects.values_list("pk", flat=True))
    call_command("demo_users", stdout=io.StringIO())
    assert set(User.objects.values_list("pk", flat=True)) == ids
    admin.refresh_from_db()
    assert admin.check_password(DEFAULT_PASSWORD) and admin.is_superuser and admin.is_staff
    police = User.objects.get(username="congan")
    assert police.role == Role.POLICE and police.is_active


def test_demo_users_password_from_environment(units: AdminUnit, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEMO_PASSWORD", "Bi-mat-2021")
    out = io.StringIO()
    call_command("demo_users", stdout=out)
    assert all(u.check_password("Bi-mat-2021") for u in User.objects.all())
    assert "Bi-mat-2021" in out.getvalue() and DEFAULT_PASSWORD not in out.getvalue()
    # Before the demo made villages, the community member works at the commune.
    community = User.objects.get(role=Role.COMMUNITY).unit
    assert community is not None and community.code == "03325"


def test_demo_users_need_the_units(db: None) -> None:
    with pytest.raises(CommandError, match="load_units"):
        call_command("demo_users", stdout=io.StringIO())
    assert not User.objects.exists()
