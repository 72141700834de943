"""Line lists of cases and of F1–F3 (pages and API): filters, scoping, roles, access log."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from phongdich.core.models import AccessLog, AuditLog, User
from phongdich.core.roles import Role
from tests.conftest import client_for
from tests.tracing.report_helpers import D, Data, Scenario, data_fixture, scenario  # noqa: F401

pytestmark = pytest.mark.django_db

NO_CASE_VIEW = [Role.COMMUNITY, Role.CHECKPOINT, Role.LAB]
WITH_CASE_VIEW = [r for r in Role if r not in NO_CASE_VIEW]


@pytest.fixture
def s(data: Data) -> Scenario:
    return scenario(data, timezone.localdate())


def codes(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [row["code"] for row in response.json()["results"]]


def names(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [row["full_name"] for row in response.json()["results"]]


# --- roles and scope --------------------------------------------------------------------------


@pytest.mark.parametrize("role", NO_CASE_VIEW)
@pytest.mark.parametrize(
    "url",
    [
        "/reports/cases/",
        "/reports/contacts/",
        "/reports/cases/export.xlsx",
        "/reports/contacts/export.csv",
        "/reports/chains/",
        "/reports/figures/",
        "/api/v1/reports/cases",
        "/api/v1/reports/contacts",
        "/api/v1/reports/cases/export",
        "/api/v1/reports/contacts/export?format=csv",
        "/api/v1/reports/stats",
    ],
)
def test_roles_without_case_view_are_refused(s: Scenario, personas: dict[Role, User], role: Role, url: str) -> None:
    response = client_for(personas[role]).get(url)
    assert response.status_code == 403
    assert not AccessLog.objects.exists()


@pytest.mark.parametrize("url", ["/reports/cases/", "/reports/contacts/", "/reports/figures/", "/reports/chains/"])
def test_pages_need_sign_in(s: Scenario, url: str) -> None:
    response = client_for(None).get(url)
    assert response.status_code == 302
    assert "/login" in response["Location"] or "login" in response["Location"]


def test_api_needs_authentication(s: Scenario) -> None:
    assert client_for(None).get("/api/v1/reports/cases").status_code == 401


@pytest.mark.parametrize("role", WITH_CASE_VIEW)
def test_each_role_with_case_view_sees_its_area(s: Scenario, personas: dict[Role, User], role: Role) -> None:
    user = personas[role]
    response = client_for(user).get("/api/v1/reports/cases")
    assert response.status_code == 200
    expected = {
        "province": {"ĐB-0001", "ĐB-0002", "ĐB-0003", "ĐB-0004"},
        "city": {"ĐB-0001", "ĐB-0002", "ĐB-0004"},
        "noong_bua": {"ĐB-0001", "ĐB-0004"},
    }
    unit = user.unit
    assert unit is not None
    key = {"11": "province", "094": "city", "03124": "noong_bua"}[unit.code]
    assert set(codes(response)) == expected[key]
    assert client_for(user).get("/reports/cases/").status_code == 200


def test_commune_user_sees_only_its_commune(s: Scenario, personas: dict[Role, User]) -> None:
    client = client_for(personas[Role.COMMUNE])  # Noong Bua
    assert codes(client.get("/api/v1/reports/cases")) == ["ĐB-0004", "ĐB-0001"]
    people = names(client.get("/api/v1/reports/contacts"))
    assert people == ["Cà Thị Hà", "Điêu Thị Lan"]  # Khánh (Sín Thầu) and Minh (Him Lam) are not theirs
    page = client.get("/reports/cases/")
    body = page.content.decode()
    assert "ĐB-0001" in body and "Lò Văn An" in body
    assert "ĐB-0002" not in body and "Quàng Thị Bình" not in body and "ĐB-0003" not in body


def test_outsider_unit_and_cluster_filters_answer_404(s: Scenario, outsider: User) -> None:
    client = client_for(outsider)  # Sín Thầu
    assert codes(client.get("/api/v1/reports/cases")) == ["ĐB-0003"]
    logged = AccessLog.objects.count()
    assert client.get(f"/api/v1/reports/cases?unit={s.data.tree.noong_bua.pk}").status_code == 404
    assert client.get(f"/api/v1/reports/cases?cluster={s.cluster_a.pk}").status_code == 404
    assert client.get(f"/reports/cases/?unit={s.data.tree.noong_bua.pk}").status_code == 404
    assert client.get(f"/reports/contacts/?cluster={s.cluster_a.pk}").status_code == 404
    assert client.get(f"/reports/cases/export.xlsx?cluster={s.cluster_a.pk}").status_code == 404
    assert AccessLog.objects.count() == logged


# --- filters ----------------------------------------------------------------------------------


def test_case_filters(s: Scenario, personas: dict[Role, User]) -> None:
    client = client_for(personas[Role.HEALTH])
    t = s.data.tree

    def get(query: str) -> list[str]:
        response = client.get("/api/v1/reports/cases?" + query)
        assert response.status_code == 200, response.content
        return codes(response)

    assert get("") == ["ĐB-0003", "ĐB-0004", "ĐB-0002", "ĐB-0001"]
    assert get(f"unit={t.city.pk}") == ["ĐB-0004", "ĐB-0002", "ĐB-0001"]
    assert get(f"unit={t.him_lam.pk}") == ["ĐB-0002"]
    assert get("date_from=2021-05-04&date_to=2021-05-05") == ["ĐB-0004", "ĐB-0002"]
    assert get("status=ruled_out") == ["ĐB-0004"]
    assert get("status=confirmed&detected_by=community") == ["ĐB-0001"]
    assert get("detected_by=quarantine") == ["ĐB-0002"]
    assert get("source=known") == ["ĐB-0002"]
    assert get("source=unknown&status=confirmed") == ["ĐB-0003", "ĐB-0001"]
    assert get(f"cluster={s.cluster_a.pk}") == ["ĐB-0002", "ĐB-0001"]
    assert get(f"cluster={s.cluster_b.pk}&unit={t.muong_nhe.pk}") == ["ĐB-0003"]
    assert get("outcome=recovered") == []
    row = client.get(f"/api/v1/reports/cases?unit={t.city.pk}&status=confirmed&detected_by=community").json()
    first = row["results"][0]
    assert first["national_code"] == "BN3001"
    assert first["full_name"] == "Lò Văn An"
    assert first["birth_year"] == 1980
    assert first["commune"] == "Phường Noong Bua"
    assert first["district"] == "Thành phố Điện Biên Phủ"
    assert first["onset_date"] == "2021-05-01"
    assert first["cluster"] == "Ổ dịch Noong Bua"
    assert first["source_known"] is False


def test_contact_filters(s: Scenario, personas: dict[Role, User]) -> None:
    client = client_for(personas[Role.HEALTH])
    t = s.data.tree

    def get(query: str) -> list[str]:
        response = client.get("/api/v1/reports/contacts?" + query)
        assert response.status_code == 200, response.content
        return names(response)

    # F1 first, then the latest exposure first.
    assert get("") == ["Lò Văn Minh", "Cà Thị Hà", "Vàng Văn Khánh", "Điêu Thị Lan"]
    assert get("level=1") == ["Lò Văn Minh", "Cà Thị Hà"]
    assert get("level=3") == ["Điêu Thị Lan"]
    assert get(f"unit={t.muong_nhe.pk}") == ["Vàng Văn Khánh"]
    assert get(f"cluster={s.cluster_a.pk}&level=1") == ["Lò Văn Minh", "Cà Thị Hà"]
    assert get(f"cluster={s.cluster_b.pk}") == []
    assert get("management=active") == ["Lò Văn Minh", "Cà Thị Hà", "Điêu Thị Lan"]
    assert get("management=ended") == ["Vàng Văn Khánh"]
    assert get("handling=centralised") == ["Cà Thị Hà"]
    assert get("date_from=2021-05-03&date_to=2021-05-03") == ["Lò Văn Minh", "Vàng Văn Khánh"]
    rows = {r["full_name"]: r for r in client.get("/api/v1/reports/contacts").json()["results"]}
    assert rows["Điêu Thị Lan"]["case_code"] == "ĐB-0001"
    assert rows["Điêu Thị Lan"]["via_name"] == "Vàng Văn Khánh"  # the province sees everyone
    assert rows["Cà Thị Hà"]["via_name"] == "Lò Văn An"


def test_via_person_outside_the_area_shows_initials(s: Scenario, personas: dict[Role, User]) -> None:
    client = client_for(personas[Role.COMMUNE])  # Noong Bua; Khánh lives in Sín Thầu
    rows = {r["full_name"]: r for r in client.get("/api/v1/reports/contacts").json()["results"]}
    assert rows["Điêu Thị Lan"]["via_name"] == "V. V. K."
    body = client.get("/reports/contacts/").content.decode()
    assert "V. V. K." in body and "Vàng Văn Khánh" not in body


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("date_from=2021-05-10&date_to=2021-05-01", "date_to"),
        ("date_from=10/05/2021", "date_from"),
        ("status=maybe", "status"),
        ("detected_by=radio", "detected_by"),
        ("source=perhaps", "source"),
        ("cluster=not-a-uuid", "cluster"),
        ("unit=abc", "unit"),
        ("page=0", "page"),
        ("page_size=100000", "page_size"),
    ],
)
def test_bad_case_filters_answer_422(s: Scenario, personas: dict[Role, User], query: str, field: str) -> None:
    response = client_for(personas[Role.HEALTH]).get("/api/v1/reports/cases?" + query)
    assert response.status_code == 422
    body = response.json()
    assert body["detail"]
    assert field in {e["field"] for e in body["errors"]}
    assert not AccessLog.objects.exists()


@pytest.mark.parametrize("query", ["level=4", "level=x", "management=soon", "handling=jail", "date_to=2021-13-01"])
def test_bad_contact_filters_answer_422(s: Scenario, personas: dict[Role, User], query: str) -> None:
    response = client_for(personas[Role.HEALTH]).get("/api/v1/reports/contacts?" + query)
    assert response.status_code == 422
    assert response.json()["errors"]


def test_bad_filters_on_pages_answer_400_with_a_message(s: Scenario, personas: dict[Role, User]) -> None:
    client = client_for(personas[Role.HEALTH])
    response = client.get("/reports/cases/?date_from=2021-05-10&date_to=2021-05-01", HTTP_ACCEPT_LANGUAGE="vi")
    assert response.status_code == 400
    assert "Ngày kết thúc trước ngày bắt đầu" in response.content.decode()
    response = client.get("/reports/contacts/?level=7")
    assert response.status_code == 400
    assert client.get("/reports/cases/?date_from=hôm qua").status_code == 400
    assert client.get("/reports/cases/export.csv?status=x").status_code == 400
    assert not AccessLog.objects.exists()


def test_english_message(s: Scenario, personas: dict[Role, User]) -> None:
    user = personas[Role.HEALTH]
    user.language = "en"
    user.save(update_fields=["language"])
    response = client_for(user).get(
        "/api/v1/reports/cases?date_from=2021-05-10&date_to=2021-05-01", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.json()["errors"][0]["message"] == "The end date is before the start date."


def test_page_accepts_typed_dates(s: Scenario, personas: dict[Role, User]) -> None:
    response = client_for(personas[Role.HEALTH]).get("/reports/cases/?date_from=04/05/2021&date_to=2021-05-04")
    assert response.status_code == 200
    body = response.content.decode()
    assert "<b>ĐB-0002</b>" in body and "<b>ĐB-0001</b>" not in body


# --- pagination, access log, query counts -----------------------------------------------------


def test_pagination_and_one_access_log_row_per_page(data: Data, personas: dict[Role, User]) -> None:
    t = data.tree
    for i in range(120):
        data.case(data.person(f"Người {i:03d}", t.noong_bua), D(2021, 6, 1) + datetime.timedelta(days=i % 30))
    user = personas[Role.DISTRICT]
    client = client_for(user)
    first = client.get("/api/v1/reports/cases?page_size=50").json()
    assert (first["count"], first["pages"], len(first["results"])) == (120, 3, 50)
    third = client.get("/api/v1/reports/cases?page_size=50&page=3").json()
    assert len(third["results"]) == 20
    beyond = client.get("/api/v1/reports/cases?page_size=50&page=9").json()
    assert beyond["results"] == []
    assert AccessLog.objects.count() == 2  # two pages with rows; none for the empty one
    log = AccessLog.objects.order_by("id").first()
    assert log is not None and log.channel == "api" and log.user_id == user.pk
    assert log.detail == "case line list: 50"
    response = client.get("/reports/cases/?page=2")
    assert response.status_code == 200
    assert AccessLog.objects.count() == 3
    assert AccessLog.objects.order_by("-id").first().channel == "web"  # type: ignore[union-attr]
    assert not AuditLog.objects.exists()


def test_list_queries_do_not_grow_with_rows(data: Data, personas: dict[Role, User]) -> None:
    t = data.tree
    cluster = data.cluster("Ổ", t.noong_bua)
    client = client_for(personas[Role.HEALTH])

    def count_queries(url: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    def add(n: int) -> None:
        for _ in range(n):
            p = data.person("Ca", t.noong_bua)
            case = data.case(p, D(2021, 6, 1), cluster=cluster)
            data.level(data.person("Tiếp xúc", t.him_lam), 1, case, p)

    add(2)
    few = [count_queries(u) for u in ("/reports/cases/", "/reports/contacts/", "/api/v1/reports/contacts")]
    add(20)
    many = [count_queries(u) for u in ("/reports/cases/", "/reports/contacts/", "/api/v1/reports/contacts")]
    assert few == many


def test_pages_render_filters_and_export_links(s: Scenario, personas: dict[Role, User]) -> None:
    client = client_for(personas[Role.HEALTH])
    body = client.get(f"/reports/cases/?cluster={s.cluster_a.pk}&status=confirmed").content.decode()
    assert f"/reports/cases/export.xlsx?status=confirmed&amp;cluster={s.cluster_a.pk}" in body
    assert 'class="table stack"' in body
    body = client.get("/reports/contacts/?level=3").content.decode()
    assert "Điêu Thị Lan" in body and "Cà Thị Hà" not in body
    assert "/reports/contacts/export.csv?level=3" in body


def test_today_is_respected_for_management(s: Scenario, personas: dict[Role, User]) -> None:
    """Lan's handling ends today: still under management; Khánh's ended yesterday."""
    rows = client_for(personas[Role.HEALTH]).get("/api/v1/reports/contacts?management=active").json()["results"]
    lan = next(r for r in rows if r["full_name"] == "Điêu Thị Lan")
    assert lan["handling_until"] == timezone.localdate().isoformat()


def test_openapi_documents_the_report_endpoints(personas: dict[Role, User]) -> None:
    schema = client_for(personas[Role.HEALTH]).get("/api/v1/openapi.json").json()
    paths = schema["paths"]
    for path in (
        "/api/v1/reports/cases",
        "/api/v1/reports/contacts",
        "/api/v1/reports/cases/export",
        "/api/v1/reports/contacts/export",
        "/api/v1/reports/clusters/{cluster_id}/graph",
        "/api/v1/reports/people/{person_id}/chain",
        "/api/v1/reports/stats",
    ):
        assert path in paths, path
        operation = paths[path]["get"]
        assert operation["summary"] and operation["tags"] == ["reports"]
        assert {"403", "404"} <= set(operation["responses"])
    parameters = {p["name"] for p in paths["/api/v1/reports/cases"]["get"]["parameters"]}
    expected = {"unit", "date_from", "date_to", "status", "cluster", "detected_by", "source", "page", "page_size"}
    assert expected <= parameters
