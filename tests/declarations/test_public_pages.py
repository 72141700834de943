"""The public declaration form, its QR page and the venue check-in page (no sign-in)."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from phongdich.declarations.actions import VenueData, create_venue
from phongdich.declarations.models import CheckIn, Declaration
from phongdich.people.actions import PersonData, intake_person
from phongdich.people.models import Person
from tests.conftest import Tree
from tests.declarations.conftest import public_form

pytestmark = pytest.mark.django_db
URL = "/public/declare/"


def test_form_renders_in_vietnamese_with_a_client_uuid(tree: Tree) -> None:
    response = Client().get(URL)
    body = response.content.decode()
    assert response.status_code == 200
    assert "Khai báo y tế" in body and 'name="client_uuid"' in body and "Phường Noong Bua" in body
    assert 'name="website"' in body


def test_form_in_english(tree: Tree) -> None:
    client = Client()
    client.cookies["django_language"] = "en"
    body = client.get(URL).content.decode()
    assert "Medical declaration" in body and "Send the declaration" in body
    assert "Tiếng Việt" in body  # the switch back


def test_submit_shows_a_qr_without_personal_data(tree: Tree) -> None:
    response = Client().post(URL, public_form(tree))
    assert response.status_code == 302
    declaration = Declaration.objects.get()
    assert declaration.person is not None and declaration.commune_id == tree.noong_bua.pk
    assert "Minh" not in response["Location"] and "0912" not in response["Location"]
    page = Client().get(response["Location"])
    body = page.content.decode()
    assert page.status_code == 200 and "<svg" in body
    assert "Minh" not in body and "011090001234" not in body and "0912" not in body


def test_bad_qr_token_is_404(tree: Tree) -> None:
    assert Client().get("/public/declare/qr/nonsense:abc:def/").status_code == 404


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("id_number", "12345"),
        ("id_number", "abc123456789"),
        ("phone", "12"),
        ("phone", ""),
        ("birth", "01/01/2090"),
        ("travel_date", "2090-01-01"),
        ("destination", "999999"),
        ("kind", "holiday"),
        ("full_name", ""),
        ("places", "\n".join(f"Chợ {i}" for i in range(25))),
        ("places", "Chợ Mường Thanh, 01/01/2090"),
        ("symptoms", "sneezing"),
    ],
)
def test_bad_input_writes_nothing(tree: Tree, field: str, value: str) -> None:
    response = Client().post(URL, public_form(tree, **{field: value}))
    assert response.status_code == 400, field
    assert "Nothing was saved" in response.content.decode() or "Chưa có gì được lưu" in response.content.decode()
    assert not Declaration.objects.exists()
    assert not Person.objects.exists()


def test_future_place_date_rejected_and_old_one_too(tree: Tree) -> None:
    old = (timezone.localdate() - datetime.timedelta(days=20)).strftime("%d/%m/%Y")
    assert Client().post(URL, public_form(tree, places=f"Chợ, {old}")).status_code == 400
    ok = (timezone.localdate() - datetime.timedelta(days=2)).strftime("%d/%m/%Y")
    assert Client().post(URL, public_form(tree, places=f"Chợ Mường Thanh, {ok}\nBến xe")).status_code == 302
    assert [p["name"] for p in Declaration.objects.get().places] == ["Chợ Mường Thanh", "Bến xe"]


def test_resend_does_not_duplicate(tree: Tree) -> None:
    data = public_form(tree)
    first = Client().post(URL, data)
    again = Client().post(URL, data)
    assert first.status_code == again.status_code == 302
    assert first["Location"].split(":")[0] == again["Location"].split(":")[0]
    assert Declaration.objects.count() == 1


def test_honeypot_writes_nothing(tree: Tree) -> None:
    response = Client().post(URL, public_form(tree, website="http://spam"))
    assert response.status_code == 200
    assert not Declaration.objects.exists()


@override_settings(DECLARATION_PUBLIC_RATE=(2, 600))
def test_rate_limit_per_ip(tree: Tree) -> None:
    client = Client()
    assert client.post(URL, public_form(tree)).status_code == 302
    assert client.post(URL, public_form(tree)).status_code == 302
    blocked = client.post(URL, public_form(tree))
    assert blocked.status_code == 429
    assert Declaration.objects.count() == 2
    other_ip = Client(REMOTE_ADDR="10.0.0.9")
    assert other_ip.post(URL, public_form(tree)).status_code == 302


def test_csrf_is_enforced(tree: Tree) -> None:
    client = Client(enforce_csrf_checks=True)
    assert client.post(URL, public_form(tree)).status_code == 403
    assert not Declaration.objects.exists()


def test_matches_an_existing_person_by_id(tree: Tree) -> None:
    known = intake_person(None, PersonData(full_name="Lò Văn Minh", id_number="011090001234", unit=tree.to1)).person
    assert Client().post(URL, public_form(tree)).status_code == 302
    assert Declaration.objects.get().person_id == known.pk
    assert Person.objects.count() == 1


def test_checkin_page(tree: Tree) -> None:
    venue, _ = create_venue(None, VenueData(name="Chợ Noong Bua", unit=tree.noong_bua))
    url = f"/public/checkin/{venue.token}/"
    page = Client().get(url)
    assert page.status_code == 200 and "Chợ Noong Bua" in page.content.decode()
    key = str(uuid.uuid4())
    unknown = Client().post(url, {"phone": "0912345678", "client_uuid": key})
    assert unknown.status_code == 400 and not CheckIn.objects.exists()
    done = Client().post(url, {"phone": "0912345678", "full_name": "Lò Văn Minh", "client_uuid": key})
    assert done.status_code == 302
    again = Client().post(url, {"phone": "0912345678", "full_name": "Lò Văn Minh", "client_uuid": key})
    assert again.status_code == 302 and CheckIn.objects.count() == 1
    second = Client().post(
        url, {"phone": "0912 345 678", "client_uuid": str(uuid.uuid4())}
    )  # known now: no name needed
    assert second.status_code == 302 and CheckIn.objects.count() == 2
    assert len({c.person_id for c in CheckIn.objects.all()}) == 1
    assert Client().post(url, {"phone": "", "client_uuid": str(uuid.uuid4())}).status_code == 400
    assert (
        Client().post(url, {"phone": "0912345678", "website": "x", "client_uuid": str(uuid.uuid4())}).status_code == 302
    )
    assert CheckIn.objects.count() == 2
    assert Client().get("/public/checkin/not-a-venue/").status_code == 404
