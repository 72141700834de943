"""Inter-province notices: contacts living in another province, sent to that province's CDC,
and notices received from other provinces, imported as contacts.

Outgoing. ``other_province_contacts(case)`` lists the people of a case's tracing (its derived
F levels and its investigation's tasks) whose home is in another province: an open
"temporarily absent" residence record with a province stayed in, else the person's own
province. ``build_notice(actor, case, to_province, people)`` makes one notice for one
province: a number from a yearly counter ("12/TB-CDC"), and the payload (``SCHEMA``, version
``SCHEMA_VERSION``): the F0's code, national number and confirmation date (no F0 name), and for
each contact the identity the receiving CDC needs (name, birth, sex, ID number, phone,
address) and the exposure (level, first and last contact date, setting). The payload is
exported as Excel and PDF in the official style (``tracing/notice_export.py``) and as JSON
through the API. ``mark_sent`` records that it was sent.

Incoming. ``import_notice(actor, payload)`` takes the same JSON (from the API, a .json file,
or an Excel file read by ``parse_notice_file``). The F0 is a case of the other province and
not ours, so no Case is created: the F0 becomes (or matches) a Person with minimal data (the
case code and province as name when no name is given; no unit, so it is not in any area's
lists) and each F1 row becomes a person of our province (matched or created through
``people.actions.intake_person``) with a contact to that F0 person (``tracing.contacts
.add_contact``, source ``NOTICE``). F2 rows are matched/created and linked to the notice but
get no contact (their F1 is not named). The notice page lists them as "F1/F2 per notice <number>
of <province>". Because the external F0 has no Case, the level engine derives no level from
it: the notice is the authority for these people.

Idempotent: a notice is identified by (from province, number); importing it again finds
the same notice, the same persons (client UUIDs derived from the notice and row identity)
and the same contacts: nothing new. Rows that failed before and are now correct are added.
Bad rows write nothing and are reported (row, column, message).
"""

from __future__ import annotations

import datetime
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from phongdich.cases.models import Case
from phongdich.core import access
from phongdich.core.audit import record_change
from phongdich.core.roles import Perm
from phongdich.core.text import fold
from phongdich.geo.models import AdminUnit, Level
from phongdich.geo.queries import deployment_province
from phongdich.people.actions import PersonData, intake_person
from phongdich.people.models import Person, ResidenceStatus, Sex, Source
from phongdich.people.validation import normalize_id_number, normalize_name, normalize_phone, parse_birth
from phongdich.policy.models import ContactSetting
from phongdich.tracing.models import Contact, ContactSource, Notice, PersonLevel, Proximity, TracingTask

if TYPE_CHECKING:
    from phongdich.core.models import User

SCHEMA = "phongdich.notice"
SCHEMA_VERSION = 1
NUMBER_SUFFIX = "TB-CDC"
MAX_PEOPLE = 5000
_NS = uuid.UUID("6c0f6f1e-3f1e-4d8e-9a55-7d0d7a1c2b11")


class NoticeError(Exception):
    """A refused notice (nothing written). ``status``: the HTTP status to answer."""

    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


# ---------------------------------------------------------------------------------------------
# Scoping
# ---------------------------------------------------------------------------------------------


def notices_in_scope(user: User) -> QuerySet[Notice]:
    """Notices of the user's area: a province sees what it sent and received; a lower unit
    the outgoing notices of its cases and the incoming ones listing its people."""
    qs = Notice.objects.select_related("from_province", "to_province", "case")
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    unit = user.unit
    if unit is None:
        return qs if user.is_superuser else qs.none()
    if unit.level == Level.PROVINCE:
        return qs.filter(Q(from_province=unit) | Q(to_province=unit))
    return qs.filter(
        Q(direction=Notice.Direction.OUTGOING, **{f"case__{unit.level}": unit})
        | Q(
            direction=Notice.Direction.INCOMING,
            pk__in=Notice.people.through.objects.filter(**{f"person__{unit.level}": unit}).values("notice_id"),
        )
    )


def get_notice(user: User, pk: Any) -> Notice:
    """One notice the user may see, or 404 (403 without ``notice_manage``)."""
    access.require(user, Perm.NOTICE_MANAGE)
    try:
        return notices_in_scope(user).distinct().get(pk=pk)
    except (Notice.DoesNotExist, ValidationError, ValueError, TypeError) as exc:
        raise Http404(_("Not found.")) from exc


