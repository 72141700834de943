"""The person page's F level: snippet (level, chain, handling) and timeline, by role and area."""

from __future__ import annotations

import datetime

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from phongdich.core.models import User
from phongdich.core.roles import Role
from phongdich.people.timeline import events_for
from phongdich.tracing.chain import render_person_level
from tests.conftest import Tree
from tests.tracing.levels_helpers import World

D = datetime.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def world(tree: Tree) -> World:
    return World(tree)


def test_snippet_shows_level_chain_and_handling(world: World, personas: dict[Role, User]) -> None:
    world.contact("X", "A", D(2021, 8, 9))
    world.contact("A", "B", D(2021, 8, 12))
    world.case("X", D(2021, 8, 10), onset=D(2021, 8, 8))
    html = str(render_person_level(world.p("B"), personas[Role.COMMUNE]))
    assert "F2" in html and "Lò Văn A" in html and "ĐB-0001" in html
    assert "Cách ly tại nhà" in html and "26/08/2021" in html  # home quarantine until 12/08 + 14
    html = str(render_person_level(world.p("X"), personas[Role.COMMUNE]))
    assert "F0" in html and "ĐB-0001" in html
    assert str(render_person_level(world.p("B"), personas[Role.COMMUNITY])).strip() == ""  # no CASE_VIEW


def test_chain_hides_names_outside_the_area(world: World, personas: dict[Role, User]) -> None:
    world.person("A", unit=world.tree.sin_thau)
    world.contact("X", "A", D(2021, 8, 9))
    world.contact("A", "B", D(2021, 8, 12))
    world.case("X", D(2021, 8, 10), onset=D(2021, 8, 8))
    html = str(render_person_level(world.p("B"), personas[Role.COMMUNE]))
    assert "Lò Văn A" not in html and "ngoài địa bàn" in html


def test_template_tag_and_timeline(world: World, personas: dict[Role, User]) -> None:
    world.contact("X", "A", D(2021, 8, 9))
    world.case("X", D(2021, 8, 10), onset=D(2021, 8, 8))
    request = RequestFactory().get("/")
    request.user = personas[Role.HEALTH]
    html = Template("{% load tracing_levels %}{% person_level person %}").render(
        Context({"person": world.p("A"), "request": request})
    )
    assert "F1" in html and "Cách ly tập trung" in html
    titles = [e.title for e in events_for(world.p("A"), personas[Role.HEALTH])]
    assert "F1 — qua ca bệnh ĐB-0001" in titles
    assert "Tiếp xúc với Lò Văn X" in titles
    titles = [e.title for e in events_for(world.p("A"), personas[Role.COMMUNITY])]
    assert not any(t.startswith("F1") for t in titles)
