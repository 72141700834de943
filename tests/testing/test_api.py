"""The testing API: each endpoint by role (403 without the permission), by area (404 outside), idempotent creates."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from django.test import Client

from phongdich.core.models import ApiToken, User
from phongdich.core.roles import Perm, Role, role_has
from phongdich.testing.models import Campaign, CaseProposal, Laboratory, Outcome, Pool, Sample
from phongdich.testing.results import enter_result
from tests.testing.conftest import RESULTED, pool_of, state, take

API = "/api/v1/testing"


def client(user: User) -> Client:
    _token, key = ApiToken.issue(user, "test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


def post(c: Client, url: str, data: Any) -> Any:
    return c.post(API + url, json.dumps(data, default=str), content_type="application/json")


def expected(role: Role, perm: Perm, ok: int) -> int:
    return ok if role_has(role, perm) else 403


@pytest.fixture
def person(make_person):
    return make_person()  # Tổ dân phố 1, Noong Bua


def _sample(person, **kw):
    return {"person_id": str(person.pk), "barcode": "S-API-1", "place_kind": "health_station"} | kw


@pytest.mark.parametrize("role", list(Role))
def test_take_a_sample_by_role(role, personas, person):
    before = state()
    r = post(client(personas[role]), "/samples", _sample(person))
    want = expected(role, Perm.SAMPLE_COLLECT, 201)
    if role == Role.CHECKPOINT and want == 201:
        want = 404  # the checkpoint persona works in Mường Nhé: the person is outside its area
    assert r.status_code == want, r.content
    if want != 201:
        assert state() == before


def test_sample_outside_the_area_is_404(outsider, personas, person, tree):
    far = User.objects.create_user(
        username="t_far_hs", password="x-pw-12345", role=Role.HEALTH_STATION, unit=tree.sin_thau
    )
    before = state()
    assert post(client(far), "/samples", _sample(person)).status_code == 404
    assert state() == before


def test_resend_returns_the_first_sample(personas, person):
    c = client(personas[Role.HEALTH_STATION])
    key = str(uuid.uuid4())
    first = post(c, "/samples", _sample(person, client_uuid=key))
    again = post(c, "/samples", _sample(person, client_uuid=key, barcode="S-API-2"))
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"] and Sample.objects.count() == 1


def test_bad_sample_input(personas, person):
    c = client(personas[Role.HEALTH_STATION])
    assert post(c, "/samples", _sample(person, barcode="x")).status_code == 422
    assert post(c, "/samples", _sample(person, place_kind="moon")).status_code == 422
    assert post(c, "/samples", _sample(person, test_kind="culture")).status_code == 422
    assert post(c, "/samples", _sample(person, taken_at="2099-01-01T00:00:00Z")).status_code == 422
    assert post(c, "/samples", _sample(person)).status_code == 201
    r = post(c, "/samples", _sample(person))
    assert r.status_code == 409 and "detail" in r.json()
    assert Sample.objects.count() == 1


def test_bulk_samples(personas, make_person):
    people = [make_person() for _ in range(3)]
    c = client(personas[Role.HEALTH_STATION])
    items = [_sample(p, barcode=f"S-BULK-{i}") for i, p in enumerate(people)]
    items.append(_sample(people[0], barcode="S-BULK-0"))  # barcode used
    items.append(_sample(people[0], person_id=str(uuid.uuid4()), barcode="S-BULK-9"))  # unknown person
    r = post(c, "/samples/bulk", items)
    assert r.status_code == 200
    assert [i["status"] for i in r.json()] == [201, 201, 201, 409, 404]
    assert Sample.objects.count() == 3


def test_pool_by_role_and_area(personas, make_person, outsider):
    people = [make_person() for _ in range(3)]
    body = {"person_ids": [str(p.pk) for p in people], "barcode": "P-API-1", "place_kind": "quarantine"}
    assert post(client(personas[Role.LAB]), "/pools", body).status_code == 403
    assert post(client(outsider), "/pools", body).status_code == 403  # commune: no SAMPLE_COLLECT
    r = post(client(personas[Role.FACILITY]), "/pools", body)
    assert r.status_code == 201 and len(r.json()["member_ids"]) == 3
    assert Pool.objects.get().commune_id is None and Pool.objects.get().district_id is not None  # the facility's city
    bad = body | {"person_ids": [str(people[0].pk)], "barcode": "P-API-2"}
    assert post(client(personas[Role.FACILITY]), "/pools", bad).status_code == 422


@pytest.fixture
def resulted(person, lab):
    take(person, "S-RES-1")
    return lab


@pytest.mark.parametrize("role", list(Role))
def test_enter_a_result_by_role(role, personas, person, resulted):
    before = state()
    body = {"lab_id": str(resulted.pk), "barcode": "S-RES-1", "outcome": "positive", "ct": "22.5"}
    r = post(client(personas[role]), "/results", body)
    want = expected(role, Perm.RESULT_ENTER, 200)
    assert r.status_code == want, r.content
    if want == 200:
        assert r.json()["status"] == "written" and r.json()["proposal_id"]
        again = post(client(personas[role]), "/results", body)
        assert again.json()["status"] == "unchanged" and CaseProposal.objects.count() == 1
    else:
        assert state() == before


def test_result_for_a_lab_of_another_province_is_404(personas, person, tree):
    from phongdich.testing import actions

    other, _ = actions.create_lab(None, code="lc", name="CDC Lai Châu", unit=tree.lai_chau)
    take(person, "S-RES-2")
    before = state()
    body = {"lab_id": str(other.pk), "barcode": "S-RES-2", "outcome": "negative"}
    assert post(client(personas[Role.LAB]), "/results", body).status_code == 404
    assert state() == before


def test_result_errors(personas, resulted):
    c = client(personas[Role.LAB])
    lab = str(resulted.pk)
    r = post(c, "/results", {"lab_id": lab, "barcode": "S-NONE", "outcome": "negative"})
    assert r.status_code == 422
    r = post(c, "/results", {"lab_id": lab, "barcode": "S-RES-1", "outcome": "negative", "ct": "80"})
    assert r.status_code == 422
    assert post(c, "/results", {"lab_id": lab, "barcode": "S-RES-1", "outcome": "maybe"}).status_code == 422
    assert Sample.objects.get(barcode="S-RES-1").status == "taken"


def test_bulk_results_report(personas, make_person, lab, tree):
    people = [make_person() for _ in range(4)]
    take(people[0], "S-B-1")
    pool_of(people[1:4], "P-B-1", tree.noong_bua)
    c = client(personas[Role.LAB])
    body = {
        "lab_id": str(lab.pk),
        "rows": [
            {"barcode": "S-B-1", "outcome": "Âm tính"},
            {"barcode": "P-B-1", "outcome": "positive", "ct": "28"},
            {"barcode": "S-B-9", "outcome": "negative"},
        ],
    }
    r = post(c, "/results/bulk", body)
    assert r.status_code == 200, r.content
    data = r.json()
    assert (data["written"], data["rejected"], data["queued"]) == (2, 1, 3)
    assert data["errors"][0]["row"] == 3 and data["errors"][0]["code"] == "barcode_unknown"
    assert post(client(personas[Role.HEALTH_STATION]), "/results/bulk", body).status_code == 403


def test_import_endpoint(personas, resulted):
    from django.core.files.uploadedfile import SimpleUploadedFile

    c = client(personas[Role.LAB])
    data = "Mã ống mẫu,Kết quả\nS-RES-1,Âm tính\nS-XX-9,Âm tính\n".encode()
    r = c.post(f"{API}/results/import", {"lab_id": str(resulted.pk), "file": SimpleUploadedFile("kq.csv", data)})
    assert r.status_code == 201, r.content
    assert (r.json()["written"], r.json()["rejected"]) == (1, 1)
    assert c.get(f"{API}/imports/{r.json()['id']}").status_code == 200
    bad = c.post(f"{API}/results/import", {"lab_id": str(resulted.pk), "file": SimpleUploadedFile("x.csv", b"")})
    assert bad.status_code == 422 and "detail" in bad.json()
    hs = client(personas[Role.HEALTH_STATION])
    f = SimpleUploadedFile("kq.csv", data)
    assert hs.post(f"{API}/results/import", {"lab_id": str(resulted.pk), "file": f}).status_code == 403


@pytest.fixture
def proposal(person, lab):
    take(person, "S-PR-1")
    p = enter_result(None, lab, "S-PR-1", Outcome.POSITIVE, None, RESULTED).proposal
    assert p is not None
    return p


@pytest.mark.parametrize("role", list(Role))
def test_confirm_by_role(role, personas, proposal):
    r = post(client(personas[role]), f"/proposals/{proposal.pk}/confirm", {})
    want = expected(role, Perm.CASE_EDIT, 200)
    if want == 200 and role == Role.DISTRICT:
        want = 200  # the district persona works in the city: Noong Bua is inside it
    assert r.status_code == want, r.content
    proposal.refresh_from_db()
    assert (proposal.status == "confirmed") == (want == 200)


def test_confirm_outside_the_area_is_404(tree, proposal):
    far = User.objects.create_user(username="t_far_d", password="x-pw-12345", role=Role.DISTRICT, unit=tree.muong_nhe)
    before = state()
    assert post(client(far), f"/proposals/{proposal.pk}/confirm", {}).status_code == 404
    assert post(client(far), f"/proposals/{proposal.pk}/reject", {"reason": "x"}).status_code == 404
    assert state() == before


def test_reject_and_list(personas, proposal):
    c = client(personas[Role.HEALTH])
    assert [p["id"] for p in c.get(f"{API}/proposals").json()] == [str(proposal.pk)]
    assert post(c, f"/proposals/{proposal.pk}/reject", {"reason": ""}).status_code == 422
    r = post(c, f"/proposals/{proposal.pk}/reject", {"reason": "Mẫu lỗi"})
    assert r.status_code == 200 and r.json()["status"] == "rejected"
    assert post(c, f"/proposals/{proposal.pk}/confirm", {}).status_code == 409
    assert client(personas[Role.LAB]).get(f"{API}/proposals").status_code == 403


@pytest.mark.parametrize("role", list(Role))
def test_create_lab_by_role(role, personas):
    r = post(client(personas[role]), "/labs", {"code": f"lab-{role.value}", "name": "Phòng xét nghiệm"})
    assert r.status_code == expected(role, Perm.LAB_MANAGE, 201), r.content


def test_lab_detail_and_receive(personas, lab, person, tree):
    take(person, "S-RCV-1")
    c = client(personas[Role.LAB])
    r = post(c, f"/labs/{lab.pk}/receive", {"barcodes": ["S-RCV-1", "S-NOPE"]})
    assert r.json() == {"received": 1, "not_found": ["S-NOPE"]}
    detail = c.get(f"{API}/labs/{lab.pk}").json()
    assert detail["backlog"] == 1 and len(detail["days"]) == 7
    from phongdich.testing import actions

    other, _ = actions.create_lab(None, code="lc2", name="CDC Lai Châu", unit=tree.lai_chau)
    assert c.get(f"{API}/labs/{other.pk}").status_code == 404
    assert client(personas[Role.COMMUNITY]).get(f"{API}/labs").status_code == 403


def test_lab_idempotent_create(personas):
    c = client(personas[Role.HEALTH])
    key = str(uuid.uuid4())
    a = post(c, "/labs", {"client_uuid": key, "code": "x1", "name": "A"})
    b = post(c, "/labs", {"client_uuid": key, "code": "x1", "name": "A"})
    assert (a.status_code, b.status_code) == (201, 200) and Laboratory.objects.count() == 1


def test_campaign_api(personas, tree, make_person):
    tree.noong_bua.population_total = 1200
    tree.noong_bua.save(update_fields=["population_total"])
    c = client(personas[Role.HEALTH])
    body = {"name": "Xét nghiệm diện rộng Noong Bua", "unit_id": tree.noong_bua.pk, "starts_on": "2021-08-09"}
    r = post(c, "/campaigns", body)
    assert r.status_code == 201 and r.json()["target_population"] == 1200
    cid = r.json()["id"]
    campaign = Campaign.objects.get(pk=cid)
    take(make_person(), "S-C-1", campaign=campaign, place_kind="campaign_site")
    detail = c.get(f"{API}/campaigns/{cid}").json()
    assert detail["sampled"] == 1 and detail["coverage_percent"] == pytest.approx(0.1)
    assert post(client(personas[Role.COMMUNE]), "/campaigns", body).status_code == 403
    far = User.objects.create_user(username="t_far_c", password="x-pw-12345", role=Role.COMMUNE, unit=tree.sin_thau)
    assert client(far).get(f"{API}/campaigns/{cid}").status_code == 404
    assert post(c, "/campaigns", body | {"unit_id": tree.city.pk}).status_code == 422  # a district
    bad = post(c, "/campaigns", body | {"place_kind": "market"})  # a place needs its name
    assert bad.status_code == 422
    district = client(personas[Role.DISTRICT])
    assert post(district, "/campaigns", body | {"unit_id": tree.sin_thau.pk}).status_code == 403
    r = c.patch(f"{API}/campaigns/{cid}", json.dumps({"target_population": 1000}), content_type="application/json")
    assert r.json()["coverage_percent"] == pytest.approx(0.1)


def test_reads_by_role_and_area(personas, person, tree, lab):
    sample = take(person, "S-READ-1")
    hs = client(personas[Role.HEALTH_STATION])
    r = hs.get(f"{API}/samples", {"person_id": str(person.pk)})
    assert r.status_code == 200 and r.json()["count"] == 1
    assert hs.get(f"{API}/samples/{sample.pk}").status_code == 200
    assert client(personas[Role.COMMUNITY]).get(f"{API}/samples").status_code == 403
    assert client(personas[Role.COMMUNITY]).get(f"{API}/samples/{sample.pk}").status_code == 403
    far = User.objects.create_user(username="t_far_r", password="x-pw-12345", role=Role.COMMUNE, unit=tree.sin_thau)
    assert client(far).get(f"{API}/samples/{sample.pk}").status_code == 404
    assert client(far).get(f"{API}/samples").json()["count"] == 0
    assert post(hs, f"/labs/{lab.pk}/receive", {"barcodes": ["S-READ-1"]}).status_code == 403


def test_pool_detail_by_area(personas, make_person, tree):
    people = [make_person() for _ in range(2)]
    pool = pool_of(people, "P-READ-2", tree.noong_bua)
    assert client(personas[Role.COMMUNE]).get(f"{API}/pools/{pool.pk}").status_code == 200
    far = User.objects.create_user(username="t_far_p", password="x-pw-12345", role=Role.COMMUNE, unit=tree.sin_thau)
    assert client(far).get(f"{API}/pools/{pool.pk}").status_code == 404
