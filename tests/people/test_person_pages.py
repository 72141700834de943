"""Web pages of the person registry, for every role: search, person page, create/edit, residence, duplicates."""

from __future__ import annotations

import datetime

import pytest
from django.utils.html import escape

from phongdich.core.models import AccessLog, AuditLog
from phongdich.core.roles import Perm, Role, role_has
from phongdich.people.models import DuplicateCandidate, Household, Person, PersonMerge, ResidenceRecord, ResidenceStatus
from tests.conftest import PERSONA_UNITS, client_for
from tests.people.conftest import vi

# Roles whose unit contains Tổ dân phố 1 (Noong Bua, city of Điện Biên Phủ).
SEES_NOONG_BUA = {r for r, unit in PERSONA_UNITS.items() if unit in ("province", "city", "noong_bua", "to1")}


def _form(tree, **kw):
    data = {
        "full_name": "quàng văn  nam",
        "id_number": "011 088 000 111",
        "birth": "02/03/1988",
        "sex": "M",
        "phone": "0912 000 111",
        "commune": tree.noong_bua.pk,
        "village": tree.to1.pk,
        "address": "Số 5, đường Võ Nguyên Giáp",
        "household_code": "HK-001",
        "household_role": "Chủ hộ",
        "ethnicity": "Thái",
        "occupation": "Giáo viên",
        "workplace": "Trường THCS Noong Bua",
        "conditions": "tiểu đường, tăng huyết áp",
    }
    data.update(kw)
    return data


def _counts():
    return (
        Person.objects.count(),
        Household.objects.count(),
        AuditLog.objects.count(),
        ResidenceRecord.objects.count(),
    )


def test_anonymous_is_sent_to_sign_in(client, duc):
    for url in ("/people/", f"/people/{duc.pk}/", "/people/new/", "/duplicates/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/")


@pytest.mark.parametrize("role", list(Role))
def test_person_page_per_role(role, personas, duc):
    user = personas[role]
    response = client_for(user).get(f"/people/{duc.pk}/")
    if role not in SEES_NOONG_BUA:
        assert response.status_code == 404
        assert not AccessLog.objects.exists()
        return
    assert response.status_code == 200
    body = response.content.decode()
    assert "Lò Văn Đức" in body and "Tổ dân phố 1" in body and "Phường Noong Bua" in body
    assert "17/05/1990" in body and "0912 345 678" in body
    if role_has(role, Perm.PERSON_EDIT):
        assert "011099001234" in body
    else:
        assert "011099001234" not in body and "011******234" in body
    log = AccessLog.objects.get()
    assert (log.user, log.object_id, log.channel) == (user, str(duc.pk), "web")


def test_outsider_gets_404_and_no_access_row(outsider, duc):
    assert client_for(outsider).get(f"/people/{duc.pk}/").status_code == 404
    assert client_for(outsider).get(f"/people/{duc.pk}/edit/").status_code == 404
    assert not AccessLog.objects.exists()


def test_unknown_person_is_404(personas):
    assert client_for(personas[Role.ADMIN]).get("/people/00000000-0000-0000-0000-000000000000/").status_code == 404


@pytest.mark.parametrize("role", list(Role))
def test_search_page_per_role(role, personas, duc):
    response = client_for(personas[role]).get("/people/", {"q": "lo van duc"})
    assert response.status_code == 200
    assert (f"/people/{duc.pk}/" in response.content.decode()) == (role in SEES_NOONG_BUA)


@pytest.mark.parametrize("role", list(Role))
def test_create_per_role(role, personas, tree):
    client = client_for(personas[role])
    before = _counts()
    get = client.get("/people/new/")
    response = client.post("/people/new/", _form(tree))
    if not role_has(role, Perm.PERSON_EDIT):
        assert get.status_code == 403 and response.status_code == 403
        assert _counts() == before
        return
    assert get.status_code == 200
    person = Person.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/people/{person.pk}/"
    assert person.full_name == "Quàng Văn Nam" and person.name_key == "quang van nam"
    assert person.id_number == "011088000111" and person.phone == "+84912000111"
    assert person.birth_date == datetime.date(1988, 3, 2) and person.birth_year == 1988
    assert (person.province, person.district, person.commune, person.village) == (
        tree.province,
        tree.city,
        tree.noong_bua,
        tree.to1,
    )
    assert person.household.code == "HK-001" and person.conditions == ["tiểu đường", "tăng huyết áp"]
    assert person.residence_records.get().status == ResidenceStatus.PERMANENT
    assert AuditLog.objects.filter(action="person.create", actor=personas[role]).exists()


