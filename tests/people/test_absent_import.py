"""The import of absent-citizen lists: files, rows, matching, idempotence."""

from __future__ import annotations

import datetime

import pytest
from django.test import override_settings
from django.utils import translation

from phongdich.core.models import AuditLog
from phongdich.core.roles import Role
from phongdich.people.absent_columns import COLUMNS
from phongdich.people.absent_import import CELL_KEYS, AbsentUploadError, fast_phone, report_errors, run_import
from phongdich.people.absent_samples import build_sample_file
from phongdich.people.models import (
    AbsentListUpload,
    DuplicateCandidate,
    Person,
    ResidenceRecord,
    ResidenceStatus,
    Source,
)
from phongdich.people.validation import normalize_phone
from tests.people.absent_helpers import counts, csv_file, row, xlsx

ABSENT = ResidenceStatus.TEMPORARILY_ABSENT


@pytest.fixture
def officer(personas):
    return personas[Role.COMMUNE]  # Phường Noong Bua


def test_good_xlsx_creates_people_marked_absent(tree, officer):
    data = xlsx(
        row(village="Tổ dân phố 1", left_on="01/02/2021"),
        row(
            name="Quàng Thị Dở",
            id_number="011190004321",
            birth="1995",
            sex="Nữ",
            phone="",
            province="12",
            commune="Quyết Thắng",
        ),
    )
    outcome = run_import(officer, tree.noong_bua, "ds.xlsx", data)
    upload = outcome.upload
    assert not outcome.repeated
    assert (upload.status, upload.row_count, upload.created_count, upload.error_count) == ("accepted", 2, 2, 0)
    minh = Person.objects.get(id_number="011090001234")
    assert minh.full_name == "Lò Văn Minh" and minh.name_key == "lo van minh"
    assert minh.birth_date == datetime.date(1990, 3, 15) and minh.birth_year == 1990
    assert minh.phone == "+84912345678" and minh.sex == "M" and minh.source == Source.ABSENT_LIST
    assert (minh.province_id, minh.district_id, minh.commune_id, minh.village_id) == (
        tree.province.pk,
        tree.city.pk,
        tree.noong_bua.pk,
        tree.to1.pk,
    )
    assert minh.residence_status == ABSENT
    record = minh.residence_records.get()
    assert record.status == ABSENT and record.ended_on is None
    assert record.temp_province == tree.lai_chau and record.temp_address == "Số 12 Trần Phú"
    assert record.workplace == "Công ty ABC" and record.phone == "+84912345678"
    assert record.started_on == datetime.date(2021, 2, 1)
    assert record.upload == upload and record.row_number == 2 and record.source == Source.ABSENT_LIST
    do = Person.objects.get(id_number="011190004321")
    assert do.birth_date is None and do.birth_year == 1995 and do.village_id is None
    assert do.residence_records.get().temp_commune == tree.quyet_thang
    # Audit: one row for the upload; each person created points back to it through its record.
    audit = AuditLog.objects.get(action="absent_upload.import", object_id=str(upload.pk))
    assert audit.actor == officer and audit.after["created"] == 2 and audit.after["rows"] == 2
    assert not AuditLog.objects.filter(action="person.create").exists()
    assert minh.residence_records.get().upload == upload and minh.residence_records.get().created_by == officer
    assert minh.source == Source.ABSENT_LIST and minh.residence_status == ABSENT


def test_good_csv_with_and_without_bom_and_semicolons(tree, officer):
    data = csv_file(row())
    assert data.startswith(b"\xef\xbb\xbf")
    assert run_import(officer, tree.noong_bua, "a.csv", data).upload.created_count == 1
    plain = ";".join(["Họ và tên", "Số CCCD/CMND", "Ngày sinh", "Tỉnh tạm trú"]) + "\n"
    plain += "Lường Văn Chứ;011085000111;01/01/1985;Tỉnh Lai Châu\n"
    upload = run_import(officer, tree.noong_bua, "b.csv", plain.encode()).upload
    assert upload.created_count == 1 and upload.error_count == 0
    windows = _cp1258(plain.replace("Lường Văn Chứ", "Lò Văn Chứ").replace("011085000111", "011085000112"))
    upload = run_import(officer, tree.noong_bua, "c.csv", windows).upload
    assert upload.created_count == 1, report_errors(upload)
    assert Person.objects.filter(full_name="Lò Văn Chứ").exists()


