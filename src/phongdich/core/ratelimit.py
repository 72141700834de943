"""A per-IP request counter in the cache, for the public pages (exposure reports, declarations,
check-ins, family reports). The IP is hashed: no address is kept in the cache in clear."""

from __future__ import annotations

import hashlib

from django.core.cache import cache
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    # Behind a reverse proxy, the proxy sets REMOTE_ADDR through the WSGI server's config.
    return str(request.META.get("REMOTE_ADDR", ""))


def over_limit(request: HttpRequest, bucket: str, limit: int, seconds: int) -> bool:
    """Count this request against its IP in ``bucket``; True when it is over ``limit`` per ``seconds``."""
    key = f"{bucket}:" + hashlib.sha256(client_ip(request).encode()).hexdigest()[:32]
    if cache.add(key, 1, seconds):
        return False
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, seconds)
        return False
    return int(count) > int(limit)
