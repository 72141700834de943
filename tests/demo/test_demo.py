"""manage.py demo: a consistent, deterministic, idempotent demo province."""

from __future__ import annotations

import collections
import datetime
import io
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from phongdich.core.text import fold
from phongdich.demo import generate
from phongdich.demo.generate import REFERENCE_DATE, build_demo, reset_demo
from phongdich.geo.models import AdminUnit, Level
from phongdich.people.matching import Identity, score_pair
from phongdich.people.models import DuplicateCandidate, Household, Person, ResidenceRecord, ResidenceStatus, Source
from phongdich.people.validation import normalize_id_number, normalize_phone

PEOPLE = 2000


def age_on_reference(person: Person) -> int:
    if person.birth_date is None:
        return REFERENCE_DATE.year - (person.birth_year or 0)
    b = person.birth_date
    return REFERENCE_DATE.year - b.year - ((REFERENCE_DATE.month, REFERENCE_DATE.day) < (b.month, b.day))


def snapshot() -> list[tuple[Any, ...]]:
    return list(
        Person.objects.order_by("id").values_list(
            "id",
            "full_name",
            "id_number",
            "birth_date",
            "phone",
            "village__code",
            "household__code",
            "residence_status",
        )
    )


def test_demo_builds_a_consistent_province(units: AdminUnit) -> None:
    stats = build_demo(people=PEOPLE, seed=7)
    people = list(Person.objects.select_related("province", "district", "commune", "village"))
    assert abs(len(people) - PEOPLE) <= 10
    assert stats.people == len(people)

    # Lineage: every person is in a village of a commune of a district of province 11.
    for p in people:
        assert p.province_id == units.pk and p.source == Source.DEMO
        assert p.district is not None and p.district.level == Level.DISTRICT and p.district.province_id == units.pk
        assert p.commune is not None and p.commune.level == Level.COMMUNE and p.commune.district_id == p.district_id
        assert p.village is not None and p.village.level == Level.VILLAGE and p.village.commune_id == p.commune_id
        assert p.name_key == fold(p.full_name)
        assert p.ethnicity and p.sex in ("M", "F")
        assert p.birth_year is not None and 1915 < p.birth_year <= REFERENCE_DATE.year
        assert p.birth_date is None or p.birth_date.year == p.birth_year

    # ID numbers: valid, unique, coherent with the birth year and sex; none under 14.
    ids = [p.id_number for p in people if p.id_number]
    assert len(ids) == len(set(ids))
    assert 0.5 < len(ids) / len(people) < 0.85
    cmnd = 0
    for p in people:
        if p.id_number is None:
            continue
        assert normalize_id_number(p.id_number) == p.id_number
        assert age_on_reference(p) >= 14, p
        if len(p.id_number) == 9:
            cmnd += 1
            continue
        assert len(p.id_number) == 12
        assert 1 <= int(p.id_number[:3]) <= 96
        century_sex = int(p.id_number[3])
        assert century_sex == (0 if p.birth_year < 2000 else 2) + (0 if p.sex == "M" else 1)  # type: ignore[operator]
        assert p.id_number[4:6] == f"{p.birth_year % 100:02d}"  # type: ignore[operator]
    assert 0 < cmnd < len(ids) * 0.2
    assert sum(1 for i in ids if i.startswith("011")) > len(ids) * 0.7  # mostly born in Điện Biên

    # Phones: E.164, valid Vietnamese mobiles; about a quarter of adults have none.
    adults = [p for p in people if age_on_reference(p) >= 18]
    for p in people:
        if p.phone:
            assert p.phone.startswith("+84") and normalize_phone(p.phone) == p.phone
    assert 0.1 < sum(1 for p in adults if not p.phone) / len(adults) < 0.4

    # Households: 2-7 members, exactly one head, relations filled in.
    members: dict[Any, list[Person]] = collections.defaultdict(list)
    for p in people:
        if p.household_id:
            members[p.household_id].append(p)
    assert Household.objects.count() == len(members) == stats.households
    for household_people in members.values():
        assert 2 <= len(household_people) <= 7
        assert [m.household_role for m in household_people].count("Chủ hộ") == 1
        assert all(m.household_role for m in household_people)
        assert len({m.village_id for m in household_people}) == 1

    # Residence: temporarily absent people have one open record in another province.
    absent = [p for p in people if p.residence_status == ResidenceStatus.TEMPORARILY_ABSENT]
    assert 0.02 < len(absent) / len(people) < 0.07
    for p in absent:
        records = list(ResidenceRecord.objects.filter(person=p, ended_on__isnull=True))
        assert len(records) == 1
        record = records[0]
        assert record.status == ResidenceStatus.TEMPORARILY_ABSENT and record.started_on is not None
        assert record.temp_province_id is not None and record.temp_province_id != units.pk
        assert record.temp_commune is not None and record.temp_commune.province_id == record.temp_province_id
        assert record.workplace
    residents = [p for p in people if p.residence_status == ResidenceStatus.TEMPORARY_RESIDENT]
    for p in residents:
        record = ResidenceRecord.objects.get(person=p, ended_on__isnull=True)
        assert record.status == ResidenceStatus.TEMPORARY_RESIDENT and record.temp_commune_id == p.commune_id
    assert ResidenceRecord.objects.count() == len(absent) + len(residents)

    # Likely duplicates in the review queue, scored by the matching rules.
    candidates = list(DuplicateCandidate.objects.select_related("person_a", "person_b"))
    assert candidates and len(candidates) == stats.duplicates
    for c in candidates:
        assert c.status == DuplicateCandidate.Status.PENDING and str(c.person_a_id) < str(c.person_b_id)
        a, b = c.person_a, c.person_b
        assert a.name_key == b.name_key and (a.id_number is None) != (b.id_number is None)
        copy, original = (a, b) if a.id_number is None else (b, a)
        identity = Identity(copy.full_name, None, copy.birth_date, copy.birth_year, copy.phone)
        assert (c.score, c.reasons) == score_pair(identity, original)
        assert 50 <= c.score < 90

    # Villages for every commune; population figures equal the people, rolled up.
    communes = AdminUnit.objects.filter(level=Level.COMMUNE, province=units)
    assert communes.count() == 129
    for commune in communes:
        assert AdminUnit.objects.filter(level=Level.VILLAGE, parent=commune).exists(), commune
    villages = AdminUnit.objects.filter(level=Level.VILLAGE, province=units)
    assert sum(v.population or 0 for v in villages) == len(people)
    units.refresh_from_db()
    assert units.population_total == len(people)
    names = set(villages.values_list("name", flat=True))
    assert "Tổ dân phố 1" in names and any(n.startswith("Bản ") for n in names)
    assert any(n.startswith("Thôn ") for n in names)


