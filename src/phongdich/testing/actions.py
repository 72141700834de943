"""Every change of the testing app except results (see results.py): atomic, audited.

- laboratories and campaigns (LAB_MANAGE);
- ``take_sample`` (one person, one tube) and ``take_pool`` (one tube for 2–10 persons), which
  fill a person's queued individual test when there is one;
- ``receive_tubes`` (the laboratory has the tubes: they count in its backlog);
- ``confirm_proposal`` / ``reject_proposal``: a positive result's case proposal reviewed by
  health/CDC; confirming calls ``cases.actions.create_case``, which opens the investigation.

Creates take a ``client_uuid``: the same UUID again returns the first record, never a duplicate.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from phongdich.cases import actions as case_actions
from phongdich.core.audit import record_change, snapshot
from phongdich.geo.models import AdminUnit, Level
from phongdich.geo.scoping import lineage_columns
from phongdich.people.models import Person
from phongdich.policy.models import TestKind
from phongdich.testing import rules
from phongdich.testing.models import (
    Campaign,
    CampaignKind,
    CampaignPlace,
    CaseProposal,
    Laboratory,
    PlaceKind,
    Pool,
    Sample,
    SampleType,
    TubeStatus,
)

if TYPE_CHECKING:
    from phongdich.core.models import User

SAMPLE_FIELDS = [
    "barcode",
    "person",
    "pool",
    "queued_from",
    "test_kind",
    "sample_type",
    "place_kind",
    "place_name",
    "campaign",
    "taken_at",
    "lab",
    "status",
    "outcome",
    "ct",
    "resulted_at",
    "result_source",
    "commune",
]
POOL_FIELDS = ["barcode", "size", "test_kind", "place_kind", "place_name", "campaign", "taken_at", "lab", "status"]
LAB_FIELDS = ["code", "name", "daily_capacity", "rt_pcr", "active", "province", "district", "commune"]
CAMPAIGN_FIELDS = [
    "name",
    "kind",
    "place_kind",
    "place_name",
    "test_kind",
    "target_population",
    "starts_on",
    "ends_on",
    "status",
    "sites",
    "commune",
    "village",
]
PROPOSAL_FIELDS = ["person", "sample", "status", "case", "reject_reason", "reviewed_at"]
EARLIEST = datetime.date(2020, 1, 1)


class TestingError(Exception):
    """A refused change: a message for the user, the HTTP status, the field at fault (if any)."""

    __test__ = False  # not a pytest test class

    def __init__(self, message: str, status: int = 422, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.field = field


def _user(actor: User | None) -> User | None:
    return actor if actor is not None and actor.is_authenticated else None


# Laboratories --------------------------------------------------------------------------


@transaction.atomic
def create_lab(
    actor: User | None,
    *,
    code: str,
    name: str,
    unit: AdminUnit,
    daily_capacity: int = 0,
    rt_pcr: bool = True,
    client_uuid: uuid.UUID | None = None,
) -> tuple[Laboratory, bool]:
    if client_uuid is not None:
        first = Laboratory.objects.filter(client_uuid=client_uuid).first()
        if first is not None:
            return first, False
    code = (code or "").strip().lower()
    if not code or not name.strip():
        raise TestingError(_("Give the laboratory a code and a name."), field="code" if not code else "name")
    if Laboratory.objects.filter(code=code).exists():
        raise TestingError(_("Another laboratory has this code."), 409, "code")
    if daily_capacity < 0 or daily_capacity > 1_000_000:
        raise TestingError(_("The daily capacity is not plausible."), field="daily_capacity")
    lab = Laboratory(
        client_uuid=client_uuid,
        code=code[:32],
        name=name.strip()[:200],
        daily_capacity=daily_capacity,
        rt_pcr=rt_pcr,
        **lineage_columns(unit),
    )
    lab.save()
    record_change(actor, "lab.create", lab, None, snapshot(lab, LAB_FIELDS))
    return lab, True


@transaction.atomic
def update_lab(actor: User | None, lab: Laboratory, changes: dict[str, Any]) -> Laboratory:
    before = snapshot(lab, LAB_FIELDS)
    fields: list[str] = []
    for key, value in changes.items():
        if key == "daily_capacity":
            if value is None or value < 0 or value > 1_000_000:
                raise TestingError(_("The daily capacity is not plausible."), field=key)
        elif key == "name":
            value = (value or "").strip()[:200]
            if not value:
                raise TestingError(_("Give the laboratory a name."), field=key)
        elif key not in ("rt_pcr", "active"):
            raise TestingError(_("These fields cannot be changed here: %(f)s.") % {"f": key})
        setattr(lab, key, value)
        fields.append(key)
    if fields:
        lab.save(update_fields=fields)
        record_change(actor, "lab.update", lab, before, snapshot(lab, LAB_FIELDS))
    return lab


# Campaigns -----------------------------------------------------------------------------


def default_target(unit: AdminUnit) -> int:
    return int(getattr(unit, "population_total", 0) or 0)


@transaction.atomic
def create_campaign(
    actor: User | None,
    *,
    name: str,
    unit: AdminUnit,
    starts_on: datetime.date,
    ends_on: datetime.date | None = None,
    kind: str = CampaignKind.MASS,
    place_kind: str = "",
    place_name: str = "",
    test_kind: str = TestKind.RT_PCR,
    target_population: int | None = None,
    sites: Sequence[str] = (),
    client_uuid: uuid.UUID | None = None,
) -> tuple[Campaign, bool]:
    """A campaign over a commune or village (or a place there); target from the unit's population."""
    if client_uuid is not None:
        first = Campaign.objects.filter(client_uuid=client_uuid).first()
        if first is not None:
            return first, False
    if not name.strip():
        raise TestingError(_("Give the campaign a name."), field="name")
    if unit.level not in (Level.COMMUNE, Level.VILLAGE):
        raise TestingError(_("A campaign covers a commune or a village."), field="unit")
    if kind not in CampaignKind.values:
        raise TestingError(_("Unknown kind of campaign."), field="kind")
    if place_kind not in CampaignPlace.values:
        raise TestingError(_("Unknown kind of place."), field="place_kind")
    if place_kind and not place_name.strip():
        raise TestingError(_("Give the name of the place."), field="place_name")
    if test_kind not in TestKind.values:
        raise TestingError(_("Unknown test."), field="test_kind")
    _check_campaign_dates(starts_on, ends_on)
    target = default_target(unit) if target_population is None else target_population
    if target < 0 or target > 10_000_000:
        raise TestingError(_("The target population is not plausible."), field="target_population")
    campaign = Campaign(
        client_uuid=client_uuid,
        name=name.strip()[:200],
        kind=kind,
        place_kind=place_kind,
        place_name=place_name.strip()[:200] if place_kind else "",
        test_kind=test_kind,
        target_population=target,
        starts_on=starts_on,
        ends_on=ends_on,
        status=Campaign.Status.ACTIVE if starts_on <= timezone.localdate() else Campaign.Status.PLANNED,
        sites=_clean_sites(sites),
        created_by=_user(actor),
        **lineage_columns(unit),
    )
    campaign.save()
    record_change(actor, "campaign.create", campaign, None, snapshot(campaign, CAMPAIGN_FIELDS))
    return campaign, True


