"""The API documentation works offline: nothing is loaded from another host."""

from __future__ import annotations

import re

from phongdich.core.roles import Role
from tests.conftest import client_for


def test_api_docs_use_bundled_assets_only(personas):
    response = client_for(personas[Role.ADMIN]).get("/api/v1/docs")
    assert response.status_code == 200
    page = response.content.decode()
    assert "swagger" in page.lower()
    assert re.findall(r"(?:src|href)=\"(https?:)?//", page) == []


def test_openapi_schema_lists_the_main_routes(personas):
    schema = client_for(personas[Role.ADMIN]).get("/api/v1/openapi.json").json()
    paths = set(schema["paths"])
    for expected in ("/api/v1/persons", "/api/v1/absent/uploads", "/api/v1/cases", "/api/v1/tracing/contacts"):
        assert expected in paths, expected
