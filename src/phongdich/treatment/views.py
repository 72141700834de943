"""Pages of the treatment app. Thin: reads through treatment.queries, changes through actions."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from phongdich.core import access
from phongdich.core.access import current_user
from phongdich.core.audit import record_access
from phongdich.core.forms import posted_client_uuid
from phongdich.core.roles import Perm
from phongdich.treatment import actions, queries, release
from phongdich.treatment.forms import (
    AdmitForm,
    BedsForm,
    DischargeForm,
    FacilityForm,
    HomeCareForm,
    MonitoringForm,
    ReassessForm,
    TransferForm,
)
from phongdich.treatment.models import BedKind, HomeCareStatus, tier_for


def _refused(form: Any, exc: actions.TreatmentError) -> None:
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message)


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """Landing page: my facilities, the bed totals, who awaits care, home care in my area."""
    user = current_user(request)
    access.require(user, Perm.TREATMENT_VIEW)
    mine = queries.bed_board(queries.managed_facilities(user))
    board = queries.bed_board(queries.visible_facilities(user))
    context = {
        "mine": mine.facilities,
        "board": board,
        "awaiting": queries.cases_awaiting_care(user).count(),
        "home_active": queries.visible_home_care(user).filter(status=HomeCareStatus.ACTIVE).count(),
        "transfer_up": queries.stays_needing_transfer_up(user).count(),
        "can_manage": user.can(Perm.FACILITY_MANAGE),
        "kinds": BedKind.choices,
    }
    return render(request, "treatment/index.html", context)


@login_required
@require_GET
def beds(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    access.require(user, Perm.TREATMENT_VIEW)
    board = queries.bed_board(queries.visible_facilities(user))
    tiers = [(t, board.by_tier[t]) for t in (1, 2, 3)]
    return render(request, "treatment/beds.html", {"board": board, "tiers": tiers, "kinds": BedKind.choices})


# Facilities ----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def facility_create(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    access.require(user, Perm.FACILITY_MANAGE)
    form = FacilityForm(request.POST or None)
    beds_form = BedsForm(request.POST or None, initial={"staff_count": 0, **{f"beds_{k}": 0 for k in BedKind.values}})
    if request.method == "POST" and form.is_valid() and beds_form.is_valid() and user.unit is not None:
        d = form.cleaned_data
        try:
            facility, _created = actions.create_facility(
                user,
                name=d["name"],
                kind=d["kind"],
                tier=d["tier"],
                unit=user.unit,
                address=d["address"],
                staff_count=beds_form.cleaned_data["staff_count"],
                beds={k: beds_form.cleaned_data[f"beds_{k}"] for k in BedKind.values},
                client_uuid=posted_client_uuid(request),
            )
        except actions.TreatmentError as exc:
            _refused(form, exc)
        else:
            messages.success(request, _("Facility added."))
            return redirect("treatment:facility", facility.pk)
    return render(
        request, "treatment/facility_form.html", {"form": form, "beds_form": beds_form, "client_uuid": uuid.uuid4()}
    )


@login_required
@require_http_methods(["GET", "POST"])
def facility_detail(request: HttpRequest, pk: Any) -> HttpResponse:
    """A facility: beds, its patients now; staff and beds can be changed by its managers."""
    user = current_user(request)
    facility = queries.get_facility(user, pk)
    can_manage = user.can(Perm.FACILITY_MANAGE) and queries.managed_facilities(user).filter(pk=facility.pk).exists()
    row = queries.bed_board(type(facility).objects.filter(pk=facility.pk)).facilities[0]
    initial = {"staff_count": facility.staff_count, **{f"beds_{k}": b.total for k, b in row.beds.items()}}
    form = BedsForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if not can_manage:
            access.require(user, Perm.FACILITY_MANAGE)
            raise PermissionDenied(_("This facility is outside your area."))
        if form.is_valid():
            try:
                actions.set_beds(user, facility, {k: form.cleaned_data[f"beds_{k}"] for k in BedKind.values})
                actions.update_facility(user, facility, {"staff_count": form.cleaned_data["staff_count"]})
            except actions.TreatmentError as exc:
                _refused(form, exc)
            else:
                messages.success(request, _("Beds and staff saved."))
                return redirect("treatment:facility", facility.pk)
    patients = list(queries.open_stays_at(user, facility))
    context = {
        "facility": facility,
        "row": row,
        "form": form,
        "can_manage": can_manage,
        "can_edit": user.can(Perm.TREATMENT_EDIT),
        "patients": patients,
        "kinds": BedKind.choices,
    }
    return render(request, "treatment/facility.html", context)


@login_required
@require_POST
def facility_toggle(request: HttpRequest, pk: Any) -> HttpResponse:
    user = current_user(request)
    facility = queries.get_facility(user, pk, Perm.FACILITY_MANAGE)
    try:
        if facility.active:
            actions.stand_down_facility(user, facility)
            messages.success(request, _("Facility stood down."))
        else:
            actions.activate_facility(user, facility)
            messages.success(request, _("Facility activated."))
    except actions.TreatmentError as exc:
        messages.error(request, exc.message)
    return redirect("treatment:facility", facility.pk)


# Admissions ----------------------------------------------------------------------------


@login_required
@require_GET
def awaiting(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    access.require(user, Perm.TREATMENT_VIEW)
    cases = queries.cases_awaiting_care(user).select_related("person", "commune", "village")
    page = Paginator(cases, 50).get_page(request.GET.get("page"))
    for case in page:
        case.required_tier = tier_for(case.clinical_status)  # type: ignore[attr-defined]
    return render(request, "treatment/awaiting.html", {"page": page, "can_edit": user.can(Perm.TREATMENT_EDIT)})


@login_required
@require_http_methods(["GET", "POST"])
def admit(request: HttpRequest, case_pk: Any) -> HttpResponse:
    user = current_user(request)
    case = queries.get_case(user, case_pk, Perm.TREATMENT_EDIT)
    facilities = queries.visible_facilities(user).filter(active=True)
    initial = {"severity": case.clinical_status, "on": timezone.localdate()}
    form = AdmitForm(request.POST or None, facilities=facilities, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            stay, _created = actions.admit(
                user,
                case,
                d["facility"],
                bed_kind=d["bed_kind"],
                severity=d["severity"],
                on=d["on"],
                override_reason=d["override_reason"],
                note=d["note"],
                client_uuid=posted_client_uuid(request),
            )
        except actions.TreatmentError as exc:
            _refused(form, exc)
        else:
            messages.success(request, _("Patient admitted."))
            return redirect("treatment:admission", stay.pk)
    board = queries.bed_board(facilities)
    context = {
        "case": case,
        "form": form,
        "board": board,
        "kinds": BedKind.choices,
        "required": tier_for(case.clinical_status),
        "client_uuid": uuid.uuid4(),
    }
    return render(request, "treatment/admit.html", context)


def _admission_context(request: HttpRequest, stay: Any, **forms: Any) -> dict[str, Any]:
    user = current_user(request)
    facilities = queries.visible_facilities(user).filter(active=True)
    today = timezone.localdate()
    chain = []
    cursor = stay
    while cursor.previous_id is not None:
        cursor = queries.visible_admissions(user).select_related("facility").filter(pk=cursor.previous_id).first()
        if cursor is None:
            break
        chain.append(cursor)
    nxt = queries.visible_admissions(user).filter(previous=stay).first()
    defaults = {"severity": stay.case.clinical_status, "on": today}
    return {
        "stay": stay,
        "case": stay.case,
        "release": release.release_status(stay.case),
        "reassessments": list(stay.reassessments.all()),
        "earlier": chain,
        "next_stay": nxt,
        "can_edit": user.can(Perm.TREATMENT_EDIT) and stay.is_open,
        "transfer_up": stay.is_open and stay.tier < tier_for(stay.case.clinical_status),
        "reassess_form": forms.get("reassess") or ReassessForm(initial=defaults),
        "transfer_form": forms.get("transfer") or TransferForm(facilities=facilities, initial=defaults),
        "discharge_form": forms.get("discharge") or DischargeForm(initial={"on": today}),
        "client_uuid": uuid.uuid4(),
        "today": today,
    }


@login_required
@require_GET
def admission_detail(request: HttpRequest, pk: Any) -> HttpResponse:
    user = current_user(request)
    stay = queries.get_admission(user, pk)
    record_access(user, stay.person, detail="treatment.admission")
    return render(request, "treatment/admission.html", _admission_context(request, stay))


@login_required
@require_POST
def admission_reassess(request: HttpRequest, pk: Any) -> HttpResponse:
    user = current_user(request)
    stay = queries.get_admission(user, pk, Perm.TREATMENT_EDIT)
    form = ReassessForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            actions.reassess(
                user,
                stay,
                severity=d["severity"],
                on=d["on"],
                spo2=d["spo2"],
                note=d["note"],
                client_uuid=posted_client_uuid(request),
            )
        except actions.TreatmentError as exc:
            _refused(form, exc)
        else:
            messages.success(request, _("Assessment saved."))
            return redirect("treatment:admission", stay.pk)
    return render(request, "treatment/admission.html", _admission_context(request, stay, reassess=form), status=422)


@login_required
@require_POST
def admission_transfer(request: HttpRequest, pk: Any) -> HttpResponse:
    user = current_user(request)
    stay = queries.get_admission(user, pk, Perm.TREATMENT_EDIT)
    form = TransferForm(request.POST, facilities=queries.visible_facilities(user).filter(active=True))
    if form.is_valid():
        d = form.cleaned_data
        try:
            nxt, _created = actions.transfer(
                user,
                stay,
                d["facility"],
                bed_kind=d["bed_kind"],
                severity=d["severity"],
                on=d["on"],
                reason=d["reason"],
                override_reason=d["override_reason"],
                client_uuid=posted_client_uuid(request),
            )
        except actions.TreatmentError as exc:
            _refused(form, exc)
        else:
            messages.success(request, _("Patient transferred."))
            return redirect("treatment:admission", nxt.pk)
    return render(request, "treatment/admission.html", _admission_context(request, stay, transfer=form), status=422)


@login_required
@require_POST
def admission_discharge(request: HttpRequest, pk: Any) -> HttpResponse:
    user = current_user(request)
    stay = queries.get_admission(user, pk, Perm.TREATMENT_EDIT)
    form = DischargeForm(request.POST)
    if form.is_valid():
        try:
            actions.discharge(user, stay, outcome=form.cleaned_data["outcome"], on=form.cleaned_data["on"])
        except actions.TreatmentError as exc:
            _refused(form, exc)
        else:
            messages.success(request, _("Patient discharged."))
            return redirect("treatment:admission", stay.pk)
    return render(request, "treatment/admission.html", _admission_context(request, stay, discharge=form), status=422)


# Home care -----------------------------------------------------------------------------


@login_required
@require_GET
def home_care_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    access.require(user, Perm.TREATMENT_VIEW)
    status = request.GET.get("status", HomeCareStatus.ACTIVE)
    qs = queries.visible_home_care(user).select_related(*queries.HOME_CARE_RELATED)
    if status in HomeCareStatus.values:
        qs = qs.filter(status=status)
    page = Paginator(qs.order_by("started_on"), 50).get_page(request.GET.get("page"))
    today = timezone.localdate()
    for home in page:
        entry = home.entries.first()
        home.latest = entry  # type: ignore[attr-defined]
        home.checked_today = entry is not None and entry.on == today  # type: ignore[attr-defined]
    context = {
        "page": page,
        "status": status,
        "statuses": HomeCareStatus.choices,
        "counts": queries.counts_by_status(queries.visible_home_care(user)),
    }
    return render(request, "treatment/home_care_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def home_care_start(request: HttpRequest, case_pk: Any) -> HttpResponse:
    """The eligibility check (each rule explained) and the start of home care."""
    user = current_user(request)
    case = queries.get_case(user, case_pk, Perm.TREATMENT_EDIT)
    form = HomeCareForm(request.POST or None, initial={"on": timezone.localdate(), "pregnant": case.person.pregnant})
    check = None
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            if "check" in request.POST:
                check = actions.check_eligibility(user, case, on=d["on"], pregnant=d["pregnant"])
            else:
                home, _created = actions.start_home_care(
                    user,
                    case,
                    on=d["on"],
                    pregnant=d["pregnant"],
                    override_reason=d["override_reason"],
                    client_uuid=posted_client_uuid(request),
                )
                messages.success(request, _("Home care started."))
                return redirect("treatment:home_care", home.pk)
        except actions.TreatmentError as exc:
            _refused(form, exc)
    context = {"case": case, "form": form, "check": check, "client_uuid": uuid.uuid4()}
    return render(request, "treatment/home_care_start.html", context)


def _home_context(request: HttpRequest, home: Any, **forms: Any) -> dict[str, Any]:
    user = current_user(request)
    today = timezone.localdate()
    facilities = queries.visible_facilities(user).filter(active=True)
    entries = list(home.entries.all())
    return {
        "home": home,
        "case": home.case,
        "check": home.eligibility,
        "entries": entries,
        "release": release.release_status(home.case),
        "needs_escalation": bool(entries) and entries[0].needs_escalation,
        "can_edit": user.can(Perm.TREATMENT_EDIT) and home.status == HomeCareStatus.ACTIVE,
        "monitor_form": forms.get("monitor") or MonitoringForm(initial={"on": today}),
        "escalate_form": forms.get("escalate")
        or AdmitForm(facilities=facilities, initial={"on": today, "severity": home.case.clinical_status}),
        "end_form": forms.get("end") or DischargeForm(initial={"on": today}),
        "client_uuid": uuid.uuid4(),
    }


@login_required
@require_GET
def home_care_detail(request: HttpRequest, pk: Any) -> HttpResponse:
    user = current_user(request)
    home = queries.get_home_care(user, pk)
    record_access(user, home.person, detail="treatment.home_care")
    return render(request, "treatment/home_care.html", _home_context(request, home))


@login_required
@require_POST
def home_care_monitor(request: HttpRequest, pk: Any) -> HttpResponse:
    user = current_user(request)
    home = queries.get_home_care(user, pk, Perm.TREATMENT_EDIT)
    form = MonitoringForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            entry, _created = actions.record_monitoring(
                user,
                home,
                on=d["on"],
                spo2=d["spo2"],
                temperature=d["temperature"],
                symptoms=[s for s in (d["symptoms"] or "").split(",") if s.strip()],
                warning_signs=d["warning_signs"],
                note=d["note"],
                client_uuid=posted_client_uuid(request),
            )
        except actions.TreatmentError as exc:
            _refused(form, exc)
        else:
            if entry.needs_escalation:
                messages.warning(request, _("Warning signs: move the patient to a facility of the right tier."))
            else:
                messages.success(request, _("Check saved."))
            return redirect("treatment:home_care", home.pk)
    return render(request, "treatment/home_care.html", _home_context(request, home, monitor=form), status=422)


@login_required
@require_POST
def home_care_escalate(request: HttpRequest, pk: Any) -> HttpResponse:
    user = current_user(request)
    home = queries.get_home_care(user, pk, Perm.TREATMENT_EDIT)
    form = AdmitForm(request.POST, facilities=queries.visible_facilities(user).filter(active=True))
    if form.is_valid():
        d = form.cleaned_data
        try:
            stay, _created = actions.escalate_home_care(
                user,
                home,
                d["facility"],
                bed_kind=d["bed_kind"],
                severity=d["severity"],
                on=d["on"],
                override_reason=d["override_reason"],
                client_uuid=posted_client_uuid(request),
            )
        except actions.TreatmentError as exc:
            _refused(form, exc)
        else:
            messages.success(request, _("Patient admitted."))
            return redirect("treatment:admission", stay.pk)
    return render(request, "treatment/home_care.html", _home_context(request, home, escalate=form), status=422)


@login_required
@require_POST
def home_care_end(request: HttpRequest, pk: Any) -> HttpResponse:
    user = current_user(request)
    home = queries.get_home_care(user, pk, Perm.TREATMENT_EDIT)
    form = DischargeForm(request.POST)
    if form.is_valid():
        try:
            actions.end_home_care(user, home, outcome=form.cleaned_data["outcome"], on=form.cleaned_data["on"])
        except actions.TreatmentError as exc:
            _refused(form, exc)
        else:
            messages.success(request, _("Home care ended."))
            return redirect("treatment:home_care", home.pk)
    return render(request, "treatment/home_care.html", _home_context(request, home, end=form), status=422)
