"""Case and cluster pages: each role, refusals with nothing written, the forms."""

from __future__ import annotations

import uuid

import pytest

from phongdich.cases import actions
from phongdich.cases.models import Case, CaseStatus, Cluster, Outcome
from phongdich.core.models import AccessLog
from phongdich.core.roles import Perm, Role, role_has
from phongdich.tracing.models import TracingTask
from tests.cases.conftest import CONFIRMED, confirm, state
from tests.conftest import PERSONA_UNITS, client_for

SEES_TO1 = {r for r, unit in PERSONA_UNITS.items() if unit in ("province", "city", "noong_bua", "to1")}


def expected(role: Role, perm: Perm, ok: int = 200) -> int:
    if not role_has(role, perm):
        return 403
    return ok if role in SEES_TO1 else 404


def _form(**kw):
    data = {
        "confirmed_on": "10/08/2021",
        "sample_date": "2021-08-09",
        "onset_date": "",
        "detected_by": "community",
        "clinical_status": "mild",
        "symptoms": ["fever", "cough"],
        "other_symptoms": "ho khan, đau ngực",
        "source_note": "",
        "national_code": "BN1234",
        "client_uuid": str(uuid.uuid4()),
    }
    data.update(kw)
    return data


def test_anonymous_is_sent_to_login(chain):
    case = confirm(chain.an)
    for url in ("/cases/", f"/cases/{case.pk}/", f"/cases/new/{chain.binh.pk}/", "/cases/clusters/"):
        r = client_for(None).get(url)
        assert r.status_code == 302 and "login" in r["Location"]


@pytest.mark.parametrize("role", list(Role))
def test_case_pages_by_role(role, personas, chain):
    case = confirm(chain.an)
    client = client_for(personas[role])
    r = client.get(f"/cases/{case.pk}/")
    assert r.status_code == expected(role, Perm.CASE_VIEW)
    if r.status_code == 200:
        html = r.content.decode()
        assert case.code in html and "Quàng Thị Bình" in html  # the task list
        assert AccessLog.objects.filter(user=personas[role], object_id=str(case.pk), channel="web").exists()
        assert ("/rule-out/" in html) == role_has(role, Perm.CASE_EDIT)
        assert (f"/tracing/investigations/{case.investigation.pk}/teams/" in html) == role_has(
            role, Perm.INVESTIGATION_MANAGE
        )
    r = client.get("/cases/")
    assert r.status_code == (200 if role_has(role, Perm.CASE_VIEW) else 403)
    if r.status_code == 200:
        assert (case.code in r.content.decode()) == (role in SEES_TO1)
    assert client.get("/cases/clusters/").status_code == (200 if role_has(role, Perm.CASE_VIEW) else 403)


@pytest.mark.parametrize("role", list(Role))
def test_create_page_by_role(role, personas, make_person):
    person = make_person("Lò Văn An")
    client = client_for(personas[role])
    want = expected(role, Perm.CASE_EDIT)
    assert client.get(f"/cases/new/{person.pk}/").status_code == want
    before = state()
    r = client.post(f"/cases/new/{person.pk}/", _form())
    if want != 200:
        assert r.status_code == want
        assert state() == before
        return
    case = Case.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/cases/{case.pk}/"
    assert case.symptoms == ["fever", "cough", "ho khan", "đau ngực"] and case.national_code == "BN1234"
    assert case.sample_date.isoformat() == "2021-08-09" and case.confirmed_on == CONFIRMED


def test_create_outside_the_area_is_404(far_district, make_person):
    person = make_person("Lò Văn An")
    before = state()
    assert client_for(far_district).post(f"/cases/new/{person.pk}/", _form()).status_code == 404
    assert state() == before


def test_double_submit_makes_one_case(personas, make_person):
    person = make_person("Lò Văn An")
    client = client_for(personas[Role.HEALTH])
    data = _form()
    first = client.post(f"/cases/new/{person.pk}/", data)
    again = client.post(f"/cases/new/{person.pk}/", data)
    assert first.status_code == again.status_code == 302
    assert Case.objects.count() == 1


def test_bad_form_is_shown_with_errors_and_nothing_written(personas, make_person):
    person = make_person("Lò Văn An")
    client = client_for(personas[Role.HEALTH])
    before = state()
    r = client.post(f"/cases/new/{person.pk}/", _form(confirmed_on="31/12/2099"))
    assert r.status_code == 200
    assert "Ngày khẳng định không được ở tương lai." in r.content.decode()
    r = client.post(f"/cases/new/{person.pk}/", _form(sample_date="2021-08-12"))
    assert "Ngày lấy mẫu không được sau ngày khẳng định." in r.content.decode()
    r = client.post(f"/cases/new/{person.pk}/", _form(detected_by="rumour", confirmed_on="abc"))
    assert r.status_code == 200
    assert state() == before


def test_duplicate_active_case_page_is_409(personas, make_person):
    person = make_person("Lò Văn An")
    confirm(person)
    client = client_for(personas[Role.HEALTH])
    r = client.get(f"/cases/new/{person.pk}/")
    assert "ĐB-0001" in r.content.decode()
    before = state()
    r = client.post(f"/cases/new/{person.pk}/", _form())
    assert r.status_code == 409 and "Người này đang là ca bệnh (ĐB-0001)" in r.content.decode()
    assert state() == before


