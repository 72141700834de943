"""The laboratory results file: per-row report, nothing written for bad rows, idempotent, bulk = one by one."""

from __future__ import annotations

import contextlib
import io
from decimal import Decimal
from typing import Any

import pytest
from django.utils import translation

from phongdich.core.models import AuditLog
from phongdich.policy.models import TestKind as Kind
from phongdich.testing.actions import TestingError
from phongdich.testing.imports import FileProblem, import_results, report_rows
from phongdich.testing.models import CaseProposal, Outcome, Pool, ResultImport, Sample, TubeStatus
from phongdich.testing.results import ResultRow, apply_rows, enter_result
from tests.testing.conftest import RESULTED, pool_of, take

HEADER = "Mã ống mẫu,Kết quả,Giá trị Ct,Thời gian trả kết quả\n"


def csv(*lines: str) -> bytes:
    return (HEADER + "\n".join(lines) + "\n").encode("utf-8")


@pytest.fixture
def setup(make_person, tree):
    people = [make_person() for _ in range(8)]
    for i, p in enumerate(people[:4]):
        take(p, f"S-{i:04d}")
    take(people[4], "S-AG01", test_kind=Kind.ANTIGEN)
    pool_of(people[5:8], "P-0001", tree.noong_bua)
    return people


def test_good_and_bad_rows(setup, lab):
    data = csv(
        "S-0000,Âm tính,,09/08/2021 20:00",
        "S-0001,Dương tính,24.5,09/08/2021 20:00",
        "S-0002,maybe,,",  # bad result word
        "S-0003,Dương tính,99,",  # Ct out of range
        "S-AG01,Dương tính,20,",  # Ct on an antigen test
        "X,Âm tính,,",  # bad barcode
        "S-9999,Âm tính,,",  # unknown barcode
        "S-0000,Âm tính,,",  # duplicate row
        "P-0001,Dương tính,30,09/08/2021 20:00",
        "S-0003,Âm tính,abc,",  # Ct not a number
        "S-0003,Âm tính,,32/13/2021",  # not a date
    )
    record = import_results(None, lab, "ket-qua.csv", data)
    assert (record.rows_total, record.rows_written, record.rows_rejected) == (11, 3, 8)
    assert record.proposals == 1 and record.queued == 3 and record.positives == 2
    with translation.override("vi"):
        report = report_rows(record)
    by_row = {r["row"]: (r["column"], r["code"]) for r in report}
    assert by_row == {
        4: ("Kết quả", "outcome_invalid"),
        5: ("Giá trị Ct", "ct_range"),
        6: ("Giá trị Ct", "ct_antigen"),
        7: ("Mã ống mẫu", "barcode_invalid"),
        8: ("Mã ống mẫu", "barcode_unknown"),
        9: ("Mã ống mẫu", "duplicate_row"),
        11: ("Giá trị Ct", "ct_invalid"),
        12: ("Thời gian trả kết quả", "when_invalid"),
    }
    messages = {r["code"]: r["message"] for r in report}
    assert messages["duplicate_row"] == "Trùng mã ống với dòng 2."
    with translation.override("en"):
        assert report_rows(record)[0]["message"] == "Write Dương tính, Âm tính or Không xác định."
    # Nothing written for the bad rows.
    assert Sample.objects.get(barcode="S-0002").status == TubeStatus.TAKEN
    assert Sample.objects.get(barcode="S-0003").status == TubeStatus.TAKEN
    assert Sample.objects.get(barcode="S-0001").ct == Decimal("24.5")


