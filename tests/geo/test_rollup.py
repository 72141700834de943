"""Population roll-up: own figure when given, else the sum of the units below; few queries."""

from __future__ import annotations

from phongdich.core.models import AuditLog
from phongdich.geo.actions import create_villages, create_villages_bulk, rollup_population, set_populations
from phongdich.geo.models import AdminUnit, Hierarchy, Level


def totals(*units: AdminUnit) -> list[int | None]:
    return [AdminUnit.objects.get(pk=u.pk).population_total for u in units]


def test_sums_upward_and_own_figures_win(tree, django_assert_max_num_queries):
    set_populations({tree.to1: 120, tree.to2: 80, tree.ban_sin_thau: 300, tree.him_lam: 5000})
    with django_assert_max_num_queries(4):
        changed = rollup_population(Hierarchy.PRE2025, tree.province)
    assert changed > 0
    # villages → Noong Bua (200); Him Lam has its own 5,000; Sín Thầu from its village; Sen Thượng unknown.
    assert totals(tree.to1, tree.noong_bua, tree.him_lam, tree.sin_thau, tree.sen_thuong) == [120, 200, 5000, 300, None]
    assert totals(tree.city, tree.muong_nhe, tree.province) == [5200, 300, 5500]
    # The province's neighbour is untouched by a roll-up of Điện Biên.
    assert totals(tree.lai_chau) == [None]

    # An own figure on a district overrides the sum of its communes, and flows up.
    set_populations({tree.city: 9000})
    rollup_population(Hierarchy.PRE2025, tree.province)
    assert totals(tree.city, tree.province) == [9000, 9300]
    # Removing it brings the sum back.
    set_populations({tree.city: None})
    rollup_population(Hierarchy.PRE2025, tree.province)
    assert totals(tree.city, tree.province) == [5200, 5500]
    # Running it again changes nothing.
    assert rollup_population(Hierarchy.PRE2025, tree.province) == 0


def test_rollup_of_every_province(tree):
    set_populations({tree.quyet_thang: 7})
    rollup_population(Hierarchy.PRE2025)
    assert totals(tree.quyet_thang, tree.lc_city, tree.lai_chau) == [7, 7, 7]


def test_set_populations_is_audited(tree, personas):
    from phongdich.core.roles import Role

    actor = personas[Role.ADMIN]
    assert set_populations({tree.to1: 10, tree.to2: None}, actor) == 1
    row = AuditLog.objects.get(action="geo.population_set")
    assert row.actor == actor and row.object_id == str(tree.to1.pk)
    assert row.before == {"population": None} and row.after == {"population": 10}


def test_create_villages_is_idempotent_and_numbers_after_existing(tree, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        made = create_villages(tree.noong_bua, ["Tổ dân phố 3", "Bản  Noong Bua", ("Khối 4", "khối")])
    assert [v.code for v in made] == ["03124-003", "03124-004", "03124-005"]
    assert [v.division_type for v in made] == ["tổ dân phố", "bản", "khối"]
    assert made[1].name == "Bản Noong Bua" and made[1].commune_id == tree.noong_bua.pk
    assert made[1].district_id == tree.city.pk and made[1].province_id == tree.province.pk
    assert made[0].pk is not None
    again = create_villages(tree.noong_bua, ["tổ dân phố 3", "Tổ dân phố 1"])
    assert [v.pk for v in again] == [made[0].pk, tree.to1.pk]
    assert AdminUnit.objects.filter(level=Level.VILLAGE, commune=tree.noong_bua).count() == 5


def test_create_villages_bulk_for_many_communes(tree):
    plan = {tree.him_lam: ["Tổ 1", "Tổ 2"], tree.sen_thuong: ["Bản Huổi Lếch"]}
    made = create_villages_bulk(plan)
    assert [v.code for v in made[tree.him_lam.pk]] == ["03127-001", "03127-002"]
    assert [v.code for v in made[tree.sen_thuong.pk]] == ["03155-001"]
    assert AuditLog.objects.filter(action="geo.village_created").count() == 3
