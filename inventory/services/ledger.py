"""The stock ledger: every change to stock on hand goes through ``stock_movements_post``.

Rules (docs/inventory.md):

- A movement is append-only. Its quantity is signed: positive for receipts, customer
  returns and transfers in; negative for sales, returns to supplier, transfers out and
  write-offs; either sign (not zero) for count adjustments.
- The level of the (store, product) is changed in the same transaction, under
  ``SELECT … FOR UPDATE`` of the level row. Levels are created race-free first
  (``INSERT … ON CONFLICT DO NOTHING``), then every level the call touches is locked in
  primary-key order, so two calls never deadlock.
- Cost is the moving weighted average: a receipt or transfer in blends its unit cost into
  the average; every other movement is valued at the current average.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from opsdesk.platform.db import bulk_update_values
from stores.access import ensure_store_in_scope
from stores.models import Store

from ..models import (
    COST_BEARING_KINDS,
    INBOUND_KINDS,
    OUTBOUND_KINDS,
    MovementKind,
    Product,
    StockLevel,
    StockMovement,
)
from ..rules import COST_PLACES, QTY_PLACES

ZERO = Decimal("0")


@dataclass
class MovementSpec:
    """One movement to post. ``unit_cost`` is required for receipts and transfers in;
    for a sale it may carry the POS feed's cost; otherwise the current average is used."""

    store_id: int
    product_id: int
    kind: str
    quantity: Decimal
    unit_cost: Decimal | None = None
    reference: str = ""
    reason: str = ""
    extra: dict = field(default_factory=dict)


def quantize_cost(value: Decimal) -> Decimal:
    return value.quantize(COST_PLACES, rounding=ROUND_HALF_UP)


def apply_movement(
    on_hand: Decimal, avg_cost: Decimal, kind: str, quantity: Decimal, unit_cost: Decimal
) -> tuple[Decimal, Decimal]:
    """The level after one movement: the rule shared by posting and by check_stock."""
    new_on_hand = on_hand + quantity
    new_avg = avg_cost
    if quantity > 0 and kind in COST_BEARING_KINDS:
        if on_hand <= 0:
            new_avg = unit_cost
        else:
            new_avg = quantize_cost((on_hand * avg_cost + quantity * unit_cost) / new_on_hand)
    elif quantity > 0 and on_hand <= 0 and avg_cost == 0:
        # First stock of a product that never had a cost (e.g. a found item counted in).
        new_avg = unit_cost
    return new_on_hand, quantize_cost(new_avg)


def _clean_quantity(value, kind: str) -> Decimal:
    try:
        quantity = Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationError({"quantity": _("Enter a number.")}) from None
    if not quantity.is_finite():
        raise ValidationError({"quantity": _("Enter a number.")})
    if quantity != quantity.quantize(QTY_PLACES):
        raise ValidationError({"quantity": _("At most 3 decimal places.")})
    if quantity == 0:
        raise ValidationError({"quantity": _("A movement cannot be zero.")})
    if kind in INBOUND_KINDS and quantity < 0:
        raise ValidationError(
            {"quantity": _("This kind of movement adds stock: use a positive quantity.")}
        )
    if kind in OUTBOUND_KINDS and quantity > 0:
        raise ValidationError(
            {"quantity": _("This kind of movement removes stock: use a negative quantity.")}
        )
    if abs(quantity) >= Decimal("1e9"):
        raise ValidationError({"quantity": _("Quantity is too large.")})
    return quantity.quantize(QTY_PLACES)


def _clean_cost(value) -> Decimal:
    try:
        cost = Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationError({"unit_cost": _("Enter a number.")}) from None
    if not cost.is_finite() or cost < 0 or cost >= Decimal("1e8"):
        raise ValidationError({"unit_cost": _("Enter a cost of zero or more.")})
    return quantize_cost(cost)


def _clean(spec: MovementSpec) -> MovementSpec:
    if spec.kind not in MovementKind.values:
        raise ValidationError({"kind": _("Unknown movement kind.")})
    spec.quantity = _clean_quantity(spec.quantity, spec.kind)
    if spec.unit_cost is not None:
        spec.unit_cost = _clean_cost(spec.unit_cost)
    elif spec.kind in COST_BEARING_KINDS:
        raise ValidationError({"unit_cost": _("A receipt needs its unit cost.")})
    return spec


