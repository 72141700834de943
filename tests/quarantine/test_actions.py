"""Placement, schedules under two rule sets, checks, incidents and release, through the real actions."""

from __future__ import annotations

import datetime
import uuid

import pytest

from phongdich.core.models import AuditLog
from phongdich.people.models import Person
from phongdich.quarantine import actions, queries
from phongdich.quarantine.actions import QuarantineError
from phongdich.quarantine.models import (
    FacilityKind,
    IncidentKind,
    Payer,
    Placement,
    PlacementStatus,
    RequestStatus,
    RiskGroup,
)
from phongdich.tracing.models import PersonLevel
from tests.quarantine.conftest import ENTERED, EXPOSED, D, confirm, household, link, room, state


def test_f1_takes_the_dates_and_rule_set_of_its_level(outbreak, camp):
    binh = outbreak["binh"]
    level = PersonLevel.objects.get(person=binh)
    assert level.rule_set.code == "cv-5599-2021"
    placement, created = actions.place_person(None, binh, camp, entered_on=ENTERED)
    assert created
    assert placement.risk_group == RiskGroup.F1
    assert placement.day_one == EXPOSED
    assert placement.end_date == D(2021, 8, 22)  # 14 days
    assert placement.test_dates == ["2021-08-08", "2021-08-14", "2021-08-21"]  # days 1, 7, 14
    assert placement.rule_set_id == level.rule_set_id
    assert placement.room.name == "A1"  # a man into the men's room
    assert placement.commune_id == binh.commune_id  # the person's jurisdiction
    assert AuditLog.objects.filter(action="quarantine.place", object_id=str(placement.pk)).exists()


def test_f1_under_10696_goes_home_for_7_days(make_person, tree):
    an, binh = make_person("Lò Văn An"), make_person("Quàng Văn Bình", sex="M")
    link(an, binh, D(2021, 12, 20))
    confirm(an, D(2021, 12, 21))
    level = PersonLevel.objects.get(person=binh)
    assert (level.rule_set.code, level.handling) == ("cv-10696-2021", "home")
    home = actions.home_facility_for(tree.noong_bua)
    placement, _ = actions.place_person(None, binh, home, entered_on=D(2021, 12, 21))
    assert placement.facility.kind == FacilityKind.HOME and placement.room is None and placement.bed is None
    assert placement.end_date == D(2021, 12, 27)
    assert placement.test_dates == ["2021-12-20", "2021-12-26"]  # days 1 and 7
    assert actions.home_facility_for(tree.noong_bua) == home  # one per commune


def test_arrival_schedule_from_the_rule_set_in_force(make_person, camp):
    p = make_person("Vàng A Páo", sex="M")
    req, created = actions.request_placement(None, p, RiskGroup.ARRIVAL_HIGH_RISK, day_one=D(2021, 8, 12), reason="Bus")
    assert created and req.status == RequestStatus.OPEN
    again, created = actions.request_placement(None, p, RiskGroup.ARRIVAL_HIGH_RISK, day_one=D(2021, 8, 12))
    assert again == req and not created
    placement, _ = actions.place_person(None, p, camp, entered_on=D(2021, 8, 12))
    assert placement.rule_set.code == "cv-5599-2021"
    assert placement.end_date == D(2021, 8, 26)  # arrival_days 14
    assert placement.test_dates == ["2021-08-12", "2021-08-18", "2021-08-25"]  # days 1, 7, 14
    req.refresh_from_db()
    assert req.status == RequestStatus.PLACED and placement.request_id == req.pk


def test_arrival_under_10696_schedule(make_person, camp):
    p = make_person("Giàng Thị Mai", sex="F")
    placement, _ = actions.place_person(
        None, p, camp, risk_group=RiskGroup.ARRIVAL, day_one=D(2021, 12, 20), entered_on=D(2021, 12, 20)
    )
    assert placement.rule_set.code == "cv-10696-2021"
    assert placement.end_date == D(2021, 12, 27)
    assert placement.test_dates == ["2021-12-20", "2021-12-26"]


