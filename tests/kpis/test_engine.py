"""The KPI engine: idempotent, crash-safe, single-flight, ratio-of-sums roll-ups.

The engine is exercised with a KPI the test registers over data the platform already has:
a store's opening days per week (numerator) over 7 (denominator), which the tests can
predict by hand. The domain KPIs of docs/design.md register the same way.
"""

import datetime
import threading
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from opsdesk.analytics.kpis import registry
from opsdesk.analytics.kpis.engine import compute_kpis, due_store_dates, single_flight
from opsdesk.analytics.kpis.models import KpiFact, KpiRun, KpiStoreDay
from opsdesk.analytics.kpis.selectors import kpi_data_as_of, kpi_rollup
from stores.models import OpeningHours, Store

DAY = datetime.date(2026, 3, 2)


def _open_days(business_date, store_ids):
    counts = {}
    for store_id in OpeningHours.objects.filter(store_id__in=store_ids).values_list(
        "store_id", flat=True
    ):
        counts[store_id] = counts.get(store_id, 0) + 1
    return {s: (Decimal(counts.get(s, 0)), Decimal(7)) for s in store_ids}


OPEN_DAYS = registry.Kpi(
    code="test_open_days_pct",
    name="Open days",
    name_zh="营业天数",
    unit="%",
    higher_is_better=True,
    numerator="days open",
    denominator="days",
    compute=_open_days,
    scale=Decimal(100),
)


@pytest.fixture
def open_days_kpi():
    registry.register(OPEN_DAYS)
    yield OPEN_DAYS
    registry.unregister(OPEN_DAYS.code)


def _facts(code="test_open_days_pct"):
    return sorted(
        KpiFact.objects.filter(code=code).values_list(
            "store__code", "business_date", "code", "numerator", "denominator", "value"
        )
    )


def test_compute_writes_one_row_per_store_with_ratio(demo, open_days_kpi):
    run = compute_kpis(business_date=DAY, codes=[OPEN_DAYS.code])
    assert run.status == KpiRun.Status.SUCCEEDED
    trading = Store.objects.exclude(status=Store.Status.PLANNED).count()
    assert run.store_count == trading == 11  # the planned store does not trade yet
    facts = _facts()
    assert len(facts) == 11
    for code, _day, _kpi, numerator, denominator, value in facts:
        open_days = OpeningHours.objects.filter(store__code=code).count()
        assert numerator == open_days and denominator == 7
        assert value == (Decimal(open_days) / 7 * 100).quantize(Decimal("0.000001"))


def test_rerun_gives_identical_rows(demo, open_days_kpi):
    compute_kpis(business_date=DAY, codes=[OPEN_DAYS.code])
    first = _facts()
    compute_kpis(business_date=DAY, codes=[OPEN_DAYS.code])
    assert _facts() == first
    assert KpiFact.objects.count() == len(first)


def test_a_failed_run_leaves_the_previous_rows(demo, open_days_kpi, monkeypatch):
    compute_kpis(business_date=DAY, codes=[OPEN_DAYS.code])
    before = _facts()
    OpeningHours.objects.filter(store__code="SH001").delete()

    def crash_after_some_rows(rows):
        raise RuntimeError("worker died while writing")

    monkeypatch.setattr(
        KpiFact.objects, "bulk_create", lambda rows, **kw: crash_after_some_rows(rows)
    )
    with pytest.raises(RuntimeError):
        compute_kpis(business_date=DAY, codes=[OPEN_DAYS.code])
    assert _facts() == before  # the delete was rolled back with the failed insert
    assert KpiRun.objects.filter(status=KpiRun.Status.FAILED).count() == 1
    monkeypatch.undo()
    compute_kpis(business_date=DAY, codes=[OPEN_DAYS.code])
    sh001 = next(f for f in _facts() if f[0] == "SH001")
    assert sh001[3] == 0  # the re-run sees the new data


def test_an_interrupted_run_is_marked_and_recomputed(demo, open_days_kpi):
    stale = KpiRun.objects.create(business_date=DAY, status=KpiRun.Status.RUNNING)
    run = compute_kpis(business_date=DAY, codes=[OPEN_DAYS.code])
    stale.refresh_from_db()
    assert stale.status == KpiRun.Status.FAILED and stale.error == "interrupted"
    assert run.status == KpiRun.Status.SUCCEEDED


