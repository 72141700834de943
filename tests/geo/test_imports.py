"""Village and population imports: good files, each kind of bad input, idempotence, scope."""

from __future__ import annotations

import unicodedata

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from phongdich.core.models import AuditLog
from phongdich.core.roles import Role
from phongdich.geo.actions import import_population, import_villages
from phongdich.geo.models import AdminUnit, Level
from phongdich.geo.tabular import FileProblem
from tests.geo.conftest import POPULATION_HEADER, VILLAGE_HEADER, csv_bytes, xlsx_bytes


def villages_of(unit: AdminUnit) -> list[tuple[str, str, str, int | None]]:
    return list(
        AdminUnit.objects.filter(level=Level.VILLAGE, commune=unit)
        .order_by("code")
        .values_list("code", "name", "division_type", "population")
    )


def cp1258(text: str) -> bytes:
    """Encode like old Vietnamese Windows software: base letter (â, ơ…) + a combining tone mark."""
    out = b""
    for ch in unicodedata.normalize("NFC", text):
        try:
            out += ch.encode("cp1258")
        except UnicodeEncodeError:
            decomposed = unicodedata.normalize("NFD", ch)
            out += unicodedata.normalize("NFC", decomposed[:-1]).encode("cp1258") + decomposed[-1].encode("cp1258")
    return out


def snapshot() -> list[tuple]:
    return list(AdminUnit.objects.order_by("pk").values_list("pk", "code", "name", "population", "population_total"))


GOOD_VILLAGES = [
    VILLAGE_HEADER,
    ["03124", "Tổ dân phố 3", "tổ dân phố", "", "1.250"],
    ["3124", "Bản  Noong Bua", "", "", 640],  # leading zero lost; type from the name
    ["03127", "Tổ 1", "Tổ", "07", ""],
    ["03124", "Tổ dân phố 1", "", "", "900"],  # exists: gets a population
]


@pytest.mark.parametrize("make", [csv_bytes, xlsx_bytes], ids=["csv", "xlsx"])
def test_villages_good_file_then_same_file_again(tree, personas, make):
    admin = personas[Role.ADMIN]
    data = make(GOOD_VILLAGES)
    report = import_villages(admin, None, "thon.xlsx" if make is xlsx_bytes else "thon.csv", data)
    assert report.errors == []
    assert (report.rows, report.accepted, report.rejected, report.created, report.updated) == (4, 4, 0, 3, 1)
    assert villages_of(tree.noong_bua) == [
        ("03124-001", "Tổ dân phố 1", "tổ dân phố", 900),
        ("03124-002", "Tổ dân phố 2", "tổ dân phố", None),
        ("03124-003", "Tổ dân phố 3", "tổ dân phố", 1250),
        ("03124-004", "Bản Noong Bua", "bản", 640),
    ]
    assert villages_of(tree.him_lam) == [("03127-007", "Tổ 1", "tổ", None)]
    new = AdminUnit.objects.get(code="03124-004")
    assert (new.province_id, new.district_id, new.commune_id) == (tree.province.pk, tree.city.pk, tree.noong_bua.pk)
    # Populations rolled up: Noong Bua = 900 + 1250 + 640.
    tree.noong_bua.refresh_from_db()
    tree.province.refresh_from_db()
    assert tree.noong_bua.population_total == 2790 and tree.province.population_total == 2790
    assert AuditLog.objects.filter(action="geo.village_import").count() == 4

    before, audits = snapshot(), AuditLog.objects.count()
    again = import_villages(admin, None, "thon.csv", data)
    assert (again.created, again.updated, again.unchanged, again.errors) == (0, 0, 4, [])
    assert snapshot() == before and AuditLog.objects.count() == audits


def test_villages_bad_rows_are_reported_and_not_written(tree, personas):
    district = personas[Role.DISTRICT]  # Thành phố Điện Biên Phủ: not Mường Nhé
    rows = [
        VILLAGE_HEADER,
        ["03124", "Tổ dân phố 9", "", "", "10"],  # good
        ["03154", "Bản Mới", "bản", "", ""],  # Sín Thầu: outside the district
        ["99999", "Bản Ma", "", "", ""],  # no such commune
        ["03124", "", "", "", ""],  # no name
        ["03124", "Bản Hai", "nhà", "", ""],  # unknown type
        ["03124", "Bản Ba", "", "", "-4"],  # negative population
        ["03124", "Bản Bốn", "", "", "nhiều"],  # not a number
        ["03124", "Bản Năm", "", "x/y", ""],  # bad code
        ["abc", "Bản Sáu", "", "", ""],  # not a code
        ["03124", "tổ dân phố 9", "", "", ""],  # same village as row 2
        ["03124", "Bản Bảy", "", "", "12.5"],  # not whole
        ["03124", "Tổ dân phố 2", "", "001", ""],  # name exists with another code
    ]
    before = snapshot()
    report = import_villages(district, None, "thon.csv", csv_bytes(rows))
    assert report.created == 1 and report.accepted == 1 and report.rejected == 11
    by_row = {e.row: (e.column, e.message) for e in report.errors}
    assert sorted(by_row) == list(range(3, 14))
    assert by_row[3] == ("Mã xã", "Mã xã không có hoặc xã không thuộc địa bàn của bạn.")
    assert by_row[5][0] == "Tên thôn/bản/tổ dân phố"
    assert by_row[6][0] == "Loại"
    assert by_row[7] == ("Dân số", "Dân số không được là số âm.")
    assert by_row[8][0] == "Dân số" and by_row[12][0] == "Dân số"
    assert by_row[9][0] == "Mã" and by_row[14 - 1][0] == "Mã"
    assert "dòng 2" in by_row[11][1]
    created = {row[1] for row in snapshot()} - {row[1] for row in before}
    assert created == {"03124-003"}
    assert AdminUnit.objects.filter(name__in=["Bản Mới", "Bản Ma", "Bản Hai", "Bản Ba", "Bản Bốn"]).count() == 0


