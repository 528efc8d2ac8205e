"""Replenishment suggestions, grouped by supplier or by transfer source."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, Decimal

from stores.models import Store

from ...models import (
    Product,
    ProductSupplier,
    ReorderRule,
)
from ...rules import QTY_PLACES
from .rules import ZERO, supplier_terms


def round_to_pack(quantity: Decimal, *, pack_size: int, minimum: Decimal) -> Decimal:
    """Raise a quantity to the minimum order quantity, then up to whole packs."""
    quantity = max(quantity, minimum)
    pack = Decimal(max(pack_size, 1))
    return ((quantity / pack).to_integral_value(rounding=ROUND_CEILING) * pack).quantize(QTY_PLACES)


@dataclass
class TransferOption:
    store: Store
    quantity: Decimal
    excess: Decimal


@dataclass
class SuggestionLine:
    rule: ReorderRule
    term: ProductSupplier | None
    on_hand: Decimal
    on_order: Decimal
    need: Decimal
    suggested: Decimal
    transfer: TransferOption | None = None
    # Set by the page: the quantity shown in the field and the line's error, if any.
    value: str = ""
    transfer_value: str = ""
    error: str = ""

    @property
    def product(self) -> Product:
        return self.rule.product

    @property
    def store(self) -> Store:
        return self.rule.store

    @property
    def supplier(self):
        return self.term.supplier if self.term else None

    @property
    def pack_size(self) -> int:
        return self.term.pack_size if self.term else 1

    @property
    def min_order_quantity(self) -> Decimal:
        return self.term.min_order_quantity if self.term else ZERO

    @property
    def unit_cost(self) -> Decimal:
        return self.term.unit_cost if self.term else self.rule.product.cost


@dataclass
class SupplierGroup:
    supplier: object
    lines: list[SuggestionLine] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((line.suggested * line.unit_cost for line in self.lines), ZERO)


@dataclass
class TransferGroup:
    source: Store
    lines: list[SuggestionLine] = field(default_factory=list)


def suggestion_lines(rules: list[ReorderRule]) -> list[SuggestionLine]:
    """Decorate rules annotated by ``selectors.replenishment_rule_list`` (on_hand,
    on_order) with their supplier terms, rounded quantities and the best transfer from
    a store of the same region: two queries, whatever the number of lines."""
    terms = supplier_terms({rule.product_id for rule in rules})
    lines = []
    for rule in rules:
        term = terms.get(rule.product_id)
        need = rule.order_up_to - rule.on_hand - rule.on_order
        suggested = (
            round_to_pack(need, pack_size=term.pack_size, minimum=term.min_order_quantity)
            if term
            else need.quantize(QTY_PLACES, rounding=ROUND_CEILING)
        )
        lines.append(
            SuggestionLine(
                rule=rule,
                term=term,
                on_hand=rule.on_hand,
                on_order=rule.on_order,
                need=need,
                suggested=suggested,
            )
        )
    _attach_transfers(lines)
    return lines


def _attach_transfers(lines: list[SuggestionLine]) -> None:
    """For each short line, the store of the same region (not the line's store, active)
    with the most stock above its own order-up-to level; quantity = min(need, excess)."""
    if not lines:
        return
    from ... import selectors

    excess = selectors.replenishment_excess_list(
        region_ids={line.store.region_id for line in lines},
        product_ids={line.rule.product_id for line in lines},
    )
    best: dict[tuple[int, int], list] = defaultdict(list)
    for level in excess:
        best[(level.store.region_id, level.product_id)].append(level)
    for line in lines:
        for level in best.get((line.store.region_id, line.rule.product_id), []):
            if level.store_id == line.store.pk:
                continue
            quantity = min(line.need, level.excess).quantize(QTY_PLACES)
            if quantity > 0:
                line.transfer = TransferOption(level.store, quantity, level.excess)
            break


def group_by_supplier(lines: list[SuggestionLine]) -> list[SupplierGroup]:
    groups: dict[int | None, SupplierGroup] = {}
    for line in lines:
        supplier = line.supplier
        key = supplier.pk if supplier else None
        groups.setdefault(key, SupplierGroup(supplier)).lines.append(line)
    return sorted(
        groups.values(), key=lambda g: (g.supplier is None, g.supplier.code if g.supplier else "")
    )


def group_by_transfer_source(lines: list[SuggestionLine]) -> list[TransferGroup]:
    groups: dict[int, TransferGroup] = {}
    for line in lines:
        if line.transfer is not None:
            store = line.transfer.store
            groups.setdefault(store.pk, TransferGroup(store)).lines.append(line)
    return sorted(groups.values(), key=lambda g: g.source.code)
