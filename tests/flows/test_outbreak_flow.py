"""Issue 4 end to end, through the API as each role would do it (August 2021, 5599/BYT-MT in force).

A sample taken at a checkpoint goes into a pool; the pool is positive, the members are tested one by
one; one is positive; the case proposal is confirmed by CDC, which opens the investigation; the F0 is
admitted at the tier the severity calls for, moved up, and discharged recovered (the case follows);
meanwhile the F0's contacts become F1, are placed in quarantine by the cohorting rules, checked daily,
refused an early release and released on the day the rule set gives.
"""

from __future__ import annotations

import datetime
import json
import uuid
from typing import Any

import pytest
from django.test import Client

from phongdich.cases.models import Case, Outcome
from phongdich.core.models import User
from phongdich.core.roles import Role
from phongdich.people.actions import PersonData, intake_person
from phongdich.people.models import Person, Sex
from phongdich.tracing.models import Investigation, PersonLevel
from tests.conftest import Tree, client_for

D = datetime.date


def post(client: Client, url: str, body: dict[str, Any] | None = None) -> Any:
    response = client.post(url, json.dumps(body or {}), content_type="application/json")
    assert response.status_code in (200, 201), (url, response.status_code, response.content[:600])
    return response.json()


def get(client: Client, url: str) -> Any:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code, response.content[:600])
    return response.json()


def person(tree: Tree, name: str, birth: datetime.date, sex: str = Sex.MALE) -> Person:
    return intake_person(None, PersonData(full_name=name, birth_date=birth, sex=sex, unit=tree.ban_sin_thau)).person


