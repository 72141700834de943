"""The navigation: each role gets its first links, and every link it is shown opens for it."""

from __future__ import annotations

import re

import pytest

from phongdich.core.models import User
from phongdich.core.navigation import PRIMARY, navigation_for
from phongdich.core.roles import Role
from tests.conftest import client_for


def nav_links(html: str) -> list[str]:
    nav = html.split('<nav class="mainnav">', 1)[1].split("</nav>", 1)[0]
    return re.findall(r'href="([^"]+)"', nav)


@pytest.mark.parametrize("role", list(Role))
def test_every_link_shown_opens_for_the_role(role: Role, personas: dict[Role, User]) -> None:
    client = client_for(personas[role])
    links = nav_links(client.get("/").content.decode())
    assert links[0] == "/" and len(links) == len(set(links))
    for url in links:
        assert client.get(url).status_code == 200, (role, url)


@pytest.mark.parametrize("role", list(Role))
def test_primary_links_come_first_in_the_role_order(role: Role, personas: dict[Role, User]) -> None:
    primary, more = navigation_for(personas[role])
    assert 2 <= len(primary) + 1 <= 7  # the overview, then at most six
    assert len(primary) == len(PRIMARY[role])
    shown_more = {link.url for _group, links in more for link in links}
    assert not shown_more & {link.url for link in primary}


def test_a_role_does_not_see_what_it_cannot_open(personas: dict[Role, User]) -> None:
    lab = nav_links(client_for(personas[Role.LAB]).get("/").content.decode())
    assert "/testing/" in lab and "/cases/" not in lab and "/quarantine/" not in lab
    community = nav_links(client_for(personas[Role.COMMUNITY]).get("/").content.decode())
    assert community[1] == "/community/" and "/testing/" not in community


@pytest.mark.parametrize("role", list(Role))
def test_each_page_of_the_top_bar_lights_up_one_link_only(role: Role, personas: dict[Role, User]) -> None:
    client = client_for(personas[role])
    primary, _more = navigation_for(personas[role])
    for link in primary:
        html = client.get(link.url).content.decode()
        nav = html.split('<nav class="mainnav">', 1)[1].split("</nav>", 1)[0]
        current = re.findall(r'<a href="([^"]+)"[^>]*aria-current="page"', nav)
        assert current == [link.url], (role, link.url, current)
