"""The POS import's set-based write (PostgreSQL: rows staged in pass 1, posted by a few
statements in pass 2) gives exactly what the row-by-row path gives (the ORM and
``stock_movements_post``, kept for other databases); one parse per row; a constant
number of queries whatever the file's size."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from inventory.models import Product, StockLevel, StockMovement
from sales.models import DailySales, ImportBatch, Receipt, SalesLine
from sales.services import ImportRejected, import_file
from sales.services.imports import parsing, staging
from sales.services.imports.parsing import _Context, parse_fast, parse_row

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the set-based write is PostgreSQL's"
)

HEADER = "store,receipt_number,sold_at,line_number,sku,quantity,unit_price,discount,net_amount,is_return,cashier,business_date\n"  # noqa: E501
LONG = "L" * 70  # longer than a receipt number is stored: cut to 64 characters


@pytest.fixture
def skus(demo):
    return list(Product.objects.order_by("pk").values_list("sku", flat=True)[:4])


def _mixed_file(skus):
    a, b, c, d = skus
    rows = [
        # Two dates, two stores, returns, a product sold twice in one receipt.
        f"SH001,S-1,2025-03-19 10:15:00,1,{a},2,10.00,0,20.00,,王芳,",
        f"SH001,S-1,2025-03-19 10:15:00,2,{b},1.5,5.50,0.50,7.75,,王芳,",
        f"SH001,S-1,2025-03-19 10:15:00,3,{a},1,10.00,,10.00,no,王芳,",
        f"SH001,S-2,2025-03-19 11:00:00,1,{a},-1,10.00,0,-10.00,yes,李伟,",
        f'SH001,S-3,2025-03-19 12:00:00,1,{c},3,"1,000.00",0,3000.00,,"tab\tand\\\\",',
        f"SH004,S-1,2025-03-20 09:00:00,1,{d},-2,4.00,0,-8.00,是,,",
        f"SH004,S-4,2025-03-20 09:30:00,1,{d},5,4.00,0,20.00,,,",
        f"sh004,{LONG},2025-03-20T23:30:00+00:00,1,{b},1,2.00,0,2.00,,,",
        f"SH004,S-5,2025-03-20 10:00:00,1,{c},1,3.00,0,3.00,0,,2025-03-21",
    ]
    return HEADER + "\n".join(rows) + "\n"


def _snapshot(receipt_numbers):
    receipts = Receipt.objects.filter(receipt_number__in=receipt_numbers)
    lines = SalesLine.objects.filter(receipt__in=receipts)
    refs = [f"POS {n}"[:64] for n in receipt_numbers]
    movements = StockMovement.objects.filter(reference__in=refs)
    store_days = set(receipts.values_list("store_id", "business_date"))
    products = set(movements.values_list("product_id", flat=True))
    return {
        "receipts": sorted(
            receipts.values_list(
                "store__code", "receipt_number", "business_date", "sold_at", "till", "cashier"
            )
        ),
        "receipt_order": list(receipts.order_by("id").values_list("receipt_number", flat=True)),
        "lines": list(
            lines.order_by("id").values_list(
                "receipt__receipt_number",
                "line_number",
                "sku",
                "product_id",
                "quantity",
                "unit_price",
                "discount",
                "net_amount",
            )
        ),
        # Each store and product's movements in id order (the order of application).
        "movements": sorted(
            movements.order_by("id").values_list(
                "store_id",
                "product_id",
                "kind",
                "quantity",
                "unit_cost",
                "on_hand_after",
                "avg_cost_after",
                "reference",
                "reason",
                "created_by_id",
                "created_at",
                "business_date",
            ),
            key=lambda m: (m[0], m[1]),
        ),
        "levels": sorted(
            StockLevel.objects.filter(product__in=products).values_list(
                "store_id", "product_id", "on_hand", "avg_cost"
            )
        ),
        "daily": sorted(
            (
                s,
                d,
                *DailySales.objects.filter(store_id=s, business_date=d).values_list(
                    "net_sales", "transactions", "units", "returns_value", "footfall"
                ),
            )
            for s, d in store_days
        ),
    }


def _both_paths(monkeypatch, run):
    """``run()`` with the set-based write, rolled back, then with the row-by-row one."""
    results = []
    for set_based in (True, False):
        monkeypatch.setattr(
            "sales.services.imports.batches.staging_supported", lambda s=set_based: s
        )
        with transaction.atomic():
            point = transaction.savepoint()
            results.append(run())
            transaction.savepoint_rollback(point)
    return results


def _importer(tmp_path, text, user, numbers, **kwargs):
    path = tmp_path / "pos.csv"
    path.write_bytes(text.encode("gb18030"))

    def run():
        result = import_file(
            path_opener=lambda: path.open("rb"), user=user, encoding="gb18030", **kwargs
        )
        return result, _snapshot(numbers)

    return run


def test_set_based_write_equals_the_row_by_row_write(demo, skus, tmp_path, monkeypatch):
    user = demo.user("headoffice")
    numbers = ["S-1", "S-2", "S-3", "S-4", "S-5", LONG[:64]]
    # One receipt is already in the database: its lines are duplicates either way, and
    # its line counts in the day's sales.
    old = Receipt.objects.create(
        store=_store("SH004"),
        receipt_number="S-4",
        business_date=datetime.date(2025, 3, 20),
        sold_at=datetime.datetime(2025, 3, 20, 1, 30, tzinfo=datetime.UTC),
    )
    SalesLine.objects.create(
        receipt=old,
        line_number=1,
        sku=skus[3],
        product=Product.objects.get(sku=skus[3]),
        quantity=Decimal("-1"),
        unit_price=Decimal("4.00"),
        net_amount=Decimal("-4.00"),
    )
    run = _importer(tmp_path, _mixed_file(skus), user, numbers)
    (fast, fast_state), (slow, slow_state) = _both_paths(monkeypatch, run)
    assert fast_state == slow_state
    assert (fast.receipts_created, fast.lines_created, fast.duplicates) == (6, 8, 1)
    assert (slow.receipts_created, slow.lines_created, slow.duplicates) == (6, 8, 1)
    assert len(fast_state["movements"]) == 8
    daily = {(d[0], d[1]): d[2] for d in fast_state["daily"]}
    sh004 = _store("SH004").pk
    # S-1 (−8.00, a return), S-4 before (−4.00, a return) and S-5's net; S-4 in the file
    # is a duplicate. Returns −(−8 − 4).
    assert daily[(sh004, datetime.date(2025, 3, 20))][0] == Decimal("-12.00")
    assert daily[(sh004, datetime.date(2025, 3, 20))][3] == Decimal("12.00")
    cashiers = {r[1]: r[5] for r in fast_state["receipts"]}
    assert cashiers["S-3"] == "tab\tand\\\\" and LONG[:64] in cashiers
    dates = {r[1]: r[2] for r in fast_state["receipts"]}
    # 23:30 UTC is the next morning in Shanghai; a business_date column wins.
    assert dates[LONG[:64]] == datetime.date(2025, 3, 21)
    assert dates["S-5"] == datetime.date(2025, 3, 21)


def test_good_rows_mode_set_based_equals_row_by_row(demo, skus, tmp_path, monkeypatch):
    a = skus[0]
    text = _mixed_file(skus) + (
        f"SH001,S-9,2025-03-19 12:00,1,{a},1,1.00,0,1.00,,,\n"
        "SH001,S-9,2025-03-19 12:00,2,NOPE,1,1.00,0,1.00,,,\n"
        f"SH001,S-1,2025-03-19 10:15:00,1,{a},2,10.00,0,20.00,,王芳,\n"  # duplicate line
    )
    path = tmp_path / "mixed.csv"
    path.write_bytes(text.encode())
    user = demo.user("headoffice")
    numbers = ["S-1", "S-2", "S-3", "S-4", "S-5", "S-9", LONG[:64]]

    def run():
        from django.core.files.uploadedfile import SimpleUploadedFile

        from sales.services import import_batch_create, import_batch_start

        batch = import_batch_create(
            user=user,
            upload=SimpleUploadedFile("mixed.csv", text.encode()),
            mode=ImportBatch.Mode.GOOD_ROWS,
        )
        import_batch_start(user=user, batch=batch)
        batch.refresh_from_db()
        rejected = batch.rejected_file.open("rb").read().decode("utf-8-sig")
        counts = (batch.status, batch.receipts_created, batch.lines_created, batch.error_count)
        return counts, rejected, _snapshot(numbers)

    fast, slow = _both_paths(monkeypatch, run)
    assert fast == slow
    counts, rejected, state = fast
    # SH001's S-1 (a duplicate line) and S-9 (an unknown SKU) are left out whole.
    assert counts == (ImportBatch.Status.DONE, 6, 6, 2)
    assert sorted((r[0], r[1]) for r in state["receipts"]) == [
        ("SH001", "S-2"),
        ("SH001", "S-3"),
        ("SH004", LONG[:64]),
        ("SH004", "S-1"),
        ("SH004", "S-4"),
        ("SH004", "S-5"),
    ]
    assert len(rejected.splitlines()) == 1 + 3 + 2 + 1  # header, S-1, S-9, the duplicate


def _store(code):
    from stores.models import Store

    return Store.objects.get(code=code)


def test_import_queries_do_not_grow_with_the_file(demo, skus, tmp_path):
    user = demo.user("headoffice")
    counts = []
    for size in (3, 300):
        rows = [
            f"SH001,Q{size}-{i // 3},2025-03-19 10:00:00,{i % 3 + 1},{skus[i % 4]},1,2.00,0,2.00,,,"
            for i in range(size)
        ]
        path = tmp_path / f"q{size}.csv"
        path.write_text(HEADER + "\n".join(rows) + "\n")
        with CaptureQueriesContext(connection) as queries:
            result = import_file(path_opener=lambda p=path: p.open("rb"), user=user)
        assert result.lines_created == size
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert counts[0] <= 25


def test_each_row_is_parsed_once(demo, skus, tmp_path, monkeypatch):
    calls = []
    original = parsing.parse_fast
    monkeypatch.setattr(
        "sales.services.imports.validation.parse_fast",
        lambda values, ctx: calls.append(1) or original(values, ctx),
    )
    path = tmp_path / "once.csv"
    path.write_text(_mixed_file(skus))
    result = import_file(path_opener=lambda: path.open("rb"), user=demo.user("headoffice"))
    assert result.lines_created == 9 and len(calls) == 9


@pytest.mark.parametrize(
    "field_values",
    [
        {"quantity": "1.0001"},
        {"quantity": "0"},
        {"quantity": "-0.000"},
        {"quantity": "-1"},  # not marked as a return
        {"quantity": "1", "is_return": "yes"},
        {"quantity": "1e3"},
        {"quantity": "1000000000"},
        {"quantity": "１"},  # a full-width digit: Decimal reads it, the fast path does not
        {"quantity": "1,5"},
        {"unit_price": "-1.00"},
        {"unit_price": "1.001"},
        {"net_amount": "100000000000"},
        {"discount": "x"},
        {"line_number": "0"},
        {"line_number": "+1"},
        {"line_number": "1000001"},
        {"sold_at": "2025-02-30 10:00"},
        {"business_date": "2025/03/19"},
        {"business_date": "19.03.2025"},
        {"is_return": "maybe"},
        {"store": "NOPE"},
        {"store": "GZ002"},  # out of the manager's scope
        {"sku": "NOPE"},
        {"receipt_number": ""},
    ],
)
def test_the_fast_parse_never_accepts_what_parse_row_refuses(demo, skus, field_values):
    ctx = _Context(demo.user("manager"))
    values = {
        "store": "SH001",
        "receipt_number": "R-1",
        "sold_at": "2025-03-19 10:00:00",
        "line_number": "1",
        "sku": skus[0],
        "quantity": "2",
        "unit_price": "1.50",
        "net_amount": "3.00",
        **field_values,
    }
    parsed, errors = parse_row("2", values, ctx)
    fast = parse_fast(values, ctx)
    if errors:
        assert fast is None
    elif fast is not None:  # both read it: the same values (numbers as text)
        expected = staging_line(parsed, values)
        assert fast[:9] == expected[:9]
        assert [Decimal(v) for v in fast[9:]] == [Decimal(v) for v in expected[9:]]


def staging_line(parsed, values):
    from sales.services.imports.parsing import staged

    return staged(parsed, values["receipt_number"])


def test_a_quantity_too_large_for_the_ledger_is_a_row_error(demo, skus, tmp_path):
    path = tmp_path / "big.csv"
    path.write_text(HEADER + f"SH001,B-1,2025-03-19 10:00,1,{skus[0]},1000000000,1,0,1,,,\n")
    result = import_file(path_opener=lambda: path.open("rb"), user=demo.user("manager"))
    assert not result.written
    assert [(e.column, e.message) for e in result.errors] == [
        ("quantity", "Quantity is too large.")
    ]


def test_well_formed_rows_take_the_fast_path(demo, skus):
    ctx = _Context(demo.user("manager"))
    values = {
        "store": "sh001",
        "receipt_number": "R-1",
        "sold_at": "2025-03-19 10:00:00",
        "line_number": "2",
        "sku": skus[0],
        "quantity": "-1.5",
        "unit_price": "1.50",
        "net_amount": "-2.25",
        "is_return": "Y",
        "till": "T1",
    }
    parsed, errors = parse_row("2", values, ctx)
    assert not errors
    expected = (*staging_line(parsed, values)[:9], "-1.5", "1.50", "0.00", "-2.25")
    assert parse_fast(values, ctx) == expected
    assert parsed.quantity == Decimal("-1.5")


def test_the_staging_table_is_dropped(demo, skus, tmp_path):
    path = tmp_path / "drop.csv"
    path.write_text(_mixed_file(skus))
    import_file(path_opener=lambda: path.open("rb"), user=demo.user("headoffice"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [f"pg_temp.{staging.STAGING}"])
        assert cursor.fetchone() == (None,)


def _rows_text(skus, count, prefix="P"):
    return "".join(
        f"SH001,{prefix}-{i // 3},2025-03-19 10:00:00,{i % 3 + 1},{skus[i % 4]},1,2.00,0,2.00,,,\n"
        for i in range(count)
    )


def test_progress_is_reported_while_rows_stream(demo, skus, tmp_path, monkeypatch):
    monkeypatch.setattr("sales.services.imports.validation.PROGRESS_EVERY", 5)
    path = tmp_path / "progress.csv"
    path.write_text(HEADER + _rows_text(skus, 12))
    calls = []
    result = import_file(
        path_opener=lambda: path.open("rb"),
        user=demo.user("headoffice"),
        progress=lambda done, total: calls.append((done, total)),
    )
    assert result.lines_created == 12
    assert calls[:2] == [(5, 0), (10, 0)]  # validation: rows so far
    assert [total for _done, total in calls[2:]] == [12, 12, 12]  # the write's steps
    assert [done for done, _total in calls[2:]] == sorted(done for done, _t in calls[2:])


def test_a_bad_encoding_after_rows_were_streamed_writes_nothing(demo, skus, tmp_path, monkeypatch):
    monkeypatch.setattr("sales.services.imports.validation.PROGRESS_EVERY", 5)
    path = tmp_path / "late.csv"
    late = f"SH001,E-1,2025-03-19 10:00:00,1,{skus[0]},1,2.00,0,2.00,,王芳,\n"
    # Past the first 8 KB that the text wrapper decodes at once: rows were streamed first.
    path.write_bytes((HEADER + _rows_text(skus, 300)).encode() + late.encode("gb18030"))
    before = (Receipt.objects.count(), StockMovement.objects.count())
    with pytest.raises(ImportRejected, match="GB18030"):
        import_file(
            path_opener=lambda: path.open("rb"),
            user=demo.user("headoffice"),
            progress=lambda done, total: None,
        )
    assert (Receipt.objects.count(), StockMovement.objects.count()) == before
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [f"pg_temp.{staging.STAGING}"])
        assert cursor.fetchone() == (None,)


def test_blank_and_short_rows(demo, skus, tmp_path):
    path = tmp_path / "blank.csv"
    rows = _rows_text(skus, 3, prefix="BL").splitlines()
    text = HEADER + rows[0] + "\n  , ,,,,,,,,,,\n\n" + rows[1] + "\n" + rows[2] + "\n"
    # A short row: its missing columns are empty, so it is reported, not skipped.
    text += "SH001,BL-9,2025-03-19 10:00:00\n"
    path.write_text(text)
    result = import_file(path_opener=lambda: path.open("rb"), user=demo.user("headoffice"))
    assert result.rows == 4 and not result.written
    assert {e.column for e in result.errors} == {
        "line_number",
        "sku",
        "quantity",
        "unit_price",
        "net_amount",
    }
