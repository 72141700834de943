"""The person-registry API: every role against every endpoint, idempotent create, bad input."""

from __future__ import annotations

import datetime
import json
import uuid

import pytest
from django.test import Client

from phongdich.core.models import AccessLog, AuditLog
from phongdich.core.roles import Perm, Role, role_has
from phongdich.people.models import DuplicateCandidate, Household, Person, PersonMerge, ResidenceRecord, ResidenceStatus
from tests.conftest import PERSONA_UNITS
from tests.people.conftest import token_client, vi

SEES_NOONG_BUA = {r for r, unit in PERSONA_UNITS.items() if unit in ("province", "city", "noong_bua", "to1")}
API = "/api/v1"


def _post(client: Client, url: str, data: object, **extra):
    return client.post(API + url, json.dumps(data), content_type="application/json", **extra)


def _patch(client: Client, url: str, data: object, **extra):
    return client.patch(API + url, json.dumps(data), content_type="application/json", **extra)


def _payload(tree, **kw):
    data = {
        "client_uuid": str(uuid.uuid4()),
        "full_name": "quàng văn nam",
        "id_number": "011088000111",
        "birth_date": "1988-03-02",
        "sex": "M",
        "phone": "0912000111",
        "unit_id": tree.to1.pk,
        "household_code": "HK-1",
        "occupation": "Giáo viên",
        "conditions": ["tiểu đường"],
    }
    data.update(kw)
    return data


def _state():
    return (
        Person.objects.count(),
        Household.objects.count(),
        AuditLog.objects.count(),
        ResidenceRecord.objects.count(),
        PersonMerge.objects.count(),
        list(DuplicateCandidate.objects.values_list("status", flat=True).order_by("pk")),
        list(Person.objects.values_list("full_name", "phone", "residence_status", "merged_into").order_by("pk")),
    )


# Authentication -------------------------------------------------------------------------


def test_anonymous_gets_401(duc):
    response = Client().get(f"{API}/persons/{duc.pk}")
    assert response.status_code == 401
    assert response.json()["detail"]


def test_token_auth_works_and_a_bad_token_does_not(personas, duc):
    assert token_client(personas[Role.COMMUNE]).get(f"{API}/persons/{duc.pk}").status_code == 200
    assert Client(HTTP_AUTHORIZATION="Bearer pd_nope").get(f"{API}/persons/{duc.pk}").status_code == 401


def test_session_auth_needs_csrf_on_writes(personas, tree):
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas[Role.COMMUNE])
    assert client.get(f"{API}/persons/search", {"q": "nam"}).status_code == 200
    before = _state()
    assert _post(client, "/persons", _payload(tree)).status_code == 403
    assert _state() == before
    client.get("/people/")  # sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    assert _post(client, "/persons", _payload(tree), HTTP_X_CSRFTOKEN=token).status_code == 201


# Create ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", list(Role))
def test_create_per_role(role, personas, tree):
    client = token_client(personas[role])
    before = _state()
    response = _post(client, "/persons", _payload(tree))
    if not role_has(role, Perm.PERSON_EDIT):
        assert response.status_code == 403
        assert response.json()["detail"] == vi("Your role does not allow this.")
        assert _state() == before
        return
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["full_name"] == "Quàng Văn Nam" and body["id_number"] == "011088000111"
    assert body["phone"] == "+84912000111" and body["birth_date"] == "1988-03-02"
    assert body["commune"]["code"] == "03124" and body["village"]["id"] == tree.to1.pk
    assert body["household"]["code"] == "HK-1" and body["residence_status"] == "permanent"
    person = Person.objects.get()
    assert person.source == "api" and person.residence_records.count() == 1


def test_resending_the_same_client_uuid_returns_the_first_result(personas, tree):
    client = token_client(personas[Role.COMMUNE])
    payload = _payload(tree)
    first = _post(client, "/persons", payload)
    assert first.status_code == 201
    before = _state()
    again = _post(client, "/persons", {**payload, "full_name": "Tên Khác", "id_number": None})
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert _state() == before


def test_create_with_an_existing_id_number_returns_the_existing_record(personas, tree, duc):
    client = token_client(personas[Role.COMMUNE])
    before = _state()
    response = _post(client, "/persons", _payload(tree, id_number="011099001234"))
    assert response.status_code == 200 and response.json()["id"] == str(duc.pk)
    assert _state() == before