def test_person_without_reason_or_with_a_case_is_refused(make_person, outbreak, camp):
    nobody = make_person("Không Lý Do")
    before = state()
    with pytest.raises(QuarantineError) as exc:
        actions.place_person(None, nobody, camp, entered_on=ENTERED)
    assert exc.value.status == 422
    with pytest.raises(QuarantineError) as exc:
        actions.place_person(None, outbreak["an"], camp, risk_group=RiskGroup.F1, day_one=EXPOSED, entered_on=ENTERED)
    assert exc.value.status == 409
    with pytest.raises(QuarantineError):
        actions.request_placement(None, outbreak["an"], RiskGroup.ARRIVAL, day_one=ENTERED)
    assert state() == before


def test_never_twice_and_idempotent_client_uuid(outbreak, camp):
    key = uuid.uuid4()
    first, created = actions.place_person(None, outbreak["binh"], camp, entered_on=ENTERED, client_uuid=key)
    second, created2 = actions.place_person(None, outbreak["binh"], camp, entered_on=ENTERED, client_uuid=key)
    assert created and not created2 and first == second
    with pytest.raises(QuarantineError) as exc:
        actions.place_person(None, outbreak["binh"], camp, entered_on=ENTERED)
    assert exc.value.status == 409
    assert Placement.objects.count() == 1


def test_f1_and_f2_never_share_and_women_go_to_the_womens_room(outbreak, camp):
    result = actions.place_people(
        None, [outbreak["binh"], outbreak["chi"], outbreak["dung"]], [camp], entered_on=ENTERED
    )
    assert result.written and not result.refused
    where = {p.person_id: p.room.name for p in Placement.objects.select_related("room")}
    assert where[outbreak["binh"].pk] == "A1"
    assert where[outbreak["chi"].pk] == "A2"
    assert where[outbreak["dung"].pk] == "B1"  # the F2 woman: the women's room holds an F1


def test_bulk_all_or_nothing(make_person, camp):
    bus = [make_person(f"Hành khách {i}", sex="M") for i in range(10)]
    before = state()
    result = actions.place_people(
        None, bus, [camp], risk_group=RiskGroup.ARRIVAL_HIGH_RISK, day_one=D(2021, 8, 12), entered_on=D(2021, 8, 12)
    )
    assert not result.written and state() == before
    assert len(result.refused) == 2  # 4 men's + 4 usable in B1 = 8 beds for men
    assert all(reasons == ["capacity"] for reasons in result.refused.values())
    partial = actions.place_people(
        None,
        bus,
        [camp],
        risk_group=RiskGroup.ARRIVAL_HIGH_RISK,
        day_one=D(2021, 8, 12),
        entered_on=D(2021, 8, 12),
        all_or_nothing=False,
    )
    assert partial.written and partial.placed_count == 8
    assert Placement.objects.count() == 8
    assert AuditLog.objects.filter(action="quarantine.place").count() == 8
    b1 = room(camp, "B1")
    assert Placement.objects.filter(room=b1).count() == 4  # only the usable beds (spacing)


def test_family_together(make_person, camp):
    h = household("HK-1")
    family = [
        make_person("Lò Văn Cha", sex="M", household=h),
        make_person("Lò Thị Mẹ", sex="F", household=h),
        make_person("Lò Văn Con", sex="M", household=h),
    ]
    result = actions.place_people(
        None, family, [camp], risk_group=RiskGroup.ARRIVAL, day_one=D(2021, 8, 12), entered_on=D(2021, 8, 12)
    )
    assert result.written
    assert {p.room.name for p in Placement.objects.select_related("room")} == {"B1"}


def test_entry_window_keeps_cohorts_apart(make_person, camp):
    early = make_person("Sớm", sex="M")
    late = make_person("Muộn", sex="M")
    actions.place_person(
        None, early, camp, room=room(camp, "A1"), risk_group="arrival", day_one=D(2021, 8, 1), entered_on=D(2021, 8, 1)
    )
    with pytest.raises(QuarantineError) as exc:
        actions.place_person(
            None,
            late,
            camp,
            room=room(camp, "A1"),
            risk_group="arrival",
            day_one=D(2021, 8, 9),
            entered_on=D(2021, 8, 9),
        )
    assert exc.value.status == 409
    auto, _ = actions.place_person(
        None, late, camp, risk_group="arrival", day_one=D(2021, 8, 9), entered_on=D(2021, 8, 9)
    )
    assert auto.room.name == "B1"


