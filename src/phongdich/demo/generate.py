"""The demo province: villages, households and people of Điện Biên, fast and deterministic.

``build_demo(people=100_000, seed=2021)`` fills the province (pre-2025 hierarchy, code 11) with:

- villages for every commune (bản/thôn in rural communes, tổ dân phố in wards and towns), created
  through ``geo.actions.create_villages_bulk`` (idempotent by name);
- households of 2-7 members with a head and relations; people with Kinh, Thái, Mông, Khơ Mú, Dao,
  Hà Nhì… names matching the district's ethnic mix, CCCD/CMND numbers, birth dates (a young age
  pyramid), phones (E.164), occupations, workplaces and some underlying conditions;
- about 4 % temporarily absent (an open ``ResidenceRecord`` in a real commune of Bắc Ninh, Bắc
  Giang, Hà Nội, Thái Nguyên, Bình Dương, TP Hồ Chí Minh or Đồng Nai), about 1 % temporary
  residents, and a few hundred likely-duplicate pairs queued in ``DuplicateCandidate``;
- each village's population figure = the people generated there, rolled up to the province.

Speed: every value is drawn from precomputed pools with one ``random.Random`` per stream (no Faker
call per row); rows are written with PostgreSQL ``COPY`` or ``bulk_create`` elsewhere, all in one
transaction. The same seed gives the same data (ids included). Ages are as of ``REFERENCE_DATE``
(September 2021, the time of the source directives).
"""

from __future__ import annotations

import contextlib
import datetime
import json
import logging
import math
import random
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from phongdich.core.text import fold
from phongdich.demo import pools
from phongdich.geo.models import AdminUnit, Hierarchy, Level
from phongdich.people.matching import Identity, score_pair
from phongdich.people.models import (
    DuplicateCandidate,
    Household,
    Person,
    ResidenceRecord,
    ResidenceStatus,
    Sex,
    Source,
)

log = logging.getLogger(__name__)

REFERENCE_DATE = datetime.date(2021, 9, 1)
DEFAULT_PROVINCE = "11"
# Điện Biên's registered population, for the shape of the communes (scaled to the people asked for).
PROVINCE_POPULATION = 600_000
FLUSH_ROWS = 50_000
HOUSEHOLD_CODE_PREFIX = "HK"

HEAD = "Chủ hộ"
WIFE = "Vợ"
HUSBAND = "Chồng"
CHILD = "Con"
FATHER = "Bố"
MOTHER = "Mẹ"
GRANDCHILD = "Cháu"
DAUGHTER_IN_LAW = "Con dâu"
SON_IN_LAW = "Con rể"
YOUNGER_SIBLING = "Em"


@dataclass
class DemoStats:
    villages_created: int = 0
    villages: int = 0
    communes: int = 0
    households: int = 0
    people: int = 0
    absent: int = 0
    temporary_residents: int = 0
    duplicates: int = 0
    seconds: float = 0.0
    phases: dict[str, float] = field(default_factory=dict)


class DemoError(Exception):
    """The demo cannot run (units not loaded, people already there…)."""


# ---------------------------------------------------------------------------------------------
# Small helpers


def _expand(weighted: Sequence[tuple[str, int]]) -> list[str]:
    """A list with each item repeated by its weight: uniform picks then follow the weights."""
    return [item for item, weight in weighted for _ in range(weight)]


def _short(name: str) -> str:
    """ "Xã Mường Phăng" → "Mường Phăng", "Thành phố Điện Biên Phủ" → "Điện Biên Phủ"."""
    for prefix in ("Thành phố ", "Thị xã ", "Thị trấn ", "Huyện ", "Phường ", "Xã ", "Tỉnh "):
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name


def _uuid(rng: random.Random) -> str:
    """A random (version 4 layout) UUID as text, from the seeded stream."""
    h = f"{rng.getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{_VARIANT[h[16]]}{h[17:20]}-{h[20:]}"


_VARIANT = {c: "89ab"[int(c, 16) & 3] for c in "0123456789abcdef"}
_SPECIAL = re.compile(r"[\\\t\n\r]")


# ---------------------------------------------------------------------------------------------
# Names


