"""Tracing teams: members from police, health, CDC, military, border guards; one unit each.

A team belongs to a unit (province, district, commune or village) through its jurisdiction
columns. A user manages the teams of their area (``teams_in_scope``) and may also see — and
assign to investigations — the teams of the units above them (``teams_visible``): a commune
can ask the district's team to help.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from phongdich.core import access
from phongdich.core.audit import record_change, snapshot
from phongdich.geo.models import AdminUnit
from phongdich.geo.scoping import lineage_columns
from phongdich.tracing.investigations import TracingError
from phongdich.tracing.models import Agency, TeamMember, TracingTeam

if TYPE_CHECKING:
    from phongdich.core.models import User

TEAM_FIELDS = ["name", "active", "province", "district", "commune", "village"]
MEMBER_FIELDS = ["team", "user", "full_name", "agency", "phone"]
_LEVELS = ("province", "district", "commune", "village")


def team_unit(team: TracingTeam) -> AdminUnit | None:
    """The unit the team belongs to: the most specific of its jurisdiction columns."""
    for level in reversed(_LEVELS):
        unit = getattr(team, level)
        if unit is not None:
            return unit  # type: ignore[no-any-return]
    return None


def teams_in_scope(user: User) -> QuerySet[TracingTeam]:
    return access.scope(user, TracingTeam.objects.all())


def teams_visible(user: User) -> QuerySet[TracingTeam]:
    """Teams of the user's area, and of the units above it."""
    qs = TracingTeam.objects.all()
    own = access.scope(user, qs)
    unit = getattr(user, "unit", None)
    if unit is None or not user.is_authenticated:
        return own
    above = Q(pk__in=[])
    for ancestor in unit.lineage()[:-1]:
        depth = _LEVELS.index(ancestor.level)
        cond = Q(**{ancestor.level: ancestor})
        for lower in _LEVELS[depth + 1 :]:
            cond &= Q(**{f"{lower}__isnull": True})
        above |= cond
    return own | qs.filter(above)


def _check(name: str | None, unit: AdminUnit | None) -> None:
    if name is not None and not name.strip():
        raise TracingError(_("Give the team a name."), field="name")
    if unit is None and name is not None:
        raise TracingError(_("Choose the unit the team belongs to."), field="unit_id")


@transaction.atomic
def create_team(
    actor: User | None, *, name: str, unit: AdminUnit, active: bool = True, client_uuid: uuid.UUID | None = None
) -> TracingTeam:
    """A new team; a retry with the same ``client_uuid`` returns the first one."""
    if client_uuid is not None:
        existing = TracingTeam.objects.filter(client_uuid=client_uuid).first()
        if existing is not None:
            return existing
    _check(name, unit)
    team = TracingTeam(client_uuid=client_uuid, name=name.strip()[:120], active=active, **lineage_columns(unit))
    team.save()
    record_change(actor, "team.create", team, None, snapshot(team, TEAM_FIELDS))
    return team


@transaction.atomic
def update_team(actor: User | None, team: TracingTeam, changes: dict[str, Any]) -> TracingTeam:
    """``changes``: name, active, unit."""
    before = snapshot(team, TEAM_FIELDS)
    fields: list[str] = []
    for key, value in changes.items():
        if key == "name":
            _check(value, team_unit(team))
            team.name = value.strip()[:120]
            fields.append("name")
        elif key == "active":
            team.active = bool(value)
            fields.append("active")
        elif key == "unit":
            if value is None:
                raise TracingError(_("Choose the unit the team belongs to."), field="unit_id")
            for col, v in lineage_columns(value).items():
                setattr(team, col, v)
            fields += ["province", "district", "commune", "village"]
        else:
            raise TracingError(_("This field cannot be changed here: %(f)s.") % {"f": key})
    if fields:
        team.save(update_fields=fields)
        record_change(actor, "team.update", team, before, snapshot(team, TEAM_FIELDS))
    return team


@transaction.atomic
def add_member(
    actor: User | None,
    team: TracingTeam,
    *,
    full_name: str,
    agency: str,
    phone: str = "",
    user: User | None = None,
) -> TeamMember:
    if not full_name.strip():
        raise TracingError(_("Give the member's name."), field="full_name")
    if agency not in Agency.values:
        raise TracingError(_("Unknown agency."), field="agency")
    if user is not None and team.members.filter(user=user).exists():
        raise TracingError(_("This user is already a member of the team."), 409, field="user_id")
    member = TeamMember.objects.create(
        team=team, user=user, full_name=full_name.strip()[:120], agency=agency, phone=phone[:16]
    )
    record_change(actor, "team.member_add", member, None, snapshot(member, MEMBER_FIELDS))
    return member


@transaction.atomic
def remove_member(actor: User | None, member: TeamMember) -> None:
    record_change(actor, "team.member_remove", member, snapshot(member, MEMBER_FIELDS), None)
    member.delete()
