"""The treatment API: every role against every endpoint, refusals write nothing, bad input, idempotency."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client

from phongdich.core.models import AccessLog, User
from phongdich.core.roles import Perm, Role, role_has
from phongdich.treatment import actions
from phongdich.treatment.models import Admission, Facility, HomeCare, MonitoringEntry
from tests.conftest import PERSONA_UNITS
from tests.treatment.conftest import API, D, confirm, make_person, patch, post, put, state, token_client

# Personas whose unit contains Tổ dân phố 1 (Noong Bua), where the test patients live.
SEES_TO1 = {r for r, unit in PERSONA_UNITS.items() if unit in ("province", "city", "noong_bua", "to1")}
# Personas whose unit contains the city's facilities (the facility's area).
SEES_CITY = {r for r, unit in PERSONA_UNITS.items() if unit in ("province", "city")}


def expected(role: Role, perm: Perm, ok: int, sees: set[Role] = SEES_TO1) -> int:
    if not role_has(role, perm):
        return 403
    return ok if role in sees else 404


def admit_payload(case, facility, **kw):
    data = {
        "client_uuid": str(uuid.uuid4()),
        "case_id": str(case.pk),
        "facility_id": str(facility.pk),
        "bed_kind": "ordinary",
        "admitted_on": "2021-08-11",
    }
    data.update(kw)
    return data


@pytest.fixture
def stay(facilities, case):
    s, _ = actions.admit(None, case, facilities.centre, bed_kind="ordinary", on=D(2021, 8, 11))
    return s


@pytest.fixture
def home(case):
    h, _ = actions.start_home_care(None, case, on=D(2021, 8, 11))
    return h


@pytest.fixture
def far_district(tree) -> User:
    return User.objects.create_user(
        username="t_far_d", password="pw-test-1234", role=Role.DISTRICT, unit=tree.muong_nhe
    )


def test_anonymous_gets_401(stay):
    assert Client().get(f"{API}/admissions/{stay.pk}").status_code == 401
    assert Client().get(f"{API}/beds").status_code == 401


# Admissions ----------------------------------------------------------------------------


@pytest.mark.parametrize("role", list(Role))
def test_admit_by_role(role, personas, facilities, case):
    before = state()
    r = post(token_client(personas[role]), "/admissions", admit_payload(case, facilities.centre))
    assert r.status_code == expected(role, Perm.TREATMENT_EDIT, 201), r.content
    if r.status_code == 201:
        body = r.json()
        assert body["facility"]["id"] == str(facilities.centre.pk) and body["required_tier"] == 1
        assert body["case"]["code"] == case.code and body["release"]["day"] == 7
    else:
        assert r.json()["detail"] and state() == before


def test_admit_outside_the_area_is_404_and_writes_nothing(far_facility_staff, facilities, case):
    before = state()
    r = post(token_client(far_facility_staff), "/admissions", admit_payload(case, facilities.far))
    assert r.status_code == 404 and state() == before


def test_admit_is_idempotent(personas, facilities, case):
    client = token_client(personas[Role.FACILITY])
    payload = admit_payload(case, facilities.centre)
    first = post(client, "/admissions", payload)
    again = post(client, "/admissions", payload)
    assert first.status_code == 201 and again.status_code == 200
    assert first.json()["id"] == again.json()["id"] and Admission.objects.count() == 1


def test_client_uuid_of_a_record_outside_the_area_is_409(personas, far_facility_staff, facilities, case):
    payload = admit_payload(case, facilities.centre)
    assert post(token_client(personas[Role.FACILITY]), "/admissions", payload).status_code == 201
    assert post(token_client(far_facility_staff), "/admissions", payload).status_code == 409


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        ({"bed_kind": "sofa"}, 422, None),
        ({"facility_id": str(uuid.uuid4())}, 422, "facility_id"),
        ({"case_id": str(uuid.uuid4())}, 404, None),
        ({"admitted_on": "2021-08-01"}, 422, "on"),
        ({"admitted_on": "2099-01-01"}, 422, "on"),
        ({"severity": "moderate", "facility": "field"}, 422, "override_reason"),
        ({"bed_kind": "icu"}, 409, None),
        ({"severity": "dying"}, 422, None),
    ],
)
def test_bad_admissions_write_nothing(personas, facilities, case, change, status, field):
    change = dict(change)
    facility = getattr(facilities, change.pop("facility", "centre"))
    before = state()
    r = post(token_client(personas[Role.HEALTH]), "/admissions", admit_payload(case, facility, **change))
    assert r.status_code == status, r.content
    assert r.json()["detail"]
    if field:
        assert field in str(r.json()["errors"])
    assert state() == before


def test_override_reason_allows_a_lower_tier(personas, facilities, case):
    payload = admit_payload(case, facilities.field, severity="moderate", override_reason="Đường sạt lở")
    r = post(token_client(personas[Role.HEALTH]), "/admissions", payload)
    assert r.status_code == 201 and r.json()["override_reason"] == "Đường sạt lở" and r.json()["tier"] == 1
    assert r.json()["case"]["clinical_status"] == "moderate"


@pytest.mark.parametrize("role", list(Role))
def test_read_admission_by_role(role, personas, stay):
    r = token_client(personas[role]).get(f"{API}/admissions/{stay.pk}")
    assert r.status_code == expected(role, Perm.TREATMENT_VIEW, 200)
    if r.status_code == 200:
        assert AccessLog.objects.filter(object_id=str(stay.person_id), channel="api").exists()


def test_facility_staff_see_the_patients_of_their_facility(tree, personas, far_facility_staff, facilities, case):
    far_stay, _ = actions.admit(None, case, facilities.far, bed_kind="ordinary", on=D(2021, 8, 11))
    other = confirm(make_person(tree, "Giàng A Páo", unit=tree.ban_sin_thau))
    city_stay, _ = actions.admit(None, other, facilities.centre, bed_kind="ordinary", on=D(2021, 8, 11))
    far = token_client(far_facility_staff)
    assert (
        far.get(f"{API}/admissions/{far_stay.pk}").status_code == 200
    )  # patient from Noong Bua, facility in Mường Nhé
    assert far.get(f"{API}/admissions/{city_stay.pk}").status_code == 200  # patient lives in Sín Thầu (Mường Nhé)
    ids = {i["id"] for i in far.get(f"{API}/admissions").json()["items"]}
    assert ids == {str(far_stay.pk), str(city_stay.pk)}
    commune = token_client(personas[Role.COMMUNE])  # Noong Bua: its own patient only
    assert commune.get(f"{API}/admissions/{far_stay.pk}").status_code == 200
    assert commune.get(f"{API}/admissions/{city_stay.pk}").status_code == 404
    city_staff = token_client(personas[Role.FACILITY])  # the city: the city facility's patients
    assert city_staff.get(f"{API}/admissions/{city_stay.pk}").status_code == 200
    assert city_staff.get(f"{API}/admissions/{far_stay.pk}").status_code == 200  # the patient lives in the city
    # The facility staff of Mường Nhé can discharge the patient of their facility.
    r = post(far, f"/admissions/{far_stay.pk}/discharge", {"outcome": "recovered", "on": "2021-08-20"})
    assert r.status_code == 200 and r.json()["ended_by"] == "recovered"


@pytest.mark.parametrize("role", list(Role))
def test_reassess_by_role(role, personas, stay):
    before = state()
    payload = {"client_uuid": str(uuid.uuid4()), "severity": "severe", "on": "2021-08-12", "spo2": 90}
    r = post(token_client(personas[role]), f"/admissions/{stay.pk}/reassess", payload)
    code = expected(role, Perm.TREATMENT_EDIT, 201, SEES_TO1)
    assert r.status_code == code, r.content
    if code == 201:
        assert r.json()["transfer_up_needed"] is True and r.json()["required_tier"] == 3
        stay.case.refresh_from_db()
        assert stay.case.clinical_status == "severe"
    else:
        assert state() == before


@pytest.mark.parametrize("role", list(Role))
def test_transfer_by_role(role, personas, facilities, stay):
    before = state()
    payload = {"client_uuid": str(uuid.uuid4()), "facility_id": str(facilities.icu.pk), "bed_kind": "icu"}
    payload |= {"severity": "severe", "on": "2021-08-13", "reason": "SpO2 88 %"}
    r = post(token_client(personas[role]), f"/admissions/{stay.pk}/transfer", payload)
    code = expected(role, Perm.TREATMENT_EDIT, 201)
    assert r.status_code == code, r.content
    if code == 201:
        body = r.json()
        assert body["direction"] == "up" and body["previous_id"] == str(stay.pk)
        again = post(token_client(personas[role]), f"/admissions/{stay.pk}/transfer", payload)
        assert again.status_code == 200 and again.json()["id"] == body["id"]
    else:
        assert state() == before


def test_transfer_down_and_bad_transfers(personas, facilities, stay):
    client = token_client(personas[Role.HEALTH])
    before = state()
    same = {"facility_id": str(facilities.centre.pk), "bed_kind": "ordinary", "on": "2021-08-13"}
    assert post(client, f"/admissions/{stay.pk}/transfer", same).status_code == 422
    full = {"facility_id": str(facilities.icu.pk), "bed_kind": "oxygen", "on": "2021-08-13"}
    assert post(client, f"/admissions/{stay.pk}/transfer", full).status_code == 409
    assert state() == before
    down = {"facility_id": str(facilities.field.pk), "bed_kind": "ordinary", "on": "2021-08-13"}
    r = post(client, f"/admissions/{stay.pk}/transfer", down)
    assert r.status_code == 201 and r.json()["direction"] == "down"


@pytest.mark.parametrize("role", list(Role))
def test_discharge_by_role(role, personas, stay):
    before = state()
    r = post(
        token_client(personas[role]), f"/admissions/{stay.pk}/discharge", {"outcome": "recovered", "on": "2021-08-20"}
    )
    code = expected(role, Perm.TREATMENT_EDIT, 200)
    assert r.status_code == code
    if code == 200:
        stay.case.refresh_from_db()
        assert stay.case.outcome == "recovered" and str(stay.case.outcome_date) == "2021-08-20"
    else:
        assert state() == before


def test_bad_discharge(personas, stay):
    client = token_client(personas[Role.HEALTH])
    before = state()
    assert (
        post(client, f"/admissions/{stay.pk}/discharge", {"outcome": "under_treatment", "on": "2021-08-20"}).status_code
        == 422
    )
    assert (
        post(client, f"/admissions/{stay.pk}/discharge", {"outcome": "recovered", "on": "2021-08-01"}).status_code
        == 422
    )
    assert post(client, f"/admissions/{stay.pk}/discharge", {"outcome": "recovered"}).status_code == 422
    assert state() == before


# Facilities and beds -------------------------------------------------------------------


@pytest.mark.parametrize("role", list(Role))
def test_create_facility_by_role(role, personas, tree):
    before = state()
    payload = {"client_uuid": str(uuid.uuid4()), "name": "Cơ sở thu dung Noong Bua", "kind": "collection", "tier": 1}
    payload |= {"unit_id": tree.noong_bua.pk, "beds": {"ordinary": 30}, "staff_count": 12}
    r = post(token_client(personas[role]), "/facilities", payload)
    code = expected(role, Perm.FACILITY_MANAGE, 201)
    assert r.status_code == code, r.content
    if code == 201:
        body = r.json()
        assert body["active"] is False and body["beds"]["ordinary"] == {"total": 30, "taken": 0, "free": 30}
        assert post(token_client(personas[role]), "/facilities", payload).status_code == 200
        assert Facility.objects.count() == 1
    else:
        assert state() == before


def test_create_facility_outside_the_area_is_403(far_district, tree):
    before = state()
    payload = {"name": "X", "kind": "collection", "tier": 1, "unit_id": tree.noong_bua.pk}
    assert post(token_client(far_district), "/facilities", payload).status_code == 403
    payload["tier"] = 4
    assert post(token_client(far_district), "/facilities", payload).status_code == 422
    assert state() == before


@pytest.mark.parametrize("role", list(Role))
def test_set_beds_by_role(role, personas, facilities):
    before = state()
    r = put(token_client(personas[role]), f"/facilities/{facilities.centre.pk}/beds", {"beds": {"oxygen": 10}})
    code = expected(role, Perm.FACILITY_MANAGE, 200, SEES_CITY)
    assert r.status_code == code, r.content
    if code == 200:
        assert r.json()["beds"]["oxygen"]["total"] == 10 and r.json()["beds"]["ordinary"]["total"] == 5
    else:
        assert state() == before


def test_beds_bad_input_and_outside(far_district, personas, facilities, stay):
    before = state()
    assert (
        put(token_client(far_district), f"/facilities/{facilities.centre.pk}/beds", {"beds": {"oxygen": 3}}).status_code
        == 404
    )
    health = token_client(personas[Role.HEALTH])
    assert (
        put(health, f"/facilities/{facilities.centre.pk}/beds", {"beds": {"ordinary": 0}}).status_code == 409
    )  # one taken
    assert put(health, f"/facilities/{facilities.centre.pk}/beds", {"beds": {"sofa": 3}}).status_code == 422
    assert put(health, f"/facilities/{facilities.centre.pk}/beds", {"beds": {"oxygen": -1}}).status_code == 422
    assert patch(health, f"/facilities/{facilities.centre.pk}", {"staff_count": -5}).status_code == 422
    assert state() == before
    r = patch(health, f"/facilities/{facilities.centre.pk}", {"staff_count": 85})
    assert r.status_code == 200 and r.json()["staff_count"] == 85


def test_field_hospital_activation(personas, facilities):
    client = token_client(personas[Role.DISTRICT])
    r = post(client, f"/facilities/{facilities.field.pk}/stand-down", {"on": "2021-08-30"})
    assert r.status_code == 200 and r.json()["active"] is False
    assert post(client, f"/facilities/{facilities.field.pk}/stand-down", {}).status_code == 409
    r = post(client, f"/facilities/{facilities.field.pk}/activate", {"on": "2021-09-01"})
    assert r.status_code == 200 and r.json()["active"] is True
    assert post(client, f"/facilities/{facilities.centre.pk}/stand-down", {}).status_code == 409  # not a field kind
    assert (
        post(token_client(personas[Role.FACILITY]), f"/facilities/{facilities.field.pk}/stand-down", {}).status_code
        == 403
    )


@pytest.mark.parametrize("role", list(Role))
def test_bed_board_by_role(role, personas, facilities, stay):
    r = token_client(personas[role]).get(f"{API}/beds")
    code = 200 if role_has(role, Perm.TREATMENT_VIEW) else 403
    assert r.status_code == code
    if code == 200:
        body = r.json()
        tier2 = next(t for t in body["by_tier"] if t["tier"] == 2)["beds"]
        # centre (5 ordinary, one taken) and Mường Nhé (2 ordinary): every facility of the province.
        assert tier2["ordinary"] == {"total": 7, "taken": 1, "free": 6}
        assert body["totals"]["icu"]["free"] == 1 and len(body["facilities"]) == 4


def test_other_province_sees_no_facility(tree, facilities):
    lc = User.objects.create_user(username="t_lc", password="pw-test-1234", role=Role.HEALTH, unit=tree.lai_chau)
    assert token_client(lc).get(f"{API}/beds").json()["facilities"] == []
    assert token_client(lc).get(f"{API}/facilities/{facilities.centre.pk}").status_code == 404


# Awaiting, release ---------------------------------------------------------------------


@pytest.mark.parametrize("role", list(Role))
def test_awaiting_by_role(role, personas, case):
    r = token_client(personas[role]).get(f"{API}/awaiting")
    if not role_has(role, Perm.TREATMENT_VIEW):
        assert r.status_code == 403
    else:
        assert r.status_code == 200
        ids = [i["case"]["id"] for i in r.json()]
        assert ids == ([str(case.pk)] if role in SEES_TO1 else [])


def test_release_endpoint(personas, case, monkeypatch):
    import datetime
    from decimal import Decimal

    from django.utils import timezone

    from phongdich.testing import queries as testing_queries
    from phongdich.testing.queries import ResultFact

    at = datetime.datetime(2021, 8, 17, 10, tzinfo=timezone.get_current_timezone())
    fact = ResultFact(
        sample_taken_on=D(2021, 8, 17), resulted_at=at, test_kind="rt_pcr", outcome="positive", ct=Decimal("32")
    )
    monkeypatch.setattr(testing_queries, "results_for", lambda ids, since: {case.person_id: [fact]})
    r = token_client(personas[Role.HEALTH_STATION]).get(f"{API}/cases/{case.pk}/release")
    assert r.status_code == 200
    body = r.json()
    assert body["from_date"] == "2021-08-16" and body["results_allow"] is True and body["rule_set"] == "cv-5599-2021"
    assert token_client(personas[Role.CHECKPOINT]).get(f"{API}/cases/{case.pk}/release").status_code == 403


# Home care -----------------------------------------------------------------------------


@pytest.mark.parametrize("role", list(Role))
def test_start_home_care_by_role(role, personas, case):
    before = state()
    payload = {"client_uuid": str(uuid.uuid4()), "case_id": str(case.pk), "on": "2021-08-11"}
    r = post(token_client(personas[role]), "/home-care", payload)
    code = expected(role, Perm.TREATMENT_EDIT, 201)
    assert r.status_code == code, r.content
    if code == 201:
        body = r.json()
        assert body["eligibility"]["eligible"] and body["eligibility"]["rule_set"] == "cv-5599-2021"
        assert post(token_client(personas[role]), "/home-care", payload).json()["id"] == body["id"]
        assert HomeCare.objects.count() == 1
    else:
        assert state() == before


def test_home_care_refused_with_the_failed_rules(personas, tree):
    old = confirm(make_person(tree, "Lò Văn Cả", birth_date=D(1950, 1, 1)))
    before = state()
    r = post(token_client(personas[Role.HEALTH_STATION]), "/home-care", {"case_id": str(old.pk), "on": "2021-08-11"})
    assert r.status_code == 422 and "override_reason" in str(r.json()["errors"])
    assert state() == before
    r = post(token_client(personas[Role.HEALTH_STATION]), "/eligibility", {"case_id": str(old.pk), "on": "2021-08-11"})
    assert r.status_code == 201 and not r.json()["eligible"]
    assert [x["code"] for x in r.json()["rules"] if not x["passed"]] == ["max_age"]
    r = post(token_client(personas[Role.HEALTH_STATION]), "/eligibility", {"case_id": str(old.pk), "on": "2020-08-11"})
    assert r.json()["rule_set"] == "qd-5053-2020"
    assert {x["code"] for x in r.json()["rules"] if not x["passed"]} == {"allowed", "max_age"}


@pytest.mark.parametrize("role", list(Role))
def test_monitoring_by_role(role, personas, home):
    before = state()
    payload = {"client_uuid": str(uuid.uuid4()), "on": "2021-08-12", "spo2": 94, "temperature": 38.2}
    payload |= {"symptoms": ["ho"], "warning_signs": ["breathless"]}
    r = post(token_client(personas[role]), f"/home-care/{home.pk}/monitoring", payload)
    code = expected(role, Perm.TREATMENT_EDIT, 201)
    assert r.status_code == code, r.content
    if code == 201:
        assert r.json()["needs_escalation"] is True
        assert post(token_client(personas[role]), f"/home-care/{home.pk}/monitoring", payload).status_code == 200
        assert MonitoringEntry.objects.count() == 1
    else:
        assert state() == before


@pytest.mark.parametrize(
    "change", [{"spo2": 20}, {"temperature": 50}, {"warning_signs": ["sneezing"]}, {"on": "2021-08-01"}, {"on": None}]
)
def test_bad_monitoring(personas, home, change):
    before = state()
    payload = {"on": "2021-08-12", "spo2": 97} | change
    r = post(token_client(personas[Role.HEALTH_STATION]), f"/home-care/{home.pk}/monitoring", payload)
    assert r.status_code == 422 and state() == before


def test_escalate_and_end(personas, facilities, home, tree):
    station = token_client(personas[Role.HEALTH_STATION])
    payload = {"client_uuid": str(uuid.uuid4()), "facility_id": str(facilities.field.pk), "bed_kind": "ordinary"}
    payload |= {"severity": "moderate", "on": "2021-08-13"}
    before = state()
    assert post(station, f"/home-care/{home.pk}/escalate", payload).status_code == 422  # tier 1 for moderate
    assert state() == before
    payload["facility_id"] = str(facilities.centre.pk)
    payload["bed_kind"] = "oxygen"
    r = post(station, f"/home-care/{home.pk}/escalate", payload)
    assert r.status_code == 201 and r.json()["tier"] == 2
    assert post(station, f"/home-care/{home.pk}/escalate", payload).status_code == 200
    detail = station.get(f"{API}/home-care/{home.pk}").json()
    assert detail["status"] == "escalated" and detail["escalated_to_id"] == r.json()["id"]
    other = confirm(make_person(tree, "Lò Thị Nhỏ", birth_date=D(1999, 9, 9)))
    h2, _ = actions.start_home_care(None, other, on=D(2021, 8, 11))
    assert (
        post(
            token_client(personas[Role.COMMUNE]),
            f"/home-care/{h2.pk}/end",
            {"outcome": "recovered", "on": "2021-08-20"},
        ).status_code
        == 403
    )
    r = post(station, f"/home-care/{h2.pk}/end", {"outcome": "recovered", "on": "2021-08-20"})
    assert r.status_code == 200 and r.json()["case"]["outcome"] == "recovered"


def test_home_care_outside_the_area_is_404(outsider, far_facility_staff, home):
    assert token_client(far_facility_staff).get(f"{API}/home-care/{home.pk}").status_code == 404
    before = state()
    r = post(token_client(far_facility_staff), f"/home-care/{home.pk}/monitoring", {"on": "2021-08-12"})
    assert r.status_code == 404 and state() == before
    assert token_client(outsider).get(f"{API}/home-care/{home.pk}").status_code == 404


def test_lists_take_a_fixed_number_of_queries(tree, personas, facilities, django_assert_max_num_queries):
    for n in range(4):
        c = confirm(make_person(tree, f"Người Bệnh {n}", birth_date=D(1990, 1, 1)))
        actions.admit(None, c, facilities.centre, bed_kind="ordinary", on=D(2021, 8, 11))
    for n in range(3):
        c = confirm(make_person(tree, f"Người Ở Nhà {n}", birth_date=D(1990, 1, 1)))
        actions.start_home_care(None, c, on=D(2021, 8, 11))
    client = token_client(personas[Role.HEALTH])
    with django_assert_max_num_queries(8):
        assert len(client.get(f"{API}/admissions").json()["items"]) == 4
    with django_assert_max_num_queries(8):
        assert len(client.get(f"{API}/home-care").json()["items"]) == 3
    with django_assert_max_num_queries(8):
        assert len(client.get(f"{API}/beds").json()["facilities"]) == 4


@pytest.mark.parametrize("role", list(Role))
def test_eligibility_by_role(role, personas, case):
    before = state()
    r = post(token_client(personas[role]), "/eligibility", {"case_id": str(case.pk), "on": "2021-08-11"})
    code = expected(role, Perm.TREATMENT_EDIT, 201)
    assert r.status_code == code
    if code != 201:
        assert state() == before


@pytest.mark.parametrize("role", list(Role))
def test_read_home_care_by_role(role, personas, home):
    client = token_client(personas[role])
    r = client.get(f"{API}/home-care/{home.pk}")
    assert r.status_code == expected(role, Perm.TREATMENT_VIEW, 200)
    listed = client.get(f"{API}/home-care")
    if role_has(role, Perm.TREATMENT_VIEW):
        assert [i["id"] for i in listed.json()["items"]] == ([str(home.pk)] if role in SEES_TO1 else [])
    else:
        assert listed.status_code == 403


@pytest.mark.parametrize("role", list(Role))
def test_escalate_by_role(role, personas, facilities, home):
    before = state()
    payload = {
        "facility_id": str(facilities.centre.pk),
        "bed_kind": "oxygen",
        "severity": "moderate",
        "on": "2021-08-13",
    }
    r = post(token_client(personas[role]), f"/home-care/{home.pk}/escalate", payload)
    code = expected(role, Perm.TREATMENT_EDIT, 201)
    assert r.status_code == code, r.content
    if code != 201:
        assert state() == before


@pytest.mark.parametrize("role", list(Role))
def test_end_home_care_by_role(role, personas, home):
    before = state()
    r = post(token_client(personas[role]), f"/home-care/{home.pk}/end", {"outcome": "died", "on": "2021-08-15"})
    code = expected(role, Perm.TREATMENT_EDIT, 200)
    assert r.status_code == code
    if code == 200:
        assert r.json()["status"] == "died" and r.json()["case"]["outcome"] == "died"
    else:
        assert state() == before


@pytest.mark.parametrize("role", list(Role))
def test_facilities_by_role(role, personas, facilities):
    client = token_client(personas[role])
    r = client.get(f"{API}/facilities/{facilities.far.pk}")
    can = role_has(role, Perm.TREATMENT_VIEW)
    assert r.status_code == (200 if can else 403)
    mine = client.get(f"{API}/facilities", {"mine": "true"})
    if can:
        names = {f["name"] for f in mine.json()}
        assert (facilities.centre.name in names) == (role in SEES_CITY)
        assert len(client.get(f"{API}/facilities").json()) == 4
    before = state()
    r = post(client, f"/facilities/{facilities.field.pk}/stand-down", {"on": "2021-08-30"})
    assert r.status_code == expected(role, Perm.FACILITY_MANAGE, 200, SEES_CITY)
    if r.status_code != 200:
        assert state() == before
