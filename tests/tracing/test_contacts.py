"""Recording contacts: validation, idempotency, audit, bulk results; candidates and the household seam."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from phongdich.core.models import AuditLog
from phongdich.people.models import Household
from phongdich.tracing import candidates
from phongdich.tracing.contacts import ContactItem, add_contact, add_contacts, remove_contact
from phongdich.tracing.models import Contact, ContactCandidate, ContactSource, PersonLevel
from tests.conftest import Tree
from tests.tracing.levels_helpers import World

D = datetime.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def world(tree: Tree) -> World:
    return World(tree)


def _add(w: World, a: str, b: str, **kw: object) -> tuple[Contact, bool]:
    fields: dict[str, object] = {
        "first_date": D(2021, 8, 9),
        "last_date": D(2021, 8, 9),
        "setting": "household",
        "proximity": "within_2m",
        "source": "interview",
    } | kw
    return add_contact(None, w.p(a), w.p(b), **fields)  # type: ignore[arg-type]


def test_create_is_idempotent_on_the_client_uuid(world: World) -> None:
    key = uuid.uuid4()
    first, created = _add(world, "A", "B", client_uuid=key)
    again, created_again = _add(world, "A", "B", client_uuid=key)
    assert created and not created_again and first.pk == again.pk
    assert Contact.objects.count() == 1
    assert AuditLog.objects.filter(action="contact.create").count() == 1
    assert first.province_code == "11"


@pytest.mark.parametrize(
    ("kw", "field", "message"),
    [
        ({"same": True}, "person_b", "chính mình"),
        ({"first_date": D(2021, 8, 10), "last_date": D(2021, 8, 9)}, "last_date", "không được trước"),
        ({"last_date": "future"}, "last_date", "tương lai"),
        ({"setting": "beach"}, "setting", "không hợp lệ"),
        ({"minutes": -5}, "minutes", "527.040"),
    ],
)
def test_bad_input_writes_nothing(world: World, kw: dict[str, object], field: str, message: str) -> None:
    world.case("X", D(2021, 8, 10))
    kw = dict(kw)
    b = "A" if kw.pop("same", False) else "B"
    if kw.get("last_date") == "future":
        kw["last_date"] = timezone.localdate() + datetime.timedelta(days=1)
    before = (Contact.objects.count(), AuditLog.objects.count(), PersonLevel.objects.count())
    with pytest.raises(ValidationError) as exc:
        _add(world, "A", b, **kw)
    assert message in " ".join(exc.value.message_dict[field])
    assert (Contact.objects.count(), AuditLog.objects.count(), PersonLevel.objects.count()) == before


def test_merged_record_is_refused(world: World) -> None:
    world.p("M").merged_into = world.p("N")
    world.p("M").save()
    with pytest.raises(ValidationError) as exc:
        _add(world, "M", "B")
    assert "đã được gộp" in exc.value.message_dict["person_a"][0]
    assert Contact.objects.count() == 0


def test_remove_is_audited_and_kept(world: World) -> None:
    contact, _ = _add(world, "A", "B")
    remove_contact(None, contact)
    contact.refresh_from_db()
    assert contact.removed_at is not None
    assert AuditLog.objects.filter(action="contact.remove", object_id=str(contact.pk)).count() == 1


def test_bulk_add_gives_a_result_per_item(world: World, personas: dict, outsider: object) -> None:
    from phongdich.core.roles import Role

    a, b, c = world.p("A"), world.p("B"), world.p("C")
    far = world.person("Far", unit=world.tree.sin_thau)
    far2 = world.person("Far2", unit=world.tree.sin_thau)
    key = uuid.uuid4()
    items = [
        ContactItem(a.pk, b.pk, D(2021, 8, 9), D(2021, 8, 9), client_uuid=key),
        ContactItem(a.pk, a.pk, D(2021, 8, 9), D(2021, 8, 9)),
        ContactItem(a.pk, uuid.uuid4(), D(2021, 8, 9), D(2021, 8, 9)),
        ContactItem(c.pk, far.pk, D(2021, 8, 9), D(2021, 8, 9)),  # one side inside the area is enough
        ContactItem(far.pk, far2.pk, D(2021, 8, 9), D(2021, 8, 9)),  # both outside: not found
        ContactItem(a.pk, b.pk, D(2021, 8, 9), D(2021, 8, 9), client_uuid=key),
    ]
    results = add_contacts(personas[Role.COMMUNE], items)
    assert [r.status for r in results] == ["created", "error", "error", "created", "error", "existing"]
    assert "person_b" in results[1].errors and "person_b" in results[2].errors
    assert "person_a" in results[4].errors
    assert results[5].contact_id == results[0].contact_id
    assert Contact.objects.count() == 2


def test_household_members_become_candidates_and_count_only_once_confirmed(world: World) -> None:
    home = Household.objects.create(code="HH-1")
    for name in ("X", "Wife", "Son"):
        world.person(name, household=home)
    world.contact("X", "Son", D(2021, 8, 9))  # already a contact: not proposed
    case = world.case("X", D(2021, 8, 10), onset=D(2021, 8, 8))
    pending = ContactCandidate.objects.filter(status=ContactCandidate.Status.PENDING)
    assert list(pending.values_list("other__full_name", flat=True)) == ["Lò Văn Wife"]
    cand = pending.get()
    assert cand.reason == ContactSource.HOUSEHOLD and cand.exposure_date == case.confirmed_on
    assert world.level("Wife") is None  # a candidate does not count
    assert candidates.propose_household(case) == []  # not twice
    contact = candidates.confirm(None, cand)
    assert contact.setting == "household" and contact.source == ContactSource.HOUSEHOLD
    assert world.level("Wife") == 1
    assert candidates.confirm(None, cand).pk == contact.pk  # idempotent
    assert Contact.objects.filter(removed_at__isnull=True).count() == 2


def test_reject_and_propose_seam(world: World) -> None:
    cand = candidates.propose(world.p("A"), world.p("B"), ContactSource.CHECKIN, D(2021, 8, 9), {"venue": "Chợ"})
    assert cand is not None
    assert candidates.propose(world.p("B"), world.p("A"), ContactSource.CHECKIN, D(2021, 8, 9), {}) is None
    assert candidates.propose(world.p("A"), world.p("A"), ContactSource.CHECKIN, D(2021, 8, 9), {}) is None
    candidates.reject(None, cand)
    cand.refresh_from_db()
    assert cand.status == ContactCandidate.Status.REJECTED
    with pytest.raises(ValidationError):
        candidates.confirm(None, cand)
    assert Contact.objects.count() == 0
