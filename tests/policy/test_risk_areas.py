"""High-risk areas: the listing, the level of a unit (itself or above), pages and API by role."""

from __future__ import annotations

import datetime
import json

import pytest
from django.core.exceptions import ValidationError

from phongdich.core.audit import AuditLog
from phongdich.core.models import User
from phongdich.core.roles import Perm, Role, role_has
from phongdich.policy import risk
from phongdich.policy.models import RiskArea
from phongdich.policy.queries import risk_level
from tests.conftest import Tree, client_for

D = datetime.date
VIEWERS = [
    r
    for r in Role
    if any(
        role_has(r, p)
        for p in (
            Perm.CASE_VIEW,
            Perm.DECLARATION_VIEW,
            Perm.CHECKPOINT_OPERATE,
            Perm.QUARANTINE_VIEW,
            Perm.RULESET_EDIT,
        )
    )
]


def test_a_listed_district_covers_its_communes_and_the_highest_level_wins(tree: Tree) -> None:
    risk.declare_risk_area(None, tree.lc_city, level="high", effective_from=D(2021, 8, 1), effective_to=D(2021, 8, 31))
    risk.declare_risk_area(None, tree.quyet_thang, level="very_high", effective_from=D(2021, 8, 10))
    assert risk_level(tree.quyet_thang, D(2021, 8, 5)) == "high"
    assert risk_level(tree.quyet_thang, D(2021, 8, 15)) == "very_high"
    assert risk_level(tree.quyet_thang, D(2021, 9, 15)) == "very_high"
    assert risk_level(tree.lc_city, D(2021, 9, 15)) is None  # the district listing ended
    assert risk_level(tree.lai_chau, D(2021, 8, 15)) is None  # a listed district does not make its province risky
    assert risk_level(tree.noong_bua, D(2021, 8, 15)) is None
    assert risk_level(None, D(2021, 8, 15)) is None


def test_overlapping_listing_and_bad_dates_are_refused(tree: Tree) -> None:
    risk.declare_risk_area(None, tree.lai_chau, effective_from=D(2021, 8, 1))
    with pytest.raises(ValidationError):
        risk.declare_risk_area(None, tree.lai_chau, effective_from=D(2021, 9, 1))
    with pytest.raises(ValidationError):
        risk.declare_risk_area(None, tree.lc_city, effective_from=D(2021, 9, 1), effective_to=D(2021, 8, 1))
    with pytest.raises(ValidationError):
        risk.declare_risk_area(None, tree.to1, effective_from=D(2021, 9, 1))  # a village
    assert RiskArea.objects.count() == 1


def test_ending_a_listing_is_audited(tree: Tree) -> None:
    area = risk.declare_risk_area(None, tree.lai_chau, effective_from=D(2021, 8, 1))
    risk.end_risk_area(None, area, D(2021, 8, 20))
    assert risk_level(tree.quyet_thang, D(2021, 8, 21)) is None
    assert risk_level(tree.quyet_thang, D(2021, 8, 20)) == "high"
    with pytest.raises(ValidationError):
        risk.end_risk_area(None, area, D(2021, 8, 25))
    actions = list(AuditLog.objects.filter(object_type="policy.RiskArea").values_list("action", flat=True))
    assert sorted(actions) == ["risk_area.declare", "risk_area.end"]


@pytest.mark.parametrize("role", list(Role))
def test_page_by_role(role: Role, personas: dict[Role, User], tree: Tree) -> None:
    client = client_for(personas[role])
    response = client.get("/rules/risk-areas/")
    assert response.status_code == (200 if role in VIEWERS else 403)
    form = {"province": tree.lai_chau.pk, "code": "105", "level": "very_high", "effective_from": "01/08/2021"}
    response = client.post("/rules/risk-areas/", form)
    if role_has(role, Perm.RULESET_EDIT):
        assert response.status_code == 302
        area = RiskArea.objects.get()
        assert area.unit == tree.lc_city and area.level == "very_high"
        # A code outside the province: refused, nothing written.
        response = client.post("/rules/risk-areas/", form | {"code": "03124"})
        assert response.status_code == 422 and RiskArea.objects.count() == 1
        assert client.post(f"/rules/risk-areas/{area.pk}/end/").status_code == 302
    else:
        assert response.status_code == 403 and not RiskArea.objects.exists()


@pytest.mark.parametrize("role", list(Role))
def test_api_by_role(role: Role, personas: dict[Role, User], tree: Tree) -> None:
    client = client_for(personas[role])
    body = {"unit_id": tree.quyet_thang.pk, "level": "high", "effective_from": "2021-08-01", "basis": "TB 12/BCĐ"}
    response = client.post("/api/v1/risk-areas", json.dumps(body), content_type="application/json")
    if not role_has(role, Perm.RULESET_EDIT):
        assert response.status_code == 403 and not RiskArea.objects.exists()
        assert client.get("/api/v1/risk-areas").status_code == (200 if role in VIEWERS else 403)
        return
    assert response.status_code == 201, response.content
    area = response.json()
    assert area["unit_code"] == "03386" and area["effective_to"] is None
    response = client.get(f"/api/v1/risk-areas/level?unit_id={tree.quyet_thang.pk}&date=2021-08-05")
    assert response.json()["level"] == "high"
    assert client.get("/api/v1/risk-areas?date=2021-07-01").json() == []
    for bad in ({"unit_id": 999999}, {"level": "extreme"}, {"effective_from": "2021-08-05"}):
        response = client.post("/api/v1/risk-areas", json.dumps(body | bad), content_type="application/json")
        assert response.status_code == 422 and response.json()["errors"], bad
    assert RiskArea.objects.count() == 1
    assert client.post(f"/api/v1/risk-areas/{area['id']}/end").status_code == 200
    assert client.post(f"/api/v1/risk-areas/{area['id']}/end").status_code == 422
    assert client.post("/api/v1/risk-areas/999999/end").status_code == 404


def test_the_demo_lists_the_southern_provinces_of_summer_2021_once(tree: Tree) -> None:
    from phongdich.geo.models import Level
    from phongdich.policy.demo import load_demo
    from tests.conftest import make_unit

    hcmc = make_unit(Level.PROVINCE, "79", "Thành phố Hồ Chí Minh", kind="thành phố")
    district = make_unit(Level.DISTRICT, "760", "Quận 1", hcmc, "quận")
    assert load_demo(tree.province).startswith("Demo high-risk areas: 1 ")
    assert load_demo(tree.province) == ""
    assert risk_level(district, D(2021, 8, 15)) == "very_high"
    assert risk_level(district, D(2021, 10, 15)) is None
