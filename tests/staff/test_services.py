"""Services: shifts on draft and published weeks, copy last week, swaps (refused when the
approval would break a rule, two concurrent approvals), people, staffing rules, scope and
roles, bad input changing nothing."""

import datetime
import threading
import time

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import translation

from opsdesk.platform.notifications.models import Notification
from staff import services
from staff.models import Availability, Employee, Schedule, Shift, StaffingRule, SwapRequest
from staff.services import PublishRefused
from stores.access import OutOfScope
from stores.models import Store
from tests.notifications.readers import received, speaks

from .conftest import MONDAY, day, make_employee, put_shift, t

pytestmark = pytest.mark.django_db
BEFORE = datetime.datetime(2026, 2, 20, tzinfo=datetime.UTC)  # "now" before the test week


def _publish(w, store=None):
    schedule = Schedule.objects.get(store=store or w.sh1, week_start=MONDAY)
    return services.schedule_publish(user=w.manager_both, schedule=schedule)


# --- Shifts ------------------------------------------------------------------------------


def test_bad_shift_input_is_refused_with_a_message_and_writes_nothing(world):
    w = world
    cases = [
        ({"starts": t("09:00"), "ends": t("09:30"), "break_minutes": 30}, "break_minutes"),
        ({"starts": t("06:00"), "ends": t("23:00")}, "ends"),  # 17 h
        ({"starts": t("09:00"), "ends": t("17:00"), "break_minutes": -5}, "break_minutes"),
        ({"starts": t("09:00"), "ends": t("17:00"), "position": "pilot"}, "position"),
    ]
    for kwargs, field in cases:
        with pytest.raises(ValidationError) as error:
            services.shift_create(
                user=w.manager, store=w.sh1, employee=w.ann, business_date=day(0), **kwargs
            )
        assert field in error.value.message_dict, kwargs
    assert not Shift.objects.exists()


def test_scope_and_roles_of_shift_writes(world):
    w = world
    kwargs = {"business_date": day(0), "starts": t("09:00"), "ends": t("17:00")}
    with pytest.raises(OutOfScope):  # another store: 404, not 403
        services.shift_create(user=w.manager, store=w.sh2, employee=w.dan, **kwargs)
    with pytest.raises(ValidationError, match="No such employee"):  # a person out of scope
        services.shift_create(user=w.manager, store=w.sh1, employee=w.dan, **kwargs)
    with pytest.raises(PermissionDenied):
        services.shift_create(user=w.ann_user, store=w.sh1, employee=w.ann, **kwargs)
    with pytest.raises(PermissionDenied):
        services.shift_create(user=w.regional, store=w.sh1, employee=w.ann, **kwargs)
    # A manager of both stores lends Dan (SH2) to SH1.
    shift = services.shift_create(user=w.manager_both, store=w.sh1, employee=w.dan, **kwargs)
    assert shift.store == w.sh1 and shift.employee == w.dan
    assert not Notification.objects.exists()  # a draft week notifies nobody


def test_a_shift_moves_only_within_its_week(world):
    w = world
    shift = services.shift_create(
        user=w.manager,
        store=w.sh1,
        employee=w.ann,
        business_date=day(0),
        starts=t("09:00"),
        ends=t("17:00"),
    )
    with pytest.raises(ValidationError, match="within its week"):
        services.shift_update(user=w.manager, shift=shift, business_date=day(7))
    shift = services.shift_update(
        user=w.manager, shift=shift, business_date=day(6), ends=t("18:00")
    )
    assert (shift.business_date, shift.paid_minutes) == (day(6), 9 * 60)


def test_publishing_twice_and_an_empty_week_are_refused(world):
    w = world
    schedule = services.schedule_get_or_create(user=w.manager, store=w.sh1, week_start=MONDAY)
    with pytest.raises(ValidationError, match="Add shifts"):
        services.schedule_publish(user=w.manager, schedule=schedule)
    with pytest.raises(ValidationError, match="Monday"):
        services.schedule_get_or_create(user=w.manager, store=w.sh1, week_start=day(1))
    services.shift_create(
        user=w.manager,
        store=w.sh1,
        employee=w.ann,
        business_date=day(0),
        starts=t("09:00"),
        ends=t("17:00"),
    )
    services.schedule_publish(user=w.manager, schedule=schedule)
    with pytest.raises(ValidationError, match="published already"):
        services.schedule_publish(user=w.manager, schedule=schedule)


