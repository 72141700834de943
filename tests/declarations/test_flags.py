"""The flags of a declaration, each kind, and the rule set stored with it."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from phongdich.cases.actions import create_case
from phongdich.cases.exposure import SiteData, create_site, publish_site
from phongdich.core.models import User
from phongdich.core.roles import Role
from phongdich.declarations.actions import PlaceVisit, submit_declaration
from phongdich.declarations.models import DeclarationFlag, FlagKind
from phongdich.people.actions import PersonData, intake_person, set_residence
from phongdich.people.models import Person, ResidenceStatus
from phongdich.policy.actions import copy_rule_set
from phongdich.policy.queries import rule_set_on
from phongdich.policy.risk import declare_risk_area
from tests.cases.conftest import link
from tests.conftest import Tree
from tests.declarations.conftest import MakeData

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def kinds(make_data: MakeData, **kw: object) -> set[str]:
    declaration, _ = submit_declaration(make_data(**kw), client_uuid=None)
    return set(declaration.flags.values_list("kind", flat=True))


def known(tree: Tree, name: str = "Lò Văn Minh", id_number: str = "011090001234") -> Person:
    return intake_person(None, PersonData(full_name=name, id_number=id_number, unit=tree.to1)).person


def test_no_flag_for_a_plain_declaration(make_data: MakeData) -> None:
    assert kinds(make_data) == set()


def test_symptoms_and_exposures(make_data: MakeData) -> None:
    assert kinds(make_data, symptoms=["fever", "cough"], exposures=["confirmed_case"]) == {
        FlagKind.SYMPTOMS,
        FlagKind.EXPOSURE,
    }
    flag = DeclarationFlag.objects.get(kind=FlagKind.SYMPTOMS)
    assert flag.commune_id is not None and flag.detail == {"symptoms": ["cough", "fever"]}


def test_high_risk_origin_and_place(tree: Tree, make_data: MakeData) -> None:
    declare_risk_area(None, tree.lai_chau, level="very_high", effective_from=TODAY() - datetime.timedelta(days=5))
    assert kinds(make_data) == {FlagKind.HIGH_RISK_AREA}
    detail = DeclarationFlag.objects.get().detail
    assert detail["areas"][0]["unit"] == "12" and detail["areas"][0]["level"] == "very_high"
    # Through a high-risk commune of the home province, on the date of the visit.
    declare_risk_area(None, tree.him_lam, effective_from=TODAY() - datetime.timedelta(days=3))
    visited = [PlaceVisit(name="Chợ Him Lam", unit=tree.him_lam, date=TODAY() - datetime.timedelta(days=1))]
    before = [PlaceVisit(name="Chợ Him Lam", unit=tree.him_lam, date=TODAY() - datetime.timedelta(days=6))]
    assert FlagKind.HIGH_RISK_AREA in kinds(make_data, origin_province=tree.province, places=visited)
    assert kinds(make_data, origin_province=tree.province, places=before) == set()


def test_high_risk_listing_that_ended_does_not_flag(tree: Tree, make_data: MakeData) -> None:
    declare_risk_area(
        None,
        tree.lai_chau,
        effective_from=TODAY() - datetime.timedelta(days=30),
        effective_to=TODAY() - datetime.timedelta(days=10),
    )
    assert kinds(make_data) == set()


def test_absent_citizen_returning(tree: Tree, make_data: MakeData) -> None:
    person = known(tree)
    set_residence(None, person, ResidenceStatus.TEMPORARILY_ABSENT, temp_province=tree.lai_chau)
    assert kinds(make_data) == {FlagKind.ABSENT_RETURNING}
    other = known(tree, "Quàng Văn Hai", "011090005555")
    set_residence(None, other, ResidenceStatus.PERMANENT)
    assert kinds(make_data, full_name="Quàng Văn Hai", id_number="011090005555", phone="+84987000111") == set()


def test_active_f0_and_f1_in_the_registry(tree: Tree, make_data: MakeData) -> None:
    f0 = known(tree)
    create_case(None, f0, confirmed_on=TODAY())
    assert kinds(make_data) == {FlagKind.REGISTRY_F0}
    f1 = known(tree, "Quàng Văn Hai", "011090005555")
    source = known(tree, "Lò Thị Ba", "011190006666")
    link(source, f1, TODAY() - datetime.timedelta(days=1))
    create_case(None, source, confirmed_on=TODAY())
    assert kinds(make_data, full_name="Quàng Văn Hai", id_number="011090005555", phone="+84987000111") == {
        FlagKind.REGISTRY_F1
    }


def test_place_matching_a_published_exposure_site(tree: Tree, make_data: MakeData) -> None:
    officer = User.objects.create_user(username="hs", password="pw-test-1234", role=Role.HEALTH, unit=tree.province)
    now = timezone.now()
    site, _ = create_site(
        officer,
        SiteData(
            name="Chợ Noong Bua",
            unit=tree.noong_bua,
            starts_at=now - datetime.timedelta(days=3),
            ends_at=now - datetime.timedelta(days=1),
        ),
    )
    inside = [PlaceVisit(name="chợ noong bua", date=TODAY() - datetime.timedelta(days=2))]
    assert kinds(make_data, places=inside) == set()  # not published yet
    publish_site(officer, site)
    assert kinds(make_data, places=inside) == {FlagKind.EXPOSURE_SITE}
    later = [PlaceVisit(name="Chợ Noong Bua", date=TODAY())]
    assert kinds(make_data, places=later) == set()
    by_unit = [PlaceVisit(name="Nhà văn hoá", unit=tree.noong_bua, date=TODAY() - datetime.timedelta(days=2))]
    assert kinds(make_data, places=by_unit) == {FlagKind.EXPOSURE_SITE}


def test_declaration_stores_the_rule_set_in_force(tree: Tree, make_data: MakeData) -> None:
    national = rule_set_on(TODAY(), tree.province)
    first, _ = submit_declaration(make_data(), client_uuid=None)
    assert first.rule_set == national
    own = copy_rule_set(None, national, province=tree.province, effective_from=TODAY() - datetime.timedelta(days=1))
    second, _ = submit_declaration(make_data(), client_uuid=None)
    assert second.rule_set == own != national
