from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse


@login_required
def search(request: HttpRequest) -> HttpResponse:
    return HttpResponse("todo")


@login_required
def create(request: HttpRequest) -> HttpResponse:
    return HttpResponse("todo")


@login_required
def detail(request: HttpRequest, pk: str) -> HttpResponse:
    return HttpResponse("todo")


@login_required
def duplicates(request: HttpRequest) -> HttpResponse:
    return HttpResponse("todo")
