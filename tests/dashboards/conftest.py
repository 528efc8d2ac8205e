"""Dashboard fixtures: two KPIs the tests register (one where higher is better, one where
lower is better) and hand-written facts whose roll-ups the tests can compute by hand."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from opsdesk.analytics.kpis import registry
from opsdesk.analytics.kpis.models import KpiFact, KpiRun, KpiStoreDay, KpiThreshold


@pytest.fixture(autouse=True)
def empty_cache():
    """The dashboards cache their KPI panels (keyed on the KPI runs): the tests write
    facts by hand, and every test starts from an empty cache."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def _nothing(business_date, store_ids):
    return {}


UP = registry.Kpi(
    code="test_up_pct",
    name="Test up",
    name_zh="测试上升",
    unit="%",
    higher_is_better=True,
    numerator="hits",
    denominator="tries",
    compute=_nothing,
    scale=Decimal(100),
)
DOWN = registry.Kpi(
    code="test_down_h",
    name="Test down",
    name_zh="测试下降",
    unit="h",
    higher_is_better=False,
    numerator="hours",
    denominator="cases",
    compute=_nothing,
)


def registered_test_kpis():
    registry.register(UP)
    registry.register(DOWN)
    try:
        yield UP, DOWN
    finally:
        registry.unregister(UP.code)
        registry.unregister(DOWN.code)


_test_kpis = pytest.fixture(registered_test_kpis, name="test_kpis")


def add_fact(store, day, kpi, numerator, denominator):
    numerator, denominator = Decimal(numerator), Decimal(denominator)
    return KpiFact.objects.create(
        store=store,
        business_date=day,
        code=kpi.code,
        numerator=numerator,
        denominator=denominator,
        value=kpi.value(numerator, denominator),
    )


def mark_computed(stores, day, at=None):
    run = KpiRun.objects.create(business_date=day, status=KpiRun.Status.SUCCEEDED)
    for store in stores:
        KpiStoreDay.objects.update_or_create(
            store=store,
            business_date=day,
            defaults={"computed_at": at or timezone.now(), "run": run},
        )


def seed_facts(test_kpis):
    """For each trading store i (by code), on the 2 days before its business date:
    UP = (i + day) hits of 10 tries, DOWN = (3 + i) hours of 2 cases. Thresholds:
    UP green from 50 %, amber from 30 %; DOWN green up to 2 h, amber up to 4 h."""
    up, down = test_kpis
    from stores.models import Store

    stores = list(Store.objects.exclude(status=Store.Status.PLANNED).order_by("code"))
    today = max(s.business_date() for s in stores)
    days = [today - datetime.timedelta(days=2), today - datetime.timedelta(days=1)]
    rows = {}
    for i, store in enumerate(stores):
        for d, day in enumerate(days):
            add_fact(store, day, up, i + d, 10)
            add_fact(store, day, down, 3 + i, 2)
            rows[(store.code, day)] = (i + d, 3 + i)
    for day in days:
        mark_computed(stores, day)
    KpiThreshold.objects.create(code=up.code, green=Decimal(50), amber=Decimal(30))
    KpiThreshold.objects.create(code=down.code, green=Decimal(2), amber=Decimal(4))
    return {"stores": stores, "days": days, "today": today, "rows": rows}


@pytest.fixture
def facts(demo, test_kpis):
    return seed_facts(test_kpis)
