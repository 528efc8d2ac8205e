"""Dashboard selectors: league tables are kpi_rollup's ratio of sums, tiles and trends
agree with the hand-computed facts, the out-of-band list follows the thresholds."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from opsdesk.analytics.dashboards import selectors
from opsdesk.analytics.kpis.periods import parse_period, period_for
from opsdesk.analytics.kpis.selectors import kpi_rollup
from stores.models import Region, Store

from .conftest import DOWN, UP

pytestmark = pytest.mark.django_db


def _q(value):
    return Decimal(value).quantize(Decimal("0.000001"))


def test_region_league_table_is_the_ratio_of_sums(facts, demo):
    user = demo.user("regional")
    region = Region.objects.get(code="EC")
    period = period_for("7d", facts["today"])
    stores = list(selectors.trading_stores(user=user, region=region))
    assert stores and all(s.region_id == region.pk for s in stores)
    table = selectors.league_table(user=user, period=period, entities=stores, group="store")
    codes = [k.code for k in table.kpis]
    assert UP.code in codes and DOWN.code in codes  # every registered KPI is a column
    up = codes.index(UP.code)
    down = codes.index(DOWN.code)
    expected = {
        r["key"]: r
        for r in kpi_rollup(
            user=user, code=UP.code, start=period.start, end=period.end, group="store"
        )
    }
    hits = tries = 0
    for row in table.rows:
        n = sum(facts["rows"][(row.entity.code, d)][0] for d in facts["days"])
        hits += n
        tries += 20
        cell = row.cells[up]
        assert cell.numerator == n and cell.denominator == 20
        assert cell.value == _q(Decimal(n) / 20 * 100) == expected[row.entity.pk]["value"]
    # The region total is Σ hits ÷ Σ tries, not the mean of the stores' percentages.
    assert table.total.cells[up].value == _q(Decimal(hits) / tries * 100)
    hours = sum(facts["rows"][(s.code, facts["days"][0])][1] * 2 for s in stores)
    assert table.total.cells[down].value == _q(Decimal(hours) / (4 * len(stores)))
    chain = kpi_rollup(
        user=user,
        code=UP.code,
        start=period.start,
        end=period.end,
        group="chain",
        store_ids=[s.pk for s in stores],
    )
    assert table.total.cells[up].value == chain[0]["value"]


def test_rag_of_cells(facts, demo):
    user = demo.user("headoffice")
    period = period_for("7d", facts["today"])
    stores = facts["stores"]
    table = selectors.league_table(user=user, period=period, entities=stores, group="store")
    up = [k.code for k in table.kpis].index(UP.code)
    down = [k.code for k in table.kpis].index(DOWN.code)
    states = {row.entity.code: (row.cells[up].rag, row.cells[down].rag) for row in table.rows}
    # UP (2i + 1) x 5 %: red below 30, amber from 30, green from 50.
    # DOWN (3 + i) / 2 h: green up to 2, amber up to 4, red above.
    for i, store in enumerate(stores):
        up_value = (2 * i + 1) * 5
        down_value = Decimal(3 + i) / 2
        up_state = "green" if up_value >= 50 else "amber" if up_value >= 30 else "red"
        down_state = "green" if down_value <= 2 else "amber" if down_value <= 4 else "red"
        assert states[store.code] == (up_state, down_state), store.code


def test_chain_league_table_by_region(facts, demo):
    user = demo.user("headoffice")
    period = period_for("30d", facts["today"])
    regions = list(Region.objects.order_by("code"))
    table = selectors.league_table(user=user, period=period, entities=regions, group="region")
    up = [k.code for k in table.kpis].index(UP.code)
    for row in table.rows:
        expected = kpi_rollup(
            user=user, code=UP.code, start=period.start, end=period.end, group="region"
        )
        by_region = {r["key"]: r["value"] for r in expected}
        assert row.cells[up].value == by_region[row.entity.pk]


def test_scope_limits_the_figures(facts, demo):
    """A regional user's totals only count their region's stores, even for the chain."""
    user = demo.user("regional")
    period = period_for("7d", facts["today"])
    everything = [s.pk for s in facts["stores"]]
    tiles = selectors.kpi_tiles(user=user, period=period, store_ids=everything)
    up = next(c for c in tiles if c.kpi.code == UP.code)
    mine = Store.objects.visible_to(user).exclude(status=Store.Status.PLANNED)
    assert up.denominator == 20 * mine.count()


def test_trends_are_daily_ratios(facts, demo):
    user = demo.user("headoffice")
    period = period_for("7d", facts["today"])
    data = selectors.trends(user=user, period=period, store_ids=[s.pk for s in facts["stores"]])
    assert data["labels"][-1] == facts["today"].isoformat() and len(data["labels"]) == 7
    series = next(s for s in data["series"] if s["code"] == UP.code)
    n = len(facts["stores"])
    first = sum(range(n))  # day 0: i hits of 10 per store
    assert series["data"][-3] == pytest.approx(first / (10 * n) * 100)
    assert series["data"][-2] == pytest.approx((first + n) / (10 * n) * 100)
    assert series["data"][-1] is None  # no figures that day
    assert series["data"][0] is None


def test_out_of_band(facts, demo):
    user = demo.user("headoffice")
    period = period_for("7d", facts["today"])
    groups = selectors.out_of_band(user=user, period=period, stores=facts["stores"])
    by_code = {g.kpi.code: g for g in groups}
    up_rows = by_code[UP.code].rows
    assert [cell.rag for _s, cell in up_rows] == sorted(
        (cell.rag for _s, cell in up_rows), key=lambda r: r != "red"
    )
    assert {s.code for s, _c in up_rows} == {
        s.code for i, s in enumerate(facts["stores"]) if (2 * i + 1) * 5 < 50
    }
    assert up_rows[0][1].value == Decimal(5)  # the worst first
    red_only = selectors.out_of_band(
        user=user, period=period, stores=facts["stores"], include_amber=False
    )
    assert all(cell.rag == "red" for g in red_only for _s, cell in g.rows)
    # KPIs without thresholds (the checklist ones here) are never out of band.
    assert set(by_code) == {UP.code, DOWN.code}


def test_tiles_call_extras_when_a_kpi_has_them(facts, demo, monkeypatch):
    import dataclasses

    from opsdesk.analytics.kpis import registry

    calls = []

    def extras(store_ids, start, end):
        calls.append((sorted(store_ids), start, end))
        return {"p90_h": Decimal("7.5")}

    with_extras = dataclasses.make_dataclass(
        "KpiWithExtras", [("extras", object, None)], bases=(registry.Kpi,), frozen=True
    )
    kpi = with_extras(**{f.name: getattr(DOWN, f.name) for f in dataclasses.fields(DOWN)})
    kpi = dataclasses.replace(kpi, extras=extras)
    registry.unregister(DOWN.code)
    registry.register(kpi)
    user = demo.user("headoffice")
    period = period_for("7d", facts["today"])
    ids = [s.pk for s in facts["stores"]]
    tiles = selectors.kpi_tiles(user=user, period=period, store_ids=ids)
    cell = next(c for c in tiles if c.kpi.code == DOWN.code)
    assert cell.extras == {"p90_h": Decimal("7.5")}
    assert calls == [(sorted(ids), period.start, period.end)]


def test_store_today(demo):
    from sales.selectors import store_day

    user = demo.user("manager")
    store = Store.objects.get(code="SH001")
    today = selectors.store_today(user=user, store=store)
    expected = store_day(user=user, store_pk=store.pk, date=store.business_date())
    assert today.sales.attainment == expected.attainment
    assert all(run.store_id == store.pk for run in today.runs)
    assert all(line.store_id == store.pk for line in today.low_stock.lines)
    assert today.low_stock.count >= len(today.low_stock.lines)


DAY = datetime.date(2026, 10, 15)


@pytest.mark.parametrize(
    ("params", "start", "end"),
    [
        ({}, datetime.date(2026, 9, 16), DAY),
        ({"period": "7d"}, datetime.date(2026, 10, 9), DAY),
        ({"period": "mtd"}, datetime.date(2026, 10, 1), DAY),
        ({"period": "month"}, datetime.date(2026, 10, 1), datetime.date(2026, 10, 31)),
        (
            {"period": "month", "month": "2026-02"},
            datetime.date(2026, 2, 1),
            datetime.date(2026, 2, 28),
        ),
        ({"month": "2024-02"}, datetime.date(2024, 2, 1), datetime.date(2024, 2, 29)),
        (
            {"period": "7d", "month": "2026-01"},
            datetime.date(2026, 1, 25),
            datetime.date(2026, 1, 31),
        ),
        (
            {"period": "mtd", "month": "2026-04"},
            datetime.date(2026, 4, 1),
            datetime.date(2026, 4, 30),
        ),
    ],
)
def test_periods(params, start, end):
    period = parse_period(params, DAY)
    assert (period.start, period.end) == (start, end)
    assert parse_period(period.params(), DAY) == period


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"period": "year"}, "period"),
        ({"period": "month", "month": "2026-13"}, "month"),
        ({"period": "month", "month": "26-1"}, "month"),
        ({"month": "2026-1x"}, "month"),
        ({"period": "7d", "month": "0000-01"}, "month"),
    ],
)
def test_bad_periods(params, field):
    with pytest.raises(ValidationError) as error:
        parse_period(params, DAY)
    assert field in error.value.message_dict
