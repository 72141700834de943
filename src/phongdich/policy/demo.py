"""The province's high-risk areas of the demo summer (August 2021). Idempotent.

In July–September 2021 the southern provinces under Directive 16 were where most returning workers
came from (DOMAIN.md §2, §4): Hồ Chí Minh City from 09/07/2021, with Bình Dương, Đồng Nai and Long An
soon after; Bắc Giang's industrial zones in May–June. The dates are the demo's reading, not a list
taken from a provincial notice.
"""

from __future__ import annotations

import datetime

from django.conf import settings

from phongdich.geo.models import AdminUnit, Level
from phongdich.policy.models import RiskArea, RiskLevel
from phongdich.policy.risk import declare_risk_area

D = datetime.date
AREAS = (
    ("79", RiskLevel.VERY_HIGH, D(2021, 7, 9), D(2021, 9, 30)),  # TP Hồ Chí Minh
    ("74", RiskLevel.VERY_HIGH, D(2021, 7, 19), D(2021, 9, 30)),  # Bình Dương
    ("75", RiskLevel.HIGH, D(2021, 7, 19), D(2021, 9, 30)),  # Đồng Nai
    ("80", RiskLevel.HIGH, D(2021, 7, 19), D(2021, 9, 30)),  # Long An
    ("24", RiskLevel.HIGH, D(2021, 5, 18), D(2021, 6, 30)),  # Bắc Giang
)
BASIS = "Danh sách của Ban Chỉ đạo tỉnh (dữ liệu mẫu)"


def load_demo(province: AdminUnit, seed: int = 2021) -> str:
    if RiskArea.objects.filter(basis=BASIS).exists():
        return ""
    created = 0
    for code, level, start, end in AREAS:
        unit = AdminUnit.objects.filter(version=settings.PHONGDICH_HIERARCHY, level=Level.PROVINCE, code=code).first()
        if unit is not None:
            declare_risk_area(None, unit, level=level, effective_from=start, effective_to=end, basis=BASIS)
            created += 1
    return f"Demo high-risk areas: {created} provinces (summer 2021)."