@pytest.mark.parametrize("role", list(Role))
def test_edit_outcome_rule_out_pages_by_role(role, personas, make_person):
    case = confirm(make_person("Lò Văn An"))
    client = client_for(personas[role])
    want = expected(role, Perm.CASE_EDIT)
    before = state()
    r1 = client.post(f"/cases/{case.pk}/edit/", _form(clinical_status="severe"))
    r2 = client.post(f"/cases/{case.pk}/outcome/", {"outcome": "recovered", "date": "2021-08-24"})
    if want != 200:
        assert (r1.status_code, r2.status_code) == (want, want)
        assert client.post(f"/cases/{case.pk}/rule-out/", {"reason": "x"}).status_code == want
        assert state() == before
        return
    assert r1.status_code == r2.status_code == 302
    case.refresh_from_db()
    assert case.clinical_status == "severe" and case.outcome == Outcome.RECOVERED
    r = client.post(f"/cases/{case.pk}/rule-out/", {"reason": "RT-PCR âm tính"})
    assert r.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.RULED_OUT
    r = client.post(f"/cases/{case.pk}/rule-out/", {"reason": "again"})
    assert r.status_code == 409
    assert client.get(f"/cases/{case.pk}/edit/").status_code == 302  # a ruled-out case is not edited


def test_outcome_page_validation(personas, make_person):
    case = confirm(make_person("Lò Văn An"))
    client = client_for(personas[Role.HEALTH])
    before = state()
    r = client.post(f"/cases/{case.pk}/outcome/", {"outcome": "died", "date": "01/08/2021"})
    assert r.status_code == 422 and "không được trước ngày khẳng định" in r.content.decode()
    r = client.post(f"/cases/{case.pk}/rule-out/", {"reason": ""})
    assert r.status_code == 200
    assert state() == before


def test_list_filters_on_the_page(personas, make_person, tree):
    a = confirm(make_person("Lò Văn A"))
    b = confirm(make_person("Lò Văn B", unit=tree.ban_sin_thau), detected_by="checkpoint")
    client = client_for(personas[Role.HEALTH])
    html = client.get("/cases/", {"detected_by": "checkpoint"}).content.decode()
    assert b.code in html and a.code not in html
    html = client.get("/cases/", {"unit": tree.noong_bua.pk}).content.decode()
    assert a.code in html and b.code not in html
    assert client.get("/cases/", {"date_from": "nope", "page": "x"}).status_code == 200


@pytest.mark.parametrize("role", list(Role))
def test_cluster_pages_by_role(role, personas, tree, make_person):
    client = client_for(personas[role])
    before = state()
    r = client.post(
        "/cases/clusters/new/", {"name": "Ổ dịch chợ Noong Bua", "unit": tree.noong_bua.pk, "status": "active"}
    )
    if not role_has(role, Perm.CASE_EDIT):
        assert r.status_code == 403
        assert state() == before
        cluster = actions.create_cluster(None, name="Ổ dịch có sẵn", unit=tree.noong_bua)
        r = client.get(f"/cases/clusters/{cluster.pk}/")
        assert r.status_code == expected(role, Perm.CASE_VIEW)
        before = state()
        assert client.post(
            f"/cases/clusters/{cluster.pk}/edit/", {"name": "x", "unit": tree.noong_bua.pk, "status": "closed"}
        ).status_code in (403, 404)
        assert client.post(f"/cases/clusters/{cluster.pk}/delete/").status_code in (403, 404)
        assert state() == before
        return
    cluster = Cluster.objects.get()
    assert r.status_code == 302 and cluster.commune == tree.noong_bua
    case = confirm(make_person("Lò Văn An"), cluster=cluster)
    r = client.get(f"/cases/clusters/{cluster.pk}/")
    assert r.status_code == 200 and case.code in r.content.decode()
    r = client.post(
        f"/cases/clusters/{cluster.pk}/edit/",
        {"name": "Ổ dịch Noong Bua", "unit": tree.noong_bua.pk, "status": "controlled"},
    )
    assert r.status_code == 302
    cluster.refresh_from_db()
    assert cluster.status == "controlled"
    assert client.post(f"/cases/clusters/{cluster.pk}/delete/").status_code == 302
    assert Cluster.objects.exists()  # it has a case


def test_cluster_page_lists_contacts_and_counts(personas, chain, tree):
    cluster = actions.create_cluster(None, name="Ổ dịch Tổ 1", unit=tree.noong_bua)
    confirm(chain.an, cluster=cluster)
    html = client_for(personas[Role.COMMUNE]).get(f"/cases/clusters/{cluster.pk}/").content.decode()
    for name in ("Quàng Thị Bình", "Lường Văn Chi", "Cà Thị Dung"):
        assert name in html
    assert ">F1<" in html and ">F3<" in html


def test_cluster_form_refuses_a_unit_outside_the_area(personas, tree):
    before = state()
    r = client_for(personas[Role.DISTRICT]).post(
        "/cases/clusters/new/", {"name": "X", "unit": tree.sin_thau.pk, "status": "active"}
    )
    assert r.status_code == 200 and state() == before


def test_task_list_on_the_case_page_in_english(personas, chain):
    case = confirm(chain.an)
    client = client_for(personas[Role.HEALTH])
    client.post("/i18n/setlang/", {"language": "en"})
    html = client.get(f"/cases/{case.pk}/").content.decode()
    assert "Contacts to find" in html and "To find" in html
    assert TracingTask.objects.filter(investigation__case=case).count() == 2
