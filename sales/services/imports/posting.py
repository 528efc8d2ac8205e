"""Pass 2, row by row (databases other than PostgreSQL; PostgreSQL takes the set-based
``staging`` path, tested to give the same rows): the file read again, receipts and lines
bulk-inserted in chunks, already imported receipts skipped, sale and customer-return
movements posted through ``stock_movements_post``, the touched store-days'
``DailySales`` recomputed. ``sale_movement`` and ``sale_movement_at`` are the rule both
paths (and the sales demo) follow."""

from __future__ import annotations

import datetime
import zoneinfo
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal

from django.utils.translation import gettext as _

from inventory.models import MovementKind
from inventory.services import MovementSpec, stock_movements_post

from ...models import ImportBatch, Receipt, SalesLine
from ..daily import daily_sales_recompute
from .common import CHUNK, ImportResult, ParsedLine
from .parsing import _Context, _raw_receipt_key, parse_row
from .validation import RowSource, _Validation


def _write(
    rows: RowSource,
    ctx: _Context,
    *,
    user,
    batch: ImportBatch | None,
    channel: str,
    validation: _Validation,
    on_rejected: Callable[[list[str], str], None] | None,
    progress,
) -> ImportResult:
    """Pass 2, inside the caller's transaction."""
    result = ImportResult(rows=validation.rows)
    created: dict[tuple, int] = {}  # receipt key -> id, for receipts made by this import
    existing: set[tuple] = set()  # receipts that were there before: skipped (idempotent)
    touched: set[tuple[int, datetime.date]] = set()
    seen_lines: set[int] = set()
    chunk: list[ParsedLine] = []
    done = 0

    def flush() -> None:
        nonlocal chunk
        if chunk:
            _write_chunk(chunk, ctx, user, batch, channel, created, existing, touched, result)
            chunk = []

    for row, values, raw in rows():
        if row == "header":
            continue
        done += 1
        parsed, errors = parse_row(row, values, ctx)
        bad_receipt = _raw_receipt_key(values) in validation.bad_receipts
        if parsed is not None and not bad_receipt:
            key = hash((*parsed.receipt_key, parsed.line_number))
            if key in seen_lines:
                parsed = None
            seen_lines.add(key)
        if parsed is None or bad_receipt:
            if on_rejected is not None:
                messages = [f"{e.column}: {e.message}" for e in errors] or [
                    _("Another line of this receipt has an error.")
                ]
                on_rejected(raw, "; ".join(messages))
            continue
        chunk.append(parsed)
        if len(chunk) >= CHUNK:
            flush()
            if progress:
                progress(done, validation.rows)
    flush()
    daily_sales_recompute(store_dates=touched)
    result.written = True
    return result


def _write_chunk(chunk, ctx, user, batch, channel, created, existing, touched, result) -> None:
    keys = {line.receipt_key for line in chunk} - set(created) - existing
    if keys:
        stores = {k[0] for k in keys}
        numbers = {k[1] for k in keys}
        dates = {k[2] for k in keys}
        for found in Receipt.objects.filter(
            store_id__in=stores, receipt_number__in=numbers, business_date__in=dates
        ).values_list("store_id", "receipt_number", "business_date"):
            if found in keys:
                existing.add(found)
    new_receipts: dict[tuple, Receipt] = {}
    for line in chunk:
        key = line.receipt_key
        if key in existing or key in created or key in new_receipts:
            continue
        new_receipts[key] = Receipt(
            store_id=line.store_id,
            business_date=line.business_date,
            sold_at=line.sold_at,
            receipt_number=line.receipt_number,
            till=line.till,
            cashier=line.cashier,
            source=channel,
            batch=batch,
        )
    for key, receipt in zip(
        new_receipts, Receipt.objects.bulk_create(new_receipts.values()), strict=True
    ):
        created[key] = receipt.pk
    result.receipts_created += len(new_receipts)
    lines, movements = [], defaultdict(list)
    for line in chunk:
        key = line.receipt_key
        if key in existing:
            result.duplicates += 1
            continue
        lines.append(
            SalesLine(
                receipt_id=created[key],
                line_number=line.line_number,
                sku=line.sku,
                product_id=line.product_id,
                quantity=line.quantity,
                unit_price=line.unit_price,
                discount=line.discount,
                net_amount=line.net_amount,
            )
        )
        touched.add((line.store_id, line.business_date))
        zone_key = ctx.zones[line.store_id].key
        movements[(line.business_date, zone_key)].append(
            sale_movement(
                store_id=line.store_id,
                product_id=line.product_id,
                quantity=line.quantity,
                receipt_number=line.receipt_number,
            )
        )
    SalesLine.objects.bulk_create(lines)
    result.lines_created += len(lines)
    for (date, zone_key), specs in movements.items():
        at = sale_movement_at(date, zoneinfo.ZoneInfo(zone_key))
        stock_movements_post(user=user, movements=specs, at=at, check_scope=False)


def sale_movement(
    *, store_id: int, product_id: int, quantity: Decimal, receipt_number: str
) -> MovementSpec:
    """The stock movement of one receipt line: a sale takes stock out, a return (a
    negative quantity) puts it back; valued at the current average cost."""
    return MovementSpec(
        store_id=store_id,
        product_id=product_id,
        kind=MovementKind.SALE if quantity > 0 else MovementKind.CUSTOMER_RETURN,
        quantity=-quantity,
        reference=f"POS {receipt_number}",
    )


def sale_movement_at(business_date: datetime.date, zone: datetime.tzinfo) -> datetime.datetime:
    """When a receipt line's movement is posted: noon of its business date in the store's
    zone (the ledger dates a movement by the store's business date at that moment)."""
    return datetime.datetime.combine(business_date, datetime.time(12), zone)
