"""Scoped reads of the treatment app: every page and endpoint reads through these.

- Facilities are institutions, not personal records: everyone with TREATMENT_VIEW sees the
  facilities of their own province (to choose where to send a patient, and the bed board);
  managing a facility (beds, staff, activation) needs FACILITY_MANAGE and the facility inside
  the user's unit (``core.access.scope``).
- An admission is visible to the patient's area **and** to the facility's area
  (``visible_admissions``): facility staff see the patients of the facilities in their unit,
  wherever the patients live; the commune of the patient sees the stay too.
- Home care is visible to the patient's area.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from phongdich.cases.models import Case, CaseStatus, Outcome
from phongdich.core import access
from phongdich.core.roles import Perm
from phongdich.policy.queries import province_id_of
from phongdich.treatment.models import (
    Admission,
    BedKind,
    BedStock,
    Facility,
    HomeCare,
    HomeCareStatus,
)

if TYPE_CHECKING:
    from django.db.models import Model

    from phongdich.core.models import User

ADMISSION_RELATED = ("case", "person", "facility", "commune", "village")
HOME_CARE_RELATED = ("case", "person", "commune", "village", "eligibility__rule_set")


def _get[M: Model](user: User, qs: QuerySet[M], perm: Perm, pk: Any) -> M:
    """One record of an already scoped queryset, or 404; 403 without ``perm`` (as core.access)."""
    access.require(user, perm)
    try:
        return qs.get(pk=pk)
    except (ObjectDoesNotExist, ValidationError, ValueError, TypeError) as exc:
        raise Http404(_("Not found.")) from exc


# Facilities ----------------------------------------------------------------------------


def visible_facilities(user: User) -> QuerySet[Facility]:
    """The facilities of the user's province (all for a superuser without a unit)."""
    qs = Facility.objects.all()
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.unit is None:
        return qs if user.is_superuser else qs.none()
    return qs.filter(province_id=province_id_of(user.unit))


def managed_facilities(user: User) -> QuerySet[Facility]:
    """The facilities inside the user's unit ("their" facilities)."""
    return access.scope(user, Facility.objects.all())


def get_facility(user: User, pk: Any, perm: Perm = Perm.TREATMENT_VIEW) -> Facility:
    qs = managed_facilities(user) if perm == Perm.FACILITY_MANAGE else visible_facilities(user)
    return _get(user, qs.select_related("province", "district", "commune"), perm, pk)


# Admissions and home care --------------------------------------------------------------


def visible_admissions(user: User) -> QuerySet[Admission]:
    """Stays of patients living in the user's area or in a facility in the user's area."""
    qs = Admission.objects.all()
    return access.scope(user, qs) | access.scope(user, qs, "facility__")


def get_admission(user: User, pk: Any, perm: Perm = Perm.TREATMENT_VIEW) -> Admission:
    return _get(user, visible_admissions(user).select_related(*ADMISSION_RELATED), perm, pk)


def visible_home_care(user: User) -> QuerySet[HomeCare]:
    return access.scope(user, HomeCare.objects.all())


def get_home_care(user: User, pk: Any, perm: Perm = Perm.TREATMENT_VIEW) -> HomeCare:
    return _get(user, visible_home_care(user).select_related(*HOME_CARE_RELATED), perm, pk)


def visible_cases(user: User) -> QuerySet[Case]:
    """Cases of the patient's area (the cases app's own scoping)."""
    return access.scope(user, Case.objects.all())


def get_case(user: User, pk: Any, perm: Perm = Perm.TREATMENT_VIEW) -> Case:
    return _get(user, visible_cases(user).select_related("person", "rule_set", "commune", "village"), perm, pk)


def cases_awaiting_care(user: User) -> QuerySet[Case]:
    """F0 under treatment in the user's area with neither an open stay nor active home care."""
    stays = Admission.objects.filter(case=OuterRef("pk"), ended_on__isnull=True)
    homes = HomeCare.objects.filter(case=OuterRef("pk"), status=HomeCareStatus.ACTIVE)
    return (
        visible_cases(user)
        .filter(status=CaseStatus.CONFIRMED, outcome=Outcome.UNDER_TREATMENT)
        .filter(~Exists(stays), ~Exists(homes))
        .order_by("confirmed_on", "code")
    )


