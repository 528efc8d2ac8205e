"""Every scheduling rule with its boundary, and publishing refused with the violation list
while nothing changes."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from opsdesk.platform.notifications.models import Notification
from staff import services
from staff.models import Availability, Leave, Schedule, Shift
from staff.services import PublishRefused
from staff.services.people import staffing_rule_set
from staff.times import aware

from .conftest import MONDAY, day, put_shift, t

pytestmark = pytest.mark.django_db


def _add(w, employee, date, starts, ends, store=None, user=None, break_minutes=0):
    return services.shift_create(
        user=user or w.manager_both,
        store=store or employee.home_store,
        employee=employee,
        business_date=date,
        starts=t(starts),
        ends=t(ends),
        break_minutes=break_minutes,
    )


def _violations(w, store=None, week=MONDAY):
    schedule = Schedule.objects.get(store=store or w.sh1, week_start=week)
    return services.schedule_check(schedule=schedule)


def _rules(violations):
    return sorted({(v.rule, v.employee) for v in violations})


def test_a_clean_week_has_no_violation_and_publishes(world):
    w = world
    for n in range(5):
        _add(w, w.ann, day(n), "09:00", "17:00", break_minutes=30)
    schedule = Schedule.objects.get(store=w.sh1, week_start=MONDAY)
    assert services.schedule_check(schedule=schedule) == []
    schedule = services.schedule_publish(user=w.manager, schedule=schedule)
    assert schedule.status == "published" and schedule.published_by == w.manager
    # Ann has an account: one notification and one email; Bob has no shift.
    assert Notification.objects.filter(user=w.ann_user).count() == 1
    assert not Notification.objects.filter(user=w.bob_user).exists()


def test_labor_hours_are_the_length_less_the_unpaid_break(world):
    shift = _add(world, world.bob, day(0), "09:00", "17:30", break_minutes=45)
    assert shift.paid_minutes == 8 * 60 + 30 - 45
    assert str(shift.paid_hours) == "7.75"
    assert str(shift.labor_cost) == "155.00"  # 7.75 h × 20


def test_overlap_within_a_store_and_across_stores(world):
    w = world
    _add(w, w.ann, day(0), "09:00", "13:00")
    _add(w, w.ann, day(0), "12:00", "16:00")
    found = _violations(w)
    assert [v.rule for v in found if v.is_error] == ["overlap"]
    assert "Ann" in found[0].message and "SH1" in found[0].message
    # Touching is not overlapping: 16:00 end, 16:00 start elsewhere is only short rest.
    Shift.objects.all().delete()
    _add(w, w.ann, day(1), "09:00", "13:00")
    put_shift(w.ann, w.sh2, day(1), "12:30", "18:00", published=True)
    found = _violations(w)
    overlap = [v for v in found if v.rule == "overlap"]
    assert len(overlap) == 1 and "SH2" in overlap[0].message  # the other store is named


def test_a_draft_elsewhere_is_not_a_commitment(world):
    w = world
    _add(w, w.ann, day(1), "09:00", "13:00")
    put_shift(w.ann, w.sh2, day(1), "12:30", "18:00", published=False)
    assert _violations(w) == []


def test_rest_between_shifts_exactly_at_the_limit_passes(world, settings):
    w = world
    settings.STAFF_MIN_REST_HOURS = 11
    _add(w, w.ann, day(0), "09:00", "20:00")
    _add(w, w.ann, day(1), "07:00", "12:00")  # 11 h after 20:00: allowed
    assert _violations(w) == []
    Shift.objects.filter(business_date=day(1)).delete()
    _add(w, w.ann, day(1), "06:59", "12:00")  # 10 h 59 min
    found = _violations(w)
    assert [v.rule for v in found] == ["rest"]
    assert "10.98 h" in found[0].message and "at least 11 h" in found[0].message


def test_rest_after_a_shift_across_midnight(world):
    w = world
    night = _add(w, w.ann, day(2), "22:00", "06:00")  # Wednesday night into Thursday
    assert night.business_date == day(2)
    assert night.end_at == aware(day(3), t("06:00"), w.sh1.tz)
    assert night.paid_minutes == 8 * 60
    _add(w, w.ann, day(3), "16:00", "20:00")  # 10 h after 06:00
    found = _violations(w)
    assert [v.rule for v in found] == ["rest"]
    assert found[0].date == day(3)


def test_leave_days_refuse_shifts_touching_them(world):
    w = world
    Leave.objects.create(employee=w.ann, start_date=day(2), end_date=day(3), reason="Holiday")
    _add(w, w.ann, day(1), "14:00", "21:00")  # ends the evening before: fine
    _add(w, w.ann, day(4), "09:00", "17:00")  # the day after: fine
    assert _violations(w) == []
    _add(w, w.ann, day(1) - datetime.timedelta(days=0), "22:00", "01:00", store=w.sh1)
    found = _violations(w)
    leave = [v for v in found if v.rule == "leave"]
    assert len(leave) == 1 and "Holiday" in leave[0].message  # crosses into the leave


def test_availability_is_a_warning_and_covers_overnight_ranges(world):
    w = world
    Availability.objects.create(employee=w.bob, weekday=0, starts=t("08:00"), ends=t("18:00"))
    Availability.objects.create(employee=w.bob, weekday=1, starts=t("20:00"), ends=t("04:00"))
    _add(w, w.bob, day(0), "09:00", "17:00")
    _add(w, w.bob, day(1), "21:00", "03:00")  # inside the overnight range
    assert _violations(w) == []
    _add(w, w.bob, day(2), "14:00", "17:00")  # no range on Wednesday
    found = _violations(w)
    assert [(v.rule, v.severity) for v in found] == [("availability", "warning")]
    # A warning does not refuse publishing.
    schedule = Schedule.objects.get(store=w.sh1, week_start=MONDAY)
    assert services.schedule_publish(user=w.manager, schedule=schedule).status == "published"


def test_weekly_hours_at_the_limit_pass_and_one_minute_more_fails(world):
    w = world
    w.cat.weekly_hours_max = 16
    w.cat.save()
    _add(w, w.cat, day(0), "09:00", "17:00")
    _add(w, w.cat, day(1), "09:00", "17:00")
    assert _violations(w) == []  # exactly 16 h
    Shift.objects.filter(employee=w.cat, business_date=day(1)).update(paid_minutes=8 * 60 + 1)
    found = _violations(w)
    assert [v.rule for v in found] == ["weekly_hours"]
    assert "16.02 h" in found[0].message and "16.00 h" in found[0].message


def test_weekly_hours_count_every_store(world):
    w = world
    w.ann.weekly_hours_max = 10
    w.ann.save()
    put_shift(w.ann, w.sh2, day(3), "09:00", "15:00", published=True)  # 6 h at SH2
    _add(w, w.ann, day(0), "09:00", "14:00")  # 5 h here: 11 in all
    found = _violations(w)
    assert [v.rule for v in found] == ["weekly_hours"]


def test_not_employed_on_the_date(world):
    w = world
    w.cat.active_to = day(2)
    w.cat.save()
    _add(w, w.cat, day(2), "09:00", "12:00")
    assert _violations(w) == []
    _add(w, w.cat, day(3), "09:00", "12:00")
    assert [v.rule for v in _violations(w)] == ["not_employed"]


def test_minimum_staffing_per_hour_of_opening_hours(world):
    w = world
    staffing_rule_set(user=w.manager, store=w.sh1, weekday=None, min_staff=1)
    staffing_rule_set(user=w.manager, store=w.sh1, weekday=0, min_staff=2)
    # Monday needs 2 from 09:00 to 21:00; the rest of the week 1.
    _add(w, w.ann, day(0), "09:00", "21:00")
    _add(w, w.bob, day(0), "09:00", "15:00")
    _add(w, w.cat, day(0), "15:00", "21:00")
    for n in range(1, 7):
        _add(w, [w.ann, w.bob, w.cat][n % 3], day(n), "09:00", "21:00")
    found = _violations(w)
    assert [v.rule for v in found if v.rule == "min_staffing"] == []
    # Cat starts at 16:30: 15:00–16:30 has 1 of 2.
    cat_monday = Shift.objects.get(employee=w.cat, business_date=day(0))
    services.shift_update(user=w.manager, shift=cat_monday, starts=t("16:30"))
    found = [v for v in _violations(w) if v.rule == "min_staffing"]
    assert len(found) == 1
    assert "15:00–16:30: 1 on shift, at least 2 needed" in found[0].message
    assert found[0].date == day(0) and found[0].employee_id is None


def test_minimum_staffing_counts_an_uncovered_day(world):
    w = world
    staffing_rule_set(user=w.manager, store=w.sh1, weekday=None, min_staff=1)
    _add(w, w.ann, day(0), "09:00", "21:00")
    found = [v for v in _violations(w) if v.rule == "min_staffing"]
    assert len(found) == 6  # Tuesday to Sunday have nobody
    assert "09:00–21:00: 0 on shift" in found[0].message


def test_publish_refused_with_every_violation_and_nothing_changed(world):
    w = world
    _add(w, w.ann, day(0), "09:00", "13:00")
    _add(w, w.ann, day(0), "12:00", "16:00")
    _add(w, w.bob, day(1), "09:00", "20:00")
    _add(w, w.bob, day(2), "06:00", "10:00")
    schedule = Schedule.objects.get(store=w.sh1, week_start=MONDAY)
    mail.outbox.clear()
    with pytest.raises(PublishRefused) as refused:
        services.schedule_publish(user=w.manager, schedule=schedule)
    assert {v.rule for v in refused.value.violations} == {"overlap", "rest"}
    messages = refused.value.messages
    assert messages[0].startswith("The week cannot be published: 2 rules are broken.")
    assert any("Ann" in m and "overlap" in m for m in messages)
    assert any("Bob" in m and "rest" in m for m in messages)
    schedule.refresh_from_db()
    assert schedule.status == "draft" and schedule.published_at is None
    assert not Notification.objects.exists() and not mail.outbox


def test_dst_week_in_berlin(world):
    w = world
    # Europe/Berlin: clocks go forward on Sunday 2026-03-29 at 02:00 -> 03:00.
    sunday = datetime.date(2026, 3, 29)
    night = services.shift_create(
        user=w.head,
        store=w.be1,
        employee=w.eve,
        business_date=sunday - datetime.timedelta(days=1),
        starts=t("22:00"),
        ends=t("06:00"),
    )
    assert night.paid_minutes == 7 * 60  # 8 wall-clock hours, one of them skipped
    with pytest.raises(ValidationError) as error:
        services.shift_create(
            user=w.head,
            store=w.be1,
            employee=w.eve,
            business_date=sunday,
            starts=t("02:30"),
            ends=t("08:00"),
        )
    assert "does not exist" in str(error.value)
    # Rest across the change: ends 06:00 CEST Sunday, next starts 16:00 = 10 real hours.
    services.shift_create(
        user=w.head,
        store=w.be1,
        employee=w.eve,
        business_date=sunday,
        starts=t("16:00"),
        ends=t("20:00"),
    )
    schedule = Schedule.objects.get(store=w.be1, week_start=datetime.date(2026, 3, 23))
    found = services.schedule_check(schedule=schedule)
    assert [v.rule for v in found] == ["rest"] and "10.00 h" in found[0].message
    # Autumn: 2026-10-25 03:00 -> 02:00; a 00:00–06:00 shift lasts 7 real hours.
    autumn = services.shift_create(
        user=w.head,
        store=w.be1,
        employee=w.eve,
        business_date=datetime.date(2026, 10, 25),
        starts=t("00:00"),
        ends=t("06:00"),
    )
    assert autumn.paid_minutes == 7 * 60


# --- A published week with errors: a partial fix passes, a worse one is refused -------------


def test_a_partial_fix_of_weekly_hours_passes_and_making_it_worse_is_refused(world):
    w = world
    for n in range(5):
        put_shift(w.cat, w.sh1, day(n), "09:00", "17:00", published=True)  # 40 h
    saturday = put_shift(w.cat, w.sh1, day(5), "09:00", "15:00")  # 46 h: 6 h over
    assert [v.rule for v in _violations(w)] == ["weekly_hours"]
    # 6 h over -> 2 h over: the message changes ("42.00 h"), the error is the same one.
    services.shift_update(user=w.manager, shift=saturday, ends=t("11:00"))
    found = _violations(w)
    assert [v.rule for v in found] == ["weekly_hours"] and "42.00 h" in found[0].message
    # 2 h over -> 3 h over, or one more shift in the week: worse, refused, nothing changed.
    with pytest.raises(PublishRefused) as refused:
        services.shift_update(user=w.manager, shift=saturday, ends=t("12:00"))
    assert refused.value.messages[0].startswith(
        "The week is published: this change makes a broken rule worse"
    )
    assert [v.rule for v in refused.value.violations] == ["weekly_hours"]
    assert "43.00 h" in refused.value.messages[1]
    with pytest.raises(PublishRefused, match="worse"):
        _add(w, w.cat, day(6), "09:00", "10:00")
    saturday.refresh_from_db()
    assert saturday.paid_minutes == 2 * 60
    assert Shift.objects.filter(employee=w.cat).count() == 6
    # Fixing it entirely passes too.
    services.shift_delete(user=w.manager, shift=saturday)
    assert _violations(w) == []


def test_a_partial_fix_of_minimum_staffing_passes_and_making_it_worse_is_refused(world):
    w = world
    staffing_rule_set(user=w.manager, store=w.sh1, weekday=0, min_staff=2)
    ann = put_shift(w.ann, w.sh1, day(0), "09:00", "17:00", published=True)
    put_shift(w.bob, w.sh1, day(0), "13:00", "21:00")
    found = [v.message for v in _violations(w)]
    assert "09:00–13:00: 1 on shift" in found[0] and "17:00–21:00: 1 on shift" in found[1]
    # Ann stays until 19:00: 17:00–21:00 short becomes 19:00–21:00 short, less short.
    services.shift_update(user=w.manager, shift=ann, ends=t("19:00"))
    assert "19:00–21:00: 1 on shift" in _violations(w)[1].message
    # Leaving at 18:00 again, or at 19:00 but starting later: more short, refused.
    for change in ({"ends": t("18:00")}, {"starts": t("10:00")}):
        with pytest.raises(PublishRefused, match="worse") as refused:
            services.shift_update(user=w.manager, shift=ann, **change)
        assert {v.rule for v in refused.value.violations} == {"min_staffing"}
    ann.refresh_from_db()
    assert ann.paid_minutes == 10 * 60
    # A new error (a shift on another day's empty store is fine; an overlap is new).
    with pytest.raises(PublishRefused, match="breaks a rule") as refused:
        _add(w, w.ann, day(0), "18:00", "21:00")
    assert [v.rule for v in refused.value.violations] == ["overlap"]


def test_a_partial_fix_of_an_overlap_passes(world):
    w = world
    put_shift(w.ann, w.sh1, day(0), "09:00", "13:00", published=True)
    late = put_shift(w.ann, w.sh1, day(0), "11:00", "16:00")
    services.shift_update(user=w.manager, shift=late, starts=t("12:00"))  # 2 h -> 1 h
    with pytest.raises(PublishRefused, match="worse"):
        services.shift_update(user=w.manager, shift=late, starts=t("10:00"))
    assert [v.rule for v in _violations(w)] == ["overlap"]