def _cp1258(text: str) -> bytes:
    """Windows-1258 as Vietnamese Windows writes it: base letters with combining tone marks."""
    import unicodedata

    out = b""
    for ch in text:
        try:
            out += ch.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        base, *marks = unicodedata.normalize("NFD", ch)
        if marks:
            head = unicodedata.normalize("NFC", base + marks[0])
            try:
                out += head.encode("cp1258") + "".join(marks[1:]).encode("cp1258")
                continue
            except UnicodeEncodeError:
                pass
        out += (base + "".join(marks)).encode("cp1258")
    return out


def test_header_variants_and_title_rows(tree, officer):
    headers = [
        "no.",
        "FULL NAME",
        "id number",
        "Date of birth",
        "sex",
        "phone",
        "village",
        "address",
        "PROVINCE",
        "commune",
        "workplace",
        "date left",
    ]
    assert run_import(officer, tree.noong_bua, "en.xlsx", xlsx(row(), headers=headers)).upload.created_count == 1
    folded = [
        "stt",
        "ho ten",
        "so cccd",
        "ngay sinh",
        "gioi tinh",
        "sdt",
        "thon",
        "dia chi tam tru",
        "tinh tam tru",
        "xa tam tru",
        "noi lam viec",
        "ngay di",
    ]
    data = xlsx(row(name="Cà Văn Dế", id_number="011088000999"), headers=folded)
    assert run_import(officer, tree.noong_bua, "vi.xlsx", data).upload.created_count == 1
    # A title above the header, as in the forms offices use.
    import io

    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["DANH SÁCH CÔNG DÂN TẠM VẮNG"])
    ws.append([])
    ws.append(["STT", "Họ và tên", "Số CCCD/CMND", "Ngày sinh", "Tỉnh tạm trú"])
    ws.append([1, "Tòng Văn Páo", "011080000777", datetime.date(1980, 5, 6), "Lai Châu"])
    buf = io.BytesIO()
    wb.save(buf)
    upload = run_import(officer, tree.noong_bua, "t.xlsx", buf.getvalue()).upload
    assert upload.created_count == 1
    person = Person.objects.get(id_number="011080000777")
    assert person.birth_date == datetime.date(1980, 5, 6)
    assert person.residence_records.get().row_number == 4


def test_id_numbers_as_excel_numbers_keep_their_leading_zero(tree, officer):
    upload = run_import(officer, tree.noong_bua, "n.xlsx", xlsx(row(id_number=11090001234, phone=912345678))).upload
    assert upload.created_count == 1, report_errors(upload)
    assert Person.objects.get().id_number == "011090001234"


@pytest.mark.parametrize(
    ("data", "status"),
    [
        (b"", 422),
        (b"   \n", 422),
        (b"%PDF-1.4\x00\x01\x02binary", 400),
        (b"PK\x03\x04not really a workbook", 400),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00", 400),
    ],
)
def test_unreadable_or_empty_files_are_refused_and_write_nothing(tree, officer, data, status):
    before = counts()
    with pytest.raises(AbsentUploadError) as exc:
        run_import(officer, tree.noong_bua, "x.xlsx", data)
    assert exc.value.status == status and exc.value.message
    assert counts() == before


