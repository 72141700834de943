"""Pages to record a person's contacts and check their contact candidates (R-TRACE, in the browser).

Mounted at "tracing/contacts/" (namespace "contacts"). Thin: reading needs CASE_VIEW, every
change TRACE_EDIT (403 otherwise); a person outside the user's area is 404. Changes go through
``tracing.contacts`` (add/remove, idempotent on the client UUID the page generates) and
``tracing.candidates`` (confirm/reject); those re-derive the F levels and re-sync the open
investigations' task lists. Bad input re-renders the page with the messages by field (400) and
writes nothing.
"""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from phongdich.cases.models import Case, CaseStatus
from phongdich.core import access
from phongdich.core.access import current_user
from phongdich.core.forms import posted_client_uuid
from phongdich.core.models import User
from phongdich.core.roles import Perm
from phongdich.geo.models import Level
from phongdich.people.actions import PersonData, intake_person
from phongdich.people.forms import PersonForm
from phongdich.people.models import Person
from phongdich.people.queries import people_in_scope, search_people
from phongdich.policy.models import ContactSetting
from phongdich.tracing import candidates, levels
from phongdich.tracing.contacts import add_contact, remove_contact
from phongdich.tracing.models import Contact, ContactCandidate, ContactSource, PersonLevel, Proximity

DATE_INPUTS = ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"]
SEARCH_LIMIT = 20
# A person created from the add form gets a client UUID derived from the form's, so that a
# double submit finds the same person again.
_PERSON_NAMESPACE = uuid.UUID("0b7d5c1e-8a43-4f5e-9d2c-6a1e3f4b7c90")


