"""Promotions: head office creates them for stores, products and dates."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from stores.access import ensure_role, ensure_store_in_scope

from ..models import Promotion
from ..rules import PROMOTERS


@transaction.atomic
def promotion_create(
    *,
    user,
    name: str,
    start_date: datetime.date,
    end_date: datetime.date,
    discount_pct,
    store_ids: list[int],
    product_ids: list[int],
) -> Promotion:
    ensure_role(user, PROMOTERS)
    errors = {}
    if not name.strip():
        errors["name"] = _("Give the promotion a name.")
    if end_date < start_date:
        errors["end_date"] = _("A promotion ends on or after its first day.")
    try:
        pct = Decimal(str(discount_pct))
        if not pct.is_finite() or not 0 < pct < 100 or pct != pct.quantize(Decimal("0.01")):
            raise InvalidOperation
    except (InvalidOperation, ValueError, TypeError):
        errors["discount_pct"] = _("A discount between 0 and 100 %, at most 2 decimals.")
    if not store_ids:
        errors["stores"] = _("Choose at least one store.")
    if not product_ids:
        errors["products"] = _("Choose at least one product.")
    if errors:
        raise ValidationError(errors)
    for store_id in store_ids:
        ensure_store_in_scope(user, store_id)
    promotion = Promotion.objects.create(
        name=name.strip(), start_date=start_date, end_date=end_date, discount_pct=pct
    )
    promotion.stores.set(store_ids)
    promotion.products.set(product_ids)
    return promotion
