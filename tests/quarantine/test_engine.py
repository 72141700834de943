"""The placement engine alone: pure data in, a plan out (no database)."""

from __future__ import annotations

import datetime
import uuid

from phongdich.quarantine.placement import ENTRY_WINDOW_DAYS, Candidate, RoomState, Rule, check_room, place

D = datetime.date(2021, 8, 10)


def cand(group="f1", sex="M", day=D, household=None, f0=False):
    return Candidate(uuid.uuid4(), sex, household, group, day, f0)


def room(rid, beds, sex="any", **kw):
    return RoomState(rid, "fac", sex, list(range(rid * 100, rid * 100 + beds)), **kw)


def rooms_of(plan):
    return {a.key: a.room_id for a in plan.assignments}


def test_risk_groups_never_share_a_room():
    people = [cand("f1"), cand("f2"), cand("arrival_high_risk"), cand("f1")]
    plan = place(people, [room(1, 4), room(2, 4), room(3, 4)])
    where = rooms_of(plan)
    assert len(where) == 4 and not plan.refusals
    by_room: dict[int, set[str]] = {}
    for c in people:
        by_room.setdefault(where[c.key], set()).add(c.risk_group)
    assert all(len(groups) == 1 for groups in by_room.values())
    assert where[people[0].key] == where[people[3].key]  # the two F1 share


def test_no_room_for_a_third_group_is_reported():
    people = [cand("f1"), cand("f2")]
    plan = place(people, [room(1, 4)])
    assert len(plan.assignments) == 1
    assert plan.refusals[0].reasons == (Rule.RISK_GROUP,)


def test_f0_is_never_placed():
    f0 = cand(f0=True)
    plan = place([f0], [room(1, 4)])
    assert not plan.assignments
    assert plan.refusals[0].reasons == (Rule.F0,)


def test_flagged_room_takes_no_one():
    plan = place([cand()], [room(1, 4, flagged=True)])
    assert not plan.assignments
    assert plan.refusals[0].reasons == (Rule.FLAGGED_ROOM,)
    assert place([cand()], []).refusals[0].reasons == (Rule.NO_ROOM,)
    broken, _ = check_room([cand()], room(1, 4, flagged=True))
    assert Rule.FLAGGED_ROOM in broken


def test_capacity_one_person_per_usable_bed():
    people = [cand() for _ in range(5)]
    plan = place(people, [room(1, 2), room(2, 2)])
    assert len(plan.assignments) == 4
    assert len({a.bed_id for a in plan.assignments}) == 4
    assert plan.refusals[0].reasons == (Rule.CAPACITY,)


def test_family_together_in_one_room():
    fam = [cand(sex="M", household="h1"), cand(sex="F", household="h1"), cand(sex="F", household="h1")]
    others = [cand(sex="M") for _ in range(3)]
    plan = place(others + fam, [room(1, 4), room(2, 3), room(3, 2)])
    where = rooms_of(plan)
    assert len({where[c.key] for c in fam}) == 1
    assert where[fam[0].key] == 2  # the smallest room that holds the family


def test_family_too_big_for_any_room_is_refused_whole():
    fam = [cand(household="h1") for _ in range(3)]
    plan = place(fam, [room(1, 2), room(2, 2)])
    assert not plan.assignments
    assert {r.key for r in plan.refusals} == {c.key for c in fam}
    assert all(r.reasons == (Rule.CAPACITY,) for r in plan.refusals)


def test_sex_restricted_rooms():
    man, woman = cand(sex="M"), cand(sex="F")
    plan = place([man, woman], [room(1, 4, sex="M"), room(2, 4, sex="F")])
    where = rooms_of(plan)
    assert where[man.key] == 1 and where[woman.key] == 2
    plan = place([cand(sex="F")], [room(3, 4, sex="M")])
    assert plan.refusals[0].reasons == (Rule.SEX,)
    plan = place([cand(sex="U")], [room(4, 4, sex="F")])
    assert plan.refusals[0].reasons == (Rule.SEX,)


def test_family_exempt_from_sex_only_in_an_empty_room_kept_for_them():
    fam = [cand(sex="M", household="h"), cand(sex="F", household="h")]
    men_room = room(1, 4, sex="M")
    plan = place(fam, [men_room])
    assert len(plan.assignments) == 2
    assert men_room.exclusive_household == "h"
    later = place([cand(sex="M")], [men_room])  # no stranger joins a mixed family
    assert later.refusals[0].reasons == (Rule.SEX,)
    occupied = room(2, 4, sex="M", groups={"f1"}, first_day=D, last_day=D, occupants=1)
    plan = place([cand(sex="M", household="k"), cand(sex="F", household="k")], [occupied])
    assert plan.refusals and Rule.SEX in plan.refusals[0].reasons


def test_entry_window():
    early = cand(day=D)
    inside = cand(day=D + datetime.timedelta(days=ENTRY_WINDOW_DAYS))
    outside = cand(day=D + datetime.timedelta(days=ENTRY_WINDOW_DAYS + 1))
    r = room(1, 6)
    plan = place([early, inside, outside], [r])
    where = rooms_of(plan)
    assert where[early.key] == where[inside.key] == 1
    assert outside.key not in where
    assert plan.refusals[0].reasons == (Rule.ENTRY_WINDOW,)
    assert place([cand(day=D)], [room(2, 4)], window=0).assignments  # the window is a parameter


def test_cohorts_fill_rooms_before_opening_new_ones():
    people = [cand(day=D + datetime.timedelta(days=i % 2)) for i in range(8)]
    rooms = [room(i, 4) for i in range(1, 6)]
    plan = place(people, rooms)
    assert len({a.room_id for a in plan.assignments}) == 2


def test_room_state_is_updated_so_batches_continue():
    r = room(1, 3)
    place([cand()], [r])
    assert len(r.free_beds) == 2 and r.groups == {"f1"}
    plan = place([cand("f2")], [r])
    assert plan.refusals[0].reasons == (Rule.RISK_GROUP,)
