"""Transmission-chain graphs: a cluster's JSON, a person's own chain, scoping, 5,000 nodes."""

from __future__ import annotations

import time
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from phongdich.cases.models import Case
from phongdich.core.models import AccessLog, User
from phongdich.core.roles import Role
from phongdich.people.models import Person
from phongdich.tracing import graph
from phongdich.tracing.models import PersonLevel
from tests.conftest import client_for
from tests.tracing.report_helpers import D, Data, Scenario, data_fixture, scenario  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def s(data: Data) -> Scenario:
    return scenario(data, timezone.localdate())


def by_label(payload: dict) -> dict[str, dict]:  # type: ignore[type-arg]
    return {n["label"]: n for n in payload["nodes"]}


def edges(payload: dict, nodes: dict[str, dict]) -> set[tuple[str, str, str]]:  # type: ignore[type-arg]
    """(source, target, kind); a contact is undirected, so its ends are put in name order."""
    label = {n["id"]: n["label"] for n in nodes.values()}
    out = set()
    for e in payload["edges"]:
        ends = (label[e["source"]], label[e["target"]])
        out.add((*(sorted(ends) if e["kind"] == "contact" else ends), e["kind"]))
    return out


def test_cluster_graph_json(s: Scenario, personas: dict[Role, User]) -> None:
    response = client_for(personas[Role.HEALTH]).get(f"/reports/chains/clusters/{s.cluster_a.pk}/graph.json")
    assert response.status_code == 200
    payload = response.json()
    nodes = by_label(payload)
    assert set(nodes) == {
        "ĐB-0001 · Lò Văn An",
        "ĐB-0002 · Quàng Thị Bình",
        "Cà Thị Hà",
        "Vàng Văn Khánh",
        "Điêu Thị Lan",
        "Lò Văn Minh",
    }
    assert payload["counts"] == {"F0": 2, "F1": 2, "F2": 1, "F3": 1}
    assert nodes["Vàng Văn Khánh"]["level"] == 2
    assert nodes["ĐB-0001 · Lò Văn An"]["code"] == "ĐB-0001"
    assert nodes["Cà Thị Hà"]["url"] == f"/people/{s.people['ha'].pk}/"
    assert edges(payload, nodes) == {
        ("ĐB-0001 · Lò Văn An", "Cà Thị Hà", "level"),
        ("Cà Thị Hà", "Vàng Văn Khánh", "level"),
        ("Vàng Văn Khánh", "Điêu Thị Lan", "level"),
        ("ĐB-0002 · Quàng Thị Bình", "Lò Văn Minh", "level"),
        ("ĐB-0001 · Lò Văn An", "ĐB-0002 · Quàng Thị Bình", "contact"),
    }
    # The layout: every node placed, no two on the same spot, F1 between the F0 and the F2.
    spots = {(n["x"], n["y"]) for n in payload["nodes"]}
    assert len(spots) == 6
    assert payload["title"] == "Ổ dịch Noong Bua"
    assert payload["truncated"] is False


def test_cluster_graph_masks_persons_outside_the_area(s: Scenario, personas: dict[Role, User]) -> None:
    client = client_for(personas[Role.COMMUNE])  # Noong Bua; the cluster is theirs
    payload = client.get(f"/api/v1/reports/clusters/{s.cluster_a.pk}/graph").json()
    nodes = by_label(payload)
    assert "ĐB-0002 · Q. T. B." in nodes and "V. V. K." in nodes and "L. V. M." in nodes
    assert nodes["V. V. K."]["url"] == "" and nodes["V. V. K."]["in_scope"] is False
    assert nodes["Điêu Thị Lan"]["in_scope"] is True
    assert "Quàng Thị Bình" not in response_text(payload)


def response_text(payload: dict) -> str:  # type: ignore[type-arg]
    return " ".join(n["label"] for n in payload["nodes"])


