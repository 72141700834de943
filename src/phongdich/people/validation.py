"""Validation of what people type: ID numbers, phones, names, dates. Messages in Vietnamese via gettext."""

from __future__ import annotations

import datetime
import re

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from phongdich.core.text import clean_name

_DIGITS = re.compile(r"^\d+$")


def normalize_id_number(value: str | None) -> str | None:
    """A 12-digit CCCD or a legacy 9-digit CMND; spaces and dots are ignored. Empty → None."""
    if value is None:
        return None
    value = re.sub(r"[\s.\-]", "", str(value))
    if value.endswith(".0") and _DIGITS.match(value[:-2]):  # a number cell read from Excel
        value = value[:-2]
    if not value:
        return None
    if not _DIGITS.match(value):
        raise ValidationError(_("The ID number must contain digits only."), code="id_digits")
    if len(value) == 11 and value.isdigit():
        # Excel drops the leading zero of a CCCD stored as a number.
        value = "0" + value
    elif len(value) == 8:
        value = "0" + value
    if len(value) not in (9, 12):
        raise ValidationError(_("The ID number must have 12 digits (CCCD) or 9 digits (CMND)."), code="id_length")
    if len(value) == 12:
        province = int(value[:3])
        if not (1 <= province <= 96):
            raise ValidationError(
                _("The first 3 digits of a CCCD must be a province code (001-096)."), code="id_province"
            )
        century_sex = int(value[3])
        if century_sex > 9:
            raise ValidationError(_("The ID number is not valid."), code="id_invalid")
    return value


def normalize_phone(value: str | None) -> str:
    """A Vietnamese phone number in E.164 (+84…). Empty → ''."""
    if value is None:
        return ""
    raw = str(value).strip()
    if raw.endswith(".0"):
        raw = raw[:-2]
    if not raw:
        return ""
    if raw.isdigit() and len(raw) == 9:  # Excel dropped the leading zero
        raw = "0" + raw
    try:
        number = phonenumbers.parse(raw, "VN")
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(_("Not a valid phone number."), code="phone_invalid") from exc
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(_("Not a valid phone number."), code="phone_invalid")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def display_phone(e164: str) -> str:
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(e164, "VN")
    except phonenumbers.NumberParseException:
        return e164
    if number.country_code == 84:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def normalize_name(value: str | None) -> str:
    name = clean_name(value or "")
    if not name:
        raise ValidationError(_("The full name is required."), code="name_required")
    if len(name) > 120:
        raise ValidationError(_("The full name is too long (at most 120 characters)."), code="name_long")
    if any(ch.isdigit() for ch in name):
        raise ValidationError(_("A name cannot contain digits."), code="name_digits")
    return name


def parse_birth(value: object) -> tuple[datetime.date | None, int | None]:
    """A birth date (dd/mm/yyyy, yyyy-mm-dd, an Excel date) or a birth year alone.

    Returns (date, year). Empty → (None, None).
    """
    if value is None or value == "":
        return None, None
    today = timezone.localdate()
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        date = value
    else:
        text = str(value).strip()
        if text.endswith(".0"):
            text = text[:-2]
        if re.fullmatch(r"\d{4}", text):
            year = int(text)
            if not (1900 <= year <= today.year):
                raise ValidationError(_("The year of birth is not plausible."), code="birth_year")
            return None, year
        parsed: datetime.date | None = None
        for fmt in ("%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d", "%d.%m.%Y"):
            try:
                parsed = datetime.datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a calendar date
                break
            except ValueError:
                continue
        if parsed is None:
            raise ValidationError(_("Not a valid date (use dd/mm/yyyy)."), code="birth_format")
        date = parsed
    if date > today:
        raise ValidationError(_("The date of birth is in the future."), code="birth_future")
    if date.year < 1900:
        raise ValidationError(_("The date of birth is not plausible."), code="birth_old")
    return date, date.year
