"""Checklist services: versioning, run creation (time zones, DST, closed days,
idempotence), answers, scoring, submit, reopen, audits, corrective actions."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from opsdesk.platform.notifications.models import Notification
from stores.access import OutOfScope
from stores.checklists import services
from stores.checklists.models import (
    Answer,
    AnswerHistory,
    ChecklistRun,
    CorrectiveAction,
    RunEvent,
    TemplateItem,
    TemplateVersion,
)
from stores.models import Store
from tests.notifications.readers import received, speaks

from .conftest import answer_all, build_template, make_store, schedule

UTC = datetime.UTC
ALL_WEEK = range(7)


def utc(*args):
    return datetime.datetime(*args, tzinfo=UTC)


def make_run(w, store=None, date=datetime.date(2026, 3, 10), **kwargs):
    sched = schedule(w, stores=[store or w.sh], **kwargs)
    services.runs_create_for_business_day(store=store or w.sh, business_date=date)
    return ChecklistRun.objects.get(schedule=sched, store=store or w.sh, business_date=date)


# --- Templates and versions -----------------------------------------------------------------


def test_only_head_office_edits_templates(world):
    with pytest.raises(PermissionDenied):
        services.template_create(user=world.manager, code="x", name="X")
    with pytest.raises(PermissionDenied):
        services.template_draft_get_or_create(user=world.regional, template=world.tpl.template)


def test_a_published_version_never_changes(world):
    section = world.tpl.version.sections.first()
    with pytest.raises(ValidationError, match="Only a draft"):
        services.template_item_add(user=world.head, section=section, kind="yes_no", prompt="New")
    with pytest.raises(ValidationError, match="Only a draft"):
        services.template_item_delete(user=world.head, item=world.tpl.items.alarm)


def test_editing_a_published_template_makes_a_new_version_and_past_runs_stay(world):
    run = make_run(world)
    answer_all(world, run, world.manager)
    run = services.run_submit(user=world.manager, run=run, now=utc(2026, 3, 10, 0, 30))
    old_items = list(TemplateItem.objects.filter(version=run.version).values_list("pk", "prompt"))

    draft = services.template_draft_get_or_create(user=world.head, template=world.tpl.template)
    assert draft.number == 2 and draft.status == "draft"
    # Asking again gives the same draft, not a third version.
    assert (
        services.template_draft_get_or_create(user=world.head, template=world.tpl.template) == draft
    )
    copied = list(TemplateItem.objects.filter(version=draft).order_by("pk"))
    assert [i.prompt for i in copied] == [p for _pk, p in old_items]
    assert not {i.pk for i in copied} & {pk for pk, _p in old_items}
    alarm_copy = next(i for i in copied if i.prompt == "Alarm off")
    services.template_item_delete(user=world.head, item=alarm_copy)
    services.template_item_add(
        user=world.head, section=draft.sections.first(), kind="yes_no", prompt="Till float counted"
    )
    services.template_version_publish(user=world.head, version=draft)

    v1 = TemplateVersion.objects.get(pk=world.tpl.version.pk)
    assert v1.status == "retired"
    assert TemplateVersion.objects.get(pk=draft.pk).status == "published"
    # The past run still shows version 1, its items and its score.
    run.refresh_from_db()
    assert run.version_id == v1.pk
    assert list(TemplateItem.objects.filter(version=v1).values_list("pk", "prompt")) == old_items
    assert run.score == Decimal("100.00")
    # New runs use version 2.
    new = make_run(world, store=world.sh2, date=datetime.date(2026, 3, 11))
    assert new.version_id == draft.pk


def test_publish_needs_items_and_item_rules(world):
    template = services.template_create(user=world.head, code="empty", name="Empty")
    draft = template.versions.get()
    with pytest.raises(ValidationError, match="at least one item"):
        services.template_version_publish(user=world.head, version=draft)
    section = services.template_section_add(user=world.head, version=draft, title="S")
    with pytest.raises(ValidationError):
        services.template_item_add(
            user=world.head,
            section=section,
            kind="number",
            prompt="T",
            min_value=Decimal(5),
            max_value=Decimal(1),
        )
    with pytest.raises(ValidationError):
        services.template_item_add(
            user=world.head, section=section, kind="single_choice", prompt="C", options=["one"]
        )
    with pytest.raises(ValidationError):
        services.template_item_add(
            user=world.head, section=section, kind="photo", prompt="P", critical=True
        )
    with pytest.raises(ValidationError, match="exists already"):
        services.template_create(user=world.head, code="empty", name="Again")


# --- Run creation ----------------------------------------------------------------------------


def test_runs_are_created_once_per_schedule_store_and_day(world):
    sched = schedule(world, regions=[world.ec])
    date = datetime.date(2026, 3, 10)  # a Tuesday
    assert services.runs_create_for_business_day(store=world.sh, business_date=date) == 1
    assert services.runs_create_for_business_day(store=world.sh, business_date=date) == 0
    now = utc(2026, 3, 10, 2, 0)
    first = services.runs_create_due(now=now)
    assert services.runs_create_due(now=now) == 0
    assert first == 1  # SH2 (same region); SH1 existed; NY/LDN are not targeted
    runs = ChecklistRun.objects.filter(schedule=sched)
    assert sorted(runs.values_list("store__code", flat=True)) == ["SH1", "SH2"]
    # Shanghai is UTC+8: 09:00 local is 01:00 UTC.
    assert runs.get(store=world.sh).due_at == utc(2026, 3, 10, 1, 0)


def test_each_store_gets_its_own_local_business_date(world):
    schedule(world, stores=[world.sh, world.ny, world.ldn])
    # 02:00 UTC on Tuesday 10 March: Shanghai 10:00 Tue, London 02:00 Tue, New York 22:00 Mon.
    services.runs_create_due(now=utc(2026, 3, 10, 2, 0))
    dates = dict(ChecklistRun.objects.values_list("store__code", "business_date"))
    assert dates == {
        "SH1": datetime.date(2026, 3, 10),
        "LDN1": datetime.date(2026, 3, 10),
        "NY1": datetime.date(2026, 3, 9),
    }
    ny = ChecklistRun.objects.get(store=world.ny)
    assert ny.due_at == utc(2026, 3, 9, 13, 0)  # 09:00 EDT (DST began on 8 March)


@pytest.mark.parametrize(
    ("tz", "date", "due", "expected_due", "day_hours"),
    [
        # New York springs forward on 8 March 2026: 09:00 is EDT (UTC-4), a 23-hour day.
        ("America/New_York", datetime.date(2026, 3, 8), "09:00", utc(2026, 3, 8, 13), 23),
        ("America/New_York", datetime.date(2026, 3, 7), "09:00", utc(2026, 3, 7, 14), 24),
        # 02:30 does not exist that night: it falls to 03:30 EDT.
        ("America/New_York", datetime.date(2026, 3, 8), "02:30", utc(2026, 3, 8, 7, 30), 23),
        # New York falls back on 1 November: 01:30 happens twice; the first (EDT) counts.
        ("America/New_York", datetime.date(2026, 11, 1), "01:30", utc(2026, 11, 1, 5, 30), 25),
        # London: BST begins 29 March, ends 25 October.
        ("Europe/London", datetime.date(2026, 3, 29), "09:00", utc(2026, 3, 29, 8), 23),
        ("Europe/London", datetime.date(2026, 10, 25), "09:00", utc(2026, 10, 25, 9), 25),
        ("Asia/Shanghai", datetime.date(2026, 3, 8), "09:00", utc(2026, 3, 8, 1), 24),
    ],
)
def test_due_times_across_dst(world, tz, date, due, expected_due, day_hours):
    store = make_store(f"T{date:%m%d}{due[:2]}", world.us, tz, weekdays=ALL_WEEK)
    run = make_run(world, store=store, date=date, due_time=datetime.time.fromisoformat(due))
    assert run.due_at == expected_due
    start = datetime.datetime.combine(date, datetime.time(0), tzinfo=store.tz)
    assert run.day_ends_at - start.astimezone(UTC) == datetime.timedelta(hours=day_hours)


def test_runs_create_due_on_dst_days_is_idempotent(world):
    ny = make_store("NY9", world.us, "America/New_York", weekdays=ALL_WEEK)
    ldn = make_store("LDN9", world.us, "Europe/London", weekdays=ALL_WEEK)
    schedule(world, stores=[ny, ldn])
    # Every 15 minutes across the New York spring-forward night: one run per local day.
    now = utc(2026, 3, 8, 0, 0)
    while now < utc(2026, 3, 9, 12, 0):
        services.runs_create_due(now=now)
        now += datetime.timedelta(minutes=15)
    dates = sorted(ChecklistRun.objects.filter(store=ny).values_list("business_date", flat=True))
    assert dates == [
        datetime.date(2026, 3, 7),
        datetime.date(2026, 3, 8),
        datetime.date(2026, 3, 9),
    ]
    assert ChecklistRun.objects.filter(store=ldn).count() == 2


def test_closed_days_and_closed_stores_are_skipped(world):
    schedule(world, stores=[world.sh])
    sunday = datetime.date(2026, 3, 15)  # no OpeningHours row for Sunday
    assert services.runs_create_for_business_day(store=world.sh, business_date=sunday) == 0
    Store.objects.filter(pk=world.sh.pk).update(status=Store.Status.TEMPORARILY_CLOSED)
    world.sh.refresh_from_db()
    assert (
        services.runs_create_for_business_day(
            store=world.sh, business_date=datetime.date(2026, 3, 16)
        )
        == 0
    )
    Store.objects.filter(pk=world.sh.pk).update(
        status=Store.Status.OPEN, opening_date=datetime.date(2026, 4, 1)
    )
    world.sh.refresh_from_db()
    assert (
        services.runs_create_for_business_day(
            store=world.sh, business_date=datetime.date(2026, 3, 16)
        )
        == 0
    )
    assert not ChecklistRun.objects.exists()


@pytest.mark.parametrize(
    ("kwargs", "dates"),
    [
        (
            {"recurrence": "weekdays", "weekdays": [0, 2]},  # Mondays and Wednesdays
            ["03-02", "03-04", "03-09", "03-11", "03-16", "03-18", "03-23", "03-25", "03-30"],
        ),
        ({"recurrence": "weekly", "weekdays": [4]}, ["02-27", "03-06", "03-13", "03-20", "03-27"]),
        # The 31st means the last day of a shorter month.
        ({"recurrence": "monthly", "day_of_month": 31}, ["02-28", "03-31"]),
    ],
)
def test_recurrences(world, kwargs, dates):
    store = make_store("ALL1", world.ec, "Asia/Shanghai", weekdays=ALL_WEEK)
    schedule(world, stores=[store], **kwargs)
    day = datetime.date(2026, 2, 27)
    while day <= datetime.date(2026, 3, 31):
        services.runs_create_for_business_day(store=store, business_date=day)
        day += datetime.timedelta(days=1)
    made = ChecklistRun.objects.filter(store=store).values_list("business_date", flat=True)
    assert sorted(d.strftime("%m-%d") for d in made) == dates


def test_schedule_validation(world):
    with pytest.raises(ValidationError):
        schedule(world, stores=[world.sh], recurrence="weekly", weekdays=[1, 2])
    with pytest.raises(ValidationError):
        schedule(world, stores=[world.sh], recurrence="monthly")
    with pytest.raises(ValidationError):
        schedule(world)  # no store, no region
    with pytest.raises(PermissionDenied):
        services.schedule_create(
            user=world.manager,
            template=world.tpl.template,
            due_time=datetime.time(9),
            stores=[world.sh],
        )


# --- Answers, scoring, submit ---------------------------------------------------------------


def test_score_excludes_not_applicable(world):
    run = make_run(world)
    it = world.tpl.items
    answer_all(world, run, world.manager, fail=[it.fridge], na=[it.alarm])
    run = services.run_submit(user=world.manager, run=run, now=utc(2026, 3, 10, 0, 30))
    # possible: exits 2 + fridge 2 + floor 1 = 5 (alarm N/A); earned 2 + 0 + 1 = 3
    assert (run.points_earned, run.points_possible) == (Decimal(3), Decimal(5))
    assert run.score == Decimal("60.00")
    assert run.passed is True and run.failed_critical is False
    assert run.timeliness == "on_time" and run.status == "submitted"


def test_a_failed_critical_item_fails_the_run_whatever_the_score(world):
    run = make_run(world)
    answer_all(world, run, world.manager, fail=[world.tpl.items.exits])
    run = services.run_submit(user=world.manager, run=run, now=utc(2026, 3, 10, 0, 30))
    assert run.score == Decimal("66.67")  # 4 of 6
    assert run.failed_critical is True and run.passed is False


def test_section_scores(world):
    from stores.checklists.selectors import run_get, run_sheet

    run = make_run(world)
    answer_all(world, run, world.manager, fail=[world.tpl.items.clean])
    sheet, score = run_sheet(run_get(user=world.manager, pk=run.pk))
    assert [(s.section.title, s.percent) for s in sheet] == [
        ("Safety", Decimal("100.00")),
        ("Floor", Decimal("66.67")),
    ]
    assert [i.prompt for i in score.failed_items] == ["Floor"]


def test_submit_refused_with_the_missing_required_items_and_answers_stay(world):
    run = make_run(world)
    it = world.tpl.items
    services.answer_save(user=world.staff, run=run, item=it.exits, value="yes")
    with pytest.raises(services.MissingRequiredItems) as refused:
        services.run_submit(user=world.staff, run=run, now=utc(2026, 3, 10, 0, 30))
    assert [i.prompt for i in refused.value.items] == ["Alarm off", "Fridge", "Floor"]
    assert refused.value.message_dict == {"missing_items": ["Alarm off", "Fridge", "Floor"]}
    run.refresh_from_db()
    assert run.status == "in_progress"
    assert Answer.objects.filter(run=run).count() == 1


def test_answer_values_are_checked(world):
    run = make_run(world)
    it = world.tpl.items
    for item, value in [
        (it.exits, "maybe"),
        (it.fridge, "warm"),
        (it.clean, "shiny"),
        (it.comment, " "),
    ]:
        with pytest.raises(ValidationError):
            services.answer_save(user=world.staff, run=run, item=item, value=value)
    with pytest.raises(ValidationError):
        services.answer_save(user=world.staff, run=run, item=it.photo)  # no photo
    other = services.template_create(user=world.head, code="other", name="Other")
    section = services.template_section_add(
        user=world.head, version=other.versions.get(), title="S"
    )
    foreign = services.template_item_add(
        user=world.head, section=section, kind="yes_no", prompt="Q"
    )
    with pytest.raises(ValidationError):
        services.answer_save(user=world.staff, run=run, item=foreign, value="yes")
    assert not Answer.objects.exists()
    assert ChecklistRun.objects.get(pk=run.pk).status == "open"


def test_answering_is_scoped(world):
    ny_run = make_run(world, store=world.ny)
    with pytest.raises(OutOfScope):
        services.answer_save(
            user=world.manager, run=ny_run, item=world.tpl.items.exits, value="yes"
        )
    with pytest.raises(OutOfScope):
        services.run_submit(user=world.staff, run=ny_run)


def test_the_same_item_answered_twice_last_wins_and_both_are_recorded(world):
    run = make_run(world)
    item = world.tpl.items.fridge
    services.answer_save(user=world.staff, run=run, item=item, value="4")
    services.answer_save(user=world.staff2, run=run, item=item, value="7", note="door open")
    answer = Answer.objects.get(run=run, item=item)
    assert (answer.number, answer.passed, answer.answered_by) == (Decimal(7), False, world.staff2)
    history = list(AnswerHistory.objects.filter(run=run, item=item).order_by("pk"))
    assert [(h.answered_by.username, h.value["number"]) for h in history] == [
        ("staff", "4.00"),
        ("staff2", "7.00"),
    ]
    assert RunEvent.objects.filter(run=run, kind="started").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_people_answering_different_items_at_once_lose_nothing(world):
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent connections (PostgreSQL)")
    run = make_run(world)
    it = world.tpl.items
    barrier = threading.Barrier(2)
    errors = []

    def answer(user, item, value):
        try:
            barrier.wait(timeout=10)
            services.answer_save(user=user, run=run, item=item, value=value)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=answer, args=(world.staff, it.exits, "yes")),
        threading.Thread(target=answer, args=(world.staff2, it.fridge, "3")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    saved = dict(Answer.objects.filter(run=run).values_list("item_id", "answered_by__username"))
    assert saved == {it.exits.pk: "staff", it.fridge.pk: "staff2"}
    assert ChecklistRun.objects.get(pk=run.pk).status == "in_progress"


def test_timeliness_late_and_deadline(world):
    late_ok = make_run(world, grace_minutes=30)
    answer_all(world, late_ok, world.manager)
    # Due 01:00 UTC + 30 min grace: 01:45 is late, but allowed.
    late_ok = services.run_submit(user=world.manager, run=late_ok, now=utc(2026, 3, 10, 1, 45))
    assert late_ok.timeliness == "late"

    strict = make_run(world, store=world.sh2, grace_minutes=0, allow_late=False)
    answer_all(world, strict, world.manager_sh2)
    with pytest.raises(ValidationError, match="past its deadline"):
        services.run_submit(user=world.manager_sh2, run=strict, now=utc(2026, 3, 10, 1, 1))
    assert services.runs_mark_missed(now=utc(2026, 3, 10, 1, 1)) == 1
    strict.refresh_from_db()
    assert (strict.status, strict.timeliness) == ("missed", "missed")
    assert services.runs_mark_missed(now=utc(2026, 3, 10, 1, 2)) == 0  # idempotent
    with pytest.raises(ValidationError):
        services.answer_save(
            user=world.manager_sh2, run=strict, item=world.tpl.items.exits, value="yes"
        )


def test_runs_never_submitted_are_missed_at_the_end_of_their_day(world):
    run = make_run(world, grace_minutes=0)  # late submission allowed
    # Shanghai's 10 March ends at 16:00 UTC.
    assert services.runs_mark_missed(now=utc(2026, 3, 10, 15, 59)) == 0
    assert services.runs_mark_missed(now=utc(2026, 3, 10, 16, 0)) == 1
    run.refresh_from_db()
    assert run.status == "missed"
    assert RunEvent.objects.filter(run=run, kind="missed").count() == 1


# --- Reopen, corrective actions ------------------------------------------------------------


def test_a_submitted_run_is_read_only_until_reopened_and_the_reopen_is_recorded(world):
    run = make_run(world)
    it = world.tpl.items
    answer_all(world, run, world.staff)
    run = services.run_submit(user=world.staff, run=run, now=utc(2026, 3, 10, 0, 50))
    with pytest.raises(ValidationError, match="can no longer change"):
        services.answer_save(user=world.staff, run=run, item=it.alarm, value="no")
    with pytest.raises(PermissionDenied):
        services.run_reopen(user=world.staff, run=run, reason="typo")
    with pytest.raises(ValidationError):
        services.run_reopen(user=world.manager, run=run, reason="  ")
    services.run_reopen(user=world.manager, run=run, reason="Alarm was actually on")
    event = RunEvent.objects.get(run=run, kind="reopened")
    assert (event.user, event.note) == (world.manager, "Alarm was actually on")
    services.answer_save(user=world.manager, run=run, item=it.alarm, value="no")
    run = services.run_submit(user=world.manager, run=run, now=utc(2026, 3, 10, 5, 0))
    # Timeliness stays that of the first submission.
    assert run.timeliness == "on_time" and run.score == Decimal("83.33")


def test_failed_items_open_corrective_actions_for_the_store_manager(
    world, django_capture_on_commit_callbacks
):
    run = make_run(world)
    it = world.tpl.items
    answer_all(world, run, world.staff, fail=[it.exits, it.fridge])
    with django_capture_on_commit_callbacks(execute=True):
        services.run_submit(user=world.staff, run=run, now=utc(2026, 3, 10, 0, 50))
    actions = list(CorrectiveAction.objects.filter(run=run).order_by("item__order", "pk"))
    assert {(a.item_id, a.assignee, a.critical) for a in actions} == {
        (it.exits.pk, world.manager, True),
        (it.fridge.pk, world.manager, False),
    }
    due = {a.item_id: a.due_date for a in actions}
    assert due[it.exits.pk] == datetime.date(2026, 3, 11)
    assert due[it.fridge.pk] == datetime.date(2026, 3, 13)
    assert Notification.objects.filter(user=world.manager).count() == 1
    assert [m.to for m in mail.outbox] == [["mgr@example.com"]]
    # Reopen and resubmit: no duplicates.
    services.run_reopen(user=world.manager, run=run, reason="recheck")
    services.run_submit(user=world.manager, run=run, now=utc(2026, 3, 10, 1, 0))
    assert CorrectiveAction.objects.filter(run=run).count() == 2


def test_the_store_manager_reads_opened_actions_and_audits_in_their_language(
    world, django_capture_on_commit_callbacks
):
    """Submitted from an English request, read by a manager who chose Chinese: the store's
    Chinese name and the items' Chinese prompts."""
    Store.objects.filter(pk=world.sh.pk).update(name_zh="上海一店")
    speaks(world.manager, "zh-hans")
    run = make_run(world)
    it = world.tpl.items
    answer_all(world, run, world.staff, fail=[it.exits, it.fridge])
    audit = build_template(world.head, code="visit", kind="audit")
    visit = services.audit_start(user=world.regional, store=world.sh, template=audit.template)
    answer_all(world, visit, world.regional, fail=[audit.items.alarm], tpl=audit)
    with django_capture_on_commit_callbacks(execute=True):
        services.run_submit(user=world.staff, run=run, now=utc(2026, 3, 10, 0, 50))
        services.run_submit(user=world.regional, run=visit)
    assert received(world.manager, topic=f"actions-opened:{run.pk}") == (
        "SH1 上海一店 新增 2 个整改项",
        "消防通道畅通\n冷藏柜",
    )
    assert received(world.manager, topic=f"audit-submitted:{visit.pk}") == (
        "SH1 上海一店 巡店结果已提交：83.33%",
        "请查看结果并确认。",
    )


