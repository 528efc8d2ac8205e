"""Swap requests: a person hands one of their published, future shifts to a named colleague
or to anyone of the store (open); the colleague accepts; a store manager (or head office)
approves, which runs the checks again with the shift moved and refuses the approval when
that adds an error, or refuses it.

pending --accept--> accepted --approve--> approved
   |  \\--decline (the named colleague)--> declined
   \\--cancel (the asker; also once accepted)--> cancelled;  pending/accepted --refuse--> refused

Concurrency: an approval locks the shift's week first (like every schedule write), then
the request row, the shift and the two people (by pk), so two approvals of one request, or
of two requests that together would break a rule for one person, cannot both win: the
second sees the first's result. A change or deletion of the shift takes the same order
(week, the shift's requests, shift), so it waits for an approval, or the approval for it,
and the two cannot deadlock.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from opsdesk.platform.notifications.services import notify
from stores.access import ensure_role, ensure_store_in_scope
from stores.i18n import store_label
from stores.selectors import store_managers

from .. import checks, times
from ..models import Employee, Schedule, Shift, SwapRequest
from ..rules import SWAP_APPROVERS
from .schedules import (
    CONFLICT,
    PublishRefused,
    _lock_people,
    _lock_schedule,
    labor_cost,
    locked,
    schedule_check,
)

S = SwapRequest.Status


def _conflict(message: str) -> ValidationError:
    return ValidationError(message, code=CONFLICT)


def employee_of(user) -> Employee | None:
    """The person record of a signed-in user (None when there is none)."""
    if user is None or not user.is_authenticated:
        return None
    return Employee.objects.filter(user=user).select_related("home_store").first()


def _when(shift: Shift) -> str:
    tz = shift.store.tz
    return _("%(date)s %(start)s–%(end)s at %(store)s") % {
        "date": shift.business_date.isoformat(),
        "start": f"{times.local(shift.start_at, tz):%H:%M}",
        "end": f"{times.local(shift.end_at, tz):%H:%M}",
        "store": store_label(shift.store),
    }


def _users(*employees) -> list:
    return [e.user for e in employees if e is not None and e.user_id]


@transaction.atomic
def swap_request_create(
    *,
    user,
    shift: Shift,
    to_employee: Employee | None = None,
    note: str = "",
    now: datetime.datetime | None = None,
) -> SwapRequest:
    """The shift's own person asks to hand it over (to ``to_employee``, or open)."""
    now = now or timezone.now()
    me = employee_of(user)
    shift = locked(Shift.objects.select_related("store", "schedule"), shift.pk)
    if me is None or shift.employee_id != me.pk:
        raise PermissionDenied(_("Only the person on the shift may ask to swap it."))
    if shift.schedule.status != Schedule.Status.PUBLISHED:
        raise _conflict(_("Only a shift of a published week can be swapped."))
    if shift.start_at <= now:
        raise _conflict(_("This shift has started already."))
    if to_employee is not None:
        if to_employee.pk == me.pk:
            raise ValidationError({"to_employee": [_("Choose a colleague, not yourself.")]})
        if to_employee.home_store_id != shift.store_id or not to_employee.is_active_on(
            shift.business_date
        ):
            raise ValidationError(
                {
                    "to_employee": [
                        _("Choose a colleague of %(store)s.") % {"store": shift.store.code}
                    ]
                }
            )
    try:
        with transaction.atomic():
            swap = SwapRequest.objects.create(
                shift=shift,
                from_employee=me,
                to_employee=to_employee,
                note=(note or "").strip()[:300],
                created_at=now,
            )
    except IntegrityError:
        raise _conflict(_("This shift already has an open swap request.")) from None
    if to_employee is not None:
        recipients = _users(to_employee)
    else:
        recipients = [
            e.user
            for e in Employee.objects.filter(home_store=shift.store, user__isnull=False)
            .exclude(pk=me.pk)
            .select_related("user")
            if e.is_active_on(shift.business_date)
        ]
    notify(
        users=recipients,
        title=lambda: _("%(name)s asks you to take a shift") % {"name": me.name},
        body=lambda: _when(shift),
        url=reverse("staff:swap_list"),
        topic=f"swap-asked:{swap.pk}",
    )
    return swap


def _locked(swap: SwapRequest) -> SwapRequest:
    return locked(
        SwapRequest.objects.select_related(
            "shift__store", "from_employee__user", "to_employee__user"
        ),
        swap.pk,
    )


def swap_errors(shift: Shift, *, to_employee_id: int, schedule=None) -> list:
    """The rule errors that giving ``shift`` to ``to_employee_id`` would add to its week
    (a read: what accepting and approving a swap check)."""
    schedule = schedule or shift.schedule
    moved = checks.Planned.of(shift, employee_id=to_employee_id)
    before = schedule_check(schedule=schedule)
    after = schedule_check(schedule=schedule, changes={shift.pk: moved})
    return checks.new_errors(before, after)


