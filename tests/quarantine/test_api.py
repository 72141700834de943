"""The quarantine API: every role against the endpoints that matter, refusals leave nothing, idempotency, bad input."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client

from phongdich.core.roles import Perm, Role, role_has
from phongdich.quarantine import actions
from phongdich.quarantine.models import Facility, HealthCheck, Placement, PlacementStatus
from tests.cases.conftest import token_client
from tests.conftest import PERSONA_UNITS
from tests.quarantine.conftest import ENTERED, post, room, state

API = "/api/v1/quarantine"
# Personas whose unit contains Tổ dân phố 1 (Noong Bua, where the people live) — the camp is in Him Lam (city).
SEES_PEOPLE = {r for r, unit in PERSONA_UNITS.items() if unit in ("province", "city", "noong_bua", "to1")}
SEES_CAMP = {r for r, unit in PERSONA_UNITS.items() if unit in ("province", "city")}


def expected(role: Role, perm: Perm, ok: int, sees: set[Role]) -> int:
    if not role_has(role, perm):
        return 403
    return ok if role in sees else 404


def test_anonymous_gets_401(camp):
    assert Client().get(f"{API}/facilities").status_code == 401
    assert Client().post(f"{API}/placements/bulk", "{}", content_type="application/json").status_code == 401


@pytest.mark.parametrize("role", list(Role))
def test_place_by_role(role, personas, outbreak, camp):
    before = state()
    payload = {
        "client_uuid": str(uuid.uuid4()),
        "person_id": str(outbreak["binh"].pk),
        "facility_id": str(camp.pk),
        "entered_on": ENTERED.isoformat(),
    }
    r = post(token_client(personas[role]), "/placements", payload)
    if not role_has(role, Perm.QUARANTINE_EDIT):
        assert r.status_code == 403
    elif role not in SEES_PEOPLE or role not in SEES_CAMP:
        assert r.status_code == 404, r.content
    else:
        assert r.status_code == 201, r.content
        assert r.json()["rule_set_code"] == "cv-5599-2021"
        again = post(token_client(personas[role]), "/placements", payload)
        assert again.status_code == 200 and again.json()["id"] == r.json()["id"]
        assert Placement.objects.count() == 1
        return
    assert state() == before


def test_outsider_cannot_place_or_read(outsider, outbreak, camp):
    placement, _ = actions.place_person(None, outbreak["binh"], camp, entered_on=ENTERED)
    c = token_client(outsider)
    before = state()
    assert c.get(f"{API}/placements/{placement.pk}").status_code == 404
    assert post(c, f"/placements/{placement.pk}/release", {"released_on": "2021-08-22"}).status_code == 404
    assert post(c, f"/placements/{placement.pk}/checks", {"checked_on": "2021-08-11"}).status_code == 404
    assert c.get(f"{API}/placements/{placement.pk}/order.pdf").status_code == 404
    assert c.get(f"{API}/placements").json() == []
    assert state() == before


@pytest.mark.parametrize("role", list(Role))
def test_read_placement_by_role(role, personas, outbreak, camp):
    placement, _ = actions.place_person(None, outbreak["binh"], camp, entered_on=ENTERED)
    r = token_client(personas[role]).get(f"{API}/placements/{placement.pk}")
    assert r.status_code == expected(role, Perm.QUARANTINE_VIEW, 200, SEES_PEOPLE | SEES_CAMP)


@pytest.mark.parametrize("role", list(Role))
def test_create_facility_by_role(role, personas, tree):
    before = state()
    payload = {"name": "Khách sạn A", "kind": "paid", "unit_id": tree.him_lam.pk, "lodging_cost_per_day": 300000}
    r = post(token_client(personas[role]), "/facilities", payload)
    if not role_has(role, Perm.FACILITY_MANAGE):
        assert r.status_code == 403
    elif role not in SEES_CAMP:
        assert r.status_code == 403  # the unit is outside their area
    else:
        assert r.status_code == 201, r.content
        assert r.json()["payer"] == "person"
        return
    assert state() == before


def test_facility_staff_see_their_facility_people_from_elsewhere(personas, outbreak, far_camp, tree):
    """A placement is visible to the facility's area: the Sín Thầu facility's staff see a Noong Bua resident."""
    from phongdich.core.models import User

    staff = User.objects.create_user(
        username="t_fac_st", password="pw-test-1234", role=Role.FACILITY, unit=tree.sin_thau
    )
    placement, _ = actions.place_person(None, outbreak["binh"], far_camp, entered_on=ENTERED)
    c = token_client(staff)
    assert c.get(f"{API}/placements/{placement.pk}").status_code == 200
    r = post(c, f"/placements/{placement.pk}/checks", {"checked_on": "2021-08-11", "temperature": "36.8"})
    assert r.status_code == 201
    assert HealthCheck.objects.count() == 1


def test_bulk_endpoint(personas, make_person, camp):
    bus = [make_person(f"Khách {i}", sex="M") for i in range(10)]
    c = token_client(personas[Role.HEALTH])
    body = {
        "person_ids": [str(p.pk) for p in bus],
        "facility_ids": [str(camp.pk)],
        "risk_group": "arrival_high_risk",
        "day_one": "2021-08-12",
        "entered_on": "2021-08-12",
    }
    before = state()
    r = post(c, "/placements/bulk", body)
    assert r.status_code == 409
    assert len(r.json()["refused"]) == 2 and not r.json()["written"]
    assert state() == before
    r = post(c, "/placements/bulk", body | {"all_or_nothing": False})
    assert r.status_code == 201 and r.json()["placed"] == 8
    occ = c.get(f"{API}/occupancy").json()
    assert occ[0]["occupied"] == 8 and occ[0]["free"] == 4 and occ[0]["by_risk_group"] == {"arrival_high_risk": 8}
    detail = c.get(f"{API}/facilities/{camp.pk}").json()
    assert sum(1 for rm in detail["rooms"] for b in rm["beds"] if b["placement_id"]) == 8


def test_bulk_bad_input_and_outside(personas, outsider, make_person, camp, far_camp):
    p = make_person("Khách", sex="M")
    c = token_client(personas[Role.COMMUNE])
    before = state()
    assert post(c, "/placements/bulk", {"person_ids": [], "facility_ids": [str(camp.pk)]}).status_code == 422
    assert (
        post(c, "/placements/bulk", {"person_ids": [str(p.pk)], "facility_ids": [str(far_camp.pk)]}).status_code == 422
    )
    assert post(c, "/placements/bulk", {"person_ids": ["nope"], "facility_ids": [str(camp.pk)]}).status_code == 422
    assert (
        post(
            token_client(outsider), "/placements/bulk", {"person_ids": [str(p.pk)], "facility_ids": [str(far_camp.pk)]}
        ).status_code
        == 422
    )
    r = post(c, "/placements/bulk", {"person_ids": [str(p.pk)], "facility_ids": [str(camp.pk)], "risk_group": "zzz"})
    assert r.status_code == 422
    assert state() == before


def test_release_early_refused_then_with_reason(personas, outbreak, camp):
    placement, _ = actions.place_person(None, outbreak["binh"], camp, entered_on=ENTERED)
    c = token_client(personas[Role.HEALTH_STATION])
    before = state()
    r = post(c, f"/placements/{placement.pk}/release", {"released_on": "2021-08-20"})
    assert r.status_code == 409 and "22/08/2021" in r.json()["detail"]
    assert state() == before
    assert post(c, f"/placements/{placement.pk}/release", {"released_on": "2099-01-01"}).status_code == 422
    assert c.get(f"{API}/placements/{placement.pk}/certificate.pdf").status_code == 409
    r = post(c, f"/placements/{placement.pk}/release", {"released_on": "2021-08-22"})
    assert (
        r.status_code == 200 and r.json()["status"] == PlacementStatus.RELEASED and r.json()["cost_total"] == "1040000"
    )
    pdf = c.get(f"{API}/placements/{placement.pk}/certificate.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    order = c.get(f"{API}/placements/{placement.pk}/order.pdf")
    assert order.status_code == 200 and order.content.startswith(b"%PDF")


def test_override_and_request_and_incident_api(personas, outbreak, make_person, camp):
    c = token_client(personas[Role.HEALTH])
    post(
        c,
        "/placements",
        {"person_id": str(outbreak["binh"].pk), "facility_id": str(camp.pk), "entered_on": "2021-08-10"},
    )
    body = {
        "person_id": str(outbreak["dung"].pk),
        "facility_id": str(camp.pk),
        "room_id": room(camp, "A1").pk,
        "entered_on": "2021-08-10",
    }
    assert post(c, "/placements", body).status_code == 409
    r = post(c, "/placements", body | {"overrides": {"risk_group": "mother", "sex": "mother"}})
    assert r.status_code == 201 and len(r.json()["overrides"]) == 2
    arrival = make_person("Vàng A Dơ", sex="M")
    key = str(uuid.uuid4())
    req = {"client_uuid": key, "person_id": str(arrival.pk), "risk_group": "arrival_high_risk", "day_one": "2021-08-12"}
    assert post(c, "/requests", req).status_code == 201
    assert post(c, "/requests", req).status_code == 200
    waiting = c.get(f"{API}/awaiting?on=2021-08-12").json()
    assert {w["person_id"] for w in waiting} >= {str(arrival.pk), str(outbreak["chi"].pk)}
    pid = r.json()["id"]
    bad = post(c, f"/placements/{pid}/incidents", {"kind": "nonsense", "occurred_on": "2021-08-11", "description": "x"})
    assert bad.status_code == 422
    ok = post(c, f"/placements/{pid}/incidents", {"kind": "escape", "occurred_on": "2021-08-11", "description": "left"})
    assert ok.status_code == 201
    assert c.get(f"{API}/placements/{pid}").json()["status"] == "escaped"
    assert post(c, f"/placements/{pid}/checks", {"checked_on": "2021-08-12"}).status_code == 409


def test_facility_rooms_api_refusals(personas, camp):
    before = state()
    c = token_client(personas[Role.FACILITY])  # QUARANTINE_EDIT but not FACILITY_MANAGE
    assert post(c, f"/facilities/{camp.pk}/rooms", {"name": "C1", "beds": 4}).status_code == 403
    h = token_client(personas[Role.HEALTH])
    assert post(h, f"/facilities/{camp.pk}/rooms", {"name": "C1", "beds": 0}).status_code == 422
    assert post(h, f"/facilities/{camp.pk}/rooms", {"name": "A1", "beds": 2}).status_code == 409
    assert state() == before
    assert post(h, f"/facilities/{camp.pk}/rooms", {"name": "C1", "beds": 4, "sex": "F"}).status_code == 201
    assert Facility.objects.count() == 1


def test_flag_room_and_cancel_request(personas, outsider, make_person, camp):
    a1 = room(camp, "A1")
    before = state()
    assert post(token_client(personas[Role.STEERING]), f"/rooms/{a1.pk}/flag", {"reason": "F0"}).status_code == 403
    assert post(token_client(outsider), f"/rooms/{a1.pk}/flag", {"reason": "F0"}).status_code == 404
    assert post(token_client(personas[Role.FACILITY]), f"/rooms/{a1.pk}/flag", {"reason": " "}).status_code == 422
    assert state() == before
    assert (
        post(token_client(personas[Role.FACILITY]), f"/rooms/{a1.pk}/flag", {"reason": "F0 in room"}).status_code == 200
    )
    a1.refresh_from_db()
    assert a1.flagged_at is not None
    arrival = make_person("Vàng A Chứ", sex="M")
    c = token_client(personas[Role.COMMUNE])
    req = post(c, "/requests", {"person_id": str(arrival.pk), "risk_group": "arrival", "day_one": "2021-08-12"}).json()
    assert post(token_client(outsider), f"/requests/{req['id']}/cancel", {}).status_code == 404
    assert post(c, f"/requests/{req['id']}/cancel", {}).json()["status"] == "cancelled"
    assert post(c, f"/requests/{req['id']}/cancel", {}).status_code == 409


def test_overview_figures(personas, outbreak, camp):
    from phongdich.core.overview import figures_for

    actions.place_person(None, outbreak["binh"], camp, entered_on=ENTERED)
    mine = {f.url: f.value for f in figures_for(personas[Role.COMMUNE]) if f.url.startswith("/quarantine/")}
    assert mine == {"/quarantine/": 1, "/quarantine/overdue/": 3}  # days 1, 7, 14 of 2021: all past, no sample
    assert not [f for f in figures_for(personas[Role.LAB]) if "quarantine" in f.url]
