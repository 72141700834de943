from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation

_SUPPORTED = {code for code, _name in settings.LANGUAGES}


def language_for(request: HttpRequest) -> str:
    """Vietnamese first.

    Pages: the language cookie (set by the switcher), else the signed-in user's language,
    else Vietnamese; a browser's Accept-Language is not enough to leave Vietnamese.
    API: the Accept-Language header decides, so that machine clients can ask for English.
    """
    cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if request.path.startswith("/api/"):
        header = translation.get_language_from_request(request)
        return header if header in _SUPPORTED else settings.LANGUAGE_CODE
    if cookie in _SUPPORTED:
        return str(cookie)
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.language in _SUPPORTED:
        return str(user.language)
    return settings.LANGUAGE_CODE


class LanguageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = language_for(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language  # type: ignore[attr-defined]
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response
