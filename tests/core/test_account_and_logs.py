from __future__ import annotations

import pytest

from phongdich.core.models import AccessLog, ApiToken, AuditLog
from phongdich.core.roles import Role
from tests.conftest import client_for


def test_only_administrators_read_the_logs(personas):
    AuditLog.objects.create(action="person.create", object_type="people.Person", object_id="x")
    for role, user in personas.items():
        response = client_for(user).get("/audit/")
        expected = 200 if role == Role.ADMIN else 403
        assert response.status_code == expected, role
    response = client_for(personas[Role.ADMIN]).get("/audit/?kind=access")
    assert response.status_code == 200


def test_anonymous_cannot_read_the_logs(client, tree):
    response = client.get("/audit/")
    assert response.status_code == 302


def test_a_user_creates_and_revokes_a_token(personas):
    user = personas[Role.COMMUNE]
    client = client_for(user)
    response = client.post("/account/tokens/", {"name": "Excel add-in"}, follow=True)
    assert response.status_code == 200
    token = ApiToken.objects.get(user=user)
    key = response.context["new_key"]
    assert key.startswith("pd_") and ApiToken.hash_key(key) == token.key_hash
    # Shown once only.
    assert client.get("/account/").context["new_key"] is None
    api = client_for(None)
    assert api.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {key}").json()["username"] == user.username
    client.post(f"/account/tokens/{token.pk}/revoke/")
    assert api.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401


def test_a_token_without_a_name_is_refused(personas):
    client = client_for(personas[Role.COMMUNE])
    client.post("/account/tokens/", {"name": ""})
    assert ApiToken.objects.count() == 0


def test_nobody_revokes_someone_elses_token(personas):
    token, _key = ApiToken.issue(personas[Role.COMMUNE], "mine")
    response = client_for(personas[Role.DISTRICT]).post(f"/account/tokens/{token.pk}/revoke/")
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_the_api_refuses_without_credentials_in_the_callers_language(tree):
    client = client_for(None)
    vi = client.get("/api/v1/me")
    assert vi.status_code == 401
    assert "đăng nhập" in vi.json()["detail"]
    en = client.get("/api/v1/me", HTTP_ACCEPT_LANGUAGE="en")
    assert en.json()["detail"] == "Sign in or send a valid API token."
    bad = client.get("/api/v1/me", HTTP_AUTHORIZATION="Bearer pd_nonsense")
    assert bad.status_code == 401


def test_me_lists_the_role_permissions(personas):
    data = client_for(personas[Role.CHECKPOINT]).get("/api/v1/me").json()
    assert data["role"] == "checkpoint"
    assert set(data["permissions"]) == {
        "person_view",
        "absent_export",
        "test_view",
        "sample_collect",
        "checkpoint_operate",
        "violation_record",
    }


def test_language_preference_is_used_on_pages(personas):
    user = personas[Role.COMMUNE]
    client = client_for(user)
    client.post("/account/", {"language": "en"})
    user.refresh_from_db()
    assert user.language == "en"
    response = client.get("/")
    assert response["Content-Language"] == "en"
    assert "Overview" in response.content.decode()


@pytest.mark.django_db
def test_the_language_switch_sets_english(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    response = client.get("/login/")
    assert response["Content-Language"] == "en"
    assert "Sign in" in response.content.decode()


def test_access_log_model_has_no_personal_columns():
    names = {f.name for f in AccessLog._meta.get_fields()}
    assert names == {"id", "user", "at", "object_type", "object_id", "channel", "detail"}
