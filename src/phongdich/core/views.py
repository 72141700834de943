from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from phongdich.core import access, overview
from phongdich.core.forms import LanguageForm, TokenForm
from phongdich.core.models import AccessLog, ApiToken, AuditLog
from phongdich.core.roles import Perm
from phongdich.people.models import DuplicateCandidate, Person, ResidenceStatus


class LoginView(auth_views.LoginView):
    template_name = "core/login.html"
    redirect_authenticated_user = True


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = access.current_user(request)
    people = access.scope(user, Person.objects.filter(merged_into__isnull=True))
    counts = people.aggregate(
        total=Count("pk"),
        absent=Count("pk", filter=Q(residence_status=ResidenceStatus.TEMPORARILY_ABSENT)),
        temporary=Count("pk", filter=Q(residence_status=ResidenceStatus.TEMPORARY_RESIDENT)),
    )
    pending = 0
    if user.can(Perm.DUPLICATE_REVIEW):
        pending = access.scope(
            user, DuplicateCandidate.objects.filter(status=DuplicateCandidate.Status.PENDING), prefix="person_a__"
        ).count()
    return render(
        request,
        "core/home.html",
        {"counts": counts, "pending_duplicates": pending, "figures": overview.figures_for(user)},
    )


@login_required
def account(request: HttpRequest) -> HttpResponse:
    user = access.current_user(request)
    new_key = request.session.pop("new_token_key", None)
    if request.method == "POST" and "language" in request.POST:
        form = LanguageForm(request.POST)
        if form.is_valid():
            user.language = form.cleaned_data["language"]
            user.save(update_fields=["language"])
            response = redirect("account")
            response.delete_cookie("django_language")
            return response
    tokens = user.api_tokens.filter(revoked_at__isnull=True)
    return render(
        request,
        "core/account.html",
        {
            "tokens": tokens,
            "token_form": TokenForm(),
            "language_form": LanguageForm(initial={"language": user.language}),
            "new_key": new_key,
        },
    )


@login_required
@require_POST
def token_create(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST)
    if form.is_valid():
        _token, key = ApiToken.issue(access.current_user(request), form.cleaned_data["name"])
        request.session["new_token_key"] = key
        messages.success(request, _("Token created. Copy it now: it is shown only once."))
    else:
        messages.error(request, _("Give the token a name."))
    return redirect("account")


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk, user=request.user, revoked_at__isnull=True)
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    messages.success(request, _("Token revoked."))
    return redirect("account")


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    access.require(access.current_user(request), Perm.AUDIT_VIEW)
    kind = request.GET.get("kind", "audit")
    object_id = request.GET.get("object", "").strip()[:64]
    qs = AccessLog.objects.select_related("user") if kind == "access" else AuditLog.objects.select_related("actor")
    if object_id:
        qs = qs.filter(object_id=object_id)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "core/audit_log.html", {"page": page, "kind": kind, "object_id": object_id})
