"""The browser pages to record contacts and check contact candidates (tracing/contact_views.py)."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation

from phongdich.cases import actions as case_actions
from phongdich.cases.models import Case
from phongdich.core.models import AuditLog, User
from phongdich.core.roles import ROLE_PERMS, Perm, Role
from phongdich.geo.scoping import lineage_columns
from phongdich.people.actions import PersonData, intake_person
from phongdich.people.models import Household, Person
from phongdich.people.validation import normalize_phone
from phongdich.policy.models import ContactSetting
from phongdich.tracing.contacts import add_contact
from phongdich.tracing.models import Contact, ContactCandidate, ContactSource, PersonLevel, Proximity, TracingTask
from tests.conftest import Tree, client_for

D = datetime.date
CONFIRMED = D(2021, 8, 10)  # under 5599/BYT-MT: F1–F3
EXPOSED = D(2021, 8, 8)

VIEWERS = [r for r in Role if Perm.CASE_VIEW in ROLE_PERMS[r]]
TRACERS = [r for r in Role if Perm.TRACE_EDIT in ROLE_PERMS[r]]
# Every persona but the checkpoint (Mường Nhé) covers Tổ dân phố 1, where the people live.
IN_SCOPE = [r for r in Role if r != Role.CHECKPOINT]


def make(name: str, tree: Tree, household: Household | None = None, **kw: Any) -> Person:
    intake = intake_person(None, PersonData(full_name=name, unit=tree.to1, household=household, **kw))
    assert intake.created
    return intake.person


def f0(person: Person) -> Case:
    case, created = case_actions.create_case(None, person, confirmed_on=CONFIRMED)
    assert created
    return case


def url(name: str, *args: Any) -> str:
    return reverse(f"contacts:{name}", args=args)


def exposure(**over: Any) -> dict[str, Any]:
    data = {
        "first_date": EXPOSED.isoformat(),
        "last_date": EXPOSED.isoformat(),
        "setting": ContactSetting.WORKPLACE,
        "proximity": Proximity.WITHIN_2M,
        "minutes": "30",
        "masked": "no",
        "note": "",
        "client_uuid": str(uuid.uuid4()),
    }
    data.update(over)
    return data


def vi(message: str) -> str:
    with translation.override("vi"):
        text = translation.gettext(message)
    assert text != message, f"not translated: {message}"
    return text


def written() -> tuple[int, int, int, int, int]:
    return (
        Contact.objects.count(),
        Contact.objects.filter(removed_at__isnull=False).count(),
        Person.objects.count(),
        ContactCandidate.objects.exclude(status=ContactCandidate.Status.PENDING).count(),
        PersonLevel.objects.count(),
    )


@pytest.fixture
def an(tree: Tree) -> Person:
    return make("Lò Văn An", tree, birth_date=D(1990, 1, 1))


@pytest.fixture
def binh(tree: Tree) -> Person:
    return make("Quàng Thị Bình", tree, birth_date=D(1992, 2, 2), phone=normalize_phone("0912345678"))


# Reading ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", list(Role))
def test_page_by_role(role: Role, personas: dict[Role, User], an: Person, binh: Person) -> None:
    add_contact(
        None,
        an,
        binh,
        first_date=EXPOSED,
        last_date=EXPOSED,
        setting=ContactSetting.HOUSEHOLD,
        proximity=Proximity.DIRECT,
        source=ContactSource.INTERVIEW,
    )
    response = client_for(personas[role]).get(url("person", an.pk))
    if role not in VIEWERS:
        assert response.status_code == 403
        return
    assert response.status_code == 200
    html = response.content.decode()
    assert "Quàng Thị Bình" in html
    assert "08/08/2021" in html
    assert (url("add", an.pk) in html) == (role in TRACERS)


def test_outsider_gets_404_everywhere(outsider: User, an: Person, binh: Person) -> None:
    contact, _ = add_contact(
        None,
        an,
        binh,
        first_date=EXPOSED,
        last_date=EXPOSED,
        setting=ContactSetting.HOUSEHOLD,
        proximity=Proximity.DIRECT,
        source=ContactSource.INTERVIEW,
    )
    client = client_for(outsider)
    before = written()
    assert client.get(url("person", an.pk)).status_code == 404
    assert client.get(url("search", an.pk), {"q": "Bình"}).status_code == 404
    assert client.post(url("add", an.pk), exposure(other=str(binh.pk))).status_code == 404
    assert client.post(url("remove", an.pk, contact.pk)).status_code == 404
    assert written() == before


def test_anonymous_is_sent_to_login(an: Person) -> None:
    response = client_for(None).get(url("person", an.pk))
    assert response.status_code == 302
    assert "login" in response["Location"]


# Adding ----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", list(Role))
def test_add_existing_person_by_role(role: Role, personas: dict[Role, User], an: Person, binh: Person) -> None:
    before = written()
    response = client_for(personas[role]).post(url("add", an.pk), exposure(other=str(binh.pk)))
    if role not in TRACERS or role not in IN_SCOPE:
        assert response.status_code == 403
        assert written() == before
        return
    assert response.status_code == 302, response.content.decode()[:2000]
    contact = Contact.objects.get()
    assert {contact.person_a_id, contact.person_b_id} == {an.pk, binh.pk}
    assert contact.setting == ContactSetting.WORKPLACE
    assert contact.minutes == 30
    assert contact.masked is False
    assert contact.recorded_by == personas[role]
    assert contact.source == ContactSource.INTERVIEW


def test_contact_of_an_f0_becomes_f1_and_a_task(personas: dict[Role, User], an: Person, binh: Person) -> None:
    case = f0(an)
    client = client_for(personas[Role.COMMUNE])
    response = client.post(url("add", an.pk), exposure(other=str(binh.pk)))
    assert response.status_code == 302
    assert PersonLevel.objects.get(person=binh).level == 1
    # The investigation's task list followed (sync_for_persons).
    task = TracingTask.objects.get(investigation__case=case, person=binh)
    assert task.level == 1
    page = client.get(url("person", an.pk)).content.decode()
    assert "F1" in page and case.code in page


def test_add_new_person(personas: dict[Role, User], tree: Tree, an: Person) -> None:
    f0(an)
    client = client_for(personas[Role.HEALTH_STATION])
    data = exposure(
        other="new",
        full_name="Lường Thị Chi",
        birth="1985",
        sex="F",
        phone="0987654321",
        commune=str(tree.noong_bua.pk),
        village=str(tree.to2.pk),
    )
    response = client.post(url("add", an.pk), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    chi = Person.objects.get(full_name="Lường Thị Chi")
    assert chi.village_id == tree.to2.pk
    assert chi.birth_year == 1985
    assert Contact.objects.filter(person_a=an, person_b=chi).count() == 1
    assert PersonLevel.objects.get(person=chi).level == 1
    # The same submit again (a double click, a retry): no second person, no second contact.
    again = client.post(url("add", an.pk), data)
    assert again.status_code == 302
    assert Person.objects.filter(full_name="Lường Thị Chi").count() == 1
    assert Contact.objects.count() == 1


def test_new_person_matching_a_registered_one_uses_it(personas: dict[Role, User], tree: Tree, an: Person) -> None:
    known = make("Lò Thị Dung", tree, id_number="011190000123")
    data = exposure(full_name="Lò Thị Dung", id_number="011190000123", sex="F", commune=str(tree.noong_bua.pk))
    response = client_for(personas[Role.COMMUNE]).post(url("add", an.pk), data)
    assert response.status_code == 302
    assert Person.objects.filter(id_number="011190000123").count() == 1
    assert Contact.objects.filter(person_b=known).count() == 1


def test_double_submit_same_client_uuid_one_contact(personas: dict[Role, User], an: Person, binh: Person) -> None:
    client = client_for(personas[Role.POLICE])
    data = exposure(other=str(binh.pk))
    assert client.post(url("add", an.pk), data).status_code == 302
    assert client.post(url("add", an.pk), data).status_code == 302
    assert Contact.objects.count() == 1
    # A new form (a new client UUID) is a new exposure.
    assert client.post(url("add", an.pk), exposure(other=str(binh.pk))).status_code == 302
    assert Contact.objects.count() == 2


@pytest.mark.parametrize(
    ("over", "field", "message"),
    [
        ({"last_date": "2021-08-01"}, "last_date", "The last exposure cannot be before the first one."),
        (
            {"first_date": "2099-01-01", "last_date": "2099-01-02"},
            "first_date",
            "An exposure date cannot be in the future.",
        ),
        ({"setting": "disco"}, "setting", None),
        ({"first_date": "32/13/2021"}, "first_date", None),
        ({"minutes": "-5"}, "minutes", None),
    ],
)
def test_bad_input_writes_nothing(
    over: dict[str, str], field: str, message: str | None, personas: dict[Role, User], tree: Tree, an: Person
) -> None:
    f0(an)
    before = written()
    audit = AuditLog.objects.count()
    # With a new person too: the person must not be created when the exposure is refused.
    data = exposure(full_name="Lường Văn Em", sex="M", commune=str(tree.noong_bua.pk), **over)
    response = client_for(personas[Role.COMMUNE]).post(url("add", an.pk), data)
    assert response.status_code == 400
    assert written() == before
    assert AuditLog.objects.count() == audit
    form = response.context["add_form"]
    assert field in form.errors
    html = response.content.decode()
    assert "Lường Văn Em" in html  # what was typed is kept
    if message:
        assert vi(message) in html
    assert vi("Please correct the errors below. Nothing was saved.") in html


def test_self_contact_and_unknown_other_refused(
    personas: dict[Role, User], outsider: User, tree: Tree, an: Person
) -> None:
    client = client_for(personas[Role.COMMUNE])
    before = written()
    response = client.post(url("add", an.pk), exposure(other=str(an.pk)))
    assert response.status_code == 400
    assert vi("A person cannot be their own contact.") in response.content.decode()
    far = make("Giàng A Páo", tree)
    Person.objects.filter(pk=far.pk).update(**lineage_columns(tree.sin_thau))
    # Someone outside the user's area cannot be picked by id.
    response = client.post(url("add", an.pk), exposure(other=str(far.pk)))
    assert response.status_code == 400
    assert vi("Choose the other person from the search results.") in response.content.decode()
    response = client.post(url("add", an.pk), exposure(other="not-a-uuid"))
    assert response.status_code == 400
    assert written() == (before[0], before[1], before[2] + 1, before[3], before[4])


def test_new_person_must_live_in_scope(personas: dict[Role, User], tree: Tree, an: Person) -> None:
    before = written()
    data = exposure(full_name="Giàng A Lử", sex="M", commune=str(tree.sin_thau.pk))
    response = client_for(personas[Role.COMMUNE]).post(url("add", an.pk), data)
    assert response.status_code == 400
    assert written() == before


def test_search(personas: dict[Role, User], an: Person, binh: Person) -> None:
    client = client_for(personas[Role.COMMUNE])
    response = client.get(url("search", an.pk), {"q": "binh"})
    assert response.status_code == 200
    assert "Quàng Thị Bình" in response.content.decode()
    assert str(binh.pk) in response.content.decode()
    # By phone; the person of the page is never offered.
    html = client.get(url("search", an.pk), {"q": "0912 345 678"}).content.decode()
    assert str(binh.pk) in html
    assert str(an.pk) not in client.get(url("search", an.pk), {"q": "Lò Văn An"}).content.decode()
    # The same search without HTMX: on the page itself.
    page = client.get(url("person", an.pk), {"q": "binh"}).content.decode()
    assert f'value="{binh.pk}"' in page
    # A viewer without TRACE_EDIT cannot search from here.
    assert client_for(personas[Role.STEERING]).get(url("search", an.pk), {"q": "binh"}).status_code == 403


# Removing --------------------------------------------------------------------------------


@pytest.mark.parametrize("role", list(Role))
def test_remove_by_role(role: Role, personas: dict[Role, User], an: Person, binh: Person) -> None:
    case = f0(an)
    contact, _ = add_contact(
        None,
        an,
        binh,
        first_date=EXPOSED,
        last_date=EXPOSED,
        setting=ContactSetting.HOUSEHOLD,
        proximity=Proximity.DIRECT,
        source=ContactSource.INTERVIEW,
    )
    assert PersonLevel.objects.get(person=binh).level == 1
    assert TracingTask.objects.filter(investigation__case=case, person=binh).exists()
    before = written()
    response = client_for(personas[role]).post(url("remove", an.pk, contact.pk))
    if role not in TRACERS or role not in IN_SCOPE:
        assert response.status_code == 403
        assert written() == before
        return
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.removed_at is not None
    assert contact.removed_by == personas[role]
    assert not PersonLevel.objects.filter(person=binh).exists()
    # The untouched task went with the level.
    assert not TracingTask.objects.filter(investigation__case=case, person=binh).exists()
    page = client_for(personas[role]).get(url("person", an.pk)).content.decode()
    assert "Quàng Thị Bình" not in page


def test_remove_needs_the_contact_of_this_person(
    personas: dict[Role, User], tree: Tree, an: Person, binh: Person
) -> None:
    chi = make("Lường Văn Chi", tree)
    contact, _ = add_contact(
        None,
        binh,
        chi,
        first_date=EXPOSED,
        last_date=EXPOSED,
        setting=ContactSetting.HOUSEHOLD,
        proximity=Proximity.DIRECT,
        source=ContactSource.INTERVIEW,
    )
    response = client_for(personas[Role.COMMUNE]).post(url("remove", an.pk, contact.pk))
    assert response.status_code == 404
    contact.refresh_from_db()
    assert contact.removed_at is None
    assert client_for(personas[Role.COMMUNE]).get(url("remove", binh.pk, contact.pk)).status_code == 405


# Candidates ------------------------------------------------------------------------------


@pytest.fixture
def household_candidate(tree: Tree) -> tuple[Case, Person, ContactCandidate]:
    household = Household.objects.create(code="HK-01", **lineage_columns(tree.to1))
    head = make("Lò Văn Hùng", tree, household=household)
    wife = make("Lò Thị Hoa", tree, household=household)
    case = f0(head)
    candidate = ContactCandidate.objects.get(person=head, other=wife)
    assert candidate.reason == ContactSource.HOUSEHOLD
    assert not PersonLevel.objects.filter(person=wife).exists()
    return case, wife, candidate


@pytest.mark.parametrize("role", list(Role))
def test_confirm_household_candidate_by_role(
    role: Role, personas: dict[Role, User], household_candidate: tuple[Case, Person, ContactCandidate]
) -> None:
    case, wife, candidate = household_candidate
    client = client_for(personas[role])
    page = client.get(url("person", case.person_id))
    if role in VIEWERS:
        html = page.content.decode()
        assert "Lò Thị Hoa" in html
        assert (url("confirm", case.person_id, candidate.pk) in html) == (role in TRACERS)
    prefix = f"c{candidate.pk.hex[:12]}"
    before = written()
    response = client.post(
        url("confirm", case.person_id, candidate.pk),
        {
            f"{prefix}-first_date": "10/08/2021",
            f"{prefix}-last_date": "10/08/2021",
            f"{prefix}-setting": ContactSetting.HOUSEHOLD,
            f"{prefix}-proximity": Proximity.DIRECT,
            f"{prefix}-masked": "",
        },
    )
    if role not in TRACERS or role not in IN_SCOPE:
        assert response.status_code == 403
        assert written() == before
        return
    assert response.status_code == 302
    candidate.refresh_from_db()
    assert candidate.status == ContactCandidate.Status.CONFIRMED
    contact = candidate.contact
    assert contact is not None
    assert contact.setting == ContactSetting.HOUSEHOLD
    assert contact.source == ContactSource.HOUSEHOLD
    assert contact.first_date == CONFIRMED
    assert PersonLevel.objects.get(person=wife).level == 1
    assert TracingTask.objects.filter(investigation__case=case, person=wife).exists()


def test_confirm_prefilled_and_from_the_other_side(
    personas: dict[Role, User], household_candidate: tuple[Case, Person, ContactCandidate]
) -> None:
    _case, wife, candidate = household_candidate
    client = client_for(personas[Role.COMMUNE])
    # The candidate is listed on the other member's page too, its form prefilled.
    response = client.get(url("person", wife.pk))
    form = next(r["form"] for r in response.context["candidates"] if r["candidate"].pk == candidate.pk)
    assert form.initial["setting"] == ContactSetting.HOUSEHOLD
    assert form.initial["first_date"] == CONFIRMED
    html = response.content.decode()
    assert 'value="2021-08-10"' in html
    prefix = f"c{candidate.pk.hex[:12]}"
    bad = client.post(
        url("confirm", wife.pk, candidate.pk),
        {
            f"{prefix}-first_date": "",
            f"{prefix}-last_date": "2021-08-10",
            f"{prefix}-setting": "household",
            f"{prefix}-proximity": "unknown",
        },
    )
    assert bad.status_code == 400
    assert Contact.objects.count() == 0
    candidate.refresh_from_db()
    assert candidate.status == ContactCandidate.Status.PENDING


@pytest.mark.parametrize("role", list(Role))
def test_reject_by_role(
    role: Role, personas: dict[Role, User], household_candidate: tuple[Case, Person, ContactCandidate]
) -> None:
    case, wife, candidate = household_candidate
    before = written()
    response = client_for(personas[role]).post(url("reject", case.person_id, candidate.pk))
    candidate.refresh_from_db()
    if role not in TRACERS or role not in IN_SCOPE:
        assert response.status_code == 403
        assert written() == before
        assert candidate.status == ContactCandidate.Status.PENDING
        return
    assert response.status_code == 302
    assert candidate.status == ContactCandidate.Status.REJECTED
    assert candidate.reviewed_by == personas[role]
    assert Contact.objects.count() == 0
    assert not PersonLevel.objects.filter(person=wife).exists()
    # No longer listed; a confirm afterwards is refused without writing.
    assert "Lò Thị Hoa" not in client_for(personas[role]).get(url("person", case.person_id)).content.decode()
    again = client_for(personas[role]).post(url("confirm", case.person_id, candidate.pk), {})
    assert again.status_code == 302
    assert Contact.objects.count() == 0


def test_candidate_of_another_person_is_404(
    personas: dict[Role, User], tree: Tree, household_candidate: tuple[Case, Person, ContactCandidate]
) -> None:
    _case, _wife, candidate = household_candidate
    stranger = make("Cà Văn Lả", tree)
    client = client_for(personas[Role.COMMUNE])
    assert client.post(url("reject", stranger.pk, candidate.pk)).status_code == 404
    assert client.post(url("confirm", stranger.pk, candidate.pk), {}).status_code == 404
    candidate.refresh_from_db()
    assert candidate.status == ContactCandidate.Status.PENDING


# Links -----------------------------------------------------------------------------------


def test_links_from_the_case_and_person_pages(personas: dict[Role, User], an: Person) -> None:
    case = f0(an)
    client = client_for(personas[Role.COMMUNE])
    target = url("person", an.pk)
    assert target in client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert target in client.get(reverse("people:detail", args=[an.pk])).content.decode()


def test_api_and_bulk_paths_sync_the_task_list(
    personas: dict[Role, User], tree: Tree, an: Person, binh: Person
) -> None:
    import json

    case = f0(an)
    client = client_for(personas[Role.COMMUNE])
    body = {
        "person_a_id": str(an.pk),
        "person_b_id": str(binh.pk),
        "first_date": "2021-08-08",
        "last_date": "2021-08-08",
    }
    response = client.post("/api/v1/tracing/contacts", json.dumps(body), content_type="application/json")
    assert response.status_code == 201, response.content
    assert TracingTask.objects.filter(investigation=case.investigation, person=binh, level=1).exists()
    chi = make("Lường Văn Chi", tree)
    bulk = {"items": [{**body, "person_a_id": str(binh.pk), "person_b_id": str(chi.pk)}]}
    response = client.post("/api/v1/tracing/contacts/bulk", json.dumps(bulk), content_type="application/json")
    assert response.status_code == 200 and response.json()[0]["status"] == "created"
    assert TracingTask.objects.filter(investigation=case.investigation, person=chi, level=2).exists()
    contact = Contact.objects.get(person_a=an, person_b=binh)
    assert client.delete(f"/api/v1/tracing/contacts/{contact.pk}").status_code == 200
    assert not TracingTask.objects.filter(investigation=case.investigation, person__in=[binh, chi]).exists()


def test_recording_a_contact_settles_the_pending_candidate_of_the_pair(tree) -> None:
    from phongdich.tracing.models import ContactCandidate
    from tests.tracing.levels_helpers import World

    w = World(tree)
    candidate = ContactCandidate.objects.create(
        person=w.p("A"), other=w.p("X"), reason="household", exposure_date=datetime.date(2021, 8, 9)
    )
    contact = w.contact("X", "A", datetime.date(2021, 8, 9))
    candidate.refresh_from_db()
    assert candidate.status == ContactCandidate.Status.CONFIRMED
    assert candidate.contact_id == contact.pk
