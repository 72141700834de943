"""The testing pages: by role, by area, and the web forms going through the actions."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from phongdich.cases.models import Case
from phongdich.core.models import User
from phongdich.core.roles import Perm, Role, role_has
from phongdich.testing import actions
from phongdich.testing.models import CaseProposal, Outcome, Pool, ResultImport, Sample
from phongdich.testing.results import enter_result
from tests.conftest import client_for
from tests.testing.conftest import RESULTED, state, take

PAGES = [
    ("testing:index", Perm.TEST_VIEW),
    ("testing:results", Perm.TEST_VIEW),
    ("testing:collect", Perm.SAMPLE_COLLECT),
    ("testing:pool", Perm.SAMPLE_COLLECT),
    ("testing:enter", Perm.RESULT_ENTER),
    ("testing:import", Perm.RESULT_ENTER),
    ("testing:import_template", Perm.RESULT_ENTER),
    ("testing:labs", Perm.TEST_VIEW),
    ("testing:proposals", Perm.CASE_VIEW),
    ("testing:campaigns", Perm.TEST_VIEW),
    ("testing:campaign_create", Perm.LAB_MANAGE),
]


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize(("name", "perm"), PAGES)
def test_pages_by_role(role, name, perm, personas, lab):
    r = client_for(personas[role]).get(reverse(name))
    assert r.status_code == (200 if role_has(role, perm) else 403), (role, name)


def test_anonymous_is_sent_to_login():
    r = client_for(None).get(reverse("testing:index"))
    assert r.status_code == 302


def test_take_a_sample_on_the_web(personas, make_person, lab):
    person = make_person()
    c = client_for(personas[Role.HEALTH_STATION])
    url = reverse("testing:take", args=[person.pk])
    assert c.get(url).status_code == 200
    body = {
        "client_uuid": str(uuid.uuid4()),
        "barcode": "s-web-1",
        "test_kind": "rt_pcr",
        "sample_type": "nasopharyngeal",
        "place_kind": "health_station",
        "lab": str(lab.pk),
    }
    r = c.post(url, body)
    assert r.status_code == 302
    assert c.post(url, body).status_code == 302  # the same form again: the first sample
    assert Sample.objects.get().barcode == "S-WEB-1"
    bad = c.post(url, body | {"client_uuid": str(uuid.uuid4())})  # barcode used
    assert bad.status_code == 200 and Sample.objects.count() == 1
    # The person page shows the panel; the timeline the sample.
    page = c.get(reverse("people:detail", args=[person.pk]))
    assert b"S-WEB-1" in page.content


def test_take_outside_the_area_is_404(tree, make_person):
    person = make_person()
    far = User.objects.create_user(
        username="t_far_hs2", password="x-pw-12345", role=Role.HEALTH_STATION, unit=tree.sin_thau
    )
    assert client_for(far).get(reverse("testing:take", args=[person.pk])).status_code == 404


def test_pool_on_the_web(personas, make_person):
    people = [make_person() for _ in range(3)]
    c = client_for(personas[Role.HEALTH_STATION])
    ids = [str(p.pk) for p in people]
    assert c.get(reverse("testing:pool"), {"person": ids}).status_code == 200
    body = {
        "person": ids,
        "barcode": "P-WEB-1",
        "test_kind": "rt_pcr",
        "sample_type": "nasopharyngeal",
        "place_kind": "health_station",
        "client_uuid": str(uuid.uuid4()),
    }
    assert c.post(reverse("testing:pool"), body).status_code == 302
    assert Pool.objects.get().size == 3 and Sample.objects.filter(pool__isnull=False).count() == 3
    single = body | {"person": ids[:1], "barcode": "P-WEB-2", "client_uuid": str(uuid.uuid4())}
    assert c.post(reverse("testing:pool"), single).status_code == 200
    assert Pool.objects.count() == 1


def test_enter_and_import_on_the_web(personas, make_person, lab):
    take(make_person(), "S-WEB-2")
    take(make_person(), "S-WEB-3")
    c = client_for(personas[Role.LAB])
    r = c.post(reverse("testing:enter"), {"lab": str(lab.pk), "barcode": "S-WEB-2", "outcome": "negative"})
    assert r.status_code == 302 and Sample.objects.get(barcode="S-WEB-2").outcome == "negative"
    r = c.post(reverse("testing:enter"), {"lab": str(lab.pk), "barcode": "S-WEB-9", "outcome": "negative"})
    assert r.status_code == 200  # unknown barcode, shown on the form
    data = "Mã ống mẫu,Kết quả,Giá trị Ct\nS-WEB-3,Dương tính,20\nS-WEB-2,Âm tính,\nS-WEB-3,Âm tính,\n".encode()
    r = c.post(reverse("testing:import"), {"lab": str(lab.pk), "file": SimpleUploadedFile("kq.csv", data)})
    assert r.status_code == 302
    record = ResultImport.objects.get()
    assert (record.rows_written, record.rows_unchanged, record.rows_rejected) == (1, 1, 1)
    page = c.get(r["Location"])
    assert page.status_code == 200 and b"S-WEB" not in page.content.split(b"<tbody>")[0][:0]
    bad = c.post(reverse("testing:import"), {"lab": str(lab.pk), "file": SimpleUploadedFile("x.pdf", b"%PDF-1.4")})
    assert bad.status_code == 200 and ResultImport.objects.count() == 1


def test_review_proposals_on_the_web(personas, make_person, lab):
    a, b = make_person(), make_person()
    take(a, "S-PW-1")
    take(b, "S-PW-2")
    pa = enter_result(None, lab, "S-PW-1", Outcome.POSITIVE, None, RESULTED).proposal
    pb = enter_result(None, lab, "S-PW-2", Outcome.POSITIVE, None, RESULTED).proposal
    assert pa and pb
    hs = client_for(personas[Role.HEALTH_STATION])
    before = state()
    assert hs.post(reverse("testing:confirm", args=[pa.pk])).status_code == 403
    assert state() == before
    c = client_for(personas[Role.HEALTH])
    page = c.get(reverse("testing:proposals"))
    assert page.status_code == 200 and a.full_name.encode() in page.content
    r = c.post(reverse("testing:confirm", args=[pa.pk]))
    assert r.status_code == 302 and Case.objects.filter(person=a).exists()
    c.post(reverse("testing:reject", args=[pb.pk]), {"reason": ""})
    assert CaseProposal.objects.get(pk=pb.pk).status == "pending"
    c.post(reverse("testing:reject", args=[pb.pk]), {"reason": "Nhầm mẫu"})
    assert CaseProposal.objects.get(pk=pb.pk).status == "rejected"


def test_commune_sees_its_residents_results(personas, make_person, lab, tree, outsider):
    person = make_person()
    take(person, "S-CM-1")
    enter_result(None, lab, "S-CM-1", Outcome.POSITIVE, None, None)
    commune = client_for(personas[Role.COMMUNE])
    page = commune.get(reverse("testing:results"))
    assert person.full_name.encode() in page.content
    assert person.full_name.encode() not in client_for(outsider).get(reverse("testing:results")).content
    overview = commune.get(reverse("core:overview") if _has("core:overview") else "/")
    assert overview.status_code == 200
    far = client_for(outsider).get(reverse("testing:results"), {"unit": tree.noong_bua.pk})
    assert far.status_code == 404


def _has(name: str) -> bool:
    from django.urls import NoReverseMatch

    try:
        reverse(name)
    except NoReverseMatch:
        return False
    return True


def test_campaign_pages(personas, tree):
    c = client_for(personas[Role.HEALTH])
    body = {
        "name": "Sàng lọc chợ Noong Bua",
        "unit": str(tree.noong_bua.pk),
        "kind": "screening",
        "place_kind": "market",
        "place_name": "Chợ Noong Bua",
        "test_kind": "antigen",
        "target_population": "300",
        "starts_on": "2021-08-12",
        "sites": "Cổng chợ\nNhà văn hóa",
        "client_uuid": str(uuid.uuid4()),
    }
    r = c.post(reverse("testing:campaign_create"), body)
    assert r.status_code == 302
    page = c.get(r["Location"])
    assert page.status_code == 200 and "Chợ Noong Bua".encode() in page.content
    campaign = actions.Campaign.objects.get()
    assert campaign.sites == ["Cổng chợ", "Nhà văn hóa"] and campaign.target_population == 300


def test_timeline_and_overview(personas, make_person, lab, tree):
    from phongdich.people import timeline
    from phongdich.testing.panels import overview_figures, person_samples

    person = make_person()
    take(person, "S-TL-1")
    enter_result(None, lab, "S-TL-1", Outcome.POSITIVE, None, None)  # now: a new positive
    user = personas[Role.HEALTH_STATION]
    titles = [e.title for e in timeline.events_for(person, user) if e.kind == "test"]
    assert any("Sample taken" in t or "Lấy mẫu" in t for t in titles) and len(titles) == 2
    figures = list(overview_figures(user))
    assert figures[0].value == 1 and figures[0].warn
    assert [f.value for f in overview_figures(personas[Role.HEALTH])] == [1, 1]  # + the proposal to review
    assert list(overview_figures(personas[Role.COMMUNITY])) == []
    assert person_samples(person, personas[Role.COMMUNITY]) is None
    far = User.objects.create_user(
        username="t_far_o", password="x-pw-12345", role=Role.HEALTH_STATION, unit=tree.sin_thau
    )
    assert next(iter(overview_figures(far))).value == 0


def test_campaign_edit_on_the_web(personas, tree):
    campaign, _ = actions.create_campaign(
        None, name="Đợt 1", unit=tree.noong_bua, starts_on=datetime.date(2021, 8, 1), target_population=100
    )
    url = reverse("testing:campaign", args=[campaign.pk])
    body = {"name": "Đợt 1", "target_population": "250", "status": "closed", "sites": "Nhà văn hóa"}
    before = state()
    assert client_for(personas[Role.COMMUNE]).post(url, body).status_code == 403
    assert client_for(personas[Role.COMMUNE]).get(url).status_code == 200
    assert state() == before
    r = client_for(personas[Role.HEALTH]).post(url, body)
    assert r.status_code == 302
    campaign.refresh_from_db()
    assert (campaign.target_population, campaign.status, campaign.sites) == (250, "closed", ["Nhà văn hóa"])
    bad = client_for(personas[Role.HEALTH]).post(url, body | {"ends_on": "2021-07-01"})
    assert bad.status_code == 200
