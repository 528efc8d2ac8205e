"""The complaint KPIs against values computed by hand on small scenarios: store-local
dates across UTC midnight, zero transactions, feedback left out, a reopened complaint
counted once, "due that date" for the breach rate, a store opened mid-period; bounded
queries whatever the number of stores."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from customers.models import Complaint
from opsdesk.analytics.kpis import registry
from opsdesk.analytics.kpis.engine import compute_kpis
from opsdesk.analytics.kpis.models import KpiFact
from opsdesk.analytics.kpis.selectors import kpi_rollup
from sales.models import DailySales
from stores.models import Region, Store

D = Decimal
UTC = datetime.UTC
CODES = [
    "complaints_per_1k_txn",
    "complaint_first_response_h",
    "complaint_resolution_h",
    "complaint_sla_breach_rate",
]
DAY = datetime.date(2026, 3, 11)


def t(day, hour, minute=0):
    return datetime.datetime(2026, 3, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def region(db):
    return Region.objects.create(code="R1", name="Region 1")


@pytest.fixture
def stores(region):
    def make(code, tz, **extra):
        return Store.objects.create(code=code, name=code, region=region, time_zone=tz, **extra)

    return {
        "sh": make("SH", "Asia/Shanghai"),  # UTC+8: its 03-11 is 03-10 16:00 .. 03-11 16:00 UTC
        "ld": make("LD", "UTC"),
        "quiet": make("QT", "UTC"),
    }


def complaint(store, received, kind="complaint", first_h=4, resolution_h=48, **extra):
    clocks = {}
    if kind == "complaint":
        clocks = {
            "first_response_due_at": received + datetime.timedelta(hours=first_h),
            "resolution_due_at": received + datetime.timedelta(hours=resolution_h),
        }
    return Complaint.objects.create(
        store=store,
        kind=kind,
        channel="in_store",
        category="service",
        description="x",
        received_at=received,
        **clocks,
        **extra,
    )


def sales(store, day, transactions):
    DailySales.objects.create(
        store=store, business_date=day, net_sales=D(transactions * 10), transactions=transactions
    )


def values(code, day, stores):
    return registry.get(code).compute(day, [s.pk for s in stores])


def test_complaint_kpis_are_registered():
    for code in CODES:
        kpi = registry.get(code)
        assert kpi.name and kpi.name_zh and kpi.numerator and kpi.denominator
        assert not kpi.higher_is_better
    assert registry.get("complaints_per_1k_txn").scale == 1000
    assert registry.get("complaint_sla_breach_rate").scale == 100
    assert registry.get("complaint_sla_breach_rate").unit == "%"


def test_complaints_per_1k_transactions_on_store_local_dates(stores):
    sh, ld, quiet = stores["sh"], stores["ld"], stores["quiet"]
    complaint(sh, t(10, 17))  # 03-11 01:00 in Shanghai: its 03-11
    complaint(sh, t(11, 3))  # 03-11 11:00 local
    complaint(sh, t(11, 17))  # 03-12 01:00 local: not the 11th
    complaint(sh, t(11, 4), kind="compliment")  # feedback is not a complaint
    complaint(sh, t(11, 5), kind="suggestion")
    sales(sh, DAY, 400)
    complaint(ld, t(11, 12))  # a complaint on a day without transactions
    sales(quiet, DAY, 200)  # transactions, no complaint: 0, not "no data"
    got = values("complaints_per_1k_txn", DAY, [sh, ld, quiet])
    assert got == {sh.pk: (D(2), D(400)), ld.pk: (D(1), D(0)), quiet.pk: (D(0), D(200))}
    kpi = registry.get("complaints_per_1k_txn")
    assert kpi.value(*got[sh.pk]) == D(5)
    assert kpi.value(*got[ld.pk]) is None
    # The UTC day would have been wrong for Shanghai: 03-12 local has the third one.
    assert values("complaints_per_1k_txn", DAY + datetime.timedelta(days=1), [sh]) == {
        sh.pk: (D(1), D(0))
    }
    assert values("complaints_per_1k_txn", datetime.date(2026, 3, 9), [sh, ld, quiet]) == {}


def test_first_response_hours_over_complaints_first_answered_that_date(stores):
    sh, ld = stores["sh"], stores["ld"]
    complaint(sh, t(10, 16), first_responded_at=t(10, 18))  # 2 h, answered 03-11 02:00 local
    complaint(sh, t(11, 1), first_responded_at=t(11, 6))  # 5 h
    complaint(sh, t(11, 1), first_responded_at=t(11, 17))  # answered 03-12 local
    complaint(sh, t(11, 1), kind="compliment", first_responded_at=t(11, 2))  # feedback
    complaint(ld, t(10, 20), first_responded_at=t(11, 0, 30))  # 4.5 h, London's 03-11
    complaint(ld, t(11, 9))  # not answered yet
    got = values("complaint_first_response_h", DAY, [sh, ld])
    assert got == {sh.pk: (D(7), D(2)), ld.pk: (D("4.5"), D(1))}
    assert registry.get("complaint_first_response_h").value(*got[sh.pk]) == D("3.5")


def test_resolution_hours_count_a_reopened_complaint_once(stores):
    sh = stores["sh"]
    # Resolved the first time 03-11 (18:00 local), reopened, resolved again 03-12.
    complaint(
        sh,
        t(10, 10),
        first_responded_at=t(10, 12),
        first_resolved_at=t(11, 10),
        resolved_at=t(12, 3),
        reopen_count=1,
        status="resolved",
    )
    complaint(sh, t(11, 0), first_resolved_at=t(11, 6, 30), resolved_at=t(11, 6, 30))  # 6.5 h
    assert values("complaint_resolution_h", DAY, [sh]) == {sh.pk: (D("30.5"), D(2))}
    assert values("complaint_resolution_h", DAY + datetime.timedelta(days=1), [sh]) == {}


def test_breach_rate_over_the_complaints_due_that_date(stores):
    sh = stores["sh"]
    # Resolution due on Shanghai's 03-11 (03-10 16:00 .. 03-11 16:00 UTC).
    complaint(sh, t(9, 5), first_responded_at=t(9, 6), first_resolved_at=t(11, 4))  # met
    complaint(sh, t(9, 6), first_responded_at=t(9, 12), first_resolved_at=t(11, 5))  # late answer
    complaint(sh, t(9, 7), first_responded_at=t(9, 8))  # never resolved: breached
    complaint(sh, t(9, 20), first_responded_at=t(9, 21))  # due 03-11 20:00 UTC: 03-12 local
    complaint(sh, t(9, 7), kind="compliment")
    as_of = t(12, 0)
    from customers import selectors

    outcomes = selectors.kpi_sla_outcomes(start=DAY, end=DAY, store_ids=[sh.pk], as_of=as_of)
    assert outcomes == {sh.pk: (2, 3)}
    got = values("complaint_sla_breach_rate", DAY, [sh])
    assert got == {sh.pk: (D(2), D(3))}
    assert registry.get("complaint_sla_breach_rate").value(*got[sh.pk]) == D("66.666667")
    # Judged before a due time has passed, an unmet clock is not (yet) breached.
    early = selectors.kpi_sla_outcomes(start=DAY, end=DAY, store_ids=[sh.pk], as_of=t(11, 6))
    assert early == {sh.pk: (1, 3)}


def test_a_store_opened_mid_period_and_roll_ups(stores, region):
    sh, ld = stores["sh"], stores["ld"]
    new = Store.objects.create(
        code="NW", name="New", region=region, time_zone="UTC", opening_date=DAY
    )
    before = DAY - datetime.timedelta(days=1)
    for store, day, count in [(sh, before, 1000), (sh, DAY, 400), (ld, DAY, 100), (new, DAY, 50)]:
        sales(store, day, count)
    complaint(sh, t(10, 3))  # Shanghai's 03-10
    complaint(sh, t(11, 3))
    complaint(new, t(11, 9))
    complaint(new, t(10, 9))  # logged before the store opened: not a trading day
    for day in (before, DAY):
        run = compute_kpis(business_date=day, codes=CODES)
        assert run.status == "succeeded"
    facts = {
        (f.store.code, f.business_date): (f.numerator, f.denominator)
        for f in KpiFact.objects.filter(code="complaints_per_1k_txn").select_related("store")
    }
    assert facts == {
        ("SH", before): (D(1), D(1000)),
        ("SH", DAY): (D(1), D(400)),
        ("LD", DAY): (D(0), D(100)),
        ("NW", DAY): (D(1), D(50)),
    }
    head = get_user_model().objects.create_user("ho", password="x", role="head_office")
    (chain,) = kpi_rollup(
        user=head, code="complaints_per_1k_txn", start=before, end=DAY, group="chain"
    )
    # Σ numerators ÷ Σ denominators: 3 ÷ 1,550 × 1,000, not the mean of the store values.
    assert (chain["numerator"], chain["denominator"]) == (D(3), D(1550))
    assert chain["value"] == (D(3) / D(1550) * 1000).quantize(D("0.000001"))
    # Running a date again gives identical rows.
    compute_kpis(business_date=DAY, codes=CODES)
    assert KpiFact.objects.filter(code="complaints_per_1k_txn").count() == 4


def test_queries_do_not_grow_with_stores(stores, region):
    few = [stores["sh"]]
    many = list(stores.values()) + [
        Store.objects.create(code=f"X{i}", name="x", region=region, time_zone=tz)
        for i, tz in enumerate(["UTC", "Asia/Bangkok", "Europe/Paris"] * 4)
    ]
    for store in many:
        complaint(store, t(11, 3), first_responded_at=t(11, 4), first_resolved_at=t(11, 8))
        sales(store, DAY, 10)

    def count(store_list):
        with CaptureQueriesContext(connection) as queries:
            for code in CODES:
                values(code, DAY, store_list)
        return len(queries)

    assert count(few) == count(many) <= 10


def test_a_breach_after_the_close_counts_once_the_date_is_settled(stores, monkeypatch):
    """A complaint due at 23:00 (store time) and still open: the run at the close (22:15)
    cannot know yet; the run after the store's midnight (due_store_dates) counts it."""
    from opsdesk.analytics.kpis.definitions import customers as definitions

    ld = stores["ld"]  # UTC: store time is UTC
    complaint(ld, t(10, 23), first_h=1, resolution_h=24, first_responded_at=t(10, 23, 30))
    sales(ld, DAY, 100)

    def run_at(moment):
        monkeypatch.setattr(definitions.timezone, "now", lambda: moment)
        compute_kpis(business_date=DAY, store_ids=[ld.pk], codes=["complaint_sla_breach_rate"])
        fact = KpiFact.objects.get(store=ld, business_date=DAY, code="complaint_sla_breach_rate")
        return fact.numerator, fact.denominator

    assert run_at(t(11, 22, 15)) == (D(0), D(1))
    assert run_at(t(12, 0, 16)) == (D(1), D(1))