class NameMaker:
    """(surname, middle, given) → full name and its folded key, from the pools; cached."""

    def __init__(self, rng: random.Random) -> None:
        self.rnd = rng.random
        self._cache: dict[tuple[str, str, str], tuple[str, str]] = {}
        self.surnames = {
            pools.KINH: _expand(pools.KINH_SURNAMES),
            pools.THAI: _expand(pools.THAI_SURNAMES),
            pools.MONG: _expand(pools.MONG_SURNAMES),
            pools.DAO: _expand(pools.DAO_SURNAMES),
            pools.HANHI: _expand(pools.HANHI_SURNAMES),
            "small": _expand(pools.SMALL_SURNAMES),
        }
        self.mong_middle = _expand(pools.MONG_MIDDLE_MALE)

    def pick(self, seq: Sequence[str]) -> str:
        return seq[int(self.rnd() * len(seq))]

    def surname(self, ethnicity: str) -> str:
        if ethnicity in (pools.THAI, pools.LAO, pools.KHOMU, pools.KHANG):
            return self.pick(self.surnames[pools.THAI])
        if ethnicity in (pools.CONG, pools.SILA):
            return self.pick(self.surnames["small"])
        if ethnicity == pools.HOA:
            return self.pick(self.surnames[pools.KINH])
        return self.pick(self.surnames.get(ethnicity, self.surnames[pools.KINH]))

    def spouse_surname(self, ethnicity: str, other: str) -> str:
        """A spouse's surname; Mông marry outside their clan."""
        name = self.surname(ethnicity)
        if ethnicity == pools.MONG:
            for _ in range(4):
                if name != other:
                    break
                name = self.surname(ethnicity)
        return name

    def full(self, ethnicity: str, sex: str, surname: str, age: int) -> tuple[str, str]:
        pick, male = self.pick, sex == Sex.MALE
        if ethnicity in (pools.KINH, pools.HOA):
            if male:
                middle = pick(pools.KINH_MIDDLE_MALE)
                given = pick(pools.KINH_GIVEN_MALE)
            else:
                middle = pick(pools.KINH_MIDDLE_FEMALE_OLD if age >= 35 else pools.KINH_MIDDLE_FEMALE_YOUNG)
                given = pick(pools.KINH_GIVEN_FEMALE)
        elif ethnicity == pools.MONG:
            middle = pick(self.mong_middle) if male else "Thị"
            given = pick(pools.MONG_GIVEN_MALE if male else pools.MONG_GIVEN_FEMALE)
        elif ethnicity == pools.DAO:
            middle = pick(pools.DAO_MIDDLE_MALE) if male else "Thị"
            given = pick(pools.DAO_GIVEN_MALE if male else pools.DAO_GIVEN_FEMALE)
        elif ethnicity == pools.HANHI:
            middle = pick(pools.HANHI_MIDDLE_MALE) if male else "Thị"
            given = pick(pools.HANHI_GIVEN_MALE if male else pools.HANHI_GIVEN_FEMALE)
        else:  # Thái and the groups using Thái-style names
            middle = "Văn" if male else "Thị"
            given = pick(pools.THAI_GIVEN_MALE if male else pools.THAI_GIVEN_FEMALE)
        if given == middle:
            middle = "Văn" if male else "Thị"
        key = (surname, middle, given)
        hit = self._cache.get(key)
        if hit is None:
            full = f"{surname} {middle} {given}"
            hit = self._cache[key] = (full, fold(full))
        return hit


# ---------------------------------------------------------------------------------------------
# Villages


@dataclass
class VillagePlan:
    name: str
    kind: str
    ethnicity: str  # the main group living there ("" = mixed, as in town wards)


def _is_urban(commune: AdminUnit) -> bool:
    return commune.division_type in ("phường", "thị trấn")


def plan_villages(rng: random.Random, commune: AdminUnit, mix: list[str]) -> list[VillagePlan]:
    """Realistic village names for a commune: tổ dân phố in wards, bản/thôn elsewhere."""
    plans: list[VillagePlan] = []
    if commune.division_type == "phường":
        return [VillagePlan(f"Tổ dân phố {n}", "tổ dân phố", "") for n in range(1, rng.randint(8, 20) + 1)]
    if commune.division_type == "thị trấn":
        plans = [VillagePlan(f"Tổ dân phố {n}", "tổ dân phố", "") for n in range(1, rng.randint(6, 12) + 1)]
        count = rng.randint(2, 5)
    else:
        count = rng.randint(7, 18)
    used = {fold(p.name) for p in plans}
    base = _short(commune.name)
    kinh_numbers = iter(range(1, 40))
    for i in range(count):
        ethnicity = mix[int(rng.random() * len(mix))]
        if i == 0 and commune.division_type == "xã":
            name, kind = f"Bản {base}", "bản"  # the bản the commune is named after
        elif ethnicity in (pools.KINH, pools.HOA):
            if rng.random() < 0.7:
                name, kind = f"Thôn {next(kinh_numbers)}", "thôn"
            else:
                name, kind = f"Thôn {rng.choice(pools.KINH_VILLAGE_NAMES)}", "thôn"
        elif ethnicity in (pools.MONG, pools.DAO, pools.HANHI, pools.SILA, pools.CONG):
            name, kind = f"Bản {rng.choice(pools.MONG_PLACE_HEADS)} {rng.choice(pools.MONG_PLACE_TAILS)}", "bản"
        else:
            name, kind = f"Bản {rng.choice(pools.THAI_PLACE_HEADS)} {rng.choice(pools.THAI_PLACE_TAILS)}", "bản"
        if fold(name) in used:  # "Bản Na Sang" twice → "Bản Na Sang 2", as villages are split
            n = 2
            while fold(f"{name} {n}") in used:
                n += 1
            name = f"{name} {n}"
        used.add(fold(name))
        plans.append(VillagePlan(name, kind, ethnicity))
    return plans


# ---------------------------------------------------------------------------------------------
# Writers: PostgreSQL COPY, or bulk_create elsewhere


def _copy_text(value: Any, _str: type = str, _search: Callable[..., Any] = _SPECIAL.search) -> str:
    """One value in PostgreSQL's COPY text format."""
    kind = type(value)
    if kind is _str:
        if _search(value) is None:
            return value  # type: ignore[no-any-return]
        return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    if value is None:
        return "\\N"
    if kind is bool:
        return "t" if value else "f"
    if kind is list or kind is dict:
        return _copy_text(json.dumps(value, ensure_ascii=False)) if value else ("[]" if kind is list else "{}")
    return _str(value)  # type: ignore[no-any-return]


