"""Training: courses (head office), assignments, completions and certifications, and the
daily sweep.

- A course is mandatory for some positions; ``validity_months`` makes a completion a
  certification that expires (empty: it never does).
- Completing an assignment (the person themself, or a manager / head office recording it)
  issues a certification from the completion's store-local date.
- The sweep (celery beat, ``staff.training_sweep``) assigns each mandatory course to every
  active person in those positions who holds no valid certification and has no open
  assignment (due in the course's ``due_days``), assigns the renewal of a certification
  expiring within ``RENEWAL_DAYS`` (due on its expiry), and reminds the person and their
  store's managers of each overdue assignment once per store-local day, for people still
  active that day. The open assignments of a person whose last day (``active_to``) has
  passed by their home store's clock are cancelled, by the sweep and at once when
  ``employee_update`` sets a last day already past. Idempotent: a partial unique index
  allows one open assignment per person and course (the insert skips the rows it refuses
  and returns those it made: only they are counted and notified), and the reminder is
  claimed by an UPDATE … WHERE, so re-runs and concurrent runs add and send nothing twice.
"""

from __future__ import annotations

import calendar
import datetime
import re
import zoneinfo
from collections import defaultdict

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from opsdesk.platform.db import insert_new
from opsdesk.platform.notifications.services import notify
from opsdesk.platform.notifications.texts import overdue_text
from stores.access import ensure_role, ensure_store_in_scope, user_role
from stores.i18n import local_text
from stores.selectors import store_managers

from ..models import Certification, Course, Employee, Position, TrainingAssignment
from ..rules import COURSE_EDITORS, RENEWAL_DAYS, TRAINING_RECORDERS
from .schedules import CONFLICT, locked

A = TrainingAssignment.Status
CODE = re.compile(r"^[-a-zA-Z0-9_]{1,40}$")


def add_months(date: datetime.date, months: int) -> datetime.date:
    month = date.month - 1 + months
    year, month = date.year + month // 12, month % 12 + 1
    return date.replace(
        year=year, month=month, day=min(date.day, calendar.monthrange(year, month)[1])
    )


def _course_fields(data: dict, errors: dict) -> dict:
    clean = {}
    if "code" in data:
        code = (data["code"] or "").strip()
        if not CODE.match(code):
            errors["code"] = [_("A code of letters, digits, - and _ (at most 40).")]
        clean["code"] = code
    for field, limit in (("name", 120), ("name_zh", 120)):
        if field in data:
            value = (data[field] or "").strip()
            if (field == "name" and not value) or len(value) > limit:
                errors[field] = [_("A name of 1 to 120 characters.")]
            clean[field] = value
    if "mandatory_for" in data:
        positions = list(dict.fromkeys(data["mandatory_for"] or []))
        if any(p not in Position.values for p in positions):
            errors["mandatory_for"] = [_("Choose positions from the list.")]
        clean["mandatory_for"] = positions
    if "validity_months" in data:
        months = data["validity_months"]
        if months is not None and (not isinstance(months, int) or not 1 <= months <= 120):
            errors["validity_months"] = [_("From 1 to 120 months, or empty (never expires).")]
        clean["validity_months"] = months
    if "due_days" in data:
        days = data["due_days"]
        if not isinstance(days, int) or not 1 <= days <= 365:
            errors["due_days"] = [_("From 1 to 365 days.")]
        clean["due_days"] = days
    if "active" in data:
        clean["active"] = bool(data["active"])
    return clean


@transaction.atomic
def course_create(
    *,
    user,
    code: str,
    name: str,
    name_zh: str = "",
    mandatory_for: list[str] | None = None,
    validity_months: int | None = None,
    due_days: int = 30,
    active: bool = True,
) -> Course:
    ensure_role(user, COURSE_EDITORS)
    errors: dict[str, list[str]] = {}
    clean = _course_fields(
        {
            "code": code,
            "name": name,
            "name_zh": name_zh,
            "mandatory_for": mandatory_for or [],
            "validity_months": validity_months,
            "due_days": due_days,
            "active": active,
        },
        errors,
    )
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            return Course.objects.create(**clean)
    except IntegrityError:
        raise ValidationError(
            {"code": [ValidationError(_("This code is taken."), code=CONFLICT)]}
        ) from None


