"""The checkpoints API: each endpoint for the roles that may use it, refusals (403 role, 404 area), nothing written."""

from __future__ import annotations

import uuid

import pytest
from django.utils import timezone

from phongdich.checkpoints import actions
from phongdich.checkpoints.models import Arrival, ArrivalStatus, Passage, Shift, Violation
from phongdich.core.models import AccessLog
from phongdich.core.roles import Role
from phongdich.people.models import ResidenceRecord, ResidenceStatus
from tests.checkpoints.conftest import API, post, state
from tests.conftest import client_for


@pytest.fixture
def officer(personas):
    return personas[Role.CHECKPOINT]


def test_the_officer_lists_only_checkpoints_of_their_district(officer, checkpoint, city_checkpoint, personas):
    r = client_for(officer).get(API)
    assert r.status_code == 200 and [c["name"] for c in r.json()] == ["Chốt Sín Thầu"]
    assert client_for(personas[Role.COMMUNE]).get(API).status_code == 403
    names = {c["name"] for c in client_for(personas[Role.POLICE]).get(API).json()}
    assert names == {"Chốt Sín Thầu", "Chốt Him Lam"}


def test_create_checkpoint_needs_manage_and_a_unit_in_the_area(personas, tree):
    body = {"name": "Chốt mới", "kind": "waterway", "unit_code": "03154", "client_uuid": str(uuid.uuid4())}
    before = state()
    assert post(client_for(personas[Role.CHECKPOINT]), "", body).status_code == 403
    assert post(client_for(personas[Role.DISTRICT]), "", body).status_code == 403  # city district, Sín Thầu is not
    assert post(client_for(personas[Role.HEALTH]), "", {**body, "kind": "river"}).status_code == 422
    assert post(client_for(personas[Role.HEALTH]), "", {**body, "unit_code": "99999"}).status_code == 422
    assert state() == before
    r = post(client_for(personas[Role.HEALTH]), "", body)
    assert r.status_code == 201 and r.json()["kind"] == "waterway"
    assert post(client_for(personas[Role.HEALTH]), "", body).status_code == 200


def test_shifts(personas, officer, checkpoint, city_checkpoint):
    manager = client_for(personas[Role.POLICE])
    body = {"checkpoint_id": str(checkpoint.pk), "officers": [officer.username]}
    assert post(client_for(officer), "/shifts", body).status_code == 403
    assert post(manager, "/shifts", {**body, "officers": ["nobody"]}).status_code == 422
    assert (
        post(manager, "/shifts", {**body, "checkpoint_id": str(city_checkpoint.pk)}).status_code == 422
    )  # officer of Mường Nhé
    assert not Shift.objects.exists()
    r = post(manager, "/shifts", body)
    assert r.status_code == 201 and r.json()["officers"] == [officer.username]
    shift_id = r.json()["id"]
    listed = client_for(officer).get(API + "/shifts", {"checkpoint_id": str(checkpoint.pk)})
    assert [s["id"] for s in listed.json()] == [shift_id]
    assert post(client_for(officer), f"/shifts/{shift_id}/end", {}).status_code == 403
    assert post(manager, f"/shifts/{shift_id}/end", {}).json()["ends_at"] is not None


def test_status_lookup_by_id_number(officer, checkpoint, city_checkpoint, make_person, personas):
    p = make_person("Lò Văn Về", id_number="110000007777")
    ResidenceRecord.objects.create(person=p, status=ResidenceStatus.TEMPORARILY_ABSENT)
    c = client_for(officer)
    r = c.get(API + "/status", {"checkpoint_id": str(checkpoint.pk), "id_number": "110000007777"})
    assert r.status_code == 200
    data = r.json()
    assert data["absent"] and data["full_name"] == "Lò Văn Về" and data["vaccination"] is None
    assert data["rule_set"] and "meets_requirement" in data
    assert AccessLog.objects.filter(object_id=str(p.pk), detail="checkpoint status").count() == 1
    assert c.get(API + "/status", {"checkpoint_id": str(checkpoint.pk), "id_number": "110000000000"}).status_code == 404
    assert c.get(API + "/status", {"checkpoint_id": str(checkpoint.pk), "token": "garbage"}).status_code == 404
    assert c.get(API + "/status", {"checkpoint_id": "not-a-uuid", "id_number": "1"}).status_code == 422
    assert (
        c.get(API + "/status", {"checkpoint_id": str(city_checkpoint.pk), "id_number": "110000007777"}).status_code
        == 404
    )
    other = client_for(personas[Role.COMMUNE])
    assert (
        other.get(API + "/status", {"checkpoint_id": str(checkpoint.pk), "id_number": "110000007777"}).status_code
        == 403
    )
    assert AccessLog.objects.filter(object_id=str(p.pk)).count() == 1


