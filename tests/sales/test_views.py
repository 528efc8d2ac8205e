"""Sales pages: the import flow (upload, preview, mapping, progress, report), targets,
query counts."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from inventory.models import Product
from sales.models import ImportBatch, Receipt
from stores.models import Store


def test_upload_preview_and_import(demo, client_as):
    client = client_as(demo.user("manager"))
    sku = Product.objects.order_by("pk").first().sku
    text = (
        "shop,ticket,sold_at,line_number,sku,quantity,unit_price,net_amount,cashier\n"
        f"SH001,V-1,2025-03-19 09:30,1,{sku},1,8.00,8.00,张敏\n"
    ).encode("gb18030")
    response = client.post(
        reverse("sales:import_upload"),
        {"file": SimpleUploadedFile("p.csv", text), "encoding": "gb18030", "mode": "all"},
    )
    assert response.status_code == 302
    batch = ImportBatch.objects.get(file_name="p.csv")
    page = client.get(reverse("sales:import_detail", args=[batch.pk]))
    assert "张敏" in page.content.decode()  # the preview, decoded as chosen
    form = {f"col_{k}": k for k in ("sold_at", "line_number", "sku", "quantity")}
    form.update(
        col_store="shop",
        col_receipt_number="ticket",
        col_unit_price="unit_price",
        col_net_amount="net_amount",
        col_cashier="cashier",
        mode="all",
    )
    assert client.post(reverse("sales:import_start", args=[batch.pk]), form).status_code == 302
    batch.refresh_from_db()
    assert batch.status == "done" and Receipt.objects.get(receipt_number="V-1").cashier == "张敏"
    progress = client.get(reverse("sales:import_progress", args=[batch.pk]))
    assert 'data-status="done"' in progress.content.decode()


def test_rejected_import_offers_the_error_report(demo, client_as):
    client = client_as(demo.user("headoffice"))
    text = b"store,receipt_number,sold_at,line_number,sku,quantity,unit_price,net_amount\n"
    text += b"SH001,E-1,2025-02-30 10:00,1,NOPE,1,1,1\n"
    client.post(
        reverse("sales:import_upload"),
        {"file": SimpleUploadedFile("e.csv", text), "encoding": "auto", "mode": "all"},
    )
    batch = ImportBatch.objects.get(file_name="e.csv")
    form = {
        f"col_{k}": k
        for k in (
            "store",
            "receipt_number",
            "sold_at",
            "line_number",
            "sku",
            "quantity",
            "unit_price",
            "net_amount",
        )
    }
    client.post(reverse("sales:import_start", args=[batch.pk]), {**form, "mode": "all"})
    batch.refresh_from_db()
    assert batch.status == "rejected" and batch.error_count == 2
    report = client.get(reverse("sales:import_errors", args=[batch.pk]))
    lines = b"".join(report.streaming_content if report.streaming else [report.content])
    lines = lines.decode("utf-8-sig").splitlines()
    assert lines[0] == "row,column,message"
    assert {line.split(",")[1] for line in lines[1:]} == {"sold_at", "sku"}


def test_target_page_sets_and_shows(demo, client_as):
    client = client_as(demo.user("headoffice"))
    response = client.post(
        reverse("sales:target_set"),
        {"month": "2026-08-01", "amount": "80000.00", "method": "weekday"},
    )
    assert response.status_code == 302
    page = client.get(reverse("sales:targets") + "?month=2026-08")
    assert "80000.00" in page.content.decode()
    staff = client_as(demo.user("staff"))
    page = staff.get(reverse("sales:targets") + "?month=2026-08")
    codes = set(Store.objects.filter(region=demo.regions[1]).values_list("code", flat=True))
    assert not any(f'data-store-code="{c}"' in page.content.decode() for c in codes)


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_attainment_page_query_count_constant(demo, client_as):
    head = client_as(demo.user("headoffice"))
    manager = client_as(demo.user("manager"))
    url = reverse("sales:attainment")
    assert _count(head, url) == _count(manager, url)  # 11 stores vs 1