@pytest.mark.django_db(transaction=False)
def test_a_checkpoint_sample_to_discharge_while_the_contacts_are_quarantined(
    personas: dict[Role, User], tree: Tree
) -> None:
    checkpoint, lab_staff = client_for(personas[Role.CHECKPOINT]), client_for(personas[Role.LAB])
    cdc, facility = client_for(personas[Role.HEALTH]), client_for(personas[Role.FACILITY])
    a = person(tree, "Giàng A Dình", D(1990, 3, 2))
    b = person(tree, "Sùng A Chớ", D(1988, 7, 9))
    c = person(tree, "Lý Thị Mỷ", D(1993, 1, 15), Sex.FEMALE)
    wife = person(tree, "Vàng Thị Say", D(1992, 5, 5), Sex.FEMALE)
    son = person(tree, "Giàng A Páo", D(2012, 9, 1))

    # The laboratory (CDC) and a checkpoint pool of three travellers.
    lab = post(cdc, "/api/v1/testing/labs", {"code": "cdc-db", "name": "CDC Điện Biên", "daily_capacity": 800})
    pool = post(
        checkpoint,
        "/api/v1/testing/pools",
        {
            "client_uuid": str(uuid.uuid4()),
            "person_ids": [str(a.pk), str(b.pk), str(c.pk)],
            "barcode": "CK-0001",
            "test_kind": "rt_pcr",
            "place_kind": "checkpoint",
            "place_name": "Chốt Si Pa Phìn",
            "lab_id": lab["id"],  # the provincial lab, chosen by a district-level officer
            "taken_at": "2021-08-09T01:30:00Z",
        },
    )
    post(lab_staff, f"/api/v1/testing/labs/{lab['id']}/receive", {"barcodes": ["CK-0001"]})
    post(
        lab_staff,
        "/api/v1/testing/results",
        {
            "lab_id": lab["id"],
            "barcode": "CK-0001",
            "outcome": "positive",
            "ct": 24,
            "resulted_at": "2021-08-09T12:00:00Z",
        },
    )
    pool = get(lab_staff, f"/api/v1/testing/pools/{pool['id']}")
    assert pool["outcome"] == "positive" and len(pool["member_ids"]) == 3
    queued = [s for s in get(checkpoint, "/api/v1/testing/samples")["items"] if s["status"] == "queued"]
    assert sorted(s["person_id"] for s in queued) == sorted(str(p.pk) for p in (a, b, c))

    # The members are swabbed one by one (filling the queued tests) and tested.
    for n, member in enumerate((a, b, c), start=1):
        sample = post(
            checkpoint,
            "/api/v1/testing/samples",
            {
                "person_id": str(member.pk),
                "barcode": f"CK-0001-{n}",
                "test_kind": "rt_pcr",
                "place_kind": "checkpoint",
                "taken_at": "2021-08-09T14:00:00Z",
            },
        )
        assert sample["id"] in {q["id"] for q in queued}  # the queued test, not a new one
    post(lab_staff, f"/api/v1/testing/labs/{lab['id']}/receive", {"barcodes": ["CK-0001-1", "CK-0001-2", "CK-0001-3"]})
    for barcode, outcome, ct in (
        ("CK-0001-1", "positive", 21.5),
        ("CK-0001-2", "negative", None),
        ("CK-0001-3", "negative", None),
    ):
        post(
            lab_staff,
            "/api/v1/testing/results",
            {
                "lab_id": lab["id"],
                "barcode": barcode,
                "outcome": outcome,
                "ct": ct,
                "resulted_at": "2021-08-10T02:00:00Z",
            },
        )

    # One proposal, for A; the lab cannot confirm it, CDC does: the case and its investigation open.
    proposals = get(cdc, "/api/v1/testing/proposals")
    items = proposals["items"] if isinstance(proposals, dict) else proposals
    pending = [p for p in items if p["status"] == "pending"]
    assert [p["person_id"] for p in pending] == [str(a.pk)]
    refused = lab_staff.post(
        f"/api/v1/testing/proposals/{pending[0]['id']}/confirm", "{}", content_type="application/json"
    )
    assert refused.status_code == 403 and not Case.objects.exists()
    post(cdc, f"/api/v1/testing/proposals/{pending[0]['id']}/confirm", {})
    case = Case.objects.get(person=a)
    assert case.detected_by == "checkpoint" and case.sample_date == D(2021, 8, 9)
    assert Investigation.objects.filter(case=case).exists()

    # Tracing: A's wife and son were with him; they become F1 under 5599/BYT-MT (14 days, tests 1, 7, 14).
    for contact in (wife, son):
        post(
            cdc,
            "/api/v1/tracing/contacts",
            {
                "person_a_id": str(a.pk),
                "person_b_id": str(contact.pk),
                "first_date": "2021-08-07",
                "last_date": "2021-08-09",
                "setting": "household",
                "proximity": "direct",
            },
        )
    levels = {lv.person_id: lv for lv in PersonLevel.objects.filter(person__in=[wife, son])}
    assert {lv.level for lv in levels.values()} == {1} and levels[wife.pk].rule_set.code == "cv-5599-2021"
    awaiting = get(cdc, "/api/v1/quarantine/awaiting?on=2021-08-10")
    awaiting_ids = {row["person_id"] for row in (awaiting["items"] if isinstance(awaiting, dict) else awaiting)}
    assert {str(wife.pk), str(son.pk)} <= awaiting_ids

    # Quarantine: a centralised camp in the city; the family goes into one room, by the cohorting rules.
    camp = post(
        cdc,
        "/api/v1/quarantine/facilities",
        {"name": "Trường Cao đẳng Y tế Điện Biên", "kind": "centralised", "unit_id": tree.noong_bua.pk},
    )
    for name in ("P101", "P102"):
        post(cdc, f"/api/v1/quarantine/facilities/{camp['id']}/rooms", {"name": name, "beds": 4})
    placed = post(
        cdc,
        "/api/v1/quarantine/placements/bulk",
        {"person_ids": [str(wife.pk), str(son.pk)], "facility_ids": [camp["id"]], "entered_on": "2021-08-10"},
    )
    assert placed["written"] and placed["placed"] == 2 and not placed["refused"]
    rooms = {p["room_id"] for p in placed["placements"]}
    assert len(rooms) == 1  # a family together
    stay = next(p for p in placed["placements"] if p["person_id"] == str(wife.pk))
    assert stay["end_date"] == "2021-08-23" and stay["rule_set_code"] == "cv-5599-2021"
    assert stay["test_dates"] == ["2021-08-09", "2021-08-15", "2021-08-22"]
    order = facility.get(f"/api/v1/quarantine/placements/{stay['id']}/order.pdf")
    assert order.status_code == 200 and order.content.startswith(b"%PDF")
    post(
        facility,
        f"/api/v1/quarantine/placements/{stay['id']}/checks",
        {"checked_on": "2021-08-12", "temperature": "36.8"},
    )
    early = facility.post(
        f"/api/v1/quarantine/placements/{stay['id']}/release",
        json.dumps({"released_on": "2021-08-20"}),
        content_type="application/json",
    )
    assert early.status_code in (409, 422)
    released = post(facility, f"/api/v1/quarantine/placements/{stay['id']}/release", {"released_on": "2021-08-23"})
    assert released["status"] == "released"
    certificate = facility.get(f"/api/v1/quarantine/placements/{stay['id']}/certificate.pdf")
    assert certificate.status_code == 200 and certificate.content.startswith(b"%PDF")

    # Treatment: A is moderate: tier 2 is required, a tier-1 field hospital is refused; later severe → ICU.
    field = post(
        cdc,
        "/api/v1/treatment/facilities",
        {
            "name": "Cơ sở thu dung Noong Bua",
            "kind": "field_hospital",
            "tier": 1,
            "unit_id": tree.noong_bua.pk,
            "beds": {"ordinary": 50},
        },
    )
    hospital = post(
        cdc,
        "/api/v1/treatment/facilities",
        {
            "name": "Bệnh viện Đa khoa tỉnh Điện Biên",
            "kind": "provincial_hospital",
            "tier": 3,
            "unit_id": tree.noong_bua.pk,
            "beds": {"ordinary": 100, "oxygen": 20, "icu": 6, "ventilator": 4},
        },
    )
    # The province's health department refers the patient; the hospital's staff take over from there.
    refused = cdc.post(
        "/api/v1/treatment/admissions",
        json.dumps(
            {
                "case_id": str(case.pk),
                "facility_id": field["id"],
                "bed_kind": "ordinary",
                "severity": "moderate",
                "admitted_on": "2021-08-10",
            }
        ),
        content_type="application/json",
    )
    assert refused.status_code in (409, 422)
    stay_a = post(
        cdc,
        "/api/v1/treatment/admissions",
        {
            "case_id": str(case.pk),
            "facility_id": hospital["id"],
            "bed_kind": "oxygen",
            "severity": "moderate",
            "admitted_on": "2021-08-10",
        },
    )
    post(facility, f"/api/v1/treatment/admissions/{stay_a['id']}/reassess", {"severity": "severe", "on": "2021-08-12"})
    case.refresh_from_db()
    assert case.clinical_status == "severe"
    post(
        facility, f"/api/v1/treatment/admissions/{stay_a['id']}/discharge", {"outcome": "recovered", "on": "2021-08-24"}
    )
    case.refresh_from_db()
    assert (case.outcome, case.outcome_date) == (Outcome.RECOVERED, D(2021, 8, 24))
