"""The error report and the rejected rows are written to a temporary file as they are
found (on disk past ``SPOOL_BYTES``), never built whole in memory; what is saved is the
same CSV (UTF-8 with BOM)."""

from django.core.files.uploadedfile import SimpleUploadedFile

from inventory.models import Product
from sales.models import ImportBatch, Receipt
from sales.services import import_batch_create, import_batch_start
from sales.services.imports import batches
from sales.services.imports.batches import _CsvSink

HEADER = "store,receipt_number,sold_at,line_number,sku,quantity,unit_price,net_amount,cashier\n"


def test_a_sink_spills_to_disk_and_saves_the_same_csv(monkeypatch):
    monkeypatch.setattr(batches, "SPOOL_BYTES", 256)
    sink = _CsvSink(["row", "column", "message"])
    try:
        for n in range(1000):  # past the text layer's 8 KB buffer and the spool size
            sink.write([n, "sku", f"未知 SKU {n}, “quoted”"])
        assert sink.binary._rolled  # on disk, not in memory
        text = sink.content().read().decode("utf-8")
    finally:
        sink.close()
    assert text.startswith("\ufeffrow,column,message\r\n")
    lines = text.lstrip("\ufeff").splitlines()
    assert len(lines) == 1001 and lines[1000] == '999,sku,"未知 SKU 999, “quoted”"'
    assert sink.binary.closed


def test_many_bad_rows_in_good_rows_mode(demo, monkeypatch):
    monkeypatch.setattr(batches, "SPOOL_BYTES", 512)
    sku = Product.objects.order_by("pk").first().sku
    rows = [f"SH001,G-{n},2025-03-19 10:00,1,{sku},1,2.00,2.00,王芳\n" for n in range(5)]
    rows += [f"SH001,B-{n},2025-03-19 11:00,1,NOPE-{n},1,2.00,2.00,李伟\n" for n in range(300)]
    upload = SimpleUploadedFile("many-bad.csv", (HEADER + "".join(rows)).encode())
    manager = demo.user("manager")
    batch = import_batch_create(user=manager, upload=upload, mode=ImportBatch.Mode.GOOD_ROWS)
    import_batch_start(user=manager, batch=batch)
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.DONE
    assert (batch.receipts_created, batch.error_count) == (5, 300)
    assert len(batch.errors) == 200  # the first ones on the batch, all in the file
    report = batch.error_file.open("rb").read().decode("utf-8-sig").splitlines()
    assert len(report) == 301 and report[300].startswith("306,sku,Unknown SKU NOPE-299")
    rejected = batch.rejected_file.open("rb").read().decode("utf-8-sig").splitlines()
    assert rejected[0].endswith(",cashier,errors") and len(rejected) == 301
    assert rejected[1].startswith("SH001,B-0,") and "李伟" in rejected[1]
    assert not Receipt.objects.filter(receipt_number__startswith="B-").exists()