def test_record_a_passage_and_resend(officer, checkpoint, make_person, tree):
    p = make_person("Lò Văn Về")
    body = {
        "client_uuid": str(uuid.uuid4()),
        "checkpoint_id": str(checkpoint.pk),
        "person_id": str(p.pk),
        "outcome": "let_through",
        "origin_code": "03386",
        "destination_commune_code": "03124",
    }
    r = post(client_for(officer), "/passages", body)
    assert r.status_code == 201, r.content
    assert r.json()["origin_code"] == "03386" and r.json()["destination_commune_code"] == "03124"
    assert post(client_for(officer), "/passages", body).status_code == 200
    assert Passage.objects.count() == 1 and Arrival.objects.count() == 1
    listed = client_for(officer).get(API + "/passages").json()
    assert [x["id"] for x in listed] == [r.json()["id"]]


def test_a_passage_of_an_unknown_id_number_creates_the_person(officer, checkpoint):
    body = {"checkpoint_id": str(checkpoint.pk), "id_number": "110000004444", "outcome": "sent_for_testing"}
    before = state()
    r = post(client_for(officer), "/passages", body)
    assert r.status_code == 422 and "full_name" in str(r.json())
    assert state() == before
    r = post(client_for(officer), "/passages", {**body, "full_name": "Cà Văn 123"})
    assert r.status_code == 422 and "full_name" in str(r.json())
    assert state() == before
    r = post(client_for(officer), "/passages", {**body, "full_name": "  cà   văn lạ "})
    assert r.status_code == 201


@pytest.mark.parametrize(
    "change",
    [
        {"outcome": "waved"},
        {"origin_code": "nowhere"},
        {"destination_commune_code": "094"},
        {"passed_at": "2019-06-01T00:00:00+07:00"},
        {"passed_at": "not a date"},
        {"person_id": "not-a-uuid"},
        {"person_id": str(uuid.uuid4())},
    ],
)
def test_bad_passages_answer_422_and_write_nothing(officer, checkpoint, make_person, change):
    p = make_person("Lò Văn Về")
    body = {"checkpoint_id": str(checkpoint.pk), "person_id": str(p.pk), "outcome": "let_through", **change}
    before = state()
    r = post(client_for(officer), "/passages", body)
    assert r.status_code == 422, r.content
    assert "detail" in r.json()
    assert state() == before


def test_passages_refused_by_role_and_area(personas, checkpoint, city_checkpoint, make_person, officer):
    p = make_person("Lò Văn Về")
    body = {"checkpoint_id": str(checkpoint.pk), "person_id": str(p.pk), "outcome": "let_through"}
    before = state()
    assert post(client_for(personas[Role.COMMUNE]), "/passages", body).status_code == 403
    assert post(client_for(personas[Role.HEALTH]), "/passages", body).status_code == 403
    assert post(client_for(officer), "/passages", {**body, "checkpoint_id": str(city_checkpoint.pk)}).status_code == 404
    assert post(client_for(None), "/passages", body).status_code == 401
    assert state() == before