def test_header_only_and_wrong_headers(tree, officer):
    before = counts()
    with pytest.raises(AbsentUploadError) as exc:
        run_import(officer, tree.noong_bua, "h.xlsx", xlsx())
    assert exc.value.status == 422
    with translation.override("vi"), pytest.raises(AbsentUploadError) as exc:
        run_import(officer, tree.noong_bua, "w.xlsx", xlsx(["a", "b"], headers=["Họ và tên", "Ghi chú"]))
    assert exc.value.status == 422
    assert "Số CCCD/CMND" in exc.value.message and "Ngày sinh" in exc.value.message
    assert "Thiếu" in exc.value.message  # Vietnamese by default
    with translation.override("en"), pytest.raises(AbsentUploadError) as exc:
        run_import(officer, tree.noong_bua, "z.xlsx", xlsx(["x"], headers=["Something else"]))
    assert exc.value.status == 422 and "header" in exc.value.message
    assert counts() == before


def test_a_50_mb_file_is_refused_before_reading(tree, officer):
    before = counts()
    with pytest.raises(AbsentUploadError) as exc:
        run_import(officer, tree.noong_bua, "big.xlsx", bytes(50 * 1024 * 1024))
    assert exc.value.status == 413
    assert counts() == before


def test_bad_rows_are_reported_and_write_nothing(tree, officer):
    data = xlsx(
        row(),  # row 2: good
        row(name="", id_number="011090000001"),  # 3: name missing
        row(name="Nguyễn Văn A1", id_number="01109000000X"),  # 4: digits in name, letters in ID
        row(name="Nguyễn Văn B", id_number="1234567"),  # 5: ID length
        row(name="Nguyễn Văn C", id_number="000090000001"),  # 6: not a province code
        row(name="Nguyễn Văn D", id_number="011090000002", birth="31/02/1990"),  # 7: no such date
        row(name="Nguyễn Văn E", id_number="011090000003", birth="01/01/2999"),  # 8: future
        row(name="Nguyễn Văn F", id_number="011090000004", birth=""),  # 9: birth missing
        row(name="Nguyễn Văn G", id_number="011090000005", phone="12345"),  # 10: phone
        row(name="Nguyễn Văn H", id_number="011090000006", province="Atlantis"),  # 11: province
        row(name="Nguyễn Văn I", id_number="011090000007", village="Bản Không Có"),  # 12: village
        row(name="Nguyễn Văn K", id_number="011090001234"),  # 13: same ID as row 2
        row(name="Lò Văn Minh", id_number=""),  # 14: same name and birth date as row 2
        row(name="Nguyễn Văn L", id_number="011090000008", sex="X", left_on="hôm qua"),  # 15: sex, date left
        row(name="Nguyễn Văn M", id_number="011090000009", province="Sơn La", commune="Xã Không Có"),  # 16
    )
    before = counts()
    with translation.override("vi"):
        upload = run_import(officer, tree.noong_bua, "bad.xlsx", data).upload
        report = report_errors(upload)
    assert upload.status == AbsentListUpload.Status.PARTIAL
    assert (upload.row_count, upload.created_count, upload.error_count) == (15, 1, 14)
    by_row = {}
    for err in report:
        by_row.setdefault(err["row"], []).append((err["column"], err["code"]))
    assert by_row[3] == [("Họ và tên", "name_required")]
    assert ("Họ và tên", "name_digits") in by_row[4] and ("Số CCCD/CMND", "id_digits") in by_row[4]
    assert by_row[5] == [("Số CCCD/CMND", "id_length")]
    assert by_row[6] == [("Số CCCD/CMND", "id_province")]
    assert by_row[7] == [("Ngày sinh", "birth_format")]
    assert by_row[8] == [("Ngày sinh", "birth_future")]
    assert by_row[9] == [("Ngày sinh", "birth_required")]
    assert by_row[10] == [("Số điện thoại", "phone_invalid")]
    assert by_row[11] == [("Tỉnh tạm trú", "province_unknown")]
    assert by_row[12] == [("Thôn/bản/tổ dân phố", "village_unknown")]
    assert by_row[13] == [("Số CCCD/CMND", "dup_id")]
    assert by_row[14] == [("Họ và tên", "dup_name")]
    assert sorted(by_row[15]) == [("Giới tính", "sex_invalid"), ("Ngày đi", "left_format")]
    assert 16 in by_row and by_row[16][0][1] in ("commune_unknown", "province_unknown")
    # Messages in Vietnamese by default, English on request.
    message = next(e["message"] for e in report if e["row"] == 13)
    assert message == "Trùng số CCCD/CMND với dòng 2."
    with translation.override("en"):
        assert next(e["message"] for e in report_errors(upload) if e["row"] == 13) == "The same ID number as row 2."
    # Only row 2 was written.
    after = counts()
    assert after["persons"] == before["persons"] + 1
    assert after["records"] == before["records"] + 1
    assert not Person.objects.filter(full_name__startswith="Nguyễn Văn").exists()


