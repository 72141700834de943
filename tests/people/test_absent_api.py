"""API of the absent-citizen lists, for every role."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import load_workbook

from phongdich.core.models import AccessLog, ApiToken
from phongdich.core.roles import Perm, Role, role_has
from phongdich.people.models import AbsentListUpload, Person
from tests.people.absent_helpers import counts, row, xlsx

BASE = "/api/v1/absent"


def api(user, language: str | None = None) -> Client:
    _token, key = ApiToken.issue(user, "test")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    if language:
        headers["HTTP_ACCEPT_LANGUAGE"] = language
    return Client(**headers)


def post_file(client: Client, data: bytes, name: str = "ds.xlsx", **form):
    return client.post(f"{BASE}/uploads", {"file": SimpleUploadedFile(name, data), **form})


@pytest.mark.parametrize("role", list(Role))
def test_upload_by_role(tree, personas, role):
    user = personas[role]
    unit = tree.to1 if role == Role.COMMUNITY else tree.noong_bua
    before = counts()
    response = post_file(api(user), xlsx(row()), unit=unit.pk)
    if not role_has(role, Perm.ABSENT_UPLOAD):
        assert response.status_code == 403, response.content
        assert counts() == before
        return
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["created_count"] == 1 and body["status"] == "accepted" and body["errors"] == []
    assert body["unit"]["id"] == unit.pk and body["already_uploaded"] is False


def test_upload_by_code_and_again(tree, personas):
    client = api(personas[Role.POLICE])
    data = xlsx(row(), row(name="Sai", id_number="12"))
    response = post_file(client, data, version="pre2025", code="03124")
    assert response.status_code == 201
    first = response.json()
    assert first["error_count"] == 1 and first["status"] == "partial"
    assert first["errors"] == [
        {
            "row": 3,
            "column": "Số CCCD/CMND",
            "field": "id_number",
            "code": "id_length",
            "message": "Số CCCD/CMND phải có 12 chữ số (CCCD) hoặc 9 chữ số (CMND).",
        }
    ]
    before = counts()
    response = post_file(client, data, version="pre2025", code="03124")
    assert response.status_code == 200
    assert response.json()["id"] == first["id"] and response.json()["already_uploaded"] is True
    assert counts() == before
    # The report, in English on request.
    response = api(personas[Role.POLICE], "en").get(f"{BASE}/uploads/{first['id']}")
    assert response.status_code == 200
    assert response.json()["errors"][0]["message"] == "The ID number must have 12 digits (CCCD) or 9 digits (CMND)."


def test_upload_outside_scope_is_404_and_writes_nothing(tree, personas, outsider):
    before = counts()
    assert post_file(api(outsider), xlsx(row()), unit=tree.noong_bua.pk).status_code == 404
    assert post_file(api(personas[Role.COMMUNITY]), xlsx(row()), unit=tree.to2.pk).status_code == 404
    assert post_file(api(personas[Role.COMMUNE]), xlsx(row()), unit=999999).status_code == 404
    assert post_file(api(personas[Role.COMMUNE]), xlsx(row()), code="99999").status_code == 404
    assert counts() == before


@pytest.mark.parametrize(
    ("data", "status", "vi", "en"),
    [
        (b"%PDF-1.7\x00\x00\x00", 400, "không phải là bảng tính", "not a spreadsheet"),
        (b"PK\x03\x04garbage", 400, "Không đọc được", "can be read"),
        (b"", 422, "Tệp trống", "empty"),
        (
            xlsx(headers=["Họ và tên", "Số CCCD/CMND", "Ngày sinh", "Tỉnh tạm trú"]),
            422,
            "không có dòng dữ liệu",
            "no rows",
        ),
        (xlsx(["a"], headers=["Họ và tên", "Địa chỉ"]), 422, "Thiếu cột bắt buộc", "missing"),
        (xlsx(["a"], headers=["Tên hàng", "Giá"]), 422, "dòng tiêu đề", "header"),
    ],
)
def test_bad_files(tree, personas, data, status, vi, en):
    before = counts()
    response = post_file(api(personas[Role.COMMUNE]), data, unit=tree.noong_bua.pk)
    assert response.status_code == status, response.content
    assert vi in response.json()["detail"]
    response = post_file(api(personas[Role.COMMUNE], "en"), data, unit=tree.noong_bua.pk)
    assert response.status_code == status and en in response.json()["detail"]
    assert counts() == before


def test_a_50_mb_file_is_413(tree, personas):
    before = counts()
    response = post_file(api(personas[Role.COMMUNE]), bytes(50 * 1024 * 1024), unit=tree.noong_bua.pk)
    assert response.status_code == 413 and "Tệp quá lớn" in response.json()["detail"]
    assert counts() == before


def test_missing_file_or_unit_is_422(tree, personas):
    client = api(personas[Role.COMMUNE])
    assert client.post(f"{BASE}/uploads", {"unit": tree.noong_bua.pk}).status_code == 422
    assert post_file(client, xlsx(row())).status_code == 422
    assert post_file(client, xlsx(row()), unit=tree.city.pk).status_code == 404  # not the officer's
    assert post_file(api(personas[Role.DISTRICT]), xlsx(row()), unit=tree.city.pk).status_code == 422
    assert Person.objects.count() == 0


@pytest.fixture
def listed(tree, personas):
    client = api(personas[Role.POLICE])
    post_file(
        client,
        xlsx(row(village="Tổ dân phố 1"), row(name="Lò Thị Mai", id_number="011195000001", birth="1995")),
        unit=tree.noong_bua.pk,
    )
    post_file(client, xlsx(row(name="Giàng A Chứ", id_number="011099000004")), unit=tree.sin_thau.pk)
    return tree


@pytest.mark.parametrize("role", list(Role))
def test_list_by_role(listed, personas, role):
    response = api(personas[role]).get(f"{BASE}/list")
    if not (role_has(role, Perm.ABSENT_UPLOAD) or role_has(role, Perm.ABSENT_EXPORT)):
        assert response.status_code == 403
        return
    assert response.status_code == 200
    names = {r["full_name"] for r in response.json()["results"]}
    expected = {
        Role.COMMUNE: {"Lò Văn Minh", "Lò Thị Mai"},
        Role.COMMUNITY: {"Lò Văn Minh"},
        Role.DISTRICT: {"Lò Văn Minh", "Lò Thị Mai"},
        Role.CHECKPOINT: {"Giàng A Chứ"},
    }.get(role, {"Lò Văn Minh", "Lò Thị Mai", "Giàng A Chứ"})
    assert names == expected


def test_list_filters_and_pages(listed, personas):
    client = api(personas[Role.POLICE])
    body = client.get(f"{BASE}/list", {"unit": listed.noong_bua.pk, "page_size": 1}).json()
    assert body["count"] == 2 and body["pages"] == 2 and len(body["results"]) == 1
    minh = client.get(f"{BASE}/list", {"unit": listed.to1.pk}).json()["results"][0]
    assert minh["birth_date"] == "1990-03-15" and minh["village"] == "Tổ dân phố 1"
    assert minh["temp_province"]["code"] == "12" and minh["phone"] == "+84912345678"
    assert client.get(f"{BASE}/list", {"province": listed.province.pk}).json()["count"] == 0
    assert api(personas[Role.COMMUNE]).get(f"{BASE}/list", {"unit": listed.sin_thau.pk}).status_code == 404


@pytest.mark.parametrize("role", list(Role))
def test_export_by_role(listed, personas, role):
    before = AccessLog.objects.filter(channel="export").count()
    response = api(personas[role]).get(f"{BASE}/export.xlsx")
    if not role_has(role, Perm.ABSENT_EXPORT):
        assert response.status_code == 403
        assert AccessLog.objects.filter(channel="export").count() == before
        return
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    expected = {Role.DISTRICT: 2, Role.CHECKPOINT: 1}.get(role, 3)
    assert len(rows) == 1 + expected
    assert AccessLog.objects.filter(channel="export").count() == before + 1


def test_export_csv_api(listed, personas):
    response = api(personas[Role.POLICE]).get(f"{BASE}/export.csv", {"unit": listed.noong_bua.pk})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    lines = b"".join(response.streaming_content).decode("utf-8-sig").strip().splitlines()
    assert len(lines) == 3 and "15/03/1990" in "".join(lines)


def test_upload_report_scoping(listed, personas, outsider):
    upload = AbsentListUpload.objects.get(unit=listed.noong_bua)
    assert api(personas[Role.COMMUNE]).get(f"{BASE}/uploads/{upload.pk}").status_code == 200
    assert api(outsider).get(f"{BASE}/uploads/{upload.pk}").status_code == 404
    assert api(personas[Role.LAB]).get(f"{BASE}/uploads/{upload.pk}").status_code == 403
    assert api(personas[Role.COMMUNE]).get(f"{BASE}/uploads/not-a-uuid").status_code == 404
    listing = api(personas[Role.COMMUNE]).get(f"{BASE}/uploads").json()
    assert [u["id"] for u in listing] == [str(upload.pk)]


def test_templates_and_anonymous(personas):
    client = api(personas[Role.COMMUNE])
    assert client.get(f"{BASE}/template.xlsx").status_code == 200
    assert client.get(f"{BASE}/template.csv").content.decode("utf-8-sig").startswith("STT,")
    assert Client().get(f"{BASE}/list").status_code == 401
    assert Client().post(f"{BASE}/uploads").status_code == 401
