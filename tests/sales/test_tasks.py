"""The import task: ids in, idempotent (a finished batch is left alone)."""

from django.core.files.uploadedfile import SimpleUploadedFile

from inventory.models import Product
from sales.models import ImportBatch, Receipt
from sales.services import import_batch_create
from sales.tasks import import_batch_run_task


def test_task_runs_a_queued_batch_once(demo):
    sku = Product.objects.order_by("pk").first().sku
    text = "store,receipt_number,sold_at,line_number,sku,quantity,unit_price,net_amount\n"
    text += f"SH001,T-1,2025-03-19 10:00,1,{sku},1,2.00,2.00\n"
    batch = import_batch_create(
        user=demo.user("manager"), upload=SimpleUploadedFile("t.csv", text.encode())
    )
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.QUEUED)
    result = import_batch_run_task.delay(batch.pk).get()
    assert result == {"batch": batch.pk, "status": "done", "rows": 1}
    # Run again (a redelivery): nothing changes.
    assert import_batch_run_task.delay(batch.pk).get()["status"] == "done"
    assert Receipt.objects.filter(receipt_number="T-1").count() == 1