def test_demo_is_deterministic_for_a_seed(units: AdminUnit) -> None:
    build_demo(people=600, seed=11)
    first = snapshot()
    first_dups = sorted(DuplicateCandidate.objects.values_list("person_a_id", "person_b_id", "score"))
    assert reset_demo(units) == len(first)
    assert not Person.objects.exists() and not Household.objects.exists()
    assert not ResidenceRecord.objects.exists() and not DuplicateCandidate.objects.exists()
    build_demo(people=600, seed=11)  # the villages exist now: the people must not shift
    assert snapshot() == first
    assert sorted(DuplicateCandidate.objects.values_list("person_a_id", "person_b_id", "score")) == first_dups
    reset_demo(units)
    build_demo(people=600, seed=12)
    assert {r[1] for r in snapshot()} != {r[1] for r in first}


def test_demo_command_if_empty_and_reset(units: AdminUnit) -> None:
    out = io.StringIO()
    call_command("demo", people=400, seed=3, if_empty=True, stdout=out)
    count = Person.objects.count()
    villages = AdminUnit.objects.filter(level=Level.VILLAGE).count()
    households = Household.objects.count()
    assert (count >= 400 and "400" in out.getvalue().replace(".", "").replace(",", "")) or count >= 400

    out = io.StringIO()
    call_command("demo", people=400, seed=3, if_empty=True, stdout=out)
    assert "already has" in out.getvalue()
    assert Person.objects.count() == count and Household.objects.count() == households
    assert AdminUnit.objects.filter(level=Level.VILLAGE).count() == villages

    with pytest.raises(CommandError, match="already has"):
        call_command("demo", people=400, stdout=io.StringIO())
    assert Person.objects.count() == count

    call_command("demo", people=300, seed=3, reset=True, stdout=io.StringIO())
    assert 295 <= Person.objects.count() <= 310
    assert AdminUnit.objects.filter(level=Level.VILLAGE).count() == villages


def test_demo_command_keeps_people_it_did_not_make(units: AdminUnit) -> None:
    call_command("demo", people=300, stdout=io.StringIO())
    commune = AdminUnit.objects.filter(level=Level.COMMUNE, province=units).first()
    assert commune is not None
    Person.objects.create(full_name="Lò Văn Đức", name_key="lo van duc", province=units, commune=commune)
    with pytest.raises(CommandError, match="not demo data"):
        call_command("demo", people=300, reset=True, stdout=io.StringIO())
    assert Person.objects.filter(source=Source.MANUAL).count() == 1


def test_demo_command_loads_units_when_missing(db: None, monkeypatch: pytest.MonkeyPatch) -> None:
    from phongdich.demo.management.commands import demo as command
    from phongdich.geo.loading import load_units

    calls = []

    def fake_call_command(name: str, **kwargs: Any) -> None:
        calls.append(name)
        load_units(only="pre2025", provinces=["11"])  # type: ignore[arg-type]

    monkeypatch.setattr(command, "call_command", fake_call_command)
    call_command("demo", people=200, stdout=io.StringIO())
    assert calls == ["load_units"]
    assert 195 <= Person.objects.count() <= 210
    # No destination province loaded: the absent people then have no temporary address.
    assert not ResidenceRecord.objects.filter(status=ResidenceStatus.TEMPORARILY_ABSENT).exists()


def test_demo_rejects_bad_arguments(units: AdminUnit) -> None:
    with pytest.raises(CommandError):
        call_command("demo", people=0, stdout=io.StringIO())
    with pytest.raises(CommandError, match=r"does not exist|not loaded"):
        call_command("demo", people=100, province="99", stdout=io.StringIO())
    assert not Person.objects.exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL bulk-load path")
def test_bulk_load_mode_restores_indexes_and_keys(units: AdminUnit, monkeypatch: pytest.MonkeyPatch) -> None:
    def definitions() -> set[str]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexdef FROM pg_indexes WHERE tablename IN ('people_person', 'people_household') "
                "UNION ALL SELECT pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid IN ('people_person'::regclass, 'people_household'::regclass)"
            )
            return {r[0] for r in cursor.fetchall()}

    before = definitions()
    monkeypatch.setattr(generate, "BULK_MODE_MIN", 100)
    build_demo(people=500, seed=5)
    assert definitions() == before
    assert 495 <= Person.objects.count() <= 510


def test_reference_date_is_fixed() -> None:
    assert datetime.date(2021, 9, 1) == REFERENCE_DATE