def our_province() -> AdminUnit:
    province = deployment_province()
    if province is None:
        raise NoticeError(_("The province's units are not loaded."), 409)
    return province


def require_province_officer(user: User) -> AdminUnit:
    """Notices go from province to province: only users of the whole province handle them."""
    access.require(user, Perm.NOTICE_MANAGE)
    province = our_province()
    if user.unit is None and user.is_superuser:
        return province
    if user.unit is None or user.unit.pk != province.pk:
        raise NoticeError(_("Only officers of the whole province import notices."), 403)
    return province


# ---------------------------------------------------------------------------------------------
# Outgoing
# ---------------------------------------------------------------------------------------------


@dataclass
class Entry:
    person: Person
    level: int
    first_date: datetime.date | None
    last_date: datetime.date | None
    setting: str
    home: AdminUnit | None  # the province the person lives in
    address: str


def _home(person: Person, absent: dict[Any, Any]) -> tuple[AdminUnit | None, str]:
    record = absent.get(person.pk)
    if record is not None and record.temp_province is not None:
        parts = [
            record.temp_address,
            record.temp_commune.name if record.temp_commune else "",
            record.temp_province.name,
        ]
        return record.temp_province, ", ".join(p for p in parts if p)
    parts = [person.address]
    parts += [u.name for u in (person.village, person.commune, person.district, person.province) if u is not None]
    return person.province, ", ".join(p for p in parts if p)


def case_contacts(case: Case) -> list[Entry]:
    """Everyone the case's tracing reached: derived levels, then investigation tasks."""
    from phongdich.people.models import ResidenceRecord

    found: dict[Any, tuple[int, Contact | None]] = {}
    for lvl in PersonLevel.objects.filter(case=case).select_related("via_contact"):
        found[lvl.person_id] = (lvl.level, lvl.via_contact)
    for task in TracingTask.objects.filter(investigation__case=case):
        found.setdefault(task.person_id, (task.level, None))
    found.pop(case.person_id, None)
    if not found:
        return []
    direct: dict[Any, Contact] = {}
    for row in Contact.objects.filter(removed_at__isnull=True).filter(
        Q(person_a=case.person_id, person_b__in=list(found)) | Q(person_b=case.person_id, person_a__in=list(found))
    ):
        other = row.person_b_id if row.person_a_id == case.person_id else row.person_a_id
        if other not in direct or row.last_date > direct[other].last_date:
            direct[other] = row
    absent = {
        r.person_id: r
        for r in ResidenceRecord.objects.filter(
            person_id__in=list(found), ended_on__isnull=True, status=ResidenceStatus.TEMPORARILY_ABSENT
        ).select_related("temp_province", "temp_commune")
    }
    people = Person.objects.filter(pk__in=list(found), merged_into__isnull=True).select_related(
        "province", "district", "commune", "village"
    )
    entries = []
    for person in people:
        level, via = found[person.pk]
        contact: Contact | None = direct.get(person.pk) if level == 1 else via
        contact = contact or via or direct.get(person.pk)
        home, address = _home(person, absent)
        entries.append(
            Entry(
                person=person,
                level=level,
                first_date=contact.first_date if contact else None,
                last_date=contact.last_date if contact else None,
                setting=contact.setting if contact else ContactSetting.OTHER,
                home=home,
                address=address,
            )
        )
    entries.sort(key=lambda e: (e.level, e.person.name_key))
    return entries


def other_province_contacts(case: Case) -> dict[AdminUnit, list[Entry]]:
    """The case's contacts living in another province, by that province."""
    ours = our_province()
    groups: dict[AdminUnit, list[Entry]] = defaultdict(list)
    for entry in case_contacts(case):
        if entry.home is not None and entry.home.pk != ours.pk:
            groups[entry.home].append(entry)
    return dict(sorted(groups.items(), key=lambda kv: kv[0].code))


def place_name(province: AdminUnit) -> str:
    """ "Tỉnh Điện Biên" → "Điện Biên" (for "Điện Biên, ngày …")."""
    for prefix in ("Thành phố ", "Tỉnh "):
        if province.name.startswith(prefix):
            return province.name[len(prefix) :]
    return province.name