def test_a_change_to_a_published_week_is_checked_again_and_notified(world):
    w = world
    ann = services.shift_create(
        user=w.manager,
        store=w.sh1,
        employee=w.ann,
        business_date=day(0),
        starts=t("09:00"),
        ends=t("17:00"),
    )
    services.shift_create(
        user=w.manager,
        store=w.sh1,
        employee=w.ann,
        business_date=day(1),
        starts=t("09:00"),
        ends=t("17:00"),
    )
    _publish(w)
    Notification.objects.all().delete()
    # Ending at 23:00 leaves 10 h of rest before Tuesday 09:00: refused, nothing changed.
    with pytest.raises(PublishRefused) as refused:
        services.shift_update(user=w.manager, shift=ann, ends=t("23:00"))
    assert [v.rule for v in refused.value.violations] == ["rest"]
    assert refused.value.messages[0].startswith("The week is published")
    ann.refresh_from_db()
    assert ann.paid_minutes == 8 * 60
    assert not Notification.objects.exists()
    # A change that breaks nothing is saved and Ann is told.
    services.shift_update(user=w.manager, shift=ann, ends=t("18:00"))
    note = Notification.objects.get(user=w.ann_user)
    assert "changed" in note.title and "18:00" in note.body
    # Handing Monday to Bob: both are told (Bob has an account too).
    services.shift_update(user=w.manager, shift=ann, employee=w.bob)
    assert Notification.objects.filter(user=w.bob_user).count() == 1
    # Deleting the only shift of a day under a staffing rule would add an error.
    services.staffing_rule_set(user=w.manager, store=w.sh1, weekday=1, min_staff=1)
    tuesday = Shift.objects.get(business_date=day(1))
    with pytest.raises(PublishRefused, match="0 on shift"):
        services.shift_delete(user=w.manager, shift=tuesday)
    assert Shift.objects.filter(pk=tuesday.pk).exists()


def test_copy_last_week_keeps_wall_clock_times_across_dst(world):
    w = world
    previous = datetime.date(2026, 3, 23)  # Berlin: DST starts on Sunday the 29th
    put_shift(w.eve, w.be1, previous, "09:00", "17:00", published=True)
    put_shift(w.eve, w.be1, previous + datetime.timedelta(days=6), "09:00", "17:00")
    schedule, copied = services.schedule_copy_previous(
        user=w.manager_be, store=w.be1, week_start=datetime.date(2026, 3, 30)
    )
    assert copied == 2 and schedule.status == "draft"
    shifts = list(schedule.shifts.order_by("start_at"))
    tz = w.be1.tz
    assert [s.start_at.astimezone(tz).strftime("%a %H:%M") for s in shifts] == [
        "Mon 09:00",
        "Sun 09:00",
    ]
    assert shifts[0].start_at.utcoffset() == datetime.timedelta(0)
    assert shifts[0].start_at.hour == 7  # CEST is UTC+2 now, CET was UTC+1
    with pytest.raises(ValidationError, match="has shifts already"):
        services.schedule_copy_previous(
            user=w.manager_be, store=w.be1, week_start=datetime.date(2026, 3, 30)
        )
    with pytest.raises(ValidationError, match="no shifts to copy"):
        services.schedule_copy_previous(
            user=w.manager_be, store=w.be1, week_start=datetime.date(2026, 4, 13)
        )


def test_copy_leaves_out_people_who_have_left(world):
    w = world
    put_shift(w.ann, w.sh1, day(0), "09:00", "17:00")
    put_shift(w.cat, w.sh1, day(1), "09:00", "17:00")
    w.cat.active_to = day(5)
    w.cat.save()
    schedule, copied = services.schedule_copy_previous(
        user=w.manager, store=w.sh1, week_start=day(7)
    )
    assert copied == 1 and schedule.shifts.get().employee == w.ann


