"""Promotions: head office creates and edits them for stores, products and dates.

Rules (docs/sales.md): a name; the last day on or after the first, at most
``MAX_PROMOTION_DAYS`` days; a discount strictly between 0 and 100 %, at most 2 decimals;
at least one store (in the user's scope) and one product of the catalogue; and **no
product on two promotions in the same store on the same day** (the discount would be
ambiguous and the uplift counted twice).
"""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from inventory.models import Product
from stores.access import ensure_role, ensure_store_in_scope
from stores.models import Store

from ..models import Promotion
from ..rules import PROMOTERS

MAX_PROMOTION_DAYS = 366
# Conflicts named in the message; the rest are counted.
MAX_CONFLICTS_SHOWN = 5


def _clean_ids(values, field: str, errors: dict, message: str) -> list[int]:
    try:
        ids = sorted({int(v) for v in values or ()})
    except (TypeError, ValueError):
        errors[field] = _("Give ids (whole numbers).")
        return []
    if not ids:
        errors[field] = message
    return ids


def _validate(
    *,
    name,
    start_date,
    end_date,
    discount_pct,
    store_ids,
    product_ids,
) -> tuple[dict, str, Decimal | None, list[int], list[int]]:
    errors: dict[str, str] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = _("Give the promotion a name.")
    elif len(name) > Promotion._meta.get_field("name").max_length:
        errors["name"] = _("A name of at most 200 characters.")
    dates_ok = isinstance(start_date, datetime.date) and isinstance(end_date, datetime.date)
    if not isinstance(start_date, datetime.date):
        errors["start_date"] = _("Enter the first day as YYYY-MM-DD.")
    if not isinstance(end_date, datetime.date):
        errors["end_date"] = _("Enter the last day as YYYY-MM-DD.")
    if dates_ok and end_date < start_date:
        errors["end_date"] = _("A promotion ends on or after its first day.")
    elif dates_ok and (end_date - start_date).days + 1 > MAX_PROMOTION_DAYS:
        errors["end_date"] = _("A promotion lasts at most %(days)s days.") % {
            "days": MAX_PROMOTION_DAYS
        }
    pct = None
    try:
        pct = Decimal(str(discount_pct))
        if not pct.is_finite() or not 0 < pct < 100 or pct != pct.quantize(Decimal("0.01")):
            raise InvalidOperation
    except (InvalidOperation, ValueError, TypeError):
        pct = None
        errors["discount_pct"] = _("A discount between 0 and 100 %, at most 2 decimals.")
    stores = _clean_ids(store_ids, "stores", errors, _("Choose at least one store."))
    products = _clean_ids(product_ids, "products", errors, _("Choose at least one product."))
    if products and "products" not in errors:
        known = set(Product.objects.filter(pk__in=products).values_list("pk", flat=True))
        if unknown := [p for p in products if p not in known]:
            errors["products"] = _("Unknown product: %(ids)s.") % {
                "ids": ", ".join(map(str, unknown))
            }
    return errors, name, pct, stores, products


def _overlaps(
    *, store_ids: list[int], product_ids: list[int], start_date, end_date, exclude_pk=None
) -> list[str]:
    """Messages naming the (promotion, store, product) pairs that would overlap."""
    through_stores = Promotion.stores.through.objects
    through_products = Promotion.products.through.objects
    others = Promotion.objects.filter(start_date__lte=end_date, end_date__gte=start_date)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    store_rows = through_stores.filter(promotion__in=others, store_id__in=store_ids)
    pairs = (
        through_products.filter(
            promotion__in=others,
            product_id__in=product_ids,
            promotion_id__in=store_rows.values("promotion_id"),
        )
        .select_related("promotion", "product")
        .order_by("promotion__start_date", "promotion_id", "product__sku")
    )
    conflicts = []
    stores_of = {}
    for row in store_rows.select_related("store").order_by("store__code"):
        stores_of.setdefault(row.promotion_id, []).append(row.store.code)
    for row in pairs:
        conflicts.append(
            _("%(sku)s is already on “%(promotion)s” (%(start)s – %(end)s) in %(stores)s.")
            % {
                "sku": row.product.sku,
                "promotion": row.promotion.name,
                "start": row.promotion.start_date.isoformat(),
                "end": row.promotion.end_date.isoformat(),
                "stores": ", ".join(stores_of.get(row.promotion_id, [])),
            }
        )
    return conflicts


def _save(
    *,
    user,
    promotion: Promotion | None,
    name,
    start_date,
    end_date,
    discount_pct,
    store_ids,
    product_ids,
) -> Promotion:
    ensure_role(user, PROMOTERS)
    errors, name, pct, stores, products = _validate(
        name=name,
        start_date=start_date,
        end_date=end_date,
        discount_pct=discount_pct,
        store_ids=store_ids,
        product_ids=product_ids,
    )
    if stores and "stores" not in errors:
        # Unknown and out-of-scope stores get the same message (no leak).
        visible = set(
            Store.objects.visible_to(user).filter(pk__in=stores).values_list("pk", flat=True)
        )
        if unknown := [s for s in stores if s not in visible]:
            errors["stores"] = _("Unknown store: %(ids)s.") % {"ids": ", ".join(map(str, unknown))}
    if errors:
        raise ValidationError(errors)
    for store_id in stores:
        ensure_store_in_scope(user, store_id)
    # Promotions touching the same stores are checked and written one at a time: the
    # store rows are the lock (ordered by pk), so two overlapping promotions saved at
    # once cannot both pass the overlap check.
    locked = list(Store.objects.select_for_update().filter(pk__in=stores).order_by("pk"))
    if len(locked) != len(stores):
        raise ValidationError({"stores": _("No such store.")})
    if promotion is not None:
        # The old stores are locked too: the promotion leaves them in this transaction.
        list(
            Store.objects.select_for_update()
            .filter(promotions=promotion)
            .exclude(pk__in=stores)
            .order_by("pk")
        )
    conflicts = _overlaps(
        store_ids=stores,
        product_ids=products,
        start_date=start_date,
        end_date=end_date,
        exclude_pk=promotion.pk if promotion else None,
    )
    if conflicts:
        shown = conflicts[:MAX_CONFLICTS_SHOWN]
        if len(conflicts) > len(shown):
            shown.append(
                _("… and %(count)s more overlaps.") % {"count": len(conflicts) - len(shown)}
            )
        raise ValidationError([_("A product may be on one promotion per store and day."), *shown])
    if promotion is None:
        promotion = Promotion(name=name, start_date=start_date, end_date=end_date)
    promotion.name = name
    promotion.start_date = start_date
    promotion.end_date = end_date
    promotion.discount_pct = pct
    promotion.save()
    promotion.stores.set(stores)
    promotion.products.set(products)
    return promotion


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
    return _save(
        user=user,
        promotion=None,
        name=name,
        start_date=start_date,
        end_date=end_date,
        discount_pct=discount_pct,
        store_ids=store_ids,
        product_ids=product_ids,
    )


@transaction.atomic
def promotion_update(
    *,
    user,
    promotion: Promotion,
    name: str,
    start_date: datetime.date,
    end_date: datetime.date,
    discount_pct,
    store_ids: list[int],
    product_ids: list[int],
) -> Promotion:
    """Replace every field of ``promotion`` (the same rules as ``promotion_create``)."""
    ensure_role(user, PROMOTERS)
    promotion = Promotion.objects.select_for_update().get(pk=promotion.pk)
    return _save(
        user=user,
        promotion=promotion,
        name=name,
        start_date=start_date,
        end_date=end_date,
        discount_pct=discount_pct,
        store_ids=store_ids,
        product_ids=product_ids,
    )
