"""Dashboard reads: KPI tiles, league tables, trends and the out-of-band list, built from
the KPI selectors (ratio-of-sums roll-ups over the facts the user may see) and the domain
apps' selectors. Each shows the KPIs the user may read (``registry.kpis_for``), the
selectors read no other. Every function runs a fixed number of queries whatever the number of
stores or regions: one per kind of figure, never one per store.
"""

from __future__ import annotations

import datetime
import functools
from dataclasses import dataclass, field
from decimal import Decimal
from types import SimpleNamespace

from django.db.models import QuerySet
from django.utils.translation import get_language

from customers import selectors as customer_selectors
from inventory.filters import StockLevelFilterSet
from inventory.selectors import stock_level_list
from opsdesk.analytics.kpis import registry
from opsdesk.analytics.kpis.periods import Period, last_closed_day
from opsdesk.analytics.kpis.selectors import kpi_daily, kpi_data_as_of, kpi_table
from opsdesk.analytics.kpis.thresholds import AMBER, RAG_LABELS, RED, bands, rag
from sales import selectors as sales_selectors
from staff import selectors as staff_selectors
from stores.access import user_role
from stores.checklists.selectors import run_list
from stores.models import Region, Store
from stores.selectors import latest_local_date

LOW_STOCK_SHOWN = 10


def kpi_label(kpi: registry.Kpi) -> str:
    """The KPI's name in the current language (the registry carries the Chinese one)."""
    if (get_language() or "").lower().startswith("zh") and getattr(kpi, "name_zh", ""):
        return kpi.name_zh
    return str(kpi.name)


@dataclass(frozen=True)
class Cell:
    """One KPI's figure for one store, region or the chain over a period."""

    kpi: registry.Kpi
    value: Decimal | None
    numerator: Decimal
    denominator: Decimal
    rag: str | None
    band: object = None
    extras: dict = field(default_factory=dict)

    @property
    def rag_label(self):
        return RAG_LABELS.get(self.rag, "")


def _cell(kpi: registry.Kpi, row: dict | None, threshold, extras: dict | None = None) -> Cell:
    row = row or {"value": None, "numerator": Decimal(0), "denominator": Decimal(0)}
    return Cell(
        kpi=kpi,
        value=row["value"],
        numerator=row["numerator"],
        denominator=row["denominator"],
        rag=rag(row["value"], threshold, kpi.higher_is_better),
        band=threshold,
        extras=extras or {},
    )


@dataclass(frozen=True)
class LeagueRow:
    entity: Store | Region | None  # None: the total (region or chain)
    cells: list[Cell]


@dataclass(frozen=True)
class LeagueTable:
    kpis: list[registry.Kpi]
    rows: list[LeagueRow]
    total: LeagueRow


def trading_stores(*, user, region: Region | int | None = None) -> QuerySet[Store]:
    """The stores in scope that trade (planned ones have no figures yet), of one region
    (or region id) if given.

    Every dashboard request starts here, and building the queryset cost more than running
    it (0.75 of 2.2 ms): the unevaluated queryset is kept per process and cloned. It is
    the same SQL; the scope subquery reads the assignments when it runs. What
    ``visible_to`` builds from the user (their id, role, and whether they are active) is
    all in the key, so a change of role or a deactivation takes effect at once."""
    region_id = region.pk if isinstance(region, Region) else region
    return _trading_stores(user, user.pk, user_role(user), region_id).all()


@functools.lru_cache(maxsize=1024)
def _trading_stores(user, user_pk, role, region_id) -> QuerySet[Store]:
    stores = (
        Store.objects.visible_to(user)
        .exclude(status=Store.Status.PLANNED)
        .select_related("region")
        .order_by("code")
    )
    return stores.filter(region_id=region_id) if region_id is not None else stores


def last_day_for(stores) -> datetime.date:
    """The last closed business date of these stores: the day before the newest local
    date among them (KPIs are computed once a store's day has closed)."""
    return last_closed_day(latest_local_date({store.time_zone for store in stores}))


def _extras(kpi: registry.Kpi, period: Period, store_ids) -> dict | None:
    compute_extras = getattr(kpi, "extras", None)
    if not callable(compute_extras) or not store_ids:
        return None
    computed = compute_extras(list(store_ids), period.start, period.end) or {}
    return {key: value for key, value in computed.items() if value is not None}


def _total_cells(*, kpis, thresholds, period, store_ids, totals, with_extras) -> list[Cell]:
    return [
        _cell(
            kpi,
            totals[kpi.code].get("chain"),
            thresholds.get(kpi.code),
            _extras(kpi, period, store_ids) if with_extras else None,
        )
        for kpi in kpis
    ]


def _summed(kpis, table: dict[str, dict]) -> dict[str, dict]:
    """The total of each KPI from its rows per store or region: Σ numerators ÷ Σ
    denominators over the rows, which is the ratio of sums over all their facts."""
    totals: dict[str, dict] = {}
    for kpi in kpis:
        rows = table[kpi.code].values()
        if not rows:
            totals[kpi.code] = {}
            continue
        numerator = sum((row["numerator"] for row in rows), Decimal(0))
        denominator = sum((row["denominator"] for row in rows), Decimal(0))
        totals[kpi.code] = {
            "chain": {
                "key": "chain",
                "numerator": numerator,
                "denominator": denominator,
                "value": kpi.value(numerator, denominator),
            }
        }
    return totals


