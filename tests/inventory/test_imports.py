"""CSV imports of the catalogue and of opening stock: services and pages.

Every bad file is refused whole (nothing written) with a clear file message or a
row-by-row report; re-importing the same file changes nothing; scope and roles hold.
"""

import csv
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from inventory.models import Product, ProductSupplier, StockLevel, StockMovement
from inventory.services import (
    catalogue_import,
    opening_stock_import,
    stock_movement_post,
)
from inventory.services.imports import OPENING_REFERENCE
from opsdesk.platform.imports import ImportRejected

from . import factories as f

CATALOGUE = (
    "sku,barcode,name,name_zh,category,unit,cost,retail_price,supplier,supplier_cost,pack_size\n"
    "IMP001,6900000000011,Imported rice,进口大米,imp,kg,4.50,7.99,IMPSUP,4.20,10\n"
    "IMP002,,Imported tea,,imp,each,3,5.5,,,\n"
)


def upload(text: str | bytes, name: str = "file.csv") -> SimpleUploadedFile:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return SimpleUploadedFile(name, data, content_type="text/csv")


@pytest.fixture
def catalogue_refs(demo):
    category = f.category("imp")
    supplier = f.supplier()
    supplier.code = "IMPSUP"
    supplier.save()
    return category, supplier


def _catalogue_state():
    return (
        sorted(
            Product.objects.values_list(
                "sku", "barcode", "name", "name_zh", "category_id", "unit", "cost", "retail_price"
            )
        ),
        sorted(
            ProductSupplier.objects.values_list(
                "product_id", "supplier_id", "unit_cost", "pack_size", "preferred"
            )
        ),
    )


# --- Catalogue -------------------------------------------------------------------------


def test_catalogue_import_creates_products_and_terms(demo, catalogue_refs):
    category, supplier = catalogue_refs
    result = catalogue_import(user=demo.user("headoffice"), upload=upload(CATALOGUE))
    assert not result.errors
    assert (result.rows, result.created, result.updated, result.unchanged) == (2, 2, 0, 0)
    rice = Product.objects.get(sku="IMP001")
    assert rice.barcode == "6900000000011" and rice.name_zh == "进口大米"
    assert rice.category == category and rice.unit == "kg"
    assert rice.cost == Decimal("4.5") and rice.retail_price == Decimal("7.99")
    terms = ProductSupplier.objects.get(product=rice)
    assert terms.supplier == supplier and terms.unit_cost == Decimal("4.2")
    assert terms.pack_size == 10
    tea = Product.objects.get(sku="IMP002")
    assert tea.barcode is None and not tea.supplier_terms.exists()


def test_catalogue_reimport_changes_nothing(demo, catalogue_refs):
    head = demo.user("headoffice")
    catalogue_import(user=head, upload=upload(CATALOGUE))
    before = _catalogue_state()
    result = catalogue_import(user=head, upload=upload(CATALOGUE))
    assert (result.created, result.updated, result.unchanged) == (0, 0, 2)
    assert _catalogue_state() == before


def test_catalogue_import_updates_by_sku_and_keeps_empty_cells(demo, catalogue_refs):
    head = demo.user("headoffice")
    catalogue_import(user=head, upload=upload(CATALOGUE))
    result = catalogue_import(
        user=head, upload=upload("sku,name,category,cost,name_zh\nIMP001,Rice 5kg,imp,4.80,\n")
    )
    assert (result.created, result.updated, result.unchanged) == (0, 1, 0)
    rice = Product.objects.get(sku="IMP001")
    assert rice.name == "Rice 5kg" and rice.cost == Decimal("4.8")
    assert rice.name_zh == "进口大米"  # the empty cell kept the name
    assert rice.barcode == "6900000000011"  # a column left out is not touched


def test_catalogue_import_with_a_bom_is_read(demo, catalogue_refs):
    result = catalogue_import(
        user=demo.user("headoffice"), upload=upload(b"\xef\xbb\xbf" + CATALOGUE.encode("utf-8"))
    )
    assert not result.errors and result.created == 2


BAD_ROWS = [
    ("IMP009,,X,,nope,each,1,2,,,", "category", "Unknown category"),
    ("IMP009,,X,,imp,each,abc,2,,,", "cost", "Enter a number"),
    ("IMP009,,X,,imp,each,-1,2,,,", "cost", "zero or more"),
    ("IMP009,,X,,imp,each,1.23456,2,,,", "cost", "decimal places"),
    ("IMP009,,X,,imp,box2,1,2,,,", "unit", "Unknown unit"),
    ("IMP009,,X,,imp,each,1,2,NOSUP,,", "supplier", "Unknown supplier"),
    ("IMP009,,X,,imp,each,1,2,IMPSUP,,0", "pack_size", "whole number"),
    ("IMP009,,X,,imp,each,1,2,,3,", "supplier", "supplier these terms"),
    ("IMP009,,,,imp,each,1,2,,,", "name", "product name"),
    (",,X,,imp,each,1,2,,,", "sku", "Enter the SKU"),
    ("IMP001,,Again,,imp,each,1,2,,,", "sku", "already on row 2"),
    ("IMP009,6900000000011,X,,imp,each,1,2,,,", "barcode", "already on row 2"),
]


