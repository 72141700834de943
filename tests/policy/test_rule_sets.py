"""Rule sets: the shipped historical sets, which one is in force, copies, overlaps, pages and API by role."""

from __future__ import annotations

import datetime
import json
import re

import pytest
from django.core.exceptions import ValidationError

from phongdich.core.models import AuditLog, User
from phongdich.core.roles import Perm, Role, role_has
from phongdich.policy.actions import copy_rule_set, update_rule_set
from phongdich.policy.models import Handling, LevelRule, RuleSet
from phongdich.policy.queries import rule_set_on
from phongdich.policy.rulesets import load_rule_sets
from tests.conftest import Tree, client_for

D = datetime.date
pytestmark = pytest.mark.django_db

VIEWERS = [r for r in Role if role_has(r, Perm.CASE_VIEW) or role_has(r, Perm.RULESET_EDIT)]
NON_VIEWERS = [r for r in Role if r not in VIEWERS]
EDITORS = [r for r in Role if role_has(r, Perm.RULESET_EDIT)]
NON_EDITORS = [r for r in VIEWERS if r not in EDITORS]


@pytest.mark.parametrize(
    ("day", "code"),
    [
        (D(2020, 3, 1), "qd-5053-2020"),
        (D(2021, 5, 4), "qd-5053-2020"),
        (D(2021, 5, 5), "t5-2021"),
        (D(2021, 7, 14), "cv-5599-2021"),
        (D(2021, 12, 20), "cv-10696-2021"),
        (D(2022, 2, 20), "cv-762-2022"),
        (D(2022, 4, 15), "cv-1909-2022"),
        (D(2024, 1, 1), "cv-1909-2022"),
        (D(2019, 12, 1), "qd-5053-2020"),  # before every set: the earliest
    ],
)
def test_national_rule_set_on(day: datetime.date, code: str) -> None:
    assert rule_set_on(day).code == code


def test_shipped_sets_are_complete_and_marked() -> None:
    assert load_rule_sets() == 0  # idempotent: the migration loaded them all
    sets = {rs.code: rs for rs in RuleSet.objects.filter(province=None)}
    assert len(sets) == 6
    for rs in sets.values():
        assert sorted(rs.level_rules.values_list("level", flat=True)) == [0, 1, 2, 3]
    f1 = {code: rs.level_rules.get(level=1) for code, rs in sets.items()}
    assert (f1["qd-5053-2020"].handling, f1["qd-5053-2020"].days, f1["qd-5053-2020"].monitor_days) == (
        Handling.CENTRALISED,
        14,
        14,
    )
    assert (f1["t5-2021"].days, f1["t5-2021"].test_days, f1["t5-2021"].monitor_days) == (21, [1, 14, 20], 7)
    assert (f1["cv-5599-2021"].days, f1["cv-5599-2021"].test_days) == (14, [1, 7, 14])
    assert (f1["cv-10696-2021"].handling, f1["cv-10696-2021"].days, f1["cv-10696-2021"].test_days) == (
        Handling.HOME,
        7,
        [1, 7],
    )
    assert (f1["cv-762-2022"].days, f1["cv-762-2022"].test_days, f1["cv-762-2022"].monitor_days) == (5, [5], 5)
    assert (f1["cv-1909-2022"].handling, f1["cv-1909-2022"].days) == (Handling.SELF_MONITOR, 10)
    assert sets["cv-1909-2022"].tracing_depth == 1 and float(sets["cv-1909-2022"].contact_distance_m) == 1.0
    # [U] readings are marked: F2 at home for 14 days in 2020.
    assert not sets["qd-5053-2020"].level_rules.get(level=2).confirmed
    assert not sets["cv-762-2022"].confirmed