def test_same_file_twice_changes_nothing(setup, lab):
    from tests.testing.conftest import state

    data = csv("S-0000,Âm tính,,", "S-0001,Dương tính,24.5,", "P-0001,Dương tính,30,", "S-0002,Không xác định,,")
    first = import_results(None, lab, "a.csv", data)
    assert first.rows_written == 4
    before = state()
    audit_before = AuditLog.objects.count()
    second = import_results(None, lab, "a.csv", data)
    assert (second.rows_written, second.rows_unchanged, second.rows_rejected) == (0, 4, 0)
    after = state()
    assert before[:4] == after[:4]
    assert AuditLog.objects.count() == audit_before + 1  # only the import's own row


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("empty.csv", b"", "The file is empty."),
        ("headers.csv", b"Ma,Gi do\nS-0000,Am tinh\n", "Missing columns"),
        ("only-header.csv", HEADER.encode(), "no rows"),
        ("photo.png", b"\x89PNG\r\n\x1a\n\x00\x00binary", "not a spreadsheet"),
        ("bad.xlsx", b"PK\x03\x04not really a zip", "not a readable Excel"),
    ],
)
def test_unusable_files_write_nothing(setup, lab, name, data, message):
    before = Sample.objects.filter(status=TubeStatus.RESULTED).count()
    with translation.override("en"), pytest.raises(FileProblem) as exc:
        import_results(None, lab, name, data)
    assert message in exc.value.message
    assert Sample.objects.filter(status=TubeStatus.RESULTED).count() == before
    assert not ResultImport.objects.exists()


def test_excel_file(setup, lab):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["STT", "Mã ống mẫu", "Kết quả", "Giá trị Ct"])
    ws.append([1, "S-0000", "Âm tính", None])
    ws.append([2, "S-0001", "Dương tính", 21.3])
    buf = io.BytesIO()
    wb.save(buf)
    record = import_results(None, lab, "kq.xlsx", buf.getvalue())
    assert record.rows_written == 2 and record.rows_rejected == 0
    assert Sample.objects.get(barcode="S-0001").ct == Decimal("21.3")


def _snapshot() -> list[Any]:
    samples = [
        (s.person_id, s.barcode or "", s.pool_id or "", s.queued_from_id or "", s.status, s.outcome, s.ct,
         s.resulted_at, s.lab_id, s.received_at, s.result_source, s.commune_id, s.campaign_id, s.test_kind)
        for s in Sample.objects.all()
    ]  # fmt: skip
    pools = [(p.barcode, p.status, p.outcome, p.ct, p.lab_id, p.resulted_at) for p in Pool.objects.all()]
    proposals = [
        (p.person_id, p.sample.barcode, p.status, p.detected_by, p.confirmation_advised, p.rule_set_id, p.commune_id)
        for p in CaseProposal.objects.select_related("sample")
    ]
    actions = list(AuditLog.objects.values_list("action", "object_type").exclude(action="results.import"))
    return [sorted(samples, key=str), sorted(pools, key=str), sorted(proposals, key=str), sorted(actions)]


def _world(make_person, tree):
    people = [make_person(f"Người Số {i}") for i in range(12)]
    for i, p in enumerate(people[:6]):
        take(p, f"S-{i:04d}")
    pool_of(people[6:9], "P-0001", tree.noong_bua)
    pool_of(people[9:12], "P-0002", tree.noong_bua)
    return [
        ResultRow("S-0000", Outcome.NEGATIVE, None, RESULTED, 2),
        ResultRow("S-0001", Outcome.POSITIVE, Decimal("24.5"), RESULTED, 3),
        ResultRow("S-0002", Outcome.INVALID, None, RESULTED, 4),
        ResultRow("S-0003", Outcome.POSITIVE, None, RESULTED, 5),
        ResultRow("P-0001", Outcome.POSITIVE, Decimal("31"), RESULTED, 6),
        ResultRow("P-0002", Outcome.NEGATIVE, None, RESULTED, 7),
        ResultRow("S-0004", Outcome.NEGATIVE, Decimal("99"), RESULTED, 8),  # refused
    ]


@pytest.mark.django_db(transaction=False)
def test_bulk_equals_one_by_one(make_person, tree, lab, django_db_blocker):
    from django.db import transaction

    rows = _world(make_person, tree)
    sid = transaction.savepoint_create()
    for r in rows:
        with contextlib.suppress(TestingError):  # the refused row
            enter_result(None, lab, r.barcode, r.outcome, r.ct, r.resulted_at)
    one_by_one = _snapshot()
    transaction.savepoint_rollback(sid)
    applied = apply_rows(None, lab, rows, "entry")
    assert applied.written == 6 and len(applied.problems) == 1
    bulk = _snapshot()
    assert bulk == one_by_one
    assert len(bulk[2]) == 2  # two proposals
