"""The write pass on PostgreSQL, set-based: pass 1 copies each good row, as it parses it,
to a temporary table (``pos_staging``); pass 2 turns that table into receipts, lines,
stock movements and daily sales with a handful of statements, whatever the file's size.

- Receipts: one per (store, receipt number, business date), from its first line in the
  file, inserted in file order; ``ON CONFLICT DO NOTHING`` skips the receipts already in
  the database (idempotent: their lines count as duplicates), also when another import
  commits the same receipt meanwhile.
- Lines: the staged lines of the receipts this import created, in file order.
- Movements: through the ledger's set-based path (``stock_movements_post_input``), one
  per line in file order: ``sale`` / ``customer_return``, quantity = −line quantity,
  dated at noon of the business date in the store's zone (``sale_movement_at``),
  reference ``POS <receipt>``, by the importing user; every touched level locked in
  primary-key order, as ``stock_movements_post`` does.
- ``DailySales`` of the touched store-days: one upsert, last (what
  ``daily_sales_recompute`` computes, with this import's lines read from the staging table).

The process holds one read buffer (64 KB of rows) at most: its memory does not grow with
the file.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.db import connection
from django.utils.translation import gettext as _

from inventory.models import MovementKind
from inventory.services.ledger import (
    LEDGER_INPUT,
    copy_text,
    ledger_input_create,
    stock_movements_post_input,
)

from ...models import ImportBatch
from .common import ImportResult
from .parsing import _Context, _raw_receipt_key, parse_row
from .posting import sale_movement_at
from .validation import _Validation

STAGING = "pos_staging"
NULL = "\\N"


def staging_supported() -> bool:
    """The set-based write needs PostgreSQL (COPY, window functions)."""
    return connection.vendor == "postgresql"


class _Reader:
    """A file for ``copy_expert``: COPY text lines of the rows as they come; it ends
    (reads ``""``) at each progress point, where the next ``COPY`` takes over."""

    def __init__(self, items):
        self.items = items
        self.count = 0
        self.paused_at = None
        self.ended = False
        self.error: Exception | None = None

    def read(self, size: int = 65536) -> str:
        if self.ended:
            self.ended = False
            return ""
        parts, length, text = [], 0, _line_text
        try:
            for number, line in self.items:
                if line is None:
                    self.paused_at = number
                    break
                part = text(number, line)
                parts.append(part)
                length += len(part)
                if length >= size:
                    self.count += len(parts)
                    return "".join(parts)
        except Exception as error:  # e.g. a bad encoding: raised once the COPY is over
            self.error = error
            return ""
        self.count += len(parts)
        if not parts:
            return ""
        self.ended = True
        return "".join(parts)

    def readline(self) -> str:  # not used by COPY, part of the file protocol
        return self.read()


def _line_text(number: int, line: tuple) -> str:
    """One staged row in COPY text format."""
    (
        store_id,
        business_date,
        sold_at,
        receipt,
        till,
        cashier,
        line_number,
        sku,
        product_id,
        quantity,
        unit_price,
        discount,
        net_amount,
    ) = line
    raw = NULL
    if len(receipt) > 64:
        raw, receipt = receipt, receipt[:64]
    text = receipt + till + cashier + sku
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        receipt, till, cashier, sku = map(copy_text, (receipt, till, cashier, sku))
        if raw is not NULL:
            raw = copy_text(raw)
    return (
        f"{number}\t{store_id}\t{business_date}\t{sold_at}\t{receipt}\t{raw}\t{till}\t"
        f"{cashier}\t{line_number}\t{sku}\t{product_id}\t{quantity}\t{unit_price}\t"
        f"{discount}\t{net_amount}\n"
    )


class Stage:
    """The good rows of pass 1, streamed to ``pos_staging``."""

    def __init__(self):
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{STAGING}")
            cursor.execute(
                f"CREATE TEMP TABLE {STAGING} ("
                " row_no integer NOT NULL, store_id integer NOT NULL,"
                " business_date date NOT NULL, sold_at timestamptz NOT NULL,"
                # receipt_number as stored (64 characters); receipt_raw when longer.
                " receipt_number varchar(64) NOT NULL, receipt_raw text,"
                " till varchar(32) NOT NULL, cashier varchar(100) NOT NULL,"
                " line_number integer NOT NULL, sku varchar(32) NOT NULL,"
                " product_id integer NOT NULL, quantity numeric(12, 3) NOT NULL,"
                " unit_price numeric(14, 2) NOT NULL, discount numeric(14, 2) NOT NULL,"
                " net_amount numeric(14, 2) NOT NULL)"
            )
        self.rows = 0

    def copy(self, items: Iterator[tuple[int, tuple | None]], on_pause) -> None:
        """Stream ``items`` ((number, line), or (number, None) at a progress point) to the
        table: one ``COPY`` from one progress point to the next, fed as the rows are
        parsed, so that PostgreSQL stores rows while Python parses the next ones."""
        reader = _Reader(items)
        while True:
            with connection.cursor() as cursor:
                cursor.cursor.copy_expert(f"COPY {STAGING} FROM STDIN", reader, size=65536)
            if reader.error is not None:
                raise reader.error
            if reader.paused_at is None:
                break
            on_pause(reader.paused_at)
            reader.paused_at = None
        self.rows = reader.count

    def drop(self) -> None:
        if connection.connection is not None and not connection.needs_rollback:
            with connection.cursor() as cursor:
                cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{STAGING}")


_DROP_BAD_RECEIPTS = f"""
DELETE FROM {STAGING} s USING unnest(%s::integer[], %s::text[]) AS b(store_id, receipt)
WHERE s.store_id = b.store_id AND coalesce(s.receipt_raw, s.receipt_number) = b.receipt
"""  # noqa: S608

_CREATE_RECEIPTS = f"""
WITH firsts AS (
    SELECT DISTINCT ON (store_id, receipt_number, business_date)
           row_no, store_id, receipt_number, business_date, sold_at, till, cashier
    FROM {STAGING}
    ORDER BY store_id, receipt_number, business_date, row_no
), created AS (
    INSERT INTO sales_receipt (
        store_id, business_date, sold_at, receipt_number, till, cashier, source, batch_id)
    SELECT store_id, business_date, sold_at, receipt_number, till, cashier, %s, %s
    FROM firsts ORDER BY row_no
    ON CONFLICT (store_id, receipt_number, business_date) DO NOTHING
    RETURNING id, store_id, receipt_number, business_date
)
INSERT INTO pos_receipts SELECT id, store_id, receipt_number, business_date FROM created
"""  # noqa: S608

_CREATE_LINES = f"""
INSERT INTO sales_salesline (
    receipt_id, line_number, sku, product_id, quantity, unit_price, discount, net_amount)