def test_create_the_same_id_number_goes_to_the_existing_record(personas, tree, duc):
    client = client_for(personas[Role.COMMUNE])
    before = _counts()
    response = client.post("/people/new/", _form(tree, id_number="011099001234", household_code="NEW"), follow=True)
    assert response.redirect_chain[-1][0] == f"/people/{duc.pk}/"
    assert escape(vi("This person is already registered: here is the existing record.")) in response.content.decode()
    assert _counts()[:3] == before[:3]  # no person, no household, no audit row


def test_create_the_same_id_number_registered_elsewhere_is_refused_without_details(personas, tree, far_person):
    far_person.id_number = "011088000111"
    far_person.save()
    before = _counts()
    response = client_for(personas[Role.COMMUNE]).post("/people/new/", _form(tree))
    assert response.status_code == 200
    body = response.content.decode()
    assert escape(vi("This person is already registered in another area. Ask that area to update it.")) in body
    assert "Giàng A Páo" not in body
    assert _counts() == before


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("id_number", "12345", "The ID number must have 12 digits (CCCD) or 9 digits (CMND)."),
        ("id_number", "01109900123A", "The ID number must contain digits only."),
        ("birth", "01/01/2999", "The date of birth is in the future."),
        ("birth", "31/02/1990", "Not a valid date (use dd/mm/yyyy)."),
        ("phone", "12345", "Not a valid phone number."),
        ("full_name", "Nguyen 2", "A name cannot contain digits."),
        ("full_name", "   ", None),
        ("commune", "999999", None),
        ("village", "abc", None),
    ],
)
def test_create_rejects_bad_input_in_vietnamese_and_writes_nothing(personas, tree, field, value, message):
    before = _counts()
    response = client_for(personas[Role.COMMUNE]).post("/people/new/", _form(tree, **{field: value}))
    assert response.status_code == 200
    body = response.content.decode()
    assert vi("Please correct the errors below. Nothing was saved.") in body
    if message:
        assert escape(vi(message)) in body
    assert _counts() == before


def test_create_refuses_a_unit_outside_the_area(personas, tree):
    before = _counts()
    response = client_for(personas[Role.COMMUNE]).post(
        "/people/new/", _form(tree, commune=tree.sin_thau.pk, village="")
    )
    assert response.status_code == 200
    assert _counts() == before


def test_create_refuses_a_village_of_another_commune(personas, tree):
    before = _counts()
    response = client_for(personas[Role.DISTRICT]).post("/people/new/", _form(tree, commune=tree.him_lam.pk))
    assert response.status_code == 200
    assert escape(vi("This village is not in the chosen commune.")) in response.content.decode()
    assert _counts() == before


def test_english_messages(personas, tree):
    client = client_for(personas[Role.COMMUNE])
    client.cookies["django_language"] = "en"
    response = client.post("/people/new/", _form(tree, birth="01/01/2999"))
    assert "The date of birth is in the future." in response.content.decode()


def test_edit(personas, tree, duc):
    client = client_for(personas[Role.HEALTH_STATION])
    assert client.get(f"/people/{duc.pk}/edit/").status_code == 200
    response = client.post(
        f"/people/{duc.pk}/edit/",
        _form(
            tree,
            full_name="Lò Văn Đức",
            id_number="011099001234",
            birth="17/05/1990",
            phone="0912345678",
            village=tree.to2.pk,
        ),
    )
    assert response.status_code == 302
    duc.refresh_from_db()
    assert duc.village == tree.to2 and duc.occupation == "Giáo viên"
    row = AuditLog.objects.filter(action="person.update").get()
    assert row.before["village"] == tree.to1.pk and row.after["village"] == tree.to2.pk
    assert "phone" not in row.after