def stock_levels_lock(keys: Iterable[tuple[int, int]]) -> dict[tuple[int, int], StockLevel]:
    """Create any missing level rows race-free, then lock them all in primary-key order.

    Must run inside a transaction. Returns {(store_id, product_id): level}.
    """
    keys = sorted(set(keys))
    if not keys:
        return {}
    StockLevel.objects.bulk_create(
        [StockLevel(store_id=s, product_id=p) for s, p in keys], ignore_conflicts=True
    )
    by_store: dict[int, list[int]] = {}
    for store_id, product_id in keys:
        by_store.setdefault(store_id, []).append(product_id)
    condition = Q()
    for store_id, product_ids in by_store.items():
        condition |= Q(store_id=store_id, product_id__in=product_ids)
    levels = StockLevel.objects.select_for_update().filter(condition).order_by("pk")
    return {(level.store_id, level.product_id): level for level in levels}


def _checked(
    specs: list[MovementSpec], *, user, at: datetime.datetime, check_scope: bool
) -> tuple[dict[int, Decimal], dict[int, datetime.date]]:
    """Scope, stores and products of cleaned specs: (product costs, business dates)."""
    store_ids = {spec.store_id for spec in specs}
    if check_scope:
        for store_id in sorted(store_ids):
            ensure_store_in_scope(user, store_id)
    stores = Store.objects.in_bulk(store_ids)
    if len(stores) != len(store_ids):
        raise ValidationError({"store": _("No such store.")})
    product_ids = {spec.product_id for spec in specs}
    product_costs = dict(Product.objects.filter(pk__in=product_ids).values_list("pk", "cost"))
    if len(product_costs) != len(product_ids):
        raise ValidationError({"product": _("No such product.")})
    business_dates = {store_id: stores[store_id].business_date(at) for store_id in store_ids}
    return product_costs, business_dates


def stock_movements_post(
    *,
    user,
    movements: Iterable[MovementSpec],
    at: datetime.datetime | None = None,
    check_scope: bool = True,
) -> list[StockMovement]:
    """Post movements atomically: all or none, levels updated under row locks.

    ``user`` is who posts (``None`` for a system job such as the POS import, which then
    passes ``check_scope=False``); with a user, each store must be in their scope.
    """
    specs = [_clean(spec) for spec in movements]
    if not specs:
        return []
    at = at or timezone.now()
    product_costs, business_dates = _checked(specs, user=user, at=at, check_scope=check_scope)
    created_by = user if user is not None and user.is_authenticated else None

    with transaction.atomic():
        levels = stock_levels_lock((spec.store_id, spec.product_id) for spec in specs)
        rows = []
        for spec in specs:
            level = levels[(spec.store_id, spec.product_id)]
            unit_cost = spec.unit_cost
            if unit_cost is None or spec.kind not in (*COST_BEARING_KINDS, MovementKind.SALE):
                # Valued at the current average (the standard cost for a never-costed item).
                unit_cost = level.avg_cost if level.avg_cost > 0 else product_costs[spec.product_id]
                unit_cost = quantize_cost(unit_cost)
            level.on_hand, level.avg_cost = apply_movement(
                level.on_hand, level.avg_cost, spec.kind, spec.quantity, unit_cost
            )
            rows.append(
                StockMovement(
                    store_id=spec.store_id,
                    product_id=spec.product_id,
                    kind=spec.kind,
                    quantity=spec.quantity,
                    unit_cost=unit_cost,
                    on_hand_after=level.on_hand,
                    avg_cost_after=level.avg_cost,
                    reference=spec.reference[:64],
                    reason=spec.reason[:200],
                    created_by=created_by,
                    created_at=at,
                    business_date=business_dates[spec.store_id],
                )
            )
        created = StockMovement.objects.bulk_create(rows)
        touched = list(levels.values())
        for level in touched:
            level.updated_at = at
        bulk_update_values(StockLevel, touched, ["on_hand", "avg_cost", "updated_at"])
    return created


def stock_movement_post(
    *,
    user,
    store: Store | int,
    product: Product | int,
    kind: str,
    quantity: Decimal,
    unit_cost: Decimal | None = None,
    reference: str = "",
    reason: str = "",
    at: datetime.datetime | None = None,
    check_scope: bool = True,
) -> StockMovement:
    """Post one movement (see ``stock_movements_post``)."""
    spec = MovementSpec(
        store_id=getattr(store, "pk", store),
        product_id=getattr(product, "pk", product),
        kind=kind,
        quantity=quantity,
        unit_cost=unit_cost,
        reference=reference,
        reason=reason,
    )
    (movement,) = stock_movements_post(user=user, movements=[spec], at=at, check_scope=check_scope)
    return movement


