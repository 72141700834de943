"""Management pages: checkpoints, shifts, vehicles and vehicle passages, violations.

Each page for the roles that matter: refusals (403 role, 404 outside the area) leave nothing
written, bad input is a form error (400, nothing written), a double submit is one record, and the
happy paths write the rows the actions write.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

import pytest
from django.utils import timezone

from phongdich.checkpoints import actions
from phongdich.checkpoints.models import (
    Arrival,
    Checkpoint,
    CheckpointKind,
    Passage,
    Shift,
    Vehicle,
    VehiclePassage,
    Violation,
    ViolationKind,
)
from phongdich.core.models import AuditLog, User
from phongdich.core.roles import Role
from tests.checkpoints.conftest import state
from tests.conftest import client_for


@pytest.fixture
def officer(personas: dict[Role, User]) -> User:
    """Checkpoint officer of Huyện Mường Nhé: operates, records violations, does not manage."""
    return personas[Role.CHECKPOINT]


@pytest.fixture
def police(personas: dict[Role, User]) -> User:
    """Provincial police: operates and manages checkpoints, records violations."""
    return personas[Role.POLICE]


def everything() -> tuple[Any, ...]:
    return (*state(), Shift.objects.count(), list(Shift.objects.values_list("pk", "ends_at").order_by("pk")))


def local(dt: datetime.datetime) -> str:
    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


def html(response: Any) -> str:
    return response.content.decode()


# Checkpoints -------------------------------------------------------------------------------------


def _new_checkpoint(tree: Any, **kw: Any) -> dict[str, str]:
    data = {
        "name": "Chốt bến phà Sen Thượng",
        "kind": CheckpointKind.WATERWAY,
        "unit": str(tree.sen_thuong.pk),
        "place": "Bến phà km 12",
        "client_uuid": str(uuid.uuid4()),
    }
    data.update(kw)
    return data


def test_create_a_checkpoint_needs_manage(personas, tree, officer):
    before = everything()
    assert client_for(officer).get("/checkpoints/new/").status_code == 403
    assert client_for(officer).post("/checkpoints/new/", _new_checkpoint(tree)).status_code == 403
    assert client_for(personas[Role.COMMUNE]).post("/checkpoints/new/", _new_checkpoint(tree)).status_code == 403
    assert client_for(None).get("/checkpoints/new/").status_code == 302
    assert everything() == before


def test_the_unit_is_chosen_inside_the_area(personas, tree):
    district = client_for(personas[Role.DISTRICT])  # Thành phố Điện Biên Phủ
    page = html(district.get("/checkpoints/new/"))
    assert "Phường Noong Bua" in page and "Xã Sen Thượng" not in page
    before = everything()
    r = district.post("/checkpoints/new/", _new_checkpoint(tree))  # Sen Thượng is in Mường Nhé
    assert r.status_code == 400 and "errorlist" in html(r)
    assert everything() == before


@pytest.mark.parametrize(
    "bad",
    [{"name": "  "}, {"kind": "river"}, {"unit": ""}, {"unit": "999999"}, {"unit": "not-a-number"}],
)
def test_bad_checkpoint_input_is_a_form_error(personas, tree, bad):
    before = everything()
    r = client_for(personas[Role.HEALTH]).post("/checkpoints/new/", _new_checkpoint(tree, **bad))
    assert r.status_code == 400 and "errorlist" in html(r)
    assert everything() == before


def test_create_a_checkpoint_once(personas, tree):
    health = client_for(personas[Role.HEALTH])
    data = _new_checkpoint(tree)
    r = health.post("/checkpoints/new/", data)
    cp = Checkpoint.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/checkpoints/{cp.pk}/"
    assert (cp.kind, cp.commune_id, cp.district_id, cp.province_id) == (
        CheckpointKind.WATERWAY,
        tree.sen_thuong.pk,
        tree.muong_nhe.pk,
        tree.province.pk,
    )
    assert AuditLog.objects.filter(action="checkpoint.create", object_id=str(cp.pk)).count() == 1
    assert health.post("/checkpoints/new/", data).status_code == 302  # a double submit
    assert Checkpoint.objects.count() == 1
    assert AuditLog.objects.filter(action="checkpoint.create").count() == 1


def test_a_whole_district_checkpoint(personas, tree):
    r = client_for(personas[Role.HEALTH]).post("/checkpoints/new/", _new_checkpoint(tree, unit=str(tree.muong_nhe.pk)))
    assert r.status_code == 302
    cp = Checkpoint.objects.get()
    assert cp.district_id == tree.muong_nhe.pk and cp.commune_id is None


def test_edit_a_checkpoint(personas, checkpoint, city_checkpoint, officer, police):
    url = f"/checkpoints/{checkpoint.pk}/edit/"
    data = {"name": "Chốt Sín Thầu mới", "kind": CheckpointKind.BORDER_GATE, "place": "Mốc 17", "active": ""}
    before = everything()
    assert client_for(officer).get(url).status_code == 403
    assert client_for(officer).post(url, data).status_code == 403
    assert client_for(personas[Role.DISTRICT]).post(url, data).status_code == 404  # the city's district officer
    assert client_for(police).post(url, {**data, "name": ""}).status_code == 400
    assert client_for(police).post(url, {**data, "kind": "river"}).status_code == 400
    assert everything() == before
    page = client_for(police).get(url)
    assert page.status_code == 200 and "Chốt Sín Thầu" in html(page) and 'name="unit"' not in html(page)
    r = client_for(police).post(url, data)
    assert r.status_code == 302 and r["Location"] == f"/checkpoints/{checkpoint.pk}/"
    checkpoint.refresh_from_db()
    assert (checkpoint.name, checkpoint.kind, checkpoint.place, checkpoint.active) == (
        "Chốt Sín Thầu mới",
        CheckpointKind.BORDER_GATE,
        "Mốc 17",
        False,
    )
    row = AuditLog.objects.get(action="checkpoint.update")
    assert row.before == {"name": "Chốt Sín Thầu", "kind": "road", "place": "", "active": True}
    assert row.after["active"] is False
    client_for(police).post(url, data)  # unchanged: no second audit row
    assert AuditLog.objects.filter(action="checkpoint.update").count() == 1
    assert checkpoint.commune_id is not None  # the unit stays


def test_the_landing_page_lists_checkpoints_with_todays_figures(personas, checkpoint, city_checkpoint, officer, police):
    actions.record_vehicle_passage(officer, checkpoint, plate="27B-012.34", seats=4, people_carried=7)
    actions.start_shift(police, checkpoint, [officer])
    r = client_for(officer).get("/checkpoints/")
    page = html(r)
    assert r.status_code == 200 and f"/checkpoints/{checkpoint.pk}/" in page and "Chốt Him Lam" not in page
    assert "/checkpoints/new/" not in page  # the officer does not manage
    assert "cp-closed" not in page and "badge danger" in page  # over capacity today
    assert "/checkpoints/new/" in html(client_for(police).get("/checkpoints/"))


# Checkpoint page and shifts ------------------------------------------------------------------------


def test_the_checkpoint_page_by_role_and_area(personas, checkpoint, city_checkpoint, officer, police):
    url = f"/checkpoints/{checkpoint.pk}/"
    r = client_for(officer).get(url)
    assert r.status_code == 200 and "Chốt Sín Thầu" in html(r)
    assert 'id="start-shift"' not in html(r) and f"/checkpoints/{checkpoint.pk}/vehicle-passage/" in html(r)
    assert client_for(officer).get(f"/checkpoints/{city_checkpoint.pk}/").status_code == 404
    assert client_for(officer).get(f"/checkpoints/{uuid.uuid4()}/").status_code == 404
    assert client_for(personas[Role.COMMUNE]).get(url).status_code == 403
    assert client_for(personas[Role.DISTRICT]).get(url).status_code == 404
    r = client_for(personas[Role.HEALTH]).get(url)  # manages, does not operate
    assert r.status_code == 200 and 'id="start-shift"' in html(r) and "/vehicle-passage/" not in html(r)


def _shift(officers: list[User], **kw: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "officers": [str(o.pk) for o in officers],
        "starts_at": "",
        "ends_at": "",
        "note": "Ca sáng",
        "client_uuid": str(uuid.uuid4()),
    }
    data.update(kw)
    return data


def test_start_a_shift_refusals(personas, checkpoint, city_checkpoint, officer, police):
    url = f"/checkpoints/{checkpoint.pk}/shifts/"
    before = everything()
    assert client_for(officer).post(url, _shift([officer])).status_code == 403
    assert client_for(personas[Role.DISTRICT]).post(url, _shift([officer])).status_code == 404
    assert client_for(police).get(url).status_code == 405
    manager = client_for(police)
    # The city's district officer is not of Mường Nhé, and the Mường Nhé officer is not of the city.
    r = manager.post(url, _shift([personas[Role.DISTRICT]]))
    assert r.status_code == 400 and "errorlist" in html(r)
    r = manager.post(f"/checkpoints/{city_checkpoint.pk}/shifts/", _shift([officer]))
    assert r.status_code == 400
    now = timezone.now()
    r = manager.post(url, _shift([officer], starts_at=local(now), ends_at=local(now - datetime.timedelta(hours=2))))
    assert r.status_code == 400 and "Ca trực phải kết thúc sau khi bắt đầu." in html(r)
    r = manager.post(url, _shift([officer], starts_at="31/02/2021 08:00"))
    assert r.status_code == 400
    r = manager.post(url, _shift([officer], client_uuid="not-a-uuid"))
    assert r.status_code == 400
    assert everything() == before


def test_start_and_end_a_shift(personas, checkpoint, officer, police):
    manager = client_for(police)
    url = f"/checkpoints/{checkpoint.pk}/shifts/"
    earlier = timezone.now() - datetime.timedelta(hours=30)
    actions.start_shift(police, checkpoint, [officer], starts_at=earlier, ends_at=earlier + datetime.timedelta(hours=8))
    data = _shift([officer, personas[Role.HEALTH]])
    r = manager.post(url, data)
    assert r.status_code == 302 and r["Location"] == f"/checkpoints/{checkpoint.pk}/"
    assert manager.post(url, data).status_code == 302  # a double submit
    shift = Shift.objects.get(client_uuid=data["client_uuid"])
    assert Shift.objects.count() == 2 and shift.ends_at is None and shift.note == "Ca sáng"
    assert set(shift.officers.all()) == {officer, personas[Role.HEALTH]}
    page = html(manager.get(f"/checkpoints/{checkpoint.pk}/"))
    assert page.index("Ca sáng") < page.index(timezone.localtime(earlier).strftime("%H:%M %d/%m/%Y"))  # newest first
    assert f"/checkpoints/shifts/{shift.pk}/end/" in page

    end = f"/checkpoints/shifts/{shift.pk}/end/"
    before = everything()
    assert client_for(officer).post(end).status_code == 403
    assert client_for(personas[Role.DISTRICT]).post(end).status_code == 404
    assert client_for(police).post(f"/checkpoints/shifts/{uuid.uuid4()}/end/").status_code == 404
    assert manager.get(end).status_code == 405
    assert everything() == before
    r = manager.post(end)
    assert r.status_code == 302 and r["Location"] == f"/checkpoints/{checkpoint.pk}/"
    shift.refresh_from_db()
    assert shift.ends_at is not None
    ended = shift.ends_at
    assert manager.post(end).status_code == 302  # again: nothing changes
    shift.refresh_from_db()
    assert shift.ends_at == ended
    assert AuditLog.objects.filter(action="checkpoint.shift.end", object_id=str(shift.pk)).count() == 1


# Vehicles ------------------------------------------------------------------------------------------


def _vehicle(**kw: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "plate": "27B-012.34",
        "kind": "car",
        "seats": "4",
        "direction": "in",
        "origin": "",
        "destination": "",
        "driver": "",
        "owner": "",
        "passengers": "",
        "passenger_outcome": "let_through",
        "people_carried": "",
        "passed_at": "",
        "client_uuid": str(uuid.uuid4()),
    }
    data.update(kw)
    return data


def test_the_vehicle_passage_form_by_role_and_area(personas, checkpoint, city_checkpoint, officer, police):
    url = f"/checkpoints/{checkpoint.pk}/vehicle-passage/"
    assert client_for(officer).get(url).status_code == 200
    assert client_for(police).get(url).status_code == 200
    before = everything()
    elsewhere = f"/checkpoints/{city_checkpoint.pk}/vehicle-passage/"
    assert client_for(officer).get(elsewhere).status_code == 404
    assert client_for(officer).post(elsewhere, _vehicle()).status_code == 404
    assert client_for(personas[Role.HEALTH]).post(url, _vehicle()).status_code == 403  # manages, does not operate
    assert client_for(personas[Role.COMMUNE]).post(url, _vehicle()).status_code == 403
    assert everything() == before


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ({"plate": "???"}, "Nhập biển số xe Việt Nam hợp lệ"),
        ({"plate": ""}, "errorlist"),
        ({"seats": "0"}, "errorlist"),
        ({"kind": "tank"}, "errorlist"),
        ({"passengers": "123"}, "Nhập số CMND 9 số hoặc CCCD 12 số."),
        ({"passengers": "110099999999"}, "110099999999"),
        ({"driver": "110099999998"}, "errorlist"),
        ({"origin": "999999"}, "errorlist"),
        ({"people_carried": "-1"}, "errorlist"),
        ({"passed_at": "not a time"}, "errorlist"),
        ({"client_uuid": ""}, "errorlist"),
    ],
)
def test_bad_vehicle_input_is_a_form_error(checkpoint, officer, bad, message):
    before = everything()
    r = client_for(officer).post(f"/checkpoints/{checkpoint.pk}/vehicle-passage/", _vehicle(**bad))
    assert r.status_code == 400 and message in html(r)
    assert everything() == before


def test_refusals_of_the_action_show_on_the_form(checkpoint, officer, make_person, police):
    a = make_person("Khách A")
    url = f"/checkpoints/{checkpoint.pk}/vehicle-passage/"
    before = everything()
    future = local(timezone.now() + datetime.timedelta(hours=3))
    r = client_for(officer).post(url, _vehicle(passed_at=future))
    assert r.status_code == 400 and "Thời điểm không được ở tương lai." in html(r)
    r = client_for(officer).post(url, _vehicle(passengers=f"{a.id_number}\n{a.id_number}"))
    assert r.status_code == 400 and "errorlist" in html(r)
    r = client_for(officer).post(url, _vehicle(passengers=a.id_number, people_carried="0"))
    assert r.status_code == 400
    actions.update_checkpoint(police, checkpoint, name=checkpoint.name, kind=checkpoint.kind, active=False)
    before = everything()
    r = client_for(officer).post(url, _vehicle())
    assert r.status_code == 400 and "Chốt này đã đóng." in html(r)
    assert everything() == before


def test_record_a_vehicle_with_its_passengers_once(tree, checkpoint, officer, make_person):
    a = make_person("Khách A")
    b = make_person("Khách B")
    driver = make_person("Tài xế C", unit=tree.quyet_thang)  # lives in Lai Châu
    data = _vehicle(
        plate="27b01234",
        seats="2",
        people_carried="5",
        passengers=f"{a.id_number}\n{b.id_number}",
        driver=driver.id_number,
        origin=str(tree.lai_chau.pk),
        destination=str(tree.noong_bua.pk),
    )
    url = f"/checkpoints/{checkpoint.pk}/vehicle-passage/"
    r = client_for(officer).post(url, data)
    vp = VehiclePassage.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/checkpoints/vehicles/{vp.vehicle_id}/"
    assert client_for(officer).post(url, data).status_code == 302  # a double submit
    assert VehiclePassage.objects.count() == 1 and Passage.objects.count() == 2
    assert (vp.vehicle.plate, vp.vehicle.plate_display, vp.vehicle.seats) == ("27B01234", "27B-012.34", 2)
    assert vp.passengers == 5 and vp.over_capacity and vp.driver == driver and vp.officer == officer
    assert (vp.origin, vp.destination, vp.commune_id) == (tree.lai_chau, tree.noong_bua, tree.sin_thau.pk)
    assert {p.person for p in vp.people.all()} == {a, b}
    assert Arrival.objects.filter(commune=tree.noong_bua).count() == 2  # let through, home to Noong Bua
    violation = Violation.objects.get()
    assert violation.kind == ViolationKind.OVER_CAPACITY and violation.vehicle_passage == vp
    assert violation.driver == driver
    page = html(client_for(officer).get(r["Location"]))
    assert "27B-012.34" in page and "Khách A" in page and "Khách B" in page and "Tài xế C" in page


def test_the_vehicle_list_of_the_area(personas, tree, checkpoint, city_checkpoint, officer, police):
    actions.record_vehicle_passage(officer, checkpoint, plate="27B-012.34", seats=4, people_carried=7)
    actions.record_vehicle_passage(officer, checkpoint, plate="29A-123.45", kind="coach", seats=29)
    actions.record_vehicle_passage(police, city_checkpoint, plate="30E-555.55")
    r = client_for(officer).get("/checkpoints/vehicles/")
    page = html(r)
    assert r.status_code == 200 and "27B-012.34" in page and "29A-123.45" in page and "30E-555.55" not in page
    assert page.count('class="cp-over"') == 1 and "7<span" in page
    assert "Phương tiện" in page  # Vietnamese by default
    page = html(client_for(officer).get("/checkpoints/vehicles/", {"plate": "29a12345"}))
    assert "29A-123.45" in page and "27B-012.34" not in page
    page = html(client_for(officer).get("/checkpoints/vehicles/", {"over_capacity": "on"}))
    assert "27B-012.34" in page and "29A-123.45" not in page
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    assert "27B-012.34" not in html(client_for(officer).get("/checkpoints/vehicles/", {"day": tomorrow}))
    assert "30E-555.55" in html(client_for(police).get("/checkpoints/vehicles/"))
    assert "30E-555.55" in html(client_for(personas[Role.DISTRICT]).get("/checkpoints/vehicles/"))
    assert "27B-012.34" not in html(client_for(personas[Role.DISTRICT]).get("/checkpoints/vehicles/"))
    assert client_for(personas[Role.COMMUNE]).get("/checkpoints/vehicles/").status_code == 403
    r = client_for(officer).get("/checkpoints/vehicles/", {"plate": "bad plate"})
    assert r.status_code == 400 and "Nhập biển số xe Việt Nam hợp lệ" in html(r)
    assert client_for(officer).get("/checkpoints/vehicles/", {"day": "32/13/2021"}).status_code == 400
    assert client_for(officer).get("/checkpoints/vehicles/", {"checkpoint": "nope"}).status_code == 400


def test_the_vehicle_page_by_role_and_area(personas, checkpoint, officer, make_person):
    a = make_person("Khách A")
    vp, _ = actions.record_vehicle_passage(
        officer, checkpoint, plate="27B-012.34", seats=4, passengers=[actions.Passenger(a)]
    )
    url = f"/checkpoints/vehicles/{vp.vehicle_id}/"
    r = client_for(officer).get(url)
    assert r.status_code == 200 and "Khách A" in html(r) and "27B-012.34" in html(r)
    assert f"/checkpoints/violations/new/?vehicle_passage={vp.pk}" in html(r)
    assert client_for(personas[Role.HEALTH]).get(url).status_code == 200  # manages, province
    assert client_for(personas[Role.DISTRICT]).get(url).status_code == 404  # seen only in Mường Nhé
    assert client_for(personas[Role.COMMUNE]).get(url).status_code == 403
    assert client_for(officer).get(f"/checkpoints/vehicles/{uuid.uuid4()}/").status_code == 404


# Violations ----------------------------------------------------------------------------------------


def _violation(**kw: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "kind": ViolationKind.DODGING_CHECKPOINT,
        "person": "",
        "plate": "",
        "owner": "",
        "driver": "",
        "occurred_at": "",
        "note": "Đi đường mòn",
        "client_uuid": str(uuid.uuid4()),
    }
    data.update(kw)
    return data


def test_the_violation_list_of_the_area(personas, tree, checkpoint, officer, make_person, outsider):
    p = make_person("Lò Văn Trốn")
    at = {"person": p, "unit": tree.sin_thau}
    actions.record_violation(officer, ViolationKind.DODGING_CHECKPOINT, note="Trốn chốt sáng", **at)
    actions.record_violation(officer, ViolationKind.MISSING_DECLARATION, note="Không khai báo chiều", **at)
    page = html(client_for(officer).get("/checkpoints/violations/"))
    assert "Trốn chốt sáng" in page and "Không khai báo chiều" in page and "Lò Văn Trốn" in page
    assert "Trốn chốt sáng" in html(client_for(outsider).get("/checkpoints/violations/"))  # Sín Thầu
    assert "Trốn chốt sáng" not in html(client_for(personas[Role.COMMUNE]).get("/checkpoints/violations/"))  # Noong Bua
    assert client_for(personas[Role.HEALTH]).get("/checkpoints/violations/").status_code == 403
    page = html(client_for(officer).get("/checkpoints/violations/", {"kind": "missing_declaration"}))
    assert "Không khai báo chiều" in page and "Trốn chốt sáng" not in page
    today = timezone.localdate()
    page = html(client_for(officer).get("/checkpoints/violations/", {"since": today.strftime("%d/%m/%Y")}))
    assert "Trốn chốt sáng" in page
    tomorrow = (today + datetime.timedelta(days=1)).isoformat()
    assert "Trốn chốt sáng" not in html(client_for(officer).get("/checkpoints/violations/", {"since": tomorrow}))
    yesterday = (today - datetime.timedelta(days=1)).isoformat()
    assert "Trốn chốt sáng" not in html(client_for(officer).get("/checkpoints/violations/", {"until": yesterday}))
    assert client_for(officer).get("/checkpoints/violations/", {"since": "hôm qua"}).status_code == 400
    r = client_for(officer).get("/checkpoints/violations/", {"since": tomorrow, "until": yesterday})
    assert r.status_code == 400 and "Trốn chốt sáng" not in html(r)
    assert client_for(officer).get("/checkpoints/violations/", {"kind": "speeding"}).status_code == 400


def test_record_a_violation_refusals(personas, tree, checkpoint, city_checkpoint, officer, make_person):
    home = make_person("Người Noong Bua")
    far = make_person("Người Sín Thầu", unit=tree.ban_sin_thau)
    vp, _ = actions.record_vehicle_passage(officer, checkpoint, plate="27B-012.34")
    commune = client_for(personas[Role.COMMUNE])
    before = everything()
    assert client_for(personas[Role.HEALTH]).get("/checkpoints/violations/new/").status_code == 403
    assert client_for(personas[Role.HEALTH]).post("/checkpoints/violations/new/", _violation()).status_code == 403
    assert commune.get(f"/checkpoints/violations/new/?vehicle_passage={vp.pk}").status_code == 404
    assert commune.post(f"/checkpoints/violations/new/?vehicle_passage={vp.pk}", _violation()).status_code == 404
    assert commune.get("/checkpoints/violations/new/?vehicle_passage=nope").status_code == 404
    for bad, message in [
        ({"person": home.id_number, "kind": "speeding"}, "errorlist"),
        ({}, "Hãy cho biết người hoặc phương tiện vi phạm."),  # against nobody
        ({"plate": "??"}, "Nhập biển số xe Việt Nam hợp lệ"),
        ({"person": "12"}, "Nhập số CMND 9 số hoặc CCCD 12 số."),
        ({"person": "110099999997"}, "errorlist"),
        ({"person": far.id_number}, "errorlist"),  # outside Noong Bua
        ({"driver": far.id_number}, "errorlist"),
        ({"person": home.id_number, "occurred_at": local(timezone.now() + datetime.timedelta(days=1))}, "tương lai"),
        ({"person": home.id_number, "client_uuid": ""}, "errorlist"),
    ]:
        r = commune.post("/checkpoints/violations/new/", _violation(**bad))
        assert r.status_code == 400 and message in html(r), bad
    assert everything() == before


def test_record_a_violation_against_a_person_once(personas, tree, make_person):
    p = make_person("Người Noong Bua")
    commune = client_for(personas[Role.COMMUNE])
    assert commune.get("/checkpoints/violations/new/").status_code == 200
    data = _violation(kind=ViolationKind.UNTRUTHFUL_DECLARATION, person=p.id_number)
    r = commune.post("/checkpoints/violations/new/", data)
    assert r.status_code == 302 and r["Location"] == "/checkpoints/violations/"
    assert commune.post("/checkpoints/violations/new/", data).status_code == 302  # a double submit
    v = Violation.objects.get()
    assert (v.kind, v.person, v.commune_id, v.note) == ("untruthful_declaration", p, tree.noong_bua.pk, "Đi đường mòn")
    assert v.recorded_by == personas[Role.COMMUNE]
    assert AuditLog.objects.filter(action="violation.record").count() == 1
    assert "Đi đường mòn" in html(commune.get("/checkpoints/violations/"))


def test_record_a_violation_on_a_vehicle_passage(tree, checkpoint, officer, make_person):
    owner = make_person("Chủ xe", unit=tree.quyet_thang)
    driver = make_person("Tài xế", unit=tree.quyet_thang)
    vp, _ = actions.record_vehicle_passage(officer, checkpoint, plate="27B-012.34", owner=owner, driver=driver)
    url = f"/checkpoints/violations/new/?vehicle_passage={vp.pk}"
    page = html(client_for(officer).get(url))
    assert "27B-012.34" in page and "Chốt Sín Thầu" in page
    r = client_for(officer).post(url, _violation(kind=ViolationKind.HIGH_RISK_PASSENGERS))
    assert r.status_code == 302
    v = Violation.objects.get()
    assert (v.vehicle_passage, v.vehicle, v.owner, v.driver) == (vp, vp.vehicle, owner, driver)
    assert v.commune_id == tree.sin_thau.pk  # the checkpoint's area
    assert "Chủ xe" in html(client_for(officer).get(f"/checkpoints/vehicles/{vp.vehicle_id}/"))


def test_record_a_violation_against_a_plate_only(tree, officer):
    r = client_for(officer).post("/checkpoints/violations/new/", _violation(plate="29a-123.45"))
    assert r.status_code == 302
    v = Violation.objects.get()
    assert v.vehicle == Vehicle.objects.get(plate="29A12345") and v.person is None
    assert v.district_id == tree.muong_nhe.pk  # the officer's unit
    assert "29A-123.45" in html(client_for(officer).get("/checkpoints/violations/"))


# Navigation ----------------------------------------------------------------------------------------


def test_the_new_pages_are_in_the_navigation_of_the_roles_that_may_open_them(personas):
    from tests.core.test_navigation import nav_links

    def links(role: Role) -> list[str]:
        return nav_links(html(client_for(personas[role]).get("/")))

    assert {"/checkpoints/vehicles/", "/checkpoints/violations/"} <= set(links(Role.CHECKPOINT))
    assert {"/checkpoints/vehicles/", "/checkpoints/violations/"} <= set(links(Role.POLICE))
    assert "/checkpoints/vehicles/" in links(Role.HEALTH) and "/checkpoints/violations/" not in links(Role.HEALTH)
    assert "/checkpoints/violations/" in links(Role.COMMUNE) and "/checkpoints/vehicles/" not in links(Role.COMMUNE)
    assert not {"/checkpoints/vehicles/", "/checkpoints/violations/"} & set(links(Role.STEERING))


# Queries and the actions' guards -----------------------------------------------------------------


def test_the_vehicle_and_violation_lists_do_not_grow_queries_with_rows(
    tree, checkpoint, officer, make_person, django_assert_max_num_queries
):
    made = iter(range(100))

    def add(n: int) -> None:
        for _ in range(n):
            i = next(made)
            driver = make_person(f"Tài xế Số {i}")
            plate = f"27B-{100 + i:03d}.45"
            actions.record_vehicle_passage(officer, checkpoint, plate=plate, seats=1, people_carried=2, driver=driver)

    add(1)
    client = client_for(officer)
    client.get("/checkpoints/vehicles/")  # warm the session
    for url in ("/checkpoints/vehicles/", "/checkpoints/violations/"):
        with django_assert_max_num_queries(8):
            assert client.get(url).status_code == 200
    add(6)
    for url in ("/checkpoints/vehicles/", "/checkpoints/violations/"):
        with django_assert_max_num_queries(8):
            assert client.get(url).status_code == 200


def test_a_closed_checkpoint_takes_no_vehicle_through_the_api_either(checkpoint, officer, police):
    from tests.checkpoints.conftest import post

    actions.update_checkpoint(police, checkpoint, name=checkpoint.name, kind=checkpoint.kind, active=False)
    before = everything()
    r = post(client_for(officer), "/vehicle-passages", {"checkpoint_id": str(checkpoint.pk), "plate": "27B-012.34"})
    assert r.status_code == 409
    assert everything() == before


def test_a_client_uuid_written_at_the_same_moment_gives_the_first_record(tree, officer):
    key = uuid.uuid4()
    vehicle, _ = actions.register_vehicle(officer, "27B-012.34")
    first = actions.record_violation(officer, ViolationKind.DODGING_CHECKPOINT, vehicle=vehicle, client_uuid=key)
    # The action's first look missed it (another request committed meanwhile): the insert finds it.
    again, created = actions._create_once(Violation, key, kind="dodging_checkpoint", occurred_at=timezone.now())
    assert (again.pk, created) == (first.pk, False)
    assert Violation.objects.count() == 1