def test_edit_refusals(personas, tree, duc, make_person):
    before = _counts()
    for role in (Role.STEERING, Role.COMMUNITY, Role.LAB, Role.FACILITY):
        assert client_for(personas[role]).post(f"/people/{duc.pk}/edit/", _form(tree)).status_code == 403
    other = make_person("Quàng Văn Nam", id_number="011088000111", unit=tree.to2)
    before = _counts()
    response = client_for(personas[Role.COMMUNE]).post(f"/people/{duc.pk}/edit/", _form(tree))
    assert response.status_code == 200
    assert escape(vi("Another record already has this ID number.")) in response.content.decode()
    assert _counts() == before
    assert other.pk != duc.pk


def test_residence_change_to_temporarily_absent(personas, tree, duc):
    client = client_for(personas[Role.COMMUNE])
    response = client.post(
        f"/people/{duc.pk}/residence/",
        {
            "status": ResidenceStatus.TEMPORARILY_ABSENT,
            "started_on": "01/11/2026",
            "temp_address": "Số 3, ngõ 5",
            "temp_province": tree.lai_chau.pk,
            "temp_commune": tree.quyet_thang.pk,
            "workplace": "Công ty may Lai Châu",
            "phone": "0988 123 456",
        },
    )
    assert response.status_code == 302
    duc.refresh_from_db()
    assert duc.residence_status == ResidenceStatus.TEMPORARILY_ABSENT
    record = duc.residence_records.get(ended_on__isnull=True)
    assert (record.temp_province, record.temp_commune, record.phone) == (
        tree.lai_chau,
        tree.quyet_thang,
        "+84988123456",
    )
    page = client.get(f"/people/{duc.pk}/").content.decode()
    assert "Phường Quyết Thắng" in page and "Công ty may Lai Châu" in page and "01/11/2026" in page


def test_residence_change_rejects_a_commune_of_another_province(personas, tree, duc):
    before = _counts()
    response = client_for(personas[Role.COMMUNE]).post(
        f"/people/{duc.pk}/residence/",
        {
            "status": ResidenceStatus.TEMPORARILY_ABSENT,
            "temp_province": tree.province.pk,
            "temp_commune": tree.quyet_thang.pk,
        },
    )
    assert response.status_code == 200
    assert _counts() == before


def test_residence_change_refused_for_view_roles_and_outsiders(personas, outsider, duc):
    before = _counts()
    data = {"status": ResidenceStatus.TEMPORARY_RESIDENT}
    assert client_for(personas[Role.STEERING]).post(f"/people/{duc.pk}/residence/", data).status_code == 403
    assert client_for(outsider).post(f"/people/{duc.pk}/residence/", data).status_code == 404
    assert _counts() == before


def test_village_options_are_scoped(personas, tree):
    response = client_for(personas[Role.COMMUNE]).get("/people/villages/", {"commune": tree.noong_bua.pk})
    body = response.content.decode()
    assert "Tổ dân phố 1" in body and "Tổ dân phố 2" in body
    response = client_for(personas[Role.COMMUNE]).get("/people/villages/", {"commune": tree.sin_thau.pk})
    assert "Bản Sín Thầu" not in response.content.decode()


def test_household_members_and_timeline(personas, tree, make_person, duc):
    client = client_for(personas[Role.COMMUNE])
    client.post(
        f"/people/{duc.pk}/edit/", _form(tree, full_name="Lò Văn Đức", id_number="011099001234", household_code="HK-9")
    )
    duc.refresh_from_db()
    wife = make_person("Lò Thị Hoa", household=duc.household)
    body = client.get(f"/people/{duc.pk}/").content.decode()
    assert f"/people/{wife.pk}/" in body
    assert vi("Record created") in body and vi("Details changed") in body


def test_timeline_registry_accepts_providers(personas, duc):
    from phongdich.people import timeline

    def provider(person, user):
        yield timeline.TimelineEvent(at=person.created_at, kind="test", title="Một sự kiện thử", url=None)

    timeline.register(provider)
    try:
        body = client_for(personas[Role.COMMUNE]).get(f"/people/{duc.pk}/").content.decode()
        assert "Một sự kiện thử" in body
    finally:
        timeline._providers.remove(provider)


