"""Merging two records of one person joins their contacts, so the levels around them are re-derived;
undoing the merge re-derives them again."""

from __future__ import annotations

import datetime

import pytest

from phongdich.people.merging import merge_people, undo_merge
from tests.conftest import Tree
from tests.tracing.levels_helpers import World

D = datetime.date
pytestmark = pytest.mark.django_db


def test_merge_and_undo_recompute_the_levels_around_the_person(tree: Tree) -> None:
    w = World(tree)
    w.contact("X", "A", D(2021, 8, 9))  # A is F1
    w.contact("A2", "C", D(2021, 8, 11))  # A2 (the same person, entered twice) met C
    w.case("X", D(2021, 8, 10), onset=D(2021, 8, 8))
    assert (w.level("A"), w.level("A2"), w.level("C")) == (1, None, None)

    merge = merge_people(None, w.p("A"), w.p("A2"))
    assert w.level("A") == 1
    assert w.level("C") == 2  # C met the F1 through the record that was merged in

    undo_merge(None, merge)
    assert (w.level("A"), w.level("A2"), w.level("C")) == (1, None, None)
