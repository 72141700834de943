"""cases.actions: code sequence, idempotency, refusals, the level engine and the task list."""

from __future__ import annotations

import datetime
import threading
import uuid

import pytest
from django.db import connection, connections
from django.utils import timezone

from phongdich.cases import actions
from phongdich.cases.models import Case, CaseCounter, CaseStatus, Cluster, Outcome
from phongdich.core.models import AuditLog
from phongdich.tracing import investigations
from phongdich.tracing.models import Investigation, PersonLevel, TracingTask
from tests.cases.conftest import CONFIRMED, EXPOSED, D, confirm, link, state

# Decided before any database set-up, so SQLite never builds the transactional fixture.
needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs real concurrent transactions (PostgreSQL)"
)


def level_of(person) -> tuple[int, str] | None:
    pl = PersonLevel.objects.filter(person=person).select_related("case").first()
    return (pl.level, pl.case.code) if pl else None


# Code sequence -------------------------------------------------------------------------


def test_codes_follow_the_province_sequence(make_person, personas):
    from phongdich.core.roles import Role

    a = confirm(make_person("Lò Văn Một"), personas[Role.HEALTH])
    b = confirm(make_person("Lò Văn Hai"))
    c = confirm(make_person("Lò Văn Ba"))
    assert [a.code, b.code, c.code] == ["ĐB-0001", "ĐB-0002", "ĐB-0003"]
    assert CaseCounter.objects.get(pk="11").value == 3
    assert a.province_id and a.commune_id and a.village_id == a.person.village_id
    assert a.created_by == personas[Role.HEALTH]
    assert a.rule_set is not None and a.rule_set.effective_from <= CONFIRMED
    assert AuditLog.objects.filter(action="case.create", object_id=str(a.pk)).exists()


def test_a_refused_confirmation_gives_its_number_back(make_person):
    p = make_person("Lò Văn Một")
    confirm(p)
    with pytest.raises(actions.CaseError):
        confirm(p)  # already active
    assert confirm(make_person("Lò Văn Hai")).code == "ĐB-0002"


def test_abbreviation_falls_back_to_the_province_code(settings):
    settings.PHONGDICH_PROVINCE_CODE = "45"
    assert actions.province_abbreviation() == "45"
    assert actions.province_abbreviation("11") == "ĐB"


@needs_postgresql
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_confirmations_get_distinct_codes(tree):
    from phongdich.people.actions import PersonData, intake_person

    people = [intake_person(None, PersonData(full_name=f"Lò Văn Số {i}", unit=tree.to1)).person for i in range(8)]
    codes: list[str] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(people))

    def work(person) -> None:
        try:
            barrier.wait()
            case, _ = actions.create_case(None, person, confirmed_on=CONFIRMED)
            codes.append(case.code)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(p,)) for p in people]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(codes) == [f"ĐB-{i:04d}" for i in range(1, 9)]


@needs_postgresql
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_confirmations_of_one_person_make_one_case(tree):
    from phongdich.people.actions import PersonData, intake_person

    person = intake_person(None, PersonData(full_name="Lò Văn Một", unit=tree.to1)).person
    outcomes: list[str] = []
    barrier = threading.Barrier(4)

    def work() -> None:
        try:
            barrier.wait()
            actions.create_case(None, person, confirmed_on=CONFIRMED)
            outcomes.append("created")
        except actions.CaseError as exc:
            outcomes.append(str(exc.status))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["409", "409", "409", "created"]
    assert Case.objects.count() == 1


# Idempotency and refusals --------------------------------------------------------------


def test_same_client_uuid_returns_the_first_case(make_person):
    p = make_person("Lò Văn Một")
    key = uuid.uuid4()
    first, created = actions.create_case(None, p, confirmed_on=CONFIRMED, client_uuid=key)
    again, created_again = actions.create_case(None, p, confirmed_on=CONFIRMED, client_uuid=key)
    assert created and not created_again and again.pk == first.pk
    assert Case.objects.count() == 1 and Investigation.objects.count() == 1


def test_a_second_active_case_is_refused_with_409_and_nothing_written(make_person):
    p = make_person("Lò Văn Một")
    case = confirm(p)
    before = state()
    with pytest.raises(actions.CaseError) as err:
        confirm(p, confirmed_on=CONFIRMED + datetime.timedelta(days=1))
    assert err.value.status == 409 and case.code in err.value.message
    assert state() == before


def test_after_recovery_or_ruling_out_a_new_case_is_allowed(make_person):
    p = make_person("Lò Văn Một")
    case = confirm(p)
    actions.set_outcome(None, case, Outcome.RECOVERED, CONFIRMED + datetime.timedelta(days=14))
    second = confirm(p, confirmed_on=D(2022, 1, 10))
    actions.rule_out_case(None, second, "RT-PCR khẳng định âm tính")
    third = confirm(p, confirmed_on=D(2022, 1, 20))
    assert [c.code for c in (case, second, third)] == ["ĐB-0001", "ĐB-0002", "ĐB-0003"]