def history_of_person(user: User, person_id: uuid.UUID) -> tuple[list[Admission], list[HomeCare]]:
    stays = list(
        visible_admissions(user).filter(person_id=person_id).select_related("facility", "case").order_by("admitted_on")
    )
    homes = list(visible_home_care(user).filter(person_id=person_id).select_related("case").order_by("started_on"))
    return stays, homes


# Bed board -----------------------------------------------------------------------------


@dataclass
class BedCount:
    total: int = 0
    taken: int = 0

    @property
    def free(self) -> int:
        return max(self.total - self.taken, 0)


@dataclass
class FacilityBeds:
    facility: Facility
    beds: dict[str, BedCount]
    patients: int = 0

    @property
    def total(self) -> BedCount:
        return BedCount(sum(b.total for b in self.beds.values()), sum(b.taken for b in self.beds.values()))


@dataclass
class BedBoard:
    facilities: list[FacilityBeds]
    by_tier: dict[int, dict[str, BedCount]] = field(default_factory=dict)
    totals: dict[str, BedCount] = field(default_factory=dict)


def bed_board(facilities: QuerySet[Facility], *, active_only: bool = False) -> BedBoard:
    """Beds of each kind per facility (total, taken, free), and totals per tier and kind.

    Two grouped queries whatever the number of facilities. Stood-down facilities are listed
    but count in no total.
    """
    if active_only:
        facilities = facilities.filter(active=True)
    rows = list(facilities.select_related("commune", "district").order_by("-tier", "name"))
    ids = [f.pk for f in rows]
    totals: dict[Any, dict[str, int]] = defaultdict(dict)
    for s in BedStock.objects.filter(facility_id__in=ids).values("facility_id", "kind", "total"):
        totals[s["facility_id"]][s["kind"]] = s["total"]
    taken: dict[Any, dict[str, int]] = defaultdict(dict)
    open_stays = Admission.objects.filter(facility_id__in=ids, ended_on__isnull=True)
    for t in open_stays.values("facility_id", "bed_kind").annotate(n=Count("pk")):
        taken[t["facility_id"]][t["bed_kind"]] = t["n"]
    board = BedBoard(facilities=[])
    board.by_tier = {tier: {k: BedCount() for k in BedKind.values} for tier in (1, 2, 3)}
    board.totals = {k: BedCount() for k in BedKind.values}
    for f in rows:
        beds = {k: BedCount(totals[f.pk].get(k, 0), taken[f.pk].get(k, 0)) for k in BedKind.values}
        board.facilities.append(FacilityBeds(f, beds, sum(taken[f.pk].values())))
        if not f.active:
            continue
        for k, b in beds.items():
            for target in (board.by_tier[f.tier][k], board.totals[k]):
                target.total += b.total
                target.taken += b.taken
    return board


def open_stays_at(user: User, facility: Facility) -> QuerySet[Admission]:
    return (
        visible_admissions(user)
        .filter(facility=facility, ended_on__isnull=True)
        .select_related("case", "person", "commune", "village")
        .order_by("admitted_on")
    )


def active_home_care_in(user: User) -> QuerySet[HomeCare]:
    return (
        visible_home_care(user)
        .filter(status=HomeCareStatus.ACTIVE)
        .select_related(*HOME_CARE_RELATED)
        .order_by("started_on")
    )


def counts_by_status(qs: QuerySet[HomeCare]) -> dict[str, int]:
    return {r["status"]: r["n"] for r in qs.values("status").annotate(n=Count("pk"))}


def stays_needing_transfer_up(user: User) -> QuerySet[Admission]:
    """Open stays whose case's current severity calls for a higher tier than the facility's."""
    severe = Q(case__clinical_status__in=["severe", "critical"], tier__lt=3)
    moderate = Q(case__clinical_status="moderate", tier__lt=2)
    return visible_admissions(user).filter(ended_on__isnull=True).filter(severe | moderate)
