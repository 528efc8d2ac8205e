"""A POS file imported by a real Celery worker (Redis broker, the test database), and
killed mid-import: the write transaction dies with its process, nothing is half-written,
and the redelivered task imports the file exactly once. A second delivery, and the same
file uploaded again, change nothing.

The task is held mid-write without test-only code, as in tests/integration: this test
locks the ``DailySales`` table, which the import upserts last in its transaction, after
the receipts, lines and stock movements are written (uncommitted).
"""

import os
import signal
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.db.models import Sum

from inventory.models import Product, StockLevel, StockMovement
from sales.models import DailySales, ImportBatch, Receipt, SalesLine
from sales.services import import_batch_create
from sales.tasks import import_batch_run_task
from stores.models import Store
from tests.conftest import seed_test_chain
from tests.integration.test_celery_worker import TASK_TIMEOUT, _wait_for
from tests.integration.test_celery_worker import worker as real_worker  # noqa: F401 - fixture

pytestmark = pytest.mark.integration

HEADER = "store,receipt_number,sold_at,line_number,sku,quantity,unit_price,net_amount,is_return"
DATE = "2025-03-19"


def _file(skus):
    rows = [HEADER]
    for n in range(1, 4):
        for line, sku in enumerate(skus, start=1):
            rows.append(f"SH001,W-{n},{DATE} 1{n}:00,{line},{sku},{line},2.00,{2 * line}.00,")
    # A return: a negative line marked as one.
    rows.append(f"SH001,W-R,{DATE} 18:00,1,{skus[0]},-1,2.00,-2.00,yes")
    return ("\n".join(rows) + "\n").encode()


def _queued_batch(user, content, name):
    batch = import_batch_create(user=user, upload=SimpleUploadedFile(name, content))
    # As import_batch_start leaves a large file: queued for the worker.
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.QUEUED)
    return batch


def _waiting_on_daily_sales() -> set[int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND wait_event_type = 'Lock' AND query ILIKE %s",
            ["%sales_dailysales%"],
        )
        return {pid for (pid,) in cursor.fetchall()}


def _state(store, products):
    refs = StockMovement.objects.filter(reference__startswith="POS W-")
    return {
        "receipts": Receipt.objects.filter(receipt_number__startswith="W-").count(),
        "lines": SalesLine.objects.filter(receipt__receipt_number__startswith="W-").count(),
        "movements": refs.count(),
        "moved": refs.aggregate(total=Sum("quantity"))["total"],
        "on_hand": dict(
            StockLevel.objects.filter(store=store, product__in=products).values_list(
                "product_id", "on_hand"
            )
        ),
        "daily": list(
            DailySales.objects.filter(store=store, business_date=DATE).values_list(
                "net_sales", "transactions", "units", "returns_value"
            )
        ),
    }


def test_import_killed_mid_write_is_redelivered_and_imported_once(real_worker):  # noqa: F811
    worker = real_worker
    seed_test_chain()
    store = Store.objects.get(code="SH001")
    products = list(Product.objects.order_by("pk")[:3])
    content = _file([p.sku for p in products])
    manager = get_user_model().objects.get(username="manager")
    before = _state(store, products)
    assert before["receipts"] == before["movements"] == 0 and before["daily"] == []
    batch = _queued_batch(manager, content, "worker.csv")
    (first_child,) = worker.pool_children()

    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("LOCK TABLE sales_dailysales IN ACCESS EXCLUSIVE MODE")
        result = worker.send(import_batch_run_task.s(batch.pk))
        (killed_backend,) = _wait_for(_waiting_on_daily_sales, "the import to write", worker)

        os.kill(first_child, signal.SIGKILL)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [killed_backend])

        def new_backend():
            return _waiting_on_daily_sales() - {killed_backend}

        _wait_for(new_backend, "the import to be redelivered", worker)
        assert first_child not in worker.pool_children()
        # The killed run's transaction is gone: nothing of it is in the database.
        assert _state(store, products) == before
        assert ImportBatch.objects.get(pk=batch.pk).status == ImportBatch.Status.RUNNING

    try:
        outcome = result.get(timeout=TASK_TIMEOUT)
    except Exception:
        print(worker.log())
        raise
    assert outcome == {"batch": batch.pk, "status": "done", "rows": 10}
    assert "WorkerLostError" in worker.log() or "SIGKILL" in worker.log()
    batch.refresh_from_db()
    assert (batch.receipts_created, batch.lines_created, batch.duplicates) == (4, 10, 0)
    after = _state(store, products)
    assert after["receipts"] == 4 and after["lines"] == 10 and after["movements"] == 10
    # Sold 3 × (1 + 2 + 3) units, one returned: the ledger moved −17.
    assert after["moved"] == Decimal("-17")
    for product, sold in zip(products, (3 - 1, 6, 9), strict=True):
        assert after["on_hand"][product.pk] == before["on_hand"].get(product.pk, 0) - sold
    assert after["daily"] == [(Decimal("34.00"), 3, Decimal("17.000"), Decimal("2.00"))]

    # Delivered once more (a broker redelivery): the finished batch is left alone.
    assert worker.run(import_batch_run_task.s(batch.pk))["status"] == "done"
    assert _state(store, products) == after
    # The same file uploaded again: every line is a duplicate, nothing is written.
    again = _queued_batch(manager, content, "worker-again.csv")
    assert worker.run(import_batch_run_task.s(again.pk))["status"] == "done"
    again.refresh_from_db()
    assert (again.receipts_created, again.lines_created, again.duplicates) == (0, 0, 10)
    assert _state(store, products) == after
