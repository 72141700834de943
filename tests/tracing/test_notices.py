"""Inter-province notices: building (only other-province contacts), Excel/PDF/JSON, sending,
importing received notices (persons, contacts, idempotence, row reports), roles and scope."""

from __future__ import annotations

import datetime
import io
import json
import uuid
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation

from phongdich.cases.models import Case, CaseStatus
from phongdich.core.models import AuditLog, User
from phongdich.core.roles import Perm, Role
from phongdich.core.text import fold
from phongdich.geo.models import AdminUnit
from phongdich.geo.scoping import lineage_columns
from phongdich.people.models import Person, ResidenceRecord, ResidenceStatus
from phongdich.policy.queries import rule_set_on
from phongdich.tracing import levels, notice_files, notices
from phongdich.tracing.contacts import add_contact
from phongdich.tracing.models import Contact, ContactSource, Notice, Proximity
from tests.conftest import Tree, client_for

D = datetime.date
CONFIRMED = D(2021, 8, 10)
MET = D(2021, 8, 8)


def person(name: str, unit: AdminUnit, **kw: object) -> Person:
    return Person.objects.create(full_name=name, name_key=fold(name), **kw, **lineage_columns(unit))


def contact(a: Person, b: Person, day: datetime.date = MET) -> None:
    add_contact(
        None,
        a,
        b,
        first_date=day,
        last_date=day,
        setting="household",
        proximity=Proximity.WITHIN_2M,
        source=ContactSource.INTERVIEW,
    )


@dataclass
class World:
    case: Case
    f0: Person
    a: Person  # F1 living in Lai Châu
    b: Person  # F1 living in Điện Biên
    c: Person  # F1 of Điện Biên, temporarily absent in Lai Châu
    d: Person  # F2 living in Lai Châu


def make_case(tree: Tree, unit: AdminUnit, code: str, name: str = "Quàng Văn Bệnh") -> Case:
    f0 = person(name, unit, birth_year=1980, phone="+84912000111")
    case = Case.objects.create(
        person=f0,
        code=code,
        confirmed_on=CONFIRMED,
        onset_date=CONFIRMED - datetime.timedelta(days=1),
        rule_set=rule_set_on(CONFIRMED, tree.province),
        status=CaseStatus.CONFIRMED,
        **lineage_columns(unit),
    )
    levels.on_case_confirmed(case)
    return case


@pytest.fixture
def world(tree: Tree) -> World:
    case = make_case(tree, tree.to1, "ĐB-0007")
    a = person("Giàng A Lử", tree.quyet_thang, birth_year=1992, phone="+84987654321", id_number="012092000111", sex="M")
    b = person("Lò Văn Bình", tree.him_lam, birth_year=1985)
    c = person("Cà Thị Chi", tree.to2, birth_year=2000, sex="F")
    ResidenceRecord.objects.create(
        person=c,
        status=ResidenceStatus.TEMPORARILY_ABSENT,
        temp_province=tree.lai_chau,
        temp_commune=tree.quyet_thang,
        temp_address="Tổ 5",
    )
    d = person("Vàng Thị Dế", tree.quyet_thang, birth_year=1970)
    for p in (a, b, c):
        contact(case.person, p)
    contact(a, d, MET + datetime.timedelta(days=1))
    return World(case, case.person, a, b, c, d)


def test_only_contacts_of_other_provinces_are_proposed(world: World, tree: Tree) -> None:
    groups = notices.other_province_contacts(world.case)
    assert list(groups) == [tree.lai_chau]
    entries = {e.person.full_name: e for e in groups[tree.lai_chau]}
    assert set(entries) == {"Giàng A Lử", "Cà Thị Chi", "Vàng Thị Dế"}
    assert entries["Giàng A Lử"].level == 1 and entries["Giàng A Lử"].last_date == MET
    assert entries["Vàng Thị Dế"].level == 2
    assert "Tổ 5" in entries["Cà Thị Chi"].address


