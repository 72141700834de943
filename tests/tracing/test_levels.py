"""F-level derivation against hand-worked scenarios.

Unless a test says otherwise the case X is confirmed on 10/08/2021 with onset 08/08/2021, under
5599/BYT-MT (infectious window 06/08 – 24/08; F1: 14 days centralised quarantine, tests on days
1, 7, 14; depth F3). The onward window of an F1 exposed on day e is [first exposure, e + 16]
(14 days of F1 quarantine + the 2-day margin).
"""

from __future__ import annotations

import datetime

import pytest

from phongdich.cases.models import CaseStatus
from phongdich.people.merging import merge_people
from phongdich.policy.models import Handling
from phongdich.tracing import levels
from phongdich.tracing.models import PersonLevel
from tests.conftest import Tree
from tests.tracing.levels_helpers import World

D = datetime.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def world(tree: Tree) -> World:
    return World(tree)


def chain(w: World) -> None:
    """X (F0) — A — B — C — E, contacts on 09/08, 12/08, 14/08, 15/08."""
    w.contact("X", "A", D(2021, 8, 9))
    w.contact("A", "B", D(2021, 8, 12))
    w.contact("B", "C", D(2021, 8, 14))
    w.contact("C", "E", D(2021, 8, 15))


def test_chain_f1_f2_f3_and_nothing_beyond_depth(world: World) -> None:
    chain(world)
    case = world.case("X", D(2021, 8, 10), onset=D(2021, 8, 8))
    assert world.levels() == {"A": 1, "B": 2, "C": 3}
    a = world.row("A")
    assert a.case_id == case.pk and a.via_person_id == world.p("X").pk
    assert a.exposed_on == D(2021, 8, 9)
    assert a.rule_set.code == "cv-5599-2021"
    assert a.handling == Handling.CENTRALISED
    assert a.handling_until == D(2021, 8, 23)
    assert a.test_dates == ["2021-08-09", "2021-08-15", "2021-08-22"]
    b = world.row("B")
    assert b.via_person_id == world.p("A").pk and b.handling == Handling.HOME and b.exposed_on == D(2021, 8, 12)
    assert world.row("C").handling == Handling.SELF_MONITOR
    # The F0 has no level of their own.
    assert world.level("X") is None


def test_explain_and_chain_text(world: World) -> None:
    chain(world)
    world.case("X", D(2021, 8, 10), onset=D(2021, 8, 8))
    steps = levels.explain(world.p("C"))
    assert [(s.person_id, s.level) for s in steps] == [
        (world.p("C").pk, 3),
        (world.p("B").pk, 2),
        (world.p("A").pk, 1),
        (world.p("X").pk, 0),
    ]
    assert steps[0].contact_date == D(2021, 8, 14) and steps[-1].case_code == "ĐB-0001"
    assert levels.chain_text(world.p("C")) == "F3 — qua Lò Văn B (F2) — qua Lò Văn A (F1) — qua ca bệnh ĐB-0001"
    assert levels.explain(world.p("E")) == []
    assert levels.explain(world.p("X"))[0].level == 0


def test_two_paths_the_shorter_wins(world: World) -> None:
    chain(world)
    world.contact("X", "C", D(2021, 8, 11))  # C is also a direct contact of the F0
    world.case("X", D(2021, 8, 10), onset=D(2021, 8, 8))
    assert world.level("C") == 1
    assert world.level("E") == 2  # through C (F1) now
    assert world.row("E").via_person_id == world.p("C").pk


def test_two_paths_of_one_level_the_earliest_exposure_wins(world: World) -> None:
    world.contact("X", "A", D(2021, 8, 9))
    world.contact("X", "B", D(2021, 8, 9))
    world.contact("A", "H", D(2021, 8, 15))
    world.contact("B", "H", D(2021, 8, 13))
    world.case("X", D(2021, 8, 10), onset=D(2021, 8, 8))
    h = world.row("H")
    assert (h.level, h.via_person_id, h.exposed_on) == (2, world.p("B").pk, D(2021, 8, 13))


def test_contact_outside_the_infectious_window_gives_no_level(world: World) -> None:
    world.contact("X", "O", D(2021, 7, 20), D(2021, 8, 5))  # ends the day before the window opens
    world.contact("X", "P", D(2021, 8, 25), D(2021, 8, 30))  # starts after it closed
    world.contact("X", "Q", D(2021, 7, 20), D(2021, 8, 6))  # last day inside
    world.case("X", D(2021, 8, 10), onset=D(2021, 8, 8))
    assert world.levels() == {"Q": 1}
    assert world.row("Q").exposed_on == D(2021, 8, 6)


