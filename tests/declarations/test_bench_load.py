"""The load function of benchmarks/declarations.py against a live server: nothing lost, nothing duplicated."""

from __future__ import annotations

from typing import Any

import pytest
from benchmarks.declarations import check, load
from django.db import connection
from django.test import override_settings

from phongdich.declarations.models import Declaration
from tests.conftest import Tree


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@override_settings(DECLARATION_PUBLIC_RATE=(100_000, 600))
def test_load_and_check(tree: Tree, live_server: Any) -> None:
    # A transactional test may follow another that flushed the migrated rule sets: load them again.
    from phongdich.policy.models import RuleSet
    from phongdich.policy.rulesets import apply_care_rules, load_rule_sets

    if not RuleSet.objects.exists():
        load_rule_sets()
        apply_care_rules()
    # The in-memory SQLite database of the test run is one connection shared by the server's
    # threads: one client thread there; on PostgreSQL, several.
    concurrency = 1 if connection.vendor == "sqlite" else 8
    result = load(
        live_server.url,
        tree.noong_bua.pk,
        origin_province_id=tree.lai_chau.pk,
        seconds=3,
        concurrency=concurrency,
        max_requests=40,
    )
    assert result["requests"] > 0 and result["transport_errors"] == 0
    assert result["status"].get("201", 0) >= 1 and set(result["status"]) <= {"200", "201"}
    verdict = check(result)
    assert verdict["passes"] and verdict["rows_found"] == Declaration.objects.count() == result["created_201"]


def test_load_refuses_a_remote_server() -> None:
    with pytest.raises(ValueError, match="loopback"):
        load("http://example.org", 1)
