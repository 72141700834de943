"""The quarantine order (Quyết định cách ly) and the release certificate (Giấy xác nhận hoàn thành cách ly), as PDF.

Official documents: Vietnamese whatever the interface language, DejaVu fonts of the tracing app
(as ``tracing.notice_files``). The order gives the dates and test days of the rule set stored on
the placement; the certificate the dates actually spent and the cost.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from phongdich.quarantine.models import FacilityKind, Payer, Placement
from phongdich.tracing.notice_files import FONT_DIR

SEX_VI = {"M": "Nam", "F": "Nữ"}
GROUP_VI = {
    "f1": "F1 (tiếp xúc gần với ca bệnh)",
    "f2": "F2 (tiếp xúc với F1)",
    "arrival_high_risk": "Người đến từ vùng có nguy cơ cao",
    "arrival": "Người đến từ địa phương khác",
}


def _d(day: datetime.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else "…"


def _money(amount: Decimal | int | None) -> str:
    return f"{int(amount or 0):,}".replace(",", ".") + " đồng"


def _pdf(title: str) -> Any:
    from fpdf import FPDF

    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_title(title)
    pdf.set_creator("Phòng Dịch")
    pdf.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.set_margins(20, 15, 20)
    pdf.add_page()
    return pdf


def _header(pdf: Any, authority: str, title: str) -> float:
    width = pdf.w - pdf.l_margin - pdf.r_margin
    half = width * 0.45
    top = pdf.get_y()
    pdf.set_font("DejaVu", "B", 10)
    pdf.multi_cell(half, 5, authority.upper(), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(top)
    pdf.set_x(pdf.l_margin + width - half - 10)
    pdf.cell(half + 10, 5, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_x(pdf.l_margin + width - half - 10)
    pdf.cell(half + 10, 5, "Độc lập - Tự do - Hạnh phúc", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(12)
    pdf.set_font("DejaVu", "B", 14)
    pdf.multi_cell(width, 8, title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("DejaVu", "", 11)
    return float(width)


def _authority(placement: Placement) -> str:
    f = placement.facility
    if f.kind == FacilityKind.HOME and f.commune is not None:
        return f"UBND {f.commune.name}"
    if f.district is not None:
        return f"Ban Chỉ đạo phòng, chống dịch COVID-19 {f.district.name}"
    return "Ban Chỉ đạo phòng, chống dịch COVID-19"


def _person_lines(placement: Placement) -> list[str]:
    p = placement.person
    born = p.birth_date.strftime("%d/%m/%Y") if p.birth_date else (str(p.birth_year) if p.birth_year else "…")
    where = ", ".join(u.name for u in (placement.village, placement.commune, placement.district) if u is not None)
    return [
        f"Họ và tên: {p.full_name}",
        f"Ngày sinh: {born}    Giới tính: {SEX_VI.get(p.sex, '…')}",
        f"Số CCCD/CMND: {p.id_number or '…'}",
        f"Nơi cư trú: {', '.join(x for x in (p.address, where) if x) or '…'}",
    ]


def _place(placement: Placement) -> str:
    f = placement.facility
    if f.kind == FacilityKind.HOME:
        return "tại nhà (nơi cư trú nêu trên), dưới sự giám sát của UBND xã và Tổ COVID cộng đồng"
    room = f", phòng {placement.room.name}" if placement.room else ""
    bed = f", giường {placement.bed.label}" if placement.bed else ""
    return f"tại {f.name}{(' - ' + f.address) if f.address else ''}{room}{bed}"


def order_pdf(placement: Placement) -> bytes:
    """The quarantine order: who, where, from when to when, on which rule set, which test days."""
    pdf = _pdf("Quyết định cách ly")
    width = _header(pdf, _authority(placement), "QUYẾT ĐỊNH\nvề việc cách ly y tế phòng, chống dịch COVID-19")
    rs = placement.rule_set
    pdf.multi_cell(
        width,
        6,
        f"Căn cứ Luật Phòng, chống bệnh truyền nhiễm năm 2007; căn cứ {rs.basis} ({rs.name}).",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(2)
    pdf.set_font("DejaVu", "B", 11)
    pdf.cell(width, 7, "QUYẾT ĐỊNH:", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 11)
    pdf.multi_cell(width, 6, "Điều 1. Áp dụng biện pháp cách ly y tế đối với:", new_x="LMARGIN", new_y="NEXT")
    for line in _person_lines(placement):
        pdf.multi_cell(width, 6, "    " + line, new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(
        width,
        6,
        f"    Đối tượng: {GROUP_VI.get(placement.risk_group, placement.risk_group)}",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    last_day = placement.end_date - datetime.timedelta(days=1)
    pdf.multi_cell(width, 6, f"Điều 2. Địa điểm cách ly: {_place(placement)}.", new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(
        width,
        6,
        f"Điều 3. Thời gian cách ly: từ ngày {_d(placement.entered_on)} đến hết ngày {_d(last_day)} "
        f"(ngày thứ nhất tính từ {_d(placement.day_one)}); kết thúc cách ly từ ngày {_d(placement.end_date)} "
        "nếu kết quả xét nghiệm âm tính.",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    tests = ", ".join(_d(d) for d in placement.test_days()) or "theo chỉ định của cơ quan y tế"
    pdf.multi_cell(
        width, 6, f"Điều 4. Lấy mẫu xét nghiệm SARS-CoV-2 vào các ngày: {tests}.", new_x="LMARGIN", new_y="NEXT"
    )
    if placement.facility.kind != FacilityKind.HOME:
        who = "người được cách ly tự chi trả" if placement.payer == Payer.PERSON else "ngân sách nhà nước chi trả"
        pdf.multi_cell(
            width,
            6,
            f"Điều 5. Chi phí ăn, ở: {_money(placement.cost_per_day)}/ngày, do {who}.",
            new_x="LMARGIN",
            new_y="NEXT",
        )
    pdf.multi_cell(
        width,
        6,
        "Người được cách ly có trách nhiệm chấp hành nghiêm các quy định về cách ly y tế; đo thân nhiệt và "
        "khai báo y tế hằng ngày; không tiếp xúc với người khác khi chưa được phép.",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    _signature(pdf, width, placement.placed_at.date() if placement.placed_at else placement.entered_on)
    return bytes(pdf.output())


def certificate_pdf(placement: Placement) -> bytes:
    """The certificate of completed quarantine (after release)."""
    pdf = _pdf("Giấy xác nhận hoàn thành cách ly")
    width = _header(pdf, _authority(placement), "GIẤY XÁC NHẬN\nHOÀN THÀNH THỜI GIAN CÁCH LY Y TẾ")
    pdf.multi_cell(width, 6, "Xác nhận:", new_x="LMARGIN", new_y="NEXT")
    for line in _person_lines(placement):
        pdf.multi_cell(width, 6, "    " + line, new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(
        width,
        6,
        f"Đã thực hiện cách ly y tế {_place(placement)}, "
        f"từ ngày {_d(placement.entered_on)} đến ngày {_d(placement.ended_on)} "
        f"({placement.days_on(placement.ended_on or placement.end_date)} ngày), theo {placement.rule_set.basis}.",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    if placement.release_note:
        pdf.multi_cell(
            width, 6, f"Kết thúc cách ly trước thời hạn: {placement.release_note}.", new_x="LMARGIN", new_y="NEXT"
        )
    if placement.facility.kind != FacilityKind.HOME:
        who = "người được cách ly" if placement.payer == Payer.PERSON else "ngân sách nhà nước"
        pdf.multi_cell(
            width,
            6,
            f"Chi phí ăn, ở: {_money(placement.cost_total)} ({who} chi trả).",
            new_x="LMARGIN",
            new_y="NEXT",
        )
    pdf.multi_cell(
        width,
        6,
        "Sau khi kết thúc cách ly, tiếp tục tự theo dõi sức khỏe tại nhà theo hướng dẫn của cơ quan y tế.",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    _signature(pdf, width, placement.ended_on or placement.end_date)
    return bytes(pdf.output())


def _signature(pdf: Any, width: float, on: datetime.date) -> None:
    pdf.ln(8)
    half = width * 0.5
    pdf.set_x(pdf.l_margin + width - half)
    pdf.set_font("DejaVu", "", 11)
    pdf.cell(half, 6, f"Ngày {on.day:02d} tháng {on.month:02d} năm {on.year}", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_x(pdf.l_margin + width - half)
    pdf.set_font("DejaVu", "B", 11)
    pdf.cell(half, 6, "THỦ TRƯỞNG ĐƠN VỊ", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_x(pdf.l_margin + width - half)
    pdf.set_font("DejaVu", "", 9)
    pdf.cell(half, 5, "(Ký, ghi rõ họ tên, đóng dấu)", align="C", new_x="LMARGIN", new_y="NEXT")
