"""Steering figures against hand-counted data: new F0 by day, week and unit, community vs in
quarantine, unknown-source share, F1/F2/F3 under management; grouped queries only."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from phongdich.cases.models import DetectedBy
from phongdich.core.models import User
from phongdich.core.roles import Role
from phongdich.policy.models import Handling
from phongdich.tracing import stats
from tests.conftest import client_for
from tests.tracing.report_helpers import D, Data, Scenario, data_fixture, scenario  # noqa: F401

pytestmark = pytest.mark.django_db

FROM, TO = D(2021, 5, 1), D(2021, 5, 14)  # Saturday 1 May to Friday 14 May: weeks of 26/4, 3/5, 10/5


@pytest.fixture
def s(data: Data) -> Scenario:
    """The shared scenario plus, by hand:

    new F0 in range — city: An 03/05 community unknown, Bình 04/05 quarantine known, Em 03/05
    quarantine unknown; Mường Nhé: Chiến 10/05 checkpoint unknown, Giang 14/05 community
    unknown. Out of range: 30/04 and 15/05. Ruled out: Dũng.
    Under management today — city: Hà F1, Minh F1, Lan F3 (until today); Mường Nhé: Hưng F2.
    Not under management: Khánh (ended yesterday), Ích (no measure), Kim (no end date).
    """
    today = timezone.localdate()
    sc = scenario(data, today)
    t = data.tree
    data.case(data.person("Lò Thị Em", t.to2), D(2021, 5, 3), detected_by=DetectedBy.QUARANTINE)
    data.case(data.person("Giàng Thị Giang", t.sen_thuong), D(2021, 5, 14))
    data.case(data.person("Trước Kỳ", t.noong_bua), D(2021, 4, 30))
    data.case(data.person("Sau Kỳ", t.sin_thau), D(2021, 5, 15))
    day = datetime.timedelta(days=1)
    data.level(data.person("Sùng A Hưng", t.sen_thuong), 2, sc.case3, until=today + day)
    data.level(data.person("Lò Văn Ích", t.noong_bua), 1, sc.case1, handling=Handling.NONE, until=today + 9 * day)
    data.level(data.person("Lò Thị Kim", t.noong_bua), 1, sc.case1, until=None)
    return sc


def row(figures: stats.Stats, name: str | None) -> stats.UnitRow:
    return next(r for r in figures.rows if (r.unit.name if r.unit else None) == name)


def test_province_figures_by_district(s: Scenario, personas: dict[Role, User]) -> None:
    figures = stats.compute(personas[Role.STEERING], s.data.tree.province, FROM, TO)
    t = figures.total
    assert (t.new_cases, t.community, t.quarantine, t.other, t.unknown_source) == (5, 2, 2, 1, 4)
    assert t.unknown_share == pytest.approx(80.0)
    assert (t.f1, t.f2, t.f3, t.under_management) == (2, 1, 1, 4)
    assert [r.unit.name for r in figures.rows if r.unit] == ["Thành phố Điện Biên Phủ", "Huyện Mường Nhé"]
    city = row(figures, "Thành phố Điện Biên Phủ")
    assert (city.new_cases, city.community, city.quarantine, city.other, city.unknown_source) == (3, 1, 2, 0, 2)
    assert (city.f1, city.f2, city.f3) == (2, 0, 1)
    assert city.weekly == [0, 3, 0]
    mn = row(figures, "Huyện Mường Nhé")
    assert (mn.new_cases, mn.community, mn.quarantine, mn.other, mn.unknown_source) == (2, 1, 0, 1, 2)
    assert (mn.f1, mn.f2, mn.f3) == (0, 1, 0)
    assert mn.weekly == [0, 0, 2]
    assert mn.unknown_share == pytest.approx(100.0)
    assert figures.weeks == [(D(2021, 4, 26), 0), (D(2021, 5, 3), 3), (D(2021, 5, 10), 2)]
    per_day = dict(figures.days)
    assert len(figures.days) == 14
    assert per_day[D(2021, 5, 3)] == 2 and per_day[D(2021, 5, 4)] == 1
    assert per_day[D(2021, 5, 10)] == 1 and per_day[D(2021, 5, 14)] == 1
    assert sum(per_day.values()) == 5
    assert figures.by_detection == {
        "community": 2,
        "quarantine": 2,
        "checkpoint": 1,
        "screening": 0,
        "self_reported": 0,
    }


def test_commune_figures_by_village_and_unplaced(s: Scenario, personas: dict[Role, User]) -> None:
    t = s.data.tree
    figures = stats.compute(personas[Role.COMMUNE], t.noong_bua, FROM, TO)
    assert figures.total.new_cases == 2
    assert [(r.unit.name if r.unit else None, r.new_cases) for r in figures.rows] == [
        ("Tổ dân phố 1", 1),
        ("Tổ dân phố 2", 1),
        (None, 0),
    ]
    assert (row(figures, "Tổ dân phố 2").f1, row(figures, None).f3) == (1, 1)  # Hà; Lan has no village


def test_district_user_cannot_ask_for_another_district(s: Scenario, personas: dict[Role, User]) -> None:
    client = client_for(personas[Role.DISTRICT])  # the city
    assert client.get(f"/api/v1/reports/stats?unit={s.data.tree.muong_nhe.pk}").status_code == 404
    assert client.get(f"/reports/figures/?unit={s.data.tree.muong_nhe.pk}").status_code == 404
    response = client.get("/api/v1/reports/stats?date_from=2021-05-01&date_to=2021-05-14")
    assert response.status_code == 200
    payload = response.json()
    assert payload["unit_name"] == "Thành phố Điện Biên Phủ"
    assert payload["total"]["new_cases"] == 3
    assert [(r["unit_name"], r["new_cases"]) for r in payload["rows"]] == [
        ("Phường Noong Bua", 2),
        ("Phường Him Lam", 1),
    ]


def test_grouped_queries_only(s: Scenario, personas: dict[Role, User]) -> None:
    user = personas[Role.STEERING]
    with CaptureQueriesContext(connection) as ctx:
        stats.compute(user, s.data.tree.province, FROM, TO)
    assert len(ctx.captured_queries) == 3  # the child units, the new F0, the F-persons
    client = client_for(user)

    def page_queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/reports/figures/?date_from=2021-05-01&date_to=2021-05-14").status_code == 200
        return len(ctx.captured_queries)

    before = page_queries()
    t = s.data.tree
    for i in range(30):
        unit = (t.sin_thau, t.him_lam, t.to1)[i % 3]
        s.data.case(s.data.person(f"Thêm {i}", unit), D(2021, 5, 1) + datetime.timedelta(days=i % 14))
    assert page_queries() == before


def test_api_and_page(s: Scenario, personas: dict[Role, User]) -> None:
    client = client_for(personas[Role.HEALTH])
    payload = client.get("/api/v1/reports/stats?date_from=2021-05-01&date_to=2021-05-14").json()
    assert payload["total"]["new_cases"] == 5
    assert payload["total"]["unknown_share"] == 80.0
    assert payload["weeks"] == [
        {"date": "2021-04-26", "count": 0},
        {"date": "2021-05-03", "count": 3},
        {"date": "2021-05-10", "count": 2},
    ]
    assert len(payload["days"]) == 14
    page = client.get("/reports/figures/?date_from=2021-05-01&date_to=2021-05-14", HTTP_ACCEPT_LANGUAGE="vi")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Thành phố Điện Biên Phủ" in text and "<svg" in text
    assert "80,0 %" in text  # Vietnamese decimal comma


def test_numbers_are_grouped_the_vietnamese_way(data: Data, personas: dict[Role, User]) -> None:
    t = data.tree
    from phongdich.cases.models import Case
    from phongdich.people.models import Person

    people = Person.objects.bulk_create(
        [Person(full_name=f"P {i}", name_key=f"p {i}", province=t.province, district=t.city) for i in range(1234)]
    )
    Case.objects.bulk_create(
        [
            Case(person=p, code=f"X-{i}", confirmed_on=D(2021, 5, 3), province=t.province, district=t.city)
            for i, p in enumerate(people)
        ]
    )
    text = client_for(personas[Role.HEALTH]).get("/reports/figures/?date_from=2021-05-01&date_to=2021-05-14")
    assert "<b>1.234</b>" in text.content.decode()


@pytest.mark.parametrize(
    "query",
    ["date_from=2020-01-01&date_to=2021-05-14", "date_from=2021-05-14&date_to=2021-05-01", "date_from=yesterday"],
)
def test_bad_ranges(s: Scenario, personas: dict[Role, User], query: str) -> None:
    client = client_for(personas[Role.HEALTH])
    response = client.get("/api/v1/reports/stats?" + query)
    assert response.status_code == 422
    assert response.json()["detail"]
    assert client.get("/reports/figures/?" + query).status_code == 400


def test_default_range_is_the_last_four_weeks(s: Scenario, personas: dict[Role, User]) -> None:
    payload = client_for(personas[Role.HEALTH]).get("/api/v1/reports/stats").json()
    today = timezone.localdate()
    assert payload["date_to"] == today.isoformat()
    assert payload["date_from"] == (today - datetime.timedelta(days=27)).isoformat()
    assert payload["total"]["f1"] == 2  # under management does not depend on the range