def _person_payload(entry: Entry) -> dict[str, Any]:
    p = entry.person
    return {
        "full_name": p.full_name,
        "birth_date": p.birth_date.isoformat() if p.birth_date else None,
        "birth_year": p.birth_year,
        "sex": p.sex,
        "id_number": p.id_number,
        "phone": p.phone,
        "address": entry.address,
        "province_code": entry.home.code if entry.home else None,
        "level": f"F{entry.level}",
        "first_contact_on": entry.first_date.isoformat() if entry.first_date else None,
        "last_contact_on": entry.last_date.isoformat() if entry.last_date else None,
        "setting": entry.setting,
    }


@transaction.atomic
def build_notice(
    actor: User,
    case: Case,
    to_province: AdminUnit,
    people: list[Person] | None = None,
    *,
    client_uuid: uuid.UUID | None = None,
) -> Notice:
    """A draft notice to ``to_province`` listing ``people`` (default: all of the case's
    contacts living there). Each must be a contact of the case living in that province."""
    access.require(actor, Perm.NOTICE_MANAGE)
    if client_uuid is not None:
        existing = Notice.objects.filter(client_uuid=client_uuid).first()
        if existing is not None:
            if existing.case_id != case.pk:
                raise NoticeError(_("This client UUID was already used."))
            return existing
    ours = our_province()
    if to_province.level != Level.PROVINCE or to_province.pk == ours.pk:
        raise NoticeError(_("Choose another province."))
    entries = other_province_contacts(case).get(to_province, [])
    by_id = {e.person.pk: e for e in entries}
    if people is not None:
        wrong = [p for p in people if p.pk not in by_id]
        if wrong:
            raise NoticeError(
                _("%(n)s of the chosen people are not contacts of this case living in %(province)s.")
                % {"n": len(wrong), "province": to_province.name}
            )
        chosen = [by_id[p.pk] for p in people]
    else:
        chosen = entries
    if not chosen:
        raise NoticeError(_("No contact of this case lives in %(province)s.") % {"province": to_province.name})
    from phongdich.cases.actions import next_number

    today = timezone.localdate()
    number = f"{next_number(f'notice-{ours.code}-{today.year}')}/{NUMBER_SUFFIX}"
    payload = {
        "schema": SCHEMA,
        "version": SCHEMA_VERSION,
        "number": number,
        "issued_on": today.isoformat(),
        "from": {"province_code": ours.code, "province_name": ours.name},
        "to": {"province_code": to_province.code, "province_name": to_province.name},
        "case": {
            "code": case.code,
            "national_code": case.national_code or None,
            "confirmed_on": case.confirmed_on.isoformat(),
            "onset_date": case.onset_date.isoformat() if case.onset_date else None,
        },
        "people": [_person_payload(e) for e in chosen],
    }
    notice = Notice.objects.create(
        client_uuid=client_uuid,
        number=number,
        direction=Notice.Direction.OUTGOING,
        status=Notice.Status.DRAFT,
        from_province=ours,
        to_province=to_province,
        case=case,
        payload=payload,
        created_by=actor,
    )
    notice.people.set([e.person for e in chosen])
    record_change(
        actor,
        "notice.create",
        notice,
        None,
        {"number": number, "to_province": to_province.code, "case": str(case.pk), "people": len(chosen)},
    )
    return notice


@transaction.atomic
def mark_sent(actor: User, notice: Notice) -> Notice:
    access.require(actor, Perm.NOTICE_MANAGE)
    if notice.direction != Notice.Direction.OUTGOING:
        raise NoticeError(_("Only a notice of ours can be sent."), 409)
    if notice.status == Notice.Status.SENT:
        return notice
    before = {"status": notice.status, "sent_at": None}
    notice.status = Notice.Status.SENT
    notice.sent_at = timezone.now()
    notice.save(update_fields=["status", "sent_at"])
    record_change(
        actor, "notice.sent", notice, before, {"status": notice.status, "sent_at": notice.sent_at.isoformat()}
    )
    return notice


# ---------------------------------------------------------------------------------------------
# Incoming: validation
# ---------------------------------------------------------------------------------------------