def test_build_notice_payload_and_numbering(world: World, tree: Tree, personas) -> None:
    health = personas[Role.HEALTH]
    notice = notices.build_notice(health, world.case, tree.lai_chau, [world.a, world.d])
    assert notice.number == "1/TB-CDC"
    p = notice.payload
    assert p["schema"] == "phongdich.notice" and p["version"] == 1
    assert p["case"] == {
        "code": "ĐB-0007",
        "national_code": None,
        "confirmed_on": "2021-08-10",
        "onset_date": "2021-08-09",
    }
    assert p["to"]["province_code"] == "12" and p["from"]["province_code"] == "11"
    assert [x["full_name"] for x in p["people"]] == ["Giàng A Lử", "Vàng Thị Dế"]
    first = p["people"][0]
    assert first["level"] == "F1" and first["last_contact_on"] == "2021-08-08"
    assert first["phone"] == "+84987654321" and first["id_number"] == "012092000111" and first["birth_year"] == 1992
    assert "Quàng Văn Bệnh" not in json.dumps(p, ensure_ascii=False)  # no F0 name
    assert set(notice.people.all()) == {world.a, world.d}
    assert AuditLog.objects.filter(action="notice.create", object_id=str(notice.pk)).exists()
    second = notices.build_notice(health, world.case, tree.lai_chau, None)
    assert second.number == "2/TB-CDC" and len(second.payload["people"]) == 3


def test_build_refuses_people_of_our_province(world: World, tree: Tree, personas) -> None:
    with pytest.raises(notices.NoticeError):
        notices.build_notice(personas[Role.HEALTH], world.case, tree.lai_chau, [world.a, world.b])
    with pytest.raises(notices.NoticeError):
        notices.build_notice(personas[Role.HEALTH], world.case, tree.province, None)
    assert Notice.objects.count() == 0


def test_excel_in_the_official_style(world: World, tree: Tree, personas) -> None:
    from openpyxl import load_workbook

    notice = notices.build_notice(personas[Role.HEALTH], world.case, tree.lai_chau, [world.a, world.c])
    wb = load_workbook(io.BytesIO(notice_files.notice_xlsx(notice)))
    ws = wb["Thông báo"]
    assert ws["A1"].value == "SỞ Y TẾ TỈNH ĐIỆN BIÊN"
    assert ws["A2"].value == "TRUNG TÂM KIỂM SOÁT BỆNH TẬT"
    assert ws["A3"].value == "Số: 1/TB-CDC"
    assert ws["E1"].value == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    assert ws["E2"].value == "Độc lập - Tự do - Hạnh phúc"
    assert ws["E3"].value.startswith("Điện Biên, ngày ")
    assert ws["A5"].value == "THÔNG BÁO"
    assert "F1" in ws["A6"].value and "tỉnh lai châu" in ws["A6"].value.lower()
    assert "ĐB-0007" in ws["A8"].value
    assert [c.value for c in ws[10]] == notice_files.HEADERS
    row = [c.value for c in ws[11]]
    assert row == [1, "Giàng A Lử", "1992", "Nam", "012092000111", "0987 654 321", row[6], "F1", "08/08/2021"]
    assert "Phường Quyết Thắng" in row[6]
    assert ws["B12"].value == "Cà Thị Chi" and ws["D12"].value == "Nữ"
    texts = [c.value for r in ws.iter_rows() for c in r if c.value]
    assert "Nơi nhận:" in texts and "GIÁM ĐỐC" in texts


def test_pdf_has_the_text(world: World, tree: Tree, personas) -> None:
    from pypdf import PdfReader

    notice = notices.build_notice(personas[Role.HEALTH], world.case, tree.lai_chau, None)
    data = notice_files.notice_pdf(notice)
    assert data.startswith(b"%PDF")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    for needle in (
        "THÔNG BÁO",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Giàng A Lử",
        "Vàng Thị Dế",
        "Nơi nhận",
        "1/TB-CDC",
    ):
        assert needle in text, needle