# --- Set-based posting (PostgreSQL): the POS import's path ------------------------
#
# The same rules as ``stock_movements_post`` for the movements valued at the current
# average (every kind but receipts and transfers in), computed by PostgreSQL over a
# temporary table of movements instead of row by row in Python: missing levels created
# race-free, every touched level locked in primary-key order, each movement's level after
# it from a running sum in input order, the levels updated once, the movements inserted
# grouped by store and product, each group in input order (ids follow the order of
# application per store and product, as the ledger requires; the grouped order keeps the
# inserts into the (store, product, id) index local, which matters for a million rows).
#
# Average-valued movements never change an average above zero: a movement's unit cost
# is the level's average (the standard cost while it is zero; a sale may bring the POS
# feed's cost) and the average becomes the standard cost at the first inbound movement
# made while on hand is zero or negative (``apply_movement``). Tested for equality with
# ``stock_movements_post`` in tests/inventory/test_services.py.

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


# --- Rebuilding levels from the ledger (check_stock) -------------------------------


@dataclass(frozen=True)
class LevelDifference:
    store_id: int
    product_id: int
    on_hand: Decimal | None  # the level's, None when it has no row
    avg_cost: Decimal | None
    expected_on_hand: Decimal
    expected_avg_cost: Decimal


def ledger_replay(store_id: int) -> Iterator[tuple[int, Decimal, Decimal]]:
    """(product_id, on_hand, avg_cost) of one store, replayed from its movements in order."""
    rows = (
        StockMovement.objects.filter(store_id=store_id)
        .order_by("product_id", "id")
        .values_list("product_id", "kind", "quantity", "unit_cost")
        .iterator(chunk_size=5000)
    )
    current, on_hand, avg = None, ZERO, ZERO
    for product_id, kind, quantity, unit_cost in rows:
        if product_id != current:
            if current is not None:
                yield current, on_hand, avg
            current, on_hand, avg = product_id, ZERO, ZERO
        on_hand, avg = apply_movement(on_hand, avg, kind, quantity, unit_cost)
    if current is not None:
        yield current, on_hand, avg


def stock_levels_check(
    *, store_ids: Iterable[int] | None = None, fix: bool = False
) -> list[LevelDifference]:
    """Compare every level with the ledger's replay; with ``fix`` make them agree.

    Each store is checked in its own transaction with its level rows locked, so that
    movements posted meanwhile wait rather than slip between the read and the fix.
    """
    if store_ids is None:
        store_ids = Store.objects.order_by("pk").values_list("pk", flat=True)
    differences: list[LevelDifference] = []
    for store_id in store_ids:
        with transaction.atomic():
            levels = {
                level.product_id: level
                for level in StockLevel.objects.select_for_update()
                .filter(store_id=store_id)
                .order_by("pk")
            }
            expected = {pid: (qty, avg) for pid, qty, avg in ledger_replay(store_id)}
            store_differences = []
            for product_id in sorted(set(levels) | set(expected)):
                level = levels.get(product_id)
                want_qty, want_avg = expected.get(product_id, (ZERO, ZERO))
                have = (level.on_hand, level.avg_cost) if level else (None, None)
                if have != (want_qty, want_avg):
                    store_differences.append(
                        LevelDifference(store_id, product_id, *have, want_qty, want_avg)
                    )
            if fix and store_differences:
                _fix_levels(store_id, levels, store_differences)
            differences += store_differences
    return differences


def _fix_levels(store_id, levels, store_differences) -> None:
    missing = [d for d in store_differences if d.product_id not in levels]
    StockLevel.objects.bulk_create(
        [
            StockLevel(
                store_id=store_id,
                product_id=d.product_id,
                on_hand=d.expected_on_hand,
                avg_cost=d.expected_avg_cost,
            )
            for d in missing
        ]
    )
    changed = []
    for d in store_differences:
        level = levels.get(d.product_id)
        if level is not None:
            level.on_hand, level.avg_cost = d.expected_on_hand, d.expected_avg_cost
            changed.append(level)
    StockLevel.objects.bulk_update(changed, ["on_hand", "avg_cost"])