COLUMN_LABELS = {
    "full_name": "Họ và tên",
    "birth": "Năm sinh",
    "sex": "Giới tính",
    "id_number": "Số CCCD",
    "phone": "Điện thoại",
    "address": "Địa chỉ",
    "province_code": "Mã tỉnh",
    "level": "Mức độ tiếp xúc",
    "first_contact_on": "Ngày tiếp xúc đầu",
    "last_contact_on": "Ngày tiếp xúc cuối",
}

ROW_MESSAGES: dict[str, Promise] = {
    "id_digits": gettext_lazy("The ID number must contain digits only."),
    "id_length": gettext_lazy("The ID number must have 12 digits (CCCD) or 9 digits (CMND)."),
    "id_province": gettext_lazy("The first 3 digits of a CCCD must be a province code (001-096)."),
    "id_invalid": gettext_lazy("The ID number is not valid."),
    "phone_invalid": gettext_lazy("Not a valid phone number."),
    "name_required": gettext_lazy("The full name is required."),
    "name_long": gettext_lazy("The full name is too long (at most 120 characters)."),
    "name_digits": gettext_lazy("A name cannot contain digits."),
    "birth_year": gettext_lazy("The year of birth is not plausible."),
    "birth_format": gettext_lazy("Not a valid date (use dd/mm/yyyy)."),
    "birth_future": gettext_lazy("The date of birth is in the future."),
    "birth_old": gettext_lazy("The date of birth is not plausible."),
    "sex_invalid": gettext_lazy("Write Nam or Nữ."),
    "level_invalid": gettext_lazy("Write F1 or F2."),
    "date_required": gettext_lazy("The date of the last contact is required."),
    "date_format": gettext_lazy("Not a valid date (use dd/mm/yyyy)."),
    "date_future": gettext_lazy("The date is in the future."),
    "date_order": gettext_lazy("The first contact is after the last contact."),
    "other_province": gettext_lazy("This person does not live in our province."),
    "identity_required": gettext_lazy("Give at least the year of birth, the ID number or the phone."),
    "duplicate": gettext_lazy("The same person as row %(row)s."),
    "invalid": gettext_lazy("Invalid value."),
}


def row_message(code: str, params: dict[str, Any] | None = None) -> str:
    text = str(ROW_MESSAGES.get(code, ROW_MESSAGES["invalid"]))
    if params:
        try:
            return text % params
        except (KeyError, TypeError, ValueError):
            return text
    return text


def report_errors(notice: Notice) -> list[dict[str, Any]]:
    """The bad rows of the notice's last import, with messages in the active language."""
    errors = ((notice.payload or {}).get("import") or {}).get("errors") or []
    return [
        {
            "row": e.get("row"),
            "column": e.get("column", ""),
            "field": e.get("field", ""),
            "code": e.get("code", ""),
            "message": row_message(e.get("code", ""), e.get("params")),
        }
        for e in errors
    ]


@dataclass
class Row:
    number: int
    data: PersonData
    level: int
    first_date: datetime.date
    last_date: datetime.date
    setting: str
    key: str


@dataclass
class Header:
    number: str
    from_province: AdminUnit
    case_code: str
    case_national_code: str
    case_confirmed_on: datetime.date | None
    case_name: str


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime | datetime.date):
        return value.strftime("%d/%m/%Y")
    return str(value).strip()


