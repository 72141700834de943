"""/api/v1/units: every role against every endpoint, refusals, bad uploads, English errors."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.test.utils import override_settings

from phongdich.core.models import ApiToken
from phongdich.core.roles import Role
from phongdich.geo.models import AdminUnit, Crosswalk, Hierarchy, Level
from tests.geo.conftest import POPULATION_HEADER, VILLAGE_HEADER, csv_bytes, xlsx_bytes

EDITORS = {Role.ADMIN, Role.DISTRICT, Role.COMMUNE}
BASE = "/api/v1/units"


class Api:
    def __init__(self, user=None, lang: str = "vi") -> None:
        self.client = Client()
        self.headers = {"Accept-Language": lang}
        if user is not None:
            _token, key = ApiToken.issue(user, "test")
            self.headers["Authorization"] = f"Bearer {key}"

    def get(self, path: str, **params):
        return self.client.get(BASE + path, params, headers=self.headers)

    def upload(self, path: str, name: str, data: bytes):
        return self.client.post(BASE + path, {"file": SimpleUploadedFile(name, data)}, headers=self.headers)


@pytest.fixture
def apis(personas):
    return {role: Api(user) for role, user in personas.items()}


def test_anonymous_gets_401(tree):
    api = Api()
    for path in ("", "/pre2025/11", "/pre2025/11/children", "/pre2025/03124/crosswalk", "/pre2025/11/neighbours"):
        assert api.get(path).status_code == 401, path
    assert api.upload("/import/villages", "a.csv", b"x").status_code == 401


def test_list_is_scoped_for_each_role(tree, apis):
    expected = {
        Role.ADMIN: 10,  # Điện Biên: 1 + 2 districts + 4 communes + 3 villages
        Role.DISTRICT: 5,
        Role.COMMUNE: 3,
        Role.HEALTH_STATION: 3,
        Role.COMMUNITY: 1,
        Role.CHECKPOINT: 4,
        Role.FACILITY: 5,
    }
    for role, api in apis.items():
        body = api.get("").json()
        assert body["count"] == expected.get(role, 10), role
    body = apis[Role.ADMIN].get("", level="commune", page_size=3).json()
    assert body["count"] == 4 and [u["code"] for u in body["items"]] == ["03124", "03127", "03154"]
    body = apis[Role.ADMIN].get("", level="commune", page_size=3, page=2).json()
    assert [u["code"] for u in body["items"]] == ["03155"]
    body = apis[Role.ADMIN].get("", parent="094").json()
    assert [u["code"] for u in body["items"]] == ["03124", "03127"]
    body = apis[Role.ADMIN].get("", q="sin thau").json()
    assert [u["code"] for u in body["items"]] == ["03154", "03154-001"]
    assert apis[Role.ADMIN].get("", version="2025").json()["count"] == 0
    assert apis[Role.ADMIN].get("", version="1999").status_code == 422
    assert apis[Role.ADMIN].get("", page=0).status_code == 422
    assert apis[Role.ADMIN].get("", page_size=10_000).status_code == 422


def test_detail_children_and_404_outside(tree, apis):
    body = apis[Role.DISTRICT].get("/pre2025/03124").json()
    assert body["name"] == "Phường Noong Bua" and body["parent_code"] == "094" and body["children_count"] == 2
    assert [u["code"] for u in body["lineage"]] == ["11", "094"]
    assert body["persons_registered"] == 0 and body["level"] == "commune"
    children = apis[Role.DISTRICT].get("/pre2025/094/children").json()
    assert [u["code"] for u in children["items"]] == ["03124", "03127"]
    for role, path in [
        (Role.DISTRICT, "/pre2025/096"),
        (Role.COMMUNE, "/pre2025/094"),
        (Role.COMMUNITY, "/pre2025/03124"),
        (Role.CHECKPOINT, "/pre2025/03124/children"),
        (Role.ADMIN, "/pre2025/12"),
        (Role.ADMIN, "/pre2025/99999"),
        (Role.ADMIN, "/1999/11"),
        (Role.COMMUNE, "/pre2025/11/neighbours"),
        (Role.COMMUNE, "/pre2025/03127/crosswalk"),
    ]:
        response = apis[role].get(path)
        assert response.status_code == 404, (role, path)
        assert response.json() == {"detail": "Không tìm thấy."}
    assert apis[Role.ADMIN].get("/pre2025/094/children", page_size=0).status_code == 400


def test_neighbours_and_crosswalk(tree, apis):
    tree.province.neighbours.add(tree.lai_chau)
    AdminUnit.objects.filter(pk=tree.province.pk).update(foreign_borders="CN,LA")
    body = apis[Role.COMMUNE].get("/pre2025/03124/neighbours").json()  # a commune: its province's neighbours
    assert body["province"]["code"] == "11"
    assert [p["code"] for p in body["provinces"]] == ["12"]
    assert body["countries"] == [{"code": "CN", "name": "Trung Quốc"}, {"code": "LA", "name": "Lào"}]
    new_p = AdminUnit.objects.create(version=Hierarchy.POST2025, level=Level.PROVINCE, code="11", name="Tỉnh Điện Biên")
    new = AdminUnit.objects.create(
        version=Hierarchy.POST2025, level=Level.COMMUNE, code="03334", name="Phường Mường Thanh", parent=new_p
    )
    Crosswalk.objects.create(old=tree.noong_bua, new=new, partly=True)
    body = apis[Role.COMMUNE].get("/pre2025/03124/crosswalk").json()
    assert body["direction"] == "to_2025"
    assert body["units"] == [
        {"unit": {"version": "2025", "level": "commune", "code": "03334", "name": "Phường Mường Thanh"}, "partly": True}
    ]
    body = apis[Role.ADMIN].get("/pre2025/094/crosswalk").json()
    assert body["units"] == []


@pytest.mark.parametrize("path", ["/import/villages", "/import/population"])
def test_imports_refused_without_the_permission(tree, apis, path):
    count, filled = AdminUnit.objects.count(), AdminUnit.objects.filter(population__isnull=False).count()
    data = csv_bytes([VILLAGE_HEADER, ["03124", "Bản Cấm", "", "", "5"]])
    for role, api in apis.items():
        if role in EDITORS:
            continue
        response = api.upload(path, "a.csv", data)
        assert response.status_code == 403, role
        assert response.json()["detail"] == "Vai trò của bạn không được phép thực hiện thao tác này."
        assert api.get(f"{path}/template").status_code == 403
    assert AdminUnit.objects.count() == count
    assert AdminUnit.objects.filter(population__isnull=False).count() == filled


def test_village_import_report_and_idempotence(tree, apis):
    data = xlsx_bytes(
        [
            VILLAGE_HEADER,
            ["03124", "Bản Mới", "bản", None, 40],
            ["03154", "Bản Xa", "bản", None, None],  # outside the commune officer's area
            ["03124", "Bản Âm", "bản", None, -1],
        ]
    )
    api = apis[Role.COMMUNE]
    body = api.upload("/import/villages", "thon.xlsx", data).json()
    assert (body["rows"], body["accepted"], body["rejected"], body["created"]) == (3, 1, 2, 1)
    assert body["errors"] == [
        {"row": 3, "column": "Mã xã", "message": "Mã xã không có hoặc xã không thuộc địa bàn của bạn."},
        {"row": 4, "column": "Dân số", "message": "Dân số không được là số âm."},
    ]
    again = api.upload("/import/villages", "thon.xlsx", data).json()
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 1)
    assert AdminUnit.objects.filter(level=Level.VILLAGE, commune=tree.noong_bua).count() == 3
    tree.noong_bua.refresh_from_db()
    assert tree.noong_bua.population_total == 40


@pytest.mark.parametrize(
    ("name", "data", "status", "fragment"),
    [
        ("a.csv", b"", 400, "Tệp trống"),
        ("a.xlsx", b"PK\x03\x04garbage", 400, "Excel"),
        ("a.jpg", b"\xff\xd8\xff\xe0 jpeg", 400, "không phải là bảng tính"),
        ("a.csv", "Tên,Tuổi\nA,3\n".encode(), 400, "Thiếu cột"),
    ],
)
def test_unusable_uploads(tree, apis, name, data, status, fragment):
    count = AdminUnit.objects.count()
    for path in ("/import/villages", "/import/population"):
        response = apis[Role.ADMIN].upload(path, name, data)
        assert response.status_code == status
        assert fragment in response.json()["detail"]
    assert AdminUnit.objects.count() == count


def test_too_large_upload_is_413(tree, apis):
    big = csv_bytes([POPULATION_HEADER] + [["03124", "1", ""]] * 200)
    with override_settings(MAX_UPLOAD_BYTES=1000):
        response = apis[Role.ADMIN].upload("/import/population", "big.csv", big)
    assert response.status_code == 413
    assert "Tệp quá lớn" in response.json()["detail"]
    assert AdminUnit.objects.filter(population__isnull=False).count() == 0


def test_missing_file_is_422(tree, apis):
    response = apis[Role.ADMIN].client.post(BASE + "/import/population", {}, headers=apis[Role.ADMIN].headers)
    assert response.status_code == 422


def test_population_import_and_english_errors(tree, personas):
    api = Api(personas[Role.DISTRICT], lang="en")
    data = csv_bytes([POPULATION_HEADER, ["03127", "2.500", ""], ["03154", "9", ""], ["03124", "x", ""]])
    body = api.upload("/import/population", "p.csv", data).json()
    assert body["updated"] == 1 and body["rejected"] == 2
    assert [e["message"] for e in body["errors"]] == [
        "Unknown code, or a unit outside your area.",
        'Not a whole number: "x".',
    ]
    tree.city.refresh_from_db()
    assert tree.city.population_total == 2500
    assert api.get("/pre2025/11").json() == {"detail": "Not found."}
    assert Api(personas[Role.LAB], lang="en").upload("/import/population", "p.csv", data).json() == {
        "detail": "Your role does not allow this."
    }


def test_templates_via_api(tree, apis):
    response = apis[Role.COMMUNE].get("/import/villages/template")
    assert response.status_code == 200 and response.content[:2] == b"PK"
    assert apis[Role.COMMUNE].get("/import/other/template").status_code == 422


def test_openapi_documents_the_unit_endpoints(tree, apis):
    schema = apis[Role.ADMIN].client.get("/api/v1/openapi.json").json()
    paths = schema["paths"]
    for path in (
        "/api/v1/units",
        "/api/v1/units/{version}/{code}",
        "/api/v1/units/{version}/{code}/children",
        "/api/v1/units/{version}/{code}/crosswalk",
        "/api/v1/units/{version}/{code}/neighbours",
        "/api/v1/units/import/villages",
        "/api/v1/units/import/population",
    ):
        assert path in paths, path
    assert "ImportReportOut" in schema["components"]["schemas"]
    assert "413" in paths["/api/v1/units/import/villages"]["post"]["responses"]
