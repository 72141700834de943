"""Teams, members, households and household groups through the API: idempotent creates, bad input."""

from __future__ import annotations

import uuid

from phongdich.community.models import CommunityTeam, HouseholdGroup
from phongdich.core.models import User
from phongdich.core.roles import Role
from tests.community.conftest import API, post, state, token_client


def test_team_create_is_idempotent_and_needs_a_village(personas, tree):
    client = token_client(personas[Role.COMMUNE])
    cid = str(uuid.uuid4())
    r1 = post(client, "/teams", {"client_uuid": cid, "name": "Tổ COVID TDP 2", "village_code": "03124-002"})
    assert r1.status_code == 201, r1.content
    r2 = post(client, "/teams", {"client_uuid": cid, "name": "Tổ COVID TDP 2", "village_code": "03124-002"})
    assert r2.status_code == 200 and r2.json()["id"] == r1.json()["id"]
    assert CommunityTeam.objects.count() == 1
    before = state()
    assert post(client, "/teams", {"name": "Tổ", "village_id": tree.noong_bua.pk}).status_code == 422  # a commune
    assert post(client, "/teams", {"name": "Tổ", "village_code": "99999-001"}).status_code == 422
    assert post(client, "/teams", {"name": "   ", "village_id": tree.to1.pk}).status_code == 422
    assert post(client, "/teams", {"name": "Tổ"}).status_code == 422
    assert state() == before


def test_members_phone_account_and_assignments(personas, village, tree):
    v = village
    client = token_client(personas[Role.COMMUNE])
    r = post(
        client,
        f"/teams/{v.team.pk}/members",
        {"full_name": "Quàng Văn Hùng", "position": "police", "phone": "0987 654 321"},
    )
    assert r.status_code == 201 and r.json()["phone"] == "+84987654321"
    before = state()
    bad = [
        {"full_name": "Lò Văn A", "position": "police", "phone": "12345"},
        {"full_name": "Lò Văn A", "position": "mayor"},
        {"full_name": "Lò Văn A", "position": "police", "user_id": 999999},
        {"full_name": "Lò Văn A", "position": "police", "user_id": personas[Role.COMMUNITY].pk},  # already a member
    ]
    codes = [post(client, f"/teams/{v.team.pk}/members", b).status_code for b in bad]
    assert codes == [422, 422, 422, 409]
    far = User.objects.create_user(username="t_far_member", password="pw-test-1234", role=Role.COMMUNITY, unit=tree.to2)
    r = post(client, f"/teams/{v.team.pk}/members", {"full_name": "Lò Văn A", "position": "youth", "user_id": far.pk})
    assert r.status_code == 422  # works in another village
    # Unknown member, a household of another village, an unknown household.
    assign = f"/teams/{v.team.pk}/assignments"
    assert post(client, assign, {"member_id": str(uuid.uuid4()), "household_ids": [str(v.h1.pk)]}).status_code == 422
    assert (
        post(client, assign, {"member_id": str(v.un.pk), "household_ids": [str(v.other_household.pk)]}).status_code
        == 422
    )
    assert post(client, assign, {"member_id": str(v.un.pk), "household_ids": [str(uuid.uuid4())]}).status_code == 422
    assert state() == before
    # Moving a household to another member.
    r = post(client, assign, {"member_id": str(v.un.pk), "household_ids": [str(v.h2.pk)]})
    members = {m["full_name"]: m for m in r.json()["members"]}
    assert [h["code"] for h in members["Lò Văn Ún"]["households"]] == ["HK-001", "HK-002"]
    assert members["Cà Thị Xuân"]["households"] == []


def test_household_groups_api(personas, village, tree):
    v = village
    client = token_client(personas[Role.COMMUNE])
    cid = str(uuid.uuid4())
    payload = {"client_uuid": cid, "name": "Tổ liên gia 1", "village_id": tree.to1.pk, "household_ids": [str(v.h1.pk)]}
    r = post(client, "/groups", payload)
    assert r.status_code == 201 and r.json()["leader_id"] == str(v.h1.pk)
    assert post(client, "/groups", payload).status_code == 200
    gid = r.json()["id"]
    assert post(client, f"/groups/{gid}/households", {"household_ids": [str(v.h2.pk)]}).status_code == 200
    before = state()
    other = post(
        client, "/groups", {"name": "Tổ liên gia 2", "village_id": tree.to1.pk, "household_ids": [str(v.h1.pk)]}
    )
    assert other.status_code == 409  # already in a group
    r = post(client, f"/groups/{gid}/households", {"household_ids": [str(v.other_household.pk)]})
    assert r.status_code == 422
    assert (
        post(
            token_client(personas[Role.COMMUNITY]), f"/groups/{gid}/households", {"household_ids": [str(v.h2.pk)]}
        ).status_code
        == 403
    )
    assert state() == before
    groups = token_client(personas[Role.COMMUNITY]).get(f"{API}/groups").json()
    assert [len(g["households"]) for g in groups] == [2]
    assert client.delete(f"{API}/groups/{gid}/households/{v.h1.pk}").status_code == 204
    assert client.delete(f"{API}/groups/{gid}/households/{v.h1.pk}").status_code == 404
    assert HouseholdGroup.objects.get().leader_id is None
