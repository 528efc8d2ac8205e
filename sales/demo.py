"""The sales part of the demo chain (``seed_demo``).

For every open store and each of the last ``days`` days: receipts with lines (a weekday
profile, a gentle seasonality, a store size, a few promotions lifting their products),
some returns, the day's ``DailySales``, a POS import source, two finished import batches,
and this month's chain target split by the weekday profile. Deterministic per seed.

Written with ``bulk_create`` only. The stock ledger's demo sales are simulated by the
inventory demo (``inventory/demo.py``); these receipts do not post movements again.
"""

from __future__ import annotations

import datetime
import math
import random
import zoneinfo
from collections import defaultdict
from decimal import Decimal

from inventory.models import Product
from stores.models import Store

from .models import (
    DailySales,
    ImportBatch,
    ImportSource,
    Method,
    Promotion,
    Receipt,
    SalesLine,
)
from .services.targets import DEFAULT_WEEKDAY_PROFILE, month_target_set

D = Decimal
CENT = D("0.01")
CASHIERS = ["王芳", "李伟", "张敏", "刘洋", "陈静", "Tan Wei Ming", "Siti Aminah", "Somchai K."]


def _weekday_factor(date: datetime.date) -> float:
    return float(DEFAULT_WEEKDAY_PROFILE[date.weekday()])


def _season(date: datetime.date) -> float:
    return 1 + 0.12 * math.sin(2 * math.pi * (date.timetuple().tm_yday - 80) / 365)


