"""The main navigation: a few links that matter most to the user's role, the rest under "More".

One table of entries (URL name, label, group, the permissions of which any one shows it). Each
role has its primary entries, in order; every other entry the user may see goes into the "More"
menu under its group. Modules do not add entries themselves: the table is small and read here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from phongdich.core.roles import Perm, Role

if TYPE_CHECKING:
    from phongdich.core.models import User


@dataclass(frozen=True)
class Entry:
    url_name: str
    label: str | Promise
    group: str  # a key of GROUPS
    perms: tuple[Perm, ...] = ()  # any one of them; empty = every signed-in user


GROUPS: dict[str, str | Promise] = {
    "epi": _("Epidemiology"),
    "care": _("Testing and care"),
    "arrivals": _("Arrivals"),
    "registry": _("Registry"),
}

ENTRIES: tuple[Entry, ...] = (
    Entry("cases:list", _("Cases (F0)"), "epi", (Perm.CASE_VIEW,)),
    Entry("investigations:list", _("Tracing"), "epi", (Perm.CASE_VIEW,)),
    Entry("reports:dashboard", _("Figures"), "epi", (Perm.CASE_VIEW,)),
    Entry("reports:cases", _("Line list of cases"), "epi", (Perm.CASE_VIEW,)),
    Entry("reports:contacts", _("Line list of contacts (F1–F3)"), "epi", (Perm.CASE_VIEW,)),
    Entry("reports:graphs", _("Transmission chains"), "epi", (Perm.CASE_VIEW,)),
    Entry("cases:clusters", _("Clusters"), "epi", (Perm.CASE_VIEW,)),
    Entry("investigations:overdue", _("Overdue tracing work"), "epi", (Perm.CASE_VIEW,)),
    Entry("investigations:team-list", _("Tracing teams"), "epi", (Perm.CASE_VIEW,)),
    Entry("exposure:list", _("Exposure sites"), "epi", (Perm.CASE_VIEW,)),
    Entry("notices:list", _("Inter-province notices"), "epi", (Perm.NOTICE_MANAGE,)),
    Entry("policy:list", _("Rule sets"), "epi", (Perm.CASE_VIEW, Perm.RULESET_EDIT)),
    Entry("testing:index", _("Testing"), "care", (Perm.TEST_VIEW,)),
    Entry("quarantine:index", _("Quarantine"), "care", (Perm.QUARANTINE_VIEW,)),
    Entry("treatment:index", _("Treatment"), "care", (Perm.TREATMENT_VIEW,)),
    Entry("community:index", _("Community teams"), "care", (Perm.COMMUNITY_VIEW,)),
    Entry("checkpoints:index", _("Checkpoints"), "arrivals", (Perm.CHECKPOINT_OPERATE, Perm.CHECKPOINT_MANAGE)),
    Entry("checkpoints:vehicles", _("Vehicles"), "arrivals", (Perm.CHECKPOINT_OPERATE, Perm.CHECKPOINT_MANAGE)),
    Entry("checkpoints:violations", _("Violations"), "arrivals", (Perm.VIOLATION_RECORD,)),
    Entry("declarations:index", _("Declarations"), "arrivals", (Perm.DECLARATION_VIEW,)),
    Entry("people:absent-lists", _("Absent citizens"), "arrivals", (Perm.ABSENT_UPLOAD, Perm.ABSENT_EXPORT)),
    Entry(
        "policy:risk-areas",
        _("High-risk areas"),
        "arrivals",
        (Perm.CASE_VIEW, Perm.DECLARATION_VIEW, Perm.CHECKPOINT_OPERATE, Perm.QUARANTINE_VIEW, Perm.RULESET_EDIT),
    ),
    Entry("people:search", _("People"), "registry", (Perm.PERSON_VIEW,)),
    Entry("people:duplicates", _("Duplicates"), "registry", (Perm.DUPLICATE_REVIEW,)),
    Entry("geo:browse", _("Units"), "registry"),
    Entry("audit-log", _("Logs"), "registry", (Perm.AUDIT_VIEW,)),
    Entry("exposure-public:list", _("Public exposure page"), "registry"),
)
_BY_NAME = {e.url_name: e for e in ENTRIES}

# What each role reaches for first (the overview always comes first).
PRIMARY: dict[Role, tuple[str, ...]] = {
    Role.ADMIN: ("people:search", "cases:list", "testing:index", "quarantine:index", "treatment:index"),
    Role.STEERING: ("reports:dashboard", "cases:list", "quarantine:index", "treatment:index", "people:search"),
    Role.HEALTH: ("cases:list", "investigations:list", "testing:index", "quarantine:index", "treatment:index"),
    Role.POLICE: (
        "people:search",
        "people:absent-lists",
        "investigations:list",
        "checkpoints:index",
        "declarations:index",
    ),
    Role.DISTRICT: ("cases:list", "investigations:list", "quarantine:index", "declarations:index", "people:search"),
    Role.COMMUNE: (
        "people:search",
        "declarations:index",
        "community:index",
        "quarantine:index",
        "people:absent-lists",
    ),
    Role.HEALTH_STATION: (
        "people:search",
        "testing:index",
        "quarantine:index",
        "treatment:index",
        "community:index",
    ),
    Role.COMMUNITY: ("community:index", "people:search", "people:absent-lists"),
    Role.CHECKPOINT: ("checkpoints:index", "people:search", "people:absent-lists"),
    Role.LAB: ("testing:index", "people:search"),
    Role.FACILITY: ("quarantine:index", "treatment:index", "testing:index", "people:search"),
}


@dataclass(frozen=True)
class Link:
    url: str
    label: str | Promise
    namespace: str


def _visible(entry: Entry, user: User) -> bool:
    return not entry.perms or any(user.can(p) for p in entry.perms)


def _link(entry: Entry) -> Link | None:
    try:
        url = reverse(entry.url_name)
    except NoReverseMatch:  # a module that is not installed in this deployment
        return None
    return Link(url, entry.label, entry.url_name.split(":")[0] if ":" in entry.url_name else entry.url_name)


def navigation_for(user: User) -> tuple[list[Link], list[tuple[str | Promise, list[Link]]]]:
    """(primary links, [(group label, links)] for the More menu) for a signed-in user."""
    try:
        role = Role(user.role)
    except ValueError:
        role = Role.COMMUNE
    primary_names = [n for n in PRIMARY.get(role, ()) if n in _BY_NAME and _visible(_BY_NAME[n], user)]
    primary = [link for n in primary_names if (link := _link(_BY_NAME[n])) is not None]
    more: list[tuple[str | Promise, list[Link]]] = []
    for key, label in GROUPS.items():
        links = [
            link
            for e in ENTRIES
            if e.group == key and e.url_name not in primary_names and _visible(e, user)
            if (link := _link(e)) is not None
        ]
        if links:
            more.append((label, links))
    return primary, more
