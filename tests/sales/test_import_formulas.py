"""The files an import hands back (the rejected rows, the error report) escape formula
cells exactly as every export does (opsdesk/platform/formulas.py): a cell a spreadsheet would run
gets a leading quote; plain numbers, negative ones included, stay as they are."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from inventory.models import Product
from opsdesk.platform.imports import RowError, error_report_csv
from sales.models import ImportBatch
from sales.services import import_batch_create, import_batch_start

HEADER = (
    "store,receipt_number,sold_at,line_number,sku,quantity,unit_price,discount,"
    "net_amount,is_return,cashier,=extra\n"
)
DANGER = [
    '=HYPERLINK("http://evil.example","x")',
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)",
    "\tTAB",
]


def _cells(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


@pytest.fixture
def rejected(demo, tmp_path):
    a = Product.objects.order_by("pk").values_list("sku", flat=True)[0]
    day = "2025-03-19"
    rows = [
        ["SH001", "R-1", f"{day} 10:15:00", "1", a, "2", "10.00", "0", "20.00", "", "ok", ""],
        # A bad receipt: its return line is fine, its other line names no known SKU; both
        # come back, with the cashier and the extra column as they were typed.
        ["SH001", "R-9", f"{day} 12:00", "1", a, "-1", "10.00", "0", "-10.00", "yes", *DANGER[:2]],
        [
            "SH001",
            "R-9",
            f"{day} 12:00",
            "2",
            DANGER[3],
            "1",
            "1.00",
            "0",
            "1.00",
            "",
            DANGER[2],
            DANGER[4],
        ],
    ]
    body = io.StringIO()
    csv.writer(body).writerows(rows)
    manager = demo.user("manager")
    upload = SimpleUploadedFile("mixed.csv", (HEADER + body.getvalue()).encode())
    batch = import_batch_create(user=manager, upload=upload, mode=ImportBatch.Mode.GOOD_ROWS)
    import_batch_start(user=manager, batch=batch)
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.DONE and batch.error_count == 1
    return batch


def test_rejected_rows_escape_formula_cells_and_keep_numbers(rejected, client_as, demo):
    response = client_as(demo.user("manager")).get(
        reverse("sales:import_rejected", args=[rejected.pk])
    )
    assert response.status_code == 200
    header, first, second = _cells(
        b"".join(response.streaming_content) if response.streaming else response.content
    )
    assert header[-2:] == ["'=extra", "errors"]
    assert first[5:9] == ["-1", "10.00", "0", "-10.00"]  # a return: numbers untouched
    assert first[10:12] == ["'" + DANGER[0], "'" + DANGER[1]]
    assert second[4] == "'" + DANGER[3]
    assert second[10:12] == ["'" + DANGER[2], "'" + DANGER[4]]
    for row in (first, second):
        assert not any(cell.startswith(("=", "+", "@", "\t")) for cell in row)


def test_error_report_escapes_formula_cells():
    report = error_report_csv(
        [RowError(row=2, column="sku", message=DANGER[0]), {"row": "", "message": "-1"}]
    )
    rows = _cells(report)
    assert rows[1] == ["2", "sku", "'" + DANGER[0]]
    assert rows[2] == ["", "", "-1"]
