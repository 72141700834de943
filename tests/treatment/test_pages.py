"""The treatment pages: what each role sees, forms through the actions, refusals."""

from __future__ import annotations

import uuid

import pytest

from phongdich.core.models import AccessLog
from phongdich.core.roles import Perm, Role, role_has
from phongdich.treatment import actions
from phongdich.treatment.models import Admission, HomeCare, MonitoringEntry
from tests.conftest import client_for
from tests.treatment.conftest import D, state

BASE = "/treatment"


@pytest.fixture
def stay(facilities, case):
    s, _ = actions.admit(None, case, facilities.centre, bed_kind="ordinary", on=D(2021, 8, 11))
    return s


@pytest.fixture
def home(tree):
    from tests.treatment.conftest import confirm, make_person

    c = confirm(make_person(tree, "Lò Thị Ở Nhà", birth_date=D(1993, 3, 3)))
    h, _ = actions.start_home_care(None, c, on=D(2021, 8, 11))
    return h


def _url(name: str, *args) -> str:
    from django.urls import reverse

    return reverse(f"treatment:{name}", args=args)


@pytest.mark.parametrize("role", list(Role))
def test_landing_and_board_by_role(role, personas, facilities, stay):
    client = client_for(personas[role])
    for url in (_url("index"), _url("beds"), _url("awaiting"), _url("home_care_list")):
        r = client.get(url)
        assert r.status_code == (200 if role_has(role, Perm.TREATMENT_VIEW) else 403), url


def test_facility_staff_page(personas, facilities, stay):
    client = client_for(personas[Role.FACILITY])
    r = client.get(_url("index"))
    assert facilities.centre.name in r.content.decode()
    r = client.get(_url("facility", facilities.centre.pk))
    assert r.status_code == 200 and stay.case.code in r.content.decode()
    r = client.get(_url("admission", stay.pk))
    assert r.status_code == 200 and AccessLog.objects.filter(object_id=str(stay.person_id), channel="web").exists()


def test_admit_form(tree, personas, facilities):
    from tests.treatment.conftest import confirm, make_person

    c = confirm(make_person(tree, "Lò Văn Mới", birth_date=D(1980, 1, 1)), clinical_status="moderate")
    client = client_for(personas[Role.FACILITY])
    assert client.get(_url("awaiting")).content.decode().count(c.code) >= 1
    data = {"facility": facilities.field.pk, "bed_kind": "ordinary", "severity": "moderate", "on": "2021-08-11"}
    before = state()
    r = client.post(_url("admit", c.pk), data | {"client_uuid": str(uuid.uuid4())})
    assert r.status_code == 200 and state() == before  # below the tier: the form shows the error
    data |= {"facility": facilities.centre.pk, "bed_kind": "oxygen", "client_uuid": str(uuid.uuid4())}
    r = client.post(_url("admit", c.pk), data)
    assert r.status_code == 302
    stay = Admission.objects.get(case=c)
    assert r["Location"] == _url("admission", stay.pk)
    r = client.post(_url("reassess", stay.pk), {"severity": "severe", "on": "2021-08-12", "spo2": 89})
    assert r.status_code == 302
    assert client.get(_url("admission", stay.pk)).context["transfer_up"] is True
    r = client.post(
        _url("transfer", stay.pk),
        {"facility": facilities.icu.pk, "bed_kind": "icu", "severity": "severe", "on": "2021-08-12"},
    )
    assert r.status_code == 302
    nxt = Admission.objects.get(case=c, ended_on__isnull=True)
    assert nxt.direction == "up"
    r = client.post(_url("discharge", nxt.pk), {"outcome": "recovered", "on": "2021-08-25"})
    assert r.status_code == 302
    c.refresh_from_db()
    assert c.outcome == "recovered"


