"""Training: courses, assignments, completions and certifications, the sweep (mandatory
courses, renewals, overdue reminders) and its idempotence."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone, translation

from opsdesk.platform.notifications.models import Notification
from staff import services
from staff.models import Certification, Course, Employee, TrainingAssignment
from staff.selectors import assignment_list
from stores.access import OutOfScope
from tests.notifications.readers import received, speaks

from .conftest import day

SOON = timezone.localdate() + datetime.timedelta(days=9)

pytestmark = pytest.mark.django_db
# 10:00 on Monday 2026-03-02 in Shanghai.
NOW = datetime.datetime(2026, 3, 2, 2, 0, tzinfo=datetime.UTC)


@pytest.fixture
def courses(world):
    safety = services.course_create(
        user=world.head,
        code="safety",
        name="Fire safety",
        name_zh="消防安全",
        mandatory_for=["cashier", "stock_clerk"],
        validity_months=12,
        due_days=14,
    )
    tills = services.course_create(user=world.head, code="tills", name="Tills", due_days=7)
    return safety, tills


def test_courses_are_for_head_office_with_clear_messages(world, courses):
    with pytest.raises(PermissionDenied):
        services.course_create(user=world.manager, code="x", name="X")
    with pytest.raises(ValidationError) as error:
        services.course_create(
            user=world.head,
            code="bad code!",
            name="",
            mandatory_for=["pilot"],
            validity_months=0,
            due_days=0,
        )
    assert set(error.value.message_dict) == {
        "code",
        "name",
        "mandatory_for",
        "validity_months",
        "due_days",
    }
    with pytest.raises(ValidationError, match="taken"):
        services.course_create(user=world.head, code="safety", name="Again")
    assert Course.objects.count() == 2
    updated = services.course_update(user=world.head, course=courses[1], due_days=10, code="new")
    assert (updated.code, updated.due_days) == ("tills", 10)


def test_the_sweep_assigns_mandatory_courses_once(world, courses):
    _safety, _tills = courses
    result = services.training_sweep(now=NOW)
    # Cashiers: Ann, Bob, Cat (SH1), Dan (SH2), Eve (BE1).
    assert result == {"cancelled": 0, "assigned": 5, "reminded": 0}
    due = set(TrainingAssignment.objects.values_list("employee__name", "due_date", "reason"))
    assert ("Ann", day(0) + datetime.timedelta(days=14), "mandatory") in due
    assert Notification.objects.filter(user=world.ann_user, title__contains="training").exists()
    assert services.training_sweep(now=NOW) == {"cancelled": 0, "assigned": 0, "reminded": 0}
    assert TrainingAssignment.objects.count() == 5


def test_a_row_a_concurrent_sweep_inserted_is_neither_counted_nor_notified(
    world, courses, monkeypatch
):
    """Another sweep inserts Ann's assignment after ours has read the open ones and before
    it inserts its own: the unique index keeps theirs, and ours neither counts nor
    notifies it (the other sweep tells Ann); everyone else is assigned and told once."""
    safety, _tills = courses
    original = Employee.is_active_on  # called by the sweep between its read and its insert
    raced = []

    def concurrent_insert(person, date):
        if not raced:
            raced.append(
                TrainingAssignment.objects.create(
                    employee=world.ann, course=safety, due_date=date, reason="mandatory"
                )
            )
        return original(person, date)

    monkeypatch.setattr(Employee, "is_active_on", concurrent_insert)
    result = services.training_sweep(now=NOW)
    assert result["assigned"] == 4
    assert list(TrainingAssignment.objects.filter(employee=world.ann)) == raced
    assert not Notification.objects.filter(user=world.ann_user).exists()
    assert Notification.objects.filter(user=world.bob_user).count() == 1
    monkeypatch.undo()
    assert services.training_sweep(now=NOW)["assigned"] == 0
    assert Notification.objects.filter(user=world.bob_user).count() == 1


def test_completion_issues_a_certificate_and_renewal_is_assigned_before_expiry(world, courses):
    _safety, _tills = courses
    services.training_sweep(now=NOW)
    ann = TrainingAssignment.objects.get(employee=world.ann)
    with pytest.raises(PermissionDenied):  # a colleague may not mark it
        services.assignment_complete(user=world.bob_user, assignment=ann, now=NOW)
    services.assignment_complete(user=world.ann_user, assignment=ann, now=NOW)
    cert = Certification.objects.get(employee=world.ann)
    assert (cert.issued_on, cert.expires_on) == (day(0), datetime.date(2027, 3, 2))
    with pytest.raises(ValidationError, match="not waiting"):
        services.assignment_complete(user=world.manager, assignment=ann, now=NOW)
    # A manager records Bob's; out of scope it is a 404.
    bob = TrainingAssignment.objects.get(employee=world.bob)
    with pytest.raises(OutOfScope):
        services.assignment_complete(user=world.manager_be, assignment=bob, now=NOW)
    services.assignment_complete(user=world.manager, assignment=bob, now=NOW)
    # 11 months later Ann's certificate expires within 30 days: its renewal is assigned,
    # due on the expiry date, once.
    later = datetime.datetime(2027, 2, 10, 2, 0, tzinfo=datetime.UTC)
    services.training_sweep(now=later)
    renewal = TrainingAssignment.objects.get(employee=world.ann, status="assigned")
    assert (renewal.reason, renewal.due_date) == ("renewal", datetime.date(2027, 3, 2))
    count = TrainingAssignment.objects.count()
    services.training_sweep(now=later)
    assert TrainingAssignment.objects.count() == count


def test_overdue_reminders_once_a_day_to_the_person_and_the_managers(world, courses):
    services.training_sweep(now=NOW)
    Notification.objects.all().delete()
    overdue_day = NOW + datetime.timedelta(days=15)
    result = services.training_sweep(now=overdue_day)
    assert result["reminded"] == 5
    ann_notes = Notification.objects.filter(user=world.ann_user, title__startswith="Training")
    assert ann_notes.count() == 1 and "1 day overdue" in ann_notes.get().body
    # SH1's managers hear about Ann, Bob and Cat.
    assert Notification.objects.filter(user=world.manager).count() == 3
    assert services.training_sweep(now=overdue_day)["reminded"] == 0
    assert services.training_sweep(now=overdue_day + datetime.timedelta(days=1))["reminded"] == 5


def test_people_who_have_left_are_not_reminded_and_their_training_is_cancelled(world, courses):
    """Ann's last day was 2026-03-10: by the overdue day (2026-03-17 in Shanghai) she has
    gone, so her open assignment is cancelled and nobody hears about it; Bob's last day is
    that very day: he is still there, reminded, his assignment open."""
    w = world
    services.training_sweep(now=NOW)
    Notification.objects.all().delete()
    overdue_day = NOW + datetime.timedelta(days=15)
    type(w.ann).objects.filter(pk=w.ann.pk).update(active_to=datetime.date(2026, 3, 10))
    type(w.bob).objects.filter(pk=w.bob.pk).update(active_to=datetime.date(2026, 3, 17))
    result = services.training_sweep(now=overdue_day)
    assert result == {"cancelled": 1, "assigned": 0, "reminded": 4}
    assert TrainingAssignment.objects.get(employee=w.ann).status == "cancelled"
    assert TrainingAssignment.objects.get(employee=w.bob).status == "assigned"
    assert not Notification.objects.filter(user=w.ann_user).exists()
    about = Notification.objects.filter(user=w.manager).values_list("title", flat=True)
    assert sorted(about) == [
        "Training overdue: Bob, Fire safety",
        "Training overdue: Cat, Fire safety",
    ]
    # The next day Bob's last day has passed too; Ann gets no new assignment.
    later = services.training_sweep(now=overdue_day + datetime.timedelta(days=1))
    assert later == {"cancelled": 1, "assigned": 0, "reminded": 3}  # Cat, Dan, Eve
    assert TrainingAssignment.objects.get(employee=w.bob).status == "cancelled"
    assert TrainingAssignment.objects.filter(employee=w.ann).count() == 1


def test_a_person_still_on_the_books_is_not_reminded_after_their_last_day(world, courses):
    """Even an open assignment the cancellation has not reached (a race with the sweep's
    own first step) is not reminded once the person has gone."""
    w = world
    services.training_sweep(now=NOW)
    Notification.objects.all().delete()
    overdue_day = NOW + datetime.timedelta(days=15)
    type(w.ann).objects.filter(pk=w.ann.pk).update(active_to=datetime.date(2026, 3, 10))
    from staff.services import training

    assert training._remind_overdue(overdue_day) == 4
    assert not Notification.objects.filter(user=w.ann_user).exists()
    assert not Notification.objects.filter(title__contains="Ann").exists()


def test_setting_a_last_day_already_past_cancels_the_open_training(world, courses):
    w = world
    services.training_sweep(now=NOW)
    today = w.sh1.business_date()
    # A last day still to come: nothing changes yet.
    services.employee_update(
        user=w.manager, employee=w.ann, active_to=today + datetime.timedelta(days=5)
    )
    assert TrainingAssignment.objects.get(employee=w.ann).status == "assigned"
    # A last day already past: the open assignment is cancelled at once; Bob's stays.
    services.employee_update(
        user=w.manager, employee=w.ann, active_to=today - datetime.timedelta(days=1)
    )
    assert TrainingAssignment.objects.get(employee=w.ann).status == "cancelled"
    assert TrainingAssignment.objects.get(employee=w.bob).status == "assigned"
    # A completed one stays completed.
    done = TrainingAssignment.objects.get(employee=w.cat)
    services.assignment_complete(user=w.manager, assignment=done, now=NOW)
    services.employee_update(
        user=w.manager, employee=w.cat, active_to=today - datetime.timedelta(days=1)
    )
    assert TrainingAssignment.objects.get(employee=w.cat).status == "completed"


def test_assignments_and_reminders_reach_each_reader_in_their_language(
    world, courses, django_capture_on_commit_callbacks
):
    """Ann reads Chinese, Bob and the SH1 manager English, the manager of both stores follows
    the browser (the site's English), whatever language the sweep's caller has active: the
    course's Chinese name for Ann, its English name for the others."""
    speaks(world.ann_user, "zh-hans")
    speaks(world.bob_user, "en")
    speaks(world.manager, "en")
    translation.activate("zh-hans")
    with django_capture_on_commit_callbacks(execute=True):
        services.training_sweep(now=NOW)
    assert received(world.ann_user) == ("1 门培训课程待完成", "消防安全 · 2026-03-16")
    assert received(world.bob_user) == ("1 training course to complete", "Fire safety · 2026-03-16")
    Notification.objects.all().delete()
    mail.outbox.clear()
    translation.activate("en")
    with django_capture_on_commit_callbacks(execute=True):
        services.training_sweep(now=NOW + datetime.timedelta(days=15))
    ann = TrainingAssignment.objects.get(employee=world.ann)
    about_ann = {"topic": f"training-overdue:{ann.pk}:2026-03-17"}
    english = ("Training overdue: Ann, Fire safety", "Due 2026-03-16, 1 day overdue.")
    assert received(world.ann_user, **about_ann) == (
        "培训逾期：Ann，消防安全",
        "截止日期 2026-03-16，已逾期 1 天。",
    )
    assert received(world.manager, **about_ann) == english
    assert received(world.manager_both, **about_ann) == english
    assert translation.get_language() == "en"


def test_overdue_is_by_the_home_stores_local_date(world, courses):
    """``overdue`` is computed in SQL per row by the home store's clock: it agrees with
    each store's own business date, whatever the time of day the test runs at."""
    if connection.vendor != "postgresql":
        pytest.skip("store-local dates in SQL need PostgreSQL (SQLite: the chain's date)")
    _safety, tills = courses
    due = world.be1.business_date()  # Berlin's today: the latest or earliest of the zones
    for person in (world.ann, world.dan, world.eve):
        TrainingAssignment.objects.create(employee=person, course=tills, due_date=due)
    rows = assignment_list(user=world.head).filter(course=tills)
    got = {a.employee.name: a.overdue for a in rows}
    expected = {a.employee.name: a.due_date < a.employee.home_store.business_date() for a in rows}
    assert got == expected and got["Eve"] is False
    TrainingAssignment.objects.filter(course=tills).update(
        due_date=due - datetime.timedelta(days=2)
    )
    assert all(a.overdue for a in assignment_list(user=world.head).filter(course=tills))


def test_manual_assignment(world, courses):
    _safety, tills = courses
    with pytest.raises(PermissionDenied):
        services.assignment_create(
            user=world.ann_user, employee=world.ann, course=tills, due_date=SOON
        )
    services.assignment_create(user=world.manager, employee=world.ann, course=tills, due_date=SOON)
    with pytest.raises(ValidationError, match="already"):
        services.assignment_create(
            user=world.manager, employee=world.ann, course=tills, due_date=SOON
        )
