from __future__ import annotations

import uuid

from django import forms
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _


def uuid_or_none(value: str | None) -> uuid.UUID | None:
    """A posted id as a UUID, or None when it is missing or malformed (the caller answers 400/404)."""
    try:
        return uuid.UUID(value or "")
    except ValueError:
        return None


def posted_client_uuid(request: HttpRequest) -> uuid.UUID | None:
    """The client UUID a form posted (a resend with the same one changes nothing), or None."""
    return uuid_or_none(request.POST.get("client_uuid"))


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Token name"), max_length=100, help_text=_("E.g. the name of the program that uses it.")
    )


class LanguageForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=[("vi", "Tiếng Việt"), ("en", "English")])


# Strings Django 6 shows in forms that its own Vietnamese catalogue does not translate yet; listed here
# so that `make messages` keeps them in core's catalogue, which takes precedence over Django's.
DJANGO_STRINGS = (_("- Select an option -"),)