def seed_sales(*, chain, skus: int, days: int, seed: int, today: datetime.date) -> dict:
    rng = random.Random(f"sales-{seed}")
    products = list(
        Product.objects.filter(active=True).order_by("pk").values_list("pk", "sku", "retail_price")
    )[: max(skus, 1)]
    stores = [s for s in chain.stores if s.status == Store.Status.OPEN]
    source = ImportSource.objects.create(
        code="demo-pos",
        name="Demo POS export",
        column_mapping={"store": "store_code", "receipt_number": "receipt_no"},
        encoding="utf-8",
    )
    if not products or not stores:
        return {"receipts": 0, "lines": 0}
    users = chain.users
    start = today - datetime.timedelta(days=max(days - 1, 0))
    promotions = _promotions(rng, stores, products, start, today, days)
    promo_lookup = defaultdict(set)  # (store_id, date) -> product ids on promotion
    for promo, store_ids, product_ids in promotions:
        day = promo.start_date
        while day <= promo.end_date:
            for store_id in store_ids:
                promo_lookup[(store_id, day)] |= product_ids
            day += datetime.timedelta(days=1)
    batch_manager = ImportBatch.objects.create(
        source=source,
        channel=ImportBatch.Channel.DEMO,
        uploaded_by=users.get("manager"),
        status=ImportBatch.Status.DONE,
        file_name="pos-export-sh001.csv",
        encoding="utf-8",
        mode=ImportBatch.Mode.ALL_OR_NOTHING,
    )
    batch_head = ImportBatch.objects.create(
        source=source,
        channel=ImportBatch.Channel.DEMO,
        uploaded_by=users.get("headoffice"),
        status=ImportBatch.Status.DONE,
        file_name="pos-export-chain.csv",
        encoding="utf-8",
        mode=ImportBatch.Mode.ALL_OR_NOTHING,
    )
    first_store = chain.stores[0].pk
    receipts, line_specs = [], []
    sizes = {s.pk: rng.uniform(0.7, 1.4) for s in stores}
    base_receipts = max(4, min(40, skus // 2))
    for offset in range(days):
        date = start + datetime.timedelta(days=offset)
        factor = _weekday_factor(date) * _season(date)
        for store in stores:
            if store.opening_date and store.opening_date > date:
                continue
            zone = zoneinfo.ZoneInfo(store.time_zone)
            on_promo = promo_lookup.get((store.pk, date), set())
            count = max(
                1, round(base_receipts * sizes[store.pk] * factor * rng.uniform(0.85, 1.15))
            )
            batch = None
            if date == today:
                batch = batch_manager if store.pk == first_store else batch_head
            for n in range(count):
                minute = rng.randint(9 * 60, 21 * 60 + 30)
                sold_at = datetime.datetime.combine(
                    date, datetime.time(minute // 60, minute % 60, rng.randint(0, 59)), zone
                )
                receipts.append(
                    Receipt(
                        store_id=store.pk,
                        business_date=date,
                        sold_at=sold_at,
                        receipt_number=f"{store.code}-{date:%Y%m%d}-{n + 1:04d}",
                        till=f"T{rng.randint(1, 4)}",
                        cashier=rng.choice(CASHIERS),
                        source=ImportBatch.Channel.DEMO,
                        batch=batch,
                    )
                )
                is_return = rng.random() < 0.03
                lines = []
                for line_number in range(1, rng.choice((1, 1, 2, 2, 3, 4)) + 1):
                    product_id, sku, price = products[rng.randrange(len(products))]
                    price = price if price > 0 else D("9.90")
                    qty = D(rng.choice((1, 1, 1, 2, 2, 3)))
                    if product_id in on_promo:
                        qty += D(rng.choice((1, 1, 2)))
                    discount = D(0)
                    if product_id in on_promo:
                        discount = (price * qty * D("0.20")).quantize(CENT)
                    if is_return and line_number == 1:
                        qty, discount = -D(1), D(0)
                    net = (price * qty - discount).quantize(CENT)
                    lines.append((line_number, sku, product_id, qty, price, discount, net))
                line_specs.append(lines)
    created = Receipt.objects.bulk_create(receipts, batch_size=5000)
    sales_lines = []
    daily: dict[tuple[int, datetime.date], list] = {}
    for receipt, lines in zip(created, line_specs, strict=True):
        key = (receipt.store_id, receipt.business_date)
        totals = daily.setdefault(key, [D(0), set(), D(0), D(0)])
        for line_number, sku, product_id, qty, price, discount, net in lines:
            sales_lines.append(
                SalesLine(
                    receipt_id=receipt.pk,
                    line_number=line_number,
                    sku=sku,
                    product_id=product_id,
                    quantity=qty,
                    unit_price=price,
                    discount=discount,
                    net_amount=net,
                )
            )
            totals[0] += net
            totals[2] += qty
            if qty > 0:
                totals[1].add(receipt.pk)
            else:
                totals[3] -= net
    SalesLine.objects.bulk_create(sales_lines, batch_size=5000)
    DailySales.objects.bulk_create(
        [
            DailySales(
                store_id=store_id,
                business_date=date,
                net_sales=t[0],
                transactions=len(t[1]),
                units=t[2],
                returns_value=t[3],
                footfall=int(len(t[1]) * rng.uniform(2.5, 4.0)),
            )
            for (store_id, date), t in sorted(daily.items())
        ],
        batch_size=5000,
    )
    for batch in (batch_manager, batch_head):
        count = sum(1 for r in created if r.batch_id == batch.pk)
        batch.rows_total = batch.rows_done = count
        batch.receipts_created = count
        batch.finished_at = datetime.datetime.combine(today, datetime.time(23, 30), datetime.UTC)
        batch.save()
    target = _month_target(chain, daily, today)
    return {
        "receipts": len(created),
        "lines": len(sales_lines),
        "promotions": len(promotions),
        "month_target": target.amount if target else None,
    }


def _promotions(rng, stores, products, start, today, days):
    """Up to three week-long promotions in the history (the last ends today): some stores,
    a few products."""
    made = []
    names = [
        ("Spring fresh week / 春季鲜品周", D("15.00")),
        ("Dairy days / 乳品节", D("10.00")),
        ("Snack attack / 零食狂欢", D("20.00")),
    ]
    for i, (name, pct) in enumerate(names):
        first = today - datetime.timedelta(days=6 + i * 12)
        if first < start:
            continue
        # The first store (the demo "manager"'s) takes part in every promotion.
        store_ids = {stores[0].pk} | {s.pk for s in rng.sample(stores, max(1, len(stores) // 2))}
        product_ids = {p[0] for p in rng.sample(products, min(len(products), 3))}
        promo = Promotion.objects.create(
            name=name,
            start_date=first,
            end_date=first + datetime.timedelta(days=6),
            discount_pct=pct,
        )
        promo.stores.set(sorted(store_ids))
        promo.products.set(sorted(product_ids))
        made.append((promo, store_ids, product_ids))
    return made


def _month_target(chain, daily, today):
    """This month's chain target: the recent run rate, plus 5 %, split by weekday."""
    head = chain.users.get("headoffice")
    if head is None or not daily:
        return None
    recent = [v[0] for (_s, d), v in daily.items() if (today - d).days < 28]
    span = min(28, len({d for _s, d in daily}))
    per_day = sum(recent, D(0)) / max(span, 1)
    month = today.replace(day=1)
    month_len = ((month + datetime.timedelta(days=32)).replace(day=1) - month).days
    amount = (per_day * month_len * D("1.05")).quantize(D("100"))
    if amount <= 0:
        return None
    return month_target_set(user=head, month=month, amount=amount, method=Method.WEEKDAY)
