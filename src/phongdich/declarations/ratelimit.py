"""A per-IP counter in the cache for the public endpoints (the approach of cases/exposure_views.py).

``DECLARATION_PUBLIC_RATE`` = (requests, seconds), 20 per 10 minutes by default: enough for a
family declaring on one phone, low enough to stop a script. Counted per bucket ("declare",
"checkin") so that checking in does not use up the declaration allowance. The IP is hashed.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from phongdich.core.ratelimit import over_limit

DEFAULT_RATE = (20, 600)


def rate_limited(request: HttpRequest, bucket: str) -> bool:
    """Count this request against its IP; True when over the limit."""
    limit, seconds = getattr(settings, "DECLARATION_PUBLIC_RATE", DEFAULT_RATE)
    return over_limit(request, f"declarations-{bucket}", limit, seconds)
