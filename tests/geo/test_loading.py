"""Loading both hierarchies from vietnam-provinces: counts, idempotence, lineage, crosswalk, neighbours.

The full load takes a few seconds, so the whole-country checks share one test.
"""

from __future__ import annotations

import pytest
from django.core.management import call_command

from phongdich.geo.borders import FOREIGN_BORDERS, adjacency_from_topojson
from phongdich.geo.loading import load_units
from phongdich.geo.models import AdminUnit, Country, Crosswalk, Hierarchy, Level

PRE, NEW = Hierarchy.PRE2025, Hierarchy.POST2025


def count(version: str, level: str) -> int:
    return AdminUnit.objects.filter(version=version, level=level).count()


def unit(version: str, code: str) -> AdminUnit:
    return AdminUnit.objects.get(version=version, code=code)


@pytest.mark.django_db
def test_full_load_both_hierarchies_then_again_changes_nothing(django_assert_max_num_queries):
    stats = load_units()
    assert stats.changed
    assert (count(PRE, Level.PROVINCE), count(PRE, Level.DISTRICT), count(PRE, Level.COMMUNE)) == (63, 696, 10051)
    assert (count(NEW, Level.PROVINCE), count(NEW, Level.DISTRICT), count(NEW, Level.COMMUNE)) == (34, 0, 3321)

    # Điện Biên, pre-2025: 10 districts, with official codes, types and denormalised ancestors.
    dien_bien = unit(PRE, "11")
    assert dien_bien.name == "Tỉnh Điện Biên" and dien_bien.division_type == "tỉnh" and dien_bien.parent is None
    districts = list(dien_bien.children.order_by("code").values_list("code", "name"))
    assert len(districts) == 10
    assert districts[0] == ("094", "Thành phố Điện Biên Phủ")
    assert ("096", "Huyện Mường Nhé") in districts
    assert ("095", "Thị xã Mường Lay") in districts
    noong_bua = unit(PRE, "03124")
    assert noong_bua.name == "Phường Noong Bua" and noong_bua.division_type == "phường"
    assert noong_bua.level == Level.COMMUNE and noong_bua.name_key == "phuong noong bua"
    assert noong_bua.parent == unit(PRE, "094") == noong_bua.district
    assert noong_bua.province == dien_bien and noong_bua.commune is None
    assert unit(PRE, "03154").division_type == "xã"
    assert AdminUnit.objects.filter(version=PRE, province=dien_bien, level=Level.COMMUNE).count() == 129
    assert AdminUnit.objects.filter(version=PRE, level=Level.COMMUNE, division_type="thị trấn").count() == 618

    # 2025: communes hang directly under the province.
    dbp_2025 = unit(NEW, "03127")
    assert dbp_2025.name == "Phường Điện Biên Phủ"
    assert dbp_2025.parent == unit(NEW, "11") == dbp_2025.province and dbp_2025.district is None

    # Crosswalk, both directions (from the package's conversion table).
    assert list(noong_bua.crosswalk_to.values_list("new__code", "partly")) == [("03334", False)]
    assert set(dbp_2025.crosswalk_from.values_list("old__code", flat=True)) == {
        "03127",
        "03130",
        "03133",
        "03136",
        "03142",
        "03145",
    }
    split = Crosswalk.objects.get(old__version=PRE, old__code="00016", new__code="00008")  # Hà Nội, split
    assert split.partly is True
    assert Crosswalk.objects.count() > 10_000

    # Neighbours from the shared TopoJSON arcs, foreign borders from the hand-entered table.
    assert set(dien_bien.neighbours.values_list("code", flat=True)) == {"12", "14"}
    assert dien_bien.countries == [Country.CHINA, Country.LAOS]
    assert set(unit(NEW, "11").neighbours.values_list("code", flat=True)) == {"12", "14"}
    assert dien_bien in unit(PRE, "14").neighbours.all()  # symmetrical
    assert unit(PRE, "14").countries == [Country.LAOS]
    assert unit(PRE, "01").countries == []

    before = (AdminUnit.objects.count(), Crosswalk.objects.count(), AdminUnit.neighbours.through.objects.count())
    with django_assert_max_num_queries(40):
        again = load_units()
    assert not again.changed
    assert sum(again.created.values()) == 0 and sum(again.updated.values()) == 0
    after = (AdminUnit.objects.count(), Crosswalk.objects.count(), AdminUnit.neighbours.through.objects.count())
    assert after == before


@pytest.mark.django_db
def test_command_only_one_hierarchy_and_province(capsys):
    call_command("load_units", "--only", "pre2025", "--province", "11")
    assert count(PRE, Level.PROVINCE) == 1 and count(PRE, Level.DISTRICT) == 10
    assert count(NEW, Level.PROVINCE) == 0
    assert Crosswalk.objects.count() == 0  # needs both hierarchies
    call_command("load_units", "--only", "2025", "--province", "11")
    assert count(NEW, Level.COMMUNE) == AdminUnit.objects.filter(version=NEW, province__code="11").count() > 40
    assert Crosswalk.objects.filter(old__code="03124", new__code="03334").exists()
    out = capsys.readouterr().out
    assert "created" in out


@pytest.mark.django_db
def test_loader_repairs_a_changed_unit_and_keeps_villages():
    load_units(only=PRE, provinces=["11"])
    noong_bua = unit(PRE, "03124")
    AdminUnit.objects.filter(pk=noong_bua.pk).update(name="Sai tên", name_key="sai ten")
    village = AdminUnit.objects.create(
        version=PRE,
        level=Level.VILLAGE,
        code="03124-001",
        name="Tổ dân phố 1",
        name_key="to dan pho 1",
        parent=noong_bua,
        province_id=noong_bua.province_id,
        district_id=noong_bua.district_id,
        commune=noong_bua,
    )
    stats = load_units(only=PRE, provinces=["11"])
    assert stats.updated[f"{PRE}:{Level.COMMUNE}"] == 1
    noong_bua.refresh_from_db()
    assert noong_bua.name == "Phường Noong Bua" and noong_bua.name_key == "phuong noong bua"
    assert AdminUnit.objects.filter(pk=village.pk).exists()


def test_adjacency_is_shared_arcs_not_shared_points():
    topology = {
        "objects": {
            "provinces": {
                "geometries": [
                    {"properties": {"code": "A"}, "arcs": [[0, 1]]},
                    {"properties": {"code": "B"}, "arcs": [[~1, 2]]},
                    {"properties": {"code": "C"}, "arcs": [[[3]], [[~2, 4]]]},
                    {"properties": {"code": "D"}, "arcs": [[5]]},
                ]
            }
        }
    }
    adj = adjacency_from_topojson(topology)
    assert adj == {"A": {"B"}, "B": {"A", "C"}, "C": {"B"}, "D": set()}


def test_foreign_border_tables_agree_across_the_2025_merger():
    """A 2025 province borders a country exactly when one of the provinces merged into it did."""
    from vietnam_provinces import Province

    for province in Province.iter_all():
        code = f"{province.code.value:02d}"
        sources = [f"{src.code.value:02d}" for src in province.get_legacy_sources()]
        old = {c for src in sources for c in FOREIGN_BORDERS[PRE].get(src, ())}
        assert set(FOREIGN_BORDERS[NEW].get(code, ())) == old, province.name