def test_override_with_reason_is_stored_and_audited(outbreak, camp):
    actions.place_person(None, outbreak["binh"], camp, entered_on=ENTERED)  # F1 man in A1
    dung = outbreak["dung"]  # an F2 woman
    with pytest.raises(QuarantineError):
        actions.place_person(None, dung, camp, room=room(camp, "A1"), entered_on=ENTERED)
    with pytest.raises(QuarantineError):  # a reason for each rule
        actions.place_person(
            None, dung, camp, room=room(camp, "A1"), overrides={"risk_group": "x", "sex": ""}, entered_on=ENTERED
        )
    with pytest.raises(QuarantineError):  # capacity is never overridden
        actions.place_person(None, dung, camp, room=room(camp, "A1"), overrides={"capacity": "x"}, entered_on=ENTERED)
    reasons = {"risk_group": "Mother of the F1, breastfeeding", "sex": "Mother of the F1, breastfeeding"}
    placement, _ = actions.place_person(None, dung, camp, room=room(camp, "A1"), overrides=reasons, entered_on=ENTERED)
    assert {o["rule"] for o in placement.overrides} == {"risk_group", "sex"}
    row = AuditLog.objects.get(action="quarantine.place", object_id=str(placement.pk))
    assert row.after["overrides"] == placement.overrides


def test_room_with_an_f0_is_flagged_and_takes_no_one(outbreak, camp, make_person):
    binh = outbreak["binh"]
    placement, _ = actions.place_person(None, binh, camp, entered_on=ENTERED)
    confirm(binh, D(2021, 8, 14))  # Bình tests positive in quarantine
    newcomer = make_person("Người Mới", sex="M")
    with pytest.raises(QuarantineError) as exc:
        actions.place_person(
            None, newcomer, camp, room=room(camp, "A1"), risk_group="f1", day_one=EXPOSED, entered_on=D(2021, 8, 14)
        )
    assert actions.rule_label("flagged_room") in exc.value.message
    views = {v.room.name: v for v in queries.facility_rooms(camp)}
    assert views["A1"].flagged and views["A1"].free == 0
    actions.end_as_f0(None, placement, on=D(2021, 8, 14))
    placement.refresh_from_db()
    assert placement.status == PlacementStatus.ENDED
    assert room(camp, "A1").flagged_at is not None


def test_release_on_the_end_date_and_early_release_needs_a_reason(outbreak, camp):
    placement, _ = actions.place_person(None, outbreak["binh"], camp, entered_on=ENTERED)
    before = state()
    with pytest.raises(QuarantineError) as exc:
        actions.release(None, placement, on=D(2021, 8, 21))
    assert exc.value.status == 409 and state() == before
    actions.release(None, placement, on=D(2021, 8, 22))
    placement.refresh_from_db()
    assert placement.status == PlacementStatus.RELEASED and placement.ended_on == D(2021, 8, 22)
    assert placement.cost_total == 13 * 80000  # 10/08 to 22/08, both counted
    with pytest.raises(QuarantineError):
        actions.release(None, placement, on=D(2021, 8, 23))


def test_early_release_with_reason(outbreak, camp):
    placement, _ = actions.place_person(None, outbreak["chi"], camp, entered_on=ENTERED)
    actions.release(None, placement, on=D(2021, 8, 15), early_reason="Transferred to hospital for surgery")
    placement.refresh_from_db()
    assert placement.status == PlacementStatus.RELEASED
    assert placement.release_note == "Transferred to hospital for surgery"


def test_checks_and_incidents(outbreak, camp):
    placement, _ = actions.place_person(None, outbreak["binh"], camp, entered_on=ENTERED)
    key = uuid.uuid4()
    check, created = actions.record_check(
        None, placement, checked_on=D(2021, 8, 11), temperature="37.8", symptoms=["cough"], client_uuid=key
    )
    again, created2 = actions.record_check(
        None, placement, checked_on=D(2021, 8, 11), temperature="37.8", client_uuid=key
    )
    assert created and not created2 and check == again and check.has_fever
    for bad in ("abc", "50"):
        with pytest.raises(QuarantineError):
            actions.record_check(None, placement, checked_on=D(2021, 8, 11), temperature=bad)
    with pytest.raises(QuarantineError):
        actions.record_check(None, placement, checked_on=D(2021, 8, 1))  # before entry
    actions.record_incident(
        None, placement, kind=IncidentKind.VIOLATION, occurred_on=D(2021, 8, 12), description="Visitors"
    )
    placement.refresh_from_db()
    assert placement.status == PlacementStatus.ACTIVE
    actions.record_incident(
        None, placement, kind=IncidentKind.ESCAPE, occurred_on=D(2021, 8, 13), description="Left at night"
    )
    placement.refresh_from_db()
    assert placement.status == PlacementStatus.ESCAPED and placement.ended_on == D(2021, 8, 13)
    assert placement.bed_id is not None  # the bed is free again (not active)
    assert len(queries.facility_rooms(camp)[0].beds) == 4