class TableSink:
    """Collects rows (tuples in ``fields`` order) of one model and writes them.

    PostgreSQL: ``COPY … FROM STDIN`` (text format). A ``stream`` sink keeps its COPY open and
    sends every batch at once, so that the server inserts while Python generates the next batch;
    the others send everything on ``close()`` (one connection has one COPY at a time; the foreign
    keys are deferred to the commit, so the order of the tables does not matter).
    Elsewhere: an ``executemany`` INSERT per batch with the values prepared by the model fields
    (what ``bulk_create`` does, without building model instances).
    Columns the generator does not give (added by later migrations, say) get the field's default.
    """

    def __init__(self, model: type[models.Model], fields: Sequence[str], use_copy: bool, stream: bool = False) -> None:
        self.model = model
        self.fields = list(fields)
        self.use_copy = use_copy
        self.stream = stream
        self.rows: list[tuple[Any, ...]] = []
        self.written = 0
        self._copy_stack: contextlib.ExitStack | None = None
        self._copy: Any = None
        opts = model._meta
        given = set(self.fields)
        self.given_fields: list[Any] = [opts.get_field(name.removesuffix("_id")) for name in self.fields]
        self.extra: list[Any] = []
        for f in opts.concrete_fields:
            if f.attname in given or (f.primary_key and isinstance(f, models.AutoField)):
                continue
            if f.null and not f.has_default():
                continue
            self.extra.append(f)
        columns: list[str] = [f.column for f in self.given_fields] + [f.column for f in self.extra]
        qn = connection.ops.quote_name
        table = qn(opts.db_table)
        extra_values = [f.get_db_prep_save(f.get_default(), connection) for f in self.extra]
        if use_copy:
            self.sql = f"COPY {table} ({', '.join(qn(c) for c in columns)}) FROM STDIN"
            self.extra_text = "".join("\t" + _copy_text(v) for v in extra_values)
        else:
            marks = ", ".join(["%s"] * len(columns))
            self.sql = f"INSERT INTO {table} ({', '.join(qn(c) for c in columns)}) VALUES ({marks})"  # noqa: S608
            self.extra_values = tuple(extra_values)
            self.converters = [_converter(f) for f in self.given_fields]

    def add(self, row: tuple[Any, ...]) -> None:
        self.rows.append(row)

    def _text(self) -> str:
        tail = self.extra_text + "\n"
        return "".join("\t".join(map(_copy_text, row)) + tail for row in self.rows)

    def flush(self, final: bool = False) -> None:
        if not self.rows:
            return
        if self.use_copy:
            if self.stream:
                if self._copy is None:
                    self._copy_stack = contextlib.ExitStack()
                    cursor = self._copy_stack.enter_context(connection.cursor())
                    self._copy = self._copy_stack.enter_context(cursor.copy(self.sql))
                self._copy.write(self._text())
            elif final:
                with connection.cursor() as cursor, cursor.copy(self.sql) as copy:
                    copy.write(self._text())
            else:
                return  # kept for close()
        else:
            convs, extra = self.converters, self.extra_values
            prepared = [tuple(conv(value) for conv, value in zip(convs, row, strict=True)) + extra for row in self.rows]
            with connection.cursor() as cursor:
                for start in range(0, len(prepared), 10_000):
                    cursor.executemany(self.sql, prepared[start : start + 10_000])
        self.written += len(self.rows)
        self.rows = []

    def close(self) -> None:
        self.flush(final=True)
        if self._copy_stack is not None:
            self._copy_stack.close()
            self._copy_stack, self._copy = None, None


def _identity(value: Any) -> Any:
    return value


def _converter(field: Any) -> Callable[[Any], Any]:
    """How a field turns a Python value into a DB parameter (fast path for plain columns)."""
    target = field.target_field if field.is_relation else field
    if isinstance(target, models.CharField | models.IntegerField | models.BooleanField | models.TextField):
        return _identity
    cache: dict[Any, Any] = {}

    def convert(value: Any) -> Any:
        if value is None:
            return None
        if isinstance(value, list):
            return field.get_db_prep_save(value, connection)
        hit = cache.get(value)
        if hit is None:
            hit = field.get_db_prep_save(value, connection)
            if len(cache) < 100_000:
                cache[value] = hit
        return hit

    return convert


HOUSEHOLD_FIELDS = ("id", "code", "address", "province_id", "district_id", "commune_id", "village_id", "created_at")
PERSON_FIELDS = (
    "id",
    "id_number",
    "full_name",
    "name_key",
    "birth_date",
    "birth_year",
    "sex",
    "phone",
    "address",
    "household_id",
    "household_role",
    "ethnicity",
    "occupation",
    "workplace",
    "conditions",
    "pregnant",
    "residence_status",
    "source",
    "province_id",
    "district_id",
    "commune_id",
    "village_id",
    "created_at",
    "updated_at",
)
RECORD_FIELDS = (
    "person_id",
    "status",
    "started_on",
    "temp_address",
    "temp_province_id",
    "temp_commune_id",
    "workplace",
    "phone",
    "source",
    "created_at",
)
P_ID, P_IDNUM, P_NAME, P_KEY, P_BIRTH, P_YEAR, P_SEX, P_PHONE = range(8)
P_STATUS = PERSON_FIELDS.index("residence_status")
P_VILLAGE = PERSON_FIELDS.index("village_id")


# ---------------------------------------------------------------------------------------------
# The generator


@dataclass
class Destination:
    province_id: int
    commune_id: int | None
    address: str
    workplaces: tuple[str, ...]


