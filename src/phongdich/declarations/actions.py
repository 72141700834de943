"""Every change of the declarations app: submit a declaration, handle a flag, venues, check-ins.

``submit_declaration(data, *, client_uuid, channel)`` is a seam: the public form, the API and a
checkpoint officer declaring on behalf of a traveller all call it. It validates ``data``
(``DeclarationError`` with the field and a translated message; nothing written), stores the
declaration in the destination commune and hands it to ``processing`` (matching the person:
people.actions.intake_person, same ID number = same person, else name + birth + phone scoring,
likely duplicates to the review queue; the rule set; the flags of flags.py; an audit row): at
once for an officer or the demo, in the task worker a second later for the public. A resend with the same
``client_uuid`` returns the first declaration with ``created=False``.
"""

from __future__ import annotations

import contextlib
import datetime
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from phongdich.core.audit import record_change, snapshot
from phongdich.declarations.models import (
    Channel,
    CheckIn,
    Condition,
    Declaration,
    DeclarationFlag,
    DeclarationKind,
    Exposure,
    Symptom,
    Transport,
    Venue,
    VenueKind,
)
from phongdich.geo.models import AdminUnit, Level
from phongdich.geo.scoping import lineage_columns
from phongdich.people.actions import PersonData, intake_person
from phongdich.people.models import Person, Sex, Source

if TYPE_CHECKING:
    from phongdich.core.models import User

# What a declaration covers: the last 14 days (NCOVI / tokhaiyte form, DOMAIN.md §4).
DECLARATION_DAYS = 14
MAX_PLACES = 20  # places visited in the last 14 days, one form
MAX_PROVINCES = 20
TRAVEL_DAYS_AHEAD = 3  # a journey may be declared up to 3 days before it starts
MAX_TEXT = 255


class DeclarationError(Exception):
    """Invalid input: ``field`` names the form/API field, ``message`` is translated."""

    def __init__(self, message: str, field: str = "", status: int = 422) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.status = status


@dataclass
class PlaceVisit:
    name: str
    unit: AdminUnit | None = None
    date: datetime.date | None = None


@dataclass
class DeclarationData:
    """Normalised fields of a declaration, as the boundary (form, API, checkpoint) hands them over.

    ``destination`` is a commune (or a village) of the deployment: whose staff see it. Identity
    strings are already normalised (people.validation: ID number, E.164 phone, name).
    """

    kind: str
    full_name: str
    phone: str
    destination: AdminUnit
    id_number: str | None = None
    birth_date: datetime.date | None = None
    birth_year: int | None = None
    sex: str = Sex.UNKNOWN
    nationality: str = "Việt Nam"
    address: str = ""
    origin_province: AdminUnit | None = None
    origin_unit: AdminUnit | None = None
    origin_country: str = ""
    travel_date: datetime.date | None = None
    transport: str = ""
    vehicle_number: str = ""
    seat: str = ""
    places: list[PlaceVisit] = field(default_factory=list)
    provinces_visited: list[AdminUnit] = field(default_factory=list)
    symptoms: list[str] = field(default_factory=list)
    exposures: list[str] = field(default_factory=list)
    conditions: list[str] = field(default_factory=list)
    declared_at: datetime.datetime | None = None


