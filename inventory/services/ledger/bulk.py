"""Set-based posting of many movements through a staging table (imports)."""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterable

from django.db import connection, transaction
from django.utils import timezone

from ...models import (
    COST_BEARING_KINDS,
)
from .posting import MovementSpec, _checked, _clean, stock_movements_post

LEDGER_INPUT = "ledger_input"

_INPUT_COLUMNS = (
    "ord",
    "store_id",
    "product_id",
    "kind",
    "quantity",
    "unit_cost",
    "reference",
    "reason",
    "created_at",
    "business_date",
)

_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_text(value: str) -> str:
    """A text value for ``COPY … FROM`` in text format."""
    return value.translate(_COPY_ESCAPES)


def ledger_input_create() -> None:
    """Create the (empty) temporary table of movements to post, dropped at commit:
    ``ord`` (the order of application), store, product, kind, signed quantity, unit cost
    (``NULL``: the current average; only a sale's POS cost is kept), reference, reason,
    ``created_at`` and the store's ``business_date`` of it. Inside a transaction."""
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{LEDGER_INPUT}")
        cursor.execute(
            f"CREATE TEMP TABLE {LEDGER_INPUT} ("
            "ord bigint NOT NULL, store_id integer NOT NULL, product_id integer NOT NULL,"
            " kind varchar(24) NOT NULL, quantity numeric(12, 3) NOT NULL,"
            " unit_cost numeric(12, 4), reference varchar(64) NOT NULL DEFAULT '',"
            " reason varchar(200) NOT NULL DEFAULT '', created_at timestamptz NOT NULL,"
            " business_date date NOT NULL) ON COMMIT DROP"
        )


_CREATE_LEVELS_SQL = f"""
INSERT INTO inventory_stocklevel (store_id, product_id, on_hand, avg_cost, updated_at)
SELECT DISTINCT store_id, product_id, 0, 0, now() FROM {LEDGER_INPUT}
ORDER BY store_id, product_id
ON CONFLICT (store_id, product_id) DO NOTHING
"""  # noqa: S608

_LOCK_LEVELS_SQL = f"""
SELECT count(*) FROM (
    SELECT l.id FROM inventory_stocklevel l
    JOIN (SELECT DISTINCT store_id, product_id FROM {LEDGER_INPUT}) k
      ON k.store_id = l.store_id AND k.product_id = l.product_id
    ORDER BY l.id FOR UPDATE OF l
) locked
"""  # noqa: S608

_POST_INPUT_SQL = f"""
WITH running AS (
    SELECT i.ord, i.store_id, i.product_id, i.kind, i.quantity, i.reference, i.reason,
           i.created_at, i.business_date, l.avg_cost AS avg_before, p.cost AS standard,
           CASE WHEN i.kind = 'sale' AND i.unit_cost IS NOT NULL THEN i.unit_cost
                WHEN l.avg_cost > 0 THEN l.avg_cost ELSE p.cost END AS unit_cost,
           l.on_hand + sum(i.quantity) OVER w AS on_hand_after
    FROM {LEDGER_INPUT} i
    JOIN inventory_stocklevel l ON l.store_id = i.store_id AND l.product_id = i.product_id
    JOIN inventory_product p ON p.id = i.product_id
    WINDOW w AS (PARTITION BY i.store_id, i.product_id ORDER BY i.ord ROWS UNBOUNDED PRECEDING)
), applied AS (
    SELECT running.*,
           CASE WHEN avg_before > 0 THEN avg_before
                WHEN bool_or(quantity > 0 AND on_hand_after - quantity <= 0) OVER w
                THEN standard ELSE 0 END AS avg_after,
           row_number() OVER (PARTITION BY store_id, product_id ORDER BY ord DESC) AS from_last
    FROM running
    WINDOW w AS (PARTITION BY store_id, product_id ORDER BY ord ROWS UNBOUNDED PRECEDING)
), moved AS (
    INSERT INTO inventory_stockmovement (
        store_id, product_id, kind, quantity, unit_cost, on_hand_after, avg_cost_after,
        reference, reason, created_by_id, created_at, business_date)
    SELECT store_id, product_id, kind, quantity, unit_cost, on_hand_after, avg_after,
           reference, reason, %s, created_at, business_date
    FROM applied ORDER BY store_id, product_id, ord
    RETURNING 1
), levels AS (
    UPDATE inventory_stocklevel l
    SET on_hand = a.on_hand_after, avg_cost = a.avg_after, updated_at = a.created_at
    FROM applied a
    WHERE a.from_last = 1 AND l.store_id = a.store_id AND l.product_id = a.product_id
    RETURNING 1
)
SELECT (SELECT count(*) FROM moved), (SELECT count(*) FROM levels)
"""  # noqa: S608