@dataclass
class CommuneContext:
    commune: AdminUnit
    district: AdminUnit
    urban: bool
    mix: list[str]
    work: list[str]
    places: dict[str, list[str]]  # occupation → workplaces with names filled in
    schools: tuple[str, str, str]  # primary, lower secondary, upper secondary
    household_seq: int = 0


class Generator:
    def __init__(self, province: AdminUnit, seed: int, now: datetime.datetime, use_copy: bool) -> None:
        self.province = province
        self.rng = random.Random(f"{seed}:people")
        self.rnd = self.rng.random
        self.names = NameMaker(self.rng)
        self.now: Any = now.isoformat() if use_copy else now  # the same text for every row of a COPY
        self.ref_ordinal = REFERENCE_DATE.toordinal()
        self.used_ids: set[str] = {
            n
            for n in Person.objects.filter(id_number__isnull=False).values_list("id_number", flat=True).iterator()
            if n
        }
        self.used_phones: set[str] = set()
        self.phone_prefixes = _expand(pools.PHONE_PREFIXES)
        self.origins = _expand(pools.KINH_ORIGINS)
        self.rural_work = _expand(pools.RURAL_WORK)
        self.urban_work = _expand(pools.URBAN_WORK)
        self.destinations = self._destinations()
        self.households = TableSink(Household, HOUSEHOLD_FIELDS, use_copy)
        self.people = TableSink(Person, PERSON_FIELDS, use_copy, stream=True)
        self.records = TableSink(ResidenceRecord, RECORD_FIELDS, use_copy)
        self.stats = DemoStats()
        self.duplicate_sources: list[tuple[Any, ...]] = []
        self.village_counts: dict[int, int] = {}

    # -- reference data
    def _destinations(self) -> list[Destination]:
        wanted = {code for _p, code, _w, _n in pools.DESTINATIONS}
        communes = {
            u.code: u
            for u in AdminUnit.objects.filter(
                version=self.province.version, level=Level.COMMUNE, code__in=wanted
            ).select_related("district", "province")
        }
        provinces = {
            u.code: u
            for u in AdminUnit.objects.filter(
                version=self.province.version,
                level=Level.PROVINCE,
                code__in={p for p, _c, _w, _n in pools.DESTINATIONS},
            )
        }
        result: list[Destination] = []
        for pcode, ccode, workplaces, weight in pools.DESTINATIONS:
            commune = communes.get(ccode)
            province = provinces.get(pcode)
            if province is None:
                continue
            address = "Khu nhà trọ công nhân" if commune is not None else ""
            dest = Destination(province.pk, commune.pk if commune else None, address, workplaces)
            result.extend([dest] * weight)
        return result

    def context(self, commune: AdminUnit, district: AdminUnit) -> CommuneContext:
        urban = _is_urban(commune)
        mix = _expand(pools.URBAN_ETHNIC_MIX if urban else pools.DISTRICT_ETHNIC_MIX.get(district.code, ()))
        if not mix:
            mix = _expand(pools.DEFAULT_ETHNIC_MIX)
        short_c, short_d = _short(commune.name), _short(district.name)
        fill = {
            "commune": short_c,
            "district": short_d,
            "commune_full": commune.name,
            "district_full": district.name,
        }
        places = {occ: [t.format(**fill) for t in templates] for occ, templates in pools.WORKPLACES.items()}
        schools = (f"Trường Tiểu học {short_c}", f"Trường THCS {short_c}", f"Trường THPT {short_d}")
        return CommuneContext(
            commune, district, urban, mix, self.urban_work if urban else self.rural_work, places, schools
        )

    # -- numbers
    def id_number(self, age: int, year: int, sex: str, origin: str) -> str | None:
        r = self.rnd()
        if age < 14 or r < 0.10:
            return None
        rand = self.rng.randrange
        if r < 0.15 + (0.05 if age >= 40 else 0):
            while True:  # a legacy 9-digit CMND issued in Lai Châu/Điện Biên ("04…")
                cmnd = f"04{rand(10_000_000):07d}"
                if cmnd not in self.used_ids:
                    self.used_ids.add(cmnd)
                    return cmnd
        century_sex = (0 if year < 2000 else 2) + (0 if sex == Sex.MALE else 1)
        head = f"{origin}{century_sex}{year % 100:02d}"
        while True:
            cccd = f"{head}{rand(1_000_000):06d}"
            if cccd not in self.used_ids:
                self.used_ids.add(cccd)
                return cccd

    def phone(self, age: int) -> str:
        if age < 15:
            return ""
        r = self.rnd()
        if r > (0.5 if age < 18 else 0.45 if age >= 70 else 0.8):
            return ""
        while True:
            number = (
                f"+84{self.phone_prefixes[int(self.rnd() * len(self.phone_prefixes))]}{self.rng.randrange(10**7):07d}"
            )
            if number not in self.used_phones:
                self.used_phones.add(number)
                return number

    def birth(self, age: int) -> tuple[datetime.date, int]:
        date = datetime.date.fromordinal(self.ref_ordinal - int((age + self.rnd()) * 365.2425) - 1)
        return date, date.year

    # -- people
    def occupation(self, ctx: CommuneContext, age: int) -> tuple[str, str]:
        if age < 6:
            return "", ""
        if age < 18:
            school = ctx.schools[0 if age < 11 else 1 if age < 15 else 2]
            return "Học sinh", school
        rnd = self.rnd
        if age < 23 and rnd() < (0.35 if ctx.urban else 0.12):
            return "Sinh viên", self.names.pick(
                (
                    "Trường Cao đẳng Y tế Điện Biên",
                    "Trường Cao đẳng Sư phạm Điện Biên",
                    "Trường Cao đẳng Kinh tế - Kỹ thuật Điện Biên",
                    "Trường Đại học Tây Bắc",
                    "Trường Đại học Sư phạm Hà Nội",
                )
            )
        if age >= 60:
            if ctx.urban:
                return ("Hưu trí", "") if rnd() < 0.6 else ("Ở nhà", "")
            return ("Làm ruộng", "") if rnd() < 0.55 else ("Ở nhà", "")
        job = ctx.work[int(rnd() * len(ctx.work))]
        places = ctx.places.get(job)
        return job, (places[int(rnd() * len(places))] if places else "")

    def conditions(self, age: int) -> list[str]:
        if age < 15:
            return []
        found: list[str] = []
        rnd = self.rnd
        for name, min_age, p in pools.CONDITIONS:
            if age >= min_age and rnd() < p and name not in found:
                found.append(name)
        return found

    def person(
        self,
        ctx: CommuneContext,
        village_id: int,
        household_id: str,
        role: str,
        ethnicity: str,
        sex: str,
        surname: str,
        age: int,
        address: str,
        temporary_resident: bool,
        origin: str,
    ) -> None:
        rnd = self.rnd
        age = max(0, min(age, 99))
        full_name, key = self.names.full(ethnicity, sex, surname, age)
        birth_date: datetime.date | None
        birth_date, year = self.birth(age)
        if age >= 60 and ethnicity not in (pools.KINH, pools.HOA) and rnd() < 0.25:
            birth_date = None  # many elderly people of the minorities only know their year of birth
        if origin == "011" and ethnicity in (pools.KINH, pools.HOA) and age >= 40 and rnd() < 0.35:
            origin = self.origins[int(rnd() * len(self.origins))]
        id_number = self.id_number(age, year, sex, origin)
        phone = self.phone(age)
        occupation, workplace = self.occupation(ctx, age)
        status = ResidenceStatus.TEMPORARY_RESIDENT if temporary_resident else ResidenceStatus.PERMANENT
        person_id = _uuid(self.rng)
        record: tuple[Any, ...] | None = None
        if temporary_resident:
            started = datetime.date.fromordinal(self.ref_ordinal - self.rng.randrange(30, 2500))
            record = (
                person_id,
                ResidenceStatus.TEMPORARY_RESIDENT.value,
                started,
                address or ctx.commune.name,
                self.province.pk,
                ctx.commune.pk,
                workplace,
                phone,
                Source.DEMO.value,
                self.now,
            )
        elif 18 <= age <= 45 and rnd() < (0.06 if ctx.urban else 0.095):
            dest = self.destinations[int(rnd() * len(self.destinations))] if self.destinations else None
            if dest is not None:
                status = ResidenceStatus.TEMPORARILY_ABSENT
                occupation = "Công nhân" if rnd() < 0.85 else "Lao động tự do"
                workplace = dest.workplaces[int(rnd() * len(dest.workplaces))]
                if not phone and rnd() < 0.8:
                    phone = self.phone(30)
                started = datetime.date.fromordinal(self.ref_ordinal - self.rng.randrange(20, 1000))
                record = (
                    person_id,
                    status.value,
                    started,
                    dest.address,
                    dest.province_id,
                    dest.commune_id,
                    workplace,
                    phone,
                    Source.DEMO.value,
                    self.now,
                )
        pregnant = sex == Sex.FEMALE and 18 <= age <= 40 and status == ResidenceStatus.PERMANENT and rnd() < 0.03
        row = (
            person_id,
            id_number,
            full_name,
            key,
            birth_date,
            year,
            sex,
            phone,
            address,
            household_id,
            role,
            ethnicity,
            occupation,
            workplace,
            self.conditions(age),
            pregnant,
            status.value,
            Source.DEMO.value,
            self.province.pk,
            ctx.district.pk,
            ctx.commune.pk,
            village_id,
            self.now,
            self.now,
        )
        self.people.add(row)
        if record is not None:
            self.records.add(record)
            if status == ResidenceStatus.TEMPORARILY_ABSENT:
                self.stats.absent += 1
            else:
                self.stats.temporary_residents += 1
        elif id_number and birth_date and age >= 18 and rnd() < self.duplicate_rate:
            self.duplicate_sources.append(row)
        self.stats.people += 1
        self.village_counts[village_id] = self.village_counts.get(village_id, 0) + 1

    duplicate_rate = 0.0

    def household(self, ctx: CommuneContext, village_id: int, village_name: str, ethnicity: str, size: int) -> int:
        """One household of ``size`` people. Returns how many were made."""
        rng, rnd, names = self.rng, self.rnd, self.names
        temporary = rnd() < (0.025 if ctx.urban else 0.005)
        origin = "011"
        if temporary:
            ethnicity = pools.KINH
            origin = self.origins[int(rnd() * len(self.origins))]
        ctx.household_seq += 1
        household_id = _uuid(rng)
        code = f"{HOUSEHOLD_CODE_PREFIX}{ctx.commune.code}-{ctx.household_seq:05d}"
        if ctx.urban:
            address = f"Số {rng.randint(1, 250)}, đường {names.pick(pools.STREETS)}"
            house_address = f"{address}, {village_name}"
        else:
            address = ""
            house_address = village_name
        self.households.add(
            (
                household_id,
                code,
                house_address,
                self.province.pk,
                ctx.district.pk,
                ctx.commune.pk,
                village_id,
                self.now,
            )
        )
        young = ethnicity in (pools.MONG, pools.HANHI, pools.DAO)
        head_age = int(rng.triangular(19, 84, 28 if young else 34))
        head_sex = Sex.MALE if rnd() < 0.82 else Sex.FEMALE
        head_surname = names.surname(ethnicity)
        made = 0

        def add(role: str, sex: str, surname: str, age: int) -> None:
            nonlocal made
            if made >= size:
                return
            self.person(ctx, village_id, household_id, role, ethnicity, sex, surname, age, address, temporary, origin)
            made += 1

        add(HEAD, head_sex, head_surname, head_age)
        father_surname = head_surname
        mother_age = head_age
        if rnd() < 0.88 or head_sex == Sex.FEMALE:
            spouse_sex = Sex.FEMALE if head_sex == Sex.MALE else Sex.MALE
            spouse_age = max(17, head_age + (rng.randint(-8, 2) if spouse_sex == Sex.FEMALE else rng.randint(-2, 8)))
            spouse_surname = names.spouse_surname(ethnicity, head_surname)
            if head_sex == Sex.FEMALE and rnd() < 0.7:
                add(HUSBAND, spouse_sex, spouse_surname, spouse_age)
                father_surname = spouse_surname
            elif head_sex == Sex.MALE:
                add(WIFE, spouse_sex, spouse_surname, spouse_age)
                mother_age = spouse_age
        elif head_sex == Sex.MALE:
            mother_age = head_age - 3
        if head_sex == Sex.FEMALE:
            mother_age = head_age
        if head_age >= 58 and size - made >= 2:
            # An older couple living with a married son and the grandchildren.
            son_age = head_age - rng.randint(22, 34)
            son_surname = father_surname
            add(CHILD, Sex.MALE, son_surname, son_age)
            add(DAUGHTER_IN_LAW, Sex.FEMALE, names.spouse_surname(ethnicity, son_surname), son_age - rng.randint(0, 6))
            grandchild_age = son_age - rng.randint(18, 26)
            while made < size and grandchild_age >= 0:
                add(GRANDCHILD, Sex.MALE if rnd() < 0.515 else Sex.FEMALE, son_surname, grandchild_age)
                grandchild_age -= rng.randint(1, 4)
        # Children, the first when the mother was 16-28.
        child_age = mother_age - (rng.randint(16, 22) if young else rng.randint(19, 27))
        while made < size and child_age >= 0:
            add(CHILD, Sex.MALE if rnd() < 0.515 else Sex.FEMALE, father_surname, child_age)
            child_age -= rng.randint(1, 3) if young else rng.randint(2, 4)
        # A young head lives with their parents, then younger siblings.
        if made < size and head_age < 50:
            parent_age = head_age + rng.randint(20, 32)
            if rnd() < 0.6:
                add(MOTHER, Sex.FEMALE, names.spouse_surname(ethnicity, head_surname), parent_age)
            if made < size and rnd() < 0.5:
                add(FATHER, Sex.MALE, head_surname, parent_age + rng.randint(0, 6))
        sibling_age = head_age - rng.randint(2, 6)
        while made < size and sibling_age >= 0:
            add(YOUNGER_SIBLING, Sex.MALE if rnd() < 0.5 else Sex.FEMALE, head_surname, sibling_age)
            sibling_age -= rng.randint(1, 4)
        while made < 2:  # never a household of one
            add(CHILD, Sex.MALE if rnd() < 0.5 else Sex.FEMALE, father_surname, rng.randint(0, 5))
        self.stats.households += 1
        return made

    def flush(self) -> None:
        self.households.flush()
        self.people.flush()
        self.records.flush()

    def close(self) -> None:
        self.people.close()  # the streaming COPY first: one COPY at a time on a connection
        self.households.close()
        self.records.close()

    # -- duplicates
    def duplicates(self, wanted: int) -> list[DuplicateCandidate]:
        """A few hundred people entered twice: no ID number, a name typed without some marks."""
        rng = self.rng
        sources = self.duplicate_sources
        chosen = rng.sample(sources, min(wanted, len(sources)))
        candidates: list[DuplicateCandidate] = []
        for row in chosen:
            original = Person(
                id=row[P_ID],
                id_number=row[P_IDNUM],
                full_name=row[P_NAME],
                name_key=row[P_KEY],
                birth_date=row[P_BIRTH],
                birth_year=row[P_YEAR],
                phone=row[P_PHONE],
            )
            words = row[P_NAME].split(" ")
            i = rng.randrange(len(words))
            words[i] = fold(words[i]).capitalize()  # "Lò Văn Pằn" → "Lo Văn Pằn": same folded key
            name = " ".join(words)
            variant = rng.random()
            birth_date = row[P_BIRTH] if variant < 0.75 else None
            phone = "" if variant < 0.5 else self.phone(30)
            copy_id = _uuid(rng)
            copy = list(row)
            copy[P_ID], copy[P_IDNUM], copy[P_NAME], copy[P_BIRTH], copy[P_PHONE] = (
                copy_id,
                None,
                name,
                birth_date,
                phone,
            )
            copy[PERSON_FIELDS.index("household_id")] = None
            copy[PERSON_FIELDS.index("household_role")] = ""
            copy[P_STATUS] = ResidenceStatus.PERMANENT.value
            copy[PERSON_FIELDS.index("pregnant")] = False
            self.people.add(tuple(copy))
            self.stats.people += 1
            village = copy[P_VILLAGE]
            self.village_counts[village] = self.village_counts.get(village, 0) + 1
            score, reasons = score_pair(
                Identity(full_name=name, birth_date=birth_date, birth_year=row[P_YEAR], phone=phone), original
            )
            if score < 50:
                continue
            a, b = sorted([row[P_ID], copy_id], key=str)
            candidates.append(DuplicateCandidate(person_a_id=a, person_b_id=b, score=score, reasons=reasons))
        return candidates


