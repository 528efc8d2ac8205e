"""Reads: the KPI inputs against hand-computed values, the region comparison."""

import datetime
from decimal import Decimal

from stores.checklists import selectors, services
from stores.checklists.models import ChecklistRun, CorrectiveAction

from .conftest import answer_all, build_template, schedule

UTC = datetime.UTC
D = datetime.date(2026, 3, 10)  # a Tuesday; Shanghai is UTC+8


def at(hour, minute=0, day=D):
    """Shanghai local time on day, as UTC."""
    return datetime.datetime.combine(
        day, datetime.time(hour, minute), tzinfo=UTC
    ) - datetime.timedelta(hours=8)


def _day(world):
    """SH1: three checklists (on time, late, missed); SH2: one on time; two SH1 audits."""
    for due in (9, 10, 11):
        schedule(world, stores=[world.sh], due_time=datetime.time(due), grace_minutes=0)
    schedule(world, stores=[world.sh2], due_time=datetime.time(9))
    for store in (world.sh, world.sh2):
        services.runs_create_for_business_day(store=store, business_date=D)
    a, b, c = ChecklistRun.objects.filter(store=world.sh).order_by("due_at")
    answer_all(world, a, world.manager)
    services.run_submit(user=world.manager, run=a, now=at(8, 30))
    answer_all(world, b, world.manager, fail=[world.tpl.items.fridge])
    services.run_submit(user=world.manager, run=b, now=at(12))  # due 10:00: late
    d = ChecklistRun.objects.get(store=world.sh2)
    answer_all(world, d, world.manager_sh2)
    services.run_submit(user=world.manager_sh2, run=d, now=at(8))
    services.runs_mark_missed(now=at(0, 0, D + datetime.timedelta(days=1)))  # c: missed
    audit = build_template(world.head, code="visit", kind="audit")
    for fail in ([], [audit.items.alarm]):
        run = services.audit_start(
            user=world.regional, store=world.sh, template=audit.template, now=at(15)
        )
        answer_all(audit_world(world, audit), run, world.regional, fail=fail)
        services.run_submit(user=world.regional, run=run, now=at(16))
    return a, b, c, d


def audit_world(world, audit):
    class W:
        tpl = audit

    return W


def test_kpi_checklist_compliance_and_audit_score(world):
    _day(world)
    assert selectors.kpi_checklist_compliance(business_date=D) == {
        world.sh.pk: (1, 3),
        world.sh2.pk: (1, 1),
    }
    # Audit scores: 100 % and 5/6 = 83.33 %.
    assert selectors.kpi_audit_score(business_date=D) == {world.sh.pk: (Decimal("183.33"), 2)}
    assert selectors.kpi_checklist_compliance(business_date=D + datetime.timedelta(days=1)) == {}


def test_kpi_corrective_actions_overdue_at_close(world):
    a, b, _c, _d = _day(world)
    fridge = CorrectiveAction.objects.get(run=b)  # due D + 3
    item = world.tpl.items.exits

    def action(due, closed=None, status="open"):
        return CorrectiveAction.objects.create(
            store=world.sh,
            run=a,
            item=item,
            title="x",
            due_date=due,
            status=status,
            created_at=at(9, 0, D - datetime.timedelta(days=5)),
            closed_at=closed,
        )

    CorrectiveAction.objects.filter(run=a).delete()
    action(D - datetime.timedelta(days=1))  # open, overdue at the close of D
    a2 = ChecklistRun.objects.create(
        kind="checklist", version=a.version, store=world.sh, business_date=D
    )
    CorrectiveAction.objects.create(
        store=world.sh,
        run=a2,
        item=item,
        title="done in time",
        status="done",
        due_date=D - datetime.timedelta(days=2),
        created_at=at(9, 0, D - datetime.timedelta(days=5)),
        closed_at=at(20),  # closed before the end of D (Shanghai)
    )
    a3 = ChecklistRun.objects.create(
        kind="checklist", version=a.version, store=world.sh, business_date=D
    )
    CorrectiveAction.objects.create(
        store=world.sh,
        run=a3,
        item=item,
        title="closed the next day",
        status="done",
        due_date=D - datetime.timedelta(days=2),
        created_at=at(9, 0, D - datetime.timedelta(days=5)),
        closed_at=at(1, 0, D + datetime.timedelta(days=1)),
    )
    assert fridge.due_date > D
    assert selectors.kpi_corrective_actions_overdue(business_date=D) == {world.sh.pk: (2, 1)}


def test_kpi_corrective_actions_overdue_at_the_edges_of_the_widest_time_zones(world):
    """The read is narrowed in SQL by the earliest (UTC+14) and latest (UTC-12) end of the
    day; the store-local end still decides, a minute either side, at both extremes."""
    from .conftest import make_store

    kiritimati = make_store("KIR1", world.us, "Pacific/Kiritimati")  # UTC+14
    baker = make_store("BAK1", world.us, "Etc/GMT+12")  # UTC-12
    minute = datetime.timedelta(minutes=1)
    end = datetime.datetime.combine(D + datetime.timedelta(days=1), datetime.time(0), tzinfo=UTC)
    ends = {
        kiritimati: end - datetime.timedelta(hours=14),
        baker: end + datetime.timedelta(hours=12),
    }
    item = world.tpl.items.exits
    version = world.tpl.version

    def action(store, *, created_at, closed_at=None, status="open"):
        run = ChecklistRun.objects.create(
            kind="checklist", version=version, store=store, business_date=D
        )
        CorrectiveAction.objects.create(
            store=store,
            run=run,
            item=item,
            title="x",
            due_date=D - datetime.timedelta(days=1),
            status=status,
            created_at=created_at,
            closed_at=closed_at,
        )

    for store, store_end in ends.items():
        early = store_end - datetime.timedelta(days=3)
        action(store, created_at=early, closed_at=store_end - minute, status="done")  # in time
        action(store, created_at=early, closed_at=store_end + minute, status="done")  # overdue
        action(store, created_at=store_end - minute)  # open at the end: overdue
        action(store, created_at=store_end + minute)  # not yet created
        action(store, created_at=early, status="verified")  # verified, no closing time
    assert selectors.kpi_corrective_actions_overdue(business_date=D) == {
        kiritimati.pk: (2, 1),
        baker.pk: (2, 1),
    }


def test_region_comparison_and_most_failed_items(world, django_assert_num_queries):
    _day(world)
    with django_assert_num_queries(2):  # the stores' zones, then one aggregate
        rows = {s.code: s for s in selectors.region_comparison(user=world.regional, until=None)}
    rows = {s.code: s for s in selectors.region_comparison(user=world.regional, until=D)}
    assert set(rows) == {"SH1", "SH2"}  # the regional's region only
    sh = rows["SH1"]
    assert (sh.on_time_7, sh.due_7, sh.compliance_7) == (1, 3, Decimal("33.3"))
    # Checklist scores: 100 and 4/6 (fridge failed) -> mean 83.335
    assert sh.score_7 == sh.score_30 == Decimal("83.335")
    assert round(sh.audit_score_30, 3) == Decimal("91.665")
    assert rows["SH2"].compliance_30 == Decimal("100.0")
    failed = selectors.most_failed_items(user=world.regional, until=D)
    assert [(f["item__prompt"], f["failures"]) for f in failed] == [("Alarm off", 1), ("Fridge", 1)]
    assert selectors.most_failed_items(user=world.manager_ny, until=D) == []
