"""The seams the checkpoints app calls: declaration_for_token, latest_declarations, submit_declaration."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.core import signing
from django.utils import timezone

from phongdich.declarations import queries, tokens
from phongdich.declarations.actions import submit_declaration
from phongdich.declarations.models import Channel, Declaration
from tests.declarations.conftest import MakeData

pytestmark = pytest.mark.django_db


def test_token_valid_tampered_expired(make_data: MakeData, monkeypatch: pytest.MonkeyPatch) -> None:
    declaration, created = submit_declaration(make_data(), client_uuid=uuid.uuid4(), channel=Channel.PUBLIC_WEB)
    assert created
    token = tokens.make_token(declaration.reference)
    assert "Minh" not in token and "0912" not in token
    assert queries.declaration_for_token(token) == declaration
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert queries.declaration_for_token(tampered) is None
    assert queries.declaration_for_token("") is None
    assert queries.declaration_for_token("x" * 500) is None
    other = signing.TimestampSigner(salt="another").sign(declaration.reference)
    assert queries.declaration_for_token(other) is None
    later = timezone.now().timestamp() + tokens.TOKEN_VALID_FOR.total_seconds() + 60
    monkeypatch.setattr("django.core.signing.time.time", lambda: later)
    assert queries.declaration_for_token(token) is None


def test_latest_declarations_per_person(make_data: MakeData) -> None:
    now = timezone.now()
    old, _ = submit_declaration(
        make_data(declared_at=now - datetime.timedelta(days=3)), client_uuid=None, channel=Channel.API
    )
    new, _ = submit_declaration(make_data(declared_at=now - datetime.timedelta(hours=1)), client_uuid=None)
    other, _ = submit_declaration(
        make_data(full_name="Quàng Thị Hoa", id_number="011190005678", phone="+84987654321"), client_uuid=None
    )
    assert old.person_id == new.person_id != other.person_id
    found = queries.latest_declarations(
        [new.person_id, other.person_id, uuid.uuid4()], now - datetime.timedelta(days=7)
    )
    assert found == {new.person_id: new, other.person_id: other}
    assert queries.latest_declarations([old.person_id], now - datetime.timedelta(minutes=1)) == {}
    assert queries.latest_declarations([], now) == {}


def test_submit_is_idempotent_with_client_uuid(make_data: MakeData) -> None:
    key = uuid.uuid4()
    first, created = submit_declaration(make_data(), client_uuid=key, channel=Channel.CHECKPOINT)
    again, created_again = submit_declaration(make_data(full_name="Someone Else"), client_uuid=key)
    assert created and not created_again and first == again
    assert Declaration.objects.count() == 1
