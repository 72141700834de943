"""Person search: the paths added for speed (exact name filling the page, word-start regex)."""

from __future__ import annotations

import datetime

from phongdich.core.roles import Role
from phongdich.people.queries import search_people, search_people_page


def test_a_page_of_exact_names_comes_first_and_says_there_are_more(make_person, personas, tree):
    for i in range(4):
        make_person("Lò Thị Lả", unit=tree.to1, birth_date=datetime.date(1990, 1, i + 1))
    make_person("Lò Thị Lả Anh", unit=tree.to1)
    user = personas[Role.HEALTH]
    page = search_people_page(user, "lo thi la", limit=3)
    assert [p.full_name for p in page.people] == ["Lò Thị Lả"] * 3
    assert page.truncated
    # One more than the exact ones: they come first, then the longer name.
    page = search_people_page(user, "lo thi la", limit=5)
    assert [p.full_name for p in page.people] == ["Lò Thị Lả"] * 4 + ["Lò Thị Lả Anh"]
    assert not page.truncated
    assert [p.full_name for p in search_people(user, "lo thi la", limit=5)] == [p.full_name for p in page.people]


def test_short_words_with_special_characters_are_plain_text(make_person, personas, tree):
    make_person("Vàng A Páo", unit=tree.to1)
    user = personas[Role.HEALTH]
    for q in ["a (", "a [", "a \\", "a .", "a *", "a $", "a ^", "vang a |", "a ?"]:
        assert list(search_people(user, q)) == [], q
    assert [p.full_name for p in search_people(user, "vang a pa")] == ["Vàng A Páo"]
    assert [p.full_name for p in search_people(user, "pa a")] == ["Vàng A Páo"]
    assert list(search_people(user, "ng a")) == []  # "ng" is inside "vang", not at a word's start