@transaction.atomic
def swap_accept(*, user, swap: SwapRequest, now: datetime.datetime | None = None) -> SwapRequest:
    """The named colleague (or, for an open request, any colleague of the store) takes
    the shift on; the store's managers are asked to approve."""
    now = now or timezone.now()
    me = employee_of(user)
    swap = _locked(swap)
    if swap.status != S.PENDING:
        raise _conflict(_("This request is no longer waiting for a colleague."))
    shift = swap.shift
    if me is None or me.pk == swap.from_employee_id:
        raise PermissionDenied(_("Only the colleague asked may accept."))
    if swap.to_employee_id is not None and swap.to_employee_id != me.pk:
        raise PermissionDenied(_("Only the colleague asked may accept."))
    if me.home_store_id != shift.store_id or not me.is_active_on(shift.business_date):
        raise PermissionDenied(_("Only a colleague of the store may accept."))
    if shift.start_at <= now:
        raise _conflict(_("This shift has started already."))
    # Refused at once when taking the shift would break a rule for this colleague (an
    # overlap with their own shift, rest, weekly hours, leave): the manager's approval
    # would refuse it anyway, after the asker had been told it was taken.
    added = swap_errors(shift, to_employee_id=me.pk)
    if added:
        raise PublishRefused(
            added, lead=_("You cannot take this shift: it would break a rule for you.")
        )
    swap.to_employee = me
    swap.status = S.ACCEPTED
    swap.accepted_at = now
    swap.save(update_fields=["to_employee", "status", "accepted_at"])
    notify(
        users=[*store_managers([shift.store_id])[shift.store_id], *_users(swap.from_employee)],
        title=lambda: (
            _("Swap to approve: %(from)s → %(to)s")
            % {"from": swap.from_employee.name, "to": me.name}
        ),
        body=lambda: _when(shift),
        url=reverse("staff:swap_list"),
        topic=f"swap-accepted:{swap.pk}",
    )
    return swap


@transaction.atomic
def swap_decline(*, user, swap: SwapRequest) -> SwapRequest:
    me = employee_of(user)
    swap = _locked(swap)
    if swap.to_employee_id is None or me is None or swap.to_employee_id != me.pk:
        raise PermissionDenied(_("Only the colleague asked may decline."))
    if swap.status != S.PENDING:
        raise _conflict(_("This request is no longer waiting for a colleague."))
    swap.status = S.DECLINED
    swap.decided_at = timezone.now()
    swap.save(update_fields=["status", "decided_at"])
    notify(
        users=_users(swap.from_employee),
        title=lambda: _("%(name)s declined your swap") % {"name": me.name},
        body=lambda: _when(swap.shift),
        url=reverse("staff:swap_list"),
        topic=f"swap-declined:{swap.pk}",
    )
    return swap


@transaction.atomic
def swap_cancel(*, user, swap: SwapRequest) -> SwapRequest:
    me = employee_of(user)
    swap = _locked(swap)
    if me is None or swap.from_employee_id != me.pk:
        raise PermissionDenied(_("Only the person who asked may cancel."))
    if not swap.is_open:
        raise _conflict(_("This request is decided already."))
    swap.status = S.CANCELLED
    swap.decided_at = timezone.now()
    swap.save(update_fields=["status", "decided_at"])
    return swap


@transaction.atomic
def swap_refuse(*, user, swap: SwapRequest, reason: str = "") -> SwapRequest:
    ensure_role(user, SWAP_APPROVERS)
    ensure_store_in_scope(user, swap.shift.store_id)
    swap = _locked(swap)
    if not swap.is_open:
        raise _conflict(_("This request is decided already."))
    swap.status = S.REFUSED
    swap.decided_at = timezone.now()
    swap.decided_by = user
    swap.reason = (reason or "").strip()[:500]
    swap.save(update_fields=["status", "decided_at", "decided_by", "reason"])
    notify(
        users=_users(swap.from_employee, swap.to_employee),
        title=lambda: _("Swap refused: %(when)s") % {"when": _when(swap.shift)},
        body=swap.reason,
        url=reverse("staff:swap_list"),
        topic=f"swap-refused:{swap.pk}",
    )
    return swap


@transaction.atomic
def swap_approve(*, user, swap: SwapRequest, now: datetime.datetime | None = None) -> SwapRequest:
    """Move the shift to the colleague. The checks run again for the week with the shift
    moved; an added error refuses the approval (``PublishRefused``) and nothing changes."""
    now = now or timezone.now()
    ensure_role(user, SWAP_APPROVERS)
    ensure_store_in_scope(user, swap.shift.store_id)
    schedule = _lock_schedule(swap.shift.schedule)  # the week first, as every schedule write
    swap = _locked(swap)
    if swap.status != S.ACCEPTED:
        if swap.status == S.PENDING:
            raise _conflict(_("No colleague has accepted this request yet."))
        raise _conflict(_("This request is decided already."))
    shift = locked(Shift.objects.select_related("store"), swap.shift_id)
    if shift.employee_id != swap.from_employee_id:
        raise _conflict(_("The shift has been given to someone else since."))
    if shift.start_at <= now:
        raise _conflict(_("This shift has started already."))
    _lock_people([swap.from_employee_id, swap.to_employee_id])
    added = swap_errors(shift, to_employee_id=swap.to_employee_id, schedule=schedule)
    if added:
        raise PublishRefused(
            added,
            lead=_("The swap would break a rule for %(name)s.") % {"name": swap.to_employee.name},
        )
    to_employee = Employee.objects.get(pk=swap.to_employee_id)
    shift.employee = to_employee
    shift.labor_cost = labor_cost(shift.paid_minutes, to_employee.hourly_rate)
    shift.updated_at = now
    shift.save(update_fields=["employee", "labor_cost", "updated_at"])
    swap.status = S.APPROVED
    swap.decided_at = now
    swap.decided_by = user
    swap.save(update_fields=["status", "decided_at", "decided_by"])
    notify(
        users=_users(swap.from_employee, swap.to_employee),
        title=lambda: _("Swap approved: %(when)s") % {"when": _when(shift)},
        body=lambda: (
            _("%(from)s → %(to)s") % {"from": swap.from_employee.name, "to": to_employee.name}
        ),
        url=reverse("staff:my_shifts"),
        topic=f"swap-approved:{swap.pk}",
    )
    return swap