# ---------------------------------------------------------------------------------------------
# Entry points


def find_province(code: str = DEFAULT_PROVINCE, version: str = Hierarchy.PRE2025) -> AdminUnit | None:
    return AdminUnit.objects.filter(version=version, level=Level.PROVINCE, code=str(code).zfill(2)).first()


def province_people(province: AdminUnit) -> int:
    return Person.objects.filter(province=province).count()


def reset_demo(province: AdminUnit) -> int:
    """Delete the demo's people (source "demo") of the province, their records and empty households."""
    qn = connection.ops.quote_name
    person, record, dup, household = (
        Person._meta.db_table,
        ResidenceRecord._meta.db_table,
        DuplicateCandidate._meta.db_table,
        Household._meta.db_table,
    )
    demo_people = f"SELECT id FROM {qn(person)} WHERE province_id = %s AND source = %s"  # noqa: S608
    params: list[Any] = [province.pk, Source.DEMO.value]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {qn(dup)} WHERE person_a_id IN ({demo_people}) OR person_b_id IN ({demo_people})",  # noqa: S608
            params + params,
        )
        cursor.execute(f"DELETE FROM {qn(record)} WHERE person_id IN ({demo_people})", params)  # noqa: S608
        cursor.execute(f"DELETE FROM {qn(person)} WHERE province_id = %s AND source = %s", params)  # noqa: S608
        deleted = cursor.rowcount
        cursor.execute(
            f"DELETE FROM {qn(household)} WHERE province_id = %s AND code LIKE %s AND NOT EXISTS "  # noqa: S608
            f"(SELECT 1 FROM {qn(person)} p WHERE p.household_id = {qn(household)}.id)",
            [province.pk, HOUSEHOLD_CODE_PREFIX + "%"],
        )
    return deleted


