"""The watch list: registry items, recent arrivals and entries added by hand merged; next visit due; overdue."""

from __future__ import annotations

import datetime

from phongdich.community import actions, arrivals, watch, watchlist
from phongdich.community.models import Finding, WatchReason
from phongdich.people.actions import set_residence
from phongdich.people.models import ResidenceStatus
from tests.community.conftest import days_ago, make_person, quarantine_item, today

D = datetime.date


def _kinds(rows):
    return {(r.item.person_id, r.item.kind) for r in rows}


def test_union_of_registry_arrivals_and_manual_entries(village, provider, tree):
    v = village
    provider.append(quarantine_item(v.an))
    provider.append(quarantine_item(v.other))  # Tổ dân phố 2: not this team's
    set_residence(None, v.chi, ResidenceStatus.TEMPORARY_RESIDENT, started_on=today() - datetime.timedelta(days=2))
    actions.add_watch_entry(
        None, v.binh, reason=WatchReason.ELDERLY_ALONE, ends_on=today() + datetime.timedelta(days=30)
    )
    rows = watchlist.rows_for_team(v.team)
    assert _kinds(rows) == {
        (v.an.pk, "home_quarantine"),
        (v.chi.pk, arrivals.KIND),
        (v.binh.pk, watchlist.MANUAL_KIND),
    }
    by_person = {r.item.person_id: r for r in rows}
    assert by_person[v.an.pk].member == v.un and by_person[v.chi.pk].member == v.xuan
    assert by_person[v.binh.pk].item.label.startswith(str(WatchReason.ELDERLY_ALONE.label))
    other_rows = watchlist.rows_for([tree.to2])
    assert _kinds(other_rows) == {(v.other.pk, "home_quarantine")}


def test_the_same_person_and_kind_once_and_ended_items_dropped(village, provider):
    v = village
    provider.append(quarantine_item(v.an, since_days_ago=2))
    provider.append(quarantine_item(v.an, since_days_ago=5))
    provider.append(quarantine_item(v.binh, since_days_ago=20, until_in=-1))  # ended yesterday
    rows = watchlist.rows_for_team(v.team)
    assert len(rows) == 1
    assert rows[0].item.since == today() - datetime.timedelta(days=5)
    # A provider item of a village not asked for is ignored even if the provider returns it.
    stray = watch.WatchItem(v.other.pk, v.other.village_id, "home_care", "x", today())
    provider.append(stray)
    assert watchlist.watch_items([v.team.village], today()) == [rows[0].item]


def test_manual_entry_window_and_end(village):
    v = village
    entry, created = actions.add_watch_entry(
        None,
        v.chi,
        reason=WatchReason.CROSS_MONITORING,
        ends_on=today() + datetime.timedelta(days=3),
        visit_every_days=2,
    )
    assert created
    assert [r.item.visit_every_days for r in watchlist.rows_for_team(v.team)] == [2]
    assert watchlist.rows_for_team(v.team, today() + datetime.timedelta(days=4)) == []
    actions.end_watch_entry(None, entry)
    assert watchlist.rows_for_team(v.team) == []


def test_overdue_and_next_visit_due(village, provider):
    v = village
    provider.append(quarantine_item(v.an, since_days_ago=3))
    (row,) = watchlist.rows_for_team(v.team)
    assert row.last_visit is None and row.next_due == today() - datetime.timedelta(days=3)
    assert row.overdue and row.days_overdue == 3
    # Visited yesterday, every day: due today, not overdue.
    actions.record_visit(None, v.team, visited_at=days_ago(1), finding=Finding.ALL_WELL, person=v.an)
    (row,) = watchlist.rows_for_team(v.team)
    assert row.due and not row.overdue and row.next_due == today()
    # "Not at home" today does not count: still due.
    actions.record_visit(None, v.team, visited_at=days_ago(0), finding=Finding.NOT_HOME, person=v.an)
    (row,) = watchlist.rows_for_team(v.team)
    assert row.due
    # A visit of the household counts for the person.
    actions.record_visit(None, v.team, visited_at=days_ago(0), finding=Finding.ALL_WELL, household=v.h1)
    (row,) = watchlist.rows_for_team(v.team)
    assert not row.due and row.next_due == today() + datetime.timedelta(days=1)
    # Looking back at the day before yesterday, today's visits do not exist yet.
    (row,) = watchlist.rows_for_team(v.team, today() - datetime.timedelta(days=2))
    assert row.last_visit is None and row.overdue


