"""/api/v1/tracing: contacts (single, bulk), F levels with their chain, candidates — by role and area."""

from __future__ import annotations

import datetime
import json
import uuid

import pytest

from phongdich.core.models import User
from phongdich.core.roles import Perm, Role, role_has
from phongdich.people.models import Household
from phongdich.tracing.models import Contact, ContactCandidate
from tests.conftest import Tree, client_for
from tests.tracing.levels_helpers import World

D = datetime.date
pytestmark = pytest.mark.django_db
API = "/api/v1/tracing"


@pytest.fixture
def world(tree: Tree) -> World:
    return World(tree)


def post(client: object, url: str, body: object) -> object:
    return client.post(url, json.dumps(body, default=str), content_type="application/json")  # type: ignore[attr-defined]


def body(w: World, a: str, b: str, **kw: object) -> dict[str, object]:
    return {
        "person_a_id": str(w.p(a).pk),
        "person_b_id": str(w.p(b).pk),
        "first_date": "2021-08-09",
        "last_date": "2021-08-09",
        "setting": "household",
        "proximity": "within_2m",
    } | kw


@pytest.mark.parametrize("role", list(Role))
def test_create_contact_by_role(role: Role, world: World, personas: dict[Role, User]) -> None:
    world.case("X", D(2021, 8, 10), onset=D(2021, 8, 8))
    client = client_for(personas[role])
    key = str(uuid.uuid4())
    response = post(client, f"{API}/contacts", body(world, "X", "A", client_uuid=key))
    if not role_has(role, Perm.TRACE_EDIT):
        assert response.status_code == 403
        assert Contact.objects.count() == 0
        return
    unit = personas[role].unit
    inside = unit is not None and unit.contains(world.tree.to1)
    if not inside:
        assert response.status_code == 404 and Contact.objects.count() == 0
        return
    assert response.status_code == 201, response.content
    assert post(client, f"{API}/contacts", body(world, "X", "A", client_uuid=key)).status_code == 200
    assert Contact.objects.count() == 1
    level = client.get(f"{API}/levels/{world.p('A').pk}").json()
    assert level["level"] == 1 and level["chain_text"] == "F1 — qua ca bệnh ĐB-0001"
    assert level["handling"] == "centralised" and level["test_dates"][0] == "2021-08-09"
    assert client.get(f"{API}/levels/{world.p('X').pk}").json()["f0_case"] == "ĐB-0001"


def test_outsider_gets_404(world: World, outsider: User) -> None:
    client = client_for(outsider)
    assert post(client, f"{API}/contacts", body(world, "X", "A")).status_code == 404
    assert client.get(f"{API}/levels/{world.p('A').pk}").status_code == 404
    assert client.get(f"{API}/contacts?person_id={world.p('A').pk}").status_code == 404
    assert Contact.objects.count() == 0


def test_bad_input_is_422_with_messages(world: World, personas: dict[Role, User]) -> None:
    client = client_for(personas[Role.HEALTH])
    response = post(client, f"{API}/contacts", body(world, "A", "A"))
    assert response.status_code == 422 and "chính mình" in json.dumps(response.json(), ensure_ascii=False)
    response = post(client, f"{API}/contacts", body(world, "A", "B", first_date="2021-08-10"))
    assert response.status_code == 422
    response = post(client, f"{API}/contacts", body(world, "A", "B", first_date="09/08/2021"))
    assert response.status_code == 422
    assert client.post(f"{API}/contacts", "{not json", content_type="application/json").status_code in (400, 422)
    assert Contact.objects.count() == 0


def test_bulk_and_delete(world: World, personas: dict[Role, User]) -> None:
    world.case("X", D(2021, 8, 10), onset=D(2021, 8, 8))
    client = client_for(personas[Role.COMMUNE])
    key = str(uuid.uuid4())
    items = [body(world, "X", "A", client_uuid=key), body(world, "A", "A"), body(world, "X", "A", client_uuid=key)]
    response = post(client, f"{API}/contacts/bulk", {"items": items})
    assert response.status_code == 200
    assert [r["status"] for r in response.json()] == ["created", "error", "existing"]
    contact_id = response.json()[0]["contact_id"]
    rows = client.get(f"{API}/contacts?person_id={world.p('A').pk}").json()
    assert [r["id"] for r in rows] == [contact_id]
    assert client_for(personas[Role.STEERING]).delete(f"{API}/contacts/{contact_id}").status_code == 403
    response = client.delete(f"{API}/contacts/{contact_id}")
    assert response.status_code == 200 and response.json()["removed_at"]
    assert client.get(f"{API}/levels/{world.p('A').pk}").json()["level"] is None


def test_candidates_confirm_and_reject(world: World, personas: dict[Role, User]) -> None:
    home = Household.objects.create(code="HH-9")
    for name in ("X", "Wife", "Son"):
        world.person(name, household=home)
    world.case("X", D(2021, 8, 10), onset=D(2021, 8, 8))
    client = client_for(personas[Role.HEALTH_STATION])
    pending = client.get(f"{API}/candidates").json()
    assert len(pending) == 2
    by_other = {c["other_id"]: c["id"] for c in pending}
    wife, son = by_other[str(world.p("Wife").pk)], by_other[str(world.p("Son").pk)]
    assert post(client_for(personas[Role.STEERING]), f"{API}/candidates/{wife}/confirm", {}).status_code == 403
    response = post(client, f"{API}/candidates/{wife}/confirm", {"proximity": "same_room"})
    assert response.status_code == 200 and response.json()["proximity"] == "same_room"
    assert world.level("Wife") == 1
    assert post(client, f"{API}/candidates/{son}/reject", {}).status_code == 200
    assert world.level("Son") is None
    assert post(client, f"{API}/candidates/{son}/confirm", {}).status_code == 422
    assert ContactCandidate.objects.filter(status="pending").count() == 0