def test_corrective_action_workflow(world):
    run = make_run(world)
    answer_all(world, run, world.staff, fail=[world.tpl.items.alarm])
    services.run_submit(user=world.staff, run=run, now=utc(2026, 3, 10, 0, 50))
    action = CorrectiveAction.objects.get(run=run)
    with pytest.raises(ValidationError, match="before closing"):
        services.corrective_action_update(user=world.manager, action=action, status="done")
    action = services.corrective_action_update(
        user=world.manager, action=action, status="done", note="Alarm panel repaired"
    )
    assert action.closed_by == world.manager and action.closed_at is not None
    with pytest.raises(PermissionDenied):
        services.corrective_action_update(user=world.manager, action=action, status="verified")
    action = services.corrective_action_update(
        user=world.regional, action=action, status="verified"
    )
    assert action.verified_by == world.regional
    with pytest.raises(ValidationError):
        services.corrective_action_update(user=world.regional, action=action, note="again")
    with pytest.raises(OutOfScope):
        services.corrective_action_update(user=world.manager_ny, action=action, note="x")


# --- Visit audits ----------------------------------------------------------------------------


def test_visit_audit_start_fill_submit_acknowledge(world, django_capture_on_commit_callbacks):
    audit = build_template(world.head, code="visit", kind="audit")
    with pytest.raises(PermissionDenied):
        services.audit_start(user=world.manager, store=world.sh, template=audit.template)
    with pytest.raises(OutOfScope):
        services.audit_start(user=world.regional, store=world.ny, template=audit.template)
    with pytest.raises(ValidationError):
        services.audit_start(user=world.regional, store=world.sh, template=world.tpl.template)
    run = services.audit_start(user=world.regional, store=world.sh, template=audit.template)
    assert (run.kind, run.status, run.started_by) == ("audit", "in_progress", world.regional)
    # Store staff do not fill an audit.
    with pytest.raises(PermissionDenied):
        services.answer_save(user=world.staff, run=run, item=audit.items.exits, value="yes")
    for item, value in [
        (audit.items.exits, "yes"),
        (audit.items.alarm, "no"),
        (audit.items.fridge, "2"),
        (audit.items.clean, "clean"),
    ]:
        services.answer_save(user=world.regional, run=run, item=item, value=value)
    with django_capture_on_commit_callbacks(execute=True):
        run = services.run_submit(user=world.regional, run=run)
    assert run.score == Decimal("83.33") and run.timeliness == "on_time"
    assert Notification.objects.filter(
        user=world.manager, topic=f"audit-submitted:{run.pk}"
    ).exists()
    with pytest.raises(PermissionDenied):
        services.run_acknowledge(user=world.regional, run=run)
    run = services.run_acknowledge(user=world.manager, run=run, note="Agreed")
    assert (run.status, run.acknowledged_by) == ("acknowledged", world.manager)
    assert RunEvent.objects.get(run=run, kind="acknowledged").note == "Agreed"
    with pytest.raises(ValidationError):
        services.run_acknowledge(user=world.manager, run=run)


def test_template_code_taken_between_check_and_save_is_a_conflict(world, monkeypatch):
    """Two requests creating the same code at once: the one that loses the race gets the
    same conflict as a later request (was a 500 from the unique index). The "other
    request" runs on this test's connection here, so its row is rolled back with ours."""
    from stores.checklists.models import ChecklistTemplate

    real_full_clean = ChecklistTemplate.full_clean

    def full_clean_then_lose_the_race(self, *args, **kwargs):
        real_full_clean(self, *args, **kwargs)
        if not ChecklistTemplate.objects.filter(code=self.code).exists():
            # The other request commits its template between our check and our save.
            ChecklistTemplate.objects.create(code=self.code, name="Winner")

    monkeypatch.setattr(ChecklistTemplate, "full_clean", full_clean_then_lose_the_race)
    with pytest.raises(ValidationError) as refused:
        services.template_create(user=world.head, code="race", name="Loser")
    (error,) = refused.value.error_dict["code"]
    assert error.code == "conflict" and "exists already" in error.messages[0]
