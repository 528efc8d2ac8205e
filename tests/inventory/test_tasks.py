"""Daily stock snapshots: the service, the per-store task and the 15-minute beat sweep."""

import datetime
from decimal import Decimal

from inventory.models import MovementKind, StockLevel, StockSnapshot, StockSnapshotRun
from inventory.services import stock_movement_post, stock_snapshot_take, stores_due_for_snapshot
from inventory.tasks import snapshot_due_stores, snapshot_store
from opsdesk.celery import app
from stores.models import OpeningHours, Store

from . import factories as f

D = Decimal


def _rows(store, date):
    return sorted(
        StockSnapshot.objects.filter(store=store, business_date=date).values_list(
            "product_id", "on_hand", "avg_cost", "value", "last_sold_on"
        )
    )


def test_past_date_snapshot_is_recomputed_from_the_ledger_identically(demo):
    """The demo wrote a snapshot per day from its simulation; the service, run again
    for a past date from the ledger, gives exactly the same rows, their last sale date
    included (and is idempotent)."""
    store = f.store("SH001")
    date = StockSnapshot.objects.filter(store=store).order_by("business_date")[5].business_date
    seeded = _rows(store, date)
    assert seeded
    assert any(row[-1] == date for row in seeded)  # the demo sells every day
    assert stock_snapshot_take(store_id=store.pk, business_date=date) == len(seeded)
    assert _rows(store, date) == seeded
    stock_snapshot_take(store_id=store.pk, business_date=date)
    assert _rows(store, date) == seeded
    assert StockSnapshotRun.objects.filter(store=store, business_date=date).count() == 1


def test_past_date_ignores_later_movements_and_today_uses_the_levels(demo):
    head, store, product = demo.user("headoffice"), f.store("SH001"), f.product(cost="2")
    today = store.business_date()
    yesterday = today - datetime.timedelta(days=1)
    at_yesterday = datetime.datetime.combine(yesterday, datetime.time(12), tzinfo=store.tz)
    stock_movement_post(
        user=head,
        store=store,
        product=product,
        kind=MovementKind.RECEIPT,
        quantity=D("10"),
        unit_cost=D("2"),
        at=at_yesterday,
    )
    stock_movement_post(
        user=head,
        store=store,
        product=product,
        kind=MovementKind.RECEIPT,
        quantity=D("10"),
        unit_cost=D("4"),
    )
    stock_snapshot_take(store_id=store.pk, business_date=yesterday)
    snap = StockSnapshot.objects.get(store=store, product=product, business_date=yesterday)
    assert (snap.on_hand, snap.avg_cost, snap.value) == (D("10"), D("2"), D("20"))
    snapshot_store.delay(store.pk, today.isoformat())  # the task takes ids and an ISO date
    snap = StockSnapshot.objects.get(store=store, product=product, business_date=today)
    assert (snap.on_hand, snap.avg_cost, snap.value) == (D("20"), D("3"), D("60"))
    levels = StockLevel.objects.filter(store=store).count()
    assert StockSnapshot.objects.filter(store=store, business_date=today).count() == levels


def test_due_stores_follow_each_store_close(demo):
    store = f.store("SH001")
    OpeningHours.objects.filter(store=store).update(closes=datetime.time(22, 0))
    shanghai = store.tz
    before_close = datetime.datetime(2030, 1, 7, 21, 0, tzinfo=shanghai)  # a Monday
    after_close = datetime.datetime(2030, 1, 7, 22, 15, tzinfo=shanghai)
    due = dict(stores_due_for_snapshot(before_close))
    assert due[store.pk] == datetime.date(2030, 1, 6)
    due = dict(stores_due_for_snapshot(after_close))
    assert due[store.pk] == datetime.date(2030, 1, 7)
    assert Store.objects.get(code="KL012").pk not in due  # planned: nothing to snapshot
    StockSnapshotRun.objects.create(store=store, business_date=datetime.date(2030, 1, 7))
    assert store.pk not in dict(stores_due_for_snapshot(after_close))


def test_beat_task_snapshots_every_due_store_once(demo, django_assert_max_num_queries):
    StockSnapshotRun.objects.all().delete()  # as if no snapshot had run yet
    queued = snapshot_due_stores.delay().get()
    assert queued == Store.objects.exclude(status="planned").count()
    assert snapshot_due_stores.delay().get() == 0  # done: nothing is queued again
    with django_assert_max_num_queries(3):
        stores_due_for_snapshot()


def test_beat_schedule_has_the_snapshot_sweep():
    entry = app.conf.beat_schedule["inventory-snapshot-due-stores"]
    assert entry["task"] == "inventory.tasks.snapshot_due_stores"
    assert sorted(entry["schedule"].minute) == [7, 22, 37, 52]