def test_sync_endpoint_is_idempotent(officer, checkpoint, make_person):
    make_person("Lò Văn Về", id_number="110000001212")
    items = [
        {
            "client_uuid": str(uuid.uuid4()),
            "id_number": "110000001212",
            "outcome": "let_through",
            "destination_commune_code": "03124",
            "passed_at": timezone.now().isoformat(),
        },
        {"client_uuid": str(uuid.uuid4()), "id_number": "110000001212", "outcome": "nonsense"},
        {
            "client_uuid": str(uuid.uuid4()),
            "id_number": "110000001212",
            "outcome": "let_through",
            "destination_commune_code": "zzz",
        },
    ]
    body = {"checkpoint_id": str(checkpoint.pk), "passages": items}
    r = post(client_for(officer), "/passages/sync", body)
    assert r.status_code == 200, r.content
    first = r.json()
    assert (first["new"], first["known"], first["errors"]) == (1, 0, 2)
    assert [x["client_uuid"] for x in first["results"]] == [i["client_uuid"] for i in items]
    again = post(client_for(officer), "/passages/sync", body).json()
    assert (again["new"], again["known"], again["errors"]) == (0, 1, 2)
    assert Passage.objects.count() == 1 and Arrival.objects.count() == 1


def test_sync_refused_by_role_and_area(personas, checkpoint, city_checkpoint, officer):
    items = [
        {"client_uuid": str(uuid.uuid4()), "id_number": "110000001212", "full_name": "A B", "outcome": "let_through"}
    ]
    before = state()
    assert (
        post(
            client_for(personas[Role.COMMUNE]),
            "/passages/sync",
            {"checkpoint_id": str(checkpoint.pk), "passages": items},
        ).status_code
        == 403
    )
    assert (
        post(
            client_for(officer), "/passages/sync", {"checkpoint_id": str(city_checkpoint.pk), "passages": items}
        ).status_code
        == 404
    )
    assert (
        post(client_for(officer), "/passages/sync", {"checkpoint_id": str(checkpoint.pk), "passages": "x"}).status_code
        == 422
    )
    assert state() == before


def test_snapshot_is_access_logged_and_only_for_operators(officer, checkpoint, make_person, personas):
    p = make_person("Lò Văn Thị Về", id_number="110000008888")
    ResidenceRecord.objects.create(person=p, status=ResidenceStatus.TEMPORARILY_ABSENT)
    make_person("Người Không Gì")
    r = client_for(officer).get(API + "/snapshot", {"checkpoint_id": str(checkpoint.pk)})
    assert r.status_code == 200
    data = r.json()
    assert data["rows"] == [["110000008888", -1, 1, "Lò V. T. Về"]]
    assert AccessLog.objects.filter(channel="export", object_id=str(checkpoint.pk)).count() == 1
    since = data["generated_at"]
    assert (
        client_for(officer).get(API + "/changes", {"checkpoint_id": str(checkpoint.pk), "since": since}).json()["rows"]
        == []
    )
    assert (
        client_for(personas[Role.COMMUNE]).get(API + "/snapshot", {"checkpoint_id": str(checkpoint.pk)}).status_code
        == 403
    )
    assert AccessLog.objects.filter(channel="export").count() == 2


def test_vehicle_passage_api(officer, checkpoint, make_person, personas):
    a = make_person("Khách A")
    make_person("Khách B", id_number="110000006666")
    body = {
        "client_uuid": str(uuid.uuid4()),
        "checkpoint_id": str(checkpoint.pk),
        "plate": "27B-012.34",
        "kind": "car",
        "seats": 1,
        "passengers": [{"person_id": str(a.pk)}, {"id_number": "110000006666"}],
    }
    before = state()
    assert post(client_for(officer), "/vehicle-passages", {**body, "plate": "???"}).status_code == 422
    assert (
        post(client_for(officer), "/vehicle-passages", {**body, "passengers": [{"id_number": "1"}]}).status_code == 422
    )
    assert post(client_for(personas[Role.COMMUNE]), "/vehicle-passages", body).status_code == 403
    assert state() == before
    r = post(client_for(officer), "/vehicle-passages", body)
    assert r.status_code == 201 and r.json()["over_capacity"] and len(r.json()["passage_ids"]) == 2
    assert post(client_for(officer), "/vehicle-passages", body).status_code == 200
    assert Violation.objects.count() == 1
    found = client_for(officer).get(API + "/vehicles", {"plate": "27b01234"}).json()
    assert [v["plate_display"] for v in found] == ["27B-012.34"]
    assert client_for(officer).get(API + "/vehicles", {"plate": "bad plate"}).status_code == 422


