"""Pages of the declarations app.

Public (no sign-in, namespace "public"): the declaration form and its QR page, the venue
check-in page. Abuse resistance: CSRF (Django's middleware), a per-IP rate limit in the cache
(ratelimit.py), a honeypot field, a client UUID made on page render (a resend never
duplicates), size limits on every field. The QR page shows the token's QR code, the kind, the
destination commune and the validity: nothing personal.

Staff (namespace "declarations"): the declarations of the user's area with their flags, a
declaration's detail (access-logged) and handling its flags, venues (list, create, edit, poster).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from phongdich.core import access
from phongdich.core.access import current_user
from phongdich.core.audit import record_access
from phongdich.core.forms import uuid_or_none
from phongdich.core.roles import Perm
from phongdich.declarations import actions, queries, tokens
from phongdich.declarations.forms import CheckInForm, DeclarationForm, VenueForm
from phongdich.declarations.models import (
    Channel,
    Condition,
    Declaration,
    DeclarationFlag,
    Exposure,
    FlagKind,
    Symptom,
    Venue,
)
from phongdich.declarations.processing import ensure_processed
from phongdich.declarations.qr import qr_svg
from phongdich.declarations.ratelimit import rate_limited
from phongdich.geo.models import AdminUnit

# ---------------------------------------------------------------------------------------------
# Public pages
# ---------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def public_declare(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        if rate_limited(request, "declare"):
            form = DeclarationForm(initial={"client_uuid": uuid.uuid4()})
            error = _("Too many declarations from your connection. Try again in a few minutes.")
            return render(request, "declarations/public_form.html", {"form": form, "error": error}, status=429)
        if request.POST.get("website"):
            # A bot filled the honeypot: answer as if all went well, write nothing.
            return render(request, "declarations/public_thanks_bot.html")
        form = DeclarationForm(request.POST)
        if form.is_valid():
            try:
                declaration, _created = actions.submit_declaration(
                    form.declaration_data(), client_uuid=form.cleaned_data["client_uuid"], channel=Channel.PUBLIC_WEB
                )
            except actions.DeclarationError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                return redirect("public:declared", token=tokens.make_token(declaration.reference))
        return render(request, "declarations/public_form.html", {"form": form}, status=400)
    form = DeclarationForm(initial={"client_uuid": uuid.uuid4(), "nationality": "Việt Nam"})
    return render(request, "declarations/public_form.html", {"form": form})


@require_GET
def public_declared(request: HttpRequest, token: str) -> HttpResponse:
    declaration = queries.declaration_for_token(token)
    if declaration is None:
        raise Http404(_("This QR code is not valid or has expired."))
    valid_until = declaration.declared_at + tokens.TOKEN_VALID_FOR
    return render(
        request,
        "declarations/public_qr.html",
        {
            "qr": qr_svg(token),
            "kind": declaration.get_kind_display(),
            "commune": declaration.commune.name if declaration.commune else "",
            "declared_at": declaration.declared_at,
            "valid_until": valid_until,
        },
    )


def _public_venue(token: str) -> Venue:
    venue = (
        Venue.objects.filter(token=token, active=True).select_related("commune").first() if len(token) < 40 else None
    )
    if venue is None:
        raise Http404(_("Not found."))
    return venue


@require_http_methods(["GET", "POST"])
def public_checkin(request: HttpRequest, token: str) -> HttpResponse:
    venue = _public_venue(token)
    context: dict[str, Any] = {"venue": venue}
    if request.method == "POST":
        if rate_limited(request, "checkin"):
            context["form"] = CheckInForm(initial={"client_uuid": uuid.uuid4()})
            context["error"] = _("Too many check-ins from your connection. Try again in a few minutes.")
            return render(request, "declarations/public_checkin.html", context, status=429)
        if request.POST.get("website"):
            return redirect("public:checked-in", token=venue.token)
        form = CheckInForm(request.POST)
        if form.is_valid():
            try:
                actions.check_in(venue, form.checkin_data(), client_uuid=form.cleaned_data["client_uuid"])
            except actions.DeclarationError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                return redirect("public:checked-in", token=venue.token)
        context["form"] = form
        return render(request, "declarations/public_checkin.html", context, status=400)
    context["form"] = CheckInForm(initial={"client_uuid": uuid.uuid4()})
    return render(request, "declarations/public_checkin.html", context)


@require_GET
def public_checked_in(request: HttpRequest, token: str) -> HttpResponse:
    venue = _public_venue(token)
    return render(request, "declarations/public_checked_in.html", {"venue": venue, "now": timezone.now()})


# ---------------------------------------------------------------------------------------------
# Staff pages
# ---------------------------------------------------------------------------------------------


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """The declarations of the user's area, newest first; filters: open flags, flag kind."""
    user = current_user(request)
    qs = queries.declarations_in_scope(user).select_related("commune", "origin_province")
    state = request.GET.get("state", "open")
    kind = request.GET.get("kind", "")
    if kind not in FlagKind.values:
        kind = ""
    if state == "open":
        open_flags = Q(flags__handled_at__isnull=True)
        if kind:
            open_flags &= Q(flags__kind=kind)
        qs = qs.filter(pk__in=Declaration.objects.filter(open_flags).values("pk"))
    elif kind:
        qs = qs.filter(flags__kind=kind).distinct()
    qs = qs.annotate(open_flags=Count("flags", filter=Q(flags__handled_at__isnull=True)))
    page = Paginator(qs.order_by("-declared_at"), 50).get_page(request.GET.get("page"))
    flags: dict[Any, list[DeclarationFlag]] = {}
    for flag in DeclarationFlag.objects.filter(declaration_id__in=[d.pk for d in page]):
        flags.setdefault(flag.declaration_id, []).append(flag)
    rows = [(d, flags.get(d.pk, [])) for d in page]
    open_count = queries.flags_in_scope(user).filter(handled_at__isnull=True).count()
    pending_count = queries.declarations_in_scope(user).filter(processed_at__isnull=True).count()
    return render(
        request,
        "declarations/index.html",
        {
            "page": page,
            "rows": rows,
            "state": state,
            "kind": kind,
            "kinds": FlagKind.choices,
            "open_count": open_count,
            "pending_count": pending_count,
            "can_venues": user.can(Perm.VENUE_MANAGE),
        },
    )


