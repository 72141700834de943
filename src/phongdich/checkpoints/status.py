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

    absent = list(
        ResidenceRecord.objects.filter(
            person_id=person.pk, status=ResidenceStatus.TEMPORARILY_ABSENT, ended_on__isnull=True
        ).values_list("started_on", flat=True)[:1]
    )
    if absent or person.residence_status == ResidenceStatus.TEMPORARILY_ABSENT:
        status.absent = True
        status.absent_since = absent[0] if absent else None

    case = (
        Case.objects.filter(person_id=person.pk, status=CaseStatus.CONFIRMED, outcome=Outcome.UNDER_TREATMENT)
        .values_list("code", flat=True)
        .first()
    )
    if case is not None:
        status.level, status.case_code = 0, case
    else:
        level = PersonLevel.objects.filter(person_id=person.pk).values_list("level", "handling", "handling_until")
        found = level.first()
        if found is not None and (found[2] is None or found[2] >= day):
            status.level, status.handling, status.handling_until = found

    placement = (
        Placement.objects.filter(person_id=person.pk, status=PlacementStatus.ACTIVE)
        .values_list("end_date", flat=True)
        .first()
    )
    if placement is not None:
        status.in_quarantine, status.quarantine_until = True, placement
    status.quarantine_requested = PlacementRequest.objects.filter(
        person_id=person.pk, status=RequestStatus.OPEN
    ).exists()

    facts = results_for([person.pk], day - datetime.timedelta(days=RESULT_DAYS)).get(person.pk, [])
    status.results = [_shown(f, at) for f in reversed(facts)][:5]

    rules = rule_set or rule_set_on(day, province if province is not None else person.province_id)
    status.requirement = requirement_of(rules)
    if status.requirement.required:
        status.meeting_result = meeting(status.results, status.requirement, at)
        status.meets_requirement = status.meeting_result is not None
    return status


def find_person(id_number: str) -> Person | None:
    """The active person record with this ID number (CCCD 12 digits, CMND 9)."""
    value = "".join(ch for ch in (id_number or "") if ch.isdigit())
    if len(value) not in (9, 12):
        return None
    return Person.objects.filter(id_number=value, merged_into__isnull=True).first()
