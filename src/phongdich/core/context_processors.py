from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from phongdich.core.roles import Perm


def deployment(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    perms: set[str] = set()
    if user is not None and user.is_authenticated:
        perms = {p.value for p in Perm if user.can(p)}
    return {"DEPLOYMENT_PROVINCE": settings.PHONGDICH_PROVINCE_CODE, "user_perms": perms}
