"""``DailySales``: derived from the receipts, recomputed for the touched store-days."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count, DecimalField, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from stores.access import ensure_role, ensure_store_in_scope
from stores.models import Store

from ..models import DailySales, SalesLine
from ..rules import FOOTFALL_RECORDERS

MAX_FOOTFALL = 1_000_000

ZERO = Decimal("0")


# One upsert for the given store-days: their lines aggregated, footfall kept.
_RECOMPUTE_SQL = """
INSERT INTO sales_dailysales (
    store_id, business_date, net_sales, transactions, units, returns_value)
SELECT r.store_id, r.business_date,
       coalesce(sum(l.net_amount), 0),
       count(DISTINCT r.id) FILTER (WHERE l.quantity > 0),
       coalesce(sum(l.quantity), 0),
       coalesce(-sum(l.net_amount) FILTER (WHERE l.quantity < 0), 0)
FROM unnest(%s::integer[], %s::date[]) AS d(store_id, business_date)
JOIN sales_receipt r ON r.store_id = d.store_id AND r.business_date = d.business_date
JOIN sales_salesline l ON l.receipt_id = r.id
GROUP BY r.store_id, r.business_date
ORDER BY r.store_id, r.business_date
ON CONFLICT (store_id, business_date) DO UPDATE SET
    net_sales = EXCLUDED.net_sales, transactions = EXCLUDED.transactions,
    units = EXCLUDED.units, returns_value = EXCLUDED.returns_value
"""


def daily_sales_recompute(*, store_dates: Iterable[tuple[int, datetime.date]]) -> int:
    """Recompute the given (store id, business date) rows from their lines: one
    ``INSERT … SELECT … ON CONFLICT`` on PostgreSQL (one aggregate query and one upsert
    elsewhere); footfall, recorded separately, is kept. Returns rows written."""
    wanted = set(store_dates)
    if not wanted:
        return 0
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            pairs = sorted(wanted)
            cursor.execute(_RECOMPUTE_SQL, [[s for s, _d in pairs], [d for _s, d in pairs]])
            return cursor.rowcount
    stores = {s for s, _d in wanted}
    dates = sorted({d for _s, d in wanted})
    money = DecimalField(max_digits=14, decimal_places=2)
    rows = (
        SalesLine.objects.filter(
            receipt__store_id__in=stores,
            receipt__business_date__gte=dates[0],
            receipt__business_date__lte=dates[-1],
        )
        .values("receipt__store_id", "receipt__business_date")
        .annotate(
            net_sales=Coalesce(Sum("net_amount"), Value(ZERO), output_field=money),
            transactions=Count("receipt", distinct=True, filter=Q(quantity__gt=0)),
            units=Coalesce(Sum("quantity"), Value(ZERO), output_field=money),
            returns_value=Coalesce(
                -Sum("net_amount", filter=Q(quantity__lt=0)), Value(ZERO), output_field=money
            ),
        )
        .order_by()
    )
    objects = [
        DailySales(
            store_id=row["receipt__store_id"],
            business_date=row["receipt__business_date"],
            net_sales=row["net_sales"],
            transactions=row["transactions"],
            units=row["units"],
            returns_value=row["returns_value"],
        )
        for row in rows
        if (row["receipt__store_id"], row["receipt__business_date"]) in wanted
    ]
    DailySales.objects.bulk_create(
        objects,
        update_conflicts=True,
        unique_fields=["store", "business_date"],
        update_fields=["net_sales", "transactions", "units", "returns_value"],
        batch_size=2000,
    )
    return len(objects)


@transaction.atomic
def daily_footfall_record(
    *, user, store: Store, business_date: datetime.date, footfall
) -> DailySales:
    """Record (or correct) a store's footfall for one business date, up to the store's
    today. The day's sales figures are left as the receipts make them; a later
    recompute keeps the footfall."""
    ensure_role(user, FOOTFALL_RECORDERS)
    ensure_store_in_scope(user, store)
    errors = {}
    try:
        count = int(str(footfall).strip())
        if str(count) != str(footfall).strip() or not 0 <= count <= MAX_FOOTFALL:
            raise ValueError
    except (TypeError, ValueError):
        errors["footfall"] = _("A whole number of visitors from 0 to %(max)s.") % {
            "max": MAX_FOOTFALL
        }
    if not isinstance(business_date, datetime.date):
        errors["business_date"] = _("Enter the business date as YYYY-MM-DD.")
    elif business_date > store.business_date():
        errors["business_date"] = _("Footfall is recorded for today or earlier.")
    if errors:
        raise ValidationError(errors)
    row, _created = DailySales.objects.select_for_update().get_or_create(
        store=store, business_date=business_date
    )
    row.footfall = count
    row.save(update_fields=["footfall"])
    return row
