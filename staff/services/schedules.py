"""Week schedules and their shifts: add, change and delete shifts, check, publish, copy
last week. Rules in docs/staff.md and ``staff/checks/``.

- A draft week takes any shift that is well formed (times that exist on the store's
  clock, at most ``MAX_SHIFT_HOURS`` long, a break shorter than the shift, a person in
  your scope); its rule violations are shown live and refuse publishing.
- Publishing runs every check; errors refuse it with one message per violation and change
  nothing; the people with an account are notified.
- A published week can still change: the change is checked again and refused when it adds
  an error or makes one worse (a partial fix is allowed); the people whose shifts changed
  are notified.
- Checks that compare people's shifts across schedules lock those people's rows (ordered
  by pk), so two publishes or approvals touching one person run one after the other.
- Lock order, for every write here and in ``swaps.py``: the week, then the shift's swap
  requests, then the shift, then the people. A shift a colleague has accepted in a swap
  is neither changed nor deleted (refuse the swap first), and a change cannot race (or
  deadlock with) the swap's approval.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from opsdesk.platform.notifications.services import notify
from stores.access import OutOfScope, ensure_role, ensure_store_in_scope
from stores.i18n import store_label
from stores.models import Store

from .. import checks, times
from ..models import Employee, Position, Schedule, Shift, SwapRequest
from ..rules import MAX_BREAK_MINUTES, MAX_SHIFT_HOURS, SCHEDULERS

CONFLICT = "conflict"
CENT = Decimal("0.01")


class PublishRefused(ValidationError):
    """Publishing (or a change, or a swap approval) refused: one message per violation;
    ``violations`` keeps them machine-readable."""

    def __init__(self, violations: list[checks.Violation], lead: str | None = None):
        self.violations = violations
        messages = [v.message for v in violations]
        if lead:
            messages.insert(0, lead)
        super().__init__(messages, code=CONFLICT)


def _conflict(message: str) -> ValidationError:
    return ValidationError(message, code=CONFLICT)


def locked(queryset, pk):
    """The row, locked for this transaction; one deleted meanwhile (by a concurrent
    request) is not found, like any unknown record (404)."""
    row = queryset.select_for_update(of=("self",)).filter(pk=pk).first()
    if row is None:
        raise OutOfScope(_("No such %(object)s.") % {"object": queryset.model._meta.verbose_name})
    return row


def labor_cost(paid_minutes: int, hourly_rate: Decimal) -> Decimal:
    return (Decimal(paid_minutes) * Decimal(hourly_rate) / 60).quantize(CENT, ROUND_HALF_UP)


def _check_week_start(week_start: datetime.date) -> None:
    if week_start.weekday() != 0:
        raise ValidationError({"week_start": [_("A week starts on a Monday.")]})


def schedule_get_or_create(*, user, store: Store, week_start: datetime.date) -> Schedule:
    """The store's week (a new draft when there is none)."""
    ensure_role(user, SCHEDULERS)
    ensure_store_in_scope(user, store)
    _check_week_start(week_start)
    try:
        with transaction.atomic():
            schedule, _created = Schedule.objects.get_or_create(store=store, week_start=week_start)
    except IntegrityError:  # created by someone else between the two statements
        schedule = Schedule.objects.get(store=store, week_start=week_start)
    return schedule


def _visible_employee(user, employee: Employee) -> Employee:
    employee = Employee.objects.visible_to(user).filter(pk=employee.pk).first()
    if employee is None:
        raise ValidationError({"employee": [_("No such employee.")]})
    return employee