def kpi_tiles(*, user, period: Period, store_ids: list[int]) -> list[Cell]:
    """Every KPI the user may read over the period for these stores together (ratio of
    sums), with its RAG state and the KPI's extras (p90, days on hand, ...) when it
    computes any."""
    totals = kpi_table(
        user=user, start=period.start, end=period.end, group="chain", store_ids=store_ids
    )
    return _total_cells(
        kpis=registry.kpis_for(user),
        thresholds=bands(),
        period=period,
        store_ids=store_ids,
        totals=totals,
        with_extras=True,
    )


def league_table(
    *,
    user,
    period: Period,
    entities: list,
    group: str,
    store_ids: list[int] | None = None,
    with_extras: bool = False,
    thresholds: dict | None = None,
) -> LeagueTable:
    """Rows: the stores (group="store") or regions (group="region") given; columns: every
    KPI the user may read, each cell Σ numerators ÷ Σ denominators with its RAG; the total row is
    the same ratio over all the stores (``store_ids``: by default the stores given, or
    the stores in scope of the regions given), with the KPIs' extras if asked. One query
    for the figures (the total is summed from the rows), plus the extras' own; the bands
    are read unless given (``thresholds``: a request reads them once)."""
    kpis = registry.kpis_for(user)
    if thresholds is None:
        thresholds = bands()
    if store_ids is None and group == "store":
        store_ids = [e.pk for e in entities]
    elif store_ids is None:
        store_ids = list(
            Store.objects.visible_to(user)
            .filter(region_id__in=[e.pk for e in entities])
            .values_list("pk", flat=True)
        )
    table = kpi_table(
        user=user, start=period.start, end=period.end, group=group, store_ids=store_ids
    )
    rows = [
        LeagueRow(
            entity=entity,
            cells=[
                _cell(kpi, table[kpi.code].get(entity.pk), thresholds.get(kpi.code)) for kpi in kpis
            ],
        )
        for entity in entities
    ]
    total = LeagueRow(
        entity=None,
        cells=_total_cells(
            kpis=kpis,
            thresholds=thresholds,
            period=period,
            store_ids=store_ids,
            totals=_summed(kpis, table),
            with_extras=with_extras,
        ),
    )
    return LeagueTable(kpis=kpis, rows=rows, total=total)


def trends(*, user, period: Period, store_ids: list[int]) -> dict:
    """Chart data: each KPI's daily value over the period for these stores together (the
    day's ratio of sums; null for a day without figures), one series per KPI."""
    daily = kpi_daily(user=user, start=period.start, end=period.end, store_ids=store_ids)
    days = period.days
    series = []
    for kpi in registry.kpis_for(user):
        values = daily[kpi.code]
        series.append(
            {
                "code": kpi.code,
                "label": kpi_label(kpi),
                "unit": kpi.unit,
                "data": [
                    None
                    if values.get(day, {}).get("value") is None
                    else float(values[day]["value"])
                    for day in days
                ],
            }
        )
    return {"labels": [day.isoformat() for day in days], "series": series}


def data_as_of(*, user, store_ids: list[int]):
    return kpi_data_as_of(user=user, store_ids=store_ids)


# --- The store dashboard --------------------------------------------------------------


@dataclass(frozen=True)
class LowStock:
    count: int
    lines: list


@dataclass(frozen=True)
class StoreToday:
    sales: sales_selectors.StoreDay | None  # None for a store that does not trade yet
    runs: list  # checklist runs (stores.checklists.selectors.run_list)
    low_stock: LowStock
    complaints: customer_selectors.OpenComplaints
    shifts: staff_selectors.ShiftsToday | None = None


def store_today(*, user, store: Store) -> StoreToday:
    """A store's day: sales today and month to date against target, the checklist runs
    due today, the stock lines at or below their reorder point, the open complaints and
    today's shifts (who is on now and later, the hours scheduled, the open swap requests)."""
    today = store.business_date()
    day = None
    if store.status != Store.Status.PLANNED:
        day = sales_selectors.store_day(user=user, store_pk=store.pk, date=today)
    runs = list(run_list(user=user).filter(store=store, business_date=today).order_by("due_at"))
    # The low-stock rule is the stock list's ("at or below the reorder point").
    low = StockLevelFilterSet(
        {"store": store.pk, "low_stock": True},
        queryset=stock_level_list(user=user),
        request=SimpleNamespace(user=user),
    ).qs.order_by("on_hand", "product__sku")
    return StoreToday(
        sales=day,
        runs=runs,
        low_stock=LowStock(count=low.count(), lines=list(low[:LOW_STOCK_SHOWN])),
        complaints=customer_selectors.open_complaints(user=user, store=store),
        shifts=staff_selectors.shifts_today(user=user, store=store),
    )


# --- Out of band ----------------------------------------------------------------------


@dataclass(frozen=True)
class OutOfBand:
    kpi: registry.Kpi
    rows: list[tuple[Store, Cell]]


def out_of_band(
    *, user, period: Period, stores: list[Store], include_amber: bool = True
) -> list[OutOfBand]:
    """Per KPI, the stores whose value over the period is red (and amber), worst first."""
    thresholds = bands()
    table = kpi_table(
        user=user, start=period.start, end=period.end, store_ids=[s.pk for s in stores]
    )
    wanted = {RED, AMBER} if include_amber else {RED}
    result = []
    for kpi in registry.kpis_for(user):
        rows = []
        for store in stores:
            cell = _cell(kpi, table[kpi.code].get(store.pk), thresholds.get(kpi.code))
            if cell.rag in wanted:
                rows.append((store, cell))
        sign = 1 if kpi.higher_is_better else -1
        rows.sort(key=lambda r: (r[1].rag != RED, sign * r[1].value, r[0].code))
        if rows:
            result.append(OutOfBand(kpi=kpi, rows=rows))
    return result
