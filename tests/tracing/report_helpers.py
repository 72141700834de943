"""Helpers of the report tests (line lists, exports, graphs, steering figures).

Cases, clusters and PersonLevel rows are written directly, so that these tests pin the
reports alone, whatever the tracing engine would derive. The pages are mounted at
``reports/`` and the API at ``/api/v1/reports``.
"""

from __future__ import annotations

import datetime
import itertools
from dataclasses import dataclass, field
from typing import Any

import pytest

from phongdich.cases.models import Case, CaseStatus, Cluster, DetectedBy
from phongdich.core.text import fold
from phongdich.geo.models import AdminUnit
from phongdich.geo.scoping import lineage_columns
from phongdich.people.models import Person, Sex
from phongdich.policy.models import Handling, RuleSet
from phongdich.tracing.models import Contact, PersonLevel
from tests.conftest import Tree

D = datetime.date
MAY_1 = D(2021, 5, 1)

# --- data ----------------------------------------------------------------------------------


@dataclass
class Data:
    tree: Tree
    rule_set: RuleSet
    _n: itertools.count = field(default_factory=lambda: itertools.count(1))

    def person(self, name: str, unit: AdminUnit, birth_year: int | None = 1990, sex: str = Sex.MALE) -> Person:
        return Person.objects.create(
            full_name=name, name_key=fold(name), birth_year=birth_year, sex=sex, **lineage_columns(unit)
        )

    def cluster(self, name: str, unit: AdminUnit, first: datetime.date | None = None) -> Cluster:
        return Cluster.objects.create(
            code=f"OD-{next(self._n):03d}", name=name, first_date=first, **lineage_columns(unit)
        )

    def case(
        self,
        person: Person,
        confirmed: datetime.date,
        *,
        code: str | None = None,
        detected_by: str = DetectedBy.COMMUNITY,
        source_known: bool = False,
        cluster: Cluster | None = None,
        status: str = CaseStatus.CONFIRMED,
        unit: AdminUnit | None = None,
        **extra: Any,
    ) -> Case:
        columns = (
            lineage_columns(unit)
            if unit is not None
            else {
                "province_id": person.province_id,
                "district_id": person.district_id,
                "commune_id": person.commune_id,
                "village_id": person.village_id,
            }
        )
        return Case.objects.create(
            person=person,
            code=code or f"ĐB-T{next(self._n):04d}",
            confirmed_on=confirmed,
            detected_by=detected_by,
            source_known=source_known,
            cluster=cluster,
            status=status,
            **columns,
            **extra,
        )

    def level(
        self,
        person: Person,
        level: int,
        case: Case,
        via: Person | None = None,
        *,
        exposed: datetime.date = MAY_1,
        handling: str = Handling.HOME,
        until: datetime.date | None = None,
    ) -> PersonLevel:
        return PersonLevel.objects.create(
            person=person,
            level=level,
            case=case,
            via_person=via,
            exposed_on=exposed,
            rule_set=self.rule_set,
            handling=handling,
            handling_until=until,
        )

    def contact(self, a: Person, b: Person, day: datetime.date = MAY_1) -> Contact:
        return Contact.objects.create(person_a=a, person_b=b, first_date=day, last_date=day)


@pytest.fixture(name="data")
def data_fixture(tree: Tree) -> Data:
    rule_set = RuleSet.objects.create(
        code="reports-test", name="Reports test", basis="test", effective_from=D(2020, 1, 1)
    )
    return Data(tree, rule_set)


@dataclass
class Scenario:
    """Two clusters, four cases (one ruled out), four F-persons.

    Cluster A (Noong Bua): case 1 = An (Tổ 1, Noong Bua; community, unknown source, 03/05/2021)
    and case 2 = Bình (Him Lam; in quarantine, source known, 04/05/2021), in contact with each
    other. Cluster B (Sín Thầu): case 3 = Chiến (Sín Thầu; checkpoint, 10/05/2021). Case 4 =
    Dũng (Noong Bua), ruled out. F-persons of case 1: Hà (F1, Noong Bua) → Khánh (F2, Sín Thầu)
    → Lan (F3, Noong Bua); of case 2: Minh (F1, Him Lam). Khánh's handling has ended.
    """

    data: Data
    cluster_a: Cluster
    cluster_b: Cluster
    case1: Case
    case2: Case
    case3: Case
    case4: Case
    people: dict[str, Person]


def scenario(data: Data, today: datetime.date) -> Scenario:
    t = data.tree
    people = {
        "an": data.person("Lò Văn An", t.to1, 1980),
        "binh": data.person("Quàng Thị Bình", t.him_lam, 1992, Sex.FEMALE),
        "chien": data.person("Giàng A Chiến", t.sin_thau, 1975),
        "dung": data.person("Lường Văn Dũng", t.noong_bua, 2001),
        "ha": data.person("Cà Thị Hà", t.to2, 1988, Sex.FEMALE),
        "khanh": data.person("Vàng Văn Khánh", t.ban_sin_thau, 1970),
        "lan": data.person("Điêu Thị Lan", t.noong_bua, 1999, Sex.FEMALE),
        "minh": data.person("Lò Văn Minh", t.him_lam, 1965),
    }
    a = data.cluster("Ổ dịch Noong Bua", t.noong_bua, D(2021, 5, 1))
    b = data.cluster("Ổ dịch Sín Thầu", t.sin_thau, D(2021, 5, 9))
    case1 = data.case(
        people["an"], D(2021, 5, 3), code="ĐB-0001", cluster=a, national_code="BN3001", onset_date=D(2021, 5, 1)
    )
    case2 = data.case(
        people["binh"],
        D(2021, 5, 4),
        code="ĐB-0002",
        cluster=a,
        detected_by=DetectedBy.QUARANTINE,
        source_known=True,
        source_note="F1 của ĐB-0001",
    )
    case3 = data.case(people["chien"], D(2021, 5, 10), code="ĐB-0003", cluster=b, detected_by=DetectedBy.CHECKPOINT)
    case4 = data.case(people["dung"], D(2021, 5, 5), code="ĐB-0004", status=CaseStatus.RULED_OUT)
    day = datetime.timedelta(days=1)
    data.level(
        people["ha"],
        1,
        case1,
        people["an"],
        exposed=D(2021, 5, 2),
        handling=Handling.CENTRALISED,
        until=today + 5 * day,
    )
    data.level(people["khanh"], 2, case1, people["ha"], exposed=D(2021, 5, 3), until=today - day)
    data.level(
        people["lan"], 3, case1, people["khanh"], exposed=D(2021, 5, 4), handling=Handling.SELF_MONITOR, until=today
    )
    data.level(people["minh"], 1, case2, people["binh"], exposed=D(2021, 5, 3), until=today + 2 * day)
    data.contact(people["an"], people["binh"])
    return Scenario(data, a, b, case1, case2, case3, case4, people)
