"""The case and cluster API: every role against every endpoint, idempotency, bad input."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client

from phongdich.cases import actions
from phongdich.cases.models import Case, CaseStatus, Cluster, Outcome
from phongdich.core.models import AccessLog
from phongdich.core.roles import Perm, Role, role_has
from tests.cases.conftest import API, CONFIRMED, confirm, patch, post, state, token_client, vi
from tests.conftest import PERSONA_UNITS

# Personas whose unit contains Tổ dân phố 1 (Noong Bua), where the test people live.
SEES_TO1 = {r for r, unit in PERSONA_UNITS.items() if unit in ("province", "city", "noong_bua", "to1")}


def expected(role: Role, perm: Perm, ok: int) -> int:
    if not role_has(role, perm):
        return 403
    return ok if role in SEES_TO1 else 404


def _payload(person, **kw):
    data = {
        "client_uuid": str(uuid.uuid4()),
        "person_id": str(person.pk),
        "confirmed_on": CONFIRMED.isoformat(),
        "onset_date": "2021-08-08",
        "sample_date": "2021-08-09",
        "detected_by": "community",
        "source_known": False,
        "symptoms": ["fever", "cough"],
        "clinical_status": "mild",
    }
    data.update(kw)
    return data


@pytest.fixture
def person(make_person):
    return make_person("Lò Văn An")


@pytest.fixture
def case(make_person):
    return confirm(make_person("Quàng Thị Bình"))


def test_anonymous_gets_401(case):
    assert Client().get(f"{API}/cases/{case.pk}").status_code == 401
    assert Client().get(f"{API}/cases").status_code == 401


@pytest.mark.parametrize("role", list(Role))
def test_create_by_role(role, personas, person):
    before = state()
    r = post(token_client(personas[role]), "/cases", _payload(person))
    assert r.status_code == expected(role, Perm.CASE_EDIT, 201), r.content
    if r.status_code == 201:
        body = r.json()
        assert body["code"] == "ĐB-0001" and body["status"] == "confirmed"
        assert body["person"]["id"] == str(person.pk) and body["investigation_id"]
        assert body["rule_set"]["code"] and body["commune"]["code"] == "03124"
        assert body["symptoms"] == ["fever", "cough"]
    else:
        assert r.json()["detail"]
        assert state() == before


def test_create_outside_the_area_is_404_and_writes_nothing(far_district, person):
    before = state()
    r = post(token_client(far_district), "/cases", _payload(person))
    assert r.status_code == 404
    assert state() == before


def test_resend_returns_the_first_case_with_200(personas, person):
    client = token_client(personas[Role.HEALTH])
    data = _payload(person)
    first = post(client, "/cases", data)
    again = post(client, "/cases", data)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert Case.objects.count() == 1


def test_duplicate_active_case_is_409_in_vietnamese(personas, person):
    client = token_client(personas[Role.HEALTH])
    assert post(client, "/cases", _payload(person)).status_code == 201
    before = state()
    r = post(client, "/cases", _payload(person))
    assert r.status_code == 409
    assert "ĐB-0001" in r.json()["detail"] and "đang" in r.json()["detail"]
    assert state() == before
    r = post(client, "/cases", _payload(person), HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 409 and "already has an active case" in r.json()["detail"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"confirmed_on": "2099-01-01"}, "confirmed_on"),
        ({"confirmed_on": "10/08/2021x"}, "confirmed_on"),
        ({"sample_date": "2021-08-11"}, "sample_date"),
        ({"onset_date": "2021-06-01"}, "onset_date"),
        ({"detected_by": "rumour"}, "detected_by"),
        ({"clinical_status": 3}, "clinical_status"),
        ({"symptoms": "fever"}, "symptoms"),
        ({"symptoms": [f"s{i}" for i in range(21)]}, "symptoms"),
        ({"person_id": "not-a-uuid"}, "person_id"),
        ({"client_uuid": "nope"}, "client_uuid"),
        ({"cluster_id": str(uuid.uuid4())}, "cluster_id"),
        ({"national_code": "x" * 40}, "national_code"),
    ],
)
def test_bad_input_is_422_with_the_field(personas, person, changes, field):
    before = state()
    r = post(token_client(personas[Role.HEALTH]), "/cases", _payload(person, **changes))
    assert r.status_code == 422, r.content
    body = r.json()
    assert body["detail"] == vi("The data sent is not valid.")
    assert field in [e["field"] for e in body["errors"]]
    assert all(e["message"] for e in body["errors"])
    assert state() == before


def test_unknown_person_is_404_and_broken_json_is_400(personas):
    client = token_client(personas[Role.HEALTH])
    r = post(client, "/cases", {"person_id": str(uuid.uuid4()), "confirmed_on": "2021-08-10"})
    assert r.status_code == 404
    r = client.post(f"{API}/cases", "{not json", content_type="application/json")
    assert r.status_code in (400, 422) and r.json()["detail"]


def test_english_messages_with_accept_language(personas, person):
    r = post(
        token_client(personas[Role.HEALTH]),
        "/cases",
        _payload(person, confirmed_on="2099-01-01"),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert r.status_code == 422
    assert r.json()["errors"][0]["message"] == "The confirmation date cannot be in the future."


@pytest.mark.parametrize("role", list(Role))
def test_detail_by_role_is_access_logged(role, personas, case):
    r = token_client(personas[role]).get(f"{API}/cases/{case.pk}")
    assert r.status_code == expected(role, Perm.CASE_VIEW, 200)
    logged = AccessLog.objects.filter(object_id=str(case.pk), user=personas[role], channel="api").exists()
    assert logged == (r.status_code == 200)
    if r.status_code == 200:
        assert r.json()["levels"] == {"f1": 0, "f2": 0, "f3": 0}


def test_detail_outside_and_malformed(outsider, personas, case):
    assert token_client(outsider).get(f"{API}/cases/{case.pk}").status_code == 404
    assert token_client(personas[Role.HEALTH]).get(f"{API}/cases/nope").status_code == 422


@pytest.mark.parametrize("role", list(Role))
def test_list_by_role(role, personas, case, make_person, tree):
    confirm(make_person("Giàng A Páo", unit=tree.ban_sin_thau))
    r = token_client(personas[role]).get(f"{API}/cases")
    if not role_has(role, Perm.CASE_VIEW):
        assert r.status_code == 403
        return
    assert r.status_code == 200
    codes = {c["code"] for c in r.json()["items"]}
    unit = PERSONA_UNITS[role]
    if unit == "province":
        assert codes == {"ĐB-0001", "ĐB-0002"}
    elif unit == "muong_nhe":
        assert codes == {"ĐB-0002"}
    else:
        assert codes == {"ĐB-0001"}


def test_list_filters(personas, make_person, tree):
    a = confirm(make_person("Lò Văn A"), detected_by="quarantine")
    b = confirm(make_person("Lò Văn B", unit=tree.ban_sin_thau), confirmed_on=CONFIRMED.replace(day=1))
    actions.rule_out_case(None, b, "âm tính")
    client = token_client(personas[Role.HEALTH])

    def codes(**params):
        r = client.get(f"{API}/cases", params)
        assert r.status_code == 200, r.content
        return [c["code"] for c in r.json()["items"]]

    assert codes() == [a.code, b.code]
    assert codes(status="ruled_out") == [b.code]
    assert codes(status="active") == [a.code]
    assert codes(detected_by="quarantine") == [a.code]
    assert codes(unit_id=tree.muong_nhe.pk) == [b.code]
    assert codes(date_from="2021-08-05") == [a.code]
    assert codes(q="ĐB-0002") == [b.code]
    assert codes(person_id=str(a.person_id)) == [a.code]
    assert client.get(f"{API}/cases", {"status": "nope"}).status_code == 422
    assert client.get(f"{API}/cases", {"limit": 0}).status_code == 422
    assert client.get(f"{API}/cases", {"unit_id": 999999}).status_code == 422


@pytest.mark.parametrize("role", list(Role))
def test_rule_out_outcome_and_patch_by_role(role, personas, case):
    client = token_client(personas[role])
    before = state()
    want = expected(role, Perm.CASE_EDIT, 200)
    r = patch(client, f"/cases/{case.pk}", {"clinical_status": "severe"})
    assert r.status_code == want
    r = post(client, f"/cases/{case.pk}/outcome", {"outcome": "recovered", "date": "2021-08-24"})
    assert r.status_code == want
    if want != 200:
        r = post(client, f"/cases/{case.pk}/rule-out", {"reason": "âm tính"})
        assert r.status_code == want
        assert state() == before
        return
    case.refresh_from_db()
    assert case.clinical_status == "severe" and case.outcome == Outcome.RECOVERED
    r = post(client, f"/cases/{case.pk}/rule-out", {"reason": "RT-PCR âm tính"})
    assert r.status_code == 200 and r.json()["status"] == CaseStatus.RULED_OUT


def test_rule_out_and_outcome_refusals(personas, case):
    client = token_client(personas[Role.HEALTH])
    before = state()
    assert post(client, f"/cases/{case.pk}/rule-out", {"reason": ""}).status_code == 422
    assert post(client, f"/cases/{case.pk}/outcome", {"outcome": "recovered"}).status_code == 422
    r = post(client, f"/cases/{case.pk}/outcome", {"outcome": "died", "date": "2021-08-01"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "date"
    assert post(client, f"/cases/{case.pk}/outcome", {"outcome": "gone", "date": "2021-08-20"}).status_code == 422
    assert patch(client, f"/cases/{case.pk}", {"confirmed_on": None}).status_code == 422
    assert patch(client, f"/cases/{case.pk}", {"sample_date": "2021-08-30"}).status_code == 422
    assert state() == before
    assert post(client, f"/cases/{case.pk}/rule-out", {"reason": "âm tính"}).status_code == 200
    assert post(client, f"/cases/{case.pk}/rule-out", {"reason": "âm tính"}).status_code == 409
    assert post(client, f"/cases/{case.pk}/outcome", {"outcome": "recovered", "date": "2021-08-20"}).status_code == 409
    assert patch(client, f"/cases/{case.pk}", {"clinical_status": "mild"}).status_code == 409


def test_patch_cluster_and_clear(personas, case, tree):
    client = token_client(personas[Role.HEALTH])
    cluster = actions.create_cluster(None, name="Ổ dịch Noong Bua", unit=tree.noong_bua)
    r = patch(client, f"/cases/{case.pk}", {"cluster_id": str(cluster.pk), "symptoms": ["fever"]})
    assert r.status_code == 200 and r.json()["cluster"]["code"] == cluster.code
    r = patch(client, f"/cases/{case.pk}", {"cluster_id": None, "national_code": None})
    assert r.status_code == 200 and r.json()["cluster"] is None


def test_a_cluster_outside_the_area_cannot_be_used(personas, case, tree):
    far = actions.create_cluster(None, name="Ổ dịch Sín Thầu", unit=tree.sin_thau)
    client = token_client(personas[Role.COMMUNE])
    # The commune officer cannot edit cases at all; the district officer cannot see a Mường Nhé cluster.
    client = token_client(personas[Role.DISTRICT])
    before = state()
    r = patch(client, f"/cases/{case.pk}", {"cluster_id": str(far.pk)})
    assert r.status_code == 422
    assert state() == before


# Clusters -------------------------------------------------------------------------------


@pytest.mark.parametrize("role", list(Role))
def test_cluster_crud_by_role(role, personas, tree):
    client = token_client(personas[role])
    before = state()
    r = post(client, "/clusters", {"name": "Ổ dịch chợ", "unit_id": tree.noong_bua.pk, "first_date": "2021-08-01"})
    assert r.status_code == expected(role, Perm.CASE_EDIT, 201)
    if r.status_code != 201:
        assert state() == before
        existing = actions.create_cluster(None, name="Ổ dịch có sẵn", unit=tree.noong_bua)
        got = client.get(f"{API}/clusters/{existing.pk}")
        assert got.status_code == expected(role, Perm.CASE_VIEW, 200)
        before = state()
        assert patch(client, f"/clusters/{existing.pk}", {"name": "Đổi tên"}).status_code in (403, 404)
        assert client.delete(f"{API}/clusters/{existing.pk}").status_code in (403, 404)
        assert state() == before
        return
    cid = r.json()["id"]
    assert r.json()["code"] == "ĐB-OD-001" and r.json()["commune"]["code"] == "03124"
    got = client.get(f"{API}/clusters/{cid}")
    assert got.status_code == 200 and got.json()["counts"]["total"] == 0
    r = patch(client, f"/clusters/{cid}", {"status": "controlled", "place": "Chợ Noong Bua"})
    assert r.status_code == 200 and r.json()["status"] == "controlled"
    assert [c["id"] for c in client.get(f"{API}/clusters").json()] == [cid]
    assert client.delete(f"{API}/clusters/{cid}").status_code == 204
    assert not Cluster.objects.exists()


def test_cluster_idempotent_and_refusals(personas, tree, make_person, far_district):
    client = token_client(personas[Role.HEALTH])
    key = str(uuid.uuid4())
    a = post(client, "/clusters", {"client_uuid": key, "name": "Ổ dịch A"})
    b = post(client, "/clusters", {"client_uuid": key, "name": "Ổ dịch A"})
    assert (a.status_code, b.status_code) == (201, 200) and a.json()["id"] == b.json()["id"]
    assert a.json()["province"]["code"] == "11"  # the user's unit when omitted
    before = state()
    assert post(client, "/clusters", {"name": ""}).status_code == 422
    assert post(client, "/clusters", {"name": "X", "unit_id": 999999}).status_code == 422
    assert post(client, "/clusters", {"name": "X", "status": "nope"}).status_code == 422
    assert post(client, "/clusters", {"name": "X", "first_date": "2099-01-01"}).status_code == 422
    assert (
        post(token_client(personas[Role.DISTRICT]), "/clusters", {"name": "X", "unit_id": tree.sin_thau.pk}).status_code
        == 403
    )
    assert state() == before
    cluster = Cluster.objects.get()
    cluster_nb = actions.create_cluster(None, name="Ổ dịch NB", unit=tree.noong_bua)
    confirm(make_person("Lò Văn Một"), cluster=cluster_nb)
    before = state()
    assert client.delete(f"{API}/clusters/{cluster_nb.pk}").status_code == 409
    assert token_client(far_district).get(f"{API}/clusters/{cluster_nb.pk}").status_code == 404
    assert patch(client, f"/clusters/{cluster.pk}", {"name": None}).status_code == 422
    assert state() == before
    counts = client.get(f"{API}/clusters/{cluster_nb.pk}").json()["counts"]
    assert counts["total"] == 1 and counts["active"] == 1 and counts["unknown_source"] == 1