def labels(choices: Any, values: list[str]) -> list[str]:
    return [str(choices(v).label) if v in choices.values else v for v in values]


@login_required
@require_GET
def detail(request: HttpRequest, pk: Any) -> HttpResponse:
    user = current_user(request)
    declaration = access.get_for_user(
        user,
        Declaration.objects.select_related("person", "commune", "district", "origin_province", "rule_set"),
        Perm.DECLARATION_VIEW,
        pk=pk,
    )
    declaration = ensure_processed(declaration)
    record_access(user, declaration)
    units = AdminUnit.objects.in_bulk(
        [int(u) for u in declaration.provinces_visited]
        + [int(p["unit_id"]) for p in declaration.places if p.get("unit_id")]
    )
    return render(
        request,
        "declarations/detail.html",
        {
            "d": declaration,
            "flags": list(declaration.flags.all()),
            "can_review": user.can(Perm.DECLARATION_REVIEW),
            "provinces": [units[int(u)] for u in declaration.provinces_visited if int(u) in units],
            "symptoms": labels(Symptom, declaration.symptoms),
            "exposures": labels(Exposure, declaration.exposures),
            "conditions": labels(Condition, declaration.conditions),
        },
    )


@login_required
@require_POST
def handle_flag(request: HttpRequest, pk: Any) -> HttpResponse:
    user = current_user(request)
    access.require(user, Perm.DECLARATION_VIEW)
    flag = access.get_for_user(user, DeclarationFlag.objects.all(), Perm.DECLARATION_REVIEW, pk=pk)
    handled = request.POST.get("handled", "1") == "1"
    note = request.POST.get("note", "").strip()
    try:
        actions.handle_flag(user, flag, note=note, handled=handled)
    except actions.DeclarationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The flag was marked as handled.") if handled else _("The flag was reopened."))
    return redirect("declarations:detail", pk=flag.declaration_id)


