"""The inventory admin: head office looks at the ledger, documents, snapshots and
replenishment batches read-only; their changes go through the services."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from inventory.models import (
    PurchaseOrder,
    ReorderRule,
    ReplenishmentBatch,
    StockCount,
    StockLevel,
    StockMovement,
    StockSnapshot,
    StockSnapshotRun,
    StockSnapshotSummary,
    Transfer,
)
from opsdesk.platform.accounts.models import User
from opsdesk.platform.accounts.services import user_sync_role_access
from stores.models import Store

READ_ONLY = [
    StockMovement,
    StockLevel,
    PurchaseOrder,
    Transfer,
    StockCount,
    StockSnapshot,
    StockSnapshotRun,
    StockSnapshotSummary,
    ReplenishmentBatch,
]


def _url(model, action, *args):
    meta = model._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_{action}", args=args)


@pytest.fixture
def head(demo, client):
    user = user_sync_role_access(user=User.objects.get(username="headoffice"))
    client.force_login(user)
    return user


def test_head_office_sees_inventory_records_read_only(head, client):
    store = Store.objects.order_by("code").first()
    level = StockLevel.objects.filter(store=store).select_related("product").first()
    day = datetime.date(2020, 1, 1)  # before the demo's history
    snapshot = StockSnapshot.objects.create(
        store=store,
        product=level.product,
        business_date=day,
        on_hand=Decimal("4"),
        avg_cost=Decimal("2"),
        value=Decimal("8"),
    )
    StockSnapshotSummary.objects.create(
        store=store, business_date=day, skus=1, on_hand=Decimal("4"), value=Decimal("8")
    )
    StockSnapshotRun.objects.create(store=store, business_date=day, rows=1)
    batch = ReplenishmentBatch.objects.create(store=store, key="admin-test", created_by=head)
    for model in READ_ONLY:
        page = client.get(_url(model, "changelist"))
        assert page.status_code == 200, model
        assert client.get(_url(model, "add")).status_code == 403, model
    page = client.get(_url(StockSnapshot, "change", snapshot.pk))
    assert page.status_code == 200 and level.product.sku in page.text
    assert 'name="_save"' not in page.text  # a view page, no save button
    assert client.get(_url(ReplenishmentBatch, "change", batch.pk)).status_code == 200
    # A forged change or delete is refused and changes nothing.
    refused = client.post(_url(StockLevel, "change", level.pk), {"on_hand": "999"})
    assert refused.status_code == 403
    gone = client.post(_url(StockSnapshot, "delete", snapshot.pk), {"post": "yes"})
    assert gone.status_code == 403
    level_after = StockLevel.objects.get(pk=level.pk)
    assert level_after.on_hand == level.on_hand
    assert StockSnapshot.objects.filter(pk=snapshot.pk).exists()


def test_head_office_only_views_reorder_rules_in_the_admin(head, client):
    # Head office sets reorder rules on the replenishment pages, where their validation
    # lives; the admin shows them.
    assert client.get(_url(ReorderRule, "changelist")).status_code == 200
    assert client.get(_url(ReorderRule, "add")).status_code == 403


@pytest.mark.parametrize("username", ["manager", "staff", "regional"])
def test_store_roles_cannot_open_the_inventory_admin(demo, client, username):
    client.force_login(User.objects.get(username=username))
    response = client.get(_url(StockMovement, "changelist"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