def test_province_copy_wins_and_overlaps_are_refused(tree: Tree, personas: dict[Role, User]) -> None:
    admin = personas[Role.HEALTH]
    national = rule_set_on(D(2021, 8, 1))
    own = copy_rule_set(
        admin,
        national,
        province=tree.province,
        effective_from=D(2021, 8, 1),
        effective_to=D(2021, 8, 31),
        name="Điện Biên 8/2021",
    )
    assert own.province_id == tree.province.pk and own.copied_from_id == national.pk
    assert own.level_rules.count() == 4
    assert rule_set_on(D(2021, 8, 15), tree.province) == own
    assert rule_set_on(D(2021, 8, 15), tree.noong_bua) == own  # any unit of the province
    assert rule_set_on(D(2021, 9, 1), tree.province) == national
    assert rule_set_on(D(2021, 8, 15), tree.lai_chau) == national
    assert rule_set_on(D(2021, 8, 15)) == national
    before = RuleSet.objects.count(), AuditLog.objects.count()
    with pytest.raises(ValidationError) as exc:
        copy_rule_set(
            admin, national, province=tree.province, effective_from=D(2021, 8, 20), effective_to=D(2021, 9, 10)
        )
    assert "trùng" in str(exc.value)
    assert (RuleSet.objects.count(), AuditLog.objects.count()) == before
    # Another province may use the same dates.
    copy_rule_set(admin, national, province=tree.lai_chau, effective_from=D(2021, 8, 20))


def test_update_validates_and_audits(tree: Tree, personas: dict[Role, User]) -> None:
    admin = personas[Role.HEALTH]
    own = copy_rule_set(admin, rule_set_on(D(2022, 3, 1)), province=tree.province)
    with pytest.raises(ValidationError) as exc:
        update_rule_set(admin, own, {"effective_to": D(2021, 1, 1)})
    assert "trước ngày bắt đầu" in str(exc.value)
    with pytest.raises(ValidationError):
        update_rule_set(admin, rule_set_on(D(2022, 3, 1)), {"tracing_depth": 2})  # national: copy it
    update_rule_set(admin, own, {"tracing_depth": 2})
    own.refresh_from_db()
    assert own.tracing_depth == 2
    assert AuditLog.objects.filter(action="ruleset.update", object_id=str(own.pk)).exists()


# Pages --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", VIEWERS)
def test_pages_for_viewers(role: Role, personas: dict[Role, User]) -> None:
    client = client_for(personas[role])
    national = rule_set_on(D(2021, 8, 1))
    response = client.get("/rules/")
    assert response.status_code == 200
    assert "Đang áp dụng hôm nay" in response.content.decode()
    response = client.get(f"/rules/{national.pk}/")
    assert response.status_code == 200
    unconfirmed = rule_set_on(D(2022, 3, 1))
    assert "cần đối chiếu với văn bản" in client.get(f"/rules/{unconfirmed.pk}/").content.decode()


@pytest.mark.parametrize("role", NON_VIEWERS)
def test_pages_refused(role: Role, personas: dict[Role, User]) -> None:
    client = client_for(personas[role])
    assert client.get("/rules/").status_code == 403
    assert client.get(f"/rules/{rule_set_on(D(2021, 8, 1)).pk}/").status_code == 403


@pytest.mark.parametrize("role", NON_EDITORS)
def test_copy_and_edit_refused_without_the_permission(role: Role, personas: dict[Role, User], tree: Tree) -> None:
    client = client_for(personas[role])
    national = rule_set_on(D(2021, 8, 1))
    own = copy_rule_set(None, national, province=tree.province, effective_from=D(2030, 1, 1))
    count = RuleSet.objects.count()
    assert client.get(f"/rules/{national.pk}/copy/").status_code == 403
    assert client.post(f"/rules/{national.pk}/copy/", {"name": "x", "effective_from": "01/01/2031"}).status_code == 403
    assert client.post(f"/rules/{own.pk}/edit/", {"name": "x"}).status_code == 403
    assert RuleSet.objects.count() == count