def _date(value: Any) -> datetime.date | None:
    """A calendar date from ISO, dd/mm/yyyy or a spreadsheet date; None when empty; ValueError when bad."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = _text(value)
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return datetime.datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a calendar date
        except ValueError:
            continue
    raise ValueError(text)


_SEX = {"m": Sex.MALE, "nam": Sex.MALE, "male": Sex.MALE, "f": Sex.FEMALE, "nu": Sex.FEMALE, "female": Sex.FEMALE}
_SEX_UNKNOWN = {"", "u", "khong ro", "unknown"}


def province_by_code(code: Any) -> AdminUnit | None:
    text = _text(code)
    if not text:
        return None
    ours = our_province()
    return AdminUnit.objects.filter(version=ours.version, level=Level.PROVINCE, code=text.zfill(2)).first()


def validate_header(payload: dict[str, Any]) -> Header:
    """The notice's own fields, or NoticeError (nothing written)."""
    if not isinstance(payload, dict):
        raise NoticeError(_("The notice is not a JSON object."))
    version = payload.get("version", SCHEMA_VERSION)
    if version != SCHEMA_VERSION:
        raise NoticeError(_("Unsupported notice version %(v)s (this system reads version 1).") % {"v": version})
    source: dict[str, Any] = payload["from"] if isinstance(payload.get("from"), dict) else {}
    target: dict[str, Any] = payload["to"] if isinstance(payload.get("to"), dict) else {}
    case: dict[str, Any] = payload["case"] if isinstance(payload.get("case"), dict) else {}
    number = _text(payload.get("number"))[:40]
    if not number:
        raise NoticeError(_("The notice number is missing."))
    from_province = province_by_code(source.get("province_code"))
    if from_province is None:
        raise NoticeError(_("The sending province is missing or unknown (give its code, e.g. 12)."))
    ours = our_province()
    if from_province.pk == ours.pk:
        raise NoticeError(_("This notice was sent by our own province."))
    to_code = _text(target.get("province_code"))
    if to_code and to_code.zfill(2) != ours.code:
        raise NoticeError(_("This notice is addressed to another province."))
    case_code = _text(case.get("code"))[:32]
    if not case_code:
        raise NoticeError(_("The code of the case (F0) is missing."))
    try:
        confirmed = _date(case.get("confirmed_on"))
    except ValueError as exc:
        raise NoticeError(_("The confirmation date of the case is not a valid date.")) from exc
    people = payload.get("people")
    if not isinstance(people, list) or not people:
        raise NoticeError(_("The notice lists nobody."))
    if len(people) > MAX_PEOPLE:
        raise NoticeError(_("The notice lists too many people (at most %(n)s).") % {"n": MAX_PEOPLE})
    return Header(
        number=number,
        from_province=from_province,
        case_code=case_code,
        case_national_code=_text(case.get("national_code"))[:32],
        case_confirmed_on=confirmed,
        case_name=_text(case.get("full_name"))[:120],
    )


@dataclass
class RowError:
    row: int
    field: str
    code: str
    column: str = ""
    params: dict[str, Any] | None = None

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "row": self.row,
            "column": self.column or COLUMN_LABELS.get(self.field, self.field),
            "field": self.field,
            "code": self.code,
        }
        if self.params:
            out["params"] = self.params
        return out


def validate_rows(
    people: list[Any], row_numbers: list[int] | None = None, columns: dict[str, str] | None = None
) -> tuple[list[Row], list[RowError]]:
    ours = our_province()
    today = timezone.localdate()
    rows: list[Row] = []
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    columns = columns or {}
    for index, item in enumerate(people):
        number = row_numbers[index] if row_numbers else index + 1
        bad: list[RowError] = []

        def fail(
            name: str,
            code: str,
            params: dict[str, Any] | None = None,
            number: int = number,
            bad: list[RowError] = bad,
        ) -> None:
            bad.append(RowError(number, name, code, columns.get(name, ""), params))

        if not isinstance(item, dict):
            fail("full_name", "invalid")
            errors += bad
            continue
        name = ""
        try:
            name = normalize_name(_text(item.get("full_name")))
        except ValidationError as exc:
            fail("full_name", exc.code or "invalid")
        birth_date, birth_year = None, None
        try:
            raw_birth = item.get("birth_date") or item.get("birth_year") or item.get("birth")
            birth_date, birth_year = parse_birth(_text(raw_birth) if isinstance(raw_birth, int | float) else raw_birth)
        except ValidationError as exc:
            fail("birth", exc.code or "invalid")
        id_number = None
        try:
            id_number = normalize_id_number(_text(item.get("id_number")) or None)
        except ValidationError as exc:
            fail("id_number", exc.code or "invalid")
        phone = ""
        try:
            phone = normalize_phone(_text(item.get("phone")))
        except ValidationError as exc:
            fail("phone", exc.code or "invalid")
        sex_text = fold(_text(item.get("sex")))
        sex = _SEX.get(sex_text, Sex.UNKNOWN)
        if sex_text not in _SEX and sex_text not in _SEX_UNKNOWN:
            fail("sex", "sex_invalid")
        level_text = _text(item.get("level") or "F1").upper().replace(" ", "")
        level = {"F1": 1, "1": 1, "F2": 2, "2": 2}.get(level_text, 0)
        if not level:
            fail("level", "level_invalid")
        province_code = _text(item.get("province_code"))
        if province_code and province_code.zfill(2) != ours.code:
            fail("province_code", "other_province")
        last = first = None
        try:
            last = _date(item.get("last_contact_on"))
            if last is None:
                fail("last_contact_on", "date_required")
            elif last > today:
                fail("last_contact_on", "date_future")
        except ValueError:
            fail("last_contact_on", "date_format")
        try:
            first = _date(item.get("first_contact_on"))
            if first is not None and first > today:
                fail("first_contact_on", "date_future")
            elif first is not None and last is not None and first > last:
                fail("first_contact_on", "date_order")
        except ValueError:
            fail("first_contact_on", "date_format")
        if name and not (birth_year or id_number or phone):
            fail("birth", "identity_required")
        if bad:
            errors += bad
            continue
        assert last is not None
        key = id_number or f"{fold(name)}|{birth_date or birth_year or ''}|{phone}"
        if key in seen:
            errors.append(RowError(number, "full_name", "duplicate", columns.get("full_name", ""), {"row": seen[key]}))
            continue
        seen[key] = number
        setting = _text(item.get("setting"))
        rows.append(
            Row(
                number=number,
                data=PersonData(
                    full_name=name,
                    id_number=id_number,
                    birth_date=birth_date,
                    birth_year=birth_year,
                    sex=sex,
                    phone=phone,
                    address=_text(item.get("address"))[:255],
                    unit=resolve_unit(item),
                ),
                level=level,
                first_date=first or last,
                last_date=last,
                setting=setting if setting in ContactSetting.values else ContactSetting.OTHER,
                key=key,
            )
        )
    return rows, errors