def _check_campaign_dates(starts_on: datetime.date | None, ends_on: datetime.date | None) -> None:
    if starts_on is None or starts_on < EARLIEST:
        raise TestingError(_("The start date is not plausible."), field="starts_on")
    if ends_on is not None and ends_on < starts_on:
        raise TestingError(_("The campaign cannot end before it starts."), field="ends_on")


def _clean_sites(sites: Sequence[str]) -> list[str]:
    items = list(dict.fromkeys(s.strip()[:200] for s in sites if s and s.strip()))
    if len(items) > 50:
        raise TestingError(_("At most 50 testing sites."), field="sites")
    return items


@transaction.atomic
def update_campaign(actor: User | None, campaign: Campaign, changes: dict[str, Any]) -> Campaign:
    """``changes``: name, target_population, ends_on, status, sites."""
    before = snapshot(campaign, CAMPAIGN_FIELDS)
    fields: list[str] = []
    for key, value in changes.items():
        if key == "name":
            value = (value or "").strip()[:200]
            if not value:
                raise TestingError(_("Give the campaign a name."), field=key)
        elif key == "target_population":
            if value is None or value < 0 or value > 10_000_000:
                raise TestingError(_("The target population is not plausible."), field=key)
        elif key == "ends_on":
            _check_campaign_dates(campaign.starts_on, value)
        elif key == "status":
            if value not in Campaign.Status.values:
                raise TestingError(_("Unknown status."), field=key)
        elif key == "sites":
            value = _clean_sites(value or [])
        else:
            raise TestingError(_("These fields cannot be changed here: %(f)s.") % {"f": key})
        setattr(campaign, key, value)
        fields.append(key)
    if fields:
        campaign.save(update_fields=fields)
        record_change(actor, "campaign.update", campaign, before, snapshot(campaign, CAMPAIGN_FIELDS))
    return campaign


# Samples and pools ---------------------------------------------------------------------


@dataclass(frozen=True)
class Taking:
    """Where, when and how a tube was taken (shared by single and pooled samples)."""

    barcode: str
    place_kind: str
    place_name: str = ""
    test_kind: str = TestKind.RT_PCR
    sample_type: str = SampleType.NASOPHARYNGEAL
    taken_at: datetime.datetime | None = None
    campaign: Campaign | None = None
    lab: Laboratory | None = None


