"""Write-offs: a store manager takes damaged, expired or stolen goods out of stock.

One ``write_off_*`` movement through the ledger, valued at the store's average cost.
The model has two write-off kinds: damaged and expired goods post their own kind;
theft and other losses post ``write_off_damaged`` and say which in the movement's
reason ("Theft: …"), so that shrinkage (every write-off) counts them all. No more than
the stock on hand can be written off (checked under the level's row lock), as for a
return to the supplier.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from stores.access import ensure_role, ensure_store_in_scope
from stores.models import Store

from ..models import MovementKind, Product, StockMovement
from ..rules import STOCK_WRITERS
from ._lines import parse_quantity
from .ledger import stock_levels_lock, stock_movement_post


class WriteOffReason(models.TextChoices):
    DAMAGED = "damaged", gettext_lazy("Damaged")
    EXPIRED = "expired", gettext_lazy("Expired")
    THEFT = "theft", gettext_lazy("Theft")
    OTHER = "other", gettext_lazy("Other")


KIND_BY_REASON = {
    WriteOffReason.DAMAGED: MovementKind.WRITE_OFF_DAMAGED,
    WriteOffReason.EXPIRED: MovementKind.WRITE_OFF_EXPIRED,
    WriteOffReason.THEFT: MovementKind.WRITE_OFF_DAMAGED,
    WriteOffReason.OTHER: MovementKind.WRITE_OFF_DAMAGED,
}
WRITE_OFF_REFERENCE = "WRITE-OFF"


def stock_write_off_post(
    *,
    user,
    store: Store,
    product: Product,
    quantity: Decimal | str,
    reason: str,
    note: str = "",
) -> StockMovement:
    """Write ``quantity`` (positive) of a product off a store's stock."""
    ensure_role(user, STOCK_WRITERS)
    ensure_store_in_scope(user, store)
    errors = {}
    if reason not in WriteOffReason.values:
        errors["reason"] = [_("Choose damaged, expired, theft or other.")]
    note = (note or "").strip()
    if reason == WriteOffReason.OTHER and not note:
        errors["note"] = [_("Say what happened to the goods.")]
    if len(note) > 150:
        errors["note"] = [_("At most %(limit)s characters.") % {"limit": 150}]
    try:
        quantity = parse_quantity(quantity)
    except ValueError as error:
        errors["quantity"] = [str(error)]
    if errors:
        raise ValidationError(errors)
    label = str(WriteOffReason(reason).label)
    with transaction.atomic():
        level = stock_levels_lock([(store.pk, product.pk)])[(store.pk, product.pk)]
        if quantity > level.on_hand:
            raise ValidationError(
                {
                    "quantity": _(
                        "Only %(on_hand)s of %(sku)s on hand at %(store)s: you cannot write "
                        "off more than that."
                    )
                    % {
                        "on_hand": f"{max(level.on_hand, Decimal(0)).normalize():f}",
                        "sku": product.sku,
                        "store": store.code,
                    }
                }
            )
        return stock_movement_post(
            user=user,
            store=store,
            product=product,
            kind=KIND_BY_REASON[reason],
            quantity=-quantity,
            reference=WRITE_OFF_REFERENCE,
            reason=f"{label}: {note}" if note else label,
        )
