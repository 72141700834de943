"""Pages: landing, checkpoint screen (installable), the commune's arrivals, the public family report."""

from __future__ import annotations

import uuid

import pytest
from django.core.cache import cache
from django.test import Client, override_settings
from django.utils import timezone

from phongdich.checkpoints import actions
from phongdich.checkpoints.models import Arrival, ArrivalSource, ArrivalStatus
from phongdich.core.roles import Role
from tests.checkpoints.conftest import state
from tests.conftest import client_for


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def test_landing_page_for_each_kind_of_user(personas, checkpoint, city_checkpoint):
    r = client_for(personas[Role.CHECKPOINT]).get("/checkpoints/")
    assert r.status_code == 200 and "Chốt Sín Thầu" in r.text and "Chốt Him Lam" not in r.text
    assert f"/checkpoints/{checkpoint.pk}/screen/" in r.text
    r = client_for(personas[Role.COMMUNE]).get("/checkpoints/")
    assert r.status_code == 200 and "Chốt Sín Thầu" not in r.text and "/checkpoints/arrivals/" in r.text
    assert client_for(None).get("/checkpoints/").status_code == 302


def test_the_screen_is_for_operators_in_the_area(personas, checkpoint, city_checkpoint):
    officer = client_for(personas[Role.CHECKPOINT])
    r = officer.get(f"/checkpoints/{checkpoint.pk}/screen/")
    assert r.status_code == 200
    assert 'rel="manifest"' in r.text and "screen.js" in r.text and "cdn" not in r.text.lower()
    assert officer.get(f"/checkpoints/{city_checkpoint.pk}/screen/").status_code == 404
    assert client_for(personas[Role.COMMUNE]).get(f"/checkpoints/{checkpoint.pk}/screen/").status_code == 403


def test_manifest_and_service_worker_are_scoped_to_checkpoints(db):
    c = Client()
    m = c.get("/checkpoints/manifest.webmanifest")
    assert m.status_code == 200 and m["Content-Type"].startswith("application/manifest+json")
    assert m.json()["scope"] == "/checkpoints/" and m.json()["start_url"] == "/checkpoints/"
    sw = c.get("/checkpoints/sw.js")
    assert sw.status_code == 200 and sw["Content-Type"].startswith("application/javascript")
    assert sw["Service-Worker-Allowed"] == "/checkpoints/"
    assert "/static/checkpoints/screen.js" in sw.text


def test_the_vendored_qr_decoder_ships_with_its_licence():
    from pathlib import Path

    import phongdich.checkpoints

    folder = Path(phongdich.checkpoints.__file__).parent / "static/checkpoints/vendor/jsqr-1.4.0"
    assert "Apache License" in (folder / "LICENSE").read_text()
    assert "jsQR" in (folder / "jsQR.js").read_text()[:5000]


def test_the_commune_sees_and_confirms_its_arrivals(personas, checkpoint, make_person, tree, outsider):
    p = make_person("Lò Văn Về")
    passage, _ = actions.record_passage(
        None, checkpoint, p, outcome="home_monitoring", destination_commune=tree.noong_bua
    )
    commune = client_for(personas[Role.COMMUNE])
    r = commune.get("/checkpoints/arrivals/")
    assert r.status_code == 200 and "Lò Văn Về" in r.text and "Chốt Sín Thầu" in r.text
    assert "Lò Văn Về" not in client_for(outsider).get("/checkpoints/arrivals/").text
    assert client_for(personas[Role.CHECKPOINT]).get("/checkpoints/arrivals/").status_code == 403
    url = f"/checkpoints/arrivals/{passage.arrival.pk}/confirm/"
    before = state()
    assert client_for(outsider).post(url, {"declaration_checked": "on"}).status_code == 404
    assert client_for(personas[Role.STEERING]).post(url, {"declaration_checked": "on"}).status_code == 403
    assert commune.get(url).status_code == 405
    assert state() == before
    r = commune.post(url, {"declaration_checked": "on"})
    assert r.status_code == 302
    arrival = Arrival.objects.get()
    assert arrival.status == ArrivalStatus.CONFIRMED and arrival.declaration_checked and not arrival.monitoring_arranged