def test_create_matching_a_record_outside_the_area_is_409_without_details(personas, tree, far_person):
    Person.objects.filter(pk=far_person.pk).update(id_number="011088000111")
    before = _state()
    response = _post(token_client(personas[Role.COMMUNE]), "/persons", _payload(tree))
    assert response.status_code == 409
    assert (
        response.json()["detail"]
        == vi("This person is already registered in another area. Ask that area to update it.")
        and "Páo" not in response.content.decode()
    )
    assert _state() == before


def test_unit_by_code(personas, tree):
    response = _post(token_client(personas[Role.DISTRICT]), "/persons", _payload(tree, unit_id=None, unit_code="03127"))
    assert response.status_code == 201
    assert response.json()["commune"]["name"] == "Phường Him Lam" and response.json()["village"] is None


def test_unit_outside_the_area_is_403(personas, tree):
    before = _state()
    response = _post(token_client(personas[Role.COMMUNE]), "/persons", _payload(tree, unit_id=tree.sin_thau.pk))
    assert response.status_code == 403
    assert response.json()["detail"] == vi("This unit is outside your area.")
    assert _state() == before


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"id_number": "12345"}, "id_number", "The ID number must have 12 digits (CCCD) or 9 digits (CMND)."),
        ({"id_number": "999099001234"}, "id_number", "The first 3 digits of a CCCD must be a province code (001-096)."),
        ({"birth_date": "2999-01-01"}, "birth_date", "The date of birth is in the future."),
        ({"birth_date": "31/02/1990"}, "birth_date", "Not a valid date (use dd/mm/yyyy)."),
        ({"birth_year": 1800}, "birth_year", "The year of birth is not plausible."),
        ({"phone": "12345"}, "phone", "Not a valid phone number."),
        ({"full_name": "  "}, "full_name", "The full name is required."),
        (
            {"unit_id": 999999},
            "unit_id",
            "Unknown administrative unit (give a commune or a village).",
        ),
        (
            {"unit_code": "11", "unit_id": None},
            "unit_code",
            "Unknown administrative unit (give a commune or a village).",
        ),
        ({"unit_id": None}, "", "Give the address unit: unit_id or unit_code."),
        ({"client_uuid": "not-a-uuid"}, "client_uuid", None),
        ({"sex": "X"}, "sex", None),
        ({"conditions": "diabetes"}, "conditions", None),
    ],
)
def test_bad_input_is_422_in_vietnamese_and_writes_nothing(personas, tree, change, field, message):
    before = _state()
    response = _post(token_client(personas[Role.COMMUNE]), "/persons", _payload(tree, **change))
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["detail"] == vi("The data sent is not valid.")
    errors = {e["field"]: e["message"] for e in body["errors"]}
    assert field in errors, errors
    if message:
        assert errors[field] == vi(message)
    assert _state() == before


