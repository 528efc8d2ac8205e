"""Training: courses, assignments, completions and certifications, the sweep (mandatory
courses, renewals, overdue reminders) and its idempotence."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone, translation

from opsdesk.notifications.models import Notification
from staff import services
from staff.models import Certification, Course, TrainingAssignment
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
    assert result == {"assigned": 5, "reminded": 0}
    due = set(TrainingAssignment.objects.values_list("employee__name", "due_date", "reason"))
    assert ("Ann", day(0) + datetime.timedelta(days=14), "mandatory") in due
    assert Notification.objects.filter(user=world.ann_user, title__contains="training").exists()
    assert services.training_sweep(now=NOW) == {"assigned": 0, "reminded": 0}
    assert TrainingAssignment.objects.count() == 5


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