def test_out_of_scope_cluster_answers_404(s: Scenario, outsider: User) -> None:
    client = client_for(outsider)  # Sín Thầu
    for url in (
        f"/reports/chains/clusters/{s.cluster_a.pk}/",
        f"/reports/chains/clusters/{s.cluster_a.pk}/graph.json",
        f"/api/v1/reports/clusters/{s.cluster_a.pk}/graph",
        f"/reports/chains/clusters/{uuid.uuid4()}/",
        f"/api/v1/reports/clusters/{uuid.uuid4()}/graph",
        f"/reports/chains/people/{s.people['an'].pk}/",
        f"/api/v1/reports/people/{s.people['an'].pk}/chain",
    ):
        assert client.get(url).status_code == 404, url
    assert client.get(f"/reports/chains/clusters/{s.cluster_b.pk}/").status_code == 200
    assert client.get("/api/v1/reports/clusters/not-a-uuid/graph").status_code == 422
    assert not AccessLog.objects.exists()


@pytest.mark.parametrize("role", [Role.COMMUNITY, Role.CHECKPOINT, Role.LAB])
def test_roles_without_case_view_get_403(s: Scenario, personas: dict[Role, User], role: Role) -> None:
    client = client_for(personas[role])
    assert client.get(f"/reports/chains/clusters/{s.cluster_a.pk}/graph.json").status_code == 403
    assert client.get(f"/api/v1/reports/clusters/{s.cluster_a.pk}/graph").status_code == 403
    assert client.get(f"/reports/chains/people/{s.people['ha'].pk}/").status_code == 403
    assert not AccessLog.objects.exists()