def test_pages_build_detail_downloads_and_sent(world: World, tree: Tree, personas) -> None:
    client = client_for(personas[Role.HEALTH])
    page = client.get(f"/notices/build/{world.case.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Giàng A Lử" in html and "Lò Văn Bình" not in html
    response = client.post(
        f"/notices/build/{world.case.pk}/",
        {"to_province": tree.lai_chau.pk, "person": [str(world.a.pk)], "client_uuid": str(uuid.uuid4())},
    )
    assert response.status_code == 302
    notice = Notice.objects.get()
    detail = client.get(f"/notices/{notice.pk}/")
    assert detail.status_code == 200 and "1/TB-CDC" in detail.content.decode()
    assert client.get(f"/notices/{notice.pk}/download.xlsx").status_code == 200
    assert client.get(f"/notices/{notice.pk}/download.pdf")["Content-Type"] == "application/pdf"
    body = json.loads(client.get(f"/notices/{notice.pk}/download.json").content)
    assert body["version"] == 1 and body["people"][0]["full_name"] == "Giàng A Lử"
    assert client.get(f"/notices/{notice.pk}/download.exe").status_code == 404
    assert client.post(f"/notices/{notice.pk}/sent/").status_code == 302
    notice.refresh_from_db()
    assert notice.status == Notice.Status.SENT and notice.sent_at is not None
    assert AuditLog.objects.filter(action="notice.sent", object_id=str(notice.pk)).exists()
    listing = client.get("/notices/?direction=outgoing").content.decode()
    assert "1/TB-CDC" in listing


def test_api_build_json_and_sent(world: World, tree: Tree, personas) -> None:
    client = client_for(personas[Role.POLICE])
    groups = client.get(f"/api/v1/notices/candidates/{world.case.pk}").json()
    assert groups[0]["province_code"] == "12" and len(groups[0]["people"]) == 3
    key = str(uuid.uuid4())
    body = {
        "case_id": str(world.case.pk),
        "to_province_code": "12",
        "person_ids": [str(world.a.pk)],
        "client_uuid": key,
    }
    first = client.post("/api/v1/notices", body, content_type="application/json")
    assert first.status_code == 201, first.content
    again = client.post("/api/v1/notices", body, content_type="application/json")
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    assert Notice.objects.count() == 1
    payload = client.get(f"/api/v1/notices/{first.json()['id']}").json()["payload"]
    assert payload["version"] == 1 and payload["case"]["code"] == "ĐB-0007"
    bad = client.post(
        "/api/v1/notices",
        {**body, "client_uuid": None, "person_ids": [str(world.b.pk)]},
        content_type="application/json",
    )
    assert bad.status_code == 422
    assert (
        client.post("/api/v1/notices", {**body, "to_province_code": "99"}, content_type="application/json").status_code
        == 422
    )
    assert client.post("/api/v1/notices", "{", content_type="application/json").status_code == 400
    assert Notice.objects.count() == 1
    sent = client.post(f"/api/v1/notices/{first.json()['id']}/sent")
    assert sent.status_code == 200 and sent.json()["status"] == "sent"
    xlsx = client.get(f"/api/v1/notices/{first.json()['id']}/export.xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


# ---------------------------------------------------------------------------------------------
# Incoming
# ---------------------------------------------------------------------------------------------


def incoming(tree: Tree, **changes: object) -> dict:
    payload = {
        "schema": "phongdich.notice",
        "version": 1,
        "number": "45/TB-CDC",
        "issued_on": "2021-08-12",
        "from": {"province_code": "12", "province_name": "Tỉnh Lai Châu"},
        "to": {"province_code": "11"},
        "case": {"code": "LC-0031", "confirmed_on": "2021-08-11"},
        "people": [
            {
                "full_name": "Lường Văn Một",
                "birth_year": 1990,
                "sex": "M",
                "phone": "0912111222",
                "address": "Tổ 2, phường Noong Bua, TP Điện Biên Phủ",
                "level": "F1",
                "last_contact_on": "2021-08-10",
            },
            {
                "full_name": "Lường Thị Hai",
                "birth_date": "02/03/1995",
                "sex": "Nữ",
                "commune_code": "03154",
                "level": "F2",
                "last_contact_on": "10/08/2021",
            },
            {
                "full_name": "Lường Văn Ba",
                "birth_year": 1980,
                "phone": "12345",
                "level": "F1",
                "last_contact_on": "2021-08-10",
            },
            {
                "full_name": "Lường Văn Bốn",
                "birth_year": 1981,
                "province_code": "12",
                "level": "F1",
                "last_contact_on": "2021-08-10",
            },
        ],
    }
    payload.update(changes)
    return payload


def test_import_creates_people_and_contacts_and_reports_bad_rows(tree: Tree, personas) -> None:
    health = personas[Role.HEALTH]
    outcome = notices.import_notice(health, incoming(tree))
    assert not outcome.repeated and outcome.created == 2 and outcome.contacts_added == 1
    one = Person.objects.get(name_key=fold("Lường Văn Một"))
    assert one.commune_id == tree.noong_bua.pk and one.phone == "+84912111222"
    two = Person.objects.get(name_key=fold("Lường Thị Hai"))
    assert two.commune_id == tree.sin_thau.pk and two.birth_date == D(1995, 3, 2)
    assert not Person.objects.filter(name_key__in=[fold("Lường Văn Ba"), fold("Lường Văn Bốn")]).exists()
    c = Contact.objects.get(source=ContactSource.NOTICE)
    external = c.person_b if c.person_a == one else c.person_a
    assert "LC-0031" in external.full_name and external.province_id is None
    assert c.last_date == D(2021, 8, 10)
    with translation.override("vi"):
        errors = notices.report_errors(outcome.notice)
    assert [(e["row"], e["column"]) for e in errors] == [(3, "Điện thoại"), (4, "Mã tỉnh")]
    assert errors[0]["message"] == "Số điện thoại không hợp lệ."
    notice = outcome.notice
    assert notice.direction == Notice.Direction.INCOMING and notice.status == Notice.Status.IMPORTED
    assert AuditLog.objects.filter(action="notice.import", object_id=str(notice.pk)).exists()


def test_reimport_is_idempotent_and_corrections_are_added(tree: Tree, personas) -> None:
    health = personas[Role.HEALTH]
    notices.import_notice(health, incoming(tree))
    counts = (Person.objects.count(), Contact.objects.count(), Notice.objects.count())
    again = notices.import_notice(health, incoming(tree))
    assert again.repeated and again.created == 0 and again.contacts_added == 0
    assert (Person.objects.count(), Contact.objects.count(), Notice.objects.count()) == counts
    fixed = incoming(tree)
    fixed["people"][2]["phone"] = "0912333444"
    third = notices.import_notice(health, fixed)
    assert third.created == 1 and third.contacts_added == 1
    assert Notice.objects.count() == 1


@pytest.mark.parametrize(
    "changes",
    [
        {"number": ""},
        {"from": {"province_code": "11"}},
        {"from": {"province_code": "77"}},
        {"to": {"province_code": "12"}},
        {"case": {}},
        {"people": []},
        {"people": "x"},
        {"version": 2},
    ],
)
def test_bad_notices_write_nothing(tree: Tree, personas, changes: dict) -> None:
    before = (Person.objects.count(), Contact.objects.count(), Notice.objects.count())
    with pytest.raises(notices.NoticeError):
        notices.import_notice(personas[Role.HEALTH], incoming(tree, **changes))
    assert (Person.objects.count(), Contact.objects.count(), Notice.objects.count()) == before


def test_import_api(tree: Tree, personas) -> None:
    client = client_for(personas[Role.HEALTH])
    response = client.post("/api/v1/notices/import", incoming(tree), content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["created"] == 2 and [e["row"] for e in body["errors"]] == [3, 4]
    again = client.post("/api/v1/notices/import", incoming(tree), content_type="application/json")
    assert again.status_code == 200 and again.json()["already_imported"] is True
    english = client.post(
        "/api/v1/notices/import", incoming(tree, number=""), content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert english.status_code == 422 and english.json()["detail"] == "The notice number is missing."
    assert client.post("/api/v1/notices/import", {"number": 1}, content_type="application/json").status_code == 422
    assert client.post("/api/v1/notices/import", "[", content_type="application/json").status_code == 400


def _excel(rows: list[list[object]], number_cell: str | None = "Số: 88/TB-CDC") -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["SỞ Y TẾ TỈNH LAI CHÂU"])
    ws.append([number_cell])
    ws.append([])
    ws.append(notice_files.HEADERS)
    for row in rows:
        ws.append(row)
    ws.append([])
    ws.append(["Nơi nhận:"])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_import_page_with_an_excel_file(tree: Tree, personas) -> None:
    client = client_for(personas[Role.HEALTH])
    data = _excel(
        [
            [1, "Mùa A Páo", 1991, "Nam", "", "0912 555 666", "Bản Sín Thầu, xã Sín Thầu", "F1", "09/08/2021"],
            [2, "Mùa A Lỗi", "abc", "Nam", "", "", "", "F1", "09/08/2021"],
            [3, "Mùa Thị Ba", 1993, "Nữ", "", "", "", "F3", "09/08/2021"],
        ]
    )
    upload = SimpleUploadedFile("tb.xlsx", data)
    response = client.post(
        "/notices/import/",
        {"file": upload, "from_province_code": "12", "case_code": "LC-0040", "case_confirmed_on": ""},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    notice = Notice.objects.get(direction=Notice.Direction.INCOMING)
    assert notice.number == "88/TB-CDC"
    pao = Person.objects.get(name_key=fold("Mùa A Páo"))
    assert pao.commune_id == tree.sin_thau.pk
    assert Contact.objects.filter(source=ContactSource.NOTICE).count() == 1
    detail = client.get(f"/notices/{notice.pk}/").content.decode()
    assert "Mùa A Páo" in detail
    assert "Năm sinh" in detail and "Mức độ tiếp xúc" in detail  # the columns of rows 6 and 7
    # Missing header fields and unreadable files: refused, nothing written.
    before = Notice.objects.count()
    bad = client.post("/notices/import/", {"file": SimpleUploadedFile("x.xlsx", _excel([[1, "A B", 1990]], None))})
    assert bad.status_code == 422
    junk = client.post("/notices/import/", {"file": SimpleUploadedFile("x.json", b"\x00\x01garbage")})
    assert junk.status_code == 400
    assert client.post("/notices/import/", {}).status_code == 400
    assert Notice.objects.count() == before


# ---------------------------------------------------------------------------------------------
# Roles and scope
# ---------------------------------------------------------------------------------------------


def test_roles_on_pages_and_api(world: World, tree: Tree, personas) -> None:
    notice = notices.build_notice(personas[Role.HEALTH], world.case, tree.lai_chau, None)
    for role, user in personas.items():
        client = client_for(user)
        allowed = user.can(Perm.NOTICE_MANAGE)
        for url in (
            "/notices/",
            "/notices/import/",
            f"/notices/build/{world.case.pk}/",
            f"/notices/{notice.pk}/",
            "/api/v1/notices",
            f"/api/v1/notices/{notice.pk}",
        ):
            assert client.get(url).status_code == (200 if allowed else 403), (role, url)
    before = (Notice.objects.count(), Person.objects.count())
    district = client_for(personas[Role.DISTRICT])
    assert district.post(f"/notices/{notice.pk}/sent/").status_code == 403
    assert district.post("/api/v1/notices/import", incoming(tree), content_type="application/json").status_code == 403
    assert (
        district.post(
            f"/notices/build/{world.case.pk}/", {"to_province": tree.lai_chau.pk, "person": [str(world.a.pk)]}
        ).status_code
        == 403
    )
    notice.refresh_from_db()
    assert notice.status == Notice.Status.DRAFT
    assert (Notice.objects.count(), Person.objects.count()) == before
    assert Client().get("/notices/").status_code == 302
    assert Client().get("/api/v1/notices").status_code == 401


def test_scope_of_a_lower_unit(world: World, tree: Tree, personas) -> None:
    other_case = make_case(tree, tree.sin_thau, "ĐB-0008", "Hờ A Khác")
    far = person("Giàng Thị Xa", tree.quyet_thang, birth_year=1999)
    contact(other_case.person, far)
    mine = notices.build_notice(personas[Role.HEALTH], world.case, tree.lai_chau, None)
    theirs = notices.build_notice(personas[Role.HEALTH], other_case, tree.lai_chau, None)
    city_police = User.objects.create_user(
        username="t_city_police", password="pw-test-1234", role=Role.POLICE, unit=tree.city
    )
    client = client_for(city_police)
    assert client.get(f"/notices/{mine.pk}/").status_code == 200
    assert client.get(f"/notices/{theirs.pk}/").status_code == 404
    assert client.get(f"/api/v1/notices/{theirs.pk}").status_code == 404
    assert client.get(f"/notices/build/{other_case.pk}/").status_code == 404
    before = Notice.objects.count()
    assert client.post("/api/v1/notices/import", incoming(tree), content_type="application/json").status_code == 403
    assert client.get("/notices/import/").status_code == 403
    assert Notice.objects.count() == before