SELECT r.id, s.line_number, s.sku, s.product_id, s.quantity, s.unit_price, s.discount,
       s.net_amount
FROM {STAGING} s
JOIN pos_receipts r ON r.store_id = s.store_id AND r.receipt_number = s.receipt_number
 AND r.business_date = s.business_date
ORDER BY s.row_no
"""  # noqa: S608

_STAGE_MOVEMENTS = f"""
INSERT INTO {LEDGER_INPUT} (
    ord, store_id, product_id, kind, quantity, reference, created_at, business_date)
SELECT s.row_no, s.store_id, s.product_id,
       CASE WHEN s.quantity > 0 THEN %s ELSE %s END, -s.quantity,
       left('POS ' || s.receipt_number, 64), d.moved_at, d.ledger_date
FROM {STAGING} s
JOIN pos_receipts r ON r.store_id = s.store_id AND r.receipt_number = s.receipt_number
 AND r.business_date = s.business_date
JOIN unnest(%s::integer[], %s::date[], %s::timestamptz[], %s::date[])
  AS d(store_id, business_date, moved_at, ledger_date)
  ON d.store_id = s.store_id AND d.business_date = s.business_date
"""  # noqa: S608


# ``daily_sales_recompute`` for the store-days this import touched, computed in two parts
# that add up to all their lines: the receipts that were there before (a few per store
# and day, through the lines' index) and this import's (from the staging table, without
# reading back a million lines just written). Footfall is kept. The statement starts with
# its target table, as monitoring shows it (pg_stat_activity keeps the first 1 KB).
_DAILY_SALES = f"""
INSERT INTO sales_dailysales (
    store_id, business_date, net_sales, transactions, units, returns_value)
