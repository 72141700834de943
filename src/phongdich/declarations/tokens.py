"""The QR token of a declaration: a TimestampSigner signature over its random reference.

The token carries no personal data (only the reference, which is random) and expires after
``TOKEN_VALID_FOR``; a checkpoint that scans it looks the declaration up by the reference.
"""

from __future__ import annotations

import datetime

from django.core import signing

SALT = "phongdich.declarations.qr"
# How long a declaration's QR code is accepted at checkpoints. Named here (no rule set field
# exists for it); 7 days covers a journey declared a few days ahead and the arrival itself.
TOKEN_VALID_FOR = datetime.timedelta(days=7)


def _signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=SALT)


def make_token(reference: str) -> str:
    return _signer().sign(reference)


def reference_from_token(token: str, max_age: datetime.timedelta = TOKEN_VALID_FOR) -> str | None:
    """The reference a valid, unexpired token signs; None when tampered, malformed or expired."""
    if not isinstance(token, str) or not token or len(token) > 200:
        return None
    try:
        return _signer().unsign(token.strip(), max_age=max_age)
    except (signing.BadSignature, ValueError):  # SignatureExpired is a BadSignature
        return None
