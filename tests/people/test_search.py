"""Person search: by ID number, phone or name without accents, only in the user's area."""

from __future__ import annotations

import datetime

import pytest

from phongdich.core.roles import Role
from phongdich.people.merging import merge_people
from phongdich.people.queries import search_people, search_people_page


@pytest.fixture
def people(make_person, tree):
    return {
        "duc": make_person(
            "Lò Văn Đức", id_number="011099001234", phone="+84912345678", birth_date=datetime.date(1990, 5, 17)
        ),
        "duc2": make_person("Lò Văn Đức Anh", unit=tree.to2),
        "long": make_person("Nguyễn Văn Long", unit=tree.him_lam),
        "mai": make_person("Quàng Thị Mai", unit=tree.to1, id_number="011234567"),
        "far": make_person("Lò Văn Đức", unit=tree.ban_sin_thau, birth_date=datetime.date(1960, 1, 1)),
    }


def names(qs):
    return [p.full_name for p in qs]


def test_name_without_accents_finds_the_accented_name(people, personas):
    province = personas[Role.HEALTH]
    assert set(names(search_people(province, "lo van duc"))) == {"Lò Văn Đức", "Lò Văn Đức Anh"}
    assert names(search_people(province, "Lò Văn Đức"))[:2] == ["Lò Văn Đức", "Lò Văn Đức"]


def test_exact_name_ranks_first(people, personas):
    result = names(search_people(personas[Role.HEALTH], "lo van duc"))
    assert result == ["Lò Văn Đức", "Lò Văn Đức", "Lò Văn Đức Anh"]


def test_every_word_must_appear_in_any_order(people, personas):
    user = personas[Role.HEALTH]
    assert names(search_people(user, "duc anh")) == ["Lò Văn Đức Anh"]
    assert names(search_people(user, "anh duc")) == ["Lò Văn Đức Anh"]
    assert names(search_people(user, "duc xyz")) == []


def test_short_words_match_the_start_of_a_word(people, personas):
    user = personas[Role.HEALTH]
    assert set(names(search_people(user, "lo"))) == {"Lò Văn Đức", "Lò Văn Đức Anh", "Nguyễn Văn Long"}
    assert names(search_people(user, "an")) == ["Lò Văn Đức Anh"]  # not "Văn" (inside a word)
    assert names(search_people(user, "quang th ma")) == ["Quàng Thị Mai"]


def test_id_number_and_phone_find_exact_numbers(people, personas):
    user = personas[Role.COMMUNE]
    assert names(search_people(user, "011 099 001 234")) == ["Lò Văn Đức"]
    assert names(search_people(user, "011234567")) == ["Quàng Thị Mai"]
    assert names(search_people(user, "0912 345 678")) == ["Lò Văn Đức"]
    assert names(search_people(user, "+84912345678")) == ["Lò Văn Đức"]
    assert names(search_people(user, "011099001235")) == []
    assert search_people_page(user, "0912345678").kind == "phone"
    assert search_people_page(user, "011099001234").kind == "id_number"


def test_search_stays_in_the_users_area(people, personas, outsider):
    commune = personas[Role.COMMUNE]  # Noong Bua
    assert names(search_people(commune, "lo van duc")) == ["Lò Văn Đức", "Lò Văn Đức Anh"]
    assert names(search_people(commune, "long")) == []  # Him Lam
    assert names(search_people(outsider, "lo van duc")) == ["Lò Văn Đức"]  # Sín Thầu's own
    assert names(search_people(personas[Role.COMMUNITY], "duc")) == ["Lò Văn Đức"]  # Tổ 1 only


def test_merged_records_are_not_found(people, personas):
    merge_people(None, people["duc"], people["duc2"])
    assert names(search_people(personas[Role.COMMUNE], "duc")) == ["Lò Văn Đức"]


def test_empty_and_nonsense_queries(people, personas):
    user = personas[Role.HEALTH]
    assert list(search_people(user, "")) == []
    assert list(search_people(user, "   ")) == []
    assert list(search_people(user, "12345")) == []
    assert list(search_people(user, "%_%")) == []


def test_limit(make_person, personas, tree):
    for i in range(5):
        make_person("Vàng Thị Dua", unit=tree.to1, birth_date=datetime.date(1990, 1, i + 1))
    assert len(search_people(personas[Role.HEALTH], "vang dua", limit=3)) == 3
