"""Streaming exports of the line lists: contents (headers, cells, dd/mm/yyyy dates, row counts),
streaming in pieces with bounded memory, scoping and the access log."""

from __future__ import annotations

import csv
import datetime
import io
import tracemalloc
import zipfile

import openpyxl
import pytest
from django.http import StreamingHttpResponse
from django.utils import timezone
from python_calamine import CalamineWorkbook

from phongdich.core.models import AccessLog, User
from phongdich.core.roles import Role
from phongdich.tracing import exports
from tests.conftest import client_for
from tests.tracing.report_helpers import D, Data, Scenario, data_fixture, scenario  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def s(data: Data) -> Scenario:
    return scenario(data, timezone.localdate())


def body(response: StreamingHttpResponse) -> bytes:
    assert isinstance(response, StreamingHttpResponse)
    return b"".join(response.streaming_content)  # type: ignore[arg-type]


def test_case_xlsx_cells_headers_and_dates(s: Scenario, personas: dict[Role, User]) -> None:
    response = client_for(personas[Role.DISTRICT]).get("/reports/cases/export.xlsx?status=confirmed")
    assert response.status_code == 200
    assert response["Content-Type"] == exports.XLSX
    assert response["Content-Disposition"].startswith('attachment; filename="danh-sach-ca-benh-094-')
    workbook = openpyxl.load_workbook(io.BytesIO(body(response)))
    sheet = workbook["Ca bệnh"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == tuple(c.header for c in exports.CASE_COLUMNS)
    assert rows[0][:4] == ("STT", "Mã ca bệnh", "Mã BN", "Họ và tên")
    assert len(rows) == 3  # the city's two confirmed cases (the ruled-out one is filtered out)
    first = dict(zip(rows[0], rows[2], strict=True))  # newest first: ĐB-0001 is second
    assert first["Mã ca bệnh"] == "ĐB-0001"
    assert first["Mã BN"] == "BN3001"
    assert first["Họ và tên"] == "Lò Văn An"
    assert first["Năm sinh"] == 1980
    assert first["Giới tính"] == "Nam"
    assert first["Huyện"] == "Thành phố Điện Biên Phủ"
    assert first["Xã/phường"] == "Phường Noong Bua"
    assert first["Ngày khởi phát"] == datetime.datetime(2021, 5, 1)  # noqa: DTZ001 - how openpyxl reads a date
    assert first["Ngày xác định"] == datetime.datetime(2021, 5, 3)  # noqa: DTZ001
    assert first["Ngày lấy mẫu"] is None
    assert first["Phát hiện tại"] == "Cộng đồng"
    assert first["Nguồn lây"] == "Chưa rõ nguồn lây"
    assert first["Ổ dịch"] == "Ổ dịch Noong Bua"
    assert first["Trạng thái"] == "Đã xác định"
    second = dict(zip(rows[0], rows[1], strict=True))
    assert second["Nguồn lây"] == "Đã rõ: F1 của ĐB-0001"
    assert second["Phát hiện tại"] == "Trong khu cách ly"
    assert second["Giới tính"] == "Nữ"
    # Dates are real date cells displayed as dd/mm/yyyy.
    date_column = [c.header for c in exports.CASE_COLUMNS].index("Ngày xác định") + 1
    assert sheet.cell(row=3, column=date_column).number_format == "dd/mm/yyyy"
    assert sheet.freeze_panes == "A2"


def test_contact_csv_has_bom_vietnamese_headers_and_dmy_dates(s: Scenario, personas: dict[Role, User]) -> None:
    response = client_for(personas[Role.HEALTH]).get("/reports/contacts/export.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == exports.CSV
    raw = body(response)
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == [c.header for c in exports.CONTACT_COLUMNS]
    assert len(rows) == 5
    lan = next(dict(zip(rows[0], r, strict=True)) for r in rows[1:] if r[1] == "Điêu Thị Lan")
    assert lan["Phân loại"] == "F3"
    assert lan["Ca bệnh gốc (F0)"] == "ĐB-0001"
    assert lan["Tiếp xúc với"] == "Vàng Văn Khánh"
    assert lan["Ngày tiếp xúc"] == "04/05/2021"
    assert lan["Biện pháp"] == "Tự theo dõi sức khỏe tại nhà"
    assert lan["Đến ngày"] == timezone.localdate().strftime("%d/%m/%Y")
    assert lan["Xã/phường"] == "Phường Noong Bua"
    assert lan["Năm sinh"] == "1999"
    ha = next(dict(zip(rows[0], r, strict=True)) for r in rows[1:] if r[1] == "Cà Thị Hà")
    assert ha["Tiếp xúc với"] == "Lò Văn An"
    assert ha["Biện pháp"] == "Cách ly tập trung"


def test_export_is_scoped_and_masks_the_via_person(s: Scenario, personas: dict[Role, User]) -> None:
    response = client_for(personas[Role.COMMUNE]).get("/reports/contacts/export.csv")
    rows = list(csv.reader(io.StringIO(body(response).decode("utf-8-sig"))))
    assert [r[1] for r in rows[1:]] == ["Cà Thị Hà", "Điêu Thị Lan"]
    assert rows[2][6] == "V. V. K."  # Khánh lives outside Noong Bua
    response = client_for(personas[Role.COMMUNE]).get("/reports/cases/export.csv")
    rows = list(csv.reader(io.StringIO(body(response).decode("utf-8-sig"))))
    assert [r[1] for r in rows[1:]] == ["ĐB-0004", "ĐB-0001"]


def test_export_writes_one_access_log_row(s: Scenario, personas: dict[Role, User]) -> None:
    user = personas[Role.HEALTH]
    client = client_for(user)
    body(client.get(f"/reports/cases/export.xlsx?unit={s.data.tree.city.pk}"))
    body(client.get("/api/v1/reports/contacts/export?format=csv"))
    logs = list(AccessLog.objects.order_by("id"))
    assert [(log.channel, log.detail) for log in logs] == [
        ("export", "case line list: 3"),
        ("export", "F-person line list: 4"),
    ]
    assert logs[0].object_type == "geo.AdminUnit" and logs[0].object_id == str(s.data.tree.city.pk)
    # Without a unit filter the export is logged against the user's own unit (the province).
    assert logs[1].object_type == "geo.AdminUnit" and logs[1].object_id == str(s.data.tree.province.pk)


def test_api_export_and_bad_format(s: Scenario, personas: dict[Role, User]) -> None:
    client = client_for(personas[Role.HEALTH])
    response = client.get(f"/api/v1/reports/cases/export?format=xlsx&cluster={s.cluster_a.pk}")
    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    sheet = openpyxl.load_workbook(io.BytesIO(body(response))).active
    assert sheet is not None
    assert [r[1] for r in sheet.iter_rows(min_row=2, values_only=True)] == ["ĐB-0002", "ĐB-0001"]
    assert client.get("/api/v1/reports/cases/export?format=pdf").status_code == 422
    assert client.get("/reports/cases/export.pdf").status_code == 404


def _many(data: Data, n: int) -> None:
    from phongdich.cases.models import Case
    from phongdich.people.models import Person

    t = data.tree
    people = [
        Person(
            full_name=f"Nguyễn Văn {i}",
            name_key=f"nguyen van {i}",
            birth_year=1950 + i % 60,
            sex="M",
            province=t.province,
            district=t.city,
            commune=t.noong_bua,
        )
        for i in range(n)
    ]
    Person.objects.bulk_create(people, batch_size=1000)
    Case.objects.bulk_create(
        [
            Case(
                person=p,
                code=f"ĐB-{i:06d}",
                confirmed_on=D(2021, 7, 1) + datetime.timedelta(days=i % 90),
                province=t.province,
                district=t.city,
                commune=t.noong_bua,
            )
            for i, p in enumerate(people)
        ],
        batch_size=1000,
    )


def test_a_few_thousand_rows_stream_in_pieces(data: Data, personas: dict[Role, User]) -> None:
    _many(data, 4000)
    client = client_for(personas[Role.HEALTH])
    response = client.get("/reports/cases/export.xlsx")
    assert isinstance(response, StreamingHttpResponse)
    pieces = list(response.streaming_content)  # type: ignore[arg-type]
    assert len(pieces) > 3  # handed out as it is written, not in one block
    raw = b"".join(pieces)  # type: ignore[arg-type]
    assert zipfile.ZipFile(io.BytesIO(raw)).testzip() is None
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(raw)).get_sheet_by_name("Ca bệnh").to_python()
    assert len(sheet) == 4001
    assert sheet[0][0] == "STT" and sheet[-1][0] == 4000
    assert {row[1] for row in sheet[1:]} == {f"ĐB-{i:06d}" for i in range(4000)}
    response = client.get("/reports/cases/export.csv")
    pieces = list(response.streaming_content)  # type: ignore[attr-defined]
    assert len(pieces) > 3
    assert all(len(p) < 2 * exports.CHUNK for p in pieces)
    assert b"".join(pieces).decode("utf-8-sig").count("\r\n") == 4001


def test_memory_stays_flat_as_rows_grow(
    data: Data, personas: dict[Role, User], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Peak memory while streaming 6,000 rows is that of 1,500: nothing grows with the rows.

    The rows are read from the database in chunks (2,000 in production; 250 here so that the
    plateau is reached with few rows); once past one chunk, memory no longer grows."""
    monkeypatch.setattr(exports, "DB_CHUNK", 250)
    client = client_for(personas[Role.HEALTH])

    def peak(fmt: str) -> int:
        response = client.get(f"/reports/cases/export.{fmt}")
        tracemalloc.start()
        try:
            size = sum(len(p) for p in response.streaming_content)  # type: ignore[attr-defined]
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
            assert size > 0

    _many(data, 1500)
    small = {fmt: peak(fmt) for fmt in ("xlsx", "csv")}
    from phongdich.cases.models import Case

    Case.objects.all().delete()
    _many(data, 6000)
    large = {fmt: peak(fmt) for fmt in ("xlsx", "csv")}
    for fmt in ("xlsx", "csv"):
        assert large[fmt] < small[fmt] * 1.25 + 256 * 1024, (fmt, small, large)


def test_sheets_continue_after_the_excel_row_limit() -> None:
    columns = [exports.Column("STT", 6, "int"), exports.Column("Ngày", 12, "date")]
    rows = ([i, D(2021, 1, 1)] for i in range(1, 2502))
    raw = b"".join(exports.xlsx_stream(columns, rows, "Danh sách", sheet_rows=1000))
    workbook = openpyxl.load_workbook(io.BytesIO(raw))
    assert workbook.sheetnames == ["Danh sách", "Danh sách (2)", "Danh sách (3)"]
    assert [ws.max_row for ws in workbook] == [1001, 1001, 502]
    last = workbook["Danh sách (3)"]
    assert last.cell(row=1, column=1).value == "STT"
    assert last.cell(row=502, column=1).value == 2501
    assert last.cell(row=502, column=2).number_format == "dd/mm/yyyy"


def test_text_is_escaped_and_control_characters_dropped() -> None:
    columns = [exports.Column("Tên", 10)]
    raw = b"".join(exports.xlsx_stream(columns, [["<Lò> & \x07Văn "]]))
    sheet = openpyxl.load_workbook(io.BytesIO(raw)).active
    assert sheet is not None
    assert sheet.cell(row=2, column=1).value == "<Lò> & Văn "


def test_empty_export_has_only_headers(data: Data, personas: dict[Role, User]) -> None:
    response = client_for(personas[Role.HEALTH]).get("/reports/cases/export.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(body(response))).active
    assert sheet is not None
    assert sheet.max_row == 1
    assert AccessLog.objects.get().detail == "case line list: 0"