def check_declaration(data: DeclarationData) -> None:
    """Raise DeclarationError for anything a person or client could get wrong."""
    now = timezone.now()
    if data.declared_at is not None and data.declared_at > now + datetime.timedelta(minutes=5):
        raise DeclarationError(_("The declaration time cannot be in the future."), "declared_at")
    # Dates are checked against the moment of the declaration (now, or the time given by a
    # checkpoint that synchronises later, or the demo).
    today = timezone.localdate(data.declared_at or now)
    if data.kind not in DeclarationKind.values:
        raise DeclarationError(_("Choose the kind of declaration."), "kind")
    if not data.full_name.strip():
        raise DeclarationError(_("The full name is required."), "full_name")
    if len(data.full_name) > 120:
        raise DeclarationError(_("The name is too long."), "full_name")
    if not data.phone:
        raise DeclarationError(_("The phone number is required."), "phone")
    if data.destination is None or data.destination.level not in (Level.COMMUNE, Level.VILLAGE):
        raise DeclarationError(_("Choose the commune or ward you are going to."), "destination")
    if data.birth_date is not None and data.birth_date > today:
        raise DeclarationError(_("The date of birth cannot be in the future."), "birth")
    if data.birth_year is not None and not (1900 <= data.birth_year <= today.year):
        raise DeclarationError(_("The year of birth is not valid."), "birth")
    if data.sex not in Sex.values:
        raise DeclarationError(_("Unknown sex."), "sex")
    if data.travel_date is not None:
        if data.travel_date > today + datetime.timedelta(days=TRAVEL_DAYS_AHEAD):
            raise DeclarationError(
                _("The travel date can be at most %(days)d days ahead.") % {"days": TRAVEL_DAYS_AHEAD}, "travel_date"
            )
        if data.travel_date < today - datetime.timedelta(days=DECLARATION_DAYS):
            raise DeclarationError(_("The travel date is more than 14 days ago."), "travel_date")
    if data.kind in (DeclarationKind.ARRIVAL_PROVINCE, DeclarationKind.DOMESTIC) and data.origin_province is None:
        raise DeclarationError(_("Choose the province you are coming from."), "origin_province")
    if data.kind == DeclarationKind.ARRIVAL_ABROAD and not data.origin_country.strip():
        raise DeclarationError(_("Enter the country you are coming from."), "origin_country")
    if data.origin_province is not None and data.origin_province.level != Level.PROVINCE:
        raise DeclarationError(_("Choose a province."), "origin_province")
    if data.transport and data.transport not in Transport.values:
        raise DeclarationError(_("Unknown means of transport."), "transport")
    if len(data.places) > MAX_PLACES:
        raise DeclarationError(_("At most %(n)d places can be declared.") % {"n": MAX_PLACES}, "places")
    if len(data.provinces_visited) > MAX_PROVINCES:
        raise DeclarationError(
            _("At most %(n)d provinces can be declared.") % {"n": MAX_PROVINCES}, "provinces_visited"
        )
    first = today - datetime.timedelta(days=DECLARATION_DAYS)
    for place in data.places:
        if not place.name.strip() or len(place.name) > 200:
            raise DeclarationError(_("Each place needs a name of at most 200 characters."), "places")
        if place.date is not None and place.date > today:
            raise DeclarationError(_("A place visited cannot have a date in the future."), "places")
        if place.date is not None and place.date < first:
            raise DeclarationError(_("Only places of the last 14 days are declared."), "places")
    for name, values, choices in (
        ("symptoms", data.symptoms, Symptom.values),
        ("exposures", data.exposures, Exposure.values),
        ("conditions", data.conditions, Condition.values),
    ):
        if len(values) > len(choices) or any(v not in choices for v in values):
            raise DeclarationError(_("Unknown choice."), name)
    for name in ("address", "origin_country", "vehicle_number", "seat", "nationality"):
        if len(str(getattr(data, name))) > (MAX_TEXT if name == "address" else 60):
            raise DeclarationError(_("This text is too long."), name)


def submit_declaration(
    data: DeclarationData,
    *,
    client_uuid: uuid.UUID | None,
    channel: str = Channel.PUBLIC_WEB,
    actor: User | None = None,
) -> tuple[Declaration, bool]:
    """Store a declaration; returns (declaration, created). See the module docstring.

    ``actor`` is the officer declaring on behalf of a traveller (channel CHECKPOINT or STAFF),
    None for the public. Raises DeclarationError (nothing written) for invalid data.
    """
    if client_uuid is not None:
        existing = next(iter(Declaration.objects.filter(client_uuid=client_uuid).order_by()[:1]), None)
        if existing is not None:
            return existing, False
    if channel not in Channel.values:
        raise DeclarationError(_("Unknown channel."), "channel")
    check_declaration(data)
    from phongdich.declarations import processing

    declaration = Declaration(
        client_uuid=client_uuid,
        channel=channel,
        kind=data.kind,
        full_name=data.full_name.strip(),
        id_number=data.id_number or "",
        birth_date=data.birth_date,
        birth_year=data.birth_year or (data.birth_date.year if data.birth_date else None),
        sex=data.sex,
        nationality=data.nationality.strip(),
        phone=data.phone,
        address=data.address.strip(),
        origin_province=data.origin_province,
        origin_unit=data.origin_unit,
        origin_country=data.origin_country.strip(),
        travel_date=data.travel_date,
        transport=data.transport,
        vehicle_number=data.vehicle_number.strip(),
        seat=data.seat.strip(),
        places=[
            {
                "name": p.name.strip(),
                "unit_id": p.unit.pk if p.unit else None,
                "date": p.date.isoformat() if p.date else None,
            }
            for p in data.places
        ],
        provinces_visited=sorted({u.pk for u in data.provinces_visited}),
        symptoms=sorted(set(data.symptoms)),
        exposures=sorted(set(data.exposures)),
        conditions=sorted(set(data.conditions)),
        declared_at=data.declared_at or timezone.now(),
        submitted_by=actor if actor is not None and actor.is_authenticated else None,
        **lineage_columns(data.destination),
    )
    # The public path is one INSERT, committed at once (the worker does the rest); processing in the
    # request, or a caller's transaction, needs a transaction (a savepoint) of its own.
    own_transaction = processing.at_once(declaration) or connection.in_atomic_block
    try:
        with transaction.atomic() if own_transaction else contextlib.nullcontext():
            declaration.save(force_insert=True)
            processing.after_submit(declaration, actor)
    except IntegrityError:
        # A concurrent resend with the same client UUID won the race: return its declaration.
        again = Declaration.objects.filter(client_uuid=client_uuid).first() if client_uuid else None
        if again is None:
            raise
        return again, False
    return declaration, True