def test_copy_leaves_out_loaned_people_outside_your_scope(world):
    w = world
    # Last week SH1 had Ann, Dan lent by SH2 (same region) and Eve lent by BE1 (West).
    put_shift(w.ann, w.sh1, day(0), "09:00", "17:00")
    put_shift(w.dan, w.sh1, day(1), "09:00", "17:00")
    put_shift(w.eve, w.sh1, day(2), "09:00", "17:00")
    # SH1's manager sees neither Dan nor Eve: only Ann's shift is copied.
    schedule, copied = services.schedule_copy_previous(
        user=w.manager, store=w.sh1, week_start=day(7)
    )
    assert copied == 1 and [s.employee for s in schedule.shifts.all()] == [w.ann]
    # The manager of both SH stores keeps Dan's loan, not Eve's.
    schedule.shifts.all().delete()
    schedule, copied = services.schedule_copy_previous(
        user=w.manager_both, store=w.sh1, week_start=day(7)
    )
    assert sorted(s.employee.name for s in schedule.shifts.all()) == ["Ann", "Dan"]
    # Head office sees everyone.
    schedule.shifts.all().delete()
    _schedule, copied = services.schedule_copy_previous(user=w.head, store=w.sh1, week_start=day(7))
    assert copied == 3


# --- Swaps -------------------------------------------------------------------------------


@pytest.fixture
def published(world):
    """Ann works Monday 09:00–17:00 and Bob Monday 12:00–20:00 at SH1, published."""
    w = world
    w.ann_shift = put_shift(w.ann, w.sh1, day(0), "09:00", "17:00", published=True)
    w.bob_shift = put_shift(w.bob, w.sh1, day(0), "12:00", "20:00")
    return w


def test_the_swap_flow_named_colleague(published):
    w = published
    swap = services.swap_request_create(
        user=w.ann_user, shift=w.ann_shift, to_employee=w.cat, note="Dentist", now=BEFORE
    )
    assert swap.status == "pending"
    with pytest.raises(PermissionDenied):  # Bob was not asked
        services.swap_accept(user=w.bob_user, swap=swap, now=BEFORE)
    # Cat has no account: her manager cannot accept for her either.
    with pytest.raises(PermissionDenied):
        services.swap_accept(user=w.manager, swap=swap, now=BEFORE)
    services.swap_cancel(user=w.ann_user, swap=swap)
    assert SwapRequest.objects.get(pk=swap.pk).status == "cancelled"


def test_an_open_swap_is_taken_by_a_colleague_and_approved(published):
    w = published
    w.cat.user = w.bob_user  # (re-link: Bob's account is Cat's here)
    w.bob.user = None
    w.bob.save()
    w.cat.save()
    swap = services.swap_request_create(user=w.ann_user, shift=w.ann_shift, now=BEFORE)
    assert Notification.objects.filter(user=w.bob_user, title__contains="take a shift").exists()
    with pytest.raises(ValidationError, match="open swap request"):
        services.swap_request_create(user=w.ann_user, shift=w.ann_shift, now=BEFORE)
    swap = services.swap_accept(user=w.bob_user, swap=swap, now=BEFORE)
    assert (swap.status, swap.to_employee) == ("accepted", w.cat)
    with pytest.raises(PermissionDenied):
        services.swap_approve(user=w.ann_user, swap=swap, now=BEFORE)
    swap = services.swap_approve(user=w.manager, swap=swap, now=BEFORE)
    assert swap.status == "approved" and swap.decided_by == w.manager
    shift = Shift.objects.get(pk=w.ann_shift.pk)
    assert shift.employee == w.cat and str(shift.labor_cost) == "200.00"  # 8 h × 25
    with pytest.raises(ValidationError, match="decided already"):
        services.swap_approve(user=w.manager, swap=swap, now=BEFORE)


def test_only_the_person_on_a_published_future_shift_may_ask(published):
    w = published
    with pytest.raises(PermissionDenied):
        services.swap_request_create(user=w.bob_user, shift=w.ann_shift, now=BEFORE)
    late = datetime.datetime(2026, 3, 2, 2, 0, tzinfo=datetime.UTC)  # 10:00 in Shanghai
    with pytest.raises(ValidationError, match="started"):
        services.swap_request_create(user=w.ann_user, shift=w.ann_shift, now=late)
    with pytest.raises(ValidationError, match="colleague of SH1"):
        services.swap_request_create(
            user=w.ann_user, shift=w.ann_shift, to_employee=w.dan, now=BEFORE
        )
    draft = put_shift(w.ann, w.sh1, day(7), "09:00", "17:00", published=False)
    with pytest.raises(ValidationError, match="published week"):
        services.swap_request_create(user=w.ann_user, shift=draft, now=BEFORE)
    assert not SwapRequest.objects.exists()