def test_all_rows_bad_is_rejected_and_creates_no_person(tree, officer):
    upload = run_import(officer, tree.noong_bua, "all-bad.xlsx", xlsx(row(id_number="12"))).upload
    assert upload.status == AbsentListUpload.Status.REJECTED
    assert Person.objects.count() == 0 and ResidenceRecord.objects.count() == 0


def test_same_file_twice_changes_nothing(tree, officer):
    data = build_sample_file(30, tree.noong_bua, seed=3)
    first = run_import(officer, tree.noong_bua, "a.xlsx", data)
    before = counts()
    second = run_import(officer, tree.noong_bua, "a-copy.xlsx", data)
    assert second.repeated and second.upload.pk == first.upload.pk
    assert counts() == before


def test_overlapping_files_count_unchanged_and_update_changed_details(tree, officer):
    a = row()
    b = row(name="Quàng Thị Dở", id_number="011190004321", birth="1995", sex="Nữ")
    run_import(officer, tree.noong_bua, "1.xlsx", xlsx(a, b))
    records_before = ResidenceRecord.objects.count()
    c = row(name="Lò Văn Dế", id_number="011091000001", birth="02/02/1991")
    b_moved = row(
        name="Quàng Thị Dở",
        id_number="011190004321",
        birth="1995",
        sex="Nữ",
        province="Tỉnh Lai Châu",
        address="Nhà trọ số 5",
    )
    upload = run_import(officer, tree.noong_bua, "2.xlsx", xlsx(a, b_moved, c)).upload
    assert (upload.created_count, upload.matched_count, upload.unchanged_count) == (1, 1, 1)
    assert ResidenceRecord.objects.count() == records_before + 2
    do = Person.objects.get(id_number="011190004321")
    open_records = do.residence_records.filter(ended_on__isnull=True)
    assert open_records.count() == 1 and open_records.get().temp_address == "Nhà trọ số 5"
    assert do.residence_records.filter(ended_on__isnull=False).count() == 1
    # The same details in a third file: nothing changes.
    before = counts()
    upload = run_import(officer, tree.noong_bua, "3.xlsx", xlsx(c, a)).upload
    assert upload.unchanged_count == 2 and upload.created_count == 0 and upload.matched_count == 0
    assert counts()["records"] == before["records"] and counts()["persons"] == before["persons"]