@transaction.atomic
def handle_flag(actor: User, flag: DeclarationFlag, *, note: str = "", handled: bool = True) -> DeclarationFlag:
    """Mark a flag handled (or reopen it) with an optional note; the same state again changes nothing."""
    flag = DeclarationFlag.objects.select_for_update().get(pk=flag.pk)
    if len(note) > 255:
        raise DeclarationError(_("The note is too long."), "note")
    if handled == (flag.handled_at is not None) and note == flag.note:
        return flag
    before = snapshot(flag, ["handled_at", "handled_by", "note"])
    flag.handled_at = timezone.now() if handled else None
    flag.handled_by = actor if handled else None
    flag.note = note
    flag.save(update_fields=["handled_at", "handled_by", "note"])
    record_change(actor, "declaration_flag.handle", flag, before, snapshot(flag, ["handled_at", "handled_by", "note"]))
    return flag


# Violations (the checkpoints app owns the Violation model) ------------------------------------


class ViolationKind:
    UNTRUTHFUL = "untruthful_declaration"
    MISSING = "missing_declaration"


def record_declaration_violation(
    actor: User,
    person: Person,
    kind: str,
    *,
    declaration: Declaration | None = None,
    note: str = "",
    client_uuid: uuid.UUID | None = None,
) -> Any:
    """Record an untruthful or missing declaration through ``checkpoints.actions.record_violation``.

    The checkpoints app owns the Violation model; it is imported lazily so that this app does
    not depend on it at import time. ``kind`` is ViolationKind.UNTRUTHFUL or MISSING; the
    violation is placed in the declaration's destination commune (else the person's). Needs
    VIOLATION_RECORD; raises DeclarationError (422) for another kind.
    """
    from phongdich.checkpoints.actions import record_violation
    from phongdich.core import access
    from phongdich.core.roles import Perm

    access.require(actor, Perm.VIOLATION_RECORD)
    if kind not in (ViolationKind.UNTRUTHFUL, ViolationKind.MISSING):
        raise DeclarationError(_("Choose a kind of violation."), "kind")
    unit = (declaration.village or declaration.commune) if declaration is not None else None
    return record_violation(
        actor, kind, person=person, declaration=declaration, note=note, unit=unit, client_uuid=client_uuid
    )


# Venues and check-ins -------------------------------------------------------------------------


@dataclass
class VenueData:
    name: str
    unit: AdminUnit
    kind: str = VenueKind.OTHER
    address: str = ""
    active: bool = True


VENUE_FIELDS = ["code", "name", "kind", "address", "active", "province", "district", "commune", "village"]


def _check_venue(data: VenueData) -> None:
    if not data.name.strip() or len(data.name) > 200:
        raise DeclarationError(_("The venue needs a name of at most 200 characters."), "name")
    if data.kind not in VenueKind.values:
        raise DeclarationError(_("Unknown kind of venue."), "kind")
    if len(data.address) > MAX_TEXT:
        raise DeclarationError(_("This text is too long."), "address")
    if data.unit is None or data.unit.level not in (Level.COMMUNE, Level.VILLAGE):
        raise DeclarationError(_("Choose the commune or ward of the venue."), "unit")


def _new_venue_code(unit: AdminUnit) -> str:
    """A readable code: the commune code and a sequence (e.g. 03124-007)."""
    commune_code = (unit.commune.code if unit.level == Level.VILLAGE and unit.commune else unit.code)[:8]
    n = Venue.objects.filter(code__startswith=f"{commune_code}-").count() + 1
    while Venue.objects.filter(code=f"{commune_code}-{n:03d}").exists():
        n += 1
    return f"{commune_code}-{n:03d}"