def test_bad_input_in_english(personas, tree):
    response = _post(
        token_client(personas[Role.COMMUNE]),
        "/persons",
        _payload(tree, birth_date="2999-01-01"),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["message"] == "The date of birth is in the future."


def test_non_json_body_is_400_in_vietnamese(personas):
    before = _state()
    client = token_client(personas[Role.COMMUNE])
    for body, content_type in (("{not json", "application/json"), ("a=b", "text/plain")):
        response = client.post(f"{API}/persons", body, content_type=content_type)
        assert response.status_code == 400
        assert response.json()["detail"] == vi("The request body is not valid JSON.")
    response = client.post(f"{API}/persons", "[]", content_type="application/json")
    assert response.status_code == 422
    assert _state() == before


# Read -----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", list(Role))
def test_detail_per_role(role, personas, duc):
    user = personas[role]
    response = token_client(user).get(f"{API}/persons/{duc.pk}")
    if role not in SEES_NOONG_BUA:
        assert response.status_code == 404 and response.json()["detail"] == vi("Not found.")
        assert not AccessLog.objects.exists()
        return
    assert response.status_code == 200
    expected = "011099001234" if role_has(role, Perm.PERSON_EDIT) else "011******234"
    assert response.json()["id_number"] == expected
    log = AccessLog.objects.get()
    assert (log.user, log.channel, log.object_id) == (user, "api", str(duc.pk))


def test_outsider_and_malformed_ids(outsider, personas, duc):
    assert token_client(outsider).get(f"{API}/persons/{duc.pk}").status_code == 404
    response = token_client(personas[Role.ADMIN]).get(f"{API}/persons/not-a-uuid")
    assert response.status_code == 422
    assert response.json()["errors"][0]["message"] == vi("Not a valid UUID.")
    assert token_client(personas[Role.ADMIN]).get(f"{API}/persons/{uuid.uuid4()}").status_code == 404


@pytest.mark.parametrize("role", list(Role))
def test_search_per_role(role, personas, duc, far_person):
    response = token_client(personas[role]).get(f"{API}/persons/search", {"q": "lo van duc"})
    assert response.status_code == 200
    assert ([p["id"] for p in response.json()] == [str(duc.pk)]) == (role in SEES_NOONG_BUA)


def test_search_by_id_number_and_bad_limit(personas, duc):
    client = token_client(personas[Role.POLICE])
    assert [p["full_name"] for p in client.get(f"{API}/persons/search", {"q": "011099001234"}).json()] == ["Lò Văn Đức"]
    assert client.get(f"{API}/persons/search", {"q": "duc", "limit": 1000}).status_code == 422
    assert client.get(f"{API}/persons/search").status_code == 422


# Update and residence -------------------------------------------------------------------


@pytest.mark.parametrize("role", list(Role))
def test_patch_per_role(role, personas, duc):
    before = _state()
    response = _patch(
        token_client(personas[role]), f"/persons/{duc.pk}", {"phone": "0988 123 456", "occupation": "Kỹ sư"}
    )
    if not role_has(role, Perm.PERSON_EDIT):
        assert response.status_code == 403
        assert _state() == before
    elif role not in SEES_NOONG_BUA:
        assert response.status_code == 404
        assert _state() == before
    else:
        assert response.status_code == 200
        assert response.json()["phone"] == "+84988123456" and response.json()["occupation"] == "Kỹ sư"
        row = AuditLog.objects.filter(action="person.update").get()
        assert row.before == {"phone": "+84912345678", "occupation": ""}


def test_patch_refusals(personas, tree, duc, make_person):
    other = make_person("Quàng Văn Nam", unit=tree.to2, id_number="011088000111")
    client = token_client(personas[Role.COMMUNE])
    before = _state()
    assert _patch(client, f"/persons/{duc.pk}", {"id_number": "011088000111"}).status_code == 409
    assert _patch(client, f"/persons/{duc.pk}", {"unit_id": tree.sin_thau.pk}).status_code == 403
    assert _patch(client, f"/persons/{duc.pk}", {"birth_date": "2999-01-01"}).status_code == 422
    assert _patch(client, f"/persons/{duc.pk}", {"full_name": None}).status_code == 422
    assert _state() == before
    assert other.pk


def test_patch_moves_the_person(personas, tree, duc):
    response = _patch(token_client(personas[Role.COMMUNE]), f"/persons/{duc.pk}", {"unit_code": "03124-002"})
    assert response.status_code == 200 and response.json()["village"]["name"] == "Tổ dân phố 2"


@pytest.mark.parametrize("role", list(Role))
def test_residence_per_role(role, personas, tree, duc):
    before = _state()
    payload = {
        "status": "temporarily_absent",
        "started_on": "2026-11-01",
        "temp_address": "Số 3 ngõ 5",
        "temp_commune_code": "03386",
        "workplace": "Công ty may Lai Châu",
        "phone": "0988123456",
    }
    response = _post(token_client(personas[role]), f"/persons/{duc.pk}/residence", payload)
    if not role_has(role, Perm.PERSON_EDIT):
        assert response.status_code == 403
        assert _state() == before
        return
    if role not in SEES_NOONG_BUA:
        assert response.status_code == 404
        assert _state() == before
        return
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["temp_province"]["code"] == "12" and body["temp_commune"]["name"] == "Phường Quyết Thắng"
    duc.refresh_from_db()
    assert duc.residence_status == ResidenceStatus.TEMPORARILY_ABSENT
    again = _post(token_client(personas[role]), f"/persons/{duc.pk}/residence", payload)
    assert again.status_code == 200 and again.json()["id"] == body["id"]
    history = token_client(personas[role]).get(f"{API}/persons/{duc.pk}/residence").json()
    assert [r["status"] for r in history] == ["temporarily_absent"]


def test_residence_bad_input(personas, tree, duc):
    client = token_client(personas[Role.COMMUNE])
    before = _state()
    cases = [
        ({"status": "gone"}, "status"),
        (
            {
                "status": "temporarily_absent",
                "temp_province_id": tree.province.pk,
                "temp_commune_id": tree.quyet_thang.pk,
            },
            "temp_commune_id",
        ),
        ({"status": "temporarily_absent", "temp_commune_code": "99999"}, "temp_commune_code"),
        ({"status": "temporary_resident", "started_on": "2999-01-01"}, "started_on"),
        ({"status": "temporarily_absent", "phone": "abc"}, "phone"),
    ]
    for payload, field in cases:
        response = _post(client, f"/persons/{duc.pk}/residence", payload)
        assert response.status_code == 422, (payload, response.content)
        assert field in {e["field"] for e in response.json()["errors"]}
    assert _state() == before


# Duplicates -----------------------------------------------------------------------------


@pytest.fixture
def pair(duc, make_person, tree):
    make_person("lo van duc", unit=tree.to2, birth_date=datetime.date(1990, 5, 17), occupation="Thợ mộc")
    return DuplicateCandidate.objects.get()


@pytest.mark.parametrize("role", list(Role))
def test_duplicates_per_role(role, personas, pair, duc):
    client = token_client(personas[role])
    listing = client.get(f"{API}/duplicates")
    before = _state()
    merge = _post(client, f"/duplicates/{pair.pk}/merge", {"survivor_id": str(duc.pk)})
    if not role_has(role, Perm.DUPLICATE_REVIEW):
        assert listing.status_code == 403 and merge.status_code == 403
        assert _post(client, f"/duplicates/{pair.pk}/dismiss", {}).status_code == 403
        assert _state() == before
        return
    assert listing.status_code == 200 and [p["id"] for p in listing.json()] == [pair.pk]
    assert merge.status_code == 201, merge.content
    body = merge.json()
    assert body["survivor_id"] == str(duc.pk)
    undo = _post(client, f"/merges/{body['id']}/undo", {})
    assert undo.status_code == 200 and undo.json()["undone_at"]
    assert _post(client, f"/merges/{body['id']}/undo", {}).status_code == 409
    dismiss = _post(client, f"/duplicates/{pair.pk}/dismiss", {})
    assert dismiss.status_code == 200 and dismiss.json()["status"] == "dismissed"
    assert _post(client, f"/duplicates/{pair.pk}/dismiss", {}).status_code == 409


def test_duplicate_refusals(personas, outsider, pair, duc, far_person):
    before = _state()
    assert (
        _post(token_client(outsider), f"/duplicates/{pair.pk}/merge", {"survivor_id": str(duc.pk)}).status_code == 404
    )
    client = token_client(personas[Role.COMMUNE])
    response = _post(client, f"/duplicates/{pair.pk}/merge", {"survivor_id": str(far_person.pk)})
    assert response.status_code == 422
    assert _post(client, f"/duplicates/{pair.pk}/merge", {"survivor_id": "nope"}).status_code == 422
    assert _post(client, "/duplicates/999999/merge", {"survivor_id": str(duc.pk)}).status_code == 404
    cross = DuplicateCandidate.objects.create(person_a=duc, person_b=far_person, score=60, reasons=["name"])
    listed = {p["id"]: p for p in client.get(f"{API}/duplicates").json()}
    side = listed[cross.pk]["person_b"] if cross.person_b_id == far_person.pk else listed[cross.pk]["person_a"]
    assert side["in_scope"] is False and side["full_name"] is None
    response = _post(client, f"/duplicates/{cross.pk}/merge", {"survivor_id": str(duc.pk)})
    assert response.status_code == 403 and response.json()["detail"] == vi(
        "Both records must be in your area: ask the level above to review this pair."
    )
    assert _post(client, f"/duplicates/{cross.pk}/dismiss", {}).status_code == 403
    cross.delete()
    assert _state() == before


def test_undo_refusals(personas, outsider, pair, duc):
    merge = _post(
        token_client(personas[Role.COMMUNE]), f"/duplicates/{pair.pk}/merge", {"survivor_id": str(duc.pk)}
    ).json()
    before = _state()
    assert _post(token_client(outsider), f"/merges/{merge['id']}/undo", {}).status_code == 404
    assert _post(token_client(personas[Role.HEALTH_STATION]), f"/merges/{merge['id']}/undo", {}).status_code == 403
    assert _post(token_client(personas[Role.COMMUNE]), "/merges/999999/undo", {}).status_code == 404
    assert _state() == before


def test_merged_record_cannot_be_patched(personas, pair, duc):
    client = token_client(personas[Role.COMMUNE])
    merge = _post(client, f"/duplicates/{pair.pk}/merge", {"survivor_id": str(duc.pk)}).json()
    response = _patch(client, f"/persons/{merge['merged_id']}", {"occupation": "x"})
    assert response.status_code == 409
    detail = client.get(f"{API}/persons/{merge['merged_id']}").json()
    assert detail["merged_into"] == str(duc.pk)
