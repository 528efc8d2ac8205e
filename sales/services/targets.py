"""Targets roll down: chain month → regions → stores → days, each split summing exactly to
its parent, to the cent (largest-remainder rounding, ties to the first). See docs/sales.md.

Adjustments never change a parent's total: a change to the children that does not add up
to it is refused with a message saying by how much it is off (no silent re-balancing).
"""

from __future__ import annotations

import calendar
import datetime
import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from stores.access import ensure_region_in_scope, ensure_role
from stores.models import Region, Store

from ..models import DailySales, DayTarget, Method, MonthTarget, RegionTarget, StoreTarget
from ..rules import TARGET_ADJUSTERS, TARGET_SETTERS

CENT = Decimal("0.01")
MAX_TARGET = Decimal("1e12")
# Monday .. Sunday, used when a store has no recent sales to draw its own profile from.
DEFAULT_WEEKDAY_PROFILE = (
    Decimal("0.90"),
    Decimal("0.88"),
    Decimal("0.92"),
    Decimal("0.97"),
    Decimal("1.12"),
    Decimal("1.28"),
    Decimal("1.18"),
)
PROFILE_WEEKS = 8


def split_exact(total: Decimal, weights: Sequence[Decimal | int]) -> list[Decimal]:
    """Split ``total`` (at most 2 decimals, ≥ 0) by ``weights`` into parts that sum to it
    exactly. Exact arithmetic (fractions), largest remainder, ties to the lower index;
    negative weights count as 0; all-zero weights split equally."""
    if not weights:
        raise ValueError("nothing to split into")
    total = Decimal(total)
    if total != total.quantize(CENT) or total < 0:
        raise ValueError("total must be a non-negative amount with at most 2 decimals")
    cents = int(total / CENT)
    fractions = [max(Fraction(Decimal(w)), Fraction(0)) for w in weights]
    whole = sum(fractions)
    if whole == 0:
        fractions, whole = [Fraction(1)] * len(weights), Fraction(len(weights))
    shares = [cents * f / whole for f in fractions]
    floors = [math.floor(s) for s in shares]
    left = cents - sum(floors)
    order = sorted(range(len(shares)), key=lambda i: (-(shares[i] - floors[i]), i))
    for i in order[:left]:
        floors[i] += 1
    return [Decimal(c) * CENT for c in floors]


def month_days(month: datetime.date) -> list[datetime.date]:
    count = calendar.monthrange(month.year, month.month)[1]
    return [month.replace(day=d) for d in range(1, count + 1)]


def _clean_amount(value, field: str = "amount") -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationError({field: _("Enter an amount.")}) from None
    if not amount.is_finite() or amount != amount.quantize(CENT):
        raise ValidationError({field: _("Enter an amount with at most 2 decimals.")})
    if amount < 0 or amount >= MAX_TARGET:
        raise ValidationError({field: _("Enter an amount of zero or more.")})
    return amount


def _target_stores() -> list[Store]:
    """Stores that get a target: the open ones."""
    return list(
        Store.objects.filter(status=Store.Status.OPEN)
        .select_related("region")
        .order_by("region__code", "code")
    )


def _sales_by_store_date(store_ids, start, end) -> dict[tuple[int, datetime.date], Decimal]:
    rows = DailySales.objects.filter(
        store_id__in=store_ids, business_date__gte=start, business_date__lte=end
    ).values_list("store_id", "business_date", "net_sales")
    return {(s, d): v for s, d, v in rows}


def _last_year(date: datetime.date) -> datetime.date:
    """The same weekday a year before (52 weeks)."""
    return date - datetime.timedelta(days=364)


class _Weights:
    """The weights of one decomposition, read in three queries whatever the chain size."""

    def __init__(self, method: str, month: datetime.date, stores: list[Store]):
        self.method = method
        self.days = month_days(month)
        ids = [s.pk for s in stores]
        self.ly = {}
        self.recent = {}
        if method == Method.LAST_YEAR:
            self.ly = _sales_by_store_date(ids, _last_year(self.days[0]), _last_year(self.days[-1]))
        if method == Method.WEEKDAY:
            start = self.days[0] - datetime.timedelta(weeks=PROFILE_WEEKS)
            self.recent = _sales_by_store_date(ids, start, self.days[0] - datetime.timedelta(1))

    def store_weights(self, stores: list[Store]) -> list[Decimal]:
        if self.method != Method.LAST_YEAR:
            return [Decimal(1)] * len(stores)
        totals = [sum(self.ly.get((s.pk, _last_year(d)), 0) for d in self.days) for s in stores]
        known = [t for t in totals if t > 0]
        # A store with no history (new) weighs as the average of the others.
        mean = (sum(known) / len(known)) if known else Decimal(1)
        return [t if t > 0 else mean for t in totals]

    def day_weights(self, store: Store) -> list[Decimal]:
        if self.method == Method.LAST_YEAR:
            weights = [self.ly.get((store.pk, _last_year(d)), Decimal(0)) for d in self.days]
            return weights if any(w > 0 for w in weights) else [Decimal(1)] * len(self.days)
        if self.method == Method.WEEKDAY:
            return [self.weekday_profile(store)[d.weekday()] for d in self.days]
        return [Decimal(1)] * len(self.days)

    def weekday_profile(self, store: Store) -> list[Decimal]:
        sums, counts = [Decimal(0)] * 7, [0] * 7
        for (store_id, date), value in self.recent.items():
            if store_id == store.pk:
                sums[date.weekday()] += value
                counts[date.weekday()] += 1
        if not all(counts) or sum(sums) <= 0:
            return list(DEFAULT_WEEKDAY_PROFILE)
        return [sums[i] / counts[i] for i in range(7)]