@pytest.mark.django_db(transaction=True)
def test_single_flight_skips_a_second_run_of_the_same_date(open_days_kpi):
    if connection.vendor != "postgresql":
        pytest.skip("advisory locks are PostgreSQL's")
    from tests.conftest import seed_test_chain

    seed_test_chain()
    holding = threading.Event()
    release = threading.Event()

    def hold_the_date():
        from django.db import connections

        try:
            with single_flight(DAY) as acquired:
                assert acquired
                holding.set()
                release.wait(10)
        finally:
            connections.close_all()

    thread = threading.Thread(target=hold_the_date)
    thread.start()
    assert holding.wait(10)
    try:
        run = compute_kpis(business_date=DAY, codes=[OPEN_DAYS.code])
        assert run.status == KpiRun.Status.SKIPPED
        assert not KpiFact.objects.exists()
        other_day = compute_kpis(
            business_date=DAY + datetime.timedelta(days=1), codes=[OPEN_DAYS.code]
        )
        assert other_day.status == KpiRun.Status.SUCCEEDED  # other dates are not blocked
    finally:
        release.set()
        thread.join()
    assert compute_kpis(business_date=DAY, codes=[OPEN_DAYS.code]).status == KpiRun.Status.SUCCEEDED


def test_rollups_are_ratios_of_sums(demo, open_days_kpi):
    for offset in range(3):
        compute_kpis(business_date=DAY + datetime.timedelta(days=offset), codes=[OPEN_DAYS.code])
    head = demo.user("headoffice")
    end = DAY + datetime.timedelta(days=2)
    facts = KpiFact.objects.filter(code=OPEN_DAYS.code)
    total_n = sum(f.numerator for f in facts)
    total_d = sum(f.denominator for f in facts)
    (chain,) = kpi_rollup(user=head, code=OPEN_DAYS.code, start=DAY, end=end, group="chain")
    assert chain["numerator"] == total_n and chain["denominator"] == total_d
    assert chain["value"] == OPEN_DAYS.value(total_n, total_d)
    regions = kpi_rollup(user=head, code=OPEN_DAYS.code, start=DAY, end=end, group="region")
    assert sum(r["numerator"] for r in regions) == total_n
    # A regional user's roll-up covers only the stores in their scope.
    regional = demo.user("regional")
    (own,) = kpi_rollup(user=regional, code=OPEN_DAYS.code, start=DAY, end=end, group="chain")
    in_scope = facts.filter(store__region=demo.regions[0])
    assert own["denominator"] == sum(f.denominator for f in in_scope)
    manager = demo.user("manager")
    rows = kpi_rollup(user=manager, code=OPEN_DAYS.code, start=DAY, end=end, group="store")
    assert [r["key"] for r in rows] == [Store.objects.get(code="SH001").pk]
    assert kpi_data_as_of(user=manager) is not None


def test_ratio_of_sums_differs_from_average_of_ratios():
    values = [(Decimal(1), Decimal(1)), (Decimal(0), Decimal(9))]
    kpi = OPEN_DAYS
    ratio_of_sums = kpi.value(sum(n for n, _ in values), sum(d for _, d in values))
    average_of_ratios = sum(kpi.value(n, d) for n, d in values) / 2
    assert ratio_of_sums == Decimal("10.000000") and average_of_ratios == Decimal(50)


def test_zero_denominator_gives_no_value():
    assert OPEN_DAYS.value(Decimal(3), Decimal(0)) is None


def test_due_store_dates_follow_each_store_close(demo, open_days_kpi):
    store = Store.objects.get(code="SH001")  # Asia/Shanghai, UTC+8
    hours = {h.weekday: h for h in store.opening_hours.all()}
    monday = hours[0]
    # 1 minute after Monday's close in Shanghai: Monday 2026-03-02 is due for SH001.
    close_utc = datetime.datetime.combine(
        datetime.date(2026, 3, 2), monday.closes, tzinfo=store.tz
    ).astimezone(datetime.UTC) + datetime.timedelta(minutes=1)
    due = due_store_dates(close_utc)
    assert store.pk in due[datetime.date(2026, 3, 2)]
    compute_kpis(business_date=datetime.date(2026, 3, 2), store_ids=[store.pk])
    due = due_store_dates(close_utc)
    assert store.pk not in due.get(datetime.date(2026, 3, 2), [])
    assert KpiStoreDay.objects.filter(store=store, business_date=datetime.date(2026, 3, 2)).exists()
    # 1 minute before the close, Monday is not over: Sunday is the business date in play.
    before = close_utc - datetime.timedelta(minutes=2)
    assert store.pk not in due_store_dates(before).get(datetime.date(2026, 3, 2), [])