def test_paid_facility_charges_the_person(outbreak, tree):
    hotel, _ = actions.create_facility(
        None,
        name="Khách sạn Mường Thanh",
        kind=FacilityKind.PAID,
        unit=tree.him_lam,
        meal_cost_per_day=150000,
        lodging_cost_per_day=350000,
        payer=Payer.STATE,
    )
    assert hotel.payer == Payer.PERSON
    actions.add_room(None, hotel, name="101", beds=2)
    placement, _ = actions.place_person(None, outbreak["binh"], hotel, entered_on=ENTERED)
    assert placement.payer == Payer.PERSON and placement.cost_per_day == 500000
    assert placement.cost_on(D(2021, 8, 12)) == 3 * 500000


def test_facility_bad_input(tree):
    for kw in ({"name": ""}, {"kind": "home"}, {"meal_cost_per_day": -1}, {"meal_cost_per_day": "abc"}):
        args = {"name": "X", "kind": "centralised", "unit": tree.him_lam} | kw
        with pytest.raises(QuarantineError):
            actions.create_facility(None, **args)
    facility, _ = actions.create_facility(None, name="X", kind="centralised", unit=tree.him_lam)
    for kw in ({"beds": 0}, {"beds": 2, "usable_beds": 3}, {"beds": 2, "sex": "X"}, {"beds": 1000}):
        with pytest.raises(QuarantineError):
            actions.add_room(None, facility, name="R", **kw)
    actions.add_room(None, facility, name="R", beds=2)
    with pytest.raises(QuarantineError):
        actions.add_room(None, facility, name="R", beds=2)


def test_awaiting_list(outbreak, make_person, personas):
    from phongdich.core.roles import Role

    user = personas[Role.COMMUNE]
    arrival = make_person("Vừa Về", sex="F")
    actions.request_placement(None, arrival, RiskGroup.ARRIVAL_HIGH_RISK, day_one=D(2021, 8, 11))
    waiting = queries.awaiting(user, today=D(2021, 8, 11))
    assert {a.person.pk for a in waiting} == {outbreak["binh"].pk, outbreak["chi"].pk, outbreak["dung"].pk, arrival.pk}
    assert {a.risk_group for a in waiting if a.person.pk == outbreak["dung"].pk} == {"f2"}
    assert queries.awaiting(user, today=D(2021, 8, 23)) == [
        w for w in queries.awaiting(user, today=D(2021, 8, 23)) if w.source == "request"
    ]


def test_overdue_tests(outbreak, camp, personas, monkeypatch):
    from phongdich.core.roles import Role
    from phongdich.testing import queries as testing_queries

    actions.place_person(None, outbreak["binh"], camp, entered_on=ENTERED)
    user = personas[Role.HEALTH]
    due = queries.overdue_tests(user, today=D(2021, 8, 16))
    assert [o.due_on for o in due] == [D(2021, 8, 8), D(2021, 8, 14)]
    monkeypatch.setattr(testing_queries, "sample_dates", lambda ids, since: {outbreak["binh"].pk: [D(2021, 8, 10)]})
    assert [o.due_on for o in queries.overdue_tests(user, today=D(2021, 8, 16))] == [D(2021, 8, 14)]
    monkeypatch.setattr(
        testing_queries, "sample_dates", lambda ids, since: {outbreak["binh"].pk: [D(2021, 8, 10), D(2021, 8, 14)]}
    )
    assert queries.overdue_tests(user, today=D(2021, 8, 16)) == []
    assert queries.overdue_tests(user, today=D(2021, 8, 22))[0].due_on == D(2021, 8, 21)


