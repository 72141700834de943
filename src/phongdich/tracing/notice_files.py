"""Files of inter-province notices: Excel and PDF in the official Vietnamese style (outgoing),
and reading a received Excel or JSON file into the notice payload (incoming).

The document text is Vietnamese whatever the interface language: it is an official letter
between two provinces' CDCs. The Excel file carries a hidden sheet ``_phongdich`` with the
notice's header fields (number, provinces, case), so that another installation reads it back
exactly; a file without it is read from its visible table, with the header fields given on
the import page.
"""

from __future__ import annotations

import datetime
import io
import json
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from phongdich.core.text import fold
from phongdich.tracing.models import Notice
from phongdich.tracing.notices import SCHEMA, SCHEMA_VERSION, NoticeError, place_name

FONT_DIR = Path(__file__).resolve().parent / "fonts"
META_SHEET = "_phongdich"

HEADERS = [
    "STT",
    "Họ và tên",
    "Năm sinh",
    "Giới tính",
    "Số CCCD",
    "Điện thoại",
    "Địa chỉ",
    "Mức độ tiếp xúc",
    "Ngày tiếp xúc cuối",
]
SEX_VI = {"M": "Nam", "F": "Nữ"}


def _vdate(iso: str | None) -> str:
    if not iso:
        return ""
    try:
        return datetime.date.fromisoformat(iso).strftime("%d/%m/%Y")
    except ValueError:
        return str(iso)


def _phone(e164: str | None) -> str:
    from phongdich.people.validation import display_phone

    return display_phone(e164 or "")


def document(notice: Notice) -> dict[str, Any]:
    """The text blocks of the letter, shared by the Excel and PDF renderings."""
    p = notice.payload or {}
    src = p.get("from", {})
    dst = p.get("to", {})
    case = p.get("case", {})
    people = p.get("people", [])
    src_name = src.get("province_name", notice.from_province.name)
    dst_name = dst.get("province_name", notice.to_province.name)
    issued = datetime.date.fromisoformat(p.get("issued_on") or notice.created_at.date().isoformat())
    levels = sorted({str(x.get("level", "F1")) for x in people}) or ["F1"]
    place = place_name(notice.from_province)
    dst_place = place_name(notice.to_province)
    code = case.get("code", "")
    if case.get("national_code"):
        code += f" ({case['national_code']})"
    rows = [
        [
            str(i),
            x.get("full_name", ""),
            str(x.get("birth_year") or ""),
            SEX_VI.get(x.get("sex", ""), ""),
            x.get("id_number") or "",
            _phone(x.get("phone")),
            x.get("address", ""),
            str(x.get("level", "")),
            _vdate(x.get("last_contact_on")),
        ]
        for i, x in enumerate(people, start=1)
    ]
    return {
        "left": [f"SỞ Y TẾ {src_name.upper()}", "TRUNG TÂM KIỂM SOÁT BỆNH TẬT", f"Số: {notice.number}"],
        "right": [
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
            "Độc lập - Tự do - Hạnh phúc",
            f"{place}, ngày {issued.day:02d} tháng {issued.month:02d} năm {issued.year}",
        ],
        "title": "THÔNG BÁO",
        "subject": (
            f"Về việc các trường hợp tiếp xúc ({', '.join(levels)}) với ca bệnh COVID-19 "
            f"có nơi ở tại {dst_name.lower() if dst_name.startswith('Tỉnh') else dst_name}"
        ),
        "to": f"Kính gửi: Trung tâm Kiểm soát bệnh tật {dst_name.lower() if dst_name.startswith('Tỉnh') else dst_name}",
        "body": (
            f"Ngày {_vdate(case.get('confirmed_on'))}, {src_name} ghi nhận ca bệnh COVID-19 mã số {code}. "
            f"Qua điều tra dịch tễ, Trung tâm Kiểm soát bệnh tật {src_name.lower()} xác định {len(people)} "
            f"trường hợp tiếp xúc có nơi ở tại {dst_place}. Đề nghị Trung tâm Kiểm soát bệnh tật "
            f"{dst_name.lower() if dst_name.startswith('Tỉnh') else dst_name} phối hợp xác minh, quản lý, "
            "theo dõi sức khỏe và lấy mẫu xét nghiệm theo quy định. Danh sách cụ thể như sau:"
        ),
        "rows": rows,
        "recipients": [
            "Nơi nhận:",
            "- Như trên;",
            f"- Sở Y tế {src_name.lower() if src_name.startswith('Tỉnh') else src_name} (b/c);",
            "- Lưu: VT, KSDB.",
        ],
        "signature": ["GIÁM ĐỐC", "(Ký, ghi rõ họ tên, đóng dấu)"],
    }


