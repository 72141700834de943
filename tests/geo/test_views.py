"""Web pages of the unit browser and the imports, for every role, with refusals."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.utils import override_settings
from django.urls import reverse

from phongdich.core.roles import Role
from phongdich.geo.actions import rollup_population, set_populations
from phongdich.geo.models import AdminUnit, Crosswalk, Hierarchy, Level
from phongdich.people.models import Person
from tests.conftest import PERSONA_UNITS, client_for
from tests.geo.conftest import POPULATION_HEADER, VILLAGE_HEADER, csv_bytes

EDITORS = {Role.ADMIN, Role.DISTRICT, Role.COMMUNE}


def unit_url(unit: AdminUnit) -> str:
    return reverse("geo:unit", args=[unit.version, unit.code])


def person(unit_cols: dict, name: str = "Lò Văn A", merged_into: Person | None = None) -> Person:
    return Person.objects.create(full_name=name, name_key=name.lower(), merged_into=merged_into, **unit_cols)


def cols(tree, village) -> dict:
    commune = village.parent
    return {"province": tree.province, "district": commune.parent, "commune": commune, "village": village}


def test_anonymous_is_sent_to_sign_in(tree):
    for url in (reverse("geo:browse"), unit_url(tree.province), reverse("geo:import-villages")):
        response = client_for(None).get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_each_role_starts_at_its_own_unit(tree, personas):
    for role, user in personas.items():
        response = client_for(user).get(reverse("geo:browse"))
        assert response.status_code == 200, role
        own = getattr(tree, PERSONA_UNITS[role])
        assert response.context["unit"] == own, role


def test_browse_within_scope_and_404_outside(tree, personas):
    inside = {
        Role.ADMIN: [tree.province, tree.muong_nhe, tree.noong_bua, tree.to1],
        Role.DISTRICT: [tree.city, tree.noong_bua, tree.to2],
        Role.COMMUNE: [tree.noong_bua, tree.to1],
        Role.COMMUNITY: [tree.to1],
        Role.CHECKPOINT: [tree.muong_nhe, tree.sin_thau],
    }
    outside = {
        Role.ADMIN: [tree.lai_chau, tree.quyet_thang],
        Role.DISTRICT: [tree.province, tree.muong_nhe, tree.sin_thau],
        Role.COMMUNE: [tree.city, tree.him_lam, tree.province],
        Role.COMMUNITY: [tree.noong_bua, tree.to2],
        Role.CHECKPOINT: [tree.city, tree.province],
    }
    for role, units in inside.items():
        client = client_for(personas[role])
        for unit in units:
            assert client.get(unit_url(unit)).status_code == 200, (role, unit)
    for role, units in outside.items():
        client = client_for(personas[role])
        for unit in units:
            assert client.get(unit_url(unit)).status_code == 404, (role, unit)
            assert client.get(reverse("geo:crosswalk", args=[unit.version, unit.code])).status_code == 404
    client = client_for(personas[Role.ADMIN])
    assert client.get("/units/pre2025/99999/").status_code == 404
    assert client.get("/units/1999/11/").status_code == 404


def test_unit_page_facts_children_counts_and_vietnamese_numbers(tree, personas, django_assert_max_num_queries):
    set_populations({tree.to1: 12000, tree.to2: 345, tree.him_lam: 1000})
    rollup_population(Hierarchy.PRE2025, tree.province)
    person(cols(tree, tree.to1), "A")
    person(cols(tree, tree.to1), "B")
    person(cols(tree, tree.to2), "C")
    person(cols(tree, tree.to2), "D", merged_into=Person.objects.get(full_name="C"))  # merged: not counted
    person(cols(tree, tree.ban_sin_thau), "E")
    client = client_for(personas[Role.ADMIN])
    with django_assert_max_num_queries(14):
        response = client.get(unit_url(tree.city))
    html = response.content.decode()
    rows = {c.code: c for c in response.context["children"]}
    assert rows["03124"].persons == 3 and rows["03127"].persons == 0
    assert rows["03124"].population_total == 12345 and rows["03124"].n_children == 2
    assert response.context["persons"] == 3
    assert "12.345" in html and "13.345" in html  # Vietnamese thousands separator
    assert "Phường Noong Bua" in html and "Quận/huyện" not in html
    assert "Xã/phường/thị trấn" in html  # heading of the children table, in Vietnamese
    assert 'href="/units/pre2025/03124/"' in html
    # The province page: districts, with counts from one grouped query.
    response = client.get(unit_url(tree.province))
    counts = {c.code: c.persons for c in response.context["children"]}
    assert counts == {"094": 3, "096": 1}
    # The commune page lists its villages.
    response = client.get(unit_url(tree.noong_bua))
    assert [c.code for c in response.context["children"]] == ["03124-001", "03124-002"]
    assert {c.code: c.persons for c in response.context["children"]} == {"03124-001": 2, "03124-002": 1}


def test_breadcrumb_links_only_inside_scope(tree, personas):
    html = client_for(personas[Role.COMMUNE]).get(unit_url(tree.to1)).content.decode()
    assert "Tỉnh Điện Biên" in html and "Thành phố Điện Biên Phủ" in html
    assert 'href="/units/pre2025/03124/"' in html
    assert 'href="/units/pre2025/094/"' not in html and 'href="/units/pre2025/11/"' not in html


def test_neighbours_on_the_province_page(tree, personas):
    tree.province.neighbours.add(tree.lai_chau)
    AdminUnit.objects.filter(pk=tree.province.pk).update(foreign_borders="CN,LA")
    html = client_for(personas[Role.STEERING]).get(unit_url(tree.province)).content.decode()
    assert "Tỉnh Lai Châu" in html and "Trung Quốc" in html and "Lào" in html


def test_crosswalk_both_ways(tree, personas):
    new_province = AdminUnit.objects.create(
        version=Hierarchy.POST2025, level=Level.PROVINCE, code="11", name="Tỉnh Điện Biên", name_key="tinh dien bien"
    )
    new = AdminUnit.objects.create(
        version=Hierarchy.POST2025,
        level=Level.COMMUNE,
        code="03334",
        name="Phường Mường Thanh",
        name_key="phuong muong thanh",
        parent=new_province,
        province=new_province,
    )
    Crosswalk.objects.create(old=tree.noong_bua, new=new)
    client = client_for(personas[Role.COMMUNE])
    html = client.get(unit_url(tree.noong_bua)).content.decode()
    assert "Phường Mường Thanh" in html and reverse("geo:crosswalk", args=["pre2025", "03124"]) in html
    html = client.get(reverse("geo:crosswalk", args=["pre2025", "03124"])).content.decode()
    assert "Phường Mường Thanh" in html and "03334" in html
    # The 2025 side is outside a pre-2025 user's unit; a superuser sees where it came from.
    assert client.get(reverse("geo:crosswalk", args=["2025", "03334"])).status_code == 404
    from phongdich.core.models import User

    root = User.objects.create_superuser("root", password="pw-test-1234", unit=None)
    html = client_for(root).get(reverse("geo:crosswalk", args=["2025", "03334"])).content.decode()
    assert "Phường Noong Bua" in html


def test_search_is_diacritic_insensitive_and_scoped(tree, personas):
    response = client_for(personas[Role.ADMIN]).get(reverse("geo:search"), {"q": "noong bua"})
    assert [u.code for u in response.context["results"]] == ["03124"]
    response = client_for(personas[Role.ADMIN]).get(reverse("geo:search"), {"q": "0312"})
    assert {u.code for u in response.context["results"]} == {"03124", "03127", "03124-001", "03124-002"}
    response = client_for(personas[Role.COMMUNE]).get(reverse("geo:search"), {"q": "Him Lâm"})
    assert response.context["results"] == []
    response = client_for(personas[Role.ADMIN]).get(reverse("geo:search"), {"q": "quyet thang"})
    assert response.context["results"] == []  # Lai Châu is not this province's


@pytest.mark.parametrize("name", ["geo:import-villages", "geo:import-population"])
def test_import_pages_by_role(tree, personas, name):
    for role, user in personas.items():
        response = client_for(user).get(reverse(name))
        assert response.status_code == (200 if role in EDITORS else 403), role


@pytest.mark.parametrize("kind", ["villages", "population"])
def test_template_downloads(tree, personas, kind):
    from io import BytesIO

    from openpyxl import load_workbook

    for role, user in personas.items():
        response = client_for(user).get(reverse(f"geo:template-{kind}"))
        assert response.status_code == (200 if role in EDITORS else 403), role
    response = client_for(personas[Role.DISTRICT]).get(reverse(f"geo:template-{kind}"))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(BytesIO(response.content))
    headers = [c.value for c in wb.worksheets[0][1]]
    if kind == "villages":
        assert headers == VILLAGE_HEADER
        listed = [row[0].value for row in wb["Danh sách xã"].iter_rows(min_row=2) if row[0].value]
        assert listed == ["03124", "03127"]  # only the district's communes
    else:
        assert headers == ["Mã đơn vị", "Dân số", "Cấp", "Tên đơn vị"]
        codes = [row[0].value for row in wb.worksheets[0].iter_rows(min_row=2) if row[0].value]
        assert codes == ["094", "03124", "03127", "03124-001", "03124-002"]


def test_village_upload_shows_the_report_and_writes_good_rows(tree, personas):
    data = csv_bytes([VILLAGE_HEADER, ["03124", "Bản Mới", "bản", "", "50"], ["03154", "Bản Xa", "", "", ""]])
    client = client_for(personas[Role.DISTRICT])
    response = client.post(reverse("geo:import-villages"), {"file": SimpleUploadedFile("thon.csv", data)})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Mã xã không có hoặc xã không thuộc địa bàn của bạn." in html and ">3<" in html
    assert AdminUnit.objects.filter(name="Bản Mới", code="03124-003").exists()
    assert not AdminUnit.objects.filter(name="Bản Xa").exists()


def test_upload_refusals_write_nothing(tree, personas):
    data = csv_bytes([VILLAGE_HEADER, ["03124", "Bản Cấm", "", "", ""]])
    count = AdminUnit.objects.count()
    for role, user in personas.items():
        if role in EDITORS:
            continue
        response = client_for(user).post(reverse("geo:import-villages"), {"file": SimpleUploadedFile("t.csv", data)})
        assert response.status_code == 403, role
    response = client_for(personas[Role.COMMUNE]).post(reverse("geo:import-villages"), {})
    assert response.status_code == 400
    response = client_for(personas[Role.COMMUNE]).post(
        reverse("geo:import-population"), {"file": SimpleUploadedFile("t.pdf", b"%PDF-1.4 nope")}
    )
    assert response.status_code == 400 and "Tệp không phải là bảng tính" in response.content.decode()
    with override_settings(MAX_UPLOAD_BYTES=100):
        big = csv_bytes([POPULATION_HEADER] + [["03124", "1", ""]] * 20)
        response = client_for(personas[Role.COMMUNE]).post(
            reverse("geo:import-population"), {"file": SimpleUploadedFile("big.csv", big)}
        )
        assert response.status_code == 413 and "Tệp quá lớn" in response.content.decode()
    assert AdminUnit.objects.count() == count
    assert AdminUnit.objects.filter(population__isnull=False).count() == 0


def test_pages_in_english_with_the_language_cookie(tree, personas):
    client = client_for(personas[Role.ADMIN])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(unit_url(tree.city)).content.decode()
    assert "Persons registered" in html and "Communes" in html and "Số người đã đăng ký" not in html
    data = csv_bytes([VILLAGE_HEADER, ["99999", "Bản Ma", "", "", ""]])
    html = client.post(reverse("geo:import-villages"), {"file": SimpleUploadedFile("t.csv", data)}).content.decode()
    assert "Unknown commune code, or a commune outside your area." in html
    html = client_for(personas[Role.ADMIN]).get(unit_url(tree.city)).content.decode()
    assert "Số người đã đăng ký" in html