WITH days AS (
    SELECT DISTINCT store_id, business_date FROM pos_receipts
), parts AS (
    SELECT r.store_id, r.business_date, sum(l.net_amount) AS net_sales,
           count(DISTINCT r.id) FILTER (WHERE l.quantity > 0) AS transactions,
           sum(l.quantity) AS units,
           sum(l.net_amount) FILTER (WHERE l.quantity < 0) AS returns
    FROM days d
    JOIN sales_receipt r ON r.store_id = d.store_id AND r.business_date = d.business_date
    JOIN sales_salesline l ON l.receipt_id = r.id
    WHERE NOT EXISTS (SELECT 1 FROM pos_receipts n WHERE n.id = r.id)
    GROUP BY r.store_id, r.business_date
    UNION ALL
    SELECT s.store_id, s.business_date, sum(s.net_amount),
           count(DISTINCT s.receipt_number) FILTER (WHERE s.quantity > 0),
           sum(s.quantity), sum(s.net_amount) FILTER (WHERE s.quantity < 0)
    FROM {STAGING} s
    JOIN pos_receipts r ON r.store_id = s.store_id AND r.receipt_number = s.receipt_number
     AND r.business_date = s.business_date
    GROUP BY s.store_id, s.business_date
)
SELECT store_id, business_date, coalesce(sum(net_sales), 0), sum(transactions),
       coalesce(sum(units), 0), coalesce(-sum(returns), 0)
FROM parts
GROUP BY store_id, business_date
ORDER BY store_id, business_date
ON CONFLICT (store_id, business_date) DO UPDATE SET
    net_sales = EXCLUDED.net_sales, transactions = EXCLUDED.transactions,
    units = EXCLUDED.units, returns_value = EXCLUDED.returns_value
"""  # noqa: S608


def write_staged(
    stage: Stage,
    ctx: _Context,
    *,
    user,
    batch: ImportBatch | None,
    channel: str,
    validation: _Validation,
    progress,
) -> ImportResult:
    """Pass 2 from the staged rows, inside the caller's transaction."""
    result = ImportResult(rows=validation.rows)
    total = validation.rows

    def step(done: int) -> None:
        if progress:
            progress(done * total // 4, total)

    with connection.cursor() as cursor:
        staged = stage.rows
        cursor.execute(f"ANALYZE {STAGING}")  # temporary tables get no autovacuum statistics
        if validation.bad_receipts:
            # Good-rows mode: a receipt with any bad line is left out whole.
            bad = [
                (ctx.stores[code].pk, number)
                for code, number in validation.bad_receipts
                if code in ctx.stores
            ]
            cursor.execute(_DROP_BAD_RECEIPTS, [[b[0] for b in bad], [b[1] for b in bad]])
            staged -= cursor.rowcount
        cursor.execute("DROP TABLE IF EXISTS pg_temp.pos_receipts")
        cursor.execute(
            "CREATE TEMP TABLE pos_receipts (id bigint NOT NULL, store_id integer,"
            " receipt_number varchar(64), business_date date) ON COMMIT DROP"
        )
        cursor.execute(_CREATE_RECEIPTS, [channel, batch.pk if batch is not None else None])
        result.receipts_created = cursor.rowcount
        cursor.execute("ANALYZE pos_receipts")
        step(1)
        cursor.execute(_CREATE_LINES)
        result.lines_created = cursor.rowcount
        result.duplicates = staged - result.lines_created
        step(2)
        cursor.execute("SELECT DISTINCT store_id, business_date FROM pos_receipts")
        store_days = cursor.fetchall()
    if store_days:
        days = []
        for store_id, business_date in store_days:
            zone = ctx.zones[store_id]
            at = sale_movement_at(business_date, zone)
            days.append((store_id, business_date, at, at.astimezone(zone).date()))
        ledger_input_create()
        with connection.cursor() as cursor:
            cursor.execute(
                _STAGE_MOVEMENTS,
                [
                    MovementKind.SALE.value,
                    MovementKind.CUSTOMER_RETURN.value,
                    *([d[i] for d in days] for i in range(4)),
                ],
            )
        stock_movements_post_input(user=user)
        step(3)
        with connection.cursor() as cursor:
            cursor.execute(_DAILY_SALES)
    result.written = True
    return result


def rejected_rows(rows, validation: _Validation, ctx: _Context, on_rejected) -> None:
    """Good-rows mode: every row of a receipt with a bad line, in file order, with its
    problems (or "another line of this receipt has an error")."""
    for row, values, raw in rows():
        if row == "header" or _raw_receipt_key(values) not in validation.bad_receipts:
            continue
        _parsed, errors = parse_row(row, values, ctx)
        messages = [f"{e.column}: {e.message}" for e in errors] or [
            _("Another line of this receipt has an error.")
        ]
        on_rejected(raw, "; ".join(messages))