def stock_movements_post_input(*, user) -> int:
    """Post the movements of ``ledger_input`` (see ``ledger_input_create``) set-based,
    with the results of ``stock_movements_post``; returns how many were posted.

    The caller has checked them as ``stock_movements_post`` does (kinds, signs, at most 3
    decimals, stores and products that exist, scope, business dates); receipts and
    transfers in (which bring their own cost) are refused. Inside a transaction.
    """
    created_by = user.pk if user is not None and user.is_authenticated else None
    bearing = tuple(str(kind) for kind in COST_BEARING_KINDS)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT 1 FROM {LEDGER_INPUT} WHERE kind IN %s LIMIT 1",  # noqa: S608
            [bearing],
        )
        if cursor.fetchone():
            raise ValueError("Receipts and transfers in are posted by stock_movements_post.")
        cursor.execute(f"ANALYZE {LEDGER_INPUT}")  # a temporary table: no autovacuum
        # Missing levels first, race-free; then every touched level locked in pk order.
        cursor.execute(_CREATE_LEVELS_SQL)
        cursor.execute(_LOCK_LEVELS_SQL)
        cursor.execute(_POST_INPUT_SQL, [created_by])
        (posted, _levels) = cursor.fetchone()
    return posted


def stock_movements_post_bulk(
    *,
    user,
    movements: Iterable[MovementSpec],
    at: datetime.datetime | None = None,
    check_scope: bool = True,
) -> int:
    """``stock_movements_post`` for many movements: the same checks, rows and levels,
    without building a model instance per movement; returns how many were posted.

    On PostgreSQL, movements valued at the current average are copied to a temporary
    table and posted set-based (``stock_movements_post_input``); receipts and transfers
    in, and other databases, go through ``stock_movements_post``.
    """
    specs = [_clean(spec) for spec in movements]
    if not specs:
        return 0
    if connection.vendor != "postgresql" or any(s.kind in COST_BEARING_KINDS for s in specs):
        return len(stock_movements_post(user=user, movements=specs, at=at, check_scope=check_scope))
    at = at or timezone.now()
    _costs, business_dates = _checked(specs, user=user, at=at, check_scope=check_scope)
    moment = at.isoformat()
    buffer = io.StringIO()
    for ord_, spec in enumerate(specs):
        cost = "\\N" if spec.unit_cost is None else str(spec.unit_cost)
        buffer.write(
            f"{ord_}\t{spec.store_id}\t{spec.product_id}\t{spec.kind}\t{spec.quantity}\t"
            f"{cost}\t{copy_text(spec.reference[:64])}\t{copy_text(spec.reason[:200])}\t"
            f"{moment}\t{business_dates[spec.store_id].isoformat()}\n"
        )
    buffer.seek(0)
    with transaction.atomic():
        ledger_input_create()
        with connection.cursor() as cursor:
            cursor.cursor.copy_expert(
                f"COPY {LEDGER_INPUT} ({', '.join(_INPUT_COLUMNS)}) FROM STDIN", buffer
            )
        return stock_movements_post_input(user=user)