BULK_MODE_MIN = 200_000


def _detach_for_bulk_load(tables: Sequence[str]) -> list[str]:
    """PostgreSQL, empty tables only: drop their secondary indexes and foreign keys.

    Returns the statements that put them back, exactly as they were (``pg_get_indexdef``,
    ``pg_get_constraintdef``). Building an index once over a million rows is several times
    faster than maintaining it row by row, and re-adding a foreign key checks it with one join
    instead of one lookup per row. Everything runs in the caller's transaction: on failure the
    drops roll back too. Indexes backing constraints (primary keys, unique) are kept.
    """
    qn = connection.ops.quote_name
    restore_indexes: list[str] = []
    restore_keys: list[str] = []
    with connection.cursor() as cursor:
        # Run the foreign-key checks still pending in this transaction (ALTER TABLE refuses to
        # run with pending trigger events on a referenced table), then defer again.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        for table in tables:
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype = 'f' ORDER BY conname",
                [table],
            )
            for name, definition in cursor.fetchall():
                cursor.execute(f"ALTER TABLE {qn(table)} DROP CONSTRAINT {qn(name)}")
                restore_keys.append(f"ALTER TABLE {qn(table)} ADD CONSTRAINT {qn(name)} {definition}")
            cursor.execute(
                "SELECT x.indexrelid::regclass::text, pg_get_indexdef(x.indexrelid) FROM pg_index x "
                "WHERE x.indrelid = %s::regclass AND NOT EXISTS "
                "(SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid) ORDER BY 1",
                [table],
            )
            for name, definition in cursor.fetchall():
                cursor.execute(f"DROP INDEX {name}")
                restore_indexes.append(definition)
    return restore_indexes + restore_keys


