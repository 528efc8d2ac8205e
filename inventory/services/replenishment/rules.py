"""Reorder rules: demand, supplier terms and the recompute of reorder points."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from opsdesk.platform.db import bulk_update_values
from stores.models import Store

from ...models import (
    MovementKind,
    Product,
    ProductSupplier,
    ReorderRule,
    StockLevel,
    StockMovement,
)
from ...rules import QTY_PLACES, REVIEW_PERIOD_DAYS, VELOCITY_DAYS

ZERO = Decimal("0")

# z of the service level the safety stock covers (1.65 ≈ 95 % of lead-time demand).
SAFETY_Z = Decimal(str(getattr(settings, "INVENTORY_SAFETY_Z", "1.65")))

DEMAND_KINDS = (MovementKind.SALE, MovementKind.CUSTOMER_RETURN)

# Stores whose rules are computed and who may give or get stock: not closed, not planned.
ACTIVE_STORE_STATUSES = (Store.Status.OPEN, Store.Status.TEMPORARILY_CLOSED)

RuleMethod = ReorderRule.Method


def velocity_window(store: Store, *, now: datetime.datetime | None = None):
    """(first, last) business dates of the trailing window: the complete days before the
    store's current business date."""
    last = store.business_date(now) - datetime.timedelta(days=1)
    return last - datetime.timedelta(days=VELOCITY_DAYS - 1), last


def demand_totals(
    stores: list[Store], *, now: datetime.datetime | None = None
) -> dict[tuple[int, int], tuple[Decimal, Decimal]]:
    """{(store id, product id): (Σ daily demand, Σ daily demand²)} over each store's
    window, in one query (days are summed in the database, then squared and summed)."""
    windows: dict[tuple, list[int]] = defaultdict(list)
    for store in stores:
        windows[velocity_window(store, now=now)].append(store.pk)
    if not windows:
        return {}
    table = connection.ops.quote_name(StockMovement._meta.db_table)
    where, params = [], [str(k) for k in DEMAND_KINDS]
    for (first, last), ids in windows.items():
        where.append(
            f"(store_id IN ({', '.join(['%s'] * len(ids))}) AND business_date BETWEEN %s AND %s)"
        )
        params += [*ids, first, last]
    sql = f"""
        SELECT store_id, product_id, SUM(demand), SUM(demand * demand)
        FROM (
            SELECT store_id, product_id, business_date, -SUM(quantity) AS demand
            FROM {table}
            WHERE kind IN (%s, %s) AND ({" OR ".join(where)})
            GROUP BY store_id, product_id, business_date
        ) AS daily
        GROUP BY store_id, product_id
    """  # noqa: S608 - only placeholders and our own table name are interpolated
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {
            (store_id, product_id): (Decimal(str(total)), Decimal(str(total_sq)))
            for store_id, product_id, total, total_sq in cursor.fetchall()
        }


def _q(value: Decimal) -> Decimal:
    return max(value, ZERO).quantize(QTY_PLACES, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class RuleValues:
    velocity: Decimal
    sigma: Decimal
    safety_stock: Decimal
    reorder_point: Decimal
    order_up_to: Decimal


def rule_values(
    *,
    total: Decimal,
    total_sq: Decimal,
    lead_time_days: int,
    window_days: int = VELOCITY_DAYS,
    review_days: int = REVIEW_PERIOD_DAYS,
    z: Decimal = SAFETY_Z,
) -> RuleValues:
    """The reorder rule of one store and product from its window's demand sums."""
    days = Decimal(window_days)
    velocity = max(total / days, ZERO)
    mean = total / days
    variance = max(total_sq / days - mean * mean, ZERO)
    sigma = variance.sqrt()
    lead = Decimal(lead_time_days)
    safety = _q(z * sigma * lead.sqrt())
    reorder_point = _q(velocity * lead + safety)
    order_up_to = max(_q(velocity * (lead + Decimal(review_days)) + safety), reorder_point)
    return RuleValues(velocity, sigma, safety, reorder_point, order_up_to)


def supplier_terms(product_ids=None) -> dict[int, ProductSupplier]:
    """{product id: the terms replenishment orders under}: the preferred terms, else the
    first by supplier code; active suppliers only. One query."""
    terms = ProductSupplier.objects.filter(supplier__active=True).select_related("supplier")
    if product_ids is not None:
        terms = terms.filter(product_id__in=list(product_ids))
    chosen: dict[int, ProductSupplier] = {}
    for term in terms.order_by("product_id", "-preferred", "supplier__code"):
        chosen.setdefault(term.product_id, term)
    return chosen


def lead_time_of(term: ProductSupplier | None) -> int:
    if term is None:
        return 0
    if term.lead_time_days is not None:
        return term.lead_time_days
    return term.supplier.lead_time_days


def reorder_rules_recompute(
    *, store_ids: list[int] | None = None, now: datetime.datetime | None = None
) -> dict[str, int]:
    """Recompute every ``velocity`` rule (and create missing ones) of the given stores, or
    of every active store. A system job: no user, no scope. Running it twice with the
    same ledger changes nothing the second time. Returns counts."""
    stores = Store.objects.filter(status__in=ACTIVE_STORE_STATUSES).order_by("pk")
    if store_ids is not None:
        stores = stores.filter(pk__in=store_ids)
    stores = list(stores)
    ids = [s.pk for s in stores]
    totals = demand_totals(stores, now=now)
    active = set(Product.objects.filter(active=True).values_list("pk", flat=True))
    held = set(
        StockLevel.objects.filter(store__in=ids, product__active=True)
        .exclude(on_hand=0)
        .values_list("store_id", "product_id")
    )
    wanted = held | {key for key in totals if key[1] in active}
    terms = supplier_terms()
    counts = {"created": 0, "updated": 0, "unchanged": 0, "manual": 0}
    with transaction.atomic():
        existing = {
            (rule.store_id, rule.product_id): rule
            for rule in ReorderRule.objects.filter(store__in=ids).select_for_update().order_by("pk")
        }
        changed, new = [], []
        for key in sorted(wanted | set(existing)):
            rule = existing.get(key)
            if rule is not None and rule.method != RuleMethod.VELOCITY:
                counts["manual"] += 1
                continue
            total, total_sq = totals.get(key, (ZERO, ZERO))
            values = rule_values(
                total=total, total_sq=total_sq, lead_time_days=lead_time_of(terms.get(key[1]))
            )
            fields = {
                "reorder_point": values.reorder_point,
                "order_up_to": values.order_up_to,
                "safety_stock": values.safety_stock,
            }
            if rule is None:
                new.append(
                    ReorderRule(
                        store_id=key[0], product_id=key[1], method=RuleMethod.VELOCITY, **fields
                    )
                )
            elif any(getattr(rule, name) != value for name, value in fields.items()):
                for name, value in fields.items():
                    setattr(rule, name, value)
                rule.updated_at = timezone.now()
                changed.append(rule)
            else:
                counts["unchanged"] += 1
        # A rule set by hand meanwhile (a conflict) wins over the new velocity rule.
        ReorderRule.objects.bulk_create(new, batch_size=2000, ignore_conflicts=True)
        bulk_update_values(ReorderRule, changed, RULE_FIELDS)
    counts["created"], counts["updated"] = len(new), len(changed)
    return counts


RULE_FIELDS = ["reorder_point", "order_up_to", "safety_stock", "updated_at"]