def test_visit_before_the_item_started_does_not_count(village, provider):
    v = village
    actions.record_visit(None, v.team, visited_at=days_ago(5), finding=Finding.ALL_WELL, person=v.chi)
    provider.append(quarantine_item(v.chi, since_days_ago=2, every=3))
    (row,) = watchlist.rows_for_team(v.team)
    assert row.last_visit is not None and row.overdue and row.days_overdue == 2
    actions.record_visit(None, v.team, visited_at=days_ago(2), finding=Finding.ALL_WELL, person=v.chi)
    (row,) = watchlist.rows_for_team(v.team)
    assert row.next_due == today() + datetime.timedelta(days=1) and not row.due


def test_overdue_by_team_with_two_teams_in_a_village(village, provider, tree):
    v = village
    second, _c = actions.create_team(None, name="Tổ COVID TDP 1 (nhóm 2)", village=tree.to1)
    m2, _c = actions.add_member(None, second, full_name="Quàng Văn Hùng", position="youth")
    actions.assign_households(None, m2, [v.h2])  # moved from Xuân (first team) to Hùng
    for p in (v.an, v.chi):
        provider.append(quarantine_item(p, since_days_ago=2))
    counts, rows = watchlist.overdue_by_team([v.team, second])
    # Chi's household is the second team's now; An's stays with the first.
    by_team = {c.team.pk: c for c in counts}
    assert by_team[v.team.pk].overdue == 1 and by_team[second.pk].overdue == 1
    assert [r.item.person_id for r in watchlist.rows_for_team(second)] == [v.chi.pk]
    assert v.xuan.assignments.count() == 0
    # An unassigned household is seen by every team of the village.
    actions.unassign_household(None, v.team, v.h1)
    counts, rows = watchlist.overdue_by_team([v.team, second])
    assert sorted(c.overdue for c in counts) == [1, 2]
    assert {r.item.person_id for r in rows} == {v.an.pk, v.chi.pk}


def test_arrivals_temporary_residents_and_returning_citizens(village, tree):
    v = village
    on = today()
    set_residence(None, v.an, ResidenceStatus.TEMPORARILY_ABSENT, started_on=on - datetime.timedelta(days=60))
    set_residence(None, v.an, ResidenceStatus.PERMANENT, started_on=on - datetime.timedelta(days=3))
    set_residence(None, v.binh, ResidenceStatus.TEMPORARY_RESIDENT, started_on=on - datetime.timedelta(days=1))
    # Chi came and left again: not watched.
    set_residence(None, v.chi, ResidenceStatus.TEMPORARY_RESIDENT, started_on=on - datetime.timedelta(days=5))
    set_residence(None, v.chi, ResidenceStatus.TEMPORARILY_ABSENT, started_on=on - datetime.timedelta(days=2))
    # A permanent resident since long ago: not an arrival.
    newcomer = make_person("Vì Thị Én", tree.to1)
    set_residence(None, newcomer, ResidenceStatus.PERMANENT, started_on=on - datetime.timedelta(days=2))
    items = {i.person_id: i for i in arrivals.arrival_items([tree.to1], on)}
    assert set(items) == {v.an.pk, v.binh.pk}
    assert items[v.an.pk].since == on - datetime.timedelta(days=3)
    assert "03/" in items[v.an.pk].label or items[v.an.pk].label  # a date in the label
    assert arrivals.arrival_items([tree.to2], on) == []


def test_arrival_window_follows_the_rule_set(village, tree):
    """5599/BYT-MT (Aug 2021): 14 days; 10696/BYT-DP (Dec 2021): 7 days."""
    v = village
    set_residence(None, v.an, ResidenceStatus.TEMPORARY_RESIDENT, started_on=D(2021, 8, 10))
    assert [i.until for i in arrivals.arrival_items([tree.to1], D(2021, 8, 20))] == [D(2021, 8, 23)]
    assert arrivals.arrival_items([tree.to1], D(2021, 8, 24)) == []
    set_residence(None, v.binh, ResidenceStatus.TEMPORARY_RESIDENT, started_on=D(2021, 12, 20))
    assert [i.until for i in arrivals.arrival_items([tree.to1], D(2021, 12, 22))] == [D(2021, 12, 26)]
    assert arrivals.arrival_items([tree.to1], D(2021, 12, 27)) == []
    assert arrivals.watch_days(D(2021, 8, 10), None) == 14
    assert arrivals.watch_days(D(2021, 12, 20), None) == 7
