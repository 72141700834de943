"""Read-side queries of the person registry. Everything here is scoped to the user's area.

Search (``search_people``):

- a query that looks like an ID number (9 or 12 digits once spaces and dots are removed)
  finds that exact, normalised CCCD/CMND;
- one that looks like a phone number (+84…, 0…, 10-11 digits) finds that normalised phone;
- anything else is a name: diacritic-insensitive (``Person.name_key``), every word must
  appear; words of three letters or more anywhere in the name (``LIKE '%word%'``, served by
  the trigram index on PostgreSQL, see migration 0002), shorter words at the start of a
  word of the name (``'lo%' OR '% lo%'``, which still gives the trigram index two trigrams;
  beside longer words, only rechecked on the rows those found).

Ranking: the exact name first, then by name. To stay fast when a word matches a tenth of
the province ("nguyen", "lo"), the name query fetches at most ``CANDIDATE_CAP`` matching
rows without ordering (the planner then stops early), sorts those in Python and returns
the first ``limit``. ``search_people_page`` tells when that cap was reached so that the
page can ask for a more precise query.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db.models import Case, CharField, F, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Concat

from phongdich.core import access
from phongdich.core.text import fold
from phongdich.geo.models import AdminUnit, Level
from phongdich.people.models import DuplicateCandidate, Household, Person, PersonMerge
from phongdich.people.validation import normalize_id_number, normalize_phone

if TYPE_CHECKING:
    from phongdich.core.models import User

CANDIDATE_CAP = 500
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


def _name_filter(key: str) -> Q:
    """Every word of ``key`` in the name: 3+ letters anywhere, shorter ones at a word's start.

    A short word next to longer ones is only checked on the rows the longer words found
    (``' ' || name_key LIKE '% lo%'`` cannot use an index, on purpose: its trigrams are in
    most names and would cost more to intersect than to recheck); alone, it uses the index.
    """
    words = [w for w in key.split(" ") if w][:MAX_WORDS]
    has_long = any(len(w) >= 3 for w in words)
    condition = Q()
    for word in words:
        if len(word) >= 3:
            condition &= Q(name_key__contains=word)
        elif has_long:
            condition &= Q(spaced_name__contains=" " + word)
        else:
            condition &= Q(name_key__startswith=word) | Q(name_key__contains=" " + word)
    return condition


def _with_spaced_name(qs: QuerySet[Person]) -> QuerySet[Person]:
    return qs.annotate(spaced_name=Concat(Value(" "), F("name_key"), output_field=CharField()))


def search_people_page(user: User, q: str, limit: int = 50) -> SearchResult:
    kind, value = _classify(q)
    base = active_people(user)
    if kind == "empty" or not value:
        return SearchResult([], kind)
    if kind == "id_number":
        people = list(base.filter(id_number=value).select_related("commune", "village")[:limit])
        if not people and len(value) == 9:
            # Nine digits may also be a phone number that lost its leading zero.
            try:
                phone = normalize_phone(value)
            except ValidationError:
                phone = ""
            if phone:
                people = list(base.filter(phone=phone).select_related("commune", "village")[:limit])
        return SearchResult(people, kind)
    if kind == "phone":
        return SearchResult(list(base.filter(phone=value).select_related("commune", "village")[:limit]), kind)
    # No ORDER BY in these two (the model orders by name): the database stops at the first rows.
    exact = list(base.filter(name_key=value).order_by().values_list("pk", "name_key")[:limit])
    exact_ids = {pk for pk, _key in exact}
    matching = _with_spaced_name(base).filter(_name_filter(value)).order_by()
    candidates = list(matching.values_list("pk", "name_key")[:CANDIDATE_CAP])
    truncated = len(candidates) >= CANDIDATE_CAP
    rest = sorted(((key, str(pk), pk) for pk, key in candidates if pk not in exact_ids), key=lambda t: t[:2])
    ordered = [pk for pk, _key in sorted(exact, key=lambda t: str(t[0]))] + [pk for _k, _s, pk in rest]
    ordered = ordered[:limit]
    by_id = {p.pk: p for p in Person.objects.filter(pk__in=ordered).select_related("commune", "village")}
    return SearchResult([by_id[pk] for pk in ordered if pk in by_id], kind, truncated)


def search_people(user: User, q: str, limit: int = 50) -> QuerySet[Person]:
    """Active people in the user's area matching ``q`` (ID number, phone or name), best first."""
    result = search_people_page(user, q, limit)
    ids = [p.pk for p in result.people]
    if not ids:
        return Person.objects.none()
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
