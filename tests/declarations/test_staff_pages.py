"""Staff pages: the declarations list with flags, the detail, handling a flag, venues and posters."""

from __future__ import annotations

import uuid

import pytest

from phongdich.core.models import AccessLog, User
from phongdich.core.roles import Role
from phongdich.declarations.actions import VenueData, create_venue, submit_declaration
from phongdich.declarations.models import DeclarationFlag, Venue
from tests.conftest import Tree, client_for
from tests.declarations.conftest import MakeData

pytestmark = pytest.mark.django_db


def test_list_shows_my_commune_only(
    tree: Tree, personas: dict[Role, User], outsider: User, make_data: MakeData
) -> None:
    submit_declaration(make_data(symptoms=["fever"]), client_uuid=None)
    page = client_for(personas[Role.COMMUNE]).get("/declarations/")
    assert page.status_code == 200 and "Lò Văn Minh" in page.content.decode()
    assert "Lò Văn Minh" not in client_for(outsider).get("/declarations/").content.decode()
    assert (
        "Lò Văn Minh"
        in client_for(personas[Role.COMMUNE]).get("/declarations/?state=all&kind=symptoms").content.decode()
    )
    assert client_for(personas[Role.COMMUNITY]).get("/declarations/").status_code == 403
    assert client_for(None).get("/declarations/").status_code == 302


def test_detail_and_handle_flag(tree: Tree, personas: dict[Role, User], outsider: User, make_data: MakeData) -> None:
    declaration, _ = submit_declaration(make_data(symptoms=["fever"]), client_uuid=None)
    url = f"/declarations/{declaration.pk}/"
    assert client_for(outsider).get(url).status_code == 404
    assert client_for(personas[Role.COMMUNITY]).get(url).status_code == 403
    logs = AccessLog.objects.count()
    page = client_for(personas[Role.HEALTH_STATION]).get(url)
    assert page.status_code == 200 and AccessLog.objects.count() == logs + 1
    flag = DeclarationFlag.objects.get()
    handle = f"/declarations/flags/{flag.pk}/handle/"
    assert client_for(outsider).post(handle, {"note": "x"}).status_code == 404
    assert client_for(personas[Role.STEERING]).post(handle, {"note": "x"}).status_code == 403
    assert client_for(personas[Role.COMMUNITY]).post(handle, {"note": "x"}).status_code == 403
    flag.refresh_from_db()
    assert flag.handled_at is None
    done = client_for(personas[Role.HEALTH_STATION]).post(handle, {"note": "Đã gọi", "handled": "1"})
    assert done.status_code == 302
    flag.refresh_from_db()
    assert flag.handled_at is not None and flag.note == "Đã gọi"
    client_for(personas[Role.HEALTH_STATION]).post(handle, {"handled": "0"})
    flag.refresh_from_db()
    assert flag.handled_at is None


def test_venue_pages(tree: Tree, personas: dict[Role, User], outsider: User) -> None:
    commune = client_for(personas[Role.COMMUNE])
    assert commune.get("/declarations/venues/new/").status_code == 200
    form = {
        "name": "Chợ Noong Bua",
        "kind": "market",
        "unit": tree.noong_bua.pk,
        "active": "on",
        "client_uuid": uuid.uuid4(),
    }
    assert client_for(personas[Role.HEALTH_STATION]).post("/declarations/venues/new/", form).status_code == 403
    assert commune.post("/declarations/venues/new/", {**form, "unit": tree.sin_thau.pk}).status_code == 400
    assert not Venue.objects.exists()
    created = commune.post("/declarations/venues/new/", form)
    assert created.status_code == 302
    assert commune.post("/declarations/venues/new/", form).status_code == 302 and Venue.objects.count() == 1
    venue = Venue.objects.get()
    assert venue.code.startswith("03124-")
    poster = commune.get(f"/declarations/venues/{venue.pk}/poster/")
    body = poster.content.decode()
    assert poster.status_code == 200 and "<svg" in body and venue.token in body
    assert client_for(outsider).get(f"/declarations/venues/{venue.pk}/poster/").status_code == 404
    assert client_for(outsider).post(f"/declarations/venues/{venue.pk}/", {**form, "name": "X"}).status_code == 404
    venue.refresh_from_db()
    assert venue.name == "Chợ Noong Bua"
    listing = commune.get("/declarations/venues/").content.decode()
    assert "Chợ Noong Bua" in listing
    assert "Chợ Noong Bua" not in client_for(outsider).get("/declarations/venues/").content.decode()
    other, _ = create_venue(None, VenueData(name="Chợ Sín Thầu", unit=tree.sin_thau))
    assert commune.get(f"/declarations/venues/{other.pk}/").status_code == 404


def test_person_page_lists_the_declarations(tree: Tree, personas: dict[Role, User], make_data: MakeData) -> None:
    declaration, _ = submit_declaration(make_data(symptoms=["fever"]), client_uuid=None)
    page = client_for(personas[Role.COMMUNE]).get(f"/people/{declaration.person_id}/")
    assert page.status_code == 200 and f"/declarations/{declaration.pk}/" in page.content.decode()
