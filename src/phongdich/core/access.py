"""The one access-check helper. Every page and API endpoint scopes its records through it.

A record outside the user's unit answers 404 (not 403), so that its existence is not revealed.
A user without the permission for an action gets 403.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

from phongdich.core.roles import Perm

if TYPE_CHECKING:
    from phongdich.core.models import User
    from phongdich.geo.models import AdminUnit


def current_user(request: HttpRequest) -> User:
    """The signed-in user of a request that passed login_required or API auth."""
    return cast("User", request.user)


def require(user: User, perm: Perm) -> None:
    """Raise PermissionDenied unless the user's role grants ``perm``."""
    if not user.is_authenticated or not user.can(perm):
        raise PermissionDenied(_("Your role does not allow this."))


def scope[M: Model](user: User, qs: QuerySet[M], prefix: str = "") -> QuerySet[M]:
    """Only the records of ``qs`` inside the user's unit.

    ``prefix`` points at the record's jurisdiction columns (``province``, ``district``,
    ``commune``, ``village``), e.g. ``prefix="person__"`` for records hanging off a person.
    A superuser without a unit sees everything; any other user without a unit sees nothing.
    """
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    unit = user.unit
    if unit is None:
        return qs if user.is_superuser else qs.none()
    return qs.filter(**unit.scope_filter(prefix))


def unit_in_scope(user: User, unit: AdminUnit) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if user.unit is None:
        return bool(user.is_superuser)
    return user.unit.contains(unit)


def get_for_user[M: Model](user: User, qs: QuerySet[M], perm: Perm, prefix: str = "", **lookup: Any) -> M:
    """Fetch one record the user may see, or 404; 403 when the role lacks ``perm``."""
    require(user, perm)
    try:
        return scope(user, qs, prefix).get(**lookup)
    except (ObjectDoesNotExist, ValidationError, ValueError, TypeError) as exc:  # a malformed id is not found either
        raise Http404(_("Not found.")) from exc
