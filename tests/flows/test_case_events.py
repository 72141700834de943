"""Cases tell the other modules when they change (cases.events): quarantine and treatment follow."""

from __future__ import annotations

import datetime

from phongdich.cases.actions import create_case, rule_out_case, set_outcome
from phongdich.cases.models import Case
from phongdich.core.models import AuditLog
from phongdich.people.actions import PersonData, intake_person
from phongdich.people.models import Person
from phongdich.quarantine import actions as quarantine
from phongdich.quarantine.models import Placement, PlacementStatus
from phongdich.treatment import actions as treatment
from phongdich.treatment.actions import taken_beds
from phongdich.treatment.models import Admission, AdmissionEnd
from tests.conftest import Tree

D = datetime.date


def someone(tree: Tree, name: str) -> Person:
    return intake_person(None, PersonData(full_name=name, birth_date=D(1985, 4, 4), unit=tree.to1)).person


def test_a_person_in_quarantine_confirmed_as_f0_leaves_quarantine_and_flags_the_room(tree: Tree) -> None:
    person = someone(tree, "Lò Văn Khiêm")
    camp, _ = quarantine.create_facility(None, name="Trại cách ly", kind="centralised", unit=tree.noong_bua)
    room = quarantine.add_room(None, camp, name="P1", beds=4)
    placement, _ = quarantine.place_person(
        None, person, camp, risk_group="arrival", day_one=D(2021, 8, 2), entered_on=D(2021, 8, 2)
    )
    create_case(None, person, confirmed_on=D(2021, 8, 6))
    placement.refresh_from_db()
    room.refresh_from_db()
    assert placement.status == PlacementStatus.ENDED and room.flagged_at is not None
    assert not Placement.objects.filter(person=person, status=PlacementStatus.ACTIVE).exists()


def test_an_outcome_or_a_rule_out_recorded_on_the_case_ends_the_stay_and_frees_the_bed(tree: Tree) -> None:
    hospital, _ = treatment.create_facility(
        None, name="Bệnh viện tỉnh", kind="provincial_hospital", tier=3, unit=tree.noong_bua, beds={"oxygen": 2}
    )
    recovered, ruled_out = someone(tree, "Cà Văn Ón"), someone(tree, "Lường Thị Pọm")
    stays = {}
    for person in (recovered, ruled_out):
        case, _ = create_case(None, person, confirmed_on=D(2021, 8, 6), clinical_status="moderate")
        stays[person.pk], _ = treatment.admit(None, case, hospital, bed_kind="oxygen", on=D(2021, 8, 6))
    assert taken_beds(hospital)["oxygen"] == 2
    set_outcome(None, Case.objects.get(person=recovered), "recovered", D(2021, 8, 20))
    rule_out_case(None, Case.objects.get(person=ruled_out), "Kết quả dương tính giả")
    ended = {a.person_id: (a.ended_by, a.ended_on) for a in Admission.objects.all()}
    assert ended[recovered.pk] == (AdmissionEnd.RECOVERED, D(2021, 8, 20))
    assert ended[ruled_out.pk][0] == AdmissionEnd.RULED_OUT
    assert taken_beds(hospital)["oxygen"] == 0


def test_a_discharge_from_treatment_sets_the_outcome_once(tree: Tree) -> None:
    hospital, _ = treatment.create_facility(
        None, name="Trung tâm Y tế", kind="health_centre", tier=2, unit=tree.noong_bua, beds={"ordinary": 5}
    )
    case, _ = create_case(None, someone(tree, "Quàng Văn Nọi"), confirmed_on=D(2021, 8, 6), clinical_status="moderate")
    stay, _ = treatment.admit(None, case, hospital, bed_kind="ordinary", on=D(2021, 8, 6))
    treatment.discharge(None, stay, outcome="recovered", on=D(2021, 8, 18))
    assert AuditLog.objects.filter(action="case.outcome", object_id=str(case.pk)).count() == 1
    assert not AuditLog.objects.filter(action="treatment.close_for_case").exists()
