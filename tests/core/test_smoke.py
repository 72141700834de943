from __future__ import annotations

import pytest

from tests.conftest import client_for


@pytest.mark.django_db
def test_anonymous_is_sent_to_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


@pytest.mark.django_db
def test_sign_in_page_is_vietnamese_by_default(client):
    response = client.get("/login/", HTTP_ACCEPT_LANGUAGE="en-US,en")
    assert response.status_code == 200
    assert response["Content-Language"] == "vi"


def test_each_role_sees_the_overview(personas):
    for role, user in personas.items():
        response = client_for(user).get("/")
        assert response.status_code == 200, role