# ---------------------------------------------------------------------------------------------
# Excel
# ---------------------------------------------------------------------------------------------


def notice_xlsx(notice: Notice) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side

    doc = document(notice)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Thông báo"
    widths = [6, 26, 10, 10, 16, 14, 40, 14, 14]
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[chr(64 + i)].width = w
    bold = Font(name="Times New Roman", bold=True, size=12)
    normal = Font(name="Times New Roman", size=12)
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)

    def put(row: int, first: str, last: str, text: str, font: Font, align: Alignment = center) -> None:
        ws.merge_cells(f"{first}{row}:{last}{row}")
        cell = ws[f"{first}{row}"]
        cell.value = text
        cell.font = font
        cell.alignment = align

    italic = Font(name="Times New Roman", italic=True, size=12)
    put(1, "A", "C", doc["left"][0], normal)
    put(2, "A", "C", doc["left"][1], bold)
    put(3, "A", "C", doc["left"][2], normal)
    put(1, "E", "I", doc["right"][0], bold)
    put(2, "E", "I", doc["right"][1], bold)
    put(3, "E", "I", doc["right"][2], italic)
    put(5, "A", "I", doc["title"], Font(name="Times New Roman", bold=True, size=14))
    put(6, "A", "I", doc["subject"], bold)
    put(7, "A", "I", doc["to"], normal)
    put(8, "A", "I", doc["body"], normal, Alignment(wrap_text=True, vertical="top"))
    ws.row_dimensions[8].height = 80
    head = 10
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    for col, text in enumerate(HEADERS, start=1):
        cell = ws.cell(row=head, column=col, value=text)
        cell.font = bold
        cell.alignment = center
        cell.border = box
    for r, values in enumerate(doc["rows"], start=head + 1):
        for col, value in enumerate(values, start=1):
            cell = ws.cell(row=r, column=col, value=int(value) if col == 1 else value)
            cell.font = normal
            cell.border = box
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if col in (5, 6):
                cell.number_format = "@"
    end = head + len(doc["rows"]) + 2
    for i, line in enumerate(doc["recipients"]):
        cell = ws.cell(row=end + i, column=1, value=line)
        cell.font = Font(name="Times New Roman", bold=i == 0, italic=i == 0, size=11)
    put(end, "F", "I", doc["signature"][0], bold)
    put(end + 1, "F", "I", doc["signature"][1], italic)
    ws.print_options.horizontalCentered = True
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.freeze_panes = None
    # The header fields, for another Phòng Dịch installation importing this file.
    meta = wb.create_sheet(META_SHEET)
    payload = notice.payload or {}
    for key, value in [
        ("schema", SCHEMA),
        ("version", SCHEMA_VERSION),
        ("number", notice.number),
        ("issued_on", payload.get("issued_on", "")),
        ("from_province_code", notice.from_province.code),
        ("to_province_code", notice.to_province.code),
        ("case_code", payload.get("case", {}).get("code", "")),
        ("case_national_code", payload.get("case", {}).get("national_code") or ""),
        ("case_confirmed_on", payload.get("case", {}).get("confirmed_on", "")),
        ("header_row", head),
    ]:
        meta.append([key, value])
    meta.sheet_state = "hidden"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# ---------------------------------------------------------------------------------------------
# PDF
# ---------------------------------------------------------------------------------------------