@pytest.mark.parametrize(("row", "column", "message"), BAD_ROWS)
def test_a_bad_catalogue_row_is_reported_and_nothing_is_written(
    demo, catalogue_refs, row, column, message
):
    before = _catalogue_state()
    result = catalogue_import(user=demo.user("headoffice"), upload=upload(CATALOGUE + row + "\n"))
    assert result.errors and not result.written
    errors = [(e.row, e.column) for e in result.errors]
    assert (4, column) in errors, result.errors
    assert any(message in e.message for e in result.errors if e.row == 4), result.errors
    assert _catalogue_state() == before  # the two good rows were not written either


def test_a_barcode_of_another_product_is_refused(demo, catalogue_refs):
    other = f.product(barcode="6911111111111")
    result = catalogue_import(
        user=demo.user("headoffice"),
        upload=upload(f"sku,name,category,barcode\nIMP010,New,imp,{other.barcode}\n"),
    )
    assert [(e.row, e.column) for e in result.errors] == [(2, "barcode")]
    assert other.sku in result.errors[0].message
    assert not Product.objects.filter(sku="IMP010").exists()


FILE_PROBLEMS = [
    (b"", "empty"),
    (b"   \n\n", "empty"),
    (b"sku,name,category\n", "header but no rows"),
    (b"sku,name\nA,B\n", "Missing column(s): category"),
    (b"sku,name,category,colour\nA,B,imp,red\n", "Unknown column(s): colour"),
    (b"sku,name,category,sku\nA,B,imp,A\n", "named twice"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not a CSV file"),
    (b"PK\x03\x04\x14\x00\x06\x00", "not a CSV file"),
    ("sku,name,category\nA,大米,imp\n".encode("gb18030"), "not UTF-8"),
    (b'sku,name,category\nA,"unterminated,imp\n', "Row"),
    (b"sku,name,category\nA,B,imp,extra\n", "more cells"),
]


@pytest.mark.parametrize(("data", "message"), FILE_PROBLEMS)
def test_a_bad_file_is_refused_with_a_clear_message(demo, catalogue_refs, data, message):
    before = _catalogue_state()
    with pytest.raises(ImportRejected) as refused:
        catalogue_import(user=demo.user("headoffice"), upload=upload(data))
    assert message in " ".join(refused.value.messages)
    assert _catalogue_state() == before


def test_a_file_over_the_limit_is_refused(demo, catalogue_refs, settings):
    settings.INVENTORY_IMPORT_MAX_BYTES = 100
    with pytest.raises(ImportRejected) as refused:
        catalogue_import(user=demo.user("headoffice"), upload=upload(CATALOGUE))
    assert "larger than the limit of 100 B" in refused.value.messages[0]
    assert not Product.objects.filter(sku="IMP001").exists()


@pytest.mark.parametrize("username", ["manager", "regional", "staff"])
def test_only_head_office_imports_the_catalogue(demo, catalogue_refs, username):
    with pytest.raises(PermissionDenied):
        catalogue_import(user=demo.user(username), upload=upload(CATALOGUE))
    assert not Product.objects.filter(sku="IMP001").exists()


# --- Opening stock ---------------------------------------------------------------------


@pytest.fixture
def fresh(demo, extra_stores):
    """Two products that never moved anywhere."""
    return f.product(sku="OPEN1", cost="2"), f.product(sku="OPEN2", cost="3")


def _ledger_state():
    return (
        StockMovement.objects.count(),
        sorted(StockLevel.objects.values_list("store_id", "product_id", "on_hand", "avg_cost")),
    )


OPENING = "store,sku,quantity,unit_cost\nSH001,OPEN1,12,1.5\nSH001,OPEN2,4.5,\nZZ002,OPEN1,3,2\n"


@pytest.fixture
def extra_stores(demo):
    from stores.models import Store

    region = f.store("SH001").region
    return [
        Store.objects.create(code=code, name=code, region=region, time_zone="Asia/Shanghai")
        for code in ("ZZ002", "ZZ003")
    ]


def test_opening_stock_posts_receipts_through_the_ledger(demo, fresh):
    result = opening_stock_import(
        user=demo.user("headoffice"), upload=upload(OPENING), file_name="open.csv"
    )
    assert not result.errors and result.created == 3
    level = StockLevel.objects.get(store__code="SH001", product__sku="OPEN1")
    assert level.on_hand == Decimal("12") and level.avg_cost == Decimal("1.5")
    level = StockLevel.objects.get(store__code="SH001", product__sku="OPEN2")
    assert level.on_hand == Decimal("4.5") and level.avg_cost == Decimal("3")  # standard cost
    movement = StockMovement.objects.get(store__code="ZZ002", product__sku="OPEN1")
    assert movement.kind == "receipt" and movement.reference == OPENING_REFERENCE
    assert movement.reason == "Opening stock: open.csv"
    assert movement.created_by == demo.user("headoffice")


def test_opening_stock_reimport_changes_nothing(demo, fresh):
    head = demo.user("headoffice")
    opening_stock_import(user=head, upload=upload(OPENING))
    before = _ledger_state()
    result = opening_stock_import(user=head, upload=upload(OPENING))
    assert not result.errors and (result.created, result.unchanged) == (0, 3)
    assert _ledger_state() == before


def test_opening_stock_with_another_quantity_is_refused(demo, fresh):
    head = demo.user("headoffice")
    opening_stock_import(user=head, upload=upload(OPENING))
    before = _ledger_state()
    changed = OPENING.replace("SH001,OPEN1,12,", "SH001,OPEN1,13,") + "ZZ003,OPEN2,1,1\n"
    result = opening_stock_import(user=head, upload=upload(changed))
    assert [(e.row, e.column) for e in result.errors] == [(2, "quantity")]
    assert "already imported (12 at 1.5)" in result.errors[0].message
    assert _ledger_state() == before  # the new ZZ003 row was not written either


def test_opening_stock_of_a_product_that_already_moved_is_refused(demo, fresh):
    head = demo.user("headoffice")
    stock_movement_post(
        user=head,
        store=f.store("SH001"),
        product=fresh[0],
        kind="receipt",
        quantity=Decimal("1"),
        unit_cost=Decimal("1"),
    )
    before = _ledger_state()
    result = opening_stock_import(user=head, upload=upload(OPENING))
    assert [(e.row, e.column) for e in result.errors] == [(2, "sku")]
    assert "already has stock movements" in result.errors[0].message
    assert _ledger_state() == before


OPENING_BAD = [
    ("SH001,OPEN9,1,1", "sku", "Unknown SKU"),
    ("XX999,OPEN1,1,1", "store", "No such store"),
    ("ZZ003,OPEN1,-2,1", "quantity", "greater than zero"),
    ("ZZ003,OPEN1,0,1", "quantity", "greater than zero"),
    ("ZZ003,OPEN1,two,1", "quantity", "Enter a number"),
    ("ZZ003,OPEN1,1.0001,1", "quantity", "3 decimal places"),
    ("ZZ003,OPEN1,1,-1", "unit_cost", "zero or more"),
    ("SH001,OPEN1,1,1", "sku", "already on row 2"),
    (",OPEN1,1,1", "store", "Enter the store code"),
]


@pytest.mark.parametrize(("row", "column", "message"), OPENING_BAD)
def test_a_bad_opening_row_writes_nothing(demo, fresh, row, column, message):
    before = _ledger_state()
    result = opening_stock_import(user=demo.user("headoffice"), upload=upload(OPENING + row))
    assert (5, column) in [(e.row, e.column) for e in result.errors], result.errors
    assert any(message in e.message for e in result.errors), result.errors
    assert _ledger_state() == before


def test_a_manager_imports_only_their_own_store(demo, fresh):
    manager = demo.user("manager")  # SH001 only
    before = _ledger_state()
    result = opening_stock_import(user=manager, upload=upload(OPENING))
    assert [(e.row, e.column) for e in result.errors] == [(4, "store")]
    assert "No such store" in result.errors[0].message  # another store does not leak
    assert _ledger_state() == before
    own = "store,sku,quantity\nSH001,OPEN1,5\n"
    result = opening_stock_import(user=manager, upload=upload(own))
    assert not result.errors and result.created == 1
    assert StockLevel.objects.get(store__code="SH001", product=fresh[0]).on_hand == 5


@pytest.mark.parametrize("username", ["regional", "staff"])
def test_other_roles_may_not_import_opening_stock(demo, fresh, username):
    with pytest.raises(PermissionDenied):
        opening_stock_import(user=demo.user(username), upload=upload(OPENING))


def test_opening_stock_file_problems(demo, fresh):
    with pytest.raises(ImportRejected) as refused:
        opening_stock_import(user=demo.user("headoffice"), upload=upload("store,sku\nSH001,A\n"))
    assert "Missing column(s): quantity" in refused.value.messages[0]


# --- Pages -------------------------------------------------------------------------------


def _report(response) -> list[list[str]]:
    text = response.content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_catalogue_page_shows_the_row_errors_and_their_report(demo, catalogue_refs, client):
    client.force_login(demo.user("headoffice"))
    url = reverse("inventory:catalogue_import")
    assert client.get(url).status_code == 200
    bad = CATALOGUE + "IMP003,,Bad cost,,imp,each,x,1,,,\n"
    response = client.post(url, {"file": upload(bad)})
    assert response.status_code == 400
    page = response.content.decode()
    assert "The file was not imported: 1 error" in page
    assert "Enter a number." in page and 'data-testid="row-error"' in page
    assert not Product.objects.filter(sku__startswith="IMP").exists()
    report = client.get(reverse("inventory:catalogue_import_errors"))
    assert report.status_code == 200 and report["Content-Type"].startswith("text/csv")
    assert _report(report) == [["row", "column", "message"], ["4", "cost", "Enter a number."]]
    # Fixed and uploaded again: imported, and the report is gone.
    response = client.post(url, {"file": upload(CATALOGUE)}, follow=True)
    assert response.status_code == 200
    assert "2 rows read; 2 created, 0 updated, 0 unchanged." in response.content.decode()
    assert Product.objects.filter(sku__startswith="IMP").count() == 2
    assert _report(client.get(reverse("inventory:catalogue_import_errors"))) == [
        ["row", "column", "message"]
    ]


def test_catalogue_page_file_problem_and_missing_file(demo, catalogue_refs, client):
    client.force_login(demo.user("headoffice"))
    url = reverse("inventory:catalogue_import")
    response = client.post(url, {"file": upload(b"\x00\x01\x02binary", "photo.jpg")})
    assert response.status_code == 400
    assert "This is not a CSV file" in response.content.decode()
    response = client.post(url, {})
    assert response.status_code == 400
    assert response.context["form"].errors["file"]


def test_opening_page_for_a_manager(demo, fresh, client):
    client.force_login(demo.user("manager"))
    url = reverse("inventory:opening_import")
    assert client.get(url).status_code == 200
    response = client.post(url, {"file": upload("store,sku,quantity\nZZ002,OPEN1,5\n")})
    assert response.status_code == 400
    assert "No such store" in response.content.decode()
    assert _report(client.get(reverse("inventory:opening_import_errors")))[1][:2] == [
        "2",
        "store",
    ]
    response = client.post(url, {"file": upload("store,sku,quantity\nSH001,OPEN1,5\n")})
    assert response.status_code == 302
    assert StockLevel.objects.get(store__code="SH001", product=fresh[0]).on_hand == 5


@pytest.mark.parametrize(
    ("name", "allowed"),
    [
        ("inventory:catalogue_import", {"headoffice", "admin"}),
        ("inventory:catalogue_import_errors", {"headoffice", "admin"}),
        ("inventory:opening_import", {"headoffice", "admin", "manager"}),
        ("inventory:opening_import_errors", {"headoffice", "admin", "manager"}),
    ],
)
def test_import_pages_by_role(demo, client, name, allowed):
    url = reverse(name)
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    for username in ["headoffice", "admin", "manager", "regional", "staff"]:
        client.force_login(demo.user(username))
        expected = 200 if username in allowed else 403
        assert client.get(url).status_code == expected, username
        if not name.endswith("errors"):
            posted = client.post(url, {"file": upload("sku\n")})
            assert posted.status_code == (400 if username in allowed else 403), username


# --- Two uploads of the same opening stock at once --------------------------------------


@pytest.mark.django_db(transaction=True)
def test_concurrent_uploads_of_the_same_opening_stock_post_it_once():
    import threading

    from django.contrib.auth import get_user_model
    from django.db import connection

    from stores.models import Region, Store

    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    region = Region.objects.create(code="R", name="R")
    Store.objects.create(code="ZZ001", name="Z", region=region, time_zone="Asia/Shanghai")
    head = get_user_model().objects.create_user("ho", password="x", role="head_office")
    category = f.category("conc")
    for sku in ("C1", "C2", "C3"):
        f.product(sku=sku, category_=category)
    text = "store,sku,quantity,unit_cost\nZZ001,C1,5,1\nZZ001,C2,6,1\nZZ001,C3,7,1\n"
    barrier = threading.Barrier(4)
    results, errors = [], []

    def worker():
        try:
            barrier.wait()
            results.append(opening_stock_import(user=head, upload=upload(text)))
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sorted((r.created, r.unchanged) for r in results) == [(0, 3)] * 3 + [(3, 0)]
    assert StockMovement.objects.filter(reference=OPENING_REFERENCE).count() == 3
    assert sorted(StockLevel.objects.values_list("product__sku", "on_hand")) == [
        ("C1", 5),
        ("C2", 6),
        ("C3", 7),
    ]
