"""Pages of the absent-citizen lists, for every role."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from phongdich.core.models import AccessLog
from phongdich.core.roles import Perm, Role, role_has
from phongdich.people.absent_import import run_import
from phongdich.people.models import AbsentListUpload, Person
from tests.conftest import client_for
from tests.people.absent_helpers import counts, row, xlsx

LISTS = reverse("people:absent-lists")
UPLOAD = reverse("people:absent-upload")


def _sees_lists(role: Role) -> bool:
    return role_has(role, Perm.ABSENT_UPLOAD) or role_has(role, Perm.ABSENT_EXPORT)


@pytest.fixture
def lists(tree, personas):
    """Absent people in Noong Bua (two villages and none), Him Lam and Sín Thầu."""
    commune = personas[Role.COMMUNE]
    run_import(
        commune,
        tree.noong_bua,
        "nb.xlsx",
        xlsx(
            row(village="Tổ dân phố 1", birth="15/03/1990", left_on="01/02/2021"),
            row(name="Lò Thị Mai", id_number="011195000001", birth="1995", village="Tổ dân phố 2"),
            row(name="Cà Văn Toàn", id_number="011096000002", birth="02/02/1996"),
        ),
    )
    police = personas[Role.POLICE]
    run_import(
        police,
        tree.him_lam,
        "hl.xlsx",
        xlsx(row(name="Hà Văn Long", id_number="011087000003", province="Lai Châu")),
    )
    run_import(
        police,
        tree.sin_thau,
        "st.xlsx",
        xlsx(row(name="Giàng A Chứ", id_number="011099000004", village="Bản Sín Thầu")),
    )
    return tree


@pytest.mark.parametrize("role", list(Role))
def test_lists_page_by_role(lists, personas, role):
    response = client_for(personas[role]).get(LISTS)
    if not _sees_lists(role):
        assert response.status_code == 403
        return
    assert response.status_code == 200
    html = response.content.decode()
    expected = {
        Role.COMMUNE: {"Lò Văn Minh", "Lò Thị Mai", "Cà Văn Toàn"},
        Role.COMMUNITY: {"Lò Văn Minh"},
        Role.DISTRICT: {"Lò Văn Minh", "Lò Thị Mai", "Cà Văn Toàn", "Hà Văn Long"},
        Role.CHECKPOINT: {"Giàng A Chứ"},
    }.get(role, {"Lò Văn Minh", "Lò Thị Mai", "Cà Văn Toàn", "Hà Văn Long", "Giàng A Chứ"})
    for name in {"Lò Văn Minh", "Lò Thị Mai", "Cà Văn Toàn", "Hà Văn Long", "Giàng A Chứ"}:
        assert (name in html) == (name in expected), (role, name)
    assert ("Xuất Excel" in html) == role_has(role, Perm.ABSENT_EXPORT)
    assert "15/03/1990" in html or "Lò Văn Minh" not in expected


def test_anonymous_is_sent_to_sign_in(lists):
    for url in (LISTS, UPLOAD, reverse("people:absent-export", args=["xlsx"])):
        response = client_for(None).get(url)
        assert response.status_code == 302 and "login" in response["Location"]


def test_rollup_counts_per_level(lists, personas):
    from phongdich.people.absent_queries import rollup

    police = personas[Role.POLICE]
    total, rows = rollup(police, lists.province)
    assert total == 5
    assert {r.unit.name: r.count for r in rows} == {"Thành phố Điện Biên Phủ": 4, "Huyện Mường Nhé": 1}
    total, rows = rollup(police, lists.city)
    assert total == 4 and {r.unit.name: r.count for r in rows} == {"Phường Noong Bua": 3, "Phường Him Lam": 1}
    total, rows = rollup(personas[Role.COMMUNE], lists.noong_bua)
    by_name = {(r.unit.name if r.unit else None): r.count for r in rows}
    assert total == 3 and by_name == {"Tổ dân phố 1": 1, "Tổ dân phố 2": 1, None: 1}
    # The page shows the same and links into a unit.
    html = client_for(police).get(LISTS, {"unit": lists.city.pk}).content.decode()
    assert "Phường Noong Bua" in html and f"?unit={lists.noong_bua.pk}" in html


def test_unit_outside_scope_is_404(lists, personas, outsider):
    assert client_for(outsider).get(LISTS, {"unit": lists.noong_bua.pk}).status_code == 404
    assert client_for(personas[Role.COMMUNE]).get(LISTS, {"unit": lists.city.pk}).status_code == 404
    assert client_for(personas[Role.COMMUNE]).get(LISTS, {"unit": "abc"}).status_code == 404


def test_text_filter_is_kept_out_of_the_url(lists, personas):
    client = client_for(personas[Role.POLICE])
    response = client.post(LISTS, {"text": "011195000001", "province": ""})
    assert response.status_code == 302 and "0111" not in response["Location"]
    html = client.get(response["Location"]).content.decode()
    assert "Lò Thị Mai" in html and "Hà Văn Long" not in html
    html = client.get(client.post(LISTS, {"text": "lo van"})["Location"]).content.decode()
    assert "Lò Văn Minh" in html and "Lò Thị Mai" not in html


def test_upload_page_by_role(tree, personas):
    for role, user in personas.items():
        response = client_for(user).get(UPLOAD)
        assert response.status_code == (200 if role_has(role, Perm.ABSENT_UPLOAD) else 403), role
    html = client_for(personas[Role.COMMUNE]).get(UPLOAD).content.decode()
    assert "Tổ dân phố 1" in html and "Phường Noong Bua" in html and "Phường Him Lam" not in html
    html = client_for(personas[Role.DISTRICT]).get(UPLOAD).content.decode()
    assert "Phường Him Lam" in html and "Xã Sín Thầu" not in html


def test_upload_and_report(tree, personas):
    client = client_for(personas[Role.COMMUNE])
    data = xlsx(row(), row(name="Sai Số", id_number="123"))
    response = client.post(UPLOAD, {"unit": tree.noong_bua.pk, "file": SimpleUploadedFile("ds.xlsx", data)})
    upload = AbsentListUpload.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "people:absent-upload-detail", args=[upload.pk]
    )
    html = client.get(response["Location"]).content.decode()
    assert "Báo cáo tải lên" in html and "Số CCCD/CMND phải có 12 chữ số" in html and ">3<" in html
    # English with the language cookie.
    client.cookies["django_language"] = "en"
    html = client.get(response["Location"]).content.decode()
    assert "Upload report" in html and "The ID number must have 12 digits" in html
    # Same file again: nothing changes, the first report is shown.
    before = counts()
    response = client.post(UPLOAD, {"unit": tree.noong_bua.pk, "file": SimpleUploadedFile("again.xlsx", data)})
    assert response.status_code == 302 and str(upload.pk) in response["Location"]
    assert counts() == before


@pytest.mark.parametrize(
    ("payload", "status", "text"),
    [
        (b"%PDF-1.4\x00\x00", 400, "không phải là bảng tính"),
        (b"", 400, "Hãy chọn tệp"),
        (None, 422, "Thiếu cột bắt buộc"),
    ],
)
def test_bad_uploads_on_the_page(tree, personas, payload, status, text):
    client = client_for(personas[Role.COMMUNE])
    before = counts()
    if payload is None:
        payload = xlsx(["x"], headers=["Họ và tên"])
    files = {"file": SimpleUploadedFile("f.xlsx", payload)} if payload else {}
    response = client.post(UPLOAD, {"unit": tree.noong_bua.pk, **files})
    assert response.status_code == status
    assert text in response.content.decode()
    assert counts() == before


def test_upload_refusals_on_the_page(tree, personas, outsider):
    data = xlsx(row())
    before = counts()
    response = client_for(personas[Role.HEALTH_STATION]).post(
        UPLOAD, {"unit": tree.noong_bua.pk, "file": SimpleUploadedFile("a.xlsx", data)}
    )
    assert response.status_code == 403
    response = client_for(outsider).post(
        UPLOAD, {"unit": tree.noong_bua.pk, "file": SimpleUploadedFile("a.xlsx", data)}
    )
    assert response.status_code == 404
    assert counts() == before


def test_a_50_mb_upload_on_the_page_is_413(tree, personas):
    before = counts()
    big = SimpleUploadedFile("big.xlsx", bytes(50 * 1024 * 1024))
    response = client_for(personas[Role.COMMUNE]).post(UPLOAD, {"unit": tree.noong_bua.pk, "file": big})
    assert response.status_code == 413 and "Tệp quá lớn" in response.content.decode()
    assert counts() == before


def test_report_page_scoping(lists, personas, outsider):
    upload = AbsentListUpload.objects.get(unit=lists.noong_bua)
    url = reverse("people:absent-upload-detail", args=[upload.pk])
    assert client_for(personas[Role.COMMUNE]).get(url).status_code == 200
    assert client_for(personas[Role.POLICE]).get(url).status_code == 200
    assert client_for(outsider).get(url).status_code == 404
    assert client_for(personas[Role.CHECKPOINT]).get(url).status_code == 404  # Mường Nhé
    assert client_for(personas[Role.LAB]).get(url).status_code == 403


@pytest.mark.parametrize("role", list(Role))
def test_export_by_role(lists, personas, role):
    before = AccessLog.objects.filter(channel="export").count()
    response = client_for(personas[role]).get(reverse("people:absent-export", args=["xlsx"]))
    if not role_has(role, Perm.ABSENT_EXPORT):
        assert response.status_code == 403
        assert AccessLog.objects.filter(channel="export").count() == before
        return
    assert response.status_code == 200
    assert AccessLog.objects.filter(channel="export").count() == before + 1


def test_export_contents_xlsx_and_csv(lists, personas):
    client = client_for(personas[Role.POLICE])
    response = client.get(reverse("people:absent-export", args=["xlsx"]), {"unit": lists.city.pk})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0][:4] == ["STT", "Họ và tên", "Số CCCD/CMND", "Ngày sinh"]
    assert rows[0][6:9] == ["Huyện", "Xã/phường", "Thôn/bản/tổ dân phố"]
    assert len(rows) == 5  # header + 4 in the city
    minh = next(r for r in rows if r[1] == "Lò Văn Minh")
    assert minh[2] == "011090001234" and minh[3] == "15/03/1990" and minh[4] == "Nam" and minh[5] == "0912345678"
    assert minh[6:9] == ["Thành phố Điện Biên Phủ", "Phường Noong Bua", "Tổ dân phố 1"]
    assert minh[10] == "Tỉnh Lai Châu" and minh[13] == "01/02/2021"
    mai = next(r for r in rows if r[1] == "Lò Thị Mai")
    assert mai[3] == "1995"
    log = AccessLog.objects.filter(channel="export").latest("id")
    assert log.detail == "4" and log.object_id == str(lists.city.pk)
    assert "Lò" not in log.detail
    response = client.get(reverse("people:absent-export", args=["csv"]))
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    lines = text.strip().splitlines()
    assert lines[0].startswith("STT,Họ và tên,Số CCCD/CMND,Ngày sinh") and len(lines) == 6
    assert AccessLog.objects.filter(channel="export").latest("id").detail == "5"


def test_template_downloads(personas):
    client = client_for(personas[Role.COMMUNE])
    response = client.get(reverse("people:absent-template", args=["xlsx"]))
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    headers = [c.value for c in sheet[1]]
    assert headers[:4] == ["STT", "Họ và tên", "Số CCCD/CMND", "Ngày sinh"] and "Tỉnh tạm trú" in headers
    response = client.get(reverse("people:absent-template", args=["csv"]))
    assert response.content.decode("utf-8-sig").startswith("STT,Họ và tên,Số CCCD/CMND")
    assert client.get(reverse("people:absent-template", args=["pdf"])).status_code == 404
    assert client_for(personas[Role.LAB]).get(reverse("people:absent-template", args=["csv"])).status_code == 403


def test_person_links_and_no_personal_data_in_links(lists, personas):
    html = client_for(personas[Role.POLICE]).get(LISTS).content.decode()
    minh = Person.objects.get(id_number="011090001234")
    assert reverse("people:detail", args=[minh.pk]) in html
    import re

    for href in re.findall(r'href="([^"]+)"', html):
        assert "011090001234" not in href and "0912345678" not in href