def test_a_colleague_cannot_accept_a_shift_that_would_break_a_rule_for_them(published):
    w = published
    # Bob already works 12:00–20:00 on Monday: Ann's 09:00–17:00 would overlap.
    swap = services.swap_request_create(
        user=w.ann_user, shift=w.ann_shift, to_employee=w.bob, now=BEFORE
    )
    with pytest.raises(PublishRefused) as refused:
        services.swap_accept(user=w.bob_user, swap=swap, now=BEFORE)
    assert [v.rule for v in refused.value.violations] == ["overlap"]
    assert "You cannot take this shift" in refused.value.messages[0]
    swap.refresh_from_db()
    assert (swap.status, swap.to_employee, swap.accepted_at) == ("pending", w.bob, None)
    assert not Notification.objects.filter(title__startswith="Swap to approve").exists()
    # Bob can still decline it.
    assert services.swap_decline(user=w.bob_user, swap=swap).status == "declined"


def test_an_approval_that_would_break_a_rule_is_refused_and_changes_nothing(published):
    w = published
    # Bob accepted while he was free; since then he works 12:00–20:00 on Monday, which
    # Ann's 09:00–17:00 would overlap.
    swap = SwapRequest.objects.create(
        shift=w.ann_shift, from_employee=w.ann, to_employee=w.bob, status="accepted"
    )
    with pytest.raises(PublishRefused) as refused:
        services.swap_approve(user=w.manager, swap=swap, now=BEFORE)
    assert [v.rule for v in refused.value.violations] == ["overlap"]
    assert "would break a rule for Bob" in refused.value.messages[0]
    assert Shift.objects.get(pk=w.ann_shift.pk).employee == w.ann
    assert SwapRequest.objects.get(pk=swap.pk).status == "accepted"
    services.swap_refuse(user=w.manager, swap=swap, reason="Bob is busy")
    assert SwapRequest.objects.get(pk=swap.pk).status == "refused"


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_approvals_cannot_both_win(world):
    """Ann's and Bob's overlapping Monday shifts are both given to Cat; two managers
    approve at the same moment: one wins, the other is refused with the overlap."""
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent connections (PostgreSQL)")
    w = world
    w.cat.user = w.manager_both  # Cat's account accepts (any account works)
    w.cat.save()
    ann_shift = put_shift(w.ann, w.sh1, day(0), "09:00", "17:00", published=True)
    bob_shift = put_shift(w.bob, w.sh1, day(0), "12:00", "20:00")
    swaps = []
    for user, shift in ((w.ann_user, ann_shift), (w.bob_user, bob_shift)):
        swap = services.swap_request_create(user=user, shift=shift, to_employee=w.cat, now=BEFORE)
        swaps.append(services.swap_accept(user=w.manager_both, swap=swap, now=BEFORE))
    barrier = threading.Barrier(2)
    outcomes = []

    def approve(manager, swap):
        try:
            barrier.wait(timeout=10)
            services.swap_approve(user=manager, swap=swap, now=BEFORE)
            outcomes.append("approved")
        except PublishRefused as refused:
            outcomes.append([v.rule for v in refused.violations])
        except Exception as exc:  # pragma: no cover - reported below
            outcomes.append(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=approve, args=(w.manager, swaps[0])),
        threading.Thread(target=approve, args=(w.manager_both, swaps[1])),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(map(str, outcomes)) == ["['overlap']", "approved"]
    assert Shift.objects.filter(employee=w.cat).count() == 1
    assert SwapRequest.objects.filter(status="approved").count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_same_request_approved_twice_at_once_moves_the_shift_once(world):
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent connections (PostgreSQL)")
    w = world
    shift = put_shift(w.ann, w.sh1, day(0), "09:00", "17:00", published=True)
    swap = services.swap_request_create(user=w.ann_user, shift=shift, to_employee=w.bob, now=BEFORE)
    services.swap_accept(user=w.bob_user, swap=swap, now=BEFORE)
    barrier = threading.Barrier(2)
    outcomes = []

    def approve(manager):
        try:
            barrier.wait(timeout=10)
            services.swap_approve(user=manager, swap=swap, now=BEFORE)
            outcomes.append("approved")
        except ValidationError as error:
            outcomes.append(error.messages[0])
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(m,)) for m in (w.manager, w.manager_both)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["This request is decided already.", "approved"]
    assert Notification.objects.filter(title__startswith="Swap approved").count() == 2  # Ann, Bob


