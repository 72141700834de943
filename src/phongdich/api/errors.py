"""Errors the API answers with: a clear message in the client's language, never a 500 for input."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

_PYDANTIC_MESSAGES = {
    "missing": lambda ctx: _("This field is required."),
    "string_too_long": lambda ctx: _("Too long: at most %(n)s characters.") % {"n": ctx.get("max_length")},
    "string_too_short": lambda ctx: _("Too short: at least %(n)s characters.") % {"n": ctx.get("min_length")},
    "uuid_parsing": lambda ctx: _("Not a valid UUID."),
    "uuid_type": lambda ctx: _("Not a valid UUID."),
    "date_from_datetime_parsing": lambda ctx: _("Not a valid date (use YYYY-MM-DD)."),
    "date_parsing": lambda ctx: _("Not a valid date (use YYYY-MM-DD)."),
    "date_type": lambda ctx: _("Not a valid date (use YYYY-MM-DD)."),
    "int_parsing": lambda ctx: _("Not a whole number."),
    "int_type": lambda ctx: _("Not a whole number."),
    "bool_parsing": lambda ctx: _("Not true or false."),
    "enum": lambda ctx: _("Must be one of: %(values)s.") % {"values": ctx.get("expected", "")},
    "literal_error": lambda ctx: _("Must be one of: %(values)s.") % {"values": ctx.get("expected", "")},
    "string_type": lambda ctx: _("Must be text."),
    "list_type": lambda ctx: _("Must be a list."),
    "model_attributes_type": lambda ctx: _("Must be an object."),
    "dict_type": lambda ctx: _("Must be an object."),
    "json_invalid": lambda ctx: _("The request body is not valid JSON."),
    "greater_than_equal": lambda ctx: _("Must be at least %(n)s.") % {"n": ctx.get("ge")},
    "less_than_equal": lambda ctx: _("Must be at most %(n)s.") % {"n": ctx.get("le")},
}


def translate_validation_errors(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for err in errors:
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "payload", "query", "path", "form")]
        kind = str(err.get("type", ""))
        ctx = err.get("ctx") or {}
        if kind == "value_error" and "error" in ctx:
            message = str(ctx["error"])
        elif kind in _PYDANTIC_MESSAGES:
            message = _PYDANTIC_MESSAGES[kind](ctx)
        else:
            message = _("Invalid value.")
        out.append({"field": ".".join(loc), "message": message})
    return out
