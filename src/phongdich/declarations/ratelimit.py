"""A per-IP counter in the cache for the public endpoints (the approach of cases/exposure_views.py).

``DECLARATION_PUBLIC_RATE`` = (requests, seconds), 20 per 10 minutes by default: enough for a
family declaring on one phone, low enough to stop a script. Counted per bucket ("declare",
"checkin") so that checking in does not use up the declaration allowance. The IP is hashed.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

DEFAULT_RATE = (20, 600)


def client_ip(request: HttpRequest) -> str:
    # Behind a reverse proxy, the proxy sets REMOTE_ADDR through the WSGI server's config.
    return str(request.META.get("REMOTE_ADDR", ""))


def rate_limited(request: HttpRequest, bucket: str) -> bool:
    """Count this request against its IP; True when over the limit."""
    limit, seconds = getattr(settings, "DECLARATION_PUBLIC_RATE", DEFAULT_RATE)
    key = f"declarations-{bucket}:" + hashlib.sha256(client_ip(request).encode()).hexdigest()[:32]
    if cache.add(key, 1, seconds):
        return False
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, seconds)
        return False
    return int(count) > int(limit)
