"""The monthly operations report's figures: KPIs, rankings, failed items, complaints."""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone, translation

from opsdesk.analytics.kpis import registry
from opsdesk.analytics.kpis.registry import Kpi
from opsdesk.analytics.kpis.selectors import kpi_data_as_of, kpi_rollup
from opsdesk.platform.roles import Role
from stores.access import ensure_region_in_scope, ensure_role
from stores.checklists import selectors as checklist_selectors
from stores.models import Region, Store

from ..rules import MONTHLY_READERS

RANKED = 3  # best and worst stores shown per KPI

FAILED_ITEMS = 10


def first_of_month(date: datetime.date) -> datetime.date:
    return date.replace(day=1)


def month_end(month: datetime.date) -> datetime.date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def previous_month(month: datetime.date) -> datetime.date:
    return first_of_month(month - datetime.timedelta(days=1))


def same_month_last_year(month: datetime.date) -> datetime.date:
    return month.replace(year=month.year - 1)


def parse_month(value: str) -> datetime.date | None:
    """``YYYY-MM`` -> its first day, or None."""
    try:
        year, number = value.strip().split("-")
        if len(year) != 4 or len(number) != 2:
            return None
        return datetime.date(int(year), int(number), 1)
    except (ValueError, AttributeError):
        return None


@dataclass(frozen=True)
class Figure:
    numerator: Decimal
    denominator: Decimal
    value: Decimal | None


@dataclass(frozen=True)
class KpiLine:
    kpi: Kpi
    current: Figure | None
    previous: Figure | None
    last_year: Figure | None

    @staticmethod
    def _change(now: Figure | None, then: Figure | None) -> Decimal | None:
        if now is None or then is None or now.value is None or then.value is None:
            return None
        return now.value - then.value

    @property
    def change_vs_previous(self) -> Decimal | None:
        return self._change(self.current, self.previous)

    @property
    def change_vs_last_year(self) -> Decimal | None:
        return self._change(self.current, self.last_year)


@dataclass(frozen=True)
class Ranking:
    kpi: Kpi
    best: list[tuple[Store, Decimal]]
    worst: list[tuple[Store, Decimal]]


@dataclass(frozen=True)
class FailedItem:
    template: str
    prompt: str
    failures: int
    stores: int


@dataclass(frozen=True)
class ComplaintSection:
    """What a complaints selector gives the report: headline figures and a table."""

    figures: list[tuple[str, object]]
    header: list[str] = field(default_factory=list)
    rows: list[list[object]] = field(default_factory=list)


@dataclass(frozen=True)
class MonthlyReport:
    region: Region
    month: datetime.date
    stores: list[Store]
    kpis: list[KpiLine]
    rankings: list[Ranking]
    failed_items: list[FailedItem]
    complaints: ComplaintSection | None
    data_as_of: datetime.datetime | None
    generated_at: datetime.datetime

    @property
    def start(self) -> datetime.date:
        return self.month

    @property
    def end(self) -> datetime.date:
        return month_end(self.month)

    def region_name(self, language: str | None = None) -> str:
        language = language or translation.get_language() or ""
        if language.startswith("zh") and self.region.name_zh:
            return self.region.name_zh
        return self.region.name


class SystemReader:
    """The reader of a scheduled report: no person is signed in when beat sends it, and
    head office scheduled it for any region, so it reads with a chain-wide scope (like
    the nightly KPI job's system reads). Never used for a request."""

    is_authenticated = True
    is_active = True
    is_superuser = False
    role = Role.HEAD_OFFICE
    pk = None


def _figure(rows: list[dict]) -> Figure | None:
    if not rows:
        return None
    row = rows[0]
    return Figure(row["numerator"], row["denominator"], row["value"])


def _ranking(kpi: Kpi, rows: list[dict], stores: dict[int, Store]) -> Ranking:
    valued = [(stores[r["key"]], r["value"]) for r in rows if r["value"] is not None]
    # Best first; equal values in store code order.
    if kpi.higher_is_better:
        valued.sort(key=lambda sv: (-sv[1], sv[0].code))
    else:
        valued.sort(key=lambda sv: (sv[1], sv[0].code))
    shown = min(RANKED, max(1, len(valued) // 2)) if valued else 0
    best = valued[:shown]
    worst = list(reversed(valued[-shown:])) if len(valued) > 1 else []
    return Ranking(kpi=kpi, best=best, worst=worst)


def failed_items(
    *, user, store_ids: list[int], start: datetime.date, end: datetime.date, limit: int
) -> list[FailedItem]:
    """The items failed most often in these stores over the dates (one query). The
    checklist selector ``most_failed_items`` counts over all the user's stores and a
    trailing window; the report needs one region and one calendar month
    (``failed_items_between``)."""
    rows = checklist_selectors.failed_items_between(
        user=user, store_ids=store_ids, start=start, end=end, limit=limit
    )
    zh = (translation.get_language() or "").startswith("zh")
    return [
        FailedItem(
            template=row["item__version__template__code"],
            prompt=(
                row["item__prompt_zh"] if zh and row["item__prompt_zh"] else row["item__prompt"]
            ),
            failures=row["failures"],
            stores=row["stores"],
        )
        for row in rows
    ]


def complaints_section(*, user, store_ids, start, end) -> ComplaintSection | None:
    """The complaints section, from ``customers.selectors.complaint_report(user=,
    store_ids=, start=, end=)`` returning a ``ComplaintSection`` (or a dict of its
    fields) once the customers app has one; None (section left out) until then."""
    try:
        from customers import selectors as customer_selectors
    except ImportError:
        return None
    provider = getattr(customer_selectors, "complaint_report", None)
    if provider is None:
        return None
    section = provider(user=user, store_ids=store_ids, start=start, end=end)
    if section is None or isinstance(section, ComplaintSection):
        return section
    return ComplaintSection(**section)


def monthly_report(*, user, region: Region, month: datetime.date) -> MonthlyReport:
    """Head office (any region) and regional ops (their regions); others 403, a region
    out of scope 404."""
    ensure_role(user, MONTHLY_READERS)
    ensure_region_in_scope(user, region)
    month = first_of_month(month)
    stores = list(
        Store.objects.visible_to(user)
        .filter(region=region)
        .select_related("region")
        .order_by("code")
    )
    by_id = {s.pk: s for s in stores}
    store_ids = list(by_id)
    periods = {
        "current": (month, month_end(month)),
        "previous": (previous_month(month), month_end(previous_month(month))),
        "last_year": (same_month_last_year(month), month_end(same_month_last_year(month))),
    }
    lines, rankings = [], []
    for kpi in registry.kpis_for(user):
        figures = {}
        for name, (start, end) in periods.items():
            rows = kpi_rollup(
                user=user, code=kpi.code, start=start, end=end, group="chain", store_ids=store_ids
            )
            figures[name] = _figure(rows)
        lines.append(KpiLine(kpi=kpi, **figures))
        per_store = kpi_rollup(
            user=user,
            code=kpi.code,
            start=month,
            end=month_end(month),
            group="store",
            store_ids=store_ids,
        )
        rankings.append(_ranking(kpi, per_store, by_id))
    return MonthlyReport(
        region=region,
        month=month,
        stores=stores,
        kpis=lines,
        rankings=rankings,
        failed_items=failed_items(
            user=user, store_ids=store_ids, start=month, end=month_end(month), limit=FAILED_ITEMS
        ),
        complaints=complaints_section(
            user=user, store_ids=store_ids, start=month, end=month_end(month)
        ),
        data_as_of=kpi_data_as_of(user=user, store_ids=store_ids),
        generated_at=timezone.now(),
    )