def _month(value: datetime.date) -> datetime.date:
    if value.day != 1:
        raise ValidationError({"month": _("A month target starts on the first of the month.")})
    return value


def _ensure_editable(target: MonthTarget) -> None:
    if target.locked:
        raise ValidationError(_("This month's target is locked."), code="locked")


@transaction.atomic
def month_target_set(
    *, user, month: datetime.date, amount, method: str = Method.LAST_YEAR
) -> MonthTarget:
    """Set (or reset) the chain's month target and split it to regions, stores and days."""
    ensure_role(user, TARGET_SETTERS)
    month = _month(month)
    amount = _clean_amount(amount)
    if amount <= 0:
        raise ValidationError({"amount": _("Enter an amount above zero.")})
    if method not in Method.values:
        raise ValidationError({"method": _("Choose how to split the target.")})
    stores = _target_stores()
    if not stores:
        raise ValidationError(_("No open store to set a target for."))
    # The month's row is the lock. A row that does not exist yet cannot be locked, so it is
    # inserted first (or left alone if there is one): two people setting a new month at
    # once then queue on it, the second resets what the first wrote, and neither fails.
    MonthTarget.objects.bulk_create(
        [MonthTarget(month=month, amount=amount, method=method, set_by=user)],
        ignore_conflicts=True,
    )
    target = MonthTarget.objects.select_for_update().get(month=month)
    _ensure_editable(target)
    target.regions.all().delete()
    DayTarget.objects.filter(store_target__month_target=target).delete()
    target.stores.all().delete()
    target.amount, target.method, target.set_by = amount, method, user
    target.updated_at = timezone.now()
    target.save()
    weights = _Weights(method, month, stores)
    store_weights = dict(zip((s.pk for s in stores), weights.store_weights(stores), strict=True))
    by_region: dict[int, list[Store]] = defaultdict(list)
    for store in stores:
        by_region[store.region_id].append(store)
    region_ids = sorted(by_region, key=lambda r: by_region[r][0].region.code)
    region_amounts = split_exact(
        amount, [sum(store_weights[s.pk] for s in by_region[r]) for r in region_ids]
    )
    RegionTarget.objects.bulk_create(
        RegionTarget(month_target=target, region_id=r, amount=a)
        for r, a in zip(region_ids, region_amounts, strict=True)
    )
    store_amounts = {}
    for region_id, region_amount in zip(region_ids, region_amounts, strict=True):
        members = by_region[region_id]
        parts = split_exact(region_amount, [store_weights[s.pk] for s in members])
        store_amounts.update({s.pk: a for s, a in zip(members, parts, strict=True)})
    store_targets = StoreTarget.objects.bulk_create(
        StoreTarget(month_target=target, store_id=s.pk, amount=store_amounts[s.pk]) for s in stores
    )
    days = []
    for store, store_target in zip(stores, store_targets, strict=True):
        parts = split_exact(store_target.amount, weights.day_weights(store))
        days += [
            DayTarget(store_target=store_target, store_id=store.pk, date=d, amount=a)
            for d, a in zip(weights.days, parts, strict=True)
        ]
    DayTarget.objects.bulk_create(days, batch_size=5000)
    return target


@transaction.atomic
def month_target_lock(*, user, target: MonthTarget, locked: bool = True) -> MonthTarget:
    ensure_role(user, TARGET_SETTERS)
    MonthTarget.objects.select_for_update().filter(pk=target.pk).update(locked=locked)
    target.refresh_from_db()
    return target