@transaction.atomic
def course_update(*, user, course: Course, **changes) -> Course:
    ensure_role(user, COURSE_EDITORS)
    course = locked(Course.objects.all(), course.pk)
    changes.pop("code", None)  # the code names the course in exports: it stays
    errors: dict[str, list[str]] = {}
    clean = _course_fields(changes, errors)
    if errors:
        raise ValidationError(errors)
    for field, value in clean.items():
        setattr(course, field, value)
    course.save()
    return course


@transaction.atomic
def assignment_create(
    *, user, employee: Employee, course: Course, due_date: datetime.date
) -> TrainingAssignment:
    """Assign a course to a person (one open assignment per person and course)."""
    ensure_role(user, TRAINING_RECORDERS)
    ensure_store_in_scope(user, employee.home_store_id)
    if not course.active:
        raise ValidationError({"course": [_("This course is no longer active.")]})
    if due_date < employee.home_store.business_date():
        raise ValidationError({"due_date": [_("A due date from today on.")]})
    try:
        with transaction.atomic():
            return TrainingAssignment.objects.create(
                employee=employee, course=course, due_date=due_date, reason="manual"
            )
    except IntegrityError:
        raise ValidationError(
            _("%(name)s has this course to do already.") % {"name": employee.name},
            code=CONFLICT,
        ) from None


@transaction.atomic
def assignment_complete(
    *, user, assignment: TrainingAssignment, now: datetime.datetime | None = None
) -> TrainingAssignment:
    """Mark a course done: by the person themself, or recorded by a manager / head office
    for someone in scope. Issues the certification (expiring after the course's validity)."""
    now = now or timezone.now()
    ensure_store_in_scope(user, assignment.employee.home_store_id)
    assignment = locked(
        TrainingAssignment.objects.select_related("employee__home_store", "course"),
        assignment.pk,
    )
    own = assignment.employee.user_id is not None and assignment.employee.user_id == user.pk
    if not own and user_role(user) not in TRAINING_RECORDERS:
        raise PermissionDenied(_("Only the person or their manager may record this."))
    if assignment.status != A.ASSIGNED:
        raise ValidationError(_("This course is not waiting to be done."), code=CONFLICT)
    assignment.status = A.COMPLETED
    assignment.completed_at = now
    assignment.recorded_by = user
    assignment.save(update_fields=["status", "completed_at", "recorded_by"])
    issued = assignment.employee.home_store.business_date(now)
    months = assignment.course.validity_months
    Certification.objects.create(
        employee=assignment.employee,
        course=assignment.course,
        assignment=assignment,
        issued_on=issued,
        expires_on=add_months(issued, months) if months else None,
    )
    return assignment