def test_graph_page_and_one_access_log_row(s: Scenario, personas: dict[Role, User]) -> None:
    client = client_for(personas[Role.DISTRICT])
    page = client.get(f"/reports/chains/clusters/{s.cluster_a.pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "vendor/sigma/sigma.min.js" in text and "vendor/graphology/graphology.umd.min.js" in text
    assert f"/reports/chains/clusters/{s.cluster_a.pk}/graph.json" in text
    assert not AccessLog.objects.exists()  # the page itself holds no personal data
    client.get(f"/reports/chains/clusters/{s.cluster_a.pk}/graph.json")
    log = AccessLog.objects.get()
    assert log.detail == f"cluster graph {s.cluster_a.code}: 6"
    listing = client.get("/reports/chains/").content.decode()
    assert "Ổ dịch Noong Bua" in listing and "Ổ dịch Sín Thầu" not in listing  # the district sees its own


def test_person_chain_of_an_f2(s: Scenario, personas: dict[Role, User]) -> None:
    client = client_for(personas[Role.HEALTH])
    payload = client.get(f"/api/v1/reports/people/{s.people['khanh'].pk}/chain").json()
    nodes = by_label(payload)
    # The path up to the root case, and everyone after Khánh; not the other case's tree.
    assert set(nodes) == {"ĐB-0001 · Lò Văn An", "Cà Thị Hà", "Vàng Văn Khánh", "Điêu Thị Lan"}
    assert nodes["Vàng Văn Khánh"]["focus"] is True
    assert sum(n["focus"] for n in payload["nodes"]) == 1
    assert len(payload["edges"]) == 3
    log = AccessLog.objects.get()
    assert log.object_type == "people.Person" and log.object_id == str(s.people["khanh"].pk)
    assert client.get(f"/reports/chains/people/{s.people['khanh'].pk}/").status_code == 200


def test_person_chain_of_an_f0_and_of_nobody(s: Scenario, personas: dict[Role, User]) -> None:
    client = client_for(personas[Role.HEALTH])
    payload = client.get(f"/reports/chains/people/{s.people['an'].pk}/graph.json").json()
    assert set(by_label(payload)) == {"ĐB-0001 · Lò Văn An", "Cà Thị Hà", "Vàng Văn Khánh", "Điêu Thị Lan"}
    nobody = s.data.person("Người Không Liên Quan", s.data.tree.to1)
    payload = client.get(f"/reports/chains/people/{nobody.pk}/graph.json").json()
    assert payload["nodes"] == [] and payload["edges"] == []


def test_person_chain_outside_the_area_is_404(s: Scenario, personas: dict[Role, User]) -> None:
    client = client_for(personas[Role.COMMUNE])  # Khánh lives in Sín Thầu
    assert client.get(f"/reports/chains/people/{s.people['khanh'].pk}/graph.json").status_code == 404
    assert client.get(f"/reports/chains/people/{s.people['lan'].pk}/graph.json").status_code == 200


def big_cluster(data: Data, f1: int, f2_each: int, f3_each: int) -> tuple[object, int]:
    """One cluster with 10 F0, each with ``f1`` F1, each with ``f2_each`` F2 …"""
    t = data.tree
    cluster = data.cluster("Ổ dịch lớn", t.noong_bua)
    people: list[Person] = []

    def person(name: str) -> Person:
        p = Person(full_name=name, name_key=name.lower(), province=t.province, district=t.city, commune=t.noong_bua)
        people.append(p)
        return p

    cases: list[Case] = []
    roots: list[Person] = []
    levels: list[PersonLevel] = []
    for c in range(10):
        root = person(f"F0 {c}")
        roots.append(root)
        case = Case(
            person=root,
            code=f"ĐB-9{c:03d}",
            confirmed_on=D(2021, 7, 1),
            cluster=cluster,
            province=t.province,
            district=t.city,
            commune=t.noong_bua,
        )
        cases.append(case)
        for i in range(f1):
            p1 = person(f"F1 {c}-{i}")
            levels.append(
                PersonLevel(
                    person=p1,
                    level=1,
                    case=case,
                    via_person=root,
                    exposed_on=D(2021, 7, 1),
                    rule_set=data.rule_set,
                    handling="home",
                )
            )
            for j in range(f2_each):
                p2 = person(f"F2 {c}-{i}-{j}")
                levels.append(
                    PersonLevel(
                        person=p2,
                        level=2,
                        case=case,
                        via_person=p1,
                        exposed_on=D(2021, 7, 2),
                        rule_set=data.rule_set,
                        handling="home",
                    )
                )
                for k in range(f3_each):
                    p3 = person(f"F3 {c}-{i}-{j}-{k}")
                    levels.append(
                        PersonLevel(
                            person=p3,
                            level=3,
                            case=case,
                            via_person=p2,
                            exposed_on=D(2021, 7, 3),
                            rule_set=data.rule_set,
                            handling="home",
                        )
                    )
    Person.objects.bulk_create(people, batch_size=2000)
    Case.objects.bulk_create(cases)
    PersonLevel.objects.bulk_create(levels, batch_size=2000)
    data.contact(roots[0], roots[1])  # a case-to-case link
    return cluster, len(people)


def test_five_thousand_nodes_in_a_few_queries_and_quickly(data: Data, personas: dict[Role, User]) -> None:
    cluster, total = big_cluster(data, f1=20, f2_each=8, f3_each=2)  # 10 × (1 + 20 + 160 + 320) = 5,010
    assert total == 5010
    user = personas[Role.HEALTH]
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as ctx:
        payload = graph.cluster_graph(user, cluster)  # type: ignore[arg-type]
    elapsed = time.perf_counter() - started
    assert len(ctx.captured_queries) <= 3
    assert len(payload["nodes"]) == 5010
    assert len([e for e in payload["edges"] if e["kind"] == "level"]) == 5000
    assert len([e for e in payload["edges"] if e["kind"] == "contact"]) == 1
    assert payload["counts"] == {"F0": 10, "F1": 200, "F2": 1600, "F3": 3200}
    assert elapsed < 5, elapsed
    # Ten separate trees do not overlap: their bounding discs are apart.
    spots = {(n["x"], n["y"]) for n in payload["nodes"]}
    assert len(spots) > 4900
    response = client_for(user).get(f"/reports/chains/clusters/{cluster.pk}/graph.json")  # type: ignore[attr-defined]
    assert response.status_code == 200
    assert len(response.json()["nodes"]) == 5010


def test_layout_handles_a_level_cycle() -> None:
    g = graph.Graph()
    for name in ("a", "b"):
        g.nodes[name] = graph.Node(id=name, level=1, label=name)
    g.edges = [("a", "b", "level"), ("b", "a", "level")]
    g.nodes["a"].children = ["b"]
    g.nodes["b"].children = ["a"]
    graph.layout(g)  # no root at all: still placed, no endless loop
    assert (g.nodes["a"].x, g.nodes["a"].y) != (g.nodes["b"].x, g.nodes["b"].y)
