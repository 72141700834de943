"""A person's status at a checkpoint, from every module: ONE function, ``status_for``.

The checkpoint screen, the API and the offline snapshot all use it (the snapshot packs the same
facts for many people at once: ``snapshot.py``). A test meets the arrival requirement when it is
negative, of a kind the rule set in force accepts, and its result is at most the rule's hours old
at the time of the check (a certificate is valid N hours from the result, DOMAIN §4; the testing
seam gives the sample's day, not its hour). Vaccination is not recorded yet: always ``None``.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Exists, OuterRef, Subquery
from django.utils import timezone

from phongdich.cases.models import Case, CaseStatus, Outcome
from phongdich.people.models import Person, ResidenceRecord, ResidenceStatus
from phongdich.policy.models import RuleSet, TestKind
from phongdich.policy.queries import rule_set_on
from phongdich.testing.queries import ResultFact, results_for
from phongdich.tracing.models import PersonLevel

if TYPE_CHECKING:
    from phongdich.geo.models import AdminUnit

RESULT_DAYS = 7  # results older than a week are not shown at the checkpoint


@dataclass(frozen=True)
class TestShown:
    kind: str
    outcome: str
    taken_on: datetime.date
    resulted_at: datetime.datetime
    hours: int  # age of the result at the time of the check


@dataclass(frozen=True)
class Requirement:
    pcr_hours: int
    antigen_hours: int
    rule_set_code: str

    @property
    def required(self) -> bool:
        return bool(self.pcr_hours or self.antigen_hours)


@dataclass
class CheckpointStatus:
    person_id: uuid.UUID
    checked_at: datetime.datetime
    absent: bool = False
    absent_since: datetime.date | None = None
    level: int | None = None  # 0 = F0 (active case), 1–3 = F1–F3, None = none
    case_code: str = ""
    handling: str = ""
    handling_until: datetime.date | None = None
    in_quarantine: bool = False
    quarantine_until: datetime.date | None = None
    quarantine_requested: bool = False
    results: list[TestShown] = field(default_factory=list)
    requirement: Requirement | None = None
    meets_requirement: bool | None = None  # None: the rule set in force requires no test
    meeting_result: TestShown | None = None
    vaccination: None = None

    @property
    def level_label(self) -> str:
        return f"F{self.level}" if self.level is not None else ""

    @property
    def alert(self) -> bool:
        """Something the officer must act on."""
        return self.level in (0, 1) or self.in_quarantine or self.meets_requirement is False

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["level_label"] = self.level_label
        data["alert"] = self.alert
        return data


def requirement_of(rule_set: RuleSet) -> Requirement:
    return Requirement(int(rule_set.arrival_pcr_hours or 0), int(rule_set.arrival_antigen_hours or 0), rule_set.code)


def _shown(fact: ResultFact, at: datetime.datetime) -> TestShown:
    hours = int((at - fact.resulted_at).total_seconds() // 3600)
    return TestShown(fact.test_kind, fact.outcome, fact.sample_taken_on, fact.resulted_at, hours)


def meeting(results: list[TestShown], requirement: Requirement, at: datetime.datetime) -> TestShown | None:
    """The newest negative result that meets the requirement, if any."""
    for r in sorted(results, key=lambda r: r.resulted_at, reverse=True):
        if r.outcome != "negative" or r.resulted_at > at:
            continue
        age = at - r.resulted_at
        if (
            r.kind == TestKind.RT_PCR
            and requirement.pcr_hours
            and age <= datetime.timedelta(hours=requirement.pcr_hours)
        ):
            return r
        if (
            r.kind == TestKind.ANTIGEN
            and requirement.antigen_hours
            and age <= datetime.timedelta(hours=requirement.antigen_hours)
        ):
            return r
    return None


def status_for(
    person: Person,
    on: datetime.datetime | None = None,
    *,
    province: AdminUnit | int | None = None,
    rule_set: RuleSet | None = None,
) -> CheckpointStatus:
    """Everything a checkpoint officer must know about ``person`` at ``on`` (default: now).

    ``province`` is the checkpoint's (its rule set in force applies); ``rule_set`` overrides it.
    """
    from phongdich.quarantine.models import Placement, PlacementRequest, PlacementStatus, RequestStatus

    at = on or timezone.now()
    day = timezone.localdate(at)
    status = CheckpointStatus(person_id=person.pk, checked_at=at)

    # One query for the facts of every module (a round trip each would be most of the time).
    absent = ResidenceRecord.objects.filter(
        person_id=OuterRef("pk"), status=ResidenceStatus.TEMPORARILY_ABSENT, ended_on__isnull=True
    )
    case = Case.objects.filter(person_id=OuterRef("pk"), status=CaseStatus.CONFIRMED, outcome=Outcome.UNDER_TREATMENT)
    level = PersonLevel.objects.filter(person_id=OuterRef("pk"))
    placed = Placement.objects.filter(person_id=OuterRef("pk"), status=PlacementStatus.ACTIVE)
    requested = PlacementRequest.objects.filter(person_id=OuterRef("pk"), status=RequestStatus.OPEN)
    found = (
        Person.objects.filter(pk=person.pk)
        .annotate(
            is_absent=Exists(absent),
            absent_since=Subquery(absent.values("started_on")[:1]),
            case_code=Subquery(case.order_by("-confirmed_on").values("code")[:1]),
            f_level=Subquery(level.values("level")[:1]),
            f_handling=Subquery(level.values("handling")[:1]),
            f_until=Subquery(level.values("handling_until")[:1]),
            placed_until=Subquery(placed.values("end_date")[:1]),
            is_placed=Exists(placed),
            is_requested=Exists(requested),
        )
        .values(
            "is_absent",
            "absent_since",
            "case_code",
            "f_level",
            "f_handling",
            "f_until",
            "placed_until",
            "is_placed",
            "is_requested",
        )
        .first()
    )
    row: dict[str, Any] = dict(found) if found else {}
    if row.get("is_absent") or person.residence_status == ResidenceStatus.TEMPORARILY_ABSENT:
        status.absent = True
        status.absent_since = row.get("absent_since")
    if row.get("case_code"):
        status.level, status.case_code = 0, row["case_code"]
    elif row.get("f_level") is not None and (row["f_until"] is None or row["f_until"] >= day):
        status.level, status.handling, status.handling_until = row["f_level"], row["f_handling"], row["f_until"]
    if row.get("is_placed"):
        status.in_quarantine, status.quarantine_until = True, row["placed_until"]
    status.quarantine_requested = bool(row.get("is_requested"))

    facts = results_for([person.pk], day - datetime.timedelta(days=RESULT_DAYS)).get(person.pk, [])
    status.results = [_shown(f, at) for f in reversed(facts)][:5]

    try:
        rules = rule_set or rule_set_on(day, province if province is not None else person.province_id)
    except RuleSet.DoesNotExist:  # no rule set loaded: nothing can be required
        return status
    status.requirement = requirement_of(rules)
    if status.requirement.required:
        status.meeting_result = meeting(status.results, status.requirement, at)
        status.meets_requirement = status.meeting_result is not None
    return status


def typed_id_number(id_number: str) -> str | None:
    """The digits of an ID number typed at a checkpoint (spaces and dots allowed), if CCCD (12) or CMND (9)."""
    value = "".join(ch for ch in (id_number or "") if ch.isdigit())
    return value if len(value) in (9, 12) else None


def find_person(id_number: str) -> Person | None:
    """The active person record with this ID number (CCCD 12 digits, CMND 9)."""
    value = typed_id_number(id_number)
    if value is None:
        return None
    return Person.objects.filter(id_number=value, merged_into__isnull=True).first()
