"""Purchase orders (draft → submitted → partially received → received, or cancelled) and
returns to supplier. Receiving posts receipts through the ledger."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from stores.access import ensure_role, ensure_store_in_scope
from stores.models import Store

from ..models import (
    MovementKind,
    ProductSupplier,
    PurchaseOrder,
    PurchaseOrderLine,
    StockLevel,
    StockMovement,
    Supplier,
)
from ..rules import STOCK_WRITERS
from ._lines import LineErrors, parse_quantity, product_lines, products_by_reference
from .ledger import MovementSpec, quantize_cost, stock_movements_post

Status = PurchaseOrder.Status


def _supplier_costs(supplier: Supplier, product_ids) -> dict[int, Decimal]:
    return dict(
        ProductSupplier.objects.filter(supplier=supplier, product_id__in=product_ids).values_list(
            "product_id", "unit_cost"
        )
    )


def purchase_order_create(
    *,
    user,
    store: Store,
    supplier: Supplier,
    lines: list[dict],
    note: str = "",
    expected_date: datetime.date | None = None,
) -> PurchaseOrder:
    """A draft order. Each line: ``product`` (id, SKU or barcode), ``quantity`` and an
    optional ``unit_cost`` (default: the supplier's terms, else the standard cost)."""
    ensure_role(user, STOCK_WRITERS)
    ensure_store_in_scope(user, store)
    if not supplier.active:
        raise ValidationError({"supplier": _("This supplier is not active.")})
    if not lines:
        raise ValidationError({"lines": _("An order needs at least one line.")})
    products = products_by_reference([line.get("product") for line in lines])
    terms = _supplier_costs(supplier, [p.pk for p in products.values()])
    errors, rows = LineErrors(), []
    twice = _("This product is on the order twice.")
    for number, line, product, quantity in product_lines(lines, products, errors, twice=twice):
        cost = line.get("unit_cost")
        if cost in (None, ""):
            cost = terms.get(product.pk, product.cost)
        try:
            cost = quantize_cost(Decimal(str(cost)))
            if not cost.is_finite() or cost < 0:
                raise ValueError
        except (ArithmeticError, ValueError):
            errors.add(number, _("Enter a unit cost of zero or more."), product.sku)
            continue
        rows.append(PurchaseOrderLine(product=product, quantity_ordered=quantity, unit_cost=cost))
    errors.raise_if_any()
    with transaction.atomic():
        order = PurchaseOrder.objects.create(
            store=store, supplier=supplier, note=note, expected_date=expected_date, created_by=user
        )
        for row in rows:
            row.purchase_order = order
        PurchaseOrderLine.objects.bulk_create(rows)
    return order


def _locked(user, order: PurchaseOrder) -> PurchaseOrder:
    """The order re-read under a row lock, after the role and scope checks."""
    ensure_role(user, STOCK_WRITERS)
    ensure_store_in_scope(user, order.store_id)
    return (
        PurchaseOrder.objects.select_for_update(of=("self",))
        .select_related("supplier")
        .get(pk=order.pk)
    )


def purchase_order_total(order: PurchaseOrder) -> Decimal:
    total = order.lines.aggregate(total=Sum(F("quantity_ordered") * F("unit_cost")))["total"]
    return total or Decimal("0")


@transaction.atomic
def purchase_order_submit(*, user, purchase_order: PurchaseOrder) -> PurchaseOrder:
    order = _locked(user, purchase_order)
    if order.status != Status.DRAFT:
        raise ValidationError({"status": _("Only a draft order can be submitted.")})
    if not order.lines.exists():
        raise ValidationError({"lines": _("An order needs at least one line.")})
    total = purchase_order_total(order)
    if total < order.supplier.min_order_value:
        raise ValidationError(
            {
                "lines": _("The order totals %(total)s; %(supplier)s needs at least %(minimum)s.")
                % {
                    "total": total,
                    "supplier": order.supplier.name,
                    "minimum": order.supplier.min_order_value,
                }
            }
        )
    order.status = Status.SUBMITTED
    order.submitted_at = timezone.now()
    order.save(update_fields=["status", "submitted_at"])
    return order


@transaction.atomic
def purchase_order_cancel(*, user, purchase_order: PurchaseOrder) -> PurchaseOrder:
    order = _locked(user, purchase_order)
    if order.status not in (Status.DRAFT, Status.SUBMITTED):
        raise ValidationError(
            {
                "status": _(
                    "Only a draft or submitted order, with nothing received, can be cancelled."
                )
            }
        )
    order.status = Status.CANCELLED
    order.cancelled_at = timezone.now()
    order.save(update_fields=["status", "cancelled_at"])
    return order


@transaction.atomic
def purchase_order_receive(
    *, user, purchase_order: PurchaseOrder, lines: list[dict], reference: str = ""
) -> list[StockMovement]:
    """Receive some or all of the outstanding quantities; posts one receipt per line.

    Each entry: ``line`` (a line id of this order) or ``product`` (id, SKU or barcode),
    and ``quantity`` (> 0, at most outstanding). Any bad entry refuses the whole receipt,
    with a message per entry, and nothing is written.
    """
    order = _locked(user, purchase_order)
    if not order.receivable:
        raise ValidationError(
            {"status": _("Only a submitted or partially received order can be received.")}
        )
    if not lines:
        raise ValidationError({"lines": _("Enter at least one received quantity.")})
    order_lines = list(
        order.lines.select_related("product").select_for_update(of=("self",)).order_by("pk")
    )
    by_id = {str(line.pk): line for line in order_lines}
    by_product = {line.product_id: line for line in order_lines}
    products = products_by_reference([e.get("product") for e in lines if e.get("product")])
    errors, receipts, seen = LineErrors(), [], set()
    for number, entry in enumerate(lines, start=1):
        if entry.get("line") not in (None, ""):
            line = by_id.get(str(entry["line"]).strip())
        else:
            product = products.get(str(entry.get("product", "")).strip())
            line = by_product.get(product.pk) if product else None
            if product is None:
                errors.add(number, _("Unknown product."))
                continue
        if line is None:
            errors.add(number, _("This product is not on the order."))
            continue
        sku = line.product.sku
        if line.pk in seen:
            errors.add(number, _("This line is received twice."), sku)
            continue
        seen.add(line.pk)
        try:
            quantity = parse_quantity(entry.get("quantity"))
        except ValueError as error:
            errors.add(number, str(error), sku)
            continue
        if quantity > line.outstanding:
            errors.add(
                number,
                _("Only %(outstanding)s are outstanding; %(quantity)s is more than that.")
                % {"outstanding": line.outstanding.normalize(), "quantity": quantity.normalize()},
                sku,
            )
            continue
        receipts.append((line, quantity))
    errors.raise_if_any()

    reference = reference or order.number
    for line, quantity in receipts:
        line.quantity_received += quantity
    PurchaseOrderLine.objects.bulk_update([line for line, _q in receipts], ["quantity_received"])
    movements = stock_movements_post(
        user=user,
        movements=[
            MovementSpec(
                store_id=order.store_id,
                product_id=line.product_id,
                kind=MovementKind.RECEIPT,
                quantity=quantity,
                unit_cost=line.unit_cost,
                reference=reference,
                reason=_("Received against %(order)s") % {"order": order.number},
            )
            for line, quantity in receipts
        ],
    )
    complete = all(line.outstanding == 0 for line in order_lines)
    order.status = Status.RECEIVED if complete else Status.PARTIALLY_RECEIVED
    if complete:
        order.received_at = timezone.now()
    order.save(update_fields=["status", "received_at"])
    return movements


@transaction.atomic
def supplier_return_post(
    *,
    user,
    store: Store,
    supplier: Supplier,
    lines: list[dict],
    reason: str,
    reference: str = "",
) -> list[StockMovement]:
    """Return goods to a supplier: one ``return_to_supplier`` movement per line, valued at
    the store's average cost. A reason is required; no more than on hand can go back."""
    ensure_role(user, STOCK_WRITERS)
    ensure_store_in_scope(user, store)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the goods go back.")})
    if not lines:
        raise ValidationError({"lines": _("Enter at least one line.")})
    products = products_by_reference([line.get("product") for line in lines])
    on_hand = dict(
        StockLevel.objects.filter(
            store=store, product__in=[p.pk for p in products.values()]
        ).values_list("product_id", "on_hand")
    )
    errors, specs = LineErrors(), []
    twice = _("This product is returned twice.")
    for number, _line, product, quantity in product_lines(lines, products, errors, twice=twice):
        if quantity > on_hand.get(product.pk, 0):
            errors.add(number, _("More than the stock on hand."), product.sku)
            continue
        specs.append(
            MovementSpec(
                store_id=store.pk,
                product_id=product.pk,
                kind=MovementKind.RETURN_TO_SUPPLIER,
                quantity=-quantity,
                reference=reference or f"RTS-{supplier.code}",
                reason=reason,
            )
        )
    errors.raise_if_any()
    return stock_movements_post(user=user, movements=specs)
