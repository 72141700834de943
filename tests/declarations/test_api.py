"""The declarations API: public submit and check-in, staff lists, flags, venues; refusals write nothing."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from phongdich.core.models import AccessLog, User
from phongdich.core.roles import Role
from phongdich.declarations.actions import VenueData, create_venue, submit_declaration
from phongdich.declarations.models import CheckIn, Declaration, DeclarationFlag, Venue
from phongdich.declarations.queries import declaration_for_token
from tests.conftest import Tree, client_for
from tests.declarations.conftest import API, MakeData

pytestmark = pytest.mark.django_db


def body(tree: Tree, **kw: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "client_uuid": str(uuid.uuid4()),
        "kind": "arrival_province",
        "full_name": "Lò Văn Minh",
        "phone": "0912345678",
        "id_number": "011090001234",
        "birth_date": "1990-05-01",
        "destination_id": tree.noong_bua.pk,
        "origin_province_id": tree.lai_chau.pk,
        "travel_date": timezone.localdate().isoformat(),
        "symptoms": ["fever"],
    }
    data.update(kw)
    return data


def post(client: Client, url: str, data: Any) -> Any:
    return client.post(url, json.dumps(data), content_type="application/json")


def test_public_submit_and_resend(tree: Tree) -> None:
    data = body(tree)
    first = post(Client(), f"{API}/public", data)
    assert first.status_code == 201, first.content
    receipt = first.json()
    assert set(receipt) == {"qr_token", "kind", "declared_at", "valid_until"}
    assert declaration_for_token(receipt["qr_token"]) == Declaration.objects.get()
    again = post(Client(), f"{API}/public", data)
    assert again.status_code == 200 and Declaration.objects.count() == 1


@pytest.mark.parametrize(
    "change",
    [
        {"id_number": "12345"},
        {"phone": "abc"},
        {"birth_date": "2090-01-01"},
        {"travel_date": "2090-01-01"},
        {"destination_id": 999999},
        {"destination_id": "x"},
        {"origin_province_id": None},
        {"kind": "holiday"},
        {"symptoms": ["sneezing"]},
        {"places": [{"name": f"Chợ {i}"} for i in range(25)]},
        {"places": [{"name": "Chợ", "date": "2090-01-01"}]},
        {"full_name": "x" * 500},
        {"provinces_visited": [999999]},
    ],
)
def test_public_submit_bad_input_is_422_and_writes_nothing(tree: Tree, change: dict[str, Any]) -> None:
    response = post(Client(), f"{API}/public", body(tree, **change))
    assert response.status_code == 422, (change, response.content)
    assert "detail" in response.json()
    assert not Declaration.objects.exists()


def test_public_submit_not_json_is_400(tree: Tree) -> None:
    response = Client().post(f"{API}/public", "{nope", content_type="application/json")
    assert response.status_code in (400, 422) and not Declaration.objects.exists()


def test_public_honeypot(tree: Tree) -> None:
    assert post(Client(), f"{API}/public", body(tree, website="http://x")).status_code == 201
    assert not Declaration.objects.exists()


@override_settings(DECLARATION_PUBLIC_RATE=(1, 600))
def test_public_rate_limit(tree: Tree) -> None:
    assert post(Client(), f"{API}/public", body(tree)).status_code == 201
    response = post(Client(), f"{API}/public", body(tree))
    assert response.status_code == 429 and "detail" in response.json()
    assert Declaration.objects.count() == 1


def test_staff_list_is_scoped(tree: Tree, personas: dict[Role, User], outsider: User, make_data: MakeData) -> None:
    submit_declaration(make_data(symptoms=["fever"]), client_uuid=None)
    submit_declaration(
        make_data(destination=tree.sin_thau, full_name="Giàng A Páo", id_number="011090009999", phone="+84987000111"),
        client_uuid=None,
    )
    mine = client_for(personas[Role.COMMUNE]).get(API).json()
    assert mine["count"] == 1 and mine["items"][0]["flags"][0]["kind"] == "symptoms"
    assert client_for(outsider).get(API).json()["count"] == 1
    assert client_for(personas[Role.HEALTH]).get(API).json()["count"] == 2
    assert client_for(personas[Role.COMMUNE]).get(f"{API}?flagged=true").json()["count"] == 1
    assert client_for(personas[Role.COMMUNITY]).get(API).status_code == 403
    assert client_for(personas[Role.LAB]).get(API).status_code == 403
    assert Client().get(API).status_code == 401


def test_staff_detail_scoped_and_logged(
    tree: Tree, personas: dict[Role, User], outsider: User, make_data: MakeData
) -> None:
    declaration, _ = submit_declaration(make_data(), client_uuid=None)
    url = f"{API}/{declaration.pk}"
    logs = AccessLog.objects.count()
    assert client_for(outsider).get(url).status_code == 404
    assert client_for(personas[Role.COMMUNITY]).get(url).status_code == 403
    assert AccessLog.objects.count() == logs
    response = client_for(personas[Role.HEALTH_STATION]).get(url)
    assert response.status_code == 200 and response.json()["full_name"] == "Lò Văn Minh"
    assert AccessLog.objects.count() == logs + 1
    assert client_for(personas[Role.HEALTH_STATION]).get(f"{API}/not-a-uuid").status_code == 404


def test_handle_flag_roles_and_scope(
    tree: Tree, personas: dict[Role, User], outsider: User, make_data: MakeData
) -> None:
    declaration, _ = submit_declaration(make_data(symptoms=["cough"]), client_uuid=None)
    flag = DeclarationFlag.objects.get(declaration=declaration)
    url = f"{API}/flags/{flag.pk}/handle"
    assert post(client_for(outsider), url, {"note": "x"}).status_code == 404
    assert post(client_for(personas[Role.STEERING]), url, {"note": "x"}).status_code == 403
    assert post(client_for(personas[Role.COMMUNITY]), url, {"note": "x"}).status_code == 403
    flag.refresh_from_db()
    assert flag.handled_at is None and flag.note == ""
    response = post(client_for(personas[Role.COMMUNE]), url, {"note": "Đã gọi điện, hẹn xét nghiệm"})
    assert response.status_code == 200 and response.json()["handled"]
    open_list = client_for(personas[Role.COMMUNE]).get(f"{API}/flags").json()
    assert open_list == []
    assert len(client_for(personas[Role.COMMUNE]).get(f"{API}/flags?state=handled").json()) == 1
    assert post(client_for(personas[Role.COMMUNE]), url, {"note": "x" * 300}).status_code == 422


def test_staff_submit_on_behalf(tree: Tree, personas: dict[Role, User]) -> None:
    officer = personas[Role.CHECKPOINT]
    response = post(client_for(officer), API, body(tree))
    assert response.status_code == 201 and Declaration.objects.get().channel == "checkpoint"
    assert Declaration.objects.get().submitted_by == officer
    assert post(client_for(personas[Role.COMMUNITY]), API, body(tree)).status_code == 403
    assert Declaration.objects.count() == 1


def test_venues_crud_roles_and_scope(tree: Tree, personas: dict[Role, User], outsider: User) -> None:
    commune = client_for(personas[Role.COMMUNE])
    key = str(uuid.uuid4())
    data = {"client_uuid": key, "name": "Chợ Noong Bua", "kind": "market", "unit_id": tree.noong_bua.pk}
    created = post(commune, f"{API}/venues", data)
    assert created.status_code == 201, created.content
    assert post(commune, f"{API}/venues", data).status_code == 200 and Venue.objects.count() == 1
    venue = Venue.objects.get()
    assert post(commune, f"{API}/venues", {**data, "client_uuid": None, "unit_id": tree.sin_thau.pk}).status_code == 403
    assert (
        post(client_for(personas[Role.HEALTH_STATION]), f"{API}/venues", {**data, "client_uuid": None}).status_code
        == 403
    )
    assert post(commune, f"{API}/venues", {**data, "client_uuid": None, "kind": "casino"}).status_code == 422
    assert Venue.objects.count() == 1
    url = f"{API}/venues/{venue.pk}"
    assert client_for(outsider).get(url).status_code == 404
    assert (
        client_for(outsider).patch(url, json.dumps({"name": "X"}), content_type="application/json").status_code == 404
    )
    assert client_for(outsider).delete(url).status_code == 404
    venue.refresh_from_db()
    assert venue.name == "Chợ Noong Bua" and venue.active
    patched = commune.patch(url, json.dumps({"name": "Chợ Noong Bua mới"}), content_type="application/json")
    assert patched.status_code == 200 and patched.json()["name"] == "Chợ Noong Bua mới"
    poster = commune.get(f"{url}/poster").json()
    assert poster["url"].endswith(f"/public/checkin/{venue.token}/") and poster["svg"].startswith("<svg")
    assert [v["code"] for v in commune.get(f"{API}/venues").json()] == [venue.code]
    assert client_for(outsider).get(f"{API}/venues").json() == []
    assert commune.delete(url).status_code == 204
    venue.refresh_from_db()
    assert not venue.active


def test_public_checkin_and_staff_list(tree: Tree, personas: dict[Role, User], outsider: User) -> None:
    venue, _ = create_venue(None, VenueData(name="Chợ", unit=tree.noong_bua))
    data = {
        "client_uuid": str(uuid.uuid4()),
        "venue_token": venue.token,
        "phone": "0912345678",
        "full_name": "Lò Văn Minh",
    }
    assert post(Client(), f"{API}/checkins/public", data).status_code == 201
    assert post(Client(), f"{API}/checkins/public", data).status_code == 200
    assert CheckIn.objects.count() == 1
    bad = post(Client(), f"{API}/checkins/public", {**data, "client_uuid": str(uuid.uuid4()), "phone": "12"})
    assert bad.status_code == 422
    missing = post(Client(), f"{API}/checkins/public", {**data, "client_uuid": str(uuid.uuid4()), "venue_token": "no"})
    assert missing.status_code == 404 and CheckIn.objects.count() == 1
    rows = client_for(personas[Role.COMMUNE]).get(f"{API}/checkins").json()
    assert len(rows) == 1 and rows[0]["venue_code"] == venue.code and "full_name" not in rows[0]
    assert client_for(outsider).get(f"{API}/checkins").json() == []
    assert client_for(personas[Role.HEALTH_STATION]).get(f"{API}/checkins").status_code == 403


def test_openapi_lists_the_endpoints(tree: Tree, personas: dict[Role, User]) -> None:
    schema = client_for(personas[Role.ADMIN]).get("/api/v1/openapi.json").json()
    paths = [p for p in schema["paths"] if p.startswith(API)]
    assert f"{API}/public" in paths and f"{API}/venues" in paths and f"{API}/checkins/public" in paths


def test_record_untruthful_declaration(
    tree: Tree, personas: dict[Role, User], outsider: User, make_data: MakeData
) -> None:
    from phongdich.checkpoints.models import Violation

    declaration, _ = submit_declaration(make_data(), client_uuid=None)
    url = f"{API}/{declaration.pk}/violations"
    data = {"kind": "untruthful_declaration", "note": "Khai không đi qua Bắc Giang", "client_uuid": str(uuid.uuid4())}
    assert post(client_for(outsider), url, data).status_code == 404
    assert post(client_for(personas[Role.HEALTH_STATION]), url, data).status_code == 403
    assert post(client_for(personas[Role.COMMUNE]), url, {**data, "kind": "over_capacity"}).status_code == 422
    assert not Violation.objects.exists()
    response = post(client_for(personas[Role.COMMUNE]), url, data)
    assert response.status_code == 201, response.content
    violation = Violation.objects.get()
    assert violation.declaration_id == declaration.pk and violation.person_id == declaration.person_id
    assert post(client_for(personas[Role.COMMUNE]), url, data).status_code == 201
    assert Violation.objects.count() == 1
