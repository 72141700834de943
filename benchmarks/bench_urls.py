"""The project's URLs plus the benchmark's reference: a minimal Django view inserting the same row.

The reference takes the same JSON body as ``POST /api/v1/declarations/public`` and writes one
``Declaration`` row with the same values, without validation, person matching, flags or audit
(marked processed, so that the task worker leaves it alone):
the throughput of "Django + one INSERT" on the same server, against which the real endpoint is
measured. It lives only in the benchmark's URL configuration.
"""

from __future__ import annotations

import json
import uuid

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from phongdich.declarations.models import Declaration
from phongdich.geo.models import AdminUnit
from phongdich.geo.scoping import lineage_columns
from phongdich.urls import urlpatterns as project_urls

_units: dict[int, AdminUnit] = {}


@csrf_exempt
@require_POST
def minimal_declaration(request: HttpRequest) -> HttpResponse:
    body = json.loads(request.body)
    unit_id = int(body["destination_id"])
    unit = _units.get(unit_id) or _units.setdefault(unit_id, AdminUnit.objects.get(pk=unit_id))
    key = uuid.UUID(body["client_uuid"])
    first = Declaration.objects.filter(client_uuid=key).first()  # a resend answers the first row, as the API does
    if first is not None:
        return JsonResponse({"id": str(first.pk), "reference": first.reference}, status=200)
    row = Declaration.objects.create(
        client_uuid=key,
        kind=body["kind"],
        full_name=body["full_name"],
        phone=body["phone"],
        id_number=body.get("id_number", ""),
        birth_year=body.get("birth_year"),
        origin_province_id=body.get("origin_province_id"),
        symptoms=body.get("symptoms", []),
        declared_at=timezone.now(),
        processed_at=timezone.now(),  # a bare row: nothing for the worker to do
        **lineage_columns(unit),
    )
    return JsonResponse({"id": str(row.pk), "reference": row.reference}, status=201)


urlpatterns = [
    path("bench-minimal/api/v1/declarations/public", minimal_declaration),
    *project_urls,
]