def test_watch_list_of_home_quarantine(outbreak, tree):
    from phongdich.community import watch

    home = actions.home_facility_for(tree.noong_bua)
    placement, _ = actions.place_person(None, outbreak["dung"], home, entered_on=ENTERED)
    items = watch.items_for([tree.to1], D(2021, 8, 12))
    mine = [i for i in items if i.kind == "home_quarantine"]
    assert [i.person_id for i in mine] == [outbreak["dung"].pk]
    assert mine[0].until == placement.end_date and str(placement.pk) in mine[0].url
    assert not [i for i in watch.items_for([tree.to2], D(2021, 8, 12)) if i.kind == "home_quarantine"]
    assert not [i for i in watch.items_for([tree.to1], D(2021, 8, 23)) if i.kind == "home_quarantine"]


def test_scope_person_area_or_facility_area(outbreak, far_camp, personas, outsider):
    from phongdich.core.roles import Role

    placement, _ = actions.place_person(None, outbreak["binh"], far_camp, entered_on=ENTERED)
    assert placement.facility == far_camp
    commune = personas[Role.COMMUNE]  # Noong Bua: Bình lives there, the camp is in Mường Nhé
    assert list(queries.placements_in_scope(commune)) == [placement]
    assert list(queries.placements_in_scope(outsider)) == [placement]  # Sín Thầu: the facility is there
    assert list(queries.placements_in_scope(personas[Role.FACILITY])) == [placement]  # city: the person
    assert PersonLevel.objects.filter(person__in=Person.objects.all()).exists()


def test_overdue_tests_with_real_samples(outbreak, camp, personas):
    """With the testing app's samples: a due test is done by a sample on or after the due day."""
    from django.utils import timezone

    from phongdich.core.roles import Role
    from phongdich.testing.actions import Taking, take_sample

    actions.place_person(None, outbreak["binh"], camp, entered_on=ENTERED)
    user = personas[Role.HEALTH]
    tz = timezone.get_current_timezone()

    def sample(day, code):
        when = datetime.datetime.combine(day, datetime.time(9), tzinfo=tz)
        take_sample(None, outbreak["binh"], Taking(barcode=code, place_kind="quarantine", taken_at=when))

    sample(D(2021, 8, 9), "QA000001")
    assert [o.due_on for o in queries.overdue_tests(user, today=D(2021, 8, 16))] == [D(2021, 8, 14)]
    sample(D(2021, 8, 15), "QA000002")
    assert queries.overdue_tests(user, today=D(2021, 8, 16)) == []


def test_bulk_write_path_of_large_batches(make_person, camp, monkeypatch):
    """The COPY path (PostgreSQL, large batches) writes the same rows as bulk_create; forced here for a small batch."""
    monkeypatch.setattr(actions, "COPY_FROM", 1)
    bus = [make_person(f"Khách {i}", sex="F") for i in range(3)]
    result = actions.place_people(
        None, bus, [camp], risk_group=RiskGroup.ARRIVAL, day_one=D(2021, 8, 12), entered_on=D(2021, 8, 12)
    )
    assert result.written and result.placed_count == 3
    rows = Placement.objects.filter(person__in=bus)
    assert rows.count() == 3 and {p.room.name for p in rows} == {"A2"}
    assert all(p.test_dates == ["2021-08-12", "2021-08-18", "2021-08-25"] and p.placed_at for p in rows)
    audit = AuditLog.objects.filter(action="quarantine.place", object_id__in=[str(p.pk) for p in rows])
    assert audit.count() == 3 and all(a.at and a.after["risk_group"] == "arrival" for a in audit)
    again = actions.place_people(  # the same people again: refused, nothing written
        None, bus, [camp], risk_group="arrival", day_one=D(2021, 8, 12), entered_on=D(2021, 8, 12)
    )
    assert not again.written and set(map(tuple, again.refused.values())) == {("active_placement",)}


def test_released_early_does_not_await_again(outbreak, camp, personas):
    from phongdich.core.roles import Role

    placement, _ = actions.place_person(None, outbreak["binh"], camp, entered_on=ENTERED)
    actions.release(None, placement, on=D(2021, 8, 12), early_reason="Wrongly listed as F1")
    waiting = queries.awaiting(personas[Role.COMMUNE], today=D(2021, 8, 13))
    assert outbreak["binh"].pk not in {a.person.pk for a in waiting}
    assert outbreak["chi"].pk in {a.person.pk for a in waiting}