def test_copy_and_edit_pages(personas: dict[Role, User], tree: Tree) -> None:
    client = client_for(personas[Role.HEALTH])
    national = rule_set_on(D(2022, 3, 1))
    response = client.post(
        f"/rules/{national.pk}/copy/", {"name": "Điện Biên 2023", "effective_from": "01/01/2023", "effective_to": ""}
    )
    assert response.status_code == 302
    own = RuleSet.objects.get(name="Điện Biên 2023")
    assert own.province_id == tree.province.pk
    # Overlapping dates: a clear message, nothing written.
    count = RuleSet.objects.count()
    response = client.post(f"/rules/{national.pk}/copy/", {"name": "again", "effective_from": "01/06/2023"})
    assert response.status_code == 422
    assert "trùng" in response.content.decode() and RuleSet.objects.count() == count
    # A national set cannot be edited.
    assert client.get(f"/rules/{national.pk}/edit/").status_code == 403
    assert client.get(f"/rules/{own.pk}/edit/").status_code == 200
    form = {
        "name": own.name,
        "basis": own.basis,
        "effective_from": "01/01/2023",
        "effective_to": "",
        "contact_distance_m": "1,5",
        "contact_minutes": "15",
        "contact_unmasked_any_duration": "on",
        "contact_settings": ["household", "workplace"],
        "contact_definition": "",
        "tracing_depth": "2",
        "infectious_days_before": "2",
        "infectious_days_after": "7",
        "home_care_allowed": "on",
        "home_care_min_age_months": "12",
        "home_care_max_age_years": "65",
        "home_care_excludes_conditions": "on",
        "f0_release_day": "7",
        "f0_release_test": "antigen",
        "f0_release_ct_min": "",
        "arrival_pcr_hours": "72",
        "arrival_antigen_hours": "24",
        "arrival_handling": "home",
        "arrival_days": "7",
        "arrival_test_days": "1, 7",
        "notes": "",
    }
    for level in range(4):
        form |= {
            f"level{level}-handling": "home",
            f"level{level}-days": "7",
            f"level{level}-test_days": "1, 7",
            f"level{level}-monitor_days": "3",
            f"level{level}-note": "",
        }
    response = client.post(f"/rules/{own.pk}/edit/", form)
    assert response.status_code == 302, re.findall(r"errorlist.*?</ul>", response.content.decode(), re.S)
    own.refresh_from_db()
    assert own.tracing_depth == 2 and float(own.contact_distance_m) == 1.5
    assert own.contact_settings == ["household", "workplace"]
    assert LevelRule.objects.get(rule_set=own, level=2).test_days == [1, 7]
    assert own.home_care_allowed and own.home_care_max_age_years == 65 and not own.home_care_excludes_pregnancy
    assert (own.arrival_handling, own.arrival_days, own.arrival_test_days) == ("home", 7, [1, 7])
    assert own.f0_release_ct_min is None and own.f0_release_test == "antigen"
    # Treatment and arrival rules are checked too: a test day after the arrival quarantine, a bad Ct.
    response = client.post(f"/rules/{own.pk}/edit/", form | {"arrival_test_days": "1, 9", "f0_release_ct_min": "70"})
    assert response.status_code == 422
    own.refresh_from_db()
    assert own.arrival_test_days == [1, 7] and own.f0_release_ct_min is None
    # Bad test days: refused, nothing changed.
    response = client.post(f"/rules/{own.pk}/edit/", form | {"level1-test_days": "1, x", "tracing_depth": "3"})
    assert response.status_code == 422
    own.refresh_from_db()
    assert own.tracing_depth == 2


def test_other_province_copy_is_not_found(personas: dict[Role, User], tree: Tree) -> None:
    theirs = copy_rule_set(None, rule_set_on(D(2021, 8, 1)), province=tree.lai_chau)
    client = client_for(personas[Role.HEALTH])
    assert client.get(f"/rules/{theirs.pk}/").status_code == 404
    assert client.get(f"/api/v1/rule-sets/{theirs.pk}").status_code == 404


# API ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", list(Role))
def test_api_read_by_role(role: Role, personas: dict[Role, User]) -> None:
    client = client_for(personas[role])
    response = client.get("/api/v1/rule-sets")
    if role in NON_VIEWERS:
        assert response.status_code == 403
        return
    assert response.status_code == 200
    assert {r["code"] for r in response.json()} >= {"qd-5053-2020", "cv-1909-2022"}
    response = client.get("/api/v1/rule-sets/in-force?date=2022-02-20")
    assert response.status_code == 200 and response.json()["code"] == "cv-762-2022"
    assert response.json()["confirmed"] is False
    assert client.get("/api/v1/rule-sets/in-force?date=20-02-2022").status_code == 422