def create_venue(actor: User | None, data: VenueData, *, client_uuid: uuid.UUID | None = None) -> tuple[Venue, bool]:
    """Register a venue in ``data.unit`` (the caller checked the unit is in the actor's area)."""
    if client_uuid is not None:
        existing = Venue.objects.filter(client_uuid=client_uuid).first()
        if existing is not None:
            return existing, False
    _check_venue(data)
    try:
        with transaction.atomic():
            venue = Venue.objects.create(
                client_uuid=client_uuid,
                code=_new_venue_code(data.unit),
                name=data.name.strip(),
                kind=data.kind,
                address=data.address.strip(),
                active=data.active,
                created_by=actor if actor is not None and actor.is_authenticated else None,
                **lineage_columns(data.unit),
            )
            record_change(actor, "venue.create", venue, None, snapshot(venue, VENUE_FIELDS))
    except IntegrityError:
        again = Venue.objects.filter(client_uuid=client_uuid).first() if client_uuid else None
        if again is None:
            raise
        return again, False
    return venue, True


@transaction.atomic
def update_venue(actor: User, venue: Venue, data: VenueData) -> Venue:
    _check_venue(data)
    before = snapshot(venue, VENUE_FIELDS)
    venue.name = data.name.strip()
    venue.kind = data.kind
    venue.address = data.address.strip()
    venue.active = data.active
    for key, value in lineage_columns(data.unit).items():
        setattr(venue, key, value)
    venue.save(update_fields=["name", "kind", "address", "active", "province", "district", "commune", "village"])
    after = snapshot(venue, VENUE_FIELDS)
    if after != before:
        record_change(actor, "venue.update", venue, before, after)
    return venue


@dataclass
class CheckInData:
    """Who checked in: a phone number or an ID number (at least one), and a name for a new person."""

    phone: str = ""
    id_number: str | None = None
    full_name: str = ""
    checked_in_at: datetime.datetime | None = None


def _person_for_checkin(venue: Venue, data: CheckInData, source: str) -> Person:
    if data.id_number:
        found = Person.objects.filter(id_number=data.id_number, merged_into__isnull=True).first()
        if found is not None:
            return found
    if data.phone:
        same_phone = list(Person.objects.filter(phone=data.phone, merged_into__isnull=True)[:2])
        if len(same_phone) == 1 and (not data.id_number or not same_phone[0].id_number):
            return same_phone[0]
    if not data.full_name.strip():
        raise DeclarationError(_("We do not know you yet: enter your full name."), "full_name")
    intake = intake_person(
        None,
        PersonData(full_name=data.full_name, id_number=data.id_number, phone=data.phone),
        source=source,
    )
    return intake.person


def check_in(
    venue: Venue, data: CheckInData, *, client_uuid: uuid.UUID | None, channel: str = CheckIn.Channel.PUBLIC_WEB
) -> tuple[CheckIn, bool]:
    """Record that a person is at ``venue`` now (or at ``data.checked_in_at``); a resend is not duplicated."""
    if client_uuid is not None:
        existing = CheckIn.objects.filter(client_uuid=client_uuid).first()
        if existing is not None:
            return existing, False
    if not venue.active:
        raise DeclarationError(_("This venue no longer takes check-ins."), "venue", status=404)
    if not data.phone and not data.id_number:
        raise DeclarationError(_("Enter your phone number or your ID number."), "phone")
    now = timezone.now()
    at = data.checked_in_at or now
    if at > now + datetime.timedelta(minutes=5):
        raise DeclarationError(_("The check-in time cannot be in the future."), "checked_in_at")
    if channel != CheckIn.Channel.DEMO and at < now - datetime.timedelta(days=DECLARATION_DAYS):
        raise DeclarationError(_("The check-in time is more than 14 days ago."), "checked_in_at")
    if len(data.full_name) > 120:
        raise DeclarationError(_("The name is too long."), "full_name")
    source = Source.DEMO if channel == CheckIn.Channel.DEMO else Source.API
    try:
        with transaction.atomic():
            person = _person_for_checkin(venue, data, source)
            checkin = CheckIn.objects.create(
                client_uuid=client_uuid, venue=venue, person=person, checked_in_at=at, channel=channel
            )
    except IntegrityError:
        again = CheckIn.objects.filter(client_uuid=client_uuid).first() if client_uuid else None
        if again is None:
            raise
        return again, False
    return checkin, True


@transaction.atomic
def link_site_venue(actor: User, site: Any, venue: Venue) -> tuple[Any, int]:
    """Link a published exposure site to a venue; its check-ins in the window become candidates.

    Returns (link, number of new candidates). Linking twice changes nothing.
    """
    from phongdich.declarations.candidates import site_venue_candidates
    from phongdich.declarations.models import SiteVenue

    link, created = SiteVenue.objects.get_or_create(site=site, venue=venue)
    if not created:
        return link, 0
    record_change(actor, "venue.link_site", venue, None, {"site": str(site.pk)})
    return link, len(site_venue_candidates(site))