def _check_taking(taking: Taking) -> tuple[str, datetime.datetime]:
    barcode = rules.clean_barcode(taking.barcode)
    code = rules.barcode_error(barcode)
    if code is not None:
        raise TestingError(rules.row_message(code), field="barcode")
    if taking.place_kind not in PlaceKind.values:
        raise TestingError(_("Unknown kind of place."), field="place_kind")
    if taking.test_kind not in TestKind.values:
        raise TestingError(_("Unknown test."), field="test_kind")
    if taking.sample_type not in SampleType.values:
        raise TestingError(_("Unknown sample type."), field="sample_type")
    when = taking.taken_at or timezone.now()
    if when > timezone.now() + datetime.timedelta(minutes=5):
        raise TestingError(_("The sample cannot be taken in the future."), field="taken_at")
    if when.date() < EARLIEST:
        raise TestingError(_("The sample date is before 2020: check the year."), field="taken_at")
    if Sample.objects.filter(barcode=barcode).exists() or Pool.objects.filter(barcode=barcode).exists():
        raise TestingError(_("Another sample already has this barcode."), 409, "barcode")
    return barcode, when


def _tube_fields(taking: Taking, barcode: str | None, when: datetime.datetime, actor: User | None) -> dict[str, Any]:
    return {
        "barcode": barcode,
        "test_kind": taking.test_kind,
        "sample_type": taking.sample_type,
        "place_kind": taking.place_kind,
        "place_name": taking.place_name.strip()[:200],
        "campaign": taking.campaign,
        "taken_at": when,
        "taken_by": _user(actor),
        "lab": taking.lab,
        "status": TubeStatus.TAKEN,
    }


def _person_columns(person: Person) -> dict[str, Any]:
    return {
        "province_id": person.province_id,
        "district_id": person.district_id,
        "commune_id": person.commune_id,
        "village_id": person.village_id,
    }


def _check_person(person: Person) -> None:
    if person.merged_into_id is not None:
        raise TestingError(_("This record was merged into another: take the sample on the record in use."), 409)


def _queued_for(person: Person) -> Sample | None:
    return (
        Sample.objects.select_for_update()
        .filter(person=person, status=TubeStatus.QUEUED)
        .order_by("created_at")
        .first()
    )


def take_sample(
    actor: User | None, person: Person, taking: Taking, client_uuid: uuid.UUID | None = None
) -> tuple[Sample, bool]:
    """One person's tube. Fills the person's queued individual test (after a pool) if any."""
    if client_uuid is not None:
        first = Sample.objects.filter(client_uuid=client_uuid).first()
        if first is not None:
            return first, False
    _check_person(person)
    barcode, when = _check_taking(taking)
    try:
        with transaction.atomic():
            queued = _queued_for(person)
            fields = _tube_fields(taking, barcode, when, actor)
            if queued is not None:
                before = snapshot(queued, SAMPLE_FIELDS)
                for key, value in fields.items():
                    if key != "campaign" or value is not None:  # a re-test keeps the pool's campaign
                        setattr(queued, key, value)
                queued.client_uuid = client_uuid
                queued.save()
                record_change(actor, "sample.take", queued, before, snapshot(queued, SAMPLE_FIELDS))
                return queued, True
            sample = Sample(client_uuid=client_uuid, person=person, **fields, **_person_columns(person))
            sample.save()
            record_change(actor, "sample.take", sample, None, snapshot(sample, SAMPLE_FIELDS))
            return sample, True
    except IntegrityError:
        if client_uuid is not None:
            again = Sample.objects.filter(client_uuid=client_uuid).first()
            if again is not None:
                return again, False
        raise TestingError(_("Another sample already has this barcode."), 409, "barcode") from None


