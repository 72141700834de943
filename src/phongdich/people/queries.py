"""Read-side queries of the person registry. Everything here is scoped to the user's area.

Search (``search_people``):

- a query that looks like an ID number (9 or 12 digits once spaces and dots are removed)
  finds that exact, normalised CCCD/CMND;
- one that looks like a phone number (+84…, 0…, 10-11 digits) finds that normalised phone;
- anything else is a name: diacritic-insensitive (``Person.name_key``), every word must
  appear; words of three letters or more anywhere in the name (``LIKE '%word%'``), shorter
  words at the start of a word of the name (on PostgreSQL ``name_key ~ '(^| )lo'``). On
  PostgreSQL the trigram index (migration 0002) serves every word's condition, all of them
  combined in one index scan, so the rows read are (nearly) only the matching ones.

Ranking: the exact name first, then by name. To stay fast when a name matches a tenth of
the province ("nguyen", "lo thi"), the name query fetches at most ``CANDIDATE_CAP`` matching
rows without ordering (the database stops early), sorts those in Python and returns the
first ``limit``; when more than ``limit`` people have exactly the name typed, they are the
page and no other query is made. ``search_people_page`` tells when that cap was reached
(``truncated``) so that the page can ask for a more precise query.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

from phongdich.core import access
from phongdich.core.text import fold
from phongdich.geo.models import AdminUnit, Level
from phongdich.people.models import DuplicateCandidate, Household, Person, PersonMerge
from phongdich.people.validation import normalize_id_number, normalize_phone

if TYPE_CHECKING:
    from phongdich.core.models import User

CANDIDATE_CAP = 200
MAX_WORDS = 6
_SEPARATORS = re.compile(r"[\s.\-]")
_PHONE = re.compile(r"^(\+?84|0)\d{8,10}$")


@dataclass
class SearchResult:
    people: list[Person]
    kind: str  # "id_number" | "phone" | "name" | "empty"
    truncated: bool = False


def active_people(user: User) -> QuerySet[Person]:
    """Active (not merged) person records in the user's area."""
    return access.scope(user, Person.objects.filter(merged_into__isnull=True))


def people_in_scope(user: User) -> QuerySet[Person]:
    """All person records in the user's area, merged ones included (for pages of a merged record)."""
    return access.scope(user, Person.objects.all())


def _classify(q: str) -> tuple[str, str]:
    """('id_number' | 'phone' | 'name' | 'empty', normalised value)."""
    text = q.strip()
    if not text:
        return "empty", ""
    compact = _SEPARATORS.sub("", text)
    if compact.isdigit() and len(compact) in (9, 12):
        try:
            value = normalize_id_number(compact)
        except ValidationError:
            value = None
        if value:
            return "id_number", value
    if _PHONE.match(compact):
        try:
            return "phone", normalize_phone(compact)
        except ValidationError:
            return "phone", ""
    if compact.isdigit():
        return "id_number", ""  # digits that are neither an ID number nor a phone: nothing matches
    return "name", fold(text)[:120]


def _word_start(word: str) -> Q:
    """A word of the name begins with ``word``.

    PostgreSQL: one regular expression, ``name_key ~ '(^| )lo'``, which the trigram index
    serves (its trigrams "  l", " lo" mark the start of a word) and combines with the other
    words' conditions in a single index scan. Elsewhere: ``'lo%' OR '% lo%'``.
    """
    if connection.vendor == "postgresql":
        return Q(name_key__regex="(^| )" + _REGEX_SPECIAL.sub(r"\\\g<0>", word))
    return Q(name_key__startswith=word) | Q(name_key__contains=" " + word)


_REGEX_SPECIAL = re.compile(r"[^\w ]")


def _name_filter(key: str) -> Q:
    """Every word of ``key`` in the name: 3+ letters anywhere, shorter ones at a word's start."""
    words = [w for w in key.split(" ") if w][:MAX_WORDS]
    condition = Q()
    # Long words first: when the database reads the table instead of the index, it tests
    # each row's conditions in this order, and a LIKE costs less than a regular expression.
    for word in sorted(words, key=lambda w: len(w) < 3):
        condition &= Q(name_key__contains=word) if len(word) >= 3 else _word_start(word)
    return condition


