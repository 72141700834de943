"""The quarantine pages: render for each role that may see them, refuse the others, forms call the actions."""

from __future__ import annotations

import pytest

from phongdich.core.models import AccessLog
from phongdich.core.roles import Perm, Role, role_has
from phongdich.quarantine import actions
from phongdich.quarantine.models import Placement, PlacementStatus
from tests.conftest import client_for
from tests.quarantine.conftest import ENTERED, state

PAGES = ["/quarantine/", "/quarantine/awaiting/", "/quarantine/overdue/", "/quarantine/placements/"]


@pytest.mark.parametrize("role", list(Role))
def test_landing_pages_by_role(role, personas, outbreak, camp):
    actions.place_person(None, outbreak["binh"], camp, entered_on=ENTERED)
    c = client_for(personas[role])
    for url in PAGES:
        r = c.get(url)
        assert r.status_code == (200 if role_has(role, Perm.QUARANTINE_VIEW) else 403), url


def test_anonymous_redirected():
    assert client_for(None).get("/quarantine/").status_code == 302


def test_placement_page_and_pdfs(personas, outbreak, camp, outsider):
    placement, _ = actions.place_person(None, outbreak["binh"], camp, entered_on=ENTERED)
    c = client_for(personas[Role.HEALTH_STATION])
    r = c.get(f"/quarantine/placements/{placement.pk}/")
    assert r.status_code == 200 and outbreak["binh"].full_name in r.content.decode()
    assert AccessLog.objects.filter(object_id=str(outbreak["binh"].pk)).exists()
    pdf = c.get(f"/quarantine/placements/{placement.pk}/order.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert c.get(f"/quarantine/placements/{placement.pk}/certificate.pdf").status_code == 404
    assert client_for(outsider).get(f"/quarantine/placements/{placement.pk}/").status_code == 404
    facility_page = client_for(personas[Role.FACILITY]).get(f"/quarantine/facilities/{camp.pk}/")
    assert facility_page.status_code == 200 and "A1" in facility_page.content.decode()
    assert client_for(outsider).get(f"/quarantine/facilities/{camp.pk}/").status_code == 404


def test_forms_record_check_and_refuse_early_release(personas, outbreak, camp):
    placement, _ = actions.place_person(None, outbreak["binh"], camp, entered_on=ENTERED)
    c = client_for(personas[Role.HEALTH_STATION])
    url = f"/quarantine/placements/{placement.pk}/"
    c.post(url, {"action": "check", "checked_on": "2021-08-11", "temperature": "36.9"})
    assert placement.checks.count() == 1
    before = state()
    r = c.post(url, {"action": "release", "released_on": "2021-08-15"}, follow=True)
    assert r.status_code == 200 and state() == before
    c.post(url, {"action": "release", "released_on": "2021-08-22"})
    placement.refresh_from_db()
    assert placement.status == PlacementStatus.RELEASED
    assert c.get(f"/quarantine/placements/{placement.pk}/certificate.pdf").status_code == 200


def test_post_refused_without_edit_right(personas, outbreak, camp):
    placement, _ = actions.place_person(None, outbreak["binh"], camp, entered_on=ENTERED)
    before = state()
    r = client_for(personas[Role.STEERING]).post(
        f"/quarantine/placements/{placement.pk}/", {"action": "release", "released_on": "2021-08-22"}
    )
    assert r.status_code == 403 and state() == before


def test_bulk_form_and_place_one(personas, outbreak, camp):
    c = client_for(personas[Role.HEALTH])
    r = c.post(
        "/quarantine/awaiting/",
        {
            "person": [str(outbreak["binh"].pk), str(outbreak["chi"].pk)],
            "facility": [str(camp.pk)],
            "entered_on": "2021-08-10",
        },
    )
    assert r.status_code == 302
    assert Placement.objects.count() == 2
    r = c.post(f"/quarantine/place/{outbreak['dung'].pk}/", {"facility": "home", "entered_on": "2021-08-10"})
    assert r.status_code == 302
    assert Placement.objects.filter(person=outbreak["dung"], facility__kind="home").exists()
    person_page = c.get(f"/people/{outbreak['dung'].pk}/")
    assert person_page.status_code == 200


def test_facility_create_form(personas, tree):
    c = client_for(personas[Role.DISTRICT])
    r = c.post(
        "/quarantine/facilities/new/",
        {"name": "KTX Trường Chính trị", "kind": "centralised", "unit": tree.him_lam.pk, "meal_cost_per_day": "80000"},
    )
    assert r.status_code == 302
    assert client_for(personas[Role.COMMUNE]).get("/quarantine/facilities/new/").status_code == 403


def test_pages_in_other_states(personas, outbreak, camp, tree, make_person):
    c = client_for(personas[Role.HEALTH])
    placement, _ = actions.place_person(None, outbreak["binh"], camp, entered_on=ENTERED)
    actions.release(None, placement, on=outbreak["binh"].level.handling_until)
    page = c.get(f"/quarantine/placements/{placement.pk}/").content.decode()
    assert "1.040.000" in page or "1,040,000" in page  # the total at release
    home = actions.home_facility_for(tree.noong_bua)
    actions.place_person(None, outbreak["dung"], home, entered_on=ENTERED)
    assert c.get(f"/quarantine/facilities/{home.pk}/").status_code == 200
    assert c.get("/quarantine/placements/?status=all&q=Dung").status_code == 200
    assert "Trường Cao đẳng" in c.get("/quarantine/").content.decode()
    bus = [make_person(f"Khách {i}", sex="M") for i in range(9)]
    for p in bus:
        from phongdich.quarantine.models import RiskGroup

        actions.request_placement(None, p, RiskGroup.ARRIVAL, day_one=ENTERED)
    r = c.post(
        "/quarantine/awaiting/",
        {"person": [str(p.pk) for p in bus], "facility": [str(camp.pk)], "entered_on": "2021-08-10"},
    )
    assert r.status_code == 200 and "Khách" in r.content.decode()
    assert not Placement.objects.filter(person__in=bus).exists()
    assert c.get(f"/people/{outbreak['chi'].pk}/").status_code == 200  # the panel offers placement