def test_pages_refuse_other_areas(outsider, far_facility_staff, personas, facilities, stay, home):
    before = state()
    far = client_for(far_facility_staff)
    assert far.get(_url("admission", stay.pk)).status_code == 404
    assert far.post(_url("discharge", stay.pk), {"outcome": "recovered", "on": "2021-08-20"}).status_code == 404
    assert far.get(_url("home_care", home.pk)).status_code == 404
    assert far.get(_url("admit", stay.case_id)).status_code == 404
    community = client_for(personas[Role.COMMUNITY])
    assert community.get(_url("admission", stay.pk)).status_code == 403
    commune = client_for(personas[Role.COMMUNE])  # may view, not treat
    assert commune.get(_url("admission", stay.pk)).status_code == 200
    assert commune.post(_url("discharge", stay.pk), {"outcome": "recovered", "on": "2021-08-20"}).status_code == 403
    assert commune.post(_url("monitor", home.pk), {"on": "2021-08-12"}).status_code == 403
    # Beds of a facility may be changed by its managers only.
    assert (
        client_for(personas[Role.FACILITY]).post(_url("facility", facilities.centre.pk), {"staff_count": 3}).status_code
        == 403
    )
    assert state() == before


def test_home_care_pages(tree, personas, facilities):
    from tests.treatment.conftest import confirm, make_person

    c = confirm(make_person(tree, "Lò Thị Nhà", birth_date=D(1992, 2, 2)))
    station = client_for(personas[Role.HEALTH_STATION])
    r = station.post(_url("home_care_start", c.pk), {"on": "2021-08-11", "check": "1"})
    assert r.status_code == 200 and not HomeCare.objects.exists()
    assert "5599" in r.content.decode()
    r = station.post(_url("home_care_start", c.pk), {"on": "2021-08-11", "client_uuid": str(uuid.uuid4())})
    home = HomeCare.objects.get()
    assert r.status_code == 302 and r["Location"] == _url("home_care", home.pk)
    r = station.post(_url("monitor", home.pk), {"on": "2021-08-12", "spo2": 93, "warning_signs": ["breathless"]})
    assert r.status_code == 302 and MonitoringEntry.objects.get().needs_escalation
    assert station.get(_url("home_care", home.pk)).status_code == 200
    assert c.code in station.get(_url("home_care_list")).content.decode()
    r = station.post(
        _url("escalate", home.pk),
        {"facility": facilities.centre.pk, "bed_kind": "oxygen", "severity": "moderate", "on": "2021-08-12"},
    )
    assert r.status_code == 302
    home.refresh_from_db()
    assert home.status == "escalated"


def test_person_page_panel_and_timeline(personas, stay):
    r = client_for(personas[Role.HEALTH]).get(f"/people/{stay.person_id}/")
    body = r.content.decode()
    assert r.status_code == 200 and stay.facility.name in body


def test_field_hospital_toggle_page(personas, facilities):
    client = client_for(personas[Role.DISTRICT])
    assert client.post(_url("facility_toggle", facilities.field.pk)).status_code == 302
    facilities.field.refresh_from_db()
    assert not facilities.field.active
    assert client_for(personas[Role.FACILITY]).post(_url("facility_toggle", facilities.field.pk)).status_code == 403


def test_create_facility_page(personas):
    client = client_for(personas[Role.DISTRICT])
    data = {"name": "Bệnh viện dã chiến số 1", "kind": "field_hospital", "tier": 1, "staff_count": 20}
    data |= {"beds_ordinary": 100, "beds_oxygen": 10, "beds_icu": 0, "beds_ventilator": 0}
    r = client.post(_url("facility_create"), data)
    assert r.status_code == 302
    assert client_for(personas[Role.FACILITY]).get(_url("facility_create")).status_code == 403


def test_person_page_offers_care_for_an_f0_awaiting(personas, case):
    body = client_for(personas[Role.HEALTH_STATION]).get(f"/people/{case.person_id}/").content.decode()
    assert _url("admit", case.pk) in body and _url("home_care_start", case.pk) in body
    body = client_for(personas[Role.COMMUNE]).get(f"/people/{case.person_id}/").content.decode()
    assert _url("admit", case.pk) not in body  # may see, not treat