def _search(user: User, q: str, limit: int) -> tuple[str, list[Any], bool]:
    """(kind, the pks of the people found in display order, truncated)."""
    kind, value = _classify(q)
    base = active_people(user)  # ordered by name (Person.Meta.ordering)
    if kind == "empty" or not value:
        return kind, [], False
    if kind == "id_number":
        pks = list(base.filter(id_number=value).values_list("pk", flat=True)[:limit])
        if not pks and len(value) == 9:
            # Nine digits may also be a phone number that lost its leading zero.
            try:
                phone = normalize_phone(value)
            except ValidationError:
                phone = ""
            if phone:
                pks = list(base.filter(phone=phone).values_list("pk", flat=True)[:limit])
        return kind, pks, False
    if kind == "phone":
        return kind, list(base.filter(phone=value).values_list("pk", flat=True)[:limit]), False
    # No ORDER BY in these two: the database stops at the first rows it finds.
    base = base.order_by()
    exact = sorted(base.filter(name_key=value).values_list("pk", flat=True)[: limit + 1], key=str)
    if len(exact) > limit:
        # More people have exactly this name than a page shows: they are the page.
        return kind, exact[:limit], True
    exact_ids = set(exact)
    candidates = list(base.filter(_name_filter(value)).values_list("pk", "name_key")[:CANDIDATE_CAP])
    truncated = len(candidates) >= CANDIDATE_CAP
    rest = sorted((key, str(pk), pk) for pk, key in candidates if pk not in exact_ids)
    return kind, [*exact, *(pk for _key, _s, pk in rest)][:limit], truncated


def search_people_page(user: User, q: str, limit: int = 50) -> SearchResult:
    kind, pks, truncated = _search(user, q, limit)
    if not pks:
        return SearchResult([], kind)
    by_id = {p.pk: p for p in Person.objects.filter(pk__in=pks).select_related("commune", "village")}
    return SearchResult([by_id[pk] for pk in pks if pk in by_id], kind, truncated)


def search_people(user: User, q: str, limit: int = 50) -> QuerySet[Person]:
    """Active people in the user's area matching ``q`` (ID number, phone or name), best first."""
    _kind, ids, _truncated = _search(user, q, limit)
    if not ids:
        return Person.objects.none()
    if len(ids) == 1:
        return Person.objects.filter(pk=ids[0]).select_related("commune", "village")
    order = Case(*[When(pk=pk, then=Value(i)) for i, pk in enumerate(ids)], output_field=IntegerField())
    return Person.objects.filter(pk__in=ids).select_related("commune", "village").order_by(order)


def units_in_scope(user: User, level: str) -> QuerySet[AdminUnit]:
    """Units of ``level`` a user may pick for a record (in the deployment's hierarchy).

    A user bound to a unit below ``level`` gets the one unit of that level containing theirs
    (so that a village user can pick their commune, then their village).
    """
    from django.conf import settings

    qs = AdminUnit.objects.filter(level=level, version=settings.PHONGDICH_HIERARCHY)
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    unit = user.unit
    if unit is None:
        return qs if user.is_superuser else qs.none()
    if unit.level == level:
        return qs.filter(pk=unit.pk)
    depth = {Level.PROVINCE: 0, Level.DISTRICT: 1, Level.COMMUNE: 2, Level.VILLAGE: 3}
    if depth[Level(unit.level)] > depth[Level(level)]:
        return qs.filter(pk=getattr(unit, f"{level}_id"))
    return qs.filter(**{unit.level: unit}).order_by("name_key")


def households_in_scope(user: User) -> QuerySet[Household]:
    return access.scope(user, Household.objects.all())


def visible_duplicates(user: User) -> QuerySet[DuplicateCandidate]:
    """Pairs (any status) with at least one side in the user's area."""
    qs = DuplicateCandidate.objects.all()
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    unit = user.unit
    if unit is None:
        return qs if user.is_superuser else qs.none()
    return qs.filter(Q(**unit.scope_filter("person_a__")) | Q(**unit.scope_filter("person_b__")))


def pending_duplicates(user: User) -> QuerySet[DuplicateCandidate]:
    """Pending pairs with at least one side in the user's area."""
    return visible_duplicates(user).filter(status=DuplicateCandidate.Status.PENDING)


def person_in_scope(user: User, person: Person) -> bool:
    return people_in_scope(user).filter(pk=person.pk).exists()


def merges_in_scope(user: User) -> QuerySet[PersonMerge]:
    """Merges whose two records are both in the user's area."""
    return access.scope(user, PersonMerge.objects.all(), "survivor__").filter(
        merged__in=people_in_scope(user).values("pk")
    )