def test_a_merged_record_is_refused(make_person):
    a = make_person("Lò Văn Một")
    b = make_person("Lò Văn Mốt")
    Person = type(a)
    Person.objects.filter(pk=b.pk).update(merged_into=a)
    b.refresh_from_db()
    with pytest.raises(actions.CaseError) as err:
        confirm(b)
    assert err.value.status == 409
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"confirmed_on": timezone.localdate() + datetime.timedelta(days=1)}, "confirmed_on"),
        ({"confirmed_on": D(2019, 12, 31)}, "confirmed_on"),
        ({"sample_date": CONFIRMED + datetime.timedelta(days=1)}, "sample_date"),
        ({"sample_date": CONFIRMED - datetime.timedelta(days=31)}, "sample_date"),
        ({"onset_date": CONFIRMED - datetime.timedelta(days=31)}, "onset_date"),
        ({"onset_date": timezone.localdate() + datetime.timedelta(days=1)}, "onset_date"),
        ({"detected_by": "rumour"}, "detected_by"),
        ({"clinical_status": "fine"}, "clinical_status"),
        ({"symptoms": [f"s{i}" for i in range(21)]}, "symptoms"),
    ],
)
def test_bad_fields_are_refused_with_the_field(make_person, fields, field):
    p = make_person("Lò Văn Một")
    before = state()
    fields.setdefault("confirmed_on", CONFIRMED)
    with pytest.raises(actions.CaseError) as err:
        actions.create_case(None, p, **fields)
    assert err.value.status == 422 and err.value.field == field
    assert state() == before


# Outcome --------------------------------------------------------------------------------


def test_outcome_dates_are_validated(make_person):
    p = make_person("Lò Văn Một")
    case = confirm(p, onset_date=CONFIRMED - datetime.timedelta(days=2))
    for outcome, date, field in [
        (Outcome.RECOVERED, None, "date"),
        (Outcome.RECOVERED, CONFIRMED - datetime.timedelta(days=1), "date"),
        (Outcome.DIED, timezone.localdate() + datetime.timedelta(days=1), "date"),
        (Outcome.UNDER_TREATMENT, CONFIRMED, "date"),
        ("cured", CONFIRMED, "outcome"),
    ]:
        with pytest.raises(actions.CaseError) as err:
            actions.set_outcome(None, case, outcome, date)
        assert err.value.field == field, (outcome, date)
    case.refresh_from_db()
    assert case.outcome == Outcome.UNDER_TREATMENT and case.outcome_date is None
    actions.set_outcome(None, case, Outcome.DIED, CONFIRMED + datetime.timedelta(days=5))
    case.refresh_from_db()
    assert (case.outcome, case.outcome_date) == (Outcome.DIED, CONFIRMED + datetime.timedelta(days=5))
    actions.set_outcome(None, case, Outcome.UNDER_TREATMENT, None)  # a correction
    case.refresh_from_db()
    assert case.outcome_date is None


def test_a_ruled_out_case_has_no_outcome_and_cannot_be_changed(make_person):
    case = confirm(make_person("Lò Văn Một"))
    actions.rule_out_case(None, case, "Dương tính giả")
    with pytest.raises(actions.CaseError) as err:
        actions.set_outcome(None, case, Outcome.RECOVERED, CONFIRMED)
    assert err.value.status == 409
    with pytest.raises(actions.CaseError) as err:
        actions.update_case(None, case, {"clinical_status": "mild"})
    assert err.value.status == 409
    with pytest.raises(actions.CaseError) as err:
        actions.rule_out_case(None, case, "again")
    assert err.value.status == 409
    with pytest.raises(actions.CaseError):
        actions.rule_out_case(None, case, "  ")


# Levels, investigation, tasks ----------------------------------------------------------


def test_confirmation_derives_levels_and_opens_the_investigation_with_tasks(chain):
    before = timezone.now()
    case = confirm(chain.an)
    after = timezone.now()
    assert level_of(chain.binh) == (1, "ĐB-0001")
    assert level_of(chain.chi) == (2, "ĐB-0001")
    assert level_of(chain.dung) == (3, "ĐB-0001")
    inv = Investigation.objects.get(case=case)
    assert inv.status == Investigation.Status.OPEN and inv.commune_id == case.commune_id
    tasks = {t.person_id: t for t in TracingTask.objects.filter(investigation=inv)}
    assert set(tasks) == {chain.binh.pk, chain.chi.pk}  # F3 self-monitor: no task
    f1, f2 = tasks[chain.binh.pk], tasks[chain.chi.pk]
    assert (f1.level, f2.level) == (1, 2)
    assert before + datetime.timedelta(hours=24) <= f1.due_at <= after + datetime.timedelta(hours=24)
    assert before + datetime.timedelta(hours=48) <= f2.due_at <= after + datetime.timedelta(hours=48)
    assert all(t.status == TracingTask.Status.TO_FIND for t in tasks.values())


