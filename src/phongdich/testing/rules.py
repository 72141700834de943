"""The small rules of testing: barcodes, Ct range, how a result's place maps to "how found",
when a rapid antigen positive needs an RT-PCR confirmation, and the row-error messages."""

from __future__ import annotations

import datetime
import functools
import re
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from phongdich.cases.models import DetectedBy
from phongdich.policy.models import TestKind
from phongdich.testing.models import Outcome, PlaceKind

if TYPE_CHECKING:
    from phongdich.policy.models import RuleSet

BARCODE = re.compile(r"^[A-Z0-9][A-Z0-9._-]{3,31}$")
CT_MIN = Decimal("1")
CT_MAX = Decimal("45")
POOL_MIN, POOL_MAX = 2, 10
# From 1909/BYT-DP (15/04/2022) a positive rapid antigen test with symptoms or an epidemiological
# link makes an F0; before it, only a positive RT-PCR did (the antigen positive is confirmed).
ANTIGEN_SUFFICES_FROM = datetime.date(2022, 4, 15)

OUTCOME_WORDS: dict[str, str] = {
    "positive": Outcome.POSITIVE,
    "duong tinh": Outcome.POSITIVE,
    "duong": Outcome.POSITIVE,
    "+": Outcome.POSITIVE,
    "pos": Outcome.POSITIVE,
    "negative": Outcome.NEGATIVE,
    "am tinh": Outcome.NEGATIVE,
    "am": Outcome.NEGATIVE,
    "-": Outcome.NEGATIVE,
    "neg": Outcome.NEGATIVE,
    "invalid": Outcome.INVALID,
    "khong xac dinh": Outcome.INVALID,
    "khong hop le": Outcome.INVALID,
    "loi": Outcome.INVALID,
}

ROW_MESSAGES: dict[str, Promise] = {
    "barcode_required": gettext_lazy("The tube barcode is required."),
    "barcode_invalid": gettext_lazy("Not a tube barcode (4–32 letters, digits, dots or dashes)."),
    "barcode_unknown": gettext_lazy("No sample with this barcode."),
    "outcome_required": gettext_lazy("The result is required."),
    "outcome_invalid": gettext_lazy("Write Dương tính, Âm tính or Không xác định."),
    "ct_invalid": gettext_lazy("The Ct value must be a number."),
    "ct_range": gettext_lazy("The Ct value must be between %(min)s and %(max)s."),
    "ct_antigen": gettext_lazy("A rapid antigen test has no Ct value."),
    "when_invalid": gettext_lazy("Not a valid date and time (use dd/mm/yyyy hh:mm)."),
    "when_future": gettext_lazy("The result time is in the future."),
    "when_before_taken": gettext_lazy("The result time is before the sample was taken."),
    "other_lab": gettext_lazy("This sample was sent to another laboratory (%(lab)s)."),
    "not_taken": gettext_lazy("This test is queued: the sample has not been taken yet."),
    "already_resulted": gettext_lazy("This sample already has another result (%(result)s)."),
    "duplicate_row": gettext_lazy("The same barcode as row %(row)s."),
    "invalid": gettext_lazy("Invalid value."),
}


def row_message(code: str, params: dict[str, Any] | None = None) -> str:
    """The message of a row error in the active language."""
    text = str(ROW_MESSAGES.get(code, ROW_MESSAGES["invalid"]))
    if params:
        try:
            return text % params
        except (KeyError, TypeError, ValueError):
            return text
    return text


def clean_barcode(raw: str | None) -> str:
    return (raw or "").strip().upper().replace(" ", "")


def barcode_error(barcode: str) -> str | None:
    if not barcode:
        return "barcode_required"
    if not BARCODE.match(barcode):
        return "barcode_invalid"
    return None


@functools.lru_cache(maxsize=256)
def parse_outcome(raw: str) -> str | None:
    from phongdich.core.text import fold

    text = fold(raw or "").strip()
    return OUTCOME_WORDS.get(text) or (text if text in Outcome.values else None)


def parse_ct(raw: str) -> Decimal | None:
    """A Ct written "27.4" or "27,4" (None when empty); raises ValueError when not a number."""
    text = (raw or "").strip().replace(",", ".")
    if not text or text in ("-", "—"):
        return None
    try:
        value = Decimal(text)
    except InvalidOperation as exc:
        raise ValueError(text) from exc
    if not value.is_finite():
        raise ValueError(text)
    return value.quantize(Decimal("0.1"))


def ct_error(ct: Decimal | None, test_kind: str) -> str | None:
    if ct is None:
        return None
    if test_kind != TestKind.RT_PCR:
        return "ct_antigen"
    if not CT_MIN <= ct <= CT_MAX:
        return "ct_range"
    return None


def detected_by_for(place_kind: str, campaign_id: Any) -> str:
    if place_kind == PlaceKind.CHECKPOINT:
        return DetectedBy.CHECKPOINT
    if place_kind == PlaceKind.QUARANTINE:
        return DetectedBy.QUARANTINE
    if place_kind == PlaceKind.CAMPAIGN_SITE or campaign_id is not None:
        return DetectedBy.SCREENING
    return DetectedBy.COMMUNITY


def confirmation_advised(test_kind: str, rule_set: RuleSet | None) -> bool:
    """A rapid antigen positive under a rule set before 1909/2022 should be confirmed by RT-PCR."""
    if test_kind != TestKind.ANTIGEN:
        return False
    return rule_set is None or rule_set.effective_from < ANTIGEN_SUFFICES_FROM