def test_a_shift_with_an_accepted_swap_is_neither_changed_nor_deleted(published):
    w = published
    swap = SwapRequest.objects.create(
        shift=w.ann_shift, from_employee=w.ann, to_employee=w.cat, status="accepted"
    )
    refused = "A colleague has accepted a swap of this shift: refuse it first."
    with pytest.raises(ValidationError) as error:
        services.shift_update(user=w.manager, shift=w.ann_shift, ends=t("16:00"))
    assert error.value.messages == [refused] and error.value.code == "conflict"
    with pytest.raises(ValidationError) as error:
        services.shift_update(user=w.manager, shift=w.ann_shift, employee=w.cat)
    assert error.value.messages == [refused]
    with pytest.raises(ValidationError) as error:
        services.shift_delete(user=w.manager, shift=w.ann_shift)
    assert error.value.messages == [refused]
    shift = Shift.objects.get(pk=w.ann_shift.pk)
    assert (shift.employee, shift.paid_minutes) == (w.ann, 8 * 60)
    # Once the manager refuses the swap, the shift can change.
    services.swap_refuse(user=w.manager, swap=swap)
    shift = services.shift_update(user=w.manager, shift=w.ann_shift, ends=t("16:00"))
    assert shift.paid_minutes == 7 * 60


def _wait_for_a_lock_wait(timeout=10.0):
    """Until another connection waits for a row lock (PostgreSQL)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                "AND datname = current_database()"
            )
            if cursor.fetchone()[0]:
                return
        time.sleep(0.02)
    raise AssertionError("nobody waited for a lock")


@pytest.mark.django_db(transaction=True)
def test_an_approval_locks_the_week_before_the_request(world):
    """Every schedule write locks the week first; a shift change then locks the shift's
    requests. An approval waiting for the week holds no lock on its request yet, so the
    two cannot deadlock."""
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent connections (PostgreSQL)")
    w = world
    shift = put_shift(w.ann, w.sh1, day(0), "09:00", "17:00", published=True)
    swap = SwapRequest.objects.create(
        shift=shift, from_employee=w.ann, to_employee=w.bob, status="accepted"
    )
    week_locked, release = threading.Event(), threading.Event()
    outcomes = []

    def hold_the_week():  # what shift_update does first
        try:
            with transaction.atomic():
                list(Schedule.objects.select_for_update().filter(pk=shift.schedule_id))
                week_locked.set()
                release.wait(timeout=10)
        finally:
            connection.close()

    def approve():
        try:
            services.swap_approve(user=w.manager, swap=swap, now=BEFORE)
            outcomes.append("approved")
        except Exception as exc:  # pragma: no cover - reported below
            outcomes.append(exc)
        finally:
            connection.close()

    holder = threading.Thread(target=hold_the_week)
    holder.start()
    assert week_locked.wait(timeout=10)
    approver = threading.Thread(target=approve)
    approver.start()
    try:
        _wait_for_a_lock_wait()  # the approval waits for the week...
        with transaction.atomic():  # ...and has not locked the request
            rows = SwapRequest.objects.select_for_update(nowait=True).filter(pk=swap.pk)
            assert list(rows.values_list("pk", flat=True)) == [swap.pk]
    finally:
        release.set()
        holder.join()
        approver.join()
    assert outcomes == ["approved"]


@pytest.mark.django_db(transaction=True)
def test_a_delete_waits_for_a_swap_being_accepted_and_then_refuses(world):
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent connections (PostgreSQL)")
    w = world
    shift = put_shift(w.ann, w.sh1, day(0), "09:00", "17:00", published=True)
    swap = SwapRequest.objects.create(shift=shift, from_employee=w.ann, to_employee=w.bob)
    swap_locked, release = threading.Event(), threading.Event()
    outcomes = []

    def accept():  # what swap_accept does: the request locked, then accepted
        try:
            with transaction.atomic():
                row = SwapRequest.objects.select_for_update().get(pk=swap.pk)
                swap_locked.set()
                release.wait(timeout=10)
                row.status = "accepted"
                row.save(update_fields=["status"])
        finally:
            connection.close()

    def delete():
        try:
            services.shift_delete(user=w.manager, shift=shift)
            outcomes.append("deleted")
        except ValidationError as error:
            outcomes.append(error.messages[0])
        finally:
            connection.close()

    acceptor = threading.Thread(target=accept)
    acceptor.start()
    assert swap_locked.wait(timeout=10)
    deleter = threading.Thread(target=delete)
    deleter.start()
    try:
        _wait_for_a_lock_wait()  # the delete waits for the request being accepted
    finally:
        release.set()
        acceptor.join()
        deleter.join()
    assert outcomes == ["A colleague has accepted a swap of this shift: refuse it first."]
    assert Shift.objects.filter(pk=shift.pk).exists()
    assert SwapRequest.objects.get(pk=swap.pk).status == "accepted"


# --- People and rules ---------------------------------------------------------------------


def test_employee_create_and_update_validate_and_scope(world):
    w = world
    with pytest.raises(ValidationError) as error:
        services.employee_create(
            user=w.manager,
            home_store=w.sh1,
            name=" ",
            position="pilot",
            weekly_hours_max="100",
            hourly_rate="-1",
        )
    assert set(error.value.message_dict) == {
        "name",
        "position",
        "weekly_hours_max",
        "hourly_rate",
    }
    with pytest.raises(OutOfScope):
        services.employee_create(
            user=w.manager,
            home_store=w.sh2,
            name="Zed",
            position="cashier",
            weekly_hours_max="20",
            hourly_rate="18",
        )
    with pytest.raises(ValidationError, match="linked to another"):
        services.employee_create(
            user=w.manager,
            home_store=w.sh1,
            name="Ann again",
            position="cashier",
            weekly_hours_max="20",
            hourly_rate="18",
            account=w.ann_user,
        )
    count = Employee.objects.count()
    zed = services.employee_create(
        user=w.manager,
        home_store=w.sh1,
        name="Zed",
        position="stock_clerk",
        weekly_hours_max="20.5",
        hourly_rate="18.25",
        active_from=day(0),
    )
    assert Employee.objects.count() == count + 1 and str(zed.weekly_hours_max) == "20.50"
    with pytest.raises(ValidationError, match="on or after"):
        services.employee_update(
            user=w.manager, employee=zed, active_to=day(0) - datetime.timedelta(1)
        )
    zed = services.employee_update(
        user=w.manager, employee=zed, position="cashier", active_to=day(9)
    )
    assert (zed.position, zed.active_to) == ("cashier", day(9))


def test_availability_and_leave(world):
    w = world
    services.availability_set(
        user=w.manager,
        employee=w.ann,
        ranges=[(0, t("08:00"), t("18:00")), (5, t("00:00"), t("00:00"))],
    )
    assert Availability.objects.filter(employee=w.ann).count() == 2
    with pytest.raises(ValidationError):
        services.availability_set(
            user=w.manager, employee=w.ann, ranges=[(9, t("08:00"), t("18:00"))]
        )
    assert Availability.objects.filter(employee=w.ann).count() == 2  # unchanged
    with pytest.raises(ValidationError, match="on or after"):
        services.leave_add(user=w.manager, employee=w.ann, start_date=day(3), end_date=day(2))
    leave = services.leave_add(user=w.manager, employee=w.ann, start_date=day(2), end_date=day(3))
    with pytest.raises(OutOfScope):
        services.leave_delete(user=w.manager_be, leave=leave)
    services.leave_delete(user=w.manager, leave=leave)


def test_staffing_rules(world):
    w = world
    with pytest.raises(PermissionDenied):
        services.staffing_rule_set(user=w.regional, store=w.sh1, weekday=None, min_staff=2)
    with pytest.raises(ValidationError):
        services.staffing_rule_set(user=w.manager, store=w.sh1, weekday=None, min_staff=0)
    services.staffing_rule_set(user=w.manager, store=w.sh1, weekday=None, min_staff=2)
    services.staffing_rule_set(user=w.head, store=w.sh1, weekday=None, min_staff=3)
    assert StaffingRule.objects.get(store=w.sh1).min_staff == 3
    services.staffing_rule_set(user=w.manager, store=w.sh1, weekday=None, min_staff=None)
    assert not StaffingRule.objects.exists()


def test_a_new_person_in_the_grid(world):
    w = world
    make_employee("Fay", w.sh1, active_from=day(3))
    from staff.selectors import schedule_week

    week = schedule_week(user=w.manager, store=w.sh1, week_start=MONDAY)
    assert [r.employee.name for r in week.rows] == ["Ann", "Bob", "Cat", "Fay"]
    assert week.schedule is None and week.violations == []


# --- Notifications in each reader's language --------------------------------------------


@pytest.fixture
def readers(world):
    """SH1 has a Chinese name; Ann reads Chinese, Bob English, the SH1 manager Chinese, the
    manager of both stores follows the browser (the site's English). Requests are served in
    Chinese here, so nothing English comes from the sender's language."""
    w = world
    Store.objects.filter(pk=w.sh1.pk).update(name_zh="上海一店")
    speaks(w.ann_user, "zh-hans")
    speaks(w.bob_user, "en")
    speaks(w.manager, "zh-hans")
    translation.activate("zh-hans")
    return w


def test_publishing_and_changing_a_week_tell_each_person_in_their_language(
    readers, django_capture_on_commit_callbacks
):
    w = readers
    ann, bob = (
        services.shift_create(
            user=w.manager,
            store=w.sh1,
            employee=person,
            business_date=day(n),
            starts=t("09:00"),
            ends=t("17:00"),
        )
        for n, person in [(0, w.ann), (1, w.bob)]
    )
    with django_capture_on_commit_callbacks(execute=True):
        _publish(w)
    published = {"topic__startswith": "schedule-published:"}
    assert received(w.ann_user, **published) == (
        "您在 SH1 上海一店 2026-03-02 当周的班次",
        "本周排班已发布。",
    )
    assert received(w.bob_user, **published) == (
        "Your shifts for the week of 2026-03-02 at SH1 Store SH1",
        "The week's schedule is published.",
    )
    Notification.objects.all().delete()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.shift_update(user=w.manager, shift=ann, employee=w.bob)
    assert received(w.ann_user) == (
        "您在 SH1 上海一店 的班次已变更",
        "已变更：Ann，2026-03-02 09:00–17:00，SH1 上海一店 → Bob，2026-03-02 09:00–17:00，"
        "SH1 上海一店",
    )
    assert received(w.bob_user) == (
        "Your shifts at SH1 Store SH1 changed",
        "Changed: Ann, 2026-03-02 09:00–17:00 at SH1 Store SH1 → "
        "Bob, 2026-03-02 09:00–17:00 at SH1 Store SH1",
    )
    Notification.objects.all().delete()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.shift_delete(user=w.manager, shift=bob)
    assert received(w.bob_user) == (
        "Your shifts at SH1 Store SH1 changed",
        "Removed: Bob, 2026-03-03 09:00–17:00 at SH1 Store SH1",
    )
    assert translation.get_language() == "zh-hans"


def test_a_swap_to_approve_reaches_each_reader_in_their_language(
    readers, django_capture_on_commit_callbacks
):
    w = readers
    shift = put_shift(w.ann, w.sh1, day(0), "09:00", "17:00", published=True)
    with django_capture_on_commit_callbacks(execute=True):
        swap = services.swap_request_create(
            user=w.ann_user, shift=shift, to_employee=w.bob, now=BEFORE
        )
    assert received(w.bob_user, topic=f"swap-asked:{swap.pk}") == (
        "Ann asks you to take a shift",
        "2026-03-02 09:00–17:00 at SH1 Store SH1",
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.swap_accept(user=w.bob_user, swap=swap, now=BEFORE)
    accepted = {"topic": f"swap-accepted:{swap.pk}"}
    chinese = ("待审批换班：Ann → Bob", "2026-03-02 09:00–17:00，SH1 上海一店")
    english = ("Swap to approve: Ann → Bob", "2026-03-02 09:00–17:00 at SH1 Store SH1")
    assert received(w.manager, **accepted) == chinese
    assert received(w.ann_user, **accepted) == chinese
    assert received(w.manager_both, **accepted) == english