def _restore_after_bulk_load(statements: Sequence[str]) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for statement in statements:
            cursor.execute(statement)


def _commune_targets(rng: random.Random, communes: list[AdminUnit]) -> list[float]:
    weights = []
    for commune in communes:
        base = {"phường": 7500.0, "thị trấn": 6500.0}.get(commune.division_type, 4300.0)
        weights.append(base * math.exp(rng.gauss(0, 0.35)))
    return weights


def build_demo(
    people: int = 100_000,
    seed: int = 2021,
    province_code: str = DEFAULT_PROVINCE,
    duplicates: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> DemoStats:
    """Build the demo province. The province must have no people yet (see ``reset_demo``)."""
    from phongdich.geo.actions import create_villages_bulk, rollup_population, set_populations

    started = time.monotonic()
    say = progress or (lambda _msg: None)
    province = find_province(province_code)
    if province is None:
        raise DemoError(f"Province {province_code} is not loaded: run `manage.py load_units` first.")
    if Person.objects.filter(province=province).exists():
        raise DemoError(f"{province.name} already has people.")
    districts = {
        d.pk: d for d in AdminUnit.objects.filter(version=province.version, level=Level.DISTRICT, province=province)
    }
    communes = list(
        AdminUnit.objects.filter(version=province.version, level=Level.COMMUNE, province=province).order_by("code")
    )
    if not communes:
        raise DemoError(f"{province.name} has no communes loaded.")
    stats_phase: dict[str, float] = {}

    # 1. Villages (their own random stream, so that existing villages do not shift the people).
    t0 = time.monotonic()
    vrng = random.Random(f"{seed}:villages")
    mixes = {
        c.pk: _expand(pools.DISTRICT_ETHNIC_MIX.get(districts[c.district_id].code, pools.DEFAULT_ETHNIC_MIX))  # type: ignore[index]
        for c in communes
    }
    plans = {c.pk: plan_villages(vrng, c, mixes[c.pk]) for c in communes}
    existing: dict[int, list[AdminUnit]] = {}
    for v in AdminUnit.objects.filter(level=Level.VILLAGE, commune__in=communes).order_by("code"):
        existing.setdefault(v.commune_id, []).append(v)  # type: ignore[arg-type]
    to_plan = {c: [(p.name, p.kind) for p in plans[c.pk]] for c in communes if c.pk not in existing}
    created = create_villages_bulk(to_plan) if to_plan else {}
    villages_created = sum(len(v) for v in created.values())
    villages = {**existing, **created}
    # The main group of each village, from the plan (also for villages made by an earlier run).
    village_ethnicity: dict[int, str] = {}
    for commune in communes:
        planned = {fold(p.name): p.ethnicity for p in plans[commune.pk]}
        for unit in villages.get(commune.pk, []):
            village_ethnicity[unit.pk] = planned.get(unit.name_key, "")
    stats_phase["villages"] = time.monotonic() - t0
    say(f"villages: {sum(len(v) for v in villages.values())} ({villages_created} new)")

    # 2. People, village by village.
    t0 = time.monotonic()
    use_copy = connection.vendor == "postgresql"
    now = timezone.now()
    gen = Generator(province, seed, now, use_copy)
    wanted_dups = duplicates if duplicates is not None else min(400, max(5, people // 300))
    gen.duplicate_rate = min(1.0, 4 * wanted_dups / max(people, 1))
    weights = _commune_targets(gen.rng, communes)
    scale = people / sum(weights)
    size_weights = _expand(((2, 14), (3, 20), (4, 26), (5, 20), (6, 12), (7, 8)))  # type: ignore[arg-type]
    with transaction.atomic():
        restore: list[str] = []
        if use_copy and people >= BULK_MODE_MIN and not Person.objects.exists() and not Household.objects.exists():
            restore = _detach_for_bulk_load([Person._meta.db_table, Household._meta.db_table])
        target_total = 0.0
        for commune, weight in zip(communes, weights, strict=True):
            ctx = gen.context(commune, districts[commune.district_id])  # type: ignore[index]
            units = villages.get(commune.pk, [])
            if not units:
                continue
            vweights = [math.exp(gen.rng.gauss(0, 0.4)) for _ in units]
            vsum = sum(vweights)
            for village, vw in zip(units, vweights, strict=True):
                target_total += weight * scale * vw / vsum
                ethnicity = village_ethnicity.get(village.pk) or ""
                while gen.stats.people < round(target_total):
                    # Most households of a bản belong to its main group.
                    eth = ethnicity if ethnicity and gen.rnd() < 0.85 else ctx.mix[int(gen.rnd() * len(ctx.mix))]
                    size = int(size_weights[int(gen.rnd() * len(size_weights))])
                    if eth in (pools.MONG, pools.HANHI, pools.DAO) and size < 7 and gen.rnd() < 0.5:
                        size += 1
                    # Not cut to what is left: the running target absorbs the overshoot (a small
                    # demo then has fewer, real-sized households rather than many couples).
                    gen.household(ctx, village.pk, village.name, eth, size)
                    if len(gen.people.rows) >= FLUSH_ROWS:
                        gen.flush()
                        say(f"people: {gen.stats.people:,}")
        candidates = gen.duplicates(wanted_dups)
        gen.close()
        stats_phase["generate_and_copy"] = time.monotonic() - t0
        if restore:
            t1 = time.monotonic()
            _restore_after_bulk_load(restore)
            stats_phase["indexes"] = time.monotonic() - t1
        DuplicateCandidate.objects.bulk_create(candidates, batch_size=2000)
    stats_phase["people"] = time.monotonic() - t0
    say(f"people: {gen.stats.people:,} in {stats_phase['people']:.1f} s")

    # 3. Population figures and the roll-up.
    t0 = time.monotonic()
    all_villages = [v for units in villages.values() for v in units]
    set_populations({v: gen.village_counts.get(v.pk, 0) for v in all_villages})
    rollup_population(province.version, province)
    stats_phase["population"] = time.monotonic() - t0
    if use_copy:
        t0 = time.monotonic()
        with connection.cursor() as cursor:
            for model in (Person, Household, ResidenceRecord):
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
        stats_phase["analyze"] = time.monotonic() - t0

    stats = gen.stats
    stats.duplicates = len(candidates)
    stats.villages_created = villages_created
    stats.villages = len(all_villages)
    stats.communes = len(communes)
    stats.phases = stats_phase
    stats.seconds = time.monotonic() - started
    return stats
