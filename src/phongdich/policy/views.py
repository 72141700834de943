"""Rule-set pages: list (the one in force highlighted), detail, copy, adjust.

Viewing needs CASE_VIEW (or RULESET_EDIT); copying and adjusting need RULESET_EDIT, and only a
province's own copies can be adjusted (a national set answers 403: copy it first).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from phongdich.core import access
from phongdich.core.access import current_user
from phongdich.core.roles import Perm
from phongdich.policy import actions, queries
from phongdich.policy.forms import CopyForm, RuleSetForm, level_forms
from phongdich.policy.models import ContactSetting, RuleSet

SETTINGS = set(ContactSetting.values)


def require_view(user: Any) -> None:
    if not (user.is_authenticated and (user.can(Perm.CASE_VIEW) or user.can(Perm.RULESET_EDIT))):
        raise PermissionDenied(_("Your role does not allow this."))


def _rule_set(request: HttpRequest, pk: Any) -> RuleSet:
    user = current_user(request)
    require_view(user)
    try:
        return queries.visible_rule_sets(user).prefetch_related("level_rules").get(pk=pk)
    except (RuleSet.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404(_("Not found.")) from exc


def _in_force(request: HttpRequest) -> RuleSet | None:
    try:
        return queries.in_force_for(current_user(request), timezone.localdate())
    except RuleSet.DoesNotExist:
        return None


def _apply_errors(form: Any, exc: ValidationError) -> None:
    for name, errors in exc.message_dict.items():
        target = name if name in form.fields else None
        for error in errors:
            form.add_error(target, error)


@login_required
@require_GET
def rule_set_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    require_view(user)
    sets = list(queries.visible_rule_sets(user).order_by("-effective_from", "province_id", "code"))
    current = _in_force(request)
    return render(
        request,
        "policy/list.html",
        {"sets": sets, "current": current, "can_edit": user.can(Perm.RULESET_EDIT), "today": timezone.localdate()},
    )


@login_required
@require_GET
def rule_set_detail(request: HttpRequest, pk: int) -> HttpResponse:
    rule_set = _rule_set(request, pk)
    user = current_user(request)
    current = _in_force(request)
    can_edit = user.can(Perm.RULESET_EDIT)
    editable = can_edit and queries.editable_rule_sets(user).filter(pk=rule_set.pk).exists()
    rules = list(rule_set.level_rules.all())
    return render(
        request,
        "policy/detail.html",
        {
            "rs": rule_set,
            "rules": rules,
            "setting_labels": [ContactSetting(s).label for s in rule_set.contact_settings if s in SETTINGS],
            "unconfirmed": not rule_set.confirmed or any(not r.confirmed for r in rules),
            "is_current": current is not None and current.pk == rule_set.pk,
            "can_copy": can_edit,
            "can_edit": editable,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def rule_set_copy(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    source = _rule_set(request, pk)
    access.require(user, Perm.RULESET_EDIT)
    initial = {
        "name": _("%(name)s (province copy)") % {"name": source.name},
        "effective_from": source.effective_from,
        "effective_to": source.effective_to,
    }
    form = CopyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            copy = actions.copy_rule_set(
                user,
                source,
                province=user.unit,
                effective_from=d["effective_from"],
                effective_to=d["effective_to"],
                name=d["name"],
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Rule set copied. Adjust it below."))
            return redirect("policy:edit", pk=copy.pk)
    return render(request, "policy/copy.html", {"rs": source, "form": form}, status=422 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def rule_set_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    rule_set = _rule_set(request, pk)
    access.require(user, Perm.RULESET_EDIT)
    if not queries.editable_rule_sets(user).filter(pk=rule_set.pk).exists():
        raise PermissionDenied(_("A national rule set cannot be changed; copy it for your province."))
    data = request.POST if request.method == "POST" else None
    form = RuleSetForm(data, instance=RuleSet.objects.get(pk=rule_set.pk))
    rows = level_forms(rule_set, data)
    rows_valid = all(r.is_valid() for r in rows) if data is not None else False
    if request.method == "POST" and form.is_valid() and rows_valid:
        changes = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            actions.update_rule_set(user, rule_set, changes, [r.data_for_action() for r in rows])
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Rule set saved. The F levels of people exposed on its dates were updated."))
            return redirect("policy:detail", pk=rule_set.pk)
    rows_errors = any(r.errors for r in rows)
    status = 422 if form.errors or rows_errors else 200
    context = {"rs": rule_set, "form": form, "rows": rows, "rows_errors": rows_errors}
    return render(request, "policy/edit.html", context, status=status)
