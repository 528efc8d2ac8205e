"""Stock counts: open (counting) → [recount requested] → submitted → approved → posted.

- A count covers a whole store or one category; the expected quantity of each line is
  frozen when the count starts, and hidden while counting when the count is blind.
- Submitting flags lines whose |variance| > max(RECOUNT_UNITS, expected × RECOUNT_SHARE)
  for a recount (once); the second submission is final.
- Approval: the store manager (or above); regional ops or head office when the absolute
  variance value reaches REGIONAL_APPROVAL_VALUE.
- Posting writes one ``count_adjustment`` of (counted − expected) per line with a
  variance, and sets "last counted" on every line's level. A count posts once.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from stores.access import ensure_role, ensure_store_in_scope, user_role
from stores.models import Store

from ..models import Category, MovementKind, Product, StockCount, StockCountLine, StockLevel
from ..rules import (
    COUNT_BIG_APPROVERS,
    COUNTERS,
    RECOUNT_SHARE,
    RECOUNT_UNITS,
    REGIONAL_APPROVAL_VALUE,
    STOCK_WRITERS,
)
from ._lines import parse_quantity
from .ledger import MovementSpec, quantize_cost, stock_levels_lock, stock_movements_post

Status = StockCount.Status
UNFINISHED = (Status.OPEN, Status.RECOUNT, Status.SUBMITTED, Status.APPROVED)


def stock_count_create(
    *, user, store: Store, category: Category | None = None, blind: bool = True
) -> StockCount:
    """Start a count: one line per active product (of the category) and per product the
    store holds, with the expected quantity and cost frozen now."""
    ensure_role(user, STOCK_WRITERS)
    ensure_store_in_scope(user, store)
    with transaction.atomic():
        # Serialise count creation per store: lock the store's row.
        Store.objects.select_for_update().filter(pk=store.pk).first()
        clash = StockCount.objects.filter(store=store, status__in=UNFINISHED)
        clash = clash.filter(Q(category__isnull=True) | Q(category=category)) if category else clash
        if clash.exists():
            raise ValidationError(
                {"category": _("This store already has an unfinished count of these products.")}
            )
        levels = StockLevel.objects.filter(store=store)
        products = Product.objects.filter(
            Q(active=True) | Q(pk__in=levels.exclude(on_hand=0).values("product_id"))
        )
        if category is not None:
            products = products.filter(category=category)
            levels = levels.filter(product__category=category)
        held = {
            lv.product_id: (lv.on_hand, lv.avg_cost)
            for lv in levels.only("product_id", "on_hand", "avg_cost")
        }
        count = StockCount.objects.create(
            store=store, category=category, blind=blind, created_by=user
        )
        lines = []
        for product_id, cost in products.order_by("category__code", "sku").values_list(
            "pk", "cost"
        ):
            on_hand, avg = held.get(product_id, (Decimal("0"), Decimal("0")))
            lines.append(
                StockCountLine(
                    count=count,
                    product_id=product_id,
                    expected_quantity=on_hand,
                    unit_cost=quantize_cost(avg if avg > 0 else cost),
                )
            )
        if not lines:
            raise ValidationError({"category": _("There is nothing to count here.")})
        StockCountLine.objects.bulk_create(lines)
    return count


def stock_count_line_set(*, user, line: StockCountLine, quantity) -> StockCountLine:
    """Enter (or correct) the counted quantity of one line while counting."""
    ensure_role(user, COUNTERS)
    count = line.count
    ensure_store_in_scope(user, count.store_id)
    try:
        quantity = parse_quantity(quantity, allow_zero=True)
    except ValueError as error:
        raise ValidationError({"quantity": str(error)}) from None
    with transaction.atomic():
        count = StockCount.objects.select_for_update().get(pk=count.pk)
        if count.status not in StockCount.COUNTING:
            raise ValidationError({"quantity": _("This count is no longer being counted.")})
        line = StockCountLine.objects.select_for_update().get(pk=line.pk)
        if count.status == Status.RECOUNT and not line.recount_required:
            raise ValidationError({"quantity": _("Only the lines flagged for a recount are open.")})
        line.counted_quantity = quantity
        line.counted_by = user
        line.counted_at = timezone.now()
        line.save(update_fields=["counted_quantity", "counted_by", "counted_at"])
    return line


def _needs_recount(line: StockCountLine) -> bool:
    variance = abs(line.variance or 0)
    return variance > max(RECOUNT_UNITS, line.expected_quantity * RECOUNT_SHARE)


@transaction.atomic
def stock_count_submit(*, user, count: StockCount) -> StockCount:
    ensure_role(user, COUNTERS)
    ensure_store_in_scope(user, count.store_id)
    count = StockCount.objects.select_for_update().get(pk=count.pk)
    if count.status not in StockCount.COUNTING:
        raise ValidationError({"status": _("This count has already been submitted.")})
    lines = list(count.lines.order_by("pk"))
    uncounted = sum(1 for line in lines if line.counted_quantity is None)
    if uncounted:
        raise ValidationError(
            {
                "lines": ngettext(
                    "%(n)s line is not counted yet (enter 0 for none).",
                    "%(n)s lines are not counted yet (enter 0 for none).",
                    uncounted,
                )
                % {"n": uncounted}
            }
        )
    if count.status == Status.OPEN:
        flagged = [line for line in lines if _needs_recount(line)]
        if flagged:
            for line in flagged:
                line.recount_required = True
                line.first_count = line.counted_quantity
                line.counted_quantity = None
            StockCountLine.objects.bulk_update(
                flagged, ["recount_required", "first_count", "counted_quantity"]
            )
            count.status = Status.RECOUNT
            count.save(update_fields=["status"])
            return count
    count.status = Status.SUBMITTED
    count.submitted_at = timezone.now()
    count.save(update_fields=["status", "submitted_at"])
    return count


def stock_count_variance_value(count: StockCount) -> Decimal:
    """Sum of |variance × unit cost| over the counted lines."""
    total = Decimal("0")
    for line in count.lines.all():
        if line.variance_value is not None:
            total += abs(line.variance_value)
    return total


def stock_count_approver_roles(count: StockCount) -> frozenset[str]:
    if stock_count_variance_value(count) >= REGIONAL_APPROVAL_VALUE:
        return COUNT_BIG_APPROVERS
    return STOCK_WRITERS


@transaction.atomic
def stock_count_approve(*, user, count: StockCount) -> StockCount:
    ensure_role(user, STOCK_WRITERS)
    ensure_store_in_scope(user, count.store_id)
    count = StockCount.objects.select_for_update().get(pk=count.pk)
    if count.status != Status.SUBMITTED:
        raise ValidationError({"status": _("Only a submitted count can be approved.")})
    if user_role(user) not in stock_count_approver_roles(count):
        raise PermissionDenied(
            _("The variance of this count is above %(limit)s: regional ops approve it.")
            % {"limit": REGIONAL_APPROVAL_VALUE}
        )
    count.status = Status.APPROVED
    count.approved_by = user
    count.approved_at = timezone.now()
    count.save(update_fields=["status", "approved_by", "approved_at"])
    return count


@transaction.atomic
def stock_count_post(*, user, count: StockCount) -> StockCount:
    ensure_role(user, STOCK_WRITERS)
    ensure_store_in_scope(user, count.store_id)
    count = StockCount.objects.select_for_update().get(pk=count.pk)
    if count.status == Status.POSTED:
        raise ValidationError({"status": _("This count has already been posted.")})
    if count.status != Status.APPROVED:
        raise ValidationError({"status": _("Only an approved count can be posted.")})
    lines = list(count.lines.order_by("pk"))
    now = timezone.now()
    stock_movements_post(
        user=user,
        at=now,
        movements=[
            MovementSpec(
                store_id=count.store_id,
                product_id=line.product_id,
                kind=MovementKind.COUNT_ADJUSTMENT,
                quantity=line.variance,
                reference=count.number,
                reason=_("Stock count"),
            )
            for line in lines
            if line.variance
        ],
    )
    levels = stock_levels_lock((count.store_id, line.product_id) for line in lines)
    StockLevel.objects.filter(pk__in=[level.pk for level in levels.values()]).update(
        last_counted_at=now
    )
    count.status = Status.POSTED
    count.posted_at = now
    count.save(update_fields=["status", "posted_at"])
    return count


@transaction.atomic
def stock_count_cancel(*, user, count: StockCount) -> StockCount:
    ensure_role(user, STOCK_WRITERS)
    ensure_store_in_scope(user, count.store_id)
    count = StockCount.objects.select_for_update().get(pk=count.pk)
    if count.status in (Status.POSTED, Status.CANCELLED):
        raise ValidationError({"status": _("This count is finished.")})
    count.status = Status.CANCELLED
    count.save(update_fields=["status"])
    return count