def test_arrivals_for_the_commune(officer, checkpoint, make_person, tree, personas, outsider):
    p = make_person("Lò Văn Về")
    actions.record_passage(officer, checkpoint, p, outcome="let_through", destination_commune=tree.noong_bua)
    commune = client_for(personas[Role.COMMUNE])
    listed = commune.get(API + "/arrivals").json()
    assert [a["full_name"] for a in listed] == ["Lò Văn Về"] and listed[0]["checkpoint"] == "Chốt Sín Thầu"
    assert client_for(outsider).get(API + "/arrivals").json() == []
    assert client_for(officer).get(API + "/arrivals").status_code == 403
    arrival_id = listed[0]["id"]
    before = state()
    assert post(client_for(outsider), f"/arrivals/{arrival_id}/confirm", {}).status_code == 404
    assert post(client_for(personas[Role.STEERING]), f"/arrivals/{arrival_id}/confirm", {}).status_code == 403
    assert state() == before
    r = post(commune, f"/arrivals/{arrival_id}/confirm", {"monitoring_arranged": True})
    assert r.status_code == 200 and r.json()["status"] == ArrivalStatus.CONFIRMED


def test_violations_api(officer, checkpoint, make_person, personas, outsider):
    p = make_person("Lò Văn Trốn")
    passage, _ = actions.record_passage(officer, checkpoint, p, outcome="turned_back")
    body = {"kind": "dodging_checkpoint", "passage_id": str(passage.pk), "client_uuid": str(uuid.uuid4())}
    before = state()
    assert post(client_for(personas[Role.HEALTH]), "/violations", body).status_code == 403
    assert post(client_for(personas[Role.COMMUNE]), "/violations", body).status_code == 404  # Noong Bua
    assert post(client_for(officer), "/violations", {**body, "kind": "speeding"}).status_code == 422
    assert post(client_for(officer), "/violations", {"kind": "dodging_checkpoint"}).status_code == 422
    assert post(client_for(officer), "/violations", {"kind": "over_capacity", "plate": "??"}).status_code == 422
    assert state() == before
    r = post(client_for(officer), "/violations", body)
    assert r.status_code == 201 and r.json()["person_id"] == str(p.pk)
    assert post(client_for(officer), "/violations", body).status_code == 200
    assert [v["kind"] for v in client_for(officer).get(API + "/violations").json()] == ["dodging_checkpoint"]
    assert client_for(personas[Role.COMMUNE]).get(API + "/violations").json() == []
    assert len(client_for(outsider).get(API + "/violations").json()) == 1  # Sín Thầu, where the checkpoint is


def test_status_lookup_by_declaration_qr_token(officer, checkpoint, tree):
    from phongdich.declarations.actions import DeclarationData, submit_declaration
    from phongdich.declarations.tokens import make_token

    declaration, _ = submit_declaration(
        DeclarationData(
            kind="arrival_province",
            full_name="Lò Văn Khai",
            phone="+84912345678",
            destination=tree.noong_bua,
            id_number="110000009191",
            origin_province=tree.lai_chau,
        ),
        client_uuid=uuid.uuid4(),
    )
    c = client_for(officer)
    r = c.get(API + "/status", {"checkpoint_id": str(checkpoint.pk), "token": make_token(declaration.reference)})
    assert r.status_code == 200, r.content
    data = r.json()
    assert data["declaration_id"] == str(declaration.pk) and data["declared_at"]
    assert data["origin_code"] == "12" and data["destination_commune_code"] == "03124"
    by_number = c.get(API + "/status", {"checkpoint_id": str(checkpoint.pk), "id_number": "110000009191"}).json()
    assert by_number["declared_at"] and by_number["person_id"] == data["person_id"]
    tampered = make_token(declaration.reference)[:-2] + "xx"
    assert c.get(API + "/status", {"checkpoint_id": str(checkpoint.pk), "token": tampered}).status_code == 404