def notice_pdf(notice: Notice) -> bytes:
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    doc = document(notice)
    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_title(f"Thông báo {notice.number}")
    pdf.set_author(doc["left"][0])
    pdf.set_creator("Phòng Dịch")
    pdf.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.set_margins(15, 12, 15)
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin
    half = width * 0.45
    top = pdf.get_y()
    lines = [("", doc["left"][0]), ("B", doc["left"][1]), ("", doc["left"][2])]
    for style, text in lines:
        pdf.set_font("DejaVu", style, 10)
        pdf.cell(half, 6, text, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(top)
    for style, text in [("B", doc["right"][0]), ("B", doc["right"][1]), ("", doc["right"][2])]:
        pdf.set_x(pdf.l_margin + width - half - 10)
        pdf.set_font("DejaVu", style, 10)
        pdf.cell(half + 10, 6, text, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font("DejaVu", "B", 14)
    pdf.cell(width, 8, doc["title"], align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "B", 11)
    pdf.multi_cell(width, 6, doc["subject"], align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 11)
    pdf.cell(width, 7, doc["to"], align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.multi_cell(width, 6, doc["body"], new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font("DejaVu", "", 9)
    col_widths = (10, 45, 16, 16, 28, 26, 80, 22, 24)
    with pdf.table(
        col_widths=col_widths,
        width=sum(col_widths),
        headings_style=FontFace(emphasis="BOLD"),
        line_height=5,
        text_align=("CENTER", "LEFT", "CENTER", "CENTER", "LEFT", "LEFT", "LEFT", "CENTER", "CENTER"),
    ) as table:
        table.row(HEADERS)
        for values in doc["rows"]:
            table.row(values)
    pdf.ln(6)
    y = pdf.get_y()
    if y > pdf.h - 45:
        pdf.add_page()
        y = pdf.get_y()
    for i, line in enumerate(doc["recipients"]):
        pdf.set_font("DejaVu", "B" if i == 0 else "", 9)
        pdf.cell(half, 5, line, new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(y)
    pdf.set_x(pdf.l_margin + width - half)
    pdf.set_font("DejaVu", "B", 11)
    pdf.cell(half, 6, doc["signature"][0], align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_x(pdf.l_margin + width - half)
    pdf.set_font("DejaVu", "", 9)
    pdf.cell(half, 5, doc["signature"][1], align="C", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


# ---------------------------------------------------------------------------------------------
# Reading a received file
# ---------------------------------------------------------------------------------------------

# Folded header text → payload key. The first that a header starts with wins.
_COLUMNS = [
    ("stt", "stt"),
    ("ho va ten", "full_name"),
    ("ho ten", "full_name"),
    ("nam sinh", "birth"),
    ("ngay sinh", "birth"),
    ("ngay thang nam sinh", "birth"),
    ("gioi tinh", "sex"),
    ("so cccd", "id_number"),
    ("cccd", "id_number"),
    ("so dinh danh", "id_number"),
    ("so cmnd", "id_number"),
    ("dien thoai", "phone"),
    ("so dien thoai", "phone"),
    ("sdt", "phone"),
    ("dia chi", "address"),
    ("noi o", "address"),
    ("ma xa", "commune_code"),
    ("muc do tiep xuc", "level"),
    ("phan loai", "level"),
    ("ngay tiep xuc dau", "first_contact_on"),
    ("ngay tiep xuc cuoi", "last_contact_on"),
    ("ngay tiep xuc", "last_contact_on"),
]


def _column_key(header: Any) -> str | None:
    text = fold(str(header or "")).strip()
    for prefix, key in _COLUMNS:
        if (
            text == prefix
            or text.startswith(prefix + " ")
            or text.startswith(prefix + "/")
            or text.startswith(prefix + "(")
        ):
            return key
    return None


class ParsedFile:
    """A received notice file read into the JSON payload, with where each row came from."""

    def __init__(self, payload: dict[str, Any], row_numbers: list[int] | None, columns: dict[str, str]) -> None:
        self.payload = payload
        self.row_numbers = row_numbers
        self.columns = columns


def parse_notice_file(filename: str, data: bytes, overrides: dict[str, Any] | None = None) -> ParsedFile:
    """A .json or .xlsx notice → payload (header fields from the file, else from ``overrides``:
    number, from_province_code, case_code, case_confirmed_on). NoticeError when unreadable."""
    overrides = {k: v for k, v in (overrides or {}).items() if v not in (None, "")}
    if not data or not data.strip():
        raise NoticeError(_("The file is empty: there is nothing to import."))
    if data[:4] == b"PK\x03\x04":
        return _parse_xlsx(data, overrides)
    try:
        payload = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise NoticeError(_("This file is neither a notice in JSON nor an Excel (.xlsx) file."), 400) from exc
    if not isinstance(payload, dict):
        raise NoticeError(_("The notice is not a JSON object."))
    return ParsedFile(_apply_overrides(payload, overrides), None, {})


def _apply_overrides(payload: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    payload = dict(payload)
    if overrides.get("number") and not payload.get("number"):
        payload["number"] = overrides["number"]
    src = dict(payload.get("from") or {}) if isinstance(payload.get("from"), dict) else {}
    if overrides.get("from_province_code") and not src.get("province_code"):
        src["province_code"] = overrides["from_province_code"]
    payload["from"] = src
    case = dict(payload.get("case") or {}) if isinstance(payload.get("case"), dict) else {}
    if overrides.get("case_code") and not case.get("code"):
        case["code"] = overrides["case_code"]
    if overrides.get("case_confirmed_on") and not case.get("confirmed_on"):
        case["confirmed_on"] = overrides["case_confirmed_on"]
    payload["case"] = case
    return payload


def _parse_xlsx(data: bytes, overrides: dict[str, Any]) -> ParsedFile:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several kinds for a file that is not a workbook
        raise NoticeError(
            _("This file is not a spreadsheet that can be read: upload an Excel (.xlsx) file."), 400
        ) from exc
    meta: dict[str, Any] = {}
    if META_SHEET in wb.sheetnames:
        for row in wb[META_SHEET].iter_rows(max_row=50, values_only=True):
            if row and row[0]:
                meta[str(row[0])] = row[1] if len(row) > 1 else None
    sheet = wb[wb.sheetnames[0]]
    raw = [list(r) for r in sheet.iter_rows(max_row=6000, values_only=True)]
    wb.close()
    number = meta.get("number")
    if not number:
        for r in raw[:10]:
            for cell in r:
                text = str(cell or "").strip()
                if fold(text).startswith("so:"):
                    number = text.split(":", 1)[1].strip()
                    break
            if number:
                break
    header_index = None
    found: dict[str, int] = {}
    headers: dict[str, str] = {}
    for i, r in enumerate(raw[:40]):
        keys = {}
        for j, cell in enumerate(r):
            key = _column_key(cell)
            if key and key not in keys:
                keys[key] = j
        if "full_name" in keys:
            header_index, found = i, keys
            headers = {k: str(r[j]).strip() for k, j in keys.items()}
            break
    if header_index is None:
        raise NoticeError(
            _("No header row found. The table must have the columns: %(headers)s.")
            % {"headers": ", ".join(HEADERS[1:])}
        )
    people: list[dict[str, Any]] = []
    numbers: list[int] = []
    for offset, r in enumerate(raw[header_index + 1 :], start=header_index + 2):
        values = {k: (r[j] if j < len(r) else None) for k, j in found.items()}
        if all(v is None or (isinstance(v, str) and not v.strip()) for k, v in values.items() if k != "stt"):
            if people:
                break  # the table ends at its first empty row (the signature block follows)
            continue
        first = fold(str(r[0] or "")) if r else ""
        if first.startswith("noi nhan"):
            break
        values.pop("stt", None)
        people.append(values)
        numbers.append(offset)
    payload = {
        "schema": SCHEMA,
        "version": SCHEMA_VERSION,
        "number": str(number or "").strip(),
        "issued_on": str(meta.get("issued_on") or ""),
        "from": {"province_code": str(meta.get("from_province_code") or "")},
        "to": {"province_code": str(meta.get("to_province_code") or "")},
        "case": {
            "code": str(meta.get("case_code") or ""),
            "national_code": str(meta.get("case_national_code") or ""),
            "confirmed_on": str(meta.get("case_confirmed_on") or ""),
        },
        "people": people,
    }
    return ParsedFile(_apply_overrides(payload, overrides), numbers, headers)
