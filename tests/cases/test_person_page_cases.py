"""The person page shows the person's cases, the "confirm as F0" button and the case on the timeline."""

from __future__ import annotations

import datetime

import pytest

from phongdich.cases.actions import create_case
from phongdich.core.roles import Role
from phongdich.people.actions import PersonData, intake_person
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_the_case_shows_on_the_person_page_for_case_roles_only(tree, personas):
    person = intake_person(None, PersonData(full_name="Lò Văn Pằn", unit=tree.to1)).person
    page = client_for(personas[Role.HEALTH]).get(f"/people/{person.pk}/").content.decode()
    assert f"/cases/new/{person.pk}/" in page  # not yet a case: the button to confirm one

    case, _created = create_case(None, person, confirmed_on=datetime.date(2021, 8, 5))
    page = client_for(personas[Role.HEALTH]).get(f"/people/{person.pk}/").content.decode()
    assert f"/cases/{case.pk}/" in page
    assert f"Khẳng định F0 ({case.code})" in page  # the timeline
    assert f"/cases/new/{person.pk}/" not in page  # an active case: no second one

    community = client_for(personas[Role.COMMUNITY]).get(f"/people/{person.pk}/").content.decode()
    assert case.code not in community  # no CASE_VIEW


def test_the_overview_shows_outbreak_figures_to_case_roles(tree, personas):
    person = intake_person(None, PersonData(full_name="Lò Văn Pằn", unit=tree.to1)).person
    create_case(None, person, confirmed_on=datetime.date(2021, 8, 5))
    page = client_for(personas[Role.COMMUNE]).get("/").content.decode()
    assert "F0 đang điều trị" in page
    assert 'href="/cases/"><b>1</b>' in page
    outside = client_for(personas[Role.CHECKPOINT]).get("/").content.decode()  # no CASE_VIEW
    assert "F0 đang điều trị" not in outside
