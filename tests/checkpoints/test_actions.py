"""Checkpoint actions: passages and their outcomes, bulk sync, vehicles, violations, arrivals."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.utils import timezone

from phongdich.cases import actions as case_actions
from phongdich.checkpoints import actions
from phongdich.checkpoints.actions import CheckpointError, Passenger, SyncItem
from phongdich.checkpoints.models import (
    Arrival,
    ArrivalSource,
    ArrivalStatus,
    Passage,
    PassageOutcome,
    Vehicle,
    Violation,
    ViolationKind,
)
from phongdich.core.models import AuditLog
from phongdich.core.roles import Role
from phongdich.quarantine.models import PlacementRequest, RiskGroup
from phongdich.tracing.models import ContactCandidate, ContactSource
from tests.checkpoints.conftest import hours_ago, state


def test_a_let_through_notifies_the_destination_commune(make_person, checkpoint, tree, personas):
    p = make_person("Lò Văn Về")
    officer = personas[Role.CHECKPOINT]
    passage, created = actions.record_passage(
        officer,
        checkpoint,
        p,
        outcome=PassageOutcome.LET_THROUGH,
        destination_commune=tree.noong_bua,
        origin=tree.quyet_thang,
    )
    assert created and passage.officer == officer and passage.district_id == tree.muong_nhe.pk
    assert passage.status_shown["person_id"] == str(p.pk) and passage.rule_set is not None
    arrival = Arrival.objects.get(passage=passage)
    assert arrival.commune_id == tree.noong_bua.pk and arrival.source == ArrivalSource.CHECKPOINT
    assert not arrival.home_monitoring and arrival.status == ArrivalStatus.PENDING
    assert AuditLog.objects.filter(action="checkpoint.passage", object_id=str(passage.pk)).exists()


def test_home_monitoring_is_carried_to_the_arrival(make_person, checkpoint, tree):
    p = make_person("Lò Văn Về")
    passage, _ = actions.record_passage(
        None, checkpoint, p, outcome=PassageOutcome.HOME_MONITORING, destination_commune=tree.noong_bua
    )
    assert passage.arrival.home_monitoring


def test_turned_back_notifies_nobody(make_person, checkpoint, tree):
    p = make_person("Lò Văn Về")
    actions.record_passage(None, checkpoint, p, outcome=PassageOutcome.TURNED_BACK, destination_commune=tree.noong_bua)
    assert not Arrival.objects.exists()


def test_sent_to_quarantine_creates_the_placement_request(make_person, checkpoint, tree):
    p = make_person("Lò Văn Về")
    cu = uuid.uuid4()
    passage, _ = actions.record_passage(
        None, checkpoint, p, outcome=PassageOutcome.SENT_TO_QUARANTINE, origin=tree.quyet_thang, client_uuid=cu
    )
    req = PlacementRequest.objects.get(person=p)
    assert passage.placement_request_id == req.pk and req.risk_group == RiskGroup.ARRIVAL
    assert req.day_one == timezone.localdate(passage.passed_at)
    again, created = actions.record_passage(
        None, checkpoint, p, outcome=PassageOutcome.SENT_TO_QUARANTINE, client_uuid=cu
    )
    assert not created and again == passage and PlacementRequest.objects.count() == 1


def test_an_f0_cannot_be_sent_to_quarantine_and_nothing_is_written(make_person, checkpoint):
    p = make_person("Lò Văn Không")
    case_actions.create_case(None, p, confirmed_on=timezone.localdate())
    before = state()
    with pytest.raises(CheckpointError) as exc:
        actions.record_passage(None, checkpoint, p, outcome=PassageOutcome.SENT_TO_QUARANTINE)
    assert exc.value.status == 409
    assert state() == before


@pytest.mark.parametrize(
    "kw, field",
    [
        ({"outcome": "waved"}, "outcome"),
        ({"outcome": "let_through", "direction": "sideways"}, "direction"),
        ({"outcome": "let_through", "passed_at": "future"}, "passed_at"),
        ({"outcome": "let_through", "passed_at": "old"}, "passed_at"),
        ({"outcome": "let_through", "destination_commune": "district"}, "destination_commune"),
    ],
)
def test_bad_passages_are_refused_and_write_nothing(make_person, checkpoint, tree, kw, field):
    p = make_person("Lò Văn Về")
    if kw.get("passed_at") == "future":
        kw["passed_at"] = timezone.now() + datetime.timedelta(hours=2)
    elif kw.get("passed_at") == "old":
        kw["passed_at"] = datetime.datetime(2019, 6, 1, tzinfo=datetime.UTC)
    if kw.get("destination_commune") == "district":
        kw["destination_commune"] = tree.city
    before = state()
    with pytest.raises(CheckpointError) as exc:
        actions.record_passage(None, checkpoint, p, **kw)
    assert exc.value.field == field
    assert state() == before


def test_the_same_client_uuid_never_duplicates(make_person, checkpoint, tree):
    p = make_person("Lò Văn Về")
    cu = uuid.uuid4()
    a, c1 = actions.record_passage(
        None, checkpoint, p, outcome="let_through", destination_commune=tree.noong_bua, client_uuid=cu
    )
    b, c2 = actions.record_passage(
        None, checkpoint, p, outcome="let_through", destination_commune=tree.noong_bua, client_uuid=cu
    )
    assert (c1, c2) == (True, False) and a == b
    assert Passage.objects.count() == 1 and Arrival.objects.count() == 1


def test_bulk_sync_is_idempotent(make_person, checkpoint, tree):
    known = make_person("Lò Văn Về", id_number="110000001111")
    items = [
        SyncItem(
            uuid.uuid4(), "let_through", hours_ago(2), id_number="1100 0000 1111", destination_commune=tree.noong_bua
        ),
        SyncItem(
            uuid.uuid4(),
            "home_monitoring",
            hours_ago(1),
            id_number="110000002222",
            full_name="Cà Văn Mới",
            destination_commune=tree.noong_bua,
        ),
        SyncItem(uuid.uuid4(), "waved", hours_ago(1), id_number="110000001111"),
        SyncItem(uuid.uuid4(), "let_through", hours_ago(1), id_number="110000003333"),  # unknown, no name
    ]
    first = actions.sync_passages(None, checkpoint, items)
    assert [r.status for r in first] == ["new", "new", "error", "error"]
    assert first[2].errors == {"outcome": first[2].detail} and "full_name" in first[3].errors
    assert Passage.objects.filter(person=known).count() == 1
    new_person = Passage.objects.get(client_uuid=items[1].client_uuid).person
    assert new_person.full_name == "Cà Văn Mới" and new_person.commune_id == tree.noong_bua.pk
    assert all(p.synced for p in Passage.objects.all())
    counts = (Passage.objects.count(), Arrival.objects.count(), AuditLog.objects.count())

    second = actions.sync_passages(None, checkpoint, items[:2])
    assert [r.status for r in second] == ["known", "known"]
    assert [r.passage_id for r in second] == [r.passage_id for r in first[:2]]
    assert (Passage.objects.count(), Arrival.objects.count(), AuditLog.objects.count()) == counts


# Vehicles -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "plate, compact, shown", [("27b-012.34", "27B01234", "27B-012.34"), ("29A12345", "29A12345", "29A-123.45")]
)
def test_plates_are_stored_normalised(plate, compact, shown, db):
    v, created = actions.register_vehicle(None, plate, kind="coach", seats=29)
    assert created and (v.plate, v.plate_display) == (compact, shown)
    again, created = actions.register_vehicle(None, shown.lower())
    assert again == v and not created


@pytest.mark.parametrize("plate", ["", "ABC", "hello-world", "1" * 30])
def test_a_bad_plate_is_refused(plate, checkpoint, make_person):
    p = make_person("Lò Văn Lái")
    before = state()
    with pytest.raises(CheckpointError) as exc:
        actions.record_vehicle_passage(None, checkpoint, plate=plate, seats=4, passengers=[Passenger(p)])
    assert exc.value.field == "plate"
    assert state() == before


def test_over_capacity_is_flagged_and_recorded_against_vehicle_owner_and_driver(checkpoint, make_person, tree):
    driver, owner = make_person("Lò Văn Lái"), make_person("Lò Văn Chủ")
    people = [make_person(f"Khách {i}") for i in range(5)]
    vp, _ = actions.record_vehicle_passage(
        None,
        checkpoint,
        plate="27B-012.34",
        kind="car",
        seats=4,
        driver=driver,
        owner=owner,
        passengers=[Passenger(p, destination_commune=tree.noong_bua) for p in people],
        origin=tree.quyet_thang,
    )
    assert vp.over_capacity and vp.passengers == 5
    v = Violation.objects.get()
    assert v.kind == ViolationKind.OVER_CAPACITY and v.vehicle == vp.vehicle
    assert (v.owner, v.driver, v.vehicle_passage) == (owner, driver, vp) and v.district_id == tree.muong_nhe.pk
    assert vp.people.count() == 5 and Arrival.objects.count() == 5


def test_within_capacity_records_no_violation(checkpoint, make_person):
    vp, _ = actions.record_vehicle_passage(None, checkpoint, plate="27B-012.34", seats=4, people_carried=4)
    assert not vp.over_capacity and not Violation.objects.exists()


def test_a_passenger_confirmed_f0_makes_the_others_candidates(checkpoint, make_person):
    driver = make_person("Lò Văn Lái")
    a, b, c = make_person("Khách A"), make_person("Khách B"), make_person("Khách C")
    actions.record_vehicle_passage(
        None,
        checkpoint,
        plate="27B-012.34",
        kind="coach",
        seats=29,
        driver=driver,
        passengers=[Passenger(a), Passenger(b), Passenger(c)],
    )
    lone = make_person("Khách khác xe")
    actions.record_vehicle_passage(None, checkpoint, plate="29A-123.45", seats=4, passengers=[Passenger(lone)])
    case_actions.create_case(None, a, confirmed_on=timezone.localdate())
    found = ContactCandidate.objects.filter(person=a, reason=ContactSource.VEHICLE)
    assert {x.other for x in found} == {b, c, driver}
    assert found.first().evidence["plate"] == "27B-012.34"


# Violations ----------------------------------------------------------------------------------


def test_record_violation_against_a_person_is_idempotent(make_person, personas, tree):
    p = make_person("Lò Văn Khai")
    cu = uuid.uuid4()
    actor = personas[Role.COMMUNE]
    v1 = actions.record_violation(actor, ViolationKind.UNTRUTHFUL_DECLARATION, person=p, note="sai", client_uuid=cu)
    v2 = actions.record_violation(actor, ViolationKind.UNTRUTHFUL_DECLARATION, person=p, client_uuid=cu)
    assert v1 == v2 and Violation.objects.count() == 1
    assert v1.commune_id == tree.noong_bua.pk and v1.recorded_by == actor


def test_record_violation_refuses_nonsense(make_person):
    before = state()
    with pytest.raises(CheckpointError):
        actions.record_violation(None, "speeding", person=make_person("X Y"))
    with pytest.raises(CheckpointError):
        actions.record_violation(None, ViolationKind.DODGING_CHECKPOINT)
    assert Violation.objects.count() == 0 and Vehicle.objects.count() == before[3].__len__()


# Arrivals -------------------------------------------------------------------------------------


def test_the_commune_confirms_an_arrival_once(make_person, checkpoint, tree, personas):
    p = make_person("Lò Văn Về")
    passage, _ = actions.record_passage(None, checkpoint, p, outcome="let_through", destination_commune=tree.noong_bua)
    arrival = actions.confirm_arrival(personas[Role.COMMUNE], passage.arrival)
    assert arrival.status == ArrivalStatus.CONFIRMED and arrival.confirmed_by == personas[Role.COMMUNE]
    n = AuditLog.objects.count()
    assert actions.confirm_arrival(personas[Role.COMMUNE], arrival).confirmed_at == arrival.confirmed_at
    assert AuditLog.objects.count() == n


def test_a_family_report_matches_a_resident_of_the_commune_only(make_person, tree):
    home = make_person("Lò Văn Về", unit=tree.to1, id_number="110000005555")
    report = actions.FamilyReport("Lò Văn Về", tree.noong_bua, timezone.localdate(), id_number="110000005555")
    arrival, created = actions.report_return(report, client_uuid=uuid.uuid4())
    assert created and arrival.person == home and arrival.source == ArrivalSource.FAMILY
    elsewhere = actions.FamilyReport("Lò Văn Về", tree.him_lam, timezone.localdate(), id_number="110000005555")
    assert actions.report_return(elsewhere)[0].person is None


def test_confirming_an_absent_citizen_home_ends_the_absence(make_person, checkpoint, tree, personas):
    from phongdich.people.actions import set_residence
    from phongdich.people.models import ResidenceStatus

    p = make_person("Lò Văn Về", unit=tree.to1)
    set_residence(
        None, p, ResidenceStatus.TEMPORARILY_ABSENT, started_on=timezone.localdate() - datetime.timedelta(days=90)
    )
    elsewhere = make_person("Lò Văn Khác", unit=tree.to1)
    set_residence(None, elsewhere, ResidenceStatus.TEMPORARILY_ABSENT)
    home, _ = actions.record_passage(None, checkpoint, p, outcome="home_monitoring", destination_commune=tree.noong_bua)
    away, _ = actions.record_passage(
        None, checkpoint, elsewhere, outcome="let_through", destination_commune=tree.him_lam
    )
    p.refresh_from_db()
    assert p.residence_status == ResidenceStatus.TEMPORARILY_ABSENT  # not before the commune confirms
    actions.confirm_arrival(personas[Role.COMMUNE], home.arrival)
    actions.confirm_arrival(personas[Role.HEALTH], away.arrival)
    p.refresh_from_db()
    elsewhere.refresh_from_db()
    assert p.residence_status == ResidenceStatus.PERMANENT
    assert p.residence_records.get(ended_on__isnull=True).started_on == home.arrival.arrived_on
    assert elsewhere.residence_status == ResidenceStatus.TEMPORARILY_ABSENT  # went to another commune