def test_ruling_out_moves_levels_down_and_closes_the_investigation(chain):
    case = confirm(chain.an)
    actions.rule_out_case(None, case, "RT-PCR khẳng định âm tính")
    case.refresh_from_db()
    assert case.status == CaseStatus.RULED_OUT and case.ruled_out_on == timezone.localdate()
    assert not PersonLevel.objects.filter(case=case).exists()
    assert level_of(chain.binh) is None
    inv = Investigation.objects.get(case=case)
    assert inv.status == Investigation.Status.CLOSED and "RT-PCR" in inv.note
    assert AuditLog.objects.filter(action="case.rule_out", object_id=str(case.pk)).exists()


def test_ruling_out_calls_the_engine(chain, monkeypatch):
    case = confirm(chain.an)
    seen = []
    monkeypatch.setattr(actions.tracing_levels, "on_case_ruled_out", lambda c: seen.append(c.pk))
    actions.rule_out_case(None, case, "x")
    assert seen == [case.pk]


def test_a_second_case_takes_over_contacts_and_task_lists_follow(chain):
    first = confirm(chain.an)
    second = confirm(chain.chi, confirmed_on=CONFIRMED - datetime.timedelta(days=1))
    # Chi is now F0: Dung becomes F1 of the second case, Bình stays F1 of the first.
    assert level_of(chain.dung) == (1, second.code)
    assert level_of(chain.binh)[0] == 1
    first_tasks = set(TracingTask.objects.filter(investigation__case=first).values_list("person_id", flat=True))
    second_tasks = set(TracingTask.objects.filter(investigation__case=second).values_list("person_id", flat=True))
    assert chain.chi.pk not in first_tasks  # the new F0's untouched task went
    assert chain.dung.pk in second_tasks


def test_work_done_stays_when_a_contact_leaves_the_list(chain):
    case = confirm(chain.an)
    inv = case.investigation
    task = TracingTask.objects.get(investigation=inv, person=chain.chi)
    investigations.update_task(None, task, status=TracingTask.Status.FOUND, note="Đã cách ly tại nhà")
    PersonLevel.objects.filter(person=chain.chi).delete()
    PersonLevel.objects.filter(person=chain.binh).delete()
    result = investigations.sync_tasks(inv)
    assert result.removed == 1  # Bình's untouched task
    assert TracingTask.objects.filter(pk=task.pk, status=TracingTask.Status.FOUND).exists()


def test_contacts_added_later_get_tasks_on_sync(chain, make_person):
    case = confirm(chain.an)
    late = make_person("Hoàng Văn Muộn")
    link(chain.an, late, EXPOSED + datetime.timedelta(days=1))
    assert level_of(late) == (1, case.code)
    synced = investigations.sync_for_persons([chain.an.pk, late.pk])
    assert synced >= 1
    task = TracingTask.objects.get(investigation__case=case, person=late)
    assert task.level == 1 and task.due_at > timezone.now() + datetime.timedelta(hours=23)


def test_changing_the_dates_re_derives(chain):
    case = confirm(chain.an)
    assert level_of(chain.binh) == (1, case.code)
    # Confirmation moved a month later: the contact of 08/08 is outside the infectious window.
    actions.update_case(None, case, {"confirmed_on": D(2021, 9, 20)})
    assert level_of(chain.binh) is None
    assert not TracingTask.objects.filter(investigation__case=case, status=TracingTask.Status.TO_FIND).exists()


def test_update_case_fields_and_audit(make_person):
    case = confirm(make_person("Lò Văn Một"))
    cluster = actions.create_cluster(None, name="Ổ dịch chợ Mường Thanh", unit=case.commune)
    actions.update_case(
        None,
        case,
        {
            "clinical_status": "moderate",
            "symptoms": ["fever", " ho khan ", "fever"],
            "cluster": cluster,
            "national_code": " BN12345 ",
        },
    )
    case.refresh_from_db()
    assert case.clinical_status == "moderate" and case.symptoms == ["fever", "ho khan"]
    assert case.cluster == cluster and case.national_code == "BN12345"
    row = AuditLog.objects.filter(action="case.update", object_id=str(case.pk)).get()
    assert set(row.after) == {"clinical_status", "symptoms", "cluster", "national_code"}
    with pytest.raises(actions.CaseError):
        actions.update_case(None, case, {"code": "ĐB-9999"})


def test_cluster_codes_and_delete_rules(make_person, tree):
    a = actions.create_cluster(None, name="Ổ dịch A", unit=tree.noong_bua, first_date=CONFIRMED)
    b = actions.create_cluster(None, name="Ổ dịch B", unit=tree.city)
    assert a.code == "ĐB-OD-001" and b.code == "ĐB-OD-002"
    assert a.commune == tree.noong_bua and b.district == tree.city and b.commune is None
    confirm(make_person("Lò Văn Một"), cluster=a)
    with pytest.raises(actions.CaseError) as err:
        actions.delete_cluster(None, a)
    assert err.value.status == 409
    actions.delete_cluster(None, b)
    assert list(Cluster.objects.values_list("code", flat=True)) == ["ĐB-OD-001"]
    with pytest.raises(actions.CaseError):
        actions.create_cluster(None, name="  ", unit=tree.city)
