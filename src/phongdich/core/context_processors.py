from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from phongdich.core.navigation import navigation_for
from phongdich.core.roles import Perm


def deployment(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    perms: set[str] = set()
    context: dict[str, Any] = {"DEPLOYMENT_PROVINCE": settings.PHONGDICH_PROVINCE_CODE}
    if user is not None and user.is_authenticated:
        perms = {p.value for p in Perm if user.can(p)}
        context["nav_primary"], context["nav_more"] = navigation_for(user)
        match = getattr(request, "resolver_match", None)
        context["nav_current"] = (match.namespace or match.url_name) if match is not None else ""
        # The one top-bar link the page is under: the longest link URL the path starts with.
        under = [link.url for link in context["nav_primary"] if link.url != "/" and request.path.startswith(link.url)]
        context["nav_current_url"] = max(under, key=len, default="")
    context["user_perms"] = perms
    return context