def _report(tree, **kw):
    data = {
        "full_name": "Lò Thị Về Quê",
        "id_number": "",
        "phone": "",
        "commune": str(tree.noong_bua.pk),
        "coming_from": "Bình Dương",
        "arrived_on": timezone.localdate().isoformat(),
        "reporter_phone": "0912345678",
        "client_uuid": str(uuid.uuid4()),
    }
    data.update(kw)
    return data


@override_settings(PHONGDICH_PROVINCE_CODE="11")
def test_the_public_family_report_reaches_the_commune(tree, personas):
    c = Client(enforce_csrf_checks=True)
    page = c.get("/checkpoints/return/")
    assert page.status_code == 200 and "Phường Noong Bua" in page.text
    token = page.cookies["csrftoken"].value
    data = _report(tree, csrfmiddlewaretoken=token)
    r = c.post("/checkpoints/return/", data)
    assert r.status_code == 302 and r["Location"] == "/checkpoints/return/thanks/"
    thanks = c.get(r["Location"])
    assert "Lò Thị Về Quê" not in thanks.text and "0912345678" not in thanks.text
    c.post("/checkpoints/return/", data)  # a resend
    arrival = Arrival.objects.get()
    assert arrival.source == ArrivalSource.FAMILY and arrival.commune_id == tree.noong_bua.pk
    assert arrival.reporter_phone == "+84912345678"
    assert "Lò Thị Về Quê" in client_for(personas[Role.COMMUNE]).get("/checkpoints/arrivals/").text


@override_settings(PHONGDICH_PROVINCE_CODE="11")
def test_the_family_report_refuses_bad_input_bots_and_missing_csrf(tree):
    before = state()
    c = Client()
    assert c.post("/checkpoints/return/", _report(tree, full_name="")).status_code == 400
    assert c.post("/checkpoints/return/", _report(tree, reporter_phone="12")).status_code == 400
    assert c.post("/checkpoints/return/", _report(tree, commune="999999")).status_code == 400
    assert c.post("/checkpoints/return/", _report(tree, id_number="123")).status_code == 400
    assert c.post("/checkpoints/return/", _report(tree, arrived_on="2020-01-01")).status_code == 400
    assert c.post("/checkpoints/return/", _report(tree, website="http://spam")).status_code == 302
    assert Client(enforce_csrf_checks=True).post("/checkpoints/return/", _report(tree)).status_code == 403
    assert state() == before


@override_settings(PHONGDICH_PROVINCE_CODE="11", RETURN_REPORT_RATE=(2, 600))
def test_the_family_report_is_rate_limited(tree):
    c = Client()
    assert c.post("/checkpoints/return/", _report(tree)).status_code == 302
    assert c.post("/checkpoints/return/", _report(tree)).status_code == 302
    n = Arrival.objects.count()
    assert c.post("/checkpoints/return/", _report(tree)).status_code == 429
    assert Arrival.objects.count() == n == 2


def test_passages_and_violations_on_the_person_timeline(personas, checkpoint, make_person, tree):
    p = make_person("Lò Văn Về")
    passage, _ = actions.record_passage(None, checkpoint, p, outcome="let_through", destination_commune=tree.noong_bua)
    actions.record_violation(None, "missing_declaration", passage=passage, note="không khai báo")
    r = client_for(personas[Role.COMMUNE]).get(f"/people/{p.pk}/")
    assert r.status_code == 200
    assert "Chốt Sín Thầu" in r.text and "không khai báo" not in r.text  # the violation is at Sín Thầu
    r = client_for(personas[Role.POLICE]).get(f"/people/{p.pk}/")
    assert "Chốt Sín Thầu" in r.text and "không khai báo" in r.text