def take_pool(
    actor: User | None,
    persons: Sequence[Person],
    taking: Taking,
    unit: AdminUnit | None,
    client_uuid: uuid.UUID | None = None,
) -> tuple[Pool, bool]:
    """One tube for 2–10 persons; ``unit`` is where it was taken (the pool's jurisdiction)."""
    if client_uuid is not None:
        first = Pool.objects.filter(client_uuid=client_uuid).first()
        if first is not None:
            return first, False
    distinct = list({p.pk: p for p in persons}.values())
    if len(distinct) != len(persons):
        raise TestingError(_("A person is twice in the pool."), field="person_ids")
    if not rules.POOL_MIN <= len(distinct) <= rules.POOL_MAX:
        raise TestingError(
            _("A pool holds %(min)s to %(max)s persons.") % {"min": rules.POOL_MIN, "max": rules.POOL_MAX},
            field="person_ids",
        )
    for person in distinct:
        _check_person(person)
    barcode, when = _check_taking(taking)
    try:
        with transaction.atomic():
            fields = _tube_fields(taking, barcode, when, actor)
            pool = Pool(client_uuid=client_uuid, size=len(distinct), **fields, **lineage_columns(unit))
            pool.save()
            record_change(actor, "pool.take", pool, None, snapshot(pool, POOL_FIELDS))
            member_fields = {**fields, "barcode": None, "pool": pool}
            for person in distinct:
                queued = _queued_for(person)
                if queued is not None:
                    before = snapshot(queued, SAMPLE_FIELDS)
                    for key, value in member_fields.items():
                        setattr(queued, key, value)
                    queued.save()
                    record_change(actor, "sample.take", queued, before, snapshot(queued, SAMPLE_FIELDS))
                else:
                    sample = Sample(person=person, **member_fields, **_person_columns(person))
                    sample.save()
                    record_change(actor, "sample.take", sample, None, snapshot(sample, SAMPLE_FIELDS))
            return pool, True
    except IntegrityError:
        if client_uuid is not None:
            again = Pool.objects.filter(client_uuid=client_uuid).first()
            if again is not None:
                return again, False
        raise TestingError(_("Another sample already has this barcode."), 409, "barcode") from None


@transaction.atomic
def receive_tubes(actor: User | None, lab: Laboratory, barcodes: Sequence[str]) -> tuple[int, list[str]]:
    """Mark tubes as received by ``lab``; returns (how many, the barcodes not found or not waiting)."""
    now = timezone.now()
    wanted = {rules.clean_barcode(b) for b in barcodes if b and b.strip()}
    done = 0
    for model in (Sample, Pool):
        qs = model.objects.filter(barcode__in=wanted, status=TubeStatus.TAKEN)  # type: ignore[attr-defined]
        for tube in qs.select_for_update():
            if tube.lab_id not in (None, lab.pk):
                continue
            tube.lab = lab
            tube.received_at = now
            tube.status = TubeStatus.RECEIVED
            tube.save(update_fields=["lab", "received_at", "status"])
            record_change(actor, f"{model._meta.model_name}.receive", tube, None, {"lab": str(lab.pk)})
            wanted.discard(tube.barcode)
            done += 1
    return done, sorted(wanted)


# Case proposals ------------------------------------------------------------------------


def confirm_proposal(
    actor: User | None, proposal: CaseProposal, confirmed_on: datetime.date | None = None
) -> CaseProposal:
    """The reviewer confirms the positive as a case: ``create_case`` (which opens the investigation)."""
    with transaction.atomic():
        proposal = CaseProposal.objects.select_for_update().select_related("person", "sample").get(pk=proposal.pk)
        if proposal.status != CaseProposal.Status.PENDING:
            raise TestingError(_("This proposal was already reviewed."), 409)
        when = confirmed_on or (
            timezone.localtime(proposal.sample.resulted_at).date()
            if proposal.sample.resulted_at
            else timezone.localdate()
        )
        before = snapshot(proposal, PROPOSAL_FIELDS)
        try:
            case, _created = case_actions.create_case(
                actor,
                proposal.person,
                confirmed_on=when,
                sample_date=proposal.sample_date,
                detected_by=proposal.detected_by,
            )
        except case_actions.CaseError as exc:
            raise TestingError(exc.message, exc.status, exc.field) from exc
        proposal.status = CaseProposal.Status.CONFIRMED
        proposal.case = case
        proposal.reviewed_by = _user(actor)
        proposal.reviewed_at = timezone.now()
        proposal.save(update_fields=["status", "case", "reviewed_by", "reviewed_at"])
        record_change(actor, "proposal.confirm", proposal, before, snapshot(proposal, PROPOSAL_FIELDS))
    return proposal


@transaction.atomic
def reject_proposal(actor: User | None, proposal: CaseProposal, reason: str) -> CaseProposal:
    reason = (reason or "").strip()
    if not reason:
        raise TestingError(_("Give the reason the proposal is rejected."), field="reason")
    proposal = CaseProposal.objects.select_for_update().get(pk=proposal.pk)
    if proposal.status != CaseProposal.Status.PENDING:
        raise TestingError(_("This proposal was already reviewed."), 409)
    before = snapshot(proposal, PROPOSAL_FIELDS)
    proposal.status = CaseProposal.Status.REJECTED
    proposal.reject_reason = reason[:255]
    proposal.reviewed_by = _user(actor)
    proposal.reviewed_at = timezone.now()
    proposal.save(update_fields=["status", "reject_reason", "reviewed_by", "reviewed_at"])
    record_change(actor, "proposal.reject", proposal, before, snapshot(proposal, PROPOSAL_FIELDS))
    return proposal