def _new_amounts(current: Mapping[int, Decimal], changes: Mapping, field: str) -> dict:
    unknown = set(changes) - set(current)
    if unknown:
        raise ValidationError(
            {
                field: _("Not part of this target: %(ids)s.")
                % {"ids": ", ".join(str(i) for i in sorted(unknown, key=str))}
            }
        )
    amounts = dict(current)
    for key, value in changes.items():
        amounts[key] = _clean_amount(value, field)
    return amounts


def _refuse_unless_sums(total: Decimal, amounts: dict, what: str) -> None:
    given = sum(amounts.values(), Decimal(0))
    if given != total:
        raise ValidationError(
            _(
                "The %(what)s must add up to %(total)s; they add up to %(given)s "
                "(%(diff)s to place)."
            )
            % {"what": what, "total": total, "given": given, "diff": total - given},
            code="sum",
        )


def _resplit_days(store_targets: list[StoreTarget]) -> None:
    """Re-split changed stores' days keeping the shape of their current day split."""
    if not store_targets:
        return
    existing = defaultdict(list)
    for day in DayTarget.objects.filter(store_target__in=store_targets).order_by("date"):
        existing[day.store_target_id].append(day)
    changed = []
    for store_target in store_targets:
        days = existing[store_target.pk]
        parts = split_exact(store_target.amount, [d.amount for d in days])
        for day, amount in zip(days, parts, strict=True):
            day.amount = amount
            changed.append(day)
    DayTarget.objects.bulk_update(changed, ["amount"], batch_size=5000)


@transaction.atomic
def store_targets_adjust(
    *, user, target: MonthTarget, region: Region, amounts: Mapping[int, object]
) -> list[StoreTarget]:
    """Regional ops move target between the stores of their region; the region's total
    does not change, so the new amounts must add up to it exactly, or nothing changes."""
    ensure_role(user, TARGET_ADJUSTERS)
    ensure_region_in_scope(user, region)
    target = MonthTarget.objects.select_for_update().get(pk=target.pk)
    _ensure_editable(target)
    region_target = RegionTarget.objects.filter(month_target=target, region=region).first()
    if region_target is None:
        raise ValidationError(_("This region has no target this month."))
    rows = {
        st.store_id: st
        for st in StoreTarget.objects.select_for_update()
        .filter(month_target=target, store__region=region)
        .order_by("pk")
    }
    new = _new_amounts({k: v.amount for k, v in rows.items()}, amounts, "amounts")
    _refuse_unless_sums(region_target.amount, new, _("stores' targets"))
    changed = []
    for store_id, amount in new.items():
        if rows[store_id].amount != amount:
            rows[store_id].amount = amount
            changed.append(rows[store_id])
    StoreTarget.objects.bulk_update(changed, ["amount"])
    _resplit_days(changed)
    return list(rows.values())


@transaction.atomic
def region_targets_adjust(
    *, user, target: MonthTarget, amounts: Mapping[int, object]
) -> list[RegionTarget]:
    """Head office moves target between regions; the chain total does not change. Each
    changed region's stores are re-split in the proportions they had, then their days."""
    ensure_role(user, TARGET_SETTERS)
    target = MonthTarget.objects.select_for_update().get(pk=target.pk)
    _ensure_editable(target)
    rows = {
        rt.region_id: rt
        for rt in RegionTarget.objects.select_for_update()
        .filter(month_target=target)
        .order_by("pk")
    }
    new = _new_amounts({k: v.amount for k, v in rows.items()}, amounts, "amounts")
    _refuse_unless_sums(target.amount, new, _("regions' targets"))
    changed_regions = [r for r, a in new.items() if rows[r].amount != a]
    for region_id in changed_regions:
        rows[region_id].amount = new[region_id]
    RegionTarget.objects.bulk_update([rows[r] for r in changed_regions], ["amount"])
    changed_stores = []
    for region_id in changed_regions:
        stores = list(
            StoreTarget.objects.select_for_update()
            .filter(month_target=target, store__region_id=region_id)
            .order_by("store__code")
        )
        parts = split_exact(new[region_id], [s.amount for s in stores])
        for store_target, amount in zip(stores, parts, strict=True):
            store_target.amount = amount
        changed_stores += stores
    StoreTarget.objects.bulk_update(changed_stores, ["amount"])
    _resplit_days(changed_stores)
    return list(rows.values())


def targets_total(target: MonthTarget) -> dict[str, Decimal]:
    """The sums at each level (for checks and tests): all equal the month's amount."""
    return {
        "month": target.amount,
        "regions": target.regions.aggregate(t=Sum("amount"))["t"],
        "stores": target.stores.aggregate(t=Sum("amount"))["t"],
        "days": DayTarget.objects.filter(store_target__month_target=target).aggregate(
            t=Sum("amount")
        )["t"],
    }