def test_a_date_computed_at_its_close_is_computed_once_more_after_its_midnight(demo, open_days_kpi):
    store = Store.objects.get(code="SH001")  # Asia/Shanghai, UTC+8
    monday = datetime.date(2026, 3, 2)
    closes = {h.weekday: h.closes for h in store.opening_hours.all()}[0]
    at_close = datetime.datetime.combine(monday, closes, tzinfo=store.tz)
    midnight = datetime.datetime.combine(monday + datetime.timedelta(days=1), datetime.time(0))
    midnight = midnight.replace(tzinfo=store.tz)
    compute_kpis(business_date=monday, store_ids=[store.pk])
    KpiStoreDay.objects.filter(store=store, business_date=monday).update(
        computed_at=at_close + datetime.timedelta(minutes=5)
    )
    # Before midnight Monday is done; a minute after it, Monday is due once more.
    assert store.pk not in due_store_dates(midnight - datetime.timedelta(minutes=1)).get(monday, [])
    assert store.pk in due_store_dates(midnight + datetime.timedelta(minutes=1))[monday]
    # Computed after the midnight, it is settled: never due again, however late it is.
    KpiStoreDay.objects.filter(store=store, business_date=monday).update(
        computed_at=midnight + datetime.timedelta(minutes=16)
    )
    for later in (datetime.timedelta(minutes=30), datetime.timedelta(hours=20)):
        assert store.pk not in due_store_dates(midnight + later).get(monday, [])
    # Days before the last one that ended are never computed again (history is final).
    KpiStoreDay.objects.filter(store=store, business_date=monday).update(computed_at=at_close)
    assert store.pk not in due_store_dates(midnight + datetime.timedelta(days=1, hours=1)).get(
        monday, []
    )


def test_compute_kpis_command(demo, open_days_kpi, capsys):
    call_command(
        "compute_kpis", "--from", "2026-03-01", "--to", "2026-03-03", "--kpi", OPEN_DAYS.code
    )
    assert KpiFact.objects.values("business_date").distinct().count() == 3
    call_command(
        "compute_kpis", "--date", "2026-03-01", "--store", "SH001", "--kpi", OPEN_DAYS.code
    )
    with pytest.raises(CommandError, match="Unknown store"):
        call_command("compute_kpis", "--date", "2026-03-01", "--store", "NOPE")
    with pytest.raises(CommandError, match="unknown KPI"):
        call_command("compute_kpis", "--date", "2026-03-01", "--kpi", "nope")
    with pytest.raises(CommandError, match="not more than one"):
        call_command(
            "compute_kpis", "--date", "2026-03-01", "--from", "2026-03-01", "--to", "2026-03-02"
        )
    with pytest.raises(CommandError, match="must not be after"):
        call_command("compute_kpis", "--from", "2026-03-03", "--to", "2026-03-01")


def test_tasks_run_the_same_engine(demo, open_days_kpi):
    from opsdesk.analytics.kpis.tasks import compute_date

    result = compute_date.delay(DAY.isoformat(), None, "beat").get()
    assert result["status"] == "succeeded" and result["rows"] >= 11


def test_compute_kpis_command_last_days_and_only_missing(demo, open_days_kpi, capsys):
    """``make run`` computes the demo history once: --days N up to yesterday, --missing
    skips the stores and dates already computed (a restart computes nothing again)."""
    from django.utils import timezone

    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    trading = Store.objects.exclude(status=Store.Status.PLANNED).count()
    call_command("compute_kpis", "--days", "3", "--kpi", OPEN_DAYS.code, "--missing")
    days = KpiStoreDay.objects.filter(business_date__gt=yesterday - datetime.timedelta(days=3))
    assert days.count() == 3 * trading
    assert KpiStoreDay.objects.order_by("-business_date").first().business_date == yesterday
    first_run = {d.pk: d.computed_at for d in days}
    KpiStoreDay.objects.filter(business_date=yesterday, store__code="SH001").delete()
    runs_before = KpiRun.objects.count()
    call_command("compute_kpis", "--days", "3", "--kpi", OPEN_DAYS.code, "--missing")
    assert KpiRun.objects.count() == runs_before + 1  # only yesterday, only SH001
    assert KpiRun.objects.order_by("-pk").first().store_count == 1
    kept = {d.pk: d.computed_at for d in days.exclude(business_date=yesterday)}
    assert all(first_run[pk] == at for pk, at in kept.items())
    with pytest.raises(CommandError, match="at least 1"):
        call_command("compute_kpis", "--days", "0")
    with pytest.raises(CommandError, match="not more than one"):
        call_command("compute_kpis", "--days", "3", "--date", "2026-03-01")
