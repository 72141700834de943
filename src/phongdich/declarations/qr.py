"""QR codes rendered server-side as inline SVG (segno; nothing fetched at run time)."""

from __future__ import annotations

import segno
from django.utils.safestring import SafeString, mark_safe


def qr_svg(data: str, scale: int = 6) -> SafeString:
    """An inline <svg> of ``data`` (a token or a URL: never personal data)."""
    code = segno.make(data, error="m")
    svg = code.svg_inline(scale=scale, border=2, title=None)
    return mark_safe(svg)  # segno's own markup of our own data