def test_matching_existing_people(tree, officer):
    from phongdich.people.actions import PersonData, intake_person

    by_id = intake_person(None, PersonData(full_name="Lò Văn Minh", id_number="011090001234", unit=tree.to2)).person
    by_name = intake_person(
        None, PersonData(full_name="Quàng Văn Hải", birth_date=datetime.date(1988, 1, 2), phone="+84912000111")
    ).person
    lookalike = intake_person(None, PersonData(full_name="Vàng A Sùng", birth_date=datetime.date(1992, 7, 7))).person
    data = xlsx(
        row(),  # same ID number
        row(name="quàng văn  hải", id_number="", birth="02/01/1988", phone="0912000111"),  # name+date+phone
        row(name="Vàng A Sùng", id_number="011092000555", birth="07/07/1992", phone="0987654321"),  # likely only
    )
    upload = run_import(officer, tree.noong_bua, "m.xlsx", data).upload
    assert (upload.matched_count, upload.created_count) == (2, 1)
    by_id.refresh_from_db()
    assert by_id.residence_status == ABSENT and by_id.village_id == tree.to2.pk  # kept where it was
    assert by_id.birth_date == datetime.date(1990, 3, 15)  # filled in
    assert AuditLog.objects.filter(action="person.fill", object_id=str(by_id.pk)).exists()
    assert AuditLog.objects.filter(action="person.residence", object_id=str(by_id.pk)).exists()
    by_name.refresh_from_db()
    assert by_name.residence_status == ABSENT and by_name.commune_id == tree.noong_bua.pk
    new = Person.objects.get(id_number="011092000555")
    assert new.pk != lookalike.pk
    assert DuplicateCandidate.objects.filter(person_a__in=[new, lookalike], person_b__in=[new, lookalike]).count() == 1


def test_village_upload_and_other_village(tree, personas):
    member = personas[Role.COMMUNITY]  # Tổ dân phố 1
    data = xlsx(row(), row(name="Lò Thị Mai", id_number="011195000001", birth="1995", village="Tổ dân phố 2"))
    upload = run_import(member, tree.to1, "v.xlsx", data).upload
    assert upload.created_count == 1 and upload.error_count == 1
    assert report_errors(upload)[0]["code"] == "village_other"
    assert Person.objects.get().village_id == tree.to1.pk
    assert upload.village_id == tree.to1.pk and upload.commune_id == tree.noong_bua.pk


def test_refusals_write_nothing(tree, personas, outsider):
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    data = xlsx(row())
    before = counts()
    with pytest.raises(PermissionDenied):
        run_import(personas[Role.HEALTH_STATION], tree.noong_bua, "a.xlsx", data)
    with pytest.raises(Http404):
        run_import(outsider, tree.noong_bua, "a.xlsx", data)
    with pytest.raises(Http404):
        run_import(personas[Role.COMMUNITY], tree.to2, "a.xlsx", data)
    with pytest.raises(AbsentUploadError):
        run_import(personas[Role.DISTRICT], tree.city, "a.xlsx", data)  # a district does not upload lists
    assert counts() == before


@override_settings(MAX_UPLOAD_BYTES=1000)
def test_the_limit_follows_settings(tree, officer):
    with pytest.raises(AbsentUploadError) as exc:
        run_import(officer, tree.noong_bua, "a.xlsx", build_sample_file(20, tree.noong_bua))
    assert exc.value.status == 413


def test_fast_phone_agrees_with_phonenumbers():
    import random

    rng = random.Random(7)
    samples = [
        "0912345678",
        "+84912345678",
        "912345678",
        "0212 3456 789",
        "0243.123.4567",
        "02033123456",
        "18001234",
        "0123456789",
        "0812 345 678",
        "+84 (0) 912",
        "abc",
        "0891234567",
        "1900123456",
    ]
    for _ in range(3000):
        digits = "".join(rng.choice("0123456789") for _ in range(rng.choice([8, 9, 10, 11])))
        samples.append(rng.choice(["0", "", "+84"]) + digits)
    for raw in samples:
        try:
            expected = normalize_phone(raw)
        except Exception as exc:
            expected = type(exc).__name__
        try:
            got = fast_phone(raw)
        except Exception as exc:
            got = type(exc).__name__
        assert got == expected, raw


def test_a_row_keeps_every_column_of_the_template_but_its_number():
    """The validator unpacks a row's cells in CELL_KEYS order: each template column once, STT aside."""
    assert sorted(CELL_KEYS) == sorted(c.key for c in COLUMNS if c.key != "stt")
    assert len(set(CELL_KEYS)) == len(CELL_KEYS)
