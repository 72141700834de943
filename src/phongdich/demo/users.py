"""One demo user per role, bound to a sensible unit of the demo province (idempotent).

Passwords: ``DEMO_PASSWORD`` from the environment when set, else the documented
``DEFAULT_PASSWORD`` for every demo user. Running it again resets the users to the same role,
unit and password.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from django.db import transaction

from phongdich.core.models import User
from phongdich.core.roles import Role
from phongdich.geo.models import AdminUnit, Hierarchy, Level

DEFAULT_PASSWORD = "PhongDich@2021"  # noqa: S105 - the documented demo password
PROVINCE = "11"  # Tỉnh Điện Biên
CITY = "094"  # Thành phố Điện Biên Phủ
COMMUNE = "03325"  # Xã Mường Phăng (in the city; rural, with many bản)
CHECKPOINT_DISTRICT = "099"  # Huyện Tuần Giáo: the gateway on National Road 6 from Sơn La


@dataclass(frozen=True)
class DemoUser:
    role: Role
    username: str
    full_name: str
    place: str  # "province" | "city" | "commune" | "village" | "checkpoint"
    email: str = ""


DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser(Role.ADMIN, "admin", "Quản trị hệ thống", "province"),
    DemoUser(Role.STEERING, "bcd_tinh", "Lò Văn Mừng (Ban Chỉ đạo tỉnh)", "province"),
    DemoUser(Role.HEALTH, "soyte", "Nguyễn Thị Hương (Sở Y tế / CDC)", "province"),
    DemoUser(Role.POLICE, "congan", "Lường Văn Thắng (Công an tỉnh)", "province"),
    DemoUser(Role.DISTRICT, "huyen_dbp", "Trần Minh Đức (TP Điện Biên Phủ)", "city"),
    DemoUser(Role.COMMUNE, "xa_muongphang", "Quàng Văn Pằn (UBND xã Mường Phăng)", "commune"),
    DemoUser(Role.HEALTH_STATION, "tramyte_muongphang", "Cà Thị Xiêng (Trạm Y tế xã Mường Phăng)", "commune"),
    DemoUser(Role.COMMUNITY, "toCOVID_muongphang", "Lò Văn Ún (Tổ COVID cộng đồng)", "village"),
    DemoUser(Role.CHECKPOINT, "chot_tuangiao", "Vàng A Páo (Chốt kiểm soát Tuần Giáo)", "checkpoint"),
    DemoUser(Role.LAB, "xetnghiem", "Phạm Thu Trang (Phòng xét nghiệm CDC)", "province"),
    DemoUser(Role.FACILITY, "cosoyte", "Hoàng Văn Hải (Bệnh viện Đa khoa tỉnh)", "city"),
)


@dataclass
class Created:
    spec: DemoUser
    user: User
    password: str
    created: bool


class MissingUnits(Exception):
    """The demo province's units are not loaded."""


def demo_password() -> str:
    return os.environ.get("DEMO_PASSWORD") or DEFAULT_PASSWORD


def _unit(level: Level, code: str) -> AdminUnit:
    unit = AdminUnit.objects.filter(version=Hierarchy.PRE2025, level=level, code=code).first()
    if unit is None:
        raise MissingUnits(f"{level} {code} is not loaded: run `manage.py load_units` first.")
    return unit


def demo_units() -> dict[str, AdminUnit]:
    """The unit each kind of demo user works in."""
    commune = _unit(Level.COMMUNE, COMMUNE)
    village = AdminUnit.objects.filter(level=Level.VILLAGE, parent=commune).order_by("code").first()
    return {
        "province": _unit(Level.PROVINCE, PROVINCE),
        "city": _unit(Level.DISTRICT, CITY),
        "commune": commune,
        "village": village or commune,  # before the demo has made villages: the commune itself
        "checkpoint": _unit(Level.DISTRICT, CHECKPOINT_DISTRICT),
    }


@transaction.atomic
def ensure_demo_users(password: str | None = None) -> list[Created]:
    """Create or reset the demo users. Returns them in ``DEMO_USERS`` order."""
    password = password or demo_password()
    units = demo_units()
    result: list[Created] = []
    for spec in DEMO_USERS:
        user = User.objects.filter(username=spec.username).first()
        created = user is None
        if user is None:
            user = User(username=spec.username)
        user.first_name, user.last_name = spec.full_name, ""
        user.role = spec.role
        user.unit = units[spec.place]
        user.language = "vi"
        user.is_active = True
        user.is_staff = user.is_superuser = spec.role == Role.ADMIN
        user.set_password(password)
        user.save()
        result.append(Created(spec, user, password, created))
    return result