@login_required
@require_GET
def venue_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    qs = queries.venues_in_scope(user).select_related("commune")
    qs = qs.annotate(checkin_count=Count("checkins"))
    page = Paginator(qs.order_by("name"), 50).get_page(request.GET.get("page"))
    return render(request, "declarations/venue_list.html", {"page": page})


@login_required
@require_http_methods(["GET", "POST"])
def venue_create(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    access.require(user, Perm.VENUE_MANAGE)
    if request.method == "POST":
        form = VenueForm(request.POST, user=user)
        if form.is_valid():
            try:
                venue, _created = actions.create_venue(
                    user, form.venue_data(), client_uuid=form.cleaned_data.get("client_uuid")
                )
            except actions.DeclarationError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, _("The venue was registered. Print its poster."))
                return redirect("declarations:venue-poster", pk=venue.pk)
        return render(request, "declarations/venue_form.html", {"form": form, "venue": None}, status=400)
    form = VenueForm(user=user, initial={"client_uuid": uuid.uuid4(), "unit": user.unit_id, "active": True})
    return render(request, "declarations/venue_form.html", {"form": form, "venue": None})


@login_required
@require_http_methods(["GET", "POST"])
def venue_edit(request: HttpRequest, pk: Any) -> HttpResponse:
    user = current_user(request)
    venue = access.get_for_user(user, Venue.objects.all(), Perm.VENUE_MANAGE, pk=pk)
    if request.method == "POST":
        form = VenueForm(request.POST, user=user)
        if form.is_valid():
            try:
                actions.update_venue(user, venue, form.venue_data())
            except actions.DeclarationError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, _("The venue was saved."))
                return redirect("declarations:venues")
        return render(request, "declarations/venue_form.html", {"form": form, "venue": venue}, status=400)
    initial = {
        "name": venue.name,
        "kind": venue.kind,
        "unit": venue.village_id or venue.commune_id,
        "address": venue.address,
        "active": venue.active,
    }
    return render(
        request, "declarations/venue_form.html", {"form": VenueForm(user=user, initial=initial), "venue": venue}
    )


def checkin_url(request: HttpRequest, venue: Venue) -> str:
    return request.build_absolute_uri(reverse("public:checkin", kwargs={"token": venue.token}))


@login_required
@require_GET
def venue_poster(request: HttpRequest, pk: Any) -> HttpResponse:
    user = current_user(request)
    venue = access.get_for_user(user, Venue.objects.select_related("commune", "district"), Perm.VENUE_MANAGE, pk=pk)
    url = checkin_url(request, venue)
    return render(request, "declarations/venue_poster.html", {"venue": venue, "qr": qr_svg(url, scale=10), "url": url})


@login_required
@require_http_methods(["GET", "POST"])
def site_venues(request: HttpRequest, pk: Any) -> HttpResponse:
    """The venues (QR check-ins) of an exposure site: link one, and its check-ins in the window are matched."""
    from phongdich.cases.exposure import get_site

    user = current_user(request)
    site = get_site(user, pk, Perm.EXPOSURE_PUBLISH)
    choices = queries.venues_to_link(user, site)
    error = ""
    if request.method == "POST":
        chosen = uuid_or_none(request.POST.get("venue"))
        venue = choices.filter(pk=chosen).first() if chosen is not None else None
        if venue is None:
            error = _("Choose a venue of the site's area.")
        else:
            _link, proposed = actions.link_site_venue(user, site, venue)
            if site.case_id is None:
                messages.success(
                    request, _("The venue was linked. Link a case to the site to propose its visitors as contacts.")
                )
            else:
                messages.success(
                    request,
                    ngettext(
                        "The venue was linked: %(n)d person checked in during the window and is proposed as a contact.",
                        "The venue was linked: %(n)d people checked in during the window and are proposed as contacts.",
                        proposed,
                    )
                    % {"n": proposed},
                )
            return redirect("declarations:site-venues", pk=site.pk)
    return render(
        request,
        "declarations/site_venues.html",
        {"site": site, "linked": queries.site_venues(site), "choices": list(choices[:200]), "error": error},
        status=400 if error else 200,
    )