# Duplicates -----------------------------------------------------------------------------


@pytest.fixture
def pair(duc, make_person, tree):
    make_person("lo van duc", unit=tree.to2, birth_date=datetime.date(1990, 5, 17), occupation="Thợ mộc")
    return DuplicateCandidate.objects.get()


@pytest.mark.parametrize("role", list(Role))
def test_duplicate_pages_per_role(role, personas, pair):
    client = client_for(personas[role])
    listing = client.get("/duplicates/")
    compare = client.get(f"/duplicates/{pair.pk}/")
    if not role_has(role, Perm.DUPLICATE_REVIEW):
        assert listing.status_code == 403 and compare.status_code == 403
        return
    assert listing.status_code == 200 and compare.status_code == 200
    assert "Thợ mộc" in compare.content.decode()


def test_duplicate_merge_and_undo_through_the_pages(personas, pair, duc):
    client = client_for(personas[Role.COMMUNE])
    response = client.post(f"/duplicates/{pair.pk}/merge/", {"survivor": str(duc.pk)})
    assert response.status_code == 302 and response["Location"] == f"/people/{duc.pk}/"
    merge = PersonMerge.objects.get()
    duc.refresh_from_db()
    assert duc.occupation == "Thợ mộc"
    merged_page = client.get(f"/people/{merge.merged_id}/").content.decode()
    assert vi("This record was merged into another record and is kept for history only.") in merged_page
    assert f"/people/{duc.pk}/" in merged_page
    assert f"/merges/{merge.pk}/undo/" in client.get(f"/people/{duc.pk}/").content.decode()
    response = client.post(f"/merges/{merge.pk}/undo/")
    assert response.status_code == 302
    merge.refresh_from_db()
    assert merge.undone_at is not None
    pair.refresh_from_db()
    assert pair.status == DuplicateCandidate.Status.PENDING


def test_duplicate_dismiss(personas, pair):
    response = client_for(personas[Role.DISTRICT]).post(f"/duplicates/{pair.pk}/dismiss/")
    assert response.status_code == 302
    pair.refresh_from_db()
    assert pair.status == DuplicateCandidate.Status.DISMISSED
    assert AuditLog.objects.filter(action="duplicate.dismiss").exists()


def test_duplicate_refusals(personas, outsider, pair, tree, duc, far_person):
    before = (PersonMerge.objects.count(), DuplicateCandidate.objects.filter(status="pending").count())
    assert (
        client_for(personas[Role.HEALTH_STATION])
        .post(f"/duplicates/{pair.pk}/merge/", {"survivor": str(duc.pk)})
        .status_code
        == 403
    )
    assert client_for(personas[Role.STEERING]).post(f"/duplicates/{pair.pk}/dismiss/").status_code == 403
    assert client_for(outsider).post(f"/duplicates/{pair.pk}/merge/", {"survivor": str(duc.pk)}).status_code == 404
    # A pair with one side outside the commune: visible, but only the level above may decide.
    cross = DuplicateCandidate.objects.create(person_a=duc, person_b=far_person, score=60, reasons=["name"])
    commune = client_for(personas[Role.COMMUNE])
    assert commune.get(f"/duplicates/{cross.pk}/").status_code == 200
    assert "Giàng A Páo" not in commune.get(f"/duplicates/{cross.pk}/").content.decode()
    assert commune.post(f"/duplicates/{cross.pk}/merge/", {"survivor": str(duc.pk)}).status_code == 403
    assert commune.post(f"/duplicates/{cross.pk}/dismiss/").status_code == 403
    assert (PersonMerge.objects.count(), DuplicateCandidate.objects.filter(status="pending").count() - 1) == before
    # The province may.
    assert client_for(personas[Role.POLICE]).post(f"/duplicates/{cross.pk}/dismiss/").status_code == 302


def test_merge_with_a_survivor_not_in_the_pair_is_refused(personas, pair, far_person):
    response = client_for(personas[Role.ADMIN]).post(f"/duplicates/{pair.pk}/merge/", {"survivor": str(far_person.pk)})
    assert response.status_code == 302
    assert not PersonMerge.objects.exists()