def _date_field(label: Any) -> forms.DateField:
    return forms.DateField(
        label=label,
        input_formats=DATE_INPUTS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


MASK_CHOICES = [("", gettext_lazy("Unknown")), ("yes", gettext_lazy("Yes")), ("no", gettext_lazy("No"))]


class ContactForm(forms.Form):
    """The exposure: dates, setting, proximity, duration, mask, note."""

    first_date = _date_field(gettext_lazy("First exposure"))
    last_date = _date_field(gettext_lazy("Last exposure"))
    setting = forms.ChoiceField(label=gettext_lazy("Setting"), choices=ContactSetting.choices)
    proximity = forms.ChoiceField(label=gettext_lazy("Proximity"), choices=Proximity.choices, initial=Proximity.UNKNOWN)
    minutes = forms.IntegerField(
        label=gettext_lazy("Duration (minutes)"), required=False, min_value=0, max_value=527040
    )
    masked = forms.ChoiceField(label=gettext_lazy("Wore a mask"), choices=MASK_CHOICES, required=False)
    note = forms.CharField(label=gettext_lazy("Note"), max_length=255, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data
        first, last = data.get("first_date"), data.get("last_date")
        today = timezone.localdate()
        for name, day in (("first_date", first), ("last_date", last)):
            if day is not None and day > today:
                self.add_error(name, _("An exposure date cannot be in the future."))
        if first is not None and last is not None and first > last and "last_date" not in self.errors:
            self.add_error("last_date", _("The last exposure cannot be before the first one."))
        return data

    def values(self) -> dict[str, Any]:
        d = self.cleaned_data
        masked = {"yes": True, "no": False}.get(d.get("masked") or "")
        return {
            "first_date": d["first_date"],
            "last_date": d["last_date"],
            "setting": d["setting"],
            "proximity": d["proximity"],
            "minutes": d.get("minutes"),
            "masked": masked,
            "note": (d.get("note") or "").strip(),
        }

    def add_errors(self, exc: ValidationError) -> None:
        """Put an action's messages next to the fields they are about (others on top)."""
        for name, msgs in exc.message_dict.items():
            for msg in msgs:
                self.add_error(name if name in self.fields else None, msg)


class NewPersonForm(PersonForm):
    """The few identity fields of a contact not yet in the registry (same cleaning as the registry)."""

    KEEP = ("full_name", "id_number", "birth", "sex", "phone", "commune", "village", "address")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in list(self.fields):
            if name not in self.KEEP:
                del self.fields[name]

    def person_data(self, household: Any = None) -> PersonData:
        d = self.cleaned_data
        birth_date, birth_year = d["birth"]
        return PersonData(
            full_name=d["full_name"],
            id_number=d["id_number"],
            birth_date=birth_date,
            birth_year=birth_year,
            sex=d["sex"],
            phone=d["phone"],
            unit=d["unit"],
            address=d.get("address") or "",
        )


# ---------------------------------------------------------------------------------------------
# Helpers


def _person(request: HttpRequest, pk: Any, perm: Perm) -> Person:
    user = current_user(request)
    return access.get_for_user(user, people_in_scope(user).select_related("commune", "village"), perm, pk=pk)


def _default_commune(user: User) -> int | None:
    unit = user.unit
    if unit is None:
        return None
    if unit.level == Level.COMMUNE:
        return int(unit.pk)
    if unit.level == Level.VILLAGE:
        return unit.commune_id
    return None


def _candidate_prefix(candidate: ContactCandidate) -> str:
    return f"c{candidate.pk.hex[:12]}"


def _confirm_initial(candidate: ContactCandidate) -> dict[str, Any]:
    today = timezone.localdate()
    day = min(candidate.exposure_date or today, today)
    setting = ContactSetting.OTHER
    if candidate.reason in ContactSource.values:
        setting = candidates.DEFAULT_SETTING.get(ContactSource(candidate.reason), ContactSetting.OTHER)
    return {"first_date": day, "last_date": day, "setting": setting, "proximity": Proximity.UNKNOWN}


def _pending(person: Person) -> list[ContactCandidate]:
    return list(
        ContactCandidate.objects.filter(
            Q(person=person) | Q(other=person), status=ContactCandidate.Status.PENDING
        ).select_related("person", "other", "person__commune", "other__commune")[:200]
    )


def _search(user: User, person: Person, q: str) -> list[Person]:
    if not q.strip():
        return []
    return [p for p in search_people(user, q, limit=SEARCH_LIMIT + 1) if p.pk != person.pk][:SEARCH_LIMIT]


def _page(
    request: HttpRequest,
    person: Person,
    *,
    add_form: ContactForm | None = None,
    new_form: NewPersonForm | None = None,
    confirm_forms: dict[uuid.UUID, ContactForm] | None = None,
    chosen: Person | None = None,
    client_uuid: uuid.UUID | None = None,
    status: int = 200,
) -> HttpResponse:
    user = current_user(request)
    can_edit = user.can(Perm.TRACE_EDIT)
    rows = list(
        Contact.objects.filter(Q(person_a=person) | Q(person_b=person), removed_at__isnull=True)
        .select_related("person_a", "person_b", "person_a__commune", "person_b__commune", "recorded_by")
        .order_by("-last_date", "-created_at")[:500]
    )
    pending = _pending(person)
    others = {c.person_b if c.person_a_id == person.pk else c.person_a for c in rows}
    others |= {c.other if c.person_id == person.pk else c.person for c in pending}
    other_ids = [o.pk for o in others]
    visible = set(people_in_scope(user).filter(pk__in=other_ids).values_list("pk", flat=True))
    f_levels = dict(PersonLevel.objects.filter(person_id__in=other_ids).values_list("person_id", "level"))
    f0 = set(
        Case.objects.filter(person_id__in=other_ids, status=CaseStatus.CONFIRMED).values_list("person_id", flat=True)
    )

    def badge(pk: uuid.UUID) -> str:
        if pk in f0:
            return "F0"
        level = f_levels.get(pk)
        return f"F{level}" if level else ""

    contacts = []
    for c in rows:
        other = c.person_b if c.person_a_id == person.pk else c.person_a
        contacts.append({"contact": c, "other": other, "visible": other.pk in visible, "level": badge(other.pk)})
    confirm_forms = confirm_forms or {}
    cands = []
    for cand in pending:
        other = cand.other if cand.person_id == person.pk else cand.person
        form = confirm_forms.get(cand.pk) or ContactForm(prefix=_candidate_prefix(cand), initial=_confirm_initial(cand))
        cands.append(
            {
                "candidate": cand,
                "other": other,
                "visible": other.pk in visible,
                "level": badge(other.pk),
                "case_code": (cand.evidence or {}).get("case", ""),
                "form": form,
                "open": cand.pk in confirm_forms,
            }
        )
    case = Case.objects.filter(person=person, status=CaseStatus.CONFIRMED).order_by("-confirmed_on").first()
    own_level = None if case else levels.level_for(person)
    q = request.GET.get("q", "")[:120] if can_edit else ""
    results = _search(user, person, q) if q else []
    if can_edit and add_form is None:
        add_form = ContactForm(initial={"setting": ContactSetting.OTHER, "proximity": Proximity.UNKNOWN})
    if can_edit and new_form is None:
        new_form = NewPersonForm(user=user, initial={"commune": _default_commune(user)})
    context = {
        "person": person,
        "case": case,
        "own_level": own_level,
        "contacts": contacts,
        "candidates": cands,
        "can_edit": can_edit,
        "q": q,
        "searched": bool(q.strip()),
        "results": results,
        "chosen": chosen,
        "add_form": add_form,
        "new_form": new_form,
        "client_uuid": client_uuid or uuid.uuid4(),
        "new_open": bool(new_form is not None and new_form.is_bound and chosen is None),
    }
    return render(request, "tracing/contact_person.html", context, status=status)


# ---------------------------------------------------------------------------------------------
# Pages


@login_required
@require_GET
def person_contacts(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    person = _person(request, pk, Perm.CASE_VIEW)
    if person.merged_into_id is not None:
        active = people_in_scope(current_user(request)).filter(pk=person.merged_into_id).first()
        if active is not None:
            messages.info(request, _("This record was merged into another one: here are the contacts of that record."))
            return redirect("contacts:person", pk=active.pk)
    return _page(request, person)


@login_required
@require_GET
def search(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    """HTMX: the people matching ``q`` to choose the other person from."""
    person = _person(request, pk, Perm.TRACE_EDIT)
    user = current_user(request)
    q = request.GET.get("q", "")[:120]
    return render(
        request,
        "tracing/contact_search_results.html",
        {"results": _search(user, person, q), "searched": bool(q.strip()), "person": person},
    )


@login_required
@require_POST
def add(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    user = current_user(request)
    person = _person(request, pk, Perm.TRACE_EDIT)
    client_uuid = posted_client_uuid(request)
    form = ContactForm(request.POST)
    other_raw = request.POST.get("other", "").strip()
    chosen: Person | None = None
    new_form: NewPersonForm | None = None
    who_error = ""
    if other_raw and other_raw != "new":
        try:
            chosen = (
                people_in_scope(user)
                .filter(merged_into__isnull=True)
                .select_related("commune", "village")
                .get(pk=uuid.UUID(other_raw))
            )
        except (Person.DoesNotExist, ValueError):
            who_error = _("Choose the other person from the search results.")
    else:
        new_form = NewPersonForm(request.POST, user=user)
    # A retry of a contact already saved: no new person, no new contact.
    if client_uuid is not None:
        existing = Contact.objects.filter(client_uuid=client_uuid).first()
        if existing is not None:
            messages.info(request, _("This contact was already saved."))
            return redirect("contacts:person", pk=person.pk)
    valid = form.is_valid()
    if new_form is not None:
        access.require(user, Perm.PERSON_EDIT)
        valid = new_form.is_valid() and valid
    if who_error:
        form.add_error(None, who_error)
        valid = False
    if valid:
        created_person = False
        try:
            with transaction.atomic():
                other = chosen
                if other is None and new_form is not None:
                    intake = intake_person(
                        user,
                        new_form.person_data(),
                        client_uuid=uuid.uuid5(_PERSON_NAMESPACE, str(client_uuid)) if client_uuid else None,
                        fill_missing=False,
                    )
                    other, created_person = intake.person, intake.created
                assert other is not None
                _contact, created = add_contact(
                    user, person, other, source=ContactSource.INTERVIEW, client_uuid=client_uuid, **form.values()
                )
        except ValidationError as exc:
            form.add_errors(exc)
        else:
            if not created:
                messages.info(request, _("This contact was already saved."))
            elif new_form is not None and not created_person:
                messages.success(
                    request,
                    _("Contact saved with %(name)s, who was already registered (matched by identity).")
                    % {"name": other.full_name},
                )
            else:
                messages.success(request, _("Contact saved with %(name)s.") % {"name": other.full_name})
            return redirect("contacts:person", pk=person.pk)
    return _page(
        request,
        person,
        add_form=form,
        new_form=new_form,
        chosen=chosen,
        client_uuid=client_uuid,
        status=400,
    )


@login_required
@require_POST
def remove(request: HttpRequest, pk: uuid.UUID, contact_pk: uuid.UUID) -> HttpResponse:
    user = current_user(request)
    person = _person(request, pk, Perm.TRACE_EDIT)
    contact = Contact.objects.filter(Q(person_a=person) | Q(person_b=person), pk=contact_pk).first()
    if contact is None:
        raise Http404(_("Not found."))
    was_removed = contact.removed_at is not None
    remove_contact(user, contact)
    if not was_removed:
        messages.success(request, _("Contact removed. The F levels that relied on it were recomputed."))
    return redirect("contacts:person", pk=person.pk)


def _candidate(person: Person, candidate_pk: uuid.UUID) -> ContactCandidate:
    cand = (
        ContactCandidate.objects.filter(Q(person=person) | Q(other=person), pk=candidate_pk)
        .select_related("person", "other")
        .first()
    )
    if cand is None:
        raise Http404(_("Not found."))
    return cand


@login_required
@require_POST
def confirm(request: HttpRequest, pk: uuid.UUID, candidate_pk: uuid.UUID) -> HttpResponse:
    user = current_user(request)
    person = _person(request, pk, Perm.TRACE_EDIT)
    cand = _candidate(person, candidate_pk)
    form = ContactForm(request.POST, prefix=_candidate_prefix(cand))
    if cand.status == ContactCandidate.Status.CONFIRMED:
        messages.info(request, _("This candidate was already confirmed."))
        return redirect("contacts:person", pk=person.pk)
    if cand.status == ContactCandidate.Status.REJECTED:
        messages.error(request, _("This candidate was marked as not a contact."))
        return redirect("contacts:person", pk=person.pk)
    if form.is_valid():
        try:
            candidates.confirm(user, cand, **form.values())
        except ValidationError as exc:
            form.add_errors(exc)
        else:
            messages.success(request, _("Candidate confirmed as a contact. The F levels were recomputed."))
            return redirect("contacts:person", pk=person.pk)
    return _page(request, person, confirm_forms={cand.pk: form}, status=400)


@login_required
@require_POST
def reject(request: HttpRequest, pk: uuid.UUID, candidate_pk: uuid.UUID) -> HttpResponse:
    user = current_user(request)
    person = _person(request, pk, Perm.TRACE_EDIT)
    cand = _candidate(person, candidate_pk)
    try:
        candidates.reject(user, cand)
    except ValidationError as exc:
        for msgs in exc.message_dict.values():
            for msg in msgs:
                messages.error(request, msg)
    else:
        messages.success(request, _("Marked as not a contact."))
    return redirect("contacts:person", pk=person.pk)