@pytest.mark.parametrize(
    ("filename", "data", "fragment"),
    [
        ("a.csv", b"", "trống"),
        ("a.csv", b"   \n\n", "trống"),
        ("a.xlsx", b"PK\x03\x04not really a zip", "Excel"),
        ("a.pdf", b"%PDF-1.7 binary", "không phải là bảng tính"),
        ("a.png", b"\x89PNG\r\n\x1a\n\x00\x00", "không phải là bảng tính"),
        ("a.csv", "Họ và tên,Ngày sinh\nA,1/1/2000\n".encode(), "Thiếu cột"),
        ("a.csv", "Mã xã,Tên thôn/bản/tổ dân phố\n".encode(), "không có dòng"),
    ],
    ids=["empty", "blank", "broken-xlsx", "pdf", "png", "wrong-headers", "header-only"],
)
def test_unusable_files_raise_a_file_problem_and_write_nothing(tree, personas, filename, data, fragment):
    before = snapshot()
    with pytest.raises(FileProblem) as info:
        import_villages(personas[Role.COMMUNE], None, filename, data)
    assert fragment in info.value.message
    assert snapshot() == before


def test_header_aliases_semicolons_and_windows_encoding(tree, personas):
    data = csv_bytes([["MA XA", "ten thon", "LOAI"], ["03124", "Bản Pa", "ban"]], sep=";", encoding="utf-8-sig")
    report = import_villages(personas[Role.COMMUNE], None, "thon.csv", data)
    assert report.created == 1 and report.errors == []
    legacy = cp1258("Mã xã,Tên thôn/bản/tổ dân phố\n03124,Bản Pe\n")
    report = import_villages(personas[Role.COMMUNE], None, "thon.csv", legacy)
    assert report.created == 1
    assert AdminUnit.objects.filter(name="Bản Pe", code="03124-004").exists()


def test_village_import_refusals(tree, personas, outsider):
    data = csv_bytes([VILLAGE_HEADER, ["03124", "Bản X", "", "", ""]])
    with pytest.raises(PermissionDenied):
        import_villages(personas[Role.HEALTH_STATION], None, "a.csv", data)
    with pytest.raises(Http404):  # a scope outside the user's unit
        import_villages(personas[Role.COMMUNE], tree.him_lam, "a.csv", data)
    report = import_villages(outsider, None, "a.csv", data)  # Sín Thầu officer: Noong Bua is not theirs
    assert report.created == 0 and report.rejected == 1
    assert not AdminUnit.objects.filter(name="Bản X").exists()


def test_population_import_any_level_and_rollup(tree, personas):
    admin = personas[Role.ADMIN]
    rows = [
        POPULATION_HEADER,
        ["03124-001", "1.200", ""],
        ["03124-2", 800, ""],  # village number without padding
        ["3154", "2500", ""],  # commune, leading zero lost
        ["096", "", ""],  # empty: skipped
        ["11", "", ""],  # empty: skipped
    ]
    report = import_population(admin, None, "dan-so.xlsx", xlsx_bytes(rows))
    assert report.errors == []
    assert (report.rows, report.accepted, report.updated, report.skipped) == (5, 3, 3, 2)
    for unit in (tree.noong_bua, tree.city, tree.sin_thau, tree.muong_nhe, tree.province):
        unit.refresh_from_db()
    assert tree.noong_bua.population_total == 2000 and tree.noong_bua.population is None
    assert tree.sin_thau.population == 2500 and tree.muong_nhe.population_total == 2500
    assert tree.province.population_total == 4500
    audits = AuditLog.objects.filter(action="geo.population_set").count()
    assert audits == 3
    again = import_population(admin, None, "dan-so.xlsx", xlsx_bytes(rows))
    assert (again.updated, again.unchanged) == (0, 3)
    assert AuditLog.objects.filter(action="geo.population_set").count() == audits


def test_population_bad_rows(tree, personas):
    district = personas[Role.DISTRICT]
    rows = [
        POPULATION_HEADER,
        ["03124", "-1", ""],  # negative
        ["03127", "một nghìn", ""],  # not a number
        ["03154", "10", ""],  # outside the district
        ["12", "10", ""],  # another province
        ["03124-001", "10", "tỉnh"],  # level does not fit
        ["03127", "10", "quốc gia"],  # unknown level
        ["094", "10", ""],  # good
        ["094", "11", ""],  # same unit twice
        ["03127", "999999999999", ""],  # too large
    ]
    before = snapshot()
    report = import_population(district, None, "p.csv", csv_bytes(rows))
    assert report.accepted == 1 and report.rejected == 8 and report.updated == 1
    assert {e.row for e in report.errors} == {2, 3, 4, 5, 6, 7, 9, 10}
    changed = [a for a, b in zip(snapshot(), before, strict=True) if a != b]
    assert [c[1] for c in changed] == ["11", "094"]  # the city's own figure, and the province total above it
    tree.city.refresh_from_db()
    assert tree.city.population == 10


def test_population_import_needs_the_permission(tree, personas):
    data = csv_bytes([POPULATION_HEADER, ["03124", "10", ""]])
    for role in (Role.STEERING, Role.POLICE, Role.HEALTH, Role.COMMUNITY, Role.LAB):
        with pytest.raises(PermissionDenied):
            import_population(personas[role], None, "p.csv", data)
    assert AdminUnit.objects.filter(population__isnull=False).count() == 0
