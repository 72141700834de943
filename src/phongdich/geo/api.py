"""Administrative units API, mounted at /api/v1/units.

Reads are scoped: a unit outside the caller's area answers 404. Imports need the
``unit_edit`` permission and answer 200 with a row report (rows with errors are listed and
nothing is written for them), 400 when the file itself cannot be used (not a spreadsheet,
empty, missing columns), 413 when it is larger than settings.MAX_UPLOAD_BYTES.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, File, Query, Router, Schema
from ninja.errors import HttpError
from ninja.files import UploadedFile

from phongdich.core.access import current_user, require
from phongdich.core.roles import Perm
from phongdich.geo import actions, queries
from phongdich.geo.models import AdminUnit, Hierarchy, Level
from phongdich.geo.spreadsheets import population_template, villages_template
from phongdich.geo.tabular import FileProblem

if TYPE_CHECKING:
    pass

router = Router(tags=["units"])

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ErrorOut(Schema):
    detail: str


class UnitRef(Schema):
    version: str = Field(description="Hierarchy: `pre2025` or `2025`.")
    level: str = Field(description="province, district, commune or village.")
    code: str = Field(description="Official code, zero-padded; villages: `<commune code>-NNN`.")
    name: str


class UnitOut(UnitRef):
    division_type: str = Field(description="As in vietnam-provinces: tỉnh, huyện, xã, phường, thị trấn, thôn…")
    parent_code: str | None
    population: int | None = Field(description="The unit's own figure, when one was imported or set.")
    population_total: int | None = Field(description="Own figure, else the sum of the units below.")


class UnitDetailOut(UnitOut):
    lineage: list[UnitRef] = Field(description="Ancestors from the province down (the unit excluded).")
    children_count: int
    persons_registered: int = Field(description="Persons registered in this unit (merged duplicates excluded).")
    foreign_borders: list[str] = Field(description="For provinces: ISO codes of the countries bordered.")


class UnitPageOut(Schema):
    count: int
    page: int
    page_size: int
    items: list[UnitOut]


class CrosswalkItemOut(Schema):
    unit: UnitRef
    partly: bool = Field(description="True when only part of the old commune went into the new one.")


class CrosswalkOut(Schema):
    unit: UnitRef
    direction: Literal["to_2025", "from_pre2025"]
    units: list[CrosswalkItemOut]


class CountryOut(Schema):
    code: str
    name: str


class NeighboursOut(Schema):
    province: UnitRef
    provinces: list[UnitRef]
    countries: list[CountryOut]


class RowErrorOut(Schema):
    row: int = Field(description="Row number in the file (the header is row 1).")
    column: str
    message: str


class ImportReportOut(Schema):
    filename: str
    rows: int
    accepted: int
    rejected: int
    created: int
    updated: int
    unchanged: int
    skipped: int
    errors: list[RowErrorOut]


class UnitFilters(Schema):
    version: Hierarchy | None = Field(None, description="Default: the deployment's hierarchy.")
    level: Level | None = None
    parent: str | None = Field(None, max_length=16, description="Code of the parent unit.")
    q: str | None = Field(None, max_length=100, description="Name (diacritics optional) or code prefix.")
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(50, ge=1, le=500)


def _ref(unit: AdminUnit) -> UnitRef:
    return UnitRef(version=unit.version, level=unit.level, code=unit.code, name=unit.name)


def _out(unit: AdminUnit) -> UnitOut:
    return UnitOut(
        version=unit.version,
        level=unit.level,
        code=unit.code,
        name=unit.name,
        division_type=unit.division_type,
        parent_code=unit.parent.code if unit.parent_id and unit.parent else None,
        population=unit.population,
        population_total=unit.population_total,
    )


def _page(qs: object, page: int, page_size: int) -> UnitPageOut:
    from django.db.models import QuerySet

    assert isinstance(qs, QuerySet)
    count = qs.count()
    start = (page - 1) * page_size
    items = [_out(u) for u in qs.select_related("parent")[start : start + page_size]]
    return UnitPageOut(count=count, page=page, page_size=page_size, items=items)


def _report(report: actions.ImportReport) -> ImportReportOut:
    return ImportReportOut(
        filename=report.filename,
        rows=report.rows,
        accepted=report.accepted,
        rejected=report.rejected,
        created=report.created,
        updated=report.updated,
        unchanged=report.unchanged,
        skipped=report.skipped,
        errors=[RowErrorOut(row=e.row, column=e.column, message=e.message) for e in report.errors],
    )


def _read_upload(file: UploadedFile) -> bytes:
    limit = settings.MAX_UPLOAD_BYTES
    if file.size is not None and file.size > limit:
        raise HttpError(413, _("The file is too large: at most %(mb)s MB.") % {"mb": limit // (1024 * 1024) or 1})
    data = file.read(limit + 1)
    if len(data) > limit:
        raise HttpError(413, _("The file is too large: at most %(mb)s MB.") % {"mb": limit // (1024 * 1024) or 1})
    return data


ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 413: ErrorOut}


@router.post(
    "/import/villages",
    response={200: ImportReportOut, **ERRORS},
    summary="Import villages / residential groups (CSV or Excel)",
    description=(
        "Columns (first row): `Mã xã` (commune code), `Tên thôn/bản/tổ dân phố`, optional `Loại` "
        "(thôn, bản, tổ dân phố…), `Mã` (village code; `<commune code>-NNN` is assigned when empty) "
        "and `Dân số`. Communes must be inside the caller's area. Answers 200 with a row report: "
        "rows listed in `errors` were not written, the others were. Importing the same file again "
        "changes nothing. 400 when the file cannot be read or lacks a column; 413 when too large."
    ),
)
def import_villages(request: HttpRequest, file: File[UploadedFile]) -> tuple[int, ImportReportOut | ErrorOut]:
    user = current_user(request)
    require(user, Perm.UNIT_EDIT)
    data = _read_upload(file)
    try:
        report = actions.import_villages(user, None, file.name or "upload", data)
    except FileProblem as problem:
        return 400, ErrorOut(detail=problem.message)
    return 200, _report(report)


@router.post(
    "/import/population",
    response={200: ImportReportOut, **ERRORS},
    summary="Import population figures per unit (CSV or Excel)",
    description=(
        "Columns: `Mã đơn vị` (unit code, any level), `Dân số`, optional `Cấp` (tỉnh, huyện, xã, thôn: "
        "needed only when leading zeros were lost and the code fits several levels) and `Tên đơn vị` "
        "(ignored). Rows with an empty `Dân số` are skipped. The figure is the unit's own; totals are "
        "then summed upward. Same report and status codes as the villages import."
    ),
)
def import_population(request: HttpRequest, file: File[UploadedFile]) -> tuple[int, ImportReportOut | ErrorOut]:
    user = current_user(request)
    require(user, Perm.UNIT_EDIT)
    data = _read_upload(file)
    try:
        report = actions.import_population(user, None, file.name or "upload", data)
    except FileProblem as problem:
        return 400, ErrorOut(detail=problem.message)
    return 200, _report(report)


@router.get(
    "/import/{kind}/template",
    response={200: None, 403: ErrorOut, 404: ErrorOut},
    summary="Download an import template (.xlsx with Vietnamese headers)",
    openapi_extra={"responses": {200: {"content": {XLSX: {"schema": {"type": "string", "format": "binary"}}}}}},
)
def import_template(request: HttpRequest, kind: Literal["villages", "population"]) -> HttpResponse:
    user = current_user(request)
    require(user, Perm.UNIT_EDIT)
    unit = queries.home_unit(user)
    content = villages_template(unit) if kind == "villages" else population_template(unit)
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = (
        f'attachment; filename="mau-{"thon-ban" if kind == "villages" else "dan-so"}.xlsx"'
    )
    return response


@router.get("", response=UnitPageOut, summary="List units (scoped to the caller's area)")
def list_units(request: HttpRequest, filters: Query[UnitFilters]) -> UnitPageOut:
    user = current_user(request)
    version = filters.version or queries.deployment_version()
    if filters.q:
        qs = queries.search(user, filters.q, version)
    else:
        qs = queries.units_for(user, version).order_by("level", "code")
    if filters.level:
        qs = qs.filter(level=filters.level)
    if filters.parent:
        qs = qs.filter(parent__code=filters.parent, parent__version=version)
    return _page(qs, filters.page, filters.page_size)


@router.get("/{version}/{code}", response={200: UnitDetailOut, 404: ErrorOut}, summary="One unit, with its lineage")
def unit_detail(request: HttpRequest, version: str, code: str) -> UnitDetailOut:
    unit = queries.get_unit_for_user(current_user(request), version, code)
    base = _out(unit)
    return UnitDetailOut(
        **base.dict(),
        lineage=[_ref(u) for u in unit.lineage()[:-1]],
        children_count=unit.children.count(),
        persons_registered=queries.persons_in(unit),
        foreign_borders=[c.value for c in unit.countries],
    )


@router.get(
    "/{version}/{code}/children", response={200: UnitPageOut, 404: ErrorOut}, summary="The units directly below one"
)
def unit_children(
    request: HttpRequest,
    version: str,
    code: str,
    page: int = 1,
    page_size: int = 100,
) -> UnitPageOut:
    if page < 1 or not 1 <= page_size <= 500:
        raise HttpError(400, _("page must be at least 1 and page_size between 1 and 500."))
    unit = queries.get_unit_for_user(current_user(request), version, code)
    return _page(queries.children(unit), page, page_size)


@router.get(
    "/{version}/{code}/crosswalk",
    response={200: CrosswalkOut, 404: ErrorOut},
    summary="Old (pre-2025) commune → new (2025) communes, or new → old",
    description="For a pre-2025 commune: the 2025 communes it became part of; for a 2025 commune: the pre-2025 "
    "communes it was formed from. Empty for other levels. From the vietnam-provinces conversion table.",
)
def unit_crosswalk(request: HttpRequest, version: str, code: str) -> CrosswalkOut:
    unit = queries.get_unit_for_user(current_user(request), version, code)
    rows = queries.crosswalk(unit)
    old_side = unit.version == Hierarchy.PRE2025
    return CrosswalkOut(
        unit=_ref(unit),
        direction="to_2025" if old_side else "from_pre2025",
        units=[CrosswalkItemOut(unit=_ref(r.new if old_side else r.old), partly=r.partly) for r in rows],
    )


@router.get(
    "/{version}/{code}/neighbours",
    response={200: NeighboursOut, 404: ErrorOut},
    summary="Neighbouring provinces and foreign countries of a unit's province",
)
def unit_neighbours(request: HttpRequest, version: str, code: str) -> NeighboursOut:
    unit = queries.get_unit_for_user(current_user(request), version, code)
    province, others = queries.neighbours(unit)
    if province is None:
        raise HttpError(404, _("Not found."))
    return NeighboursOut(
        province=_ref(province),
        provinces=[_ref(p) for p in others],
        countries=[CountryOut(code=c.value, name=str(c.label)) for c in province.countries],
    )