def test_onward_window_of_an_f1(world: World) -> None:
    world.contact("X", "A", D(2021, 8, 9))
    world.contact("A", "Z", D(2021, 8, 1))  # before A was exposed
    world.contact("A", "Y", D(2021, 8, 26))  # after 09/08 + 16 days
    world.contact("A", "V", D(2021, 8, 25))  # the last day of A's onward window
    world.case("X", D(2021, 8, 10), onset=D(2021, 8, 8))
    assert world.levels() == {"A": 1, "V": 2}


def test_cycles_terminate(world: World) -> None:
    for a, b in [("X", "A"), ("A", "B"), ("B", "C"), ("C", "A"), ("B", "X"), ("C", "C2"), ("C2", "A")]:
        world.contact(a, b, D(2021, 8, 11))
    world.case("X", D(2021, 8, 10), onset=D(2021, 8, 8))
    assert world.levels() == {"A": 1, "B": 1, "C": 2, "C2": 2}


def test_ruled_out_case_levels_go(world: World) -> None:
    chain(world)
    case = world.case("X", D(2021, 8, 10), onset=D(2021, 8, 8))
    case.status = CaseStatus.RULED_OUT
    case.save()
    levels.on_case_ruled_out(case)
    assert world.levels() == {}


def test_ruled_out_case_levels_move_to_another_root(world: World) -> None:
    chain(world)
    world.contact("W", "B", D(2021, 8, 20))
    world.contact("X", "G", D(2021, 8, 9))
    world.contact("W", "G", D(2021, 8, 22))
    x = world.case("X", D(2021, 8, 10), onset=D(2021, 8, 8))
    w_case = world.case("W", D(2021, 8, 21))  # window 19/08 – 04/09
    # B: F2 of X but F1 of W; G: F1 of both, X's exposure (09/08) is the earlier one.
    assert world.levels() == {"A": 1, "B": 1, "C": 3, "G": 1}
    assert world.row("B").case_id == w_case.pk
    assert world.row("C").case_id == x.pk
    assert world.row("G").case_id == x.pk
    x.status = CaseStatus.RULED_OUT
    x.save()
    levels.on_case_ruled_out(x)
    # A and C came only from X (their contacts with B were before B's exposure to W).
    assert world.levels() == {"B": 1, "G": 1}
    assert world.row("G").case_id == w_case.pk
    assert world.row("G").exposed_on == D(2021, 8, 22)


def test_ruled_out_person_becomes_an_ordinary_contact(world: World) -> None:
    world.contact("W", "X", D(2021, 8, 20))
    x = world.case("X", D(2021, 8, 10), onset=D(2021, 8, 8))
    world.case("W", D(2021, 8, 21))
    assert world.level("X") is None
    x.status = CaseStatus.RULED_OUT
    x.save()
    levels.on_case_ruled_out(x)
    assert world.level("X") == 1


def test_person_becoming_f0_loses_their_level_and_their_contacts_move_up(world: World) -> None:
    chain(world)
    world.case("X", D(2021, 8, 10), onset=D(2021, 8, 8))
    world.case("A", D(2021, 8, 13), onset=D(2021, 8, 12))
    assert world.level("A") is None
    assert world.levels() == {"B": 1, "C": 2, "E": 3}
    assert world.row("B").via_person_id == world.p("A").pk


def test_removing_a_contact(world: World) -> None:
    chain(world)
    world.contact("X", "F", D(2021, 8, 9))
    world.contact("F", "C", D(2021, 8, 13))
    world.contact("F", "B", D(2021, 8, 13))
    world.case("X", D(2021, 8, 10), onset=D(2021, 8, 8))
    assert world.levels() == {"A": 1, "B": 2, "C": 2, "E": 3, "F": 1}
    assert world.row("B").via_person_id == world.p("A").pk  # 12/08 through A before 13/08 through F
    xa = PersonLevel.objects.get(person=world.p("A")).via_contact
    assert xa is not None
    world.remove(xa)
    # A loses their level; B moves to the path through F; C and E keep theirs.
    assert world.levels() == {"B": 2, "C": 2, "E": 3, "F": 1}
    assert world.row("B").via_person_id == world.p("F").pk
    world.remove(xa)  # removing twice is a no-op
    assert world.levels() == {"B": 2, "C": 2, "E": 3, "F": 1}
    world.remove(PersonLevel.objects.get(person=world.p("F")).via_contact)  # type: ignore[arg-type]
    assert world.levels() == {}


def test_adding_a_contact_later(world: World) -> None:
    world.case("X", D(2021, 8, 10), onset=D(2021, 8, 8))
    world.contact("A", "B", D(2021, 8, 12))
    assert world.levels() == {}
    world.contact("X", "A", D(2021, 8, 9))
    assert world.levels() == {"A": 1, "B": 2}


