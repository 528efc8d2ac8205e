"""The beat tasks: thin, idempotent wrappers (run in-process in tests)."""

import datetime

from django.core import mail
from django.utils import timezone, translation

from opsdesk.celery import app as celery_app
from opsdesk.platform.notifications.models import Notification
from opsdesk.platform.roles import Role
from stores.checklists import services, tasks
from stores.checklists.models import ChecklistRun, CorrectiveAction
from stores.models import Store
from tests.notifications.readers import received, speaks

from .conftest import answer_all, make_user, schedule

UTC = datetime.UTC


def test_tasks_are_scheduled_every_15_minutes():
    celery_app.loader.import_default_modules()
    beat = {entry["task"]: entry["schedule"] for entry in celery_app.conf.beat_schedule.values()}
    for name in (
        "stores.checklists.create_due_runs",
        "stores.checklists.mark_missed_runs",
        "stores.checklists.notify_overdue_actions",
    ):
        assert name in celery_app.tasks
        assert len(beat[name].minute) == 4  # four times an hour


def test_create_due_runs_task_is_idempotent(world):
    schedule(world, regions=[world.ec, world.us], recurrence="daily")
    first = tasks.create_due_runs.delay().get()
    again = tasks.create_due_runs.delay().get()
    open_today = sum(
        1
        for store in (world.sh, world.sh2, world.ny, world.ldn)
        if store.business_date().weekday() != 6
    )
    assert first == open_today and again == 0
    assert ChecklistRun.objects.count() == open_today


def _overdue_action(world, django_capture_on_commit_callbacks):
    schedule(world, stores=[world.sh])
    services.runs_create_for_business_day(store=world.sh, business_date=datetime.date(2026, 3, 10))
    run = ChecklistRun.objects.get()
    answer_all(world, run, world.staff, fail=[world.tpl.items.exits])
    with django_capture_on_commit_callbacks(execute=True):
        services.run_submit(
            user=world.staff, run=run, now=datetime.datetime(2026, 3, 10, 0, 50, tzinfo=UTC)
        )
    mail.outbox.clear()
    Notification.objects.all().delete()
    return CorrectiveAction.objects.get()  # critical: due 2026-03-11


def test_overdue_actions_are_chased_once_per_day(world, django_capture_on_commit_callbacks):
    action = _overdue_action(world, django_capture_on_commit_callbacks)
    # 11 March in Shanghai: due today, not overdue yet.
    assert (
        services.corrective_actions_notify_overdue(
            now=datetime.datetime(2026, 3, 11, 10, tzinfo=UTC)
        )
        == 0
    )
    # 12 March 08:00 Shanghai (00:00 UTC): overdue. Assignee and the region's regional ops.
    day2 = datetime.datetime(2026, 3, 12, 0, 0, tzinfo=UTC)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.corrective_actions_notify_overdue(now=day2) == 1
        assert (
            services.corrective_actions_notify_overdue(now=day2 + datetime.timedelta(minutes=15))
            == 0
        )
    recipients = set(Notification.objects.values_list("user__username", flat=True))
    assert recipients == {"mgr", "reg"}
    assert (
        Notification.objects.filter(
            topic__startswith=f"action-overdue:{action.pk}:2026-03-12"
        ).count()
        == 2
    )
    assert sorted(m.to[0] for m in mail.outbox) == ["mgr@example.com", "reg@example.com"]
    action.refresh_from_db()
    assert action.overdue_notified_on == datetime.date(2026, 3, 12)
    # The next local day: one more reminder; once done, none.
    day3 = day2 + datetime.timedelta(days=1)
    assert services.corrective_actions_notify_overdue(now=day3) == 1
    # The beat task (real clock: a later day again) reminds once, then not again.
    assert tasks.notify_overdue_actions.delay().get() == 1
    assert tasks.notify_overdue_actions.delay().get() == 0
    services.corrective_action_update(
        user=world.manager, action=action, status="done", note="fixed"
    )
    assert services.corrective_actions_notify_overdue(now=day3 + datetime.timedelta(days=1)) == 0


def test_mark_missed_task(world):
    schedule(world, stores=[world.sh], allow_late=False)
    yesterday = world.sh.business_date() - datetime.timedelta(days=3)
    while yesterday.weekday() == 6:
        yesterday -= datetime.timedelta(days=1)
    services.runs_create_for_business_day(store=world.sh, business_date=yesterday)
    assert tasks.mark_missed_runs.delay().get() == 1
    assert tasks.mark_missed_runs.delay().get() == 0
    assert ChecklistRun.objects.get().timeliness == "missed"
    assert timezone.now()  # tasks ran in-process


def test_overdue_reminders_are_written_in_each_readers_language(
    world, django_capture_on_commit_callbacks
):
    """The assignee reads Chinese, one regional ops English, one follows the browser (the
    site's English): each gets the store's and the item's names in their language, in-app
    and by email, whatever language the sweep's caller has active."""
    Store.objects.filter(pk=world.sh.pk).update(name_zh="上海一店")
    _overdue_action(world, django_capture_on_commit_callbacks)
    speaks(world.manager, "zh-hans")
    speaks(world.regional, "en")
    browser = make_user("reg-browser", Role.REGIONAL_OPS, regions=[world.ec])
    translation.activate("zh-hans")
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            services.corrective_actions_notify_overdue(
                now=datetime.datetime(2026, 3, 13, tzinfo=UTC)
            )
            == 1
        )
    assert translation.get_language() == "zh-hans"
    english = ("Overdue at SH1 Store SH1: Fire exits clear", "Due 2026-03-11, 2 days overdue.")
    assert received(world.manager) == (
        "SH1 上海一店 整改逾期：消防通道畅通",
        "截止日期 2026-03-11，已逾期 2 天。",
    )
    assert received(world.regional) == english
    assert received(browser) == english