def _shift_times(
    *,
    store: Store,
    business_date: datetime.date,
    starts: datetime.time,
    ends: datetime.time,
    break_minutes: int,
) -> tuple[datetime.datetime, datetime.datetime, int]:
    """(start, end, paid minutes) of a store-local shift, or ValidationError."""
    errors: dict[str, list[str]] = {}
    tz = store.tz
    end_date = business_date if ends > starts else business_date + datetime.timedelta(days=1)
    if not times.exists(business_date, starts, tz):
        errors["starts"] = [
            _("%(time)s does not exist on %(date)s at %(store)s (the clocks go forward).")
            % {"time": f"{starts:%H:%M}", "date": business_date.isoformat(), "store": store.code}
        ]
    if not times.exists(end_date, ends, tz):
        errors["ends"] = [
            _("%(time)s does not exist on %(date)s at %(store)s (the clocks go forward).")
            % {"time": f"{ends:%H:%M}", "date": end_date.isoformat(), "store": store.code}
        ]
    if not isinstance(break_minutes, int) or not 0 <= break_minutes <= MAX_BREAK_MINUTES:
        errors["break_minutes"] = [
            _("A break of 0 to %(max)s minutes.") % {"max": MAX_BREAK_MINUTES}
        ]
    if errors:
        raise ValidationError(errors)
    start_at, end_at = times.span(business_date, starts, ends, tz)
    minutes = int((end_at - start_at).total_seconds() // 60)
    if minutes > MAX_SHIFT_HOURS * 60:
        raise ValidationError(
            {"ends": [_("A shift lasts at most %(hours)s hours.") % {"hours": MAX_SHIFT_HOURS}]}
        )
    if break_minutes >= minutes:
        raise ValidationError({"break_minutes": [_("The break must be shorter than the shift.")]})
    return start_at, end_at, minutes - break_minutes


def _lock_people(employee_ids: Iterable[int]) -> None:
    """Row locks on these people, ordered by pk: checks across their schedules serialise."""
    list(
        Employee.objects.select_for_update()
        .filter(pk__in=sorted(set(employee_ids)))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _lock_schedule(schedule: Schedule) -> Schedule:
    return locked(Schedule.objects.select_related("store"), schedule.pk)


def _refuse_if_swap_accepted(schedule: Schedule, shift_pk: int) -> None:
    """Lock the shift's swap requests (after the week, before the shift: the order
    ``swap_approve`` takes too) and refuse changing a shift of a published week that a
    colleague has accepted to take: the manager refuses the swap first."""
    statuses = list(
        SwapRequest.objects.select_for_update()
        .filter(shift_id=shift_pk)
        .order_by("pk")
        .values_list("status", flat=True)
    )
    if schedule.is_published and SwapRequest.Status.ACCEPTED in statuses:
        raise _conflict(_("A colleague has accepted a swap of this shift: refuse it first."))


def schedule_check(*, schedule: Schedule, changes: dict | None = None) -> list[checks.Violation]:
    """The violations of the schedule's shifts, with ``changes`` applied first:
    ``{shift_pk: Planned or None (deleted)}``, ``{None: [new Planned, ...]}``."""
    changes = changes or {}
    candidates = []
    for shift in schedule.shifts.all():
        if shift.pk in changes:
            if changes[shift.pk] is not None:
                candidates.append(changes[shift.pk])
        else:
            candidates.append(checks.Planned.of(shift))
    candidates += changes.get(None, [])
    return checks.check(candidates=candidates, schedule=schedule)


def _refuse_new_errors(schedule: Schedule, changes: dict, people: Iterable[int]) -> None:
    """On a published week: refuse the change when it adds an error or makes one worse
    (``checks.compare``); one that keeps or reduces an error (a partial fix) is allowed."""
    _lock_people(people)
    before = schedule_check(schedule=schedule)
    after = schedule_check(schedule=schedule, changes=changes)
    new, worse = checks.compare(before, after)
    if new:
        raise PublishRefused(
            [*new, *worse], lead=_("The week is published: this change breaks a rule.")
        )
    if worse:
        raise PublishRefused(
            worse,
            lead=_(
                "The week is published: this change makes a broken rule worse (a change "
                "may only fix it, or part of it)."
            ),
        )


def _notify_changed(
    schedule: Schedule, employee_ids: Iterable[int], what: Callable[[], str]
) -> None:
    """Tell the people whose shifts changed; ``what`` renders the change in the active
    language (each reads it in theirs)."""
    people = Employee.objects.filter(pk__in=set(employee_ids), user__isnull=False).select_related(
        "user"
    )
    notify(
        users=[p.user for p in people],
        title=lambda: (
            _("Your shifts at %(store)s changed") % {"store": store_label(schedule.store)}
        ),
        body=what,
        url=reverse("staff:my_shifts"),
        topic=f"shift-changed:{schedule.pk}",
    )


def _describe(shift_or_planned, store: Store, name: str) -> str:
    tz = store.tz
    return _("%(name)s, %(date)s %(start)s–%(end)s at %(store)s") % {
        "name": name,
        "date": shift_or_planned.business_date.isoformat(),
        "start": f"{times.local(shift_or_planned.start_at, tz):%H:%M}",
        "end": f"{times.local(shift_or_planned.end_at, tz):%H:%M}",
        "store": store_label(store),
    }


@transaction.atomic
def shift_create(
    *,
    user,
    store: Store,
    employee: Employee,
    business_date: datetime.date,
    starts: datetime.time,
    ends: datetime.time,
    break_minutes: int = 0,
    position: str | None = None,
    note: str = "",
) -> Shift:
    """Add a shift to the store's week of ``business_date`` (a new draft if needed)."""
    ensure_role(user, SCHEDULERS)
    ensure_store_in_scope(user, store)
    employee = _visible_employee(user, employee)
    position = position or employee.position
    if position not in Position.values:
        raise ValidationError({"position": [_("Choose a position.")]})
    start_at, end_at, paid = _shift_times(
        store=store,
        business_date=business_date,
        starts=starts,
        ends=ends,
        break_minutes=break_minutes,
    )
    schedule = schedule_get_or_create(
        user=user, store=store, week_start=times.week_start(business_date)
    )
    schedule = _lock_schedule(schedule)
    shift = Shift(
        schedule=schedule,
        store=store,
        employee=employee,
        business_date=business_date,
        start_at=start_at,
        end_at=end_at,
        break_minutes=break_minutes,
        paid_minutes=paid,
        labor_cost=labor_cost(paid, employee.hourly_rate),
        position=position,
        note=(note or "").strip()[:200],
    )
    if schedule.is_published:
        planned = checks.Planned.of(shift)
        _refuse_new_errors(schedule, {None: [planned]}, [employee.pk])
    shift.save()
    if schedule.is_published:
        _notify_changed(
            schedule,
            [employee.pk],
            lambda: _("New shift: %s") % _describe(shift, store, employee.name),
        )
    return shift


@transaction.atomic
def shift_update(
    *,
    user,
    shift: Shift,
    employee: Employee | None = None,
    business_date: datetime.date | None = None,
    starts: datetime.time | None = None,
    ends: datetime.time | None = None,
    break_minutes: int | None = None,
    position: str | None = None,
    note: str | None = None,
) -> Shift:
    """Change a shift within its week; on a published week, re-checked and notified."""
    ensure_role(user, SCHEDULERS)
    ensure_store_in_scope(user, shift.store_id)
    schedule = _lock_schedule(shift.schedule)
    _refuse_if_swap_accepted(schedule, shift.pk)
    shift = locked(Shift.objects.select_related("store", "employee"), shift.pk)
    store = shift.store
    tz = store.tz
    old = checks.Planned.of(shift)
    old_employee = shift.employee
    if employee is not None and employee.pk != shift.employee_id:
        employee = _visible_employee(user, employee)
    else:
        employee = shift.employee
    business_date = business_date or shift.business_date
    if times.week_start(business_date) != schedule.week_start:
        raise ValidationError(
            {
                "business_date": [
                    _("Move a shift within its week (%(week)s), or add it to the other week.")
                    % {"week": schedule.week_start.isoformat()}
                ]
            }
        )
    starts = starts or times.local(shift.start_at, tz).time()
    ends = ends or times.local(shift.end_at, tz).time()
    break_minutes = shift.break_minutes if break_minutes is None else break_minutes
    start_at, end_at, paid = _shift_times(
        store=store,
        business_date=business_date,
        starts=starts,
        ends=ends,
        break_minutes=break_minutes,
    )
    if position is not None:
        if position not in Position.values:
            raise ValidationError({"position": [_("Choose a position.")]})
        shift.position = position
    if note is not None:
        shift.note = note.strip()[:200]
    shift.employee = employee
    shift.business_date = business_date
    shift.start_at, shift.end_at = start_at, end_at
    shift.break_minutes = break_minutes
    shift.paid_minutes = paid
    shift.labor_cost = labor_cost(paid, employee.hourly_rate)
    shift.updated_at = timezone.now()
    if schedule.is_published:
        new = checks.Planned.of(shift)
        _refuse_new_errors(schedule, {shift.pk: new}, [old.employee_id, employee.pk])
    shift.save()
    if schedule.is_published:
        _notify_changed(
            schedule,
            {old.employee_id, employee.pk},
            lambda: (
                _("Changed: %(old)s → %(new)s")
                % {
                    "old": _describe(old, store, old_employee.name),
                    "new": _describe(shift, store, employee.name),
                }
            ),
        )
    return shift


@transaction.atomic
def shift_delete(*, user, shift: Shift) -> None:
    ensure_role(user, SCHEDULERS)
    ensure_store_in_scope(user, shift.store_id)
    schedule = _lock_schedule(shift.schedule)
    _refuse_if_swap_accepted(schedule, shift.pk)
    shift = locked(Shift.objects.select_related("store", "employee"), shift.pk)
    if schedule.is_published:
        _refuse_new_errors(schedule, {shift.pk: None}, [shift.employee_id])
    store, employee = shift.store, shift.employee
    shift.delete()  # the instance keeps its values for the message
    if schedule.is_published:
        _notify_changed(
            schedule,
            [employee.pk],
            lambda: _("Removed: %s") % _describe(shift, store, employee.name),
        )


@transaction.atomic
def schedule_publish(*, user, schedule: Schedule, now: datetime.datetime | None = None) -> Schedule:
    """Publish a draft week: every check runs; errors refuse it (``PublishRefused``, one
    message per violation) and nothing changes; warnings do not."""
    ensure_role(user, SCHEDULERS)
    ensure_store_in_scope(user, schedule.store_id)
    schedule = _lock_schedule(schedule)
    if schedule.is_published:
        raise _conflict(_("This week is published already."))
    shifts = list(schedule.shifts.select_related("employee__user"))
    if not shifts:
        raise _conflict(_("Add shifts before publishing the week."))
    _lock_people(s.employee_id for s in shifts)
    found = checks.errors(schedule_check(schedule=schedule))
    if found:
        raise PublishRefused(
            found,
            lead=ngettext(
                "The week cannot be published: %(count)d rule is broken.",
                "The week cannot be published: %(count)d rules are broken.",
                len(found),
            )
            % {"count": len(found)},
        )
    schedule.status = Schedule.Status.PUBLISHED
    schedule.published_at = now or timezone.now()
    schedule.published_by = user
    schedule.save(update_fields=["status", "published_at", "published_by"])
    people = {s.employee_id: s.employee for s in shifts}
    notify(
        users=[p.user for p in people.values() if p.user_id],
        title=lambda: (
            _("Your shifts for the week of %(week)s at %(store)s")
            % {"week": schedule.week_start.isoformat(), "store": store_label(schedule.store)}
        ),
        body=gettext_lazy("The week's schedule is published."),
        url=reverse("staff:my_shifts"),
        topic=f"schedule-published:{schedule.pk}",
    )
    return schedule


@transaction.atomic
def schedule_copy_previous(
    *, user, store: Store, week_start: datetime.date
) -> tuple[Schedule, int]:
    """Start a draft week from the week before: the same people at the same store-local
    times (recomputed for this week's clock, so a DST change keeps wall-clock times).
    Shifts of people no longer employed, or at a time this week's clock skips, are left
    out, and so are those of people outside your scope (a loan from a store you do not
    manage: its manager lends them again). Refused for a week that has shifts already.
    Returns (schedule, shifts copied)."""
    ensure_role(user, SCHEDULERS)
    ensure_store_in_scope(user, store)
    _check_week_start(week_start)
    schedule = _lock_schedule(schedule_get_or_create(user=user, store=store, week_start=week_start))
    if schedule.is_published:
        raise _conflict(_("This week is published already."))
    if schedule.shifts.exists():
        raise _conflict(_("This week has shifts already: copy only into an empty week."))
    previous = Schedule.objects.filter(
        store=store, week_start=week_start - datetime.timedelta(days=7)
    ).first()
    if previous is None or not previous.shifts.exists():
        raise _conflict(_("The week before has no shifts to copy."))
    tz = store.tz
    new = []
    shifts = previous.shifts.filter(employee__in=Employee.objects.visible_to(user))
    for shift in shifts.select_related("employee").order_by("start_at", "pk"):
        date = shift.business_date + datetime.timedelta(days=7)
        employee = shift.employee
        if not employee.is_active_on(date):
            continue
        starts = times.local(shift.start_at, tz).time()
        ends = times.local(shift.end_at, tz).time()
        try:
            start_at, end_at, paid = _shift_times(
                store=store,
                business_date=date,
                starts=starts,
                ends=ends,
                break_minutes=shift.break_minutes,
            )
        except ValidationError:
            continue
        new.append(
            Shift(
                schedule=schedule,
                store=store,
                employee=employee,
                business_date=date,
                start_at=start_at,
                end_at=end_at,
                break_minutes=shift.break_minutes,
                paid_minutes=paid,
                labor_cost=labor_cost(paid, employee.hourly_rate),
                position=shift.position,
                note=shift.note,
            )
        )
    Shift.objects.bulk_create(new)
    return schedule, len(new)
