"""Exposure sites: staff actions, the public page and self-reports, staff pages and API."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone, translation

from phongdich.cases import exposure
from phongdich.cases.models import Case, ExposureReport, ExposureSite
from phongdich.core.models import AuditLog, User
from phongdich.core.roles import Perm, Role
from phongdich.core.text import fold
from phongdich.geo.scoping import lineage_columns
from phongdich.people.models import Person
from phongdich.tracing.models import ContactCandidate, ContactSource
from tests.conftest import Tree, client_for

TODAY = timezone.localdate()
START = timezone.now() - datetime.timedelta(days=3)


@pytest.fixture(autouse=True)
def _clear_cache() -> None:
    cache.clear()


def make_case(tree: Tree, code: str = "ĐB-0042") -> Case:
    person = Person.objects.create(
        full_name="Quàng Văn Bệnh",
        name_key=fold("Quàng Văn Bệnh"),
        phone="+84912000111",
        birth_year=1980,
        **lineage_columns(tree.to1),
    )
    return Case.objects.create(person=person, code=code, confirmed_on=TODAY, **lineage_columns(tree.to1))


def make_site(actor: User, tree: Tree, case: Case | None = None, publish: bool = True, **kw: object) -> ExposureSite:
    data = exposure.SiteData(
        name=str(kw.get("name", "Chợ trung tâm Noong Bua")),
        unit=tree.noong_bua,
        starts_at=START,
        ends_at=None,
        address="Số 5 đường Võ Nguyên Giáp",
        description="Tự theo dõi sức khỏe 14 ngày, gọi trạm y tế.",
        case=case,
    )
    site, _ = exposure.create_site(actor, data)
    if publish:
        exposure.publish_site(actor, site)
    return site


@pytest.fixture
def case(tree: Tree) -> Case:
    return make_case(tree)


@pytest.fixture
def site(personas: dict[Role, User], tree: Tree, case: Case) -> ExposureSite:
    return make_site(personas[Role.HEALTH], tree, case)


def report_data(tree: Tree, **overrides: str) -> dict[str, str]:
    data = {
        "full_name": "Lò Thị Mai",
        "phone": "0912 345 678",
        "birth": "12/03/1990",
        "id_number": "",
        "commune": str(tree.him_lam.pk),
        "address": "Tổ 3",
        "visited_on": (TODAY - datetime.timedelta(days=1)).isoformat(),
        "client_uuid": str(uuid.uuid4()),
        "website": "",
    }
    data.update(overrides)
    return data


def counts() -> tuple[int, int, int]:
    return Person.objects.count(), ExposureReport.objects.count(), ContactCandidate.objects.count()


# ---------------------------------------------------------------------------------------------
# Public page
# ---------------------------------------------------------------------------------------------


def test_public_page_lists_active_sites_without_personal_data(site: ExposureSite, personas, tree: Tree) -> None:
    draft = make_site(personas[Role.HEALTH], tree, publish=False, name="Quán cà phê Nháp")
    gone = make_site(personas[Role.HEALTH], tree, name="Nhà văn hóa Rút")
    exposure.withdraw_site(personas[Role.HEALTH], gone)
    response = Client().get("/public/exposure/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Chợ trung tâm Noong Bua" in html
    assert "Số 5 đường Võ Nguyên Giáp" in html
    assert "Tự theo dõi sức khỏe 14 ngày" in html
    for secret in ("ĐB-0042", "Quàng Văn Bệnh", "0912000111", "+84912000111", "0912 000 111"):
        assert secret not in html
    assert draft.name not in html
    assert gone.name not in html
    assert response.headers["Content-Language"] == "vi"
    # The report form page shows no case either.
    form = Client().get(f"/public/exposure/{site.pk}/").content.decode()
    assert "ĐB-0042" not in form and "Quàng Văn Bệnh" not in form


def test_public_page_in_english_with_the_language_cookie(site: ExposureSite) -> None:
    client = Client()
    client.cookies["django_language"] = "en"
    html = client.get("/public/exposure/").content.decode()
    assert "I was there: tell the health station" in html


def test_public_page_filters_by_district_and_commune(site: ExposureSite, tree: Tree) -> None:
    assert site.name in Client().get(f"/public/exposure/?district={tree.city.pk}").content.decode()
    assert site.name not in Client().get(f"/public/exposure/?district={tree.muong_nhe.pk}").content.decode()
    url = f"/public/exposure/?district={tree.city.pk}&commune={tree.him_lam.pk}"
    assert site.name not in Client().get(url).content.decode()
    assert Client().get("/public/exposure/?district=abc&commune=%27").status_code == 200


def test_self_report_creates_person_and_contact_candidate(site: ExposureSite, case: Case, tree: Tree) -> None:
    data = report_data(tree)
    response = Client().post(f"/public/exposure/{site.pk}/", data)
    assert response.status_code == 302
    person = Person.objects.get(name_key=fold("Lò Thị Mai"))
    assert person.phone == "+84912345678"
    assert person.commune_id == tree.him_lam.pk
    report = ExposureReport.objects.get()
    assert report.person == person and report.channel == ExposureReport.Channel.PUBLIC_WEB
    candidate = ContactCandidate.objects.get()
    assert candidate.person == person and candidate.other == case.person
    assert candidate.reason == ContactSource.EXPOSURE_SITE
    assert candidate.exposure_date == TODAY - datetime.timedelta(days=1)
    assert candidate.evidence["site"] == str(site.pk)
    thanks = Client().get(response["Location"]).content.decode()
    for secret in ("Lò Thị Mai", "0912", "ĐB-0042"):
        assert secret not in thanks
    assert "Lò Thị Mai" not in response["Location"]


def test_self_report_matches_an_existing_person(site: ExposureSite, tree: Tree) -> None:
    known = Person.objects.create(
        full_name="Lò Thị Mai", name_key=fold("Lò Thị Mai"), id_number="011190000123", **lineage_columns(tree.him_lam)
    )
    before = Person.objects.count()
    data = report_data(tree, id_number="011 190 000 123")
    assert Client().post(f"/public/exposure/{site.pk}/", data).status_code == 302
    assert Person.objects.count() == before
    assert ExposureReport.objects.get().person == known


def test_visit_date_outside_the_window_is_refused(site: ExposureSite, tree: Tree) -> None:
    before = counts()
    early = (START - datetime.timedelta(days=2)).date().isoformat()
    response = Client().post(f"/public/exposure/{site.pk}/", report_data(tree, visited_on=early))
    assert response.status_code == 400
    assert "phải trong khoảng" in response.content.decode()
    future = (TODAY + datetime.timedelta(days=1)).isoformat()
    assert Client().post(f"/public/exposure/{site.pk}/", report_data(tree, visited_on=future)).status_code == 400
    assert counts() == before


@pytest.mark.parametrize(
    "field,value",
    [
        ("phone", "12"),
        ("phone", ""),
        ("full_name", "Mai 123"),
        ("birth", "31/02/1990"),
        ("birth", ""),
        ("id_number", "12ab"),
        ("commune", ""),
        ("commune", "999999"),
        ("visited_on", "hôm qua"),
        ("client_uuid", "x"),
    ],
)
def test_bad_input_is_refused_and_nothing_written(site: ExposureSite, tree: Tree, field: str, value: str) -> None:
    before = counts()
    response = Client().post(f"/public/exposure/{site.pk}/", report_data(tree, **{field: value}))
    assert response.status_code == 400
    assert counts() == before


def test_rate_limit_per_ip(site: ExposureSite, tree: Tree, settings) -> None:
    settings.EXPOSURE_REPORT_RATE = (3, 600)
    client = Client()
    for _ in range(3):
        assert client.post(f"/public/exposure/{site.pk}/", report_data(tree)).status_code == 302
    before = counts()
    response = client.post(f"/public/exposure/{site.pk}/", report_data(tree, full_name="Lò Văn Nhiều"))
    assert response.status_code == 429
    assert counts() == before
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert other.post(f"/public/exposure/{site.pk}/", report_data(tree, full_name="Lò Văn Khác")).status_code == 302


def test_honeypot_writes_nothing(site: ExposureSite, tree: Tree) -> None:
    before = counts()
    response = Client().post(f"/public/exposure/{site.pk}/", report_data(tree, website="http://spam.example"))
    assert response.status_code == 302
    assert counts() == before


def test_retry_with_the_same_client_uuid_never_duplicates(site: ExposureSite, tree: Tree) -> None:
    data = report_data(tree)
    assert Client().post(f"/public/exposure/{site.pk}/", data).status_code == 302
    after_first = counts()
    assert Client().post(f"/public/exposure/{site.pk}/", data).status_code == 302
    assert counts() == after_first == (after_first[0], 1, 1)


def test_csrf_is_enforced(site: ExposureSite, tree: Tree) -> None:
    before = counts()
    response = Client(enforce_csrf_checks=True).post(f"/public/exposure/{site.pk}/", report_data(tree))
    assert response.status_code == 403
    assert counts() == before


def test_withdrawn_or_draft_site_takes_no_report(personas, tree: Tree, site: ExposureSite) -> None:
    exposure.withdraw_site(personas[Role.HEALTH], site)
    before = counts()
    assert Client().post(f"/public/exposure/{site.pk}/", report_data(tree)).status_code == 404
    assert Client().get(f"/public/exposure/{uuid.uuid4()}/").status_code == 404
    assert counts() == before


def test_site_without_case_lists_reports_for_tracers(personas, tree: Tree) -> None:
    site = make_site(personas[Role.HEALTH], tree, case=None)
    assert Client().post(f"/public/exposure/{site.pk}/", report_data(tree)).status_code == 302
    assert ContactCandidate.objects.count() == 0
    html = client_for(personas[Role.HEALTH]).get(f"/exposure-sites/{site.pk}/").content.decode()
    assert "Lò Thị Mai" in html
    assert "0912 345 678" in html


def test_report_from_another_province(site: ExposureSite, tree: Tree, personas) -> None:
    assert Client().post(f"/public/exposure/{site.pk}/", report_data(tree, commune="other")).status_code == 302
    person = ExposureReport.objects.get().person
    assert person is not None and person.province_id is None
    html = client_for(personas[Role.HEALTH]).get(f"/exposure-sites/{site.pk}/").content.decode()
    assert "Lò Thị Mai" in html


# ---------------------------------------------------------------------------------------------
# Staff pages
# ---------------------------------------------------------------------------------------------


def test_staff_pages_by_role(personas, site: ExposureSite) -> None:
    for role, user in personas.items():
        client = client_for(user)
        list_status = client.get("/exposure-sites/").status_code
        assert list_status == (200 if user.can(Perm.CASE_VIEW) else 403), role
        new_status = client.get("/exposure-sites/new/").status_code
        assert new_status == (200 if user.can(Perm.EXPOSURE_PUBLISH) else 403), role
    assert Client().get("/exposure-sites/").status_code == 302  # sign in first


def test_outsider_gets_404(outsider: User, site: ExposureSite) -> None:
    client = client_for(outsider)
    assert client.get(f"/exposure-sites/{site.pk}/").status_code == 404
    assert site.name not in client.get("/exposure-sites/").content.decode()


def test_create_publish_withdraw_audited(personas, tree: Tree, case: Case) -> None:
    client = client_for(personas[Role.HEALTH])
    key = str(uuid.uuid4())
    data = {
        "name": "Bến xe khách Điện Biên",
        "address": "Phường Him Lam",
        "unit": str(tree.him_lam.pk),
        "starts_at": (timezone.localtime() - datetime.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"),
        "ends_at": "",
        "description": "Khai báo y tế",
        "case_code": "đb-0042",
        "cluster_code": "",
        "client_uuid": key,
    }
    response = client.post("/exposure-sites/new/", data)
    assert response.status_code == 302
    assert client.post("/exposure-sites/new/", data).status_code == 302  # retry: same site
    site = ExposureSite.objects.get(name="Bến xe khách Điện Biên")
    assert site.case == case and site.commune_id == tree.him_lam.pk and not site.published
    assert client.post(f"/exposure-sites/{site.pk}/publish/").status_code == 302
    site.refresh_from_db()
    assert site.published and exposure.is_active(site)
    assert client.post(f"/exposure-sites/{site.pk}/withdraw/").status_code == 302
    site.refresh_from_db()
    assert not site.published and site.withdrawn_at is not None
    actions = set(AuditLog.objects.filter(object_id=str(site.pk)).values_list("action", flat=True))
    assert {"exposure_site.create", "exposure_site.publish", "exposure_site.withdraw"} <= actions


def test_create_refusals_write_nothing(personas, tree: Tree) -> None:
    before = ExposureSite.objects.count()
    data = {"name": "X", "unit": str(tree.noong_bua.pk), "starts_at": "2021-05-01T08:00", "client_uuid": ""}
    assert client_for(personas[Role.DISTRICT]).post("/exposure-sites/new/", data).status_code == 403
    bad = client_for(personas[Role.HEALTH]).post("/exposure-sites/new/", {**data, "case_code": "KHÔNG-CÓ"})
    assert bad.status_code == 400
    later = {**data, "starts_at": "2021-05-02T08:00", "ends_at": "2021-05-01T08:00"}
    assert client_for(personas[Role.HEALTH]).post("/exposure-sites/new/", later).status_code == 400
    assert ExposureSite.objects.count() == before


def test_publish_refused_without_permission(personas, site: ExposureSite) -> None:
    exposure.withdraw_site(personas[Role.HEALTH], site)
    for role in (Role.DISTRICT, Role.COMMUNE, Role.STEERING):
        assert client_for(personas[role]).post(f"/exposure-sites/{site.pk}/publish/").status_code == 403
    site.refresh_from_db()
    assert not site.published


def test_staff_detail_scopes_reporters(personas, site: ExposureSite, tree: Tree) -> None:
    Client().post(f"/public/exposure/{site.pk}/", report_data(tree, commune=str(tree.sin_thau.pk)))
    health = client_for(personas[Role.HEALTH]).get(f"/exposure-sites/{site.pk}/").content.decode()
    with translation.override("vi"):
        pending = str(ContactCandidate.Status.PENDING.label)
    assert "Lò Thị Mai" in health and pending in health
    commune = client_for(personas[Role.COMMUNE]).get(f"/exposure-sites/{site.pk}/").content.decode()
    assert "Lò Thị Mai" not in commune and "0912 345 678" not in commune


# ---------------------------------------------------------------------------------------------
# API
# ---------------------------------------------------------------------------------------------


def test_api_create_idempotent_and_refusals(personas, tree: Tree) -> None:
    body = {
        "name": "Trường THCS Him Lam",
        "unit_id": tree.him_lam.pk,
        "starts_at": (timezone.now() - datetime.timedelta(days=1)).isoformat(),
        "client_uuid": str(uuid.uuid4()),
    }
    health = client_for(personas[Role.HEALTH])
    first = health.post("/api/v1/exposure-sites", body, content_type="application/json")
    assert first.status_code == 201, first.content
    again = health.post("/api/v1/exposure-sites", body, content_type="application/json")
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    assert ExposureSite.objects.count() == 1
    refused = client_for(personas[Role.DISTRICT]).post(
        "/api/v1/exposure-sites", {**body, "client_uuid": str(uuid.uuid4())}, content_type="application/json"
    )
    assert refused.status_code == 403
    outside = health.post(
        "/api/v1/exposure-sites",
        {**body, "unit_id": tree.quyet_thang.pk, "client_uuid": None},
        content_type="application/json",
    )
    assert outside.status_code == 422
    assert health.post("/api/v1/exposure-sites", "{nope", content_type="application/json").status_code == 400
    assert health.post("/api/v1/exposure-sites", {"name": ""}, content_type="application/json").status_code == 422
    assert ExposureSite.objects.count() == 1
    site_id = first.json()["id"]
    assert client_for(personas[Role.COMMUNE]).get(f"/api/v1/exposure-sites/{site_id}").status_code == 404
    published = health.post(f"/api/v1/exposure-sites/{site_id}/publish")
    assert published.status_code == 200 and published.json()["active"] is True
    assert health.get("/api/v1/exposure-sites/not-a-uuid").status_code in (404, 422)


def test_api_public_list_and_reports(site: ExposureSite, tree: Tree, personas) -> None:
    response = Client().get("/api/v1/exposure-sites/public")
    assert response.status_code == 200
    text = str(response.json())
    assert site.name in text and "ĐB-0042" not in text and "Quàng" not in text and "0912000111" not in text
    assert Client().get(f"/api/v1/exposure-sites/public?unit_id={tree.muong_nhe.pk}").json() == []
    Client().post(f"/public/exposure/{site.pk}/", report_data(tree))
    reports = client_for(personas[Role.HEALTH]).get(f"/api/v1/exposure-sites/{site.pk}/reports")
    assert reports.status_code == 200
    assert reports.json()[0]["full_name"] == "Lò Thị Mai"
    assert reports.json()[0]["candidate_status"] == "pending"
    assert Client().get(f"/api/v1/exposure-sites/{site.pk}/reports").status_code == 401
    assert client_for(personas[Role.LAB]).get(f"/api/v1/exposure-sites/{site.pk}/reports").status_code == 403
