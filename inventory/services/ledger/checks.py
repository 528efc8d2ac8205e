"""Checking the stock levels against a replay of the ledger, and fixing them."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from stores.models import Store

from ...models import (
    StockLevel,
    StockMovement,
)
from .posting import ZERO, apply_movement


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