def training_sweep(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Cancel the leavers' assignments; assign mandatory courses and renewals; remind
    overdue ones. See the module doc."""
    now = now or timezone.now()
    cancelled = assignments_cancel_for_leavers(now=now)
    assigned = _assign_mandatory(now)
    reminded = _remind_overdue(now)
    return {"cancelled": cancelled, "assigned": assigned, "reminded": reminded}


def assignments_cancel_for_leavers(
    *, now: datetime.datetime | None = None, employee_ids: list[int] | None = None
) -> int:
    """Cancel the open assignments of the people (all, or ``employee_ids``) whose last
    day (``active_to``) is before their home store's local date at ``now``: they will not
    do them. Returns how many. Two queries (the candidates, one UPDATE)."""
    now = now or timezone.now()
    # No store's local date is later than UTC + 14 h: a cheap bound before the exact one.
    candidates = TrainingAssignment.objects.filter(
        status=A.ASSIGNED, employee__active_to__lt=(now + datetime.timedelta(hours=14)).date()
    )
    if employee_ids is not None:
        candidates = candidates.filter(employee_id__in=employee_ids)
    gone = [
        pk
        for pk, last_day, zone in candidates.values_list(
            "pk", "employee__active_to", "employee__home_store__time_zone"
        )
        if last_day < now.astimezone(zoneinfo.ZoneInfo(zone)).date()
    ]
    if not gone:
        return 0
    return TrainingAssignment.objects.filter(pk__in=gone, status=A.ASSIGNED).update(
        status=A.CANCELLED
    )


def _assign_mandatory(now: datetime.datetime) -> int:
    courses = [c for c in Course.objects.filter(active=True) if c.mandatory_for]
    if not courses:
        return 0
    positions = {p for c in courses for p in c.mandatory_for}
    people = list(
        Employee.objects.filter(position__in=positions)
        .filter(
            Q(active_to__isnull=True) | Q(active_to__gte=(now - datetime.timedelta(days=1)).date())
        )
        .select_related("home_store")
    )
    ids = [p.pk for p in people]
    open_pairs = set(
        TrainingAssignment.objects.filter(employee_id__in=ids, status=A.ASSIGNED).values_list(
            "employee_id", "course_id"
        )
    )
    latest: dict[tuple[int, int], Certification] = {}
    for cert in Certification.objects.filter(employee_id__in=ids).order_by("issued_on", "pk"):
        latest[(cert.employee_id, cert.course_id)] = cert
    new = []
    for person in people:
        today = person.home_store.business_date(now)
        if not person.is_active_on(today):
            continue
        for course in courses:
            if person.position not in course.mandatory_for:
                continue
            if (person.pk, course.pk) in open_pairs:
                continue
            cert = latest.get((person.pk, course.pk))
            if cert is None:
                due, reason = today + datetime.timedelta(days=course.due_days), "mandatory"
            elif cert.expires_on is None:
                continue
            elif cert.expires_on <= today + datetime.timedelta(days=RENEWAL_DAYS):
                due, reason = max(cert.expires_on, today), "renewal"
            else:
                continue
            new.append(
                TrainingAssignment(
                    employee=person, course=course, due_date=due, reason=reason, assigned_at=now
                )
            )
    # The partial unique index keeps one open assignment per person and course: a
    # concurrent sweep's rows win, ours are skipped, and only the rows this run inserted
    # are counted and notified (the other run notifies its own).
    created = insert_new(TrainingAssignment, new, key=("employee", "course"))
    _notify_assigned(created)
    return len(created)


def _notify_assigned(new: list[TrainingAssignment]) -> None:
    by_person = defaultdict(list)
    for assignment in new:
        by_person[assignment.employee].append(assignment)
    for person, assignments in by_person.items():
        if person.user_id is not None:
            _notify_person_assigned(person, sorted(assignments, key=lambda a: a.due_date))


def _notify_person_assigned(person: Employee, assignments: list[TrainingAssignment]) -> None:
    notify(
        users=[person.user],
        title=lambda: (
            ngettext(
                "%(count)d training course to complete",
                "%(count)d training courses to complete",
                len(assignments),
            )
            % {"count": len(assignments)}
        ),
        body=lambda: "\n".join(
            f"{local_text(a.course, 'name')} · {a.due_date.isoformat()}" for a in assignments
        ),
        url=reverse("staff:my_shifts") + "#training",
        topic=f"training-assigned:{person.pk}:{assignments[0].assigned_at:%Y-%m-%d}",
    )


def _remind_overdue(now: datetime.datetime) -> int:
    latest_local = (now + datetime.timedelta(hours=14)).date()
    candidates = list(
        TrainingAssignment.objects.filter(status=A.ASSIGNED, due_date__lt=latest_local)
        .select_related("employee__home_store", "employee__user", "course")
        .order_by("pk")
    )
    overdue = []
    for assignment in candidates:
        today = assignment.employee.home_store.business_date(now)
        if not assignment.employee.is_active_on(today):
            continue  # gone (or not started yet): nobody to remind
        if assignment.due_date < today and assignment.overdue_notified_on != today:
            overdue.append((assignment, today))
    if not overdue:
        return 0
    managers = store_managers({a.employee.home_store_id for a, _t in overdue})
    sent = 0
    for assignment, today in overdue:
        with transaction.atomic():
            claimed = (
                TrainingAssignment.objects.filter(pk=assignment.pk, status=A.ASSIGNED)
                .exclude(overdue_notified_on=today)
                .update(overdue_notified_on=today)
            )
            if not claimed:
                continue
            person = assignment.employee
            _notify_overdue(assignment, today, [person.user, *managers[person.home_store_id]])
            sent += 1
    return sent


def _notify_overdue(assignment: TrainingAssignment, today: datetime.date, users: list) -> None:
    notify(
        users=users,
        title=lambda: (
            _("Training overdue: %(name)s, %(course)s")
            % {"name": assignment.employee.name, "course": local_text(assignment.course, "name")}
        ),
        body=lambda: overdue_text(assignment.due_date, today),
        url=reverse("staff:assignment_list") + "?overdue=true",
        topic=f"training-overdue:{assignment.pk}:{today.isoformat()}",
    )
