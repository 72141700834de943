"""Visits: idempotent creates (one and bulk), findings to the commune, bad input refused with nothing written."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.utils import timezone

from phongdich.community import actions
from phongdich.community.models import Finding, Position, Visit
from phongdich.core.models import AccessLog, AuditLog
from phongdich.core.roles import Role
from tests.community.conftest import (
    API,
    access_rows,
    days_ago,
    post,
    quarantine_item,
    state,
    token_client,
    visit_payload,
)


def test_a_visit_is_idempotent_on_its_client_uuid(personas, village):
    client = token_client(personas[Role.COMMUNITY])
    cid = str(uuid.uuid4())
    r1 = post(client, "/visits", visit_payload(village, client_uuid=cid, temperature="37.2", note="Ổn"))
    assert r1.status_code == 201, r1.content
    body = r1.json()
    assert body["member_id"] == str(village.un.pk)  # the signed-in member by default
    assert body["temperature"] == "37.2" or float(body["temperature"]) == 37.2
    assert not body["needs_action"]
    audits = AuditLog.objects.count()
    r2 = post(client, "/visits", visit_payload(village, client_uuid=cid, finding="symptoms"))
    assert r2.status_code == 200 and r2.json()["id"] == body["id"]
    assert Visit.objects.count() == 1 and AuditLog.objects.count() == audits
    # The same UUID from someone who cannot see the first visit: 409, nothing written.
    far = token_client(personas[Role.CHECKPOINT])
    assert post(far, "/visits", visit_payload(village, client_uuid=cid)).status_code == 403


def test_client_uuid_used_outside_the_area_is_a_conflict(outsider, village):
    cid = uuid.uuid4()
    actions.record_visit(
        None, village.team, visited_at=days_ago(0), finding=Finding.ALL_WELL, person=village.an, client_uuid=cid
    )
    before = state()
    r = post(token_client(outsider), "/visits", visit_payload(village, client_uuid=str(cid)))
    assert r.status_code == 409
    assert state() == before


def test_bulk_submission_from_the_phone(personas, village):
    client = token_client(personas[Role.COMMUNITY])
    ids = [str(uuid.uuid4()) for _ in range(4)]
    batch = {
        "visits": [
            visit_payload(village, client_uuid=ids[0]),
            visit_payload(village, client_uuid=ids[1], person_id=str(village.chi.pk), finding="needs_supplies"),
            visit_payload(village, client_uuid=ids[2], person_id=str(village.other.pk)),  # Tổ dân phố 2: unknown
            visit_payload(
                village, client_uuid=ids[3], visited_at=(timezone.now() + datetime.timedelta(hours=2)).isoformat()
            ),
        ]
    }
    r = post(client, "/visits/bulk", batch)
    assert r.status_code == 200, r.content
    body = r.json()
    assert (body["created"], body["duplicates"], body["refused"]) == (2, 0, 2)
    statuses = [x["status"] for x in body["results"]]
    assert statuses == ["created", "created", "refused", "refused"]
    assert body["results"][2]["field"] == "person_id"
    assert body["results"][3]["field"] == "visited_at" and body["results"][3]["detail"]
    # The phone resends everything (it did not get the answer): no duplicate.
    again = post(client, "/visits/bulk", batch).json()
    assert (again["created"], again["duplicates"], again["refused"]) == (0, 2, 2)
    assert Visit.objects.count() == 2
    # Bulk needs a client_uuid on every visit.
    before = state()
    r = post(client, "/visits/bulk", {"visits": [visit_payload(village)]})
    assert r.status_code == 422 and state() == before


def test_symptoms_violation_and_supplies_reach_the_commune(personas, village):
    member = token_client(personas[Role.COMMUNITY])
    for finding in ("all_well", "symptoms", "violation", "not_home", "needs_supplies"):
        assert post(member, "/visits", visit_payload(village, finding=finding)).status_code == 201
    commune = token_client(personas[Role.COMMUNE])
    logged = AccessLog.objects.count()
    alerts = commune.get(f"{API}/alerts").json()
    assert AccessLog.objects.count() == logged + 1  # one row for the list of names
    assert sorted(a["finding"] for a in alerts) == ["needs_supplies", "symptoms", "violation"]
    symptoms = next(a for a in alerts if a["finding"] == "symptoms")
    assert symptoms["person_name"] == "Lò Văn An"
    r = post(commune, f"/alerts/{symptoms['id']}/handle", {"note": "Trạm y tế đã lấy mẫu"})
    assert r.status_code == 200 and r.json()["handled_note"] == "Trạm y tế đã lấy mẫu"
    assert len(commune.get(f"{API}/alerts").json()) == 2
    assert [a["id"] for a in commune.get(f"{API}/alerts?handled=true").json()] == [symptoms["id"]]
    before = state()
    assert post(commune, f"/alerts/{symptoms['id']}/handle", {}).status_code == 409
    well = Visit.objects.get(finding="all_well")
    assert post(commune, f"/alerts/{well.pk}/handle", {}).status_code == 409
    assert state() == before


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"member_id": "other-team"}, "member_id"),
        ({"member_id": str(uuid.uuid4())}, "member_id"),
        ({"visited_at": "future"}, "visited_at"),
        ({"visited_at": "old"}, "visited_at"),
        ({"person_id": "outside"}, "person_id"),
        ({"person_id": str(uuid.uuid4())}, "person_id"),
        ({"person_id": None}, "person_id"),
        ({"household_id": "h1"}, "person_id"),  # both a person and a household
        ({"temperature": "45.0"}, "temperature"),
        ({"finding": "fine"}, "finding"),
    ],
)
def test_bad_visits_are_refused_and_write_nothing(change, field, personas, village, tree):
    v = village
    other_team, _c = actions.create_team(None, name="Tổ COVID TDP 2", village=tree.to2)
    other_member, _c = actions.add_member(None, other_team, full_name="Lò Thị Mai", position=Position.YOUTH)
    values = {
        "other-team": str(other_member.pk),
        "future": (timezone.now() + datetime.timedelta(days=1)).isoformat(),
        "old": (timezone.now() - datetime.timedelta(days=40)).isoformat(),
        "outside": str(v.other.pk),
        "h1": str(v.h1.pk),
    }
    payload = visit_payload(v, client_uuid=str(uuid.uuid4()))
    for key, value in change.items():
        payload[key] = values.get(value, value) if isinstance(value, str) else value
    before, logged = state(), access_rows()
    r = post(token_client(personas[Role.COMMUNE]), "/visits", payload)
    assert r.status_code == 422, r.content
    assert field in str(r.json()["errors"]), r.json()
    assert state() == before and access_rows() == logged


def test_visits_of_an_inactive_team_or_a_member_who_left_are_refused(village):
    v = village
    actions.remove_member(None, v.xuan)
    with pytest.raises(actions.CommunityError) as err:
        actions.record_visit(None, v.team, visited_at=days_ago(0), finding=Finding.ALL_WELL, person=v.an, member=v.xuan)
    assert err.value.field == "member_id"
    actions.update_team(None, v.team, active=False)
    with pytest.raises(actions.CommunityError):
        actions.record_visit(None, v.team, visited_at=days_ago(0), finding=Finding.ALL_WELL, person=v.an)
    assert Visit.objects.count() == 0


def test_watch_list_api_with_overdue_and_access_log(personas, village, provider):
    provider.append(quarantine_item(village.an, since_days_ago=2))
    provider.append(quarantine_item(village.chi, since_days_ago=0))
    client = token_client(personas[Role.COMMUNITY])
    logged = AccessLog.objects.count()
    body = client.get(f"{API}/teams/{village.team.pk}/watch").json()
    assert body["count"] == 2 and body["overdue"] == 1
    an = next(i for i in body["items"] if i["person_id"] == str(village.an.pk))
    assert an["overdue"] and an["person_name"] == "Lò Văn An" and an["member_id"] == str(village.un.pk)
    assert AccessLog.objects.count() == logged + 1
    mine = client.get(f"{API}/teams/{village.team.pk}/watch?mine=true").json()
    assert [i["person_id"] for i in mine["items"]] == [str(village.an.pk)]
    post(client, "/visits", visit_payload(village))
    assert client.get(f"{API}/teams/{village.team.pk}/watch").json()["overdue"] == 0
    overdue = token_client(personas[Role.COMMUNE]).get(f"{API}/overdue").json()
    assert overdue["teams"][0]["overdue"] == 0 and overdue["teams"][0]["due_today"] == 1


def test_watch_entries_api(personas, village):
    commune = token_client(personas[Role.COMMUNE])
    cid = str(uuid.uuid4())
    payload = {
        "client_uuid": cid,
        "person_id": str(village.binh.pk),
        "reason": "elderly_alone",
        "ends_on": (timezone.localdate() + datetime.timedelta(days=30)).isoformat(),
        "visit_every_days": 3,
    }
    r = post(commune, "/watch-entries", payload)
    assert r.status_code == 201, r.content
    assert post(commune, "/watch-entries", payload).status_code == 200
    before = state()
    bad = dict(payload, client_uuid=None, ends_on="2020-01-01")
    assert post(commune, "/watch-entries", bad).status_code == 422
    assert (
        post(commune, "/watch-entries", dict(payload, client_uuid=None, person_id=str(uuid.uuid4()))).status_code == 422
    )
    assert (
        post(token_client(personas[Role.COMMUNITY]), "/watch-entries", dict(payload, client_uuid=None)).status_code
        == 403
    )
    assert state() == before
    watch = commune.get(f"{API}/teams/{village.team.pk}/watch").json()
    assert [(i["kind"], i["visit_every_days"]) for i in watch["items"]] == [("manual", 3)]
    r = post(commune, f"/watch-entries/{r.json()['id']}/end", {})
    assert r.status_code == 200 and r.json()["ended"]
    assert commune.get(f"{API}/teams/{village.team.pk}/watch").json()["count"] == 0
