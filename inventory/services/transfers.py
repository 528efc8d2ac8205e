"""Transfers between stores: requested → approved → shipped (in transit) → received.

- Request: a store manager of the source or destination store (the other store must be
  in one of their regions), regional ops of the stores' region, or head office.
- Approve: regional ops of the source store's region, or head office.
- Ship: whoever may write the source store's stock; posts ``transfer_out`` at the
  sender's average cost, which the line keeps.
- Receive: whoever may write the destination's stock; posts ``transfer_in`` at that
  cost. The difference (received − shipped) is kept on each line.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opsdesk.platform.roles import Role
from stores.access import (
    OutOfScope,
    can_see_store,
    ensure_role,
    ensure_store_in_scope,
    visible_region_ids,
)
from stores.models import Store

from ..models import MovementKind, StockLevel, Transfer, TransferLine
from ..rules import STOCK_WRITERS, TRANSFER_APPROVERS
from ._lines import LineErrors, parse_quantity, product_lines, products_by_reference
from .ledger import MovementSpec, quantize_cost, stock_movements_post

Status = Transfer.Status
TRANSFER_REQUESTERS = STOCK_WRITERS


def transfer_counterpart_stores(user):
    """Stores a user may name as the other end of a transfer: those of their regions."""
    return Store.objects.filter(region__in=visible_region_ids(user)).exclude(
        status=Store.Status.CLOSED
    )


def transfer_request(
    *, user, source_store: Store, destination_store: Store, lines: list[dict], note: str = ""
) -> Transfer:
    ensure_role(user, TRANSFER_REQUESTERS)
    # Scope first: a refusal that names a store (the same one at both ends) would tell a
    # store outside the user's scope apart from one that does not exist.
    if not (can_see_store(user, source_store) or can_see_store(user, destination_store)):
        raise OutOfScope(_("No such store."))
    counterparts = transfer_counterpart_stores(user)
    for store in (source_store, destination_store):
        if not counterparts.filter(pk=store.pk).exists():
            raise OutOfScope(_("No such store."))
    if user.role == Role.REGIONAL_OPS:
        ensure_store_in_scope(user, source_store)
        ensure_store_in_scope(user, destination_store)
    if source_store.pk == destination_store.pk:
        raise ValidationError(
            {"destination_store": _("A transfer goes to another store, not the same one.")}
        )
    if not lines:
        raise ValidationError({"lines": _("A transfer needs at least one line.")})
    products = products_by_reference([line.get("product") for line in lines])
    errors, rows = LineErrors(), []
    twice = _("This product is on the transfer twice.")
    for _number, _line, product, quantity in product_lines(lines, products, errors, twice=twice):
        rows.append(TransferLine(product=product, quantity_requested=quantity))
    errors.raise_if_any()
    with transaction.atomic():
        transfer = Transfer.objects.create(
            source_store=source_store,
            destination_store=destination_store,
            note=note,
            requested_by=user,
        )
        for row in rows:
            row.transfer = transfer
        TransferLine.objects.bulk_create(rows)
    return transfer


def _locked(user, transfer: Transfer) -> Transfer:
    """The transfer under a row lock, if the user sees it (either end); else 404.

    Its status is then checked before the scope of the end an action belongs to: the
    user sees the transfer, so saying it is not in that state leaks nothing."""
    transfer = Transfer.objects.visible_to(user).select_for_update().filter(pk=transfer.pk).first()
    if transfer is None:
        raise OutOfScope(_("No such transfer."))
    return transfer


@transaction.atomic
def transfer_approve(*, user, transfer: Transfer) -> Transfer:
    ensure_role(user, TRANSFER_APPROVERS)
    transfer = _locked(user, transfer)
    if transfer.status != Status.REQUESTED:
        raise ValidationError({"status": _("Only a requested transfer can be approved.")})
    ensure_store_in_scope(user, transfer.source_store_id)
    transfer.status = Status.APPROVED
    transfer.approved_by = user
    transfer.approved_at = timezone.now()
    transfer.save(update_fields=["status", "approved_by", "approved_at"])
    return transfer


@transaction.atomic
def transfer_cancel(*, user, transfer: Transfer) -> Transfer:
    ensure_role(user, TRANSFER_REQUESTERS)
    transfer = _locked(user, transfer)
    if transfer.status not in (Status.REQUESTED, Status.APPROVED):
        raise ValidationError({"status": _("A shipped transfer can no longer be cancelled.")})
    transfer.status = Status.CANCELLED
    transfer.save(update_fields=["status"])
    return transfer


def _quantities(transfer_lines, quantities: dict | None, default, *, field: str, limit):
    """{line: quantity} from {line id: quantity}; missing lines take ``default(line)``."""
    quantities = {str(k): v for k, v in (quantities or {}).items()}
    known = {str(line.pk) for line in transfer_lines}
    errors = LineErrors()
    for key in quantities:
        if key not in known:
            errors.add(key, _("This line is not on the transfer."))
    result = {}
    for number, line in enumerate(transfer_lines, start=1):
        raw = quantities.get(str(line.pk), default(line))
        try:
            quantity = parse_quantity(raw, allow_zero=True)
        except ValueError as error:
            errors.add(number, str(error), line.product.sku)
            continue
        if limit(line) is not None and quantity > limit(line):
            errors.add(
                number,
                _("At most %(limit)s.") % {"limit": limit(line).normalize()},
                line.product.sku,
            )
            continue
        result[line] = quantity
    errors.raise_if_any(field)
    return result


@transaction.atomic
def transfer_ship(*, user, transfer: Transfer, quantities: dict | None = None) -> Transfer:
    """Ship the approved transfer: ``quantities`` {line id: shipped} (default: requested)."""
    ensure_role(user, STOCK_WRITERS)
    transfer = _locked(user, transfer)
    if transfer.status != Status.APPROVED:
        raise ValidationError({"status": _("Only an approved transfer can be shipped.")})
    ensure_store_in_scope(user, transfer.source_store_id)
    lines = list(transfer.lines.select_related("product").order_by("pk"))
    shipped = _quantities(
        lines,
        quantities,
        lambda line: line.quantity_requested,
        field="lines",
        limit=lambda line: None,
    )
    if not any(shipped.values()):
        raise ValidationError({"lines": _("Ship at least one item.")})
    movements = stock_movements_post(
        user=user,
        movements=[
            MovementSpec(
                store_id=transfer.source_store_id,
                product_id=line.product_id,
                kind=MovementKind.TRANSFER_OUT,
                quantity=-quantity,
                reference=transfer.number,
                reason=_("Shipped to %(store)s") % {"store": transfer.destination_store.code},
            )
            for line, quantity in shipped.items()
            if quantity > 0
        ],
    )
    cost = {m.product_id: m.unit_cost for m in movements}
    fallback = dict(
        StockLevel.objects.filter(
            store_id=transfer.source_store_id, product__in=[line.product_id for line in lines]
        ).values_list("product_id", "avg_cost")
    )
    for line, quantity in shipped.items():
        line.quantity_shipped = quantity
        line.unit_cost = quantize_cost(
            cost.get(line.product_id, fallback.get(line.product_id, line.product.cost))
        )
    TransferLine.objects.bulk_update(lines, ["quantity_shipped", "unit_cost"])
    transfer.status = Status.SHIPPED
    transfer.shipped_at = timezone.now()
    transfer.save(update_fields=["status", "shipped_at"])
    return transfer


@transaction.atomic
def transfer_receive(*, user, transfer: Transfer, quantities: dict | None = None) -> Transfer:
    """Receive at the destination: ``quantities`` {line id: received} (default: shipped);
    never more than shipped. Differences stay on the lines."""
    ensure_role(user, STOCK_WRITERS)
    transfer = _locked(user, transfer)
    if transfer.status != Status.SHIPPED:
        raise ValidationError({"status": _("Only a shipped transfer can be received.")})
    ensure_store_in_scope(user, transfer.destination_store_id)
    lines = list(transfer.lines.select_related("product").order_by("pk"))
    received = _quantities(
        lines,
        quantities,
        lambda line: line.quantity_shipped,
        field="lines",
        limit=lambda line: line.quantity_shipped or Decimal("0"),
    )
    stock_movements_post(
        user=user,
        movements=[
            MovementSpec(
                store_id=transfer.destination_store_id,
                product_id=line.product_id,
                kind=MovementKind.TRANSFER_IN,
                quantity=quantity,
                unit_cost=line.unit_cost,
                reference=transfer.number,
                reason=_("Received from %(store)s") % {"store": transfer.source_store.code},
            )
            for line, quantity in received.items()
            if quantity > 0
        ],
    )
    for line, quantity in received.items():
        line.quantity_received = quantity
    TransferLine.objects.bulk_update(lines, ["quantity_received"])
    transfer.status = Status.RECEIVED
    transfer.received_at = timezone.now()
    transfer.save(update_fields=["status", "received_at"])
    return transfer