@pytest.mark.parametrize("role", list(Role))
def test_api_copy_and_update_by_role(role: Role, personas: dict[Role, User]) -> None:
    client = client_for(personas[role])
    national = rule_set_on(D(2021, 8, 1))
    count = RuleSet.objects.count()
    response = client.post(
        f"/api/v1/rule-sets/{national.pk}/copy",
        json.dumps({"effective_from": "2030-01-01", "name": "Bản sao"}),
        content_type="application/json",
    )
    if role not in EDITORS:
        assert response.status_code == 403
        assert RuleSet.objects.count() == count
        return
    assert response.status_code == 201, response.content
    copy = response.json()
    assert copy["province_id"] == personas[role].unit_id and copy["effective_to"] is None
    patch = {"tracing_depth": 1, "level_rules": [{"level": 1, "handling": "home", "days": 5, "test_days": [5]}]}
    response = client.patch(f"/api/v1/rule-sets/{copy['id']}", json.dumps(patch), content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["tracing_depth"] == 1 and [r["level"] for r in response.json()["level_rules"]] == [1]
    # Bad input: 422 with a message, nothing changed.
    bad = {"level_rules": [{"level": 1, "handling": "home", "days": 5, "test_days": [9]}]}
    response = client.patch(f"/api/v1/rule-sets/{copy['id']}", json.dumps(bad), content_type="application/json")
    assert response.status_code == 422 and response.json()["errors"]
    response = client.post(
        f"/api/v1/rule-sets/{national.pk}/copy",
        json.dumps({"effective_from": "2030-06-01"}),
        content_type="application/json",
    )
    assert response.status_code == 422 and "trùng" in json.dumps(response.json(), ensure_ascii=False)
    # A national set: 403.
    response = client.patch(
        f"/api/v1/rule-sets/{national.pk}", json.dumps({"tracing_depth": 2}), content_type="application/json"
    )
    assert response.status_code == 403
    national.refresh_from_db()
    assert national.tracing_depth == 3


def test_care_rules_ship_with_the_national_sets(db: None) -> None:
    aug_2021 = rule_set_on(D(2021, 8, 20))
    assert aug_2021.home_care_allowed and aug_2021.home_care_max_age_years == 50
    assert aug_2021.f0_release_day == 7 and aug_2021.f0_release_ct_min == 30
    assert aug_2021.arrival_pcr_hours == 72 and aug_2021.arrival_test_days == [1, 7, 14]
    assert not rule_set_on(D(2020, 6, 1)).home_care_allowed
    feb_2022 = rule_set_on(D(2022, 3, 1))
    assert (feb_2022.f0_release_day, feb_2022.f0_release_test, feb_2022.arrival_antigen_hours) == (7, "antigen", 24)


def test_api_adjusts_care_rules_and_refuses_bad_ones(personas: dict[Role, User]) -> None:
    client = client_for(personas[Role.HEALTH])
    national = rule_set_on(D(2021, 8, 1))
    copy = client.post(
        f"/api/v1/rule-sets/{national.pk}/copy", json.dumps({"effective_from": "2031-01-01"}), "application/json"
    ).json()
    assert copy["home_care_allowed"] is True and copy["f0_release_ct_min"] == "30.0"
    patch = {"home_care_max_age_years": 65, "f0_release_ct_min": None, "arrival_test_days": [1, 5]}
    response = client.patch(f"/api/v1/rule-sets/{copy['id']}", json.dumps(patch), content_type="application/json")
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["home_care_max_age_years"] == 65 and data["f0_release_ct_min"] is None
    assert data["arrival_test_days"] == [1, 5]
    for bad in ({"f0_release_test": "x-ray"}, {"arrival_handling": "jail"}, {"arrival_test_days": [0]}):
        response = client.patch(f"/api/v1/rule-sets/{copy['id']}", json.dumps(bad), content_type="application/json")
        assert response.status_code == 422, bad
    stored = RuleSet.objects.get(pk=copy["id"])
    assert (stored.f0_release_test, stored.arrival_handling, stored.arrival_test_days) == (
        "rt_pcr",
        "centralised",
        [1, 5],
    )
