"""Linking an exposure site to the venues where people checked in: the page and the API, by role."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from phongdich.cases.actions import create_case
from phongdich.cases.exposure import SiteData, create_site, publish_site
from phongdich.core.models import User
from phongdich.core.roles import Role
from phongdich.declarations.actions import VenueData, create_venue
from phongdich.declarations.models import SiteVenue
from phongdich.tracing.models import ContactCandidate, ContactSource
from tests.conftest import Tree, client_for
from tests.declarations.conftest import API
from tests.declarations.test_candidates import at, person, visit

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(tree: Tree, personas: dict[Role, User]) -> dict[str, Any]:
    health = personas[Role.HEALTH]
    market, _ = create_venue(None, VenueData(name="Chợ Noong Bua", unit=tree.noong_bua))
    shop, _ = create_venue(None, VenueData(name="Cửa hàng Him Lam", unit=tree.him_lam))
    f0 = person(tree, "Lò Văn Ca", "+84912000009")
    there = person(tree, "Quàng Thị Đến", "+84912000010")
    before = person(tree, "Cà Văn Trước", "+84912000011")
    visit(market, there, at(2, 9))
    visit(market, before, at(6, 9))
    case, _ = create_case(None, f0, confirmed_on=timezone.localdate())
    site, _ = create_site(
        health, SiteData(name="Chợ Noong Bua", unit=tree.noong_bua, starts_at=at(3, 0), ends_at=at(1, 0), case=case)
    )
    publish_site(health, site)
    return {"site": site, "market": market, "shop": shop, "there": there}


def test_health_links_a_venue_on_the_page_and_its_visitors_become_candidates(
    tree: Tree, personas: dict[Role, User], scene: dict[str, Any]
) -> None:
    site, market, shop = scene["site"], scene["market"], scene["shop"]
    health = client_for(personas[Role.HEALTH])
    page = health.get(f"/declarations/exposure-sites/{site.pk}/venues/")
    assert page.status_code == 200
    assert [v.pk for v in page.context["choices"]] == [market.pk]  # only venues of the site's commune
    assert (
        f"/declarations/exposure-sites/{site.pk}/venues/" in health.get(f"/exposure-sites/{site.pk}/").content.decode()
    )
    answer = health.post(f"/declarations/exposure-sites/{site.pk}/venues/", {"venue": str(market.pk)})
    assert answer.status_code == 302
    candidate = ContactCandidate.objects.get(reason=ContactSource.EXPOSURE_SITE)
    assert candidate.other_id == scene["there"].pk
    after = health.get(f"/declarations/exposure-sites/{site.pk}/venues/")
    assert [(v.pk, n) for v, n in after.context["linked"]] == [(market.pk, 1)]
    assert after.context["choices"] == []
    # A venue of another commune, a made-up id, or the same venue again: refused, nothing written.
    for value in (str(shop.pk), "not-a-uuid", str(market.pk)):
        refused = health.post(f"/declarations/exposure-sites/{site.pk}/venues/", {"venue": value})
        assert refused.status_code == 400
    assert SiteVenue.objects.count() == 1 and ContactCandidate.objects.count() == 1


@pytest.mark.parametrize("role", [Role.COMMUNE, Role.LAB, Role.CHECKPOINT, Role.COMMUNITY])
def test_roles_without_publishing_are_refused(personas: dict[Role, User], scene: dict[str, Any], role: Role) -> None:
    site, market = scene["site"], scene["market"]
    c = client_for(personas[role])
    url = f"/declarations/exposure-sites/{site.pk}/venues/"
    assert c.get(url).status_code in (403, 404)
    assert c.post(url, {"venue": str(market.pk)}).status_code in (403, 404)
    assert c.post(
        f"{API}/exposure-sites/{site.pk}/venues", {"venue_id": str(market.pk)}, content_type="application/json"
    ).status_code in (403, 404)
    assert not SiteVenue.objects.exists()


def test_the_api_links_once_and_lists(personas: dict[Role, User], scene: dict[str, Any]) -> None:
    site, market, shop = scene["site"], scene["market"], scene["shop"]
    api = client_for(personas[Role.HEALTH])
    url = f"{API}/exposure-sites/{site.pk}/venues"
    first = api.post(url, {"venue_id": str(market.pk)}, content_type="application/json")
    assert first.status_code == 201 and first.json()["candidates_proposed"] == 1
    again = api.post(url, {"venue_id": str(market.pk)}, content_type="application/json")
    assert again.status_code == 200 and again.json()["candidates_proposed"] == 0
    wrong = api.post(url, {"venue_id": str(shop.pk)}, content_type="application/json")
    assert wrong.status_code == 422
    assert api.post(url, {"venue_id": "x"}, content_type="application/json").status_code == 422
    listed = api.get(url).json()
    assert [(v["code"], v["checkins_in_window"]) for v in listed] == [(market.code, 1)]
    assert SiteVenue.objects.count() == 1 and ContactCandidate.objects.count() == 1
    assert api.get(f"{API}/exposure-sites/00000000-0000-0000-0000-000000000000/venues").status_code == 404
