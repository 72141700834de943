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


def _shape(schema: object) -> object:
    """A JSON schema without its titles and descriptions: what a client relies on."""
    if isinstance(schema, dict):
        return {k: _shape(v) for k, v in schema.items() if k not in ("title", "description", "examples", "default")}
    if isinstance(schema, list):
        return [_shape(v) for v in schema]
    return schema


def test_no_two_api_schemas_share_a_name():
    """django-ninja names OpenAPI components after the class: two different schemas with one name
    would silently overwrite each other in the documentation (a client would be told the wrong body)."""
    import json
    from collections import defaultdict

    from ninja import Schema

    import phongdich.api.main  # noqa: F401 - every router mounted, so every schema class defined

    shapes: dict[str, set[str]] = defaultdict(set)
    modules: dict[str, set[str]] = defaultdict(set)
    pending = list(Schema.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls.__module__.startswith("phongdich."):
            shapes[cls.__name__].add(json.dumps(_shape(cls.model_json_schema()), sort_keys=True))
            modules[cls.__name__].add(cls.__module__)
    clashes = {name: sorted(modules[name]) for name, found in shapes.items() if len(found) > 1}
    assert clashes == {}
