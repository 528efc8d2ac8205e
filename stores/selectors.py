"""Reads of regions and stores, scoped to the user, with their relations fetched here."""

from __future__ import annotations

import datetime
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, DateField, Expression, F, Func, Prefetch, Q, QuerySet, Value
from django.db.models.functions import Cast, Now, TruncDate
from django.shortcuts import get_object_or_404
from django.utils import timezone

from opsdesk.platform.roles import Role

from .access import visible_store_ids
from .models import OpeningHours, Region, Store, StoreAssignment


def store_list(*, user) -> QuerySet[Store]:
    return (
        Store.objects.visible_to(user)
        .select_related("region")
        .prefetch_related(
            Prefetch("opening_hours", queryset=OpeningHours.objects.order_by("weekday"))
        )
        .order_by("region__code", "code")
    )


def store_get(*, user, pk: int) -> Store:
    return get_object_or_404(store_list(user=user), pk=pk)


def region_list(*, user) -> QuerySet[Region]:
    """Regions in scope, each with the number of its stores the user may see."""
    return (
        Region.objects.visible_to(user)
        .annotate(
            store_count=Count("stores", filter=Q(stores__in=visible_store_ids(user)), distinct=True)
        )
        .order_by("code")
    )


def region_get(*, user, pk: int) -> Region:
    return get_object_or_404(region_list(user=user), pk=pk)


@dataclass(frozen=True)
class StoreClock:
    """What a store's own clock says: local time, today's hours, open now or not."""

    local_time: datetime.datetime
    hours_today: OpeningHours | None
    is_open_now: bool


def store_clock(store: Store, now: datetime.datetime | None = None) -> StoreClock:
    """Uses the prefetched opening hours of ``store_list``; makes no query of its own."""
    local = store.local_now(now or timezone.now())
    hours = {h.weekday: h for h in store.opening_hours.all()}
    today = hours.get(local.weekday())
    is_open = bool(
        store.status == Store.Status.OPEN
        and today is not None
        and today.opens <= local.time().replace(tzinfo=None) < today.closes
    )
    return StoreClock(local_time=local, hours_today=today, is_open_now=is_open)


def _in_store_zone(moment: Expression, store_path: str) -> Expression:
    """PostgreSQL: the date of ``moment`` in the time zone of the row's store."""
    local = Func(F(f"{store_path}__time_zone"), moment, function="timezone")
    return Cast(local, output_field=DateField())


def store_local_today(store_path: str = "store") -> Expression:
    """SQL for "today" in the time zone of the row's store (``<store_path>__time_zone``),
    so that a list can filter on a store-local date in the same single query.

    PostgreSQL converts ``now()`` per row; SQLite (the embedded development database)
    has no time zones, so there it is the chain's date.
    """
    if connection.vendor == "postgresql":
        return _in_store_zone(Now(), store_path)
    return Value(timezone.localdate(), output_field=DateField())


def store_local_date(field: str, store_path: str = "store") -> Expression:
    """SQL for the store-local date of the row's ``field`` (an aware datetime), like
    ``store_local_today``: PostgreSQL converts per row to the store's zone; SQLite has no
    time zones and uses the chain's."""
    if connection.vendor == "postgresql":
        return _in_store_zone(F(field), store_path)
    return TruncDate(field, tzinfo=timezone.get_current_timezone())


def local_days_condition(
    *,
    field: str,
    store_field: str,
    start: datetime.date,
    end: datetime.date,
    store_ids: list[int] | None = None,
    stores: Iterable[Store] | None = None,
) -> Q:
    """``field`` (an aware datetime) falls on a store-local date in ``start``..``end``,
    for the stores given: one range per time zone (not per store), so that the index on
    ``field`` serves it on any database. One query (the stores' time zones) for
    ``store_ids``; none for ``stores`` the caller has read already. Used by the KPI reads
    of every domain app."""
    if stores is None:
        pairs = Store.objects.filter(pk__in=store_ids).values_list("pk", "time_zone")
    else:
        pairs = ((store.pk, store.time_zone) for store in stores)
    zones: dict[str, list[int]] = {}
    for pk, zone in pairs:
        zones.setdefault(zone, []).append(pk)
    condition = Q(pk__in=[])
    for zone, ids in zones.items():
        tz = zoneinfo.ZoneInfo(zone)
        low = datetime.datetime.combine(start, datetime.time.min, tzinfo=tz)
        high = datetime.datetime.combine(
            end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz
        )
        condition |= Q(**{f"{store_field}__in": ids, f"{field}__gte": low, f"{field}__lt": high})
    return condition


def latest_local_date(zones, now: datetime.datetime | None = None) -> datetime.date:
    """The newest business date in these time zones (today somewhere among the stores)."""
    now = now or timezone.now()
    zones = set(zones) or {"UTC"}
    return max(now.astimezone(zoneinfo.ZoneInfo(z)).date() for z in zones)


def store_managers(store_ids) -> dict[int, list]:
    """The store managers of each store, first assigned first."""
    managers = defaultdict(list)
    for assignment in (
        StoreAssignment.objects.filter(
            store_id__in=store_ids, user__role=Role.STORE_MANAGER, user__is_active=True
        )
        .select_related("user")
        .order_by("pk")
    ):
        managers[assignment.store_id].append(assignment.user)
    return managers