def resolve_unit(item: dict[str, Any]) -> AdminUnit:
    """The commune (or village) of a listed person in our province, else the province itself
    (the province's officers then place the person)."""
    ours = our_province()
    communes = AdminUnit.objects.filter(version=ours.version, level=Level.COMMUNE, province=ours)
    code = _text(item.get("commune_code"))
    if code:
        found = communes.filter(code=code.zfill(5)).first()
        if found is not None:
            return found
    address = fold(_text(item.get("address")))
    if address:
        hits = []
        for unit in communes.select_related("district"):
            bare = unit.name_key
            for prefix in ("phuong ", "xa ", "thi tran "):
                if bare.startswith(prefix):
                    bare = bare[len(prefix) :]
            if unit.name_key in address or (len(bare) > 3 and f" {bare}" in f" {address}"):
                hits.append(unit)
        if len(hits) > 1:
            hits = [u for u in hits if u.district and _district_bare(u.district) in address] or hits
        if len(hits) == 1:
            return hits[0]
    return ours


def _district_bare(district: AdminUnit) -> str:
    key = district.name_key
    for prefix in ("thanh pho ", "thi xa ", "huyen "):
        if key.startswith(prefix):
            return key[len(prefix) :]
    return key


# ---------------------------------------------------------------------------------------------
# Incoming: writing
# ---------------------------------------------------------------------------------------------


@dataclass
class ImportOutcome:
    notice: Notice
    repeated: bool
    rows: int
    created: int = 0
    matched: int = 0
    contacts_added: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)


def _import_row(
    actor: User,
    notice: Notice,
    row: Row,
    f0: Person | None,
    ident: str,
    note: str,
    levels: dict[str, int],
    linked: set[Any],
    outcome: ImportOutcome,
) -> None:
    from phongdich.tracing.contacts import add_contact

    intake = intake_person(actor, row.data, client_uuid=_uuid("notice-person", ident, row.key), source=Source.IMPORT)
    person = intake.person
    levels[str(person.pk)] = min(row.level, levels.get(str(person.pk), row.level))
    if person.pk not in linked:
        outcome.created += int(intake.created)
        outcome.matched += int(not intake.created)
        notice.people.add(person)
        linked.add(person.pk)
    if row.level == 1 and f0 is not None and person.pk != f0.pk:
        _contact, added = add_contact(
            actor,
            person,
            f0,
            first_date=row.first_date,
            last_date=row.last_date,
            setting=row.setting,
            proximity=Proximity.UNKNOWN,
            source=ContactSource.NOTICE,
            note=note,
            client_uuid=_uuid("notice-contact", ident, str(person.pk)),
        )
        outcome.contacts_added += int(added)


