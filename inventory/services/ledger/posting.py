"""Posting movements to the ledger under row locks, one or many at a time."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from opsdesk.platform.db import bulk_update_values
from stores.access import ensure_store_in_scope
from stores.models import Store

from ...models import (
    COST_BEARING_KINDS,
    INBOUND_KINDS,
    OUTBOUND_KINDS,
    MovementKind,
    Product,
    StockLevel,
    StockMovement,
)
from ...rules import COST_PLACES, QTY_PLACES

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
