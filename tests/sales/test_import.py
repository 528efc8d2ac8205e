"""POS file imports: streamed, validated first, atomic, idempotent, both encodings."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Sum

from inventory.models import Product, StockMovement
from sales.models import DailySales, ImportBatch, Receipt, SalesLine
from sales.services import ImportRejected, import_batch_create, import_batch_start, import_file

HEADER = (
    "store,receipt_number,sold_at,line_number,sku,quantity,unit_price,discount,"
    "net_amount,is_return,cashier\n"
)
DAY = datetime.date(2025, 3, 19)


@pytest.fixture
def chain(demo):
    skus = list(Product.objects.order_by("pk").values_list("sku", flat=True)[:3])
    return {
        "manager": demo.user("manager"),
        "head": demo.user("headoffice"),
        "skus": skus,
    }


def _rows(skus, store="SH001", number="R-1", day="2025-03-19"):
    a, b, _c = skus
    return [
        f"{store},{number},{day} 10:15:00,1,{a},2,10.00,0,20.00,,王芳\n",
        f"{store},{number},{day} 10:15:00,2,{b},1,5.50,0.50,5.00,,王芳\n",
        f"{store},{number}-B,{day} 11:00:00,1,{a},-1,10.00,0,-10.00,yes,李伟\n",
    ]


def _file(tmp_path, text, encoding="utf-8", name="pos.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return lambda: path.open("rb")


def _run(opener, user, **kwargs):
    return import_file(path_opener=opener, user=user, **kwargs)


def test_a_good_file_writes_receipts_lines_daily_sales_and_ledger(chain, tmp_path):
    before = StockMovement.objects.count()
    result = _run(_file(tmp_path, HEADER + "".join(_rows(chain["skus"]))), chain["manager"])
    assert (result.rows, result.receipts_created, result.lines_created) == (3, 2, 3)
    assert result.error_count == 0 and result.duplicates == 0
    receipt = Receipt.objects.get(receipt_number="R-1")
    assert receipt.business_date == DAY and receipt.cashier == "王芳"
    assert str(receipt.sold_at.astimezone(receipt.store.tz).time()) == "10:15:00"
    daily = DailySales.objects.get(store=receipt.store, business_date=DAY)
    own = SalesLine.objects.filter(receipt__store=receipt.store, receipt__business_date=DAY)
    assert daily.net_sales == own.aggregate(t=Sum("net_amount"))["t"]
    moves = StockMovement.objects.order_by("-id")[: StockMovement.objects.count() - before]
    kinds = sorted((m.kind, m.quantity) for m in moves)
    assert kinds == [
        ("customer_return", Decimal("1.000")),
        ("sale", Decimal("-2.000")),
        ("sale", Decimal("-1.000")),
    ]
    assert {m.business_date for m in moves} == {DAY}


def test_reimporting_the_same_file_changes_nothing(chain, tmp_path):
    opener = _file(tmp_path, HEADER + "".join(_rows(chain["skus"])))
    _run(opener, chain["manager"])
    counts = (Receipt.objects.count(), SalesLine.objects.count(), StockMovement.objects.count())
    daily = list(DailySales.objects.order_by("pk").values_list("net_sales", "transactions"))
    again = _run(opener, chain["manager"])
    assert (again.receipts_created, again.lines_created, again.duplicates) == (0, 0, 3)
    assert counts == (
        Receipt.objects.count(),
        SalesLine.objects.count(),
        StockMovement.objects.count(),
    )
    assert daily == list(DailySales.objects.order_by("pk").values_list("net_sales", "transactions"))


def test_gb18030_file_with_chinese_cashiers(chain, tmp_path):
    opener = _file(tmp_path, HEADER + "".join(_rows(chain["skus"])), encoding="gb18030")
    # Read as UTF-8 (automatic), it is refused with a file-level message, nothing written.
    with pytest.raises(ImportRejected, match="GB18030"):
        _run(opener, chain["manager"])
    assert not Receipt.objects.filter(receipt_number="R-1").exists()
    _run(opener, chain["manager"], encoding="gb18030")
    assert set(
        Receipt.objects.filter(receipt_number__startswith="R-1").values_list("cashier", flat=True)
    ) == {"王芳", "李伟"}


def test_utf8_with_bom(chain, tmp_path):
    opener = _file(tmp_path, "\ufeff" + HEADER + "".join(_rows(chain["skus"])))
    assert _run(opener, chain["manager"]).receipts_created == 2


@pytest.mark.parametrize(
    ("row", "column", "fragment"),
    [
        ("SH001,X,2025-13-45 10:00,1,{a},1,1.00,0,1.00,,", "sold_at", "Not a date"),
        ("NOPE1,X,2025-03-19 10:00,1,{a},1,1.00,0,1.00,,", "store", "Unknown store"),
        # A store outside the uploader's scope is refused exactly like an unknown one.
        ("GZ002,X,2025-03-19 10:00,1,{a},1,1.00,0,1.00,,", "store", "Unknown store"),
        ("SH001,X,2025-03-19 10:00,1,NO-SUCH-SKU,1,1.00,0,1.00,,", "sku", "Unknown SKU"),
        ("SH001,X,2025-03-19 10:00,1,{a},-1,1.00,0,-1.00,,", "quantity", "marked as a return"),
        ("SH001,X,2025-03-19 10:00,1,{a},abc,1.00,0,1.00,,", "quantity", "Not a number"),
        ("SH001,X,2025-03-19 10:00,1,{a},1,1.001,0,1.00,,", "unit_price", "Not a number"),
    ],
)
def test_each_bad_row_is_reported_and_nothing_is_written(chain, tmp_path, row, column, fragment):
    counts = (Receipt.objects.count(), StockMovement.objects.count(), DailySales.objects.count())
    good = _rows(chain["skus"])
    text = HEADER + good[0] + row.format(a=chain["skus"][0]) + "\n" + good[1]
    result = _run(_file(tmp_path, text), chain["manager"])
    assert not result.written
    assert [(e.row, e.column) for e in result.errors] == [("3", column)]
    assert fragment in result.errors[0].message
    assert counts == (
        Receipt.objects.count(),
        StockMovement.objects.count(),
        DailySales.objects.count(),
    )


def test_duplicate_line_in_the_file(chain, tmp_path):
    good = _rows(chain["skus"])
    result = _run(_file(tmp_path, HEADER + good[0] + good[1] + good[0]), chain["manager"])
    assert [(e.row, e.column) for e in result.errors] == [("4", "line_number")]
    assert "Duplicate line 1" in result.errors[0].message
    assert not Receipt.objects.filter(receipt_number="R-1").exists()


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "empty"),
        (HEADER, "no rows"),
        ("store,receipt_number,sold_at\nSH001,1,2025-03-19 10:00\n", "Missing column"),
    ],
)
def test_file_level_problems(chain, tmp_path, text, fragment):
    with pytest.raises(ImportRejected, match=fragment):
        _run(_file(tmp_path, text), chain["manager"])


def test_file_over_the_size_limit(chain, tmp_path, settings):
    settings.SALES_IMPORT_MAX_BYTES = 100
    text = HEADER + "".join(_rows(chain["skus"]))
    with pytest.raises(ImportRejected, match="larger than the limit"):
        _run(_file(tmp_path, text), chain["manager"], size=len(text.encode()))
    upload = SimpleUploadedFile("big.csv", text.encode())
    with pytest.raises(Exception, match="larger than the limit"):
        import_batch_create(user=chain["manager"], upload=upload)
    assert not Receipt.objects.filter(receipt_number="R-1").exists()


def test_good_rows_mode_imports_good_receipts_and_returns_the_bad(chain, tmp_path):
    a = chain["skus"][0]
    good = _rows(chain["skus"])
    bad_receipt = [
        f"SH001,R-9,2025-03-19 12:00,1,{a},1,1.00,0,1.00,,\n",
        "SH001,R-9,2025-03-19 12:00,2,NOPE,1,1.00,0,1.00,,\n",
    ]
    upload = SimpleUploadedFile("mixed.csv", (HEADER + "".join(good + bad_receipt)).encode())
    batch = import_batch_create(
        user=chain["manager"], upload=upload, mode=ImportBatch.Mode.GOOD_ROWS
    )
    import_batch_start(user=chain["manager"], batch=batch)
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.DONE
    assert (batch.receipts_created, batch.lines_created, batch.error_count) == (2, 3, 1)
    # The whole receipt R-9 is left out: its good line too.
    assert not Receipt.objects.filter(receipt_number="R-9").exists()
    rejected = batch.rejected_file.open("rb").read().decode("utf-8-sig").splitlines()
    assert len(rejected) == 3 and rejected[0].endswith(",errors")
    assert "Another line of this receipt" in rejected[1] and "Unknown SKU" in rejected[2]
    report = batch.error_file.open("rb").read().decode("utf-8-sig").splitlines()
    assert report[0] == "row,column,message" and report[1].startswith("6,sku,")


def test_all_or_nothing_batch_is_rejected_with_a_report(chain, tmp_path):
    text = HEADER + "SH001,R,2025-03-19 10:00,1,NOPE,1,1.00,0,1.00,,\n"
    batch = import_batch_create(
        user=chain["manager"], upload=SimpleUploadedFile("bad.csv", text.encode())
    )
    import_batch_start(user=chain["manager"], batch=batch)
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.REJECTED
    assert batch.error_count == 1 and batch.errors[0]["column"] == "sku"
    assert not batch.receipts.exists()


def test_column_mapping_is_applied_and_remembered(chain, tmp_path):
    from sales.models import ImportSource

    source = ImportSource.objects.create(code="pos2", name="POS 2")
    text = HEADER.replace("store,", "shop,").replace("receipt_number", "ticket") + "".join(
        _rows(chain["skus"])
    )
    batch = import_batch_create(
        user=chain["manager"], upload=SimpleUploadedFile("m.csv", text.encode()), source=source
    )
    import_batch_start(
        user=chain["manager"],
        batch=batch,
        mapping={"store": "shop", "receipt_number": "ticket"},
        remember_mapping=True,
    )
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.DONE and batch.receipts_created == 2
    source.refresh_from_db()
    assert source.column_mapping == {"store": "shop", "receipt_number": "ticket"}


def test_big_file_goes_through_the_task(chain, tmp_path, settings):
    settings.SALES_IMPORT_SYNC_MAX_BYTES = 10  # every file is "large": the Celery path
    text = HEADER + "".join(_rows(chain["skus"]))
    batch = import_batch_create(
        user=chain["head"], upload=SimpleUploadedFile("t.csv", text.encode())
    )
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        import_batch_start(user=chain["head"], batch=batch)
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.DONE
    assert (batch.rows_done, batch.rows_total, batch.receipts_created) == (3, 3, 2)