def test_recompute_all_gives_the_incremental_result(world: World) -> None:
    chain(world)
    world.contact("X", "F", D(2021, 8, 9))
    world.contact("F", "C", D(2021, 8, 16))
    world.contact("W", "E", D(2021, 8, 20))
    world.case("X", D(2021, 8, 10), onset=D(2021, 8, 8))
    world.case("W", D(2021, 8, 21))
    before = world.snapshot()
    assert levels.recompute_all() == len(before)
    assert world.snapshot() == before


def test_rule_sets_change_over_time(world: World) -> None:
    # 2020: 5053 — F1 14 days of centralised quarantine.
    world.contact("X20", "A20", D(2020, 7, 28))
    world.case("X20", D(2020, 7, 29))
    a = world.row("A20")
    assert (a.rule_set.code, a.handling, a.handling_until) == ("qd-5053-2020", Handling.CENTRALISED, D(2020, 8, 11))
    # Feb 2022: 762 — 5 days, PCR on day 5.
    world.contact("X22", "A22", D(2022, 2, 24))
    world.case("X22", D(2022, 2, 25))
    a = world.row("A22")
    assert (a.rule_set.code, a.handling, a.handling_until) == ("cv-762-2022", Handling.HOME, D(2022, 3, 1))
    assert a.test_dates == ["2022-02-28"]
    # Apr 2022: 1909 — F1 only, no quarantine: 10 days of self-monitoring.
    world.contact("X4", "A4", D(2022, 4, 19))
    world.contact("A4", "B4", D(2022, 4, 20))
    world.case("X4", D(2022, 4, 20))
    a = world.row("A4")
    assert (a.rule_set.code, a.handling, a.handling_until) == ("cv-1909-2022", Handling.SELF_MONITOR, D(2022, 4, 29))
    assert world.level("B4") is None


def test_handling_follows_the_rule_set_of_the_exposure_date(world: World) -> None:
    # Confirmed under 762 (depth F3), exposed after 1909 came into force.
    world.contact("X", "A", D(2022, 4, 16))
    world.contact("A", "B", D(2022, 4, 17))
    world.case("X", D(2022, 4, 12))
    a, b = world.row("A"), world.row("B")
    assert (a.rule_set.code, a.handling) == ("cv-1909-2022", Handling.SELF_MONITOR)
    assert (b.level, b.rule_set.code, b.handling) == (2, "cv-1909-2022", Handling.NONE)


def test_merged_person(world: World) -> None:
    world.contact("X", "M2", D(2021, 8, 9))
    world.contact("M2", "B", D(2021, 8, 12))
    world.person("M1")
    world.case("X", D(2021, 8, 10), onset=D(2021, 8, 8))
    assert world.levels() == {"M2": 1, "B": 2}
    merge_people(None, world.p("M1"), world.p("M2"))
    world.p("M2").refresh_from_db()
    levels.on_person_merged(world.p("M1"))
    assert world.levels() == {"M1": 1, "B": 2}
    assert world.row("B").via_person_id == world.p("M1").pk
    level = levels.level_for(world.p("M2"))  # the merged record shows the active record's level
    assert level is not None and level.person_id == world.p("M1").pk


def test_province_rule_set_wins(world: World) -> None:
    from phongdich.policy.actions import copy_rule_set

    national = levels.RuleBook.load().on(D(2021, 8, 9), None)
    own = copy_rule_set(None, national, province=world.tree.province)
    own.level_rules.filter(level=1).update(handling=Handling.HOME, days=10)
    world.contact("X", "A", D(2021, 8, 9))
    world.case("X", D(2021, 8, 10), onset=D(2021, 8, 8))
    a = world.row("A")
    assert (a.rule_set_id, a.handling, a.handling_until) == (own.pk, Handling.HOME, D(2021, 8, 19))


def test_through_the_case_actions(world: World) -> None:
    """The cases module's create / rule-out actions keep the levels true (the agreed interface)."""
    from phongdich.cases.actions import create_case, rule_out_case

    chain(world)
    case, created = create_case(None, world.p("X"), confirmed_on=D(2021, 8, 10), onset_date=D(2021, 8, 8))
    assert created and case.rule_set is not None and case.rule_set.code == "cv-5599-2021"
    assert world.levels() == {"A": 1, "B": 2, "C": 3}
    assert levels.chain_text(world.p("B")) == f"F2 — qua Lò Văn A (F1) — qua ca bệnh {case.code}"
    rule_out_case(None, case, "Kết quả dương tính giả")
    assert world.levels() == {}