def _uuid(*parts: str) -> uuid.UUID:
    return uuid.uuid5(_NS, "|".join(parts))


@transaction.atomic
def import_notice(
    actor: User,
    payload: dict[str, Any],
    *,
    row_numbers: list[int] | None = None,
    columns: dict[str, str] | None = None,
    filename: str = "",
) -> ImportOutcome:
    """Import a notice received from another province (see the module docstring)."""
    ours = require_province_officer(actor)
    header = validate_header(payload)
    rows, row_errors = validate_rows(payload["people"], row_numbers, columns)
    AdminUnit.objects.select_for_update().filter(pk=header.from_province.pk).first()  # one import at a time
    notice = Notice.objects.filter(
        direction=Notice.Direction.INCOMING, from_province=header.from_province, number=header.number
    ).first()
    repeated = notice is not None
    ident = f"{header.from_province.code}|{header.number}"
    if notice is None:
        stored = {k: v for k, v in payload.items() if k != "import"}
        notice = Notice.objects.create(
            number=header.number,
            direction=Notice.Direction.INCOMING,
            status=Notice.Status.RECEIVED,
            from_province=header.from_province,
            to_province=ours,
            payload=stored,
            created_by=actor,
        )
    f0 = None
    if any(r.level == 1 for r in rows):
        f0_name = header.case_name or f"F0 {header.case_code} ({header.from_province.name})"
        f0 = intake_person(
            actor,
            PersonData(full_name=f0_name),
            client_uuid=_uuid("notice-f0", header.from_province.code, fold(header.case_code)),
            source=Source.IMPORT,
            fill_missing=False,
        ).person
    linked = set(notice.people.values_list("pk", flat=True))
    outcome = ImportOutcome(notice=notice, repeated=repeated, rows=len(rows) + len({e.row for e in row_errors}))
    levels: dict[str, int] = {}
    note = f"Thông báo {header.number} của {header.from_province.name} (F0 {header.case_code})"[:255]
    for row in rows:
        try:
            with transaction.atomic():
                _import_row(actor, notice, row, f0, ident, note, levels, linked, outcome)
        except ValidationError:
            row_errors.append(RowError(row.number, "full_name", "invalid", (columns or {}).get("full_name", "")))
    outcome.errors = [e.as_json() for e in row_errors]
    previous = (notice.payload or {}).get("import") or {}
    notice.payload = {
        **{k: v for k, v in (notice.payload or {}).items() if k != "import"},
        "import": {
            "errors": outcome.errors,
            "imported_at": timezone.now().isoformat(),
            "filename": filename[:255],
            "f0_person": str(f0.pk) if f0 is not None else previous.get("f0_person"),
            "levels": {**previous.get("levels", {}), **levels},
        },
    }
    if linked and notice.status == Notice.Status.RECEIVED:
        notice.status = Notice.Status.IMPORTED
    notice.save(update_fields=["payload", "status"])
    if not repeated or outcome.created or outcome.contacts_added:
        record_change(
            actor,
            "notice.import",
            notice,
            None,
            {
                "number": header.number,
                "from_province": header.from_province.code,
                "created": outcome.created,
                "matched": outcome.matched,
                "contacts": outcome.contacts_added,
                "rejected_rows": len({e.row for e in row_errors}),
            },
        )
    return outcome


@dataclass
class IncomingPerson:
    person: Person
    level: int | None
    contact: Contact | None


def incoming_people(notice: Notice) -> list[IncomingPerson]:
    levels = ((notice.payload or {}).get("import") or {}).get("levels") or {}
    f0_id = ((notice.payload or {}).get("import") or {}).get("f0_person")
    contacts: dict[Any, Contact] = {}
    if f0_id:
        for c in Contact.objects.filter(source=ContactSource.NOTICE, removed_at__isnull=True).filter(
            Q(person_a_id=f0_id) | Q(person_b_id=f0_id)
        ):
            contacts[c.person_b_id if str(c.person_a_id) == str(f0_id) else c.person_a_id] = c
    return [
        IncomingPerson(p, levels.get(str(p.pk)), contacts.get(p.pk))
        for p in notice.people.select_related("commune", "district", "village").order_by("name_key")
    ]
