"""Targets: exact splits to the cent, decomposition, adjustments, locking."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Sum
from hypothesis import given, settings
from hypothesis import strategies as st

from sales.models import DailySales, DayTarget, Method, MonthTarget, StoreTarget
from sales.services import (
    month_target_lock,
    month_target_set,
    region_targets_adjust,
    split_exact,
    store_targets_adjust,
    targets_total,
)
from stores.access import OutOfScope
from stores.models import Store

MONTH = datetime.date(2025, 4, 1)


def test_split_exact_examples():
    assert split_exact(Decimal("100.00"), [1, 1, 1]) == [
        Decimal("33.34"),
        Decimal("33.33"),
        Decimal("33.33"),
    ]
    assert split_exact(Decimal("0.05"), [0, 0]) == [Decimal("0.03"), Decimal("0.02")]
    assert split_exact(Decimal("10"), [3, 1]) == [Decimal("7.50"), Decimal("2.50")]
    assert split_exact(Decimal("1.00"), [Decimal("0.3333"), Decimal("0.6667")]) == [
        Decimal("0.33"),
        Decimal("0.67"),
    ]
    with pytest.raises(ValueError):
        split_exact(Decimal("1.001"), [1])


@settings(max_examples=300, deadline=None)
@given(
    cents=st.integers(min_value=0, max_value=10**13),
    weights=st.lists(
        st.decimals(min_value=0, max_value=10**9, places=4, allow_nan=False),
        min_size=1,
        max_size=40,
    ),
)
def test_split_always_sums_exactly_and_is_deterministic(cents, weights):
    total = Decimal(cents) / 100
    parts = split_exact(total, weights)
    assert sum(parts) == total
    assert len(parts) == len(weights)
    assert all(p >= 0 and p == p.quantize(Decimal("0.01")) for p in parts)
    assert parts == split_exact(total, weights)
    # Each part is within a cent of its exact share.
    whole = sum(weights)
    if whole > 0:
        for part, weight in zip(parts, weights, strict=True):
            assert abs(part - total * weight / whole) < Decimal("0.01")


def _check_totals(target):
    totals = targets_total(target)
    assert totals["regions"] == totals["stores"] == totals["days"] == target.amount
    for st_ in StoreTarget.objects.filter(month_target=target):
        assert sum(d.amount for d in st_.days.all()) == st_.amount
    return totals


@pytest.mark.parametrize("method", [Method.EQUAL, Method.WEEKDAY, Method.LAST_YEAR])
def test_month_target_decomposes_exactly(demo, method):
    target = month_target_set(
        user=demo.user("headoffice"), month=MONTH, amount=Decimal("1234567.89"), method=method
    )
    _check_totals(target)
    open_stores = Store.objects.filter(status=Store.Status.OPEN).count()
    assert DayTarget.objects.filter(store_target__month_target=target).count() == 30 * open_stores


def test_last_year_weights_and_fallback(demo):
    stores = list(Store.objects.filter(status=Store.Status.OPEN).order_by("code"))
    a, b = stores[0], stores[1]
    # Last year: a sold 3× what b sold in April; the other stores nothing (equal fallback
    # for stores without history = the mean of those with history).
    for offset in range(30):
        ly = MONTH - datetime.timedelta(days=364) + datetime.timedelta(days=offset)
        DailySales.objects.create(store=a, business_date=ly, net_sales=Decimal("300"))
        DailySales.objects.create(store=b, business_date=ly, net_sales=Decimal("100"))
    target = month_target_set(
        user=demo.user("headoffice"),
        month=MONTH,
        amount=Decimal("100000.00"),
        method=Method.LAST_YEAR,
    )
    _check_totals(target)
    amounts = dict(StoreTarget.objects.filter(month_target=target).values_list("store", "amount"))
    assert amounts[a.pk] == 3 * amounts[b.pk] or abs(amounts[a.pk] - 3 * amounts[b.pk]) <= Decimal(
        "0.03"
    )
    others = [amounts[s.pk] for s in stores[2:]]
    assert max(others) - min(others) <= Decimal("0.01")
    assert abs(others[0] - amounts[a.pk] * 2 / 3) <= Decimal("0.02")  # the mean of 300 and 100


def test_weekday_profile_weights_the_weekend(demo):
    target = month_target_set(
        user=demo.user("headoffice"),
        month=MONTH,
        amount=Decimal("90000.00"),
        method=Method.WEEKDAY,
    )
    store = Store.objects.filter(status=Store.Status.OPEN).order_by("code").first()
    days = {
        d.date: d.amount
        for d in DayTarget.objects.filter(store=store, store_target__month_target=target)
    }
    assert days[datetime.date(2025, 4, 5)] > days[datetime.date(2025, 4, 2)]  # Sat > Wed


def test_only_head_office_sets_and_locks(demo):
    for username in ("regional", "manager", "staff"):
        with pytest.raises(PermissionDenied):
            month_target_set(user=demo.user(username), month=MONTH, amount=100, method="equal")
    with pytest.raises(ValidationError):
        month_target_set(user=demo.user("headoffice"), month=MONTH.replace(day=2), amount=100)
    with pytest.raises(ValidationError):
        month_target_set(user=demo.user("headoffice"), month=MONTH, amount="1.001")


def test_regional_adjusts_within_the_region_total(demo):
    head, regional = demo.user("headoffice"), demo.user("regional")
    target = month_target_set(user=head, month=MONTH, amount=Decimal("100000.00"), method="equal")
    region = demo.regions[0]
    rows = list(
        StoreTarget.objects.filter(month_target=target, store__region=region).order_by("pk")
    )
    first, second = rows[0], rows[1]
    # Moving 500 from one store to another keeps the total: accepted.
    store_targets_adjust(
        user=regional,
        target=target,
        region=region,
        amounts={first.store_id: first.amount + 500, second.store_id: second.amount - 500},
    )
    first.refresh_from_db()
    assert sum(d.amount for d in first.days.all()) == first.amount
    _check_totals(target)
    # A change that breaks the region's total is refused, and nothing changes.
    with pytest.raises(ValidationError, match="must add up to"):
        store_targets_adjust(
            user=regional, target=target, region=region, amounts={first.store_id: Decimal("1")}
        )
    _check_totals(target)
    # Another region is out of the regional's scope: 404.
    with pytest.raises(OutOfScope):
        store_targets_adjust(user=regional, target=target, region=demo.regions[1], amounts={})
    with pytest.raises(PermissionDenied):
        store_targets_adjust(user=demo.user("manager"), target=target, region=region, amounts={})


def test_head_office_moves_target_between_regions(demo):
    head = demo.user("headoffice")
    target = month_target_set(user=head, month=MONTH, amount=Decimal("99999.99"), method="weekday")
    rows = {r.region_id: r.amount for r in target.regions.all()}
    ids = sorted(rows)
    region_targets_adjust(
        user=head,
        target=target,
        amounts={
            ids[0]: rows[ids[0]] - Decimal("1000.01"),
            ids[1]: rows[ids[1]] + Decimal("1000.01"),
        },
    )
    _check_totals(target)
    region_sum = sum(
        s.amount for s in StoreTarget.objects.filter(month_target=target, store__region_id=ids[0])
    )
    assert region_sum == rows[ids[0]] - Decimal("1000.01")


def test_locked_target_is_not_editable(demo):
    head = demo.user("headoffice")
    target = month_target_set(user=head, month=MONTH, amount=Decimal("5000"), method="equal")
    month_target_lock(user=head, target=target)
    with pytest.raises(ValidationError, match="locked"):
        month_target_set(user=head, month=MONTH, amount=Decimal("6000"), method="equal")
    with pytest.raises(ValidationError, match="locked"):
        store_targets_adjust(
            user=demo.user("regional"), target=target, region=demo.regions[0], amounts={}
        )
    month_target_lock(user=head, target=target, locked=False)
    month_target_set(user=head, month=MONTH, amount=Decimal("6000"), method="equal")
    assert MonthTarget.objects.get(month=MONTH).amount == Decimal("6000")
    _check_totals(MonthTarget.objects.get(month=MONTH))


@pytest.mark.django_db(transaction=True)
def test_a_new_month_set_while_another_setting_is_uncommitted_waits_and_resets_it(
    transactional_db, demo
):
    """Head office and an admin set the same new month at once (the API contract run does
    exactly this): the second waits for the first and resets its split; neither fails."""
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent connections (PostgreSQL)")
    inserted, release = threading.Event(), threading.Event()
    errors = []

    def first():
        try:
            with transaction.atomic():
                month_target_set(user=demo.user("admin"), month=MONTH, amount=100, method="equal")
                inserted.set()
                release.wait(timeout=10)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            inserted.set()
            connection.close()

    thread = threading.Thread(target=first)
    thread.start()
    assert inserted.wait(timeout=20)
    threading.Timer(0.5, release.set).start()  # commit once the second is waiting on it
    with transaction.atomic():
        with connection.cursor() as cursor:  # fail, never hang, if the first never commits
            cursor.execute("SET LOCAL lock_timeout = '30s'")
        target = month_target_set(
            user=demo.user("headoffice"), month=MONTH, amount=Decimal("250000.00"), method="equal"
        )
    thread.join(timeout=30)
    assert not thread.is_alive()
    assert errors == []
    assert MonthTarget.objects.get(month=MONTH).amount == Decimal("250000.00")
    assert target.set_by == demo.user("headoffice")
    assert StoreTarget.objects.filter(month_target=target).aggregate(s=Sum("amount"))["s"] == (
        Decimal("250000.00")
    )
