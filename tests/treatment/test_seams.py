"""What the treatment app adds elsewhere: the community watch list, overview figures, the timeline."""

from __future__ import annotations

from phongdich.community import watch
from phongdich.core import overview
from phongdich.core.roles import Role
from phongdich.people import timeline
from phongdich.treatment import actions
from tests.treatment.conftest import D


def test_watch_list_has_f0_at_home_while_cared_for(tree, case):
    home, _ = actions.start_home_care(None, case, on=D(2021, 8, 11))
    items = [i for i in watch.items_for([tree.to1], D(2021, 8, 12)) if i.kind == "home_care"]
    assert [(i.person_id, i.village_id, i.visit_every_days) for i in items] == [(case.person_id, tree.to1.pk, 1)]
    assert "11/08/2021" in items[0].label and str(home.pk) in items[0].url
    assert not [i for i in watch.items_for([tree.to2], D(2021, 8, 12)) if i.kind == "home_care"]
    assert not [i for i in watch.items_for([tree.to1], D(2021, 8, 10)) if i.kind == "home_care"]
    actions.end_home_care(None, home, outcome="recovered", on=D(2021, 8, 20))
    assert [i for i in watch.items_for([tree.to1], D(2021, 8, 19)) if i.kind == "home_care"]
    assert not [i for i in watch.items_for([tree.to1], D(2021, 8, 20)) if i.kind == "home_care"]


def _figures(user):
    from django.utils import translation

    with translation.override("en"):
        return {f.label: f.value for f in overview.figures_for(user)}


def test_overview_figures(personas, facilities, case):
    figures = _figures(personas[Role.HEALTH])
    assert figures["free oxygen beds"] == 3 and figures["free ICU beds"] == 2
    assert figures["F0 awaiting a bed or home care"] == 1
    actions.admit(None, case, facilities.centre, bed_kind="oxygen", on=D(2021, 8, 11))
    figures = _figures(personas[Role.HEALTH])
    assert figures["free oxygen beds"] == 2 and figures["F0 awaiting a bed or home care"] == 0
    assert "free oxygen beds" not in _figures(personas[Role.COMMUNITY])


def test_timeline_events(personas, facilities, case):
    stay, _ = actions.admit(None, case, facilities.field, bed_kind="ordinary", on=D(2021, 8, 11))
    up, _ = actions.transfer(None, stay, facilities.icu, bed_kind="icu", severity="severe", on=D(2021, 8, 13))
    actions.discharge(None, up, outcome="recovered", on=D(2021, 8, 25))
    events = [e for e in timeline.events_for(case.person, personas[Role.HEALTH]) if e.kind == "treatment"]
    titles = [e.title for e in events]
    assert len(events) == 3 and facilities.icu.name in titles[0] and facilities.field.name in titles[-1]
    assert not [e for e in timeline.events_for(case.person, personas[Role.POLICE]) if e.kind == "treatment"]
