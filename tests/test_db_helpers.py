"""opsdesk.platform.db.bulk_update_values: the same rows as Django's bulk_update, only faster."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection

from inventory.models import Category, Product, StockLevel
from opsdesk.platform.db import bulk_update_values, insert_new
from stores.models import Region, Store

pytestmark = pytest.mark.django_db


def test_updates_only_the_given_rows_and_fields_with_their_types(django_assert_num_queries):
    region = Region.objects.create(code="R", name="R")
    store = Store.objects.create(code="S1", name="S1", region=region, time_zone="Asia/Shanghai")
    category = Category.objects.create(code="c", name="c")
    products = [
        Product.objects.create(sku=f"P{i}", name=f"P{i}", category=category, cost=Decimal(1))
        for i in range(5)
    ]
    levels = [StockLevel.objects.create(store=store, product=p) for p in products]
    at = datetime.datetime(2026, 3, 1, 12, 30, tzinfo=datetime.UTC)
    for i, level in enumerate(levels[:3]):
        level.on_hand = Decimal("-1.5") * (i + 1)  # negative and fractional
        level.avg_cost = Decimal("2.1234")
        level.updated_at = at
    queries = 2 if connection.vendor == "postgresql" else None  # 2 batches of 2 rows
    if queries is not None:
        with django_assert_num_queries(queries):
            bulk_update_values(StockLevel, levels[:3], ["on_hand", "avg_cost"], batch_size=2)
    else:
        bulk_update_values(StockLevel, levels[:3], ["on_hand", "avg_cost"], batch_size=2)
    rows = {lv.product_id: lv for lv in StockLevel.objects.all()}
    for i, level in enumerate(levels):
        saved = rows[level.product_id]
        if i < 3:
            assert saved.on_hand == Decimal("-1.5") * (i + 1)
            assert saved.avg_cost == Decimal("2.1234")
            assert saved.updated_at != at  # not among the fields: untouched
        else:
            assert saved.on_hand == 0 and saved.avg_cost == 0
    bulk_update_values(StockLevel, levels[:1], ["updated_at"])
    assert StockLevel.objects.get(pk=levels[0].pk).updated_at == at
    bulk_update_values(StockLevel, [], ["on_hand"])  # nothing to do, no query


def test_insert_new_returns_only_the_rows_it_inserted(django_assert_num_queries):
    """A row refused by a unique constraint is skipped and left out of the result; the
    others come back with their primary keys, whatever the order the database returns."""
    region = Region.objects.create(code="R", name="R")
    stores = [
        Store.objects.create(code=f"S{i}", name=f"S{i}", region=region, time_zone="UTC")
        for i in range(3)
    ]
    category = Category.objects.create(code="c", name="c")
    product = Product.objects.create(sku="P", name="P", category=category, cost=Decimal(1))
    there = StockLevel.objects.create(store=stores[1], product=product, on_hand=Decimal(7))
    new = [StockLevel(store=s, product=product, on_hand=Decimal(1)) for s in stores]
    with django_assert_num_queries(2):  # 2 batches
        inserted = insert_new(StockLevel, new, key=("store", "product"), batch_size=2)
    assert [level.store_id for level in inserted] == [stores[0].pk, stores[2].pk]
    assert all(level.pk and not level._state.adding for level in inserted)
    assert new[1].pk is None
    saved = dict(StockLevel.objects.values_list("store_id", "on_hand"))
    assert saved == {stores[0].pk: 1, stores[1].pk: 7, stores[2].pk: 1}
    assert StockLevel.objects.get(pk=inserted[1].pk).store_id == stores[2].pk
    assert there.pk not in {level.pk for level in inserted}
    assert insert_new(StockLevel, [], key=("store", "product")) == []
    with pytest.raises(ValueError, match="distinct"):
        insert_new(StockLevel, [new[0], new[0]], key=("store", "product"))
