"""People: add and change employees, their weekly availability and leave; a store's
minimum staffing. Store managers for their stores, head office for all."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from stores.access import ensure_role, ensure_store_in_scope
from stores.models import Store, StoreAssignment

from ..models import Availability, ContractType, Employee, Leave, Position, StaffingRule
from ..rules import PEOPLE_EDITORS, SCHEDULERS, STAFFING_RULE_SETTERS
from .schedules import locked
from .training import assignments_cancel_for_leavers

MAX_LEAVE_DAYS = 366


def _decimal(value, field: str, low: Decimal, high: Decimal, errors: dict, message: str):
    try:
        number = Decimal(str(value))
        if not number.is_finite() or not low <= number <= high:
            raise InvalidOperation
        if number != number.quantize(Decimal("0.01")):
            raise InvalidOperation
    except (InvalidOperation, TypeError, ValueError):
        errors[field] = [message]
        return None
    return number.quantize(Decimal("0.01"))


def _validate(data: dict, errors: dict) -> dict:
    clean = {}
    if "name" in data:
        name = (data["name"] or "").strip()
        if not name or len(name) > 100:
            errors["name"] = [_("A name of 1 to 100 characters.")]
        clean["name"] = name
    if "position" in data:
        if data["position"] not in Position.values:
            errors["position"] = [_("Choose a position.")]
        clean["position"] = data["position"]
    if "contract_type" in data:
        if data["contract_type"] not in ContractType.values:
            errors["contract_type"] = [_("Choose a contract type.")]
        clean["contract_type"] = data["contract_type"]
    if "weekly_hours_max" in data:
        clean["weekly_hours_max"] = _decimal(
            data["weekly_hours_max"],
            "weekly_hours_max",
            Decimal("1"),
            Decimal("80"),
            errors,
            _("A weekly limit of 1 to 80 hours, at most 2 decimals."),
        )
    if "hourly_rate" in data:
        clean["hourly_rate"] = _decimal(
            data["hourly_rate"],
            "hourly_rate",
            Decimal("0"),
            Decimal("9999999"),
            errors,
            _("An hourly cost of 0 or more, at most 2 decimals."),
        )
    for field in ("active_from", "active_to"):
        if field in data:
            value = data[field]
            if value is not None and not isinstance(value, datetime.date):
                errors[field] = [_("Enter a date as YYYY-MM-DD.")]
            clean[field] = value
    return clean


def _link_user(user, store: Store, account, errors: dict, employee: Employee | None = None):
    """An account may be linked when it works at the store (assigned to it)."""
    if account is None:
        return None
    if not StoreAssignment.objects.filter(user=account, store=store).exists():
        errors["user"] = [_("This account is not assigned to %(store)s.") % {"store": store.code}]
        return None
    taken = Employee.objects.filter(user=account)
    if employee is not None:
        taken = taken.exclude(pk=employee.pk)
    if taken.exists():
        errors["user"] = [_("This account is linked to another employee already.")]
    return account


@transaction.atomic
def employee_create(
    *,
    user,
    home_store: Store,
    name: str,
    position: str,
    weekly_hours_max,
    hourly_rate,
    active_from: datetime.date | None = None,
    active_to: datetime.date | None = None,
    contract_type: str = ContractType.FULL_TIME,
    account=None,
) -> Employee:
    ensure_role(user, PEOPLE_EDITORS)
    ensure_store_in_scope(user, home_store)
    errors: dict[str, list[str]] = {}
    clean = _validate(
        {
            "name": name,
            "position": position,
            "contract_type": contract_type,
            "weekly_hours_max": weekly_hours_max,
            "hourly_rate": hourly_rate,
            "active_from": active_from or home_store.business_date(),
            "active_to": active_to,
        },
        errors,
    )
    if (
        clean.get("active_to")
        and clean.get("active_from")
        and clean["active_to"] < clean["active_from"]
    ):
        errors["active_to"] = [_("The last day is on or after the first.")]
    account = _link_user(user, home_store, account, errors)
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            return Employee.objects.create(home_store=home_store, user=account, **clean)
    except IntegrityError:
        raise ValidationError(
            {"user": [_("This account is linked to another employee already.")]}
        ) from None


@transaction.atomic
def employee_update(*, user, employee: Employee, **changes) -> Employee:
    """Change name, position, contract, limits, cost, dates; ``account`` links a user.
    A last day (``active_to``) already past cancels the person's open training."""
    ensure_role(user, PEOPLE_EDITORS)
    ensure_store_in_scope(user, employee.home_store_id)
    employee = locked(Employee.objects.all(), employee.pk)
    errors: dict[str, list[str]] = {}
    account_given = "account" in changes
    account = changes.pop("account", None)
    unknown = set(changes) - {
        "name",
        "position",
        "contract_type",
        "weekly_hours_max",
        "hourly_rate",
        "active_from",
        "active_to",
    }
    if unknown:
        raise ValueError(f"unknown fields: {sorted(unknown)}")
    clean = _validate(changes, errors)
    first = clean.get("active_from", employee.active_from)
    last = clean.get("active_to", employee.active_to)
    if first is None:
        errors["active_from"] = [_("Enter a date as YYYY-MM-DD.")]
    elif last is not None and isinstance(last, datetime.date) and last < first:
        errors["active_to"] = [_("The last day is on or after the first.")]
    if account_given:
        account = _link_user(user, employee.home_store, account, errors, employee)
    if errors:
        raise ValidationError(errors)
    for field, value in clean.items():
        setattr(employee, field, value)
    if account_given:
        employee.user = account
    employee.save()
    if employee.active_to is not None:
        assignments_cancel_for_leavers(employee_ids=[employee.pk])
    return employee


def _check_ranges(ranges) -> list[tuple[int, datetime.time, datetime.time]]:
    clean = []
    for index, item in enumerate(ranges):
        try:
            weekday, starts, ends = item
        except (TypeError, ValueError):
            raise ValidationError(
                {"ranges": [_("Range %(n)s: a weekday, a start and an end.") % {"n": index + 1}]}
            ) from None
        if weekday not in range(7) or not isinstance(starts, datetime.time):
            raise ValidationError(
                {"ranges": [_("Range %(n)s: a weekday, a start and an end.") % {"n": index + 1}]}
            )
        if not isinstance(ends, datetime.time):
            raise ValidationError(
                {"ranges": [_("Range %(n)s: a weekday, a start and an end.") % {"n": index + 1}]}
            )
        clean.append(
            (
                weekday,
                starts.replace(second=0, microsecond=0),
                ends.replace(second=0, microsecond=0),
            )
        )
    if len(clean) > 50:
        raise ValidationError({"ranges": [_("At most 50 ranges.")]})
    return clean


@transaction.atomic
def availability_set(*, user, employee: Employee, ranges) -> list[Availability]:
    """Replace the person's weekly availability: ``[(weekday, starts, ends), ...]`` (an
    end at or before the start runs past midnight; none at all: available any time)."""
    ensure_role(user, SCHEDULERS)
    ensure_store_in_scope(user, employee.home_store_id)
    clean = _check_ranges(ranges)
    Employee.objects.select_for_update().filter(pk=employee.pk).first()
    Availability.objects.filter(employee=employee).delete()
    return Availability.objects.bulk_create(
        Availability(employee=employee, weekday=w, starts=s, ends=e) for w, s, e in sorted(clean)
    )


@transaction.atomic
def leave_add(
    *, user, employee: Employee, start_date: datetime.date, end_date: datetime.date, reason=""
) -> Leave:
    ensure_role(user, SCHEDULERS)
    ensure_store_in_scope(user, employee.home_store_id)
    if end_date < start_date:
        raise ValidationError({"end_date": [_("The last day is on or after the first.")]})
    if (end_date - start_date).days + 1 > MAX_LEAVE_DAYS:
        raise ValidationError(
            {"end_date": [_("At most %(days)s days at once.") % {"days": MAX_LEAVE_DAYS}]}
        )
    return Leave.objects.create(
        employee=employee,
        start_date=start_date,
        end_date=end_date,
        reason=(reason or "").strip()[:200],
    )


@transaction.atomic
def leave_delete(*, user, leave: Leave) -> None:
    ensure_role(user, SCHEDULERS)
    ensure_store_in_scope(user, leave.employee.home_store_id)
    leave.delete()


@transaction.atomic
def staffing_rule_set(
    *, user, store: Store, weekday: int | None, min_staff: int | None
) -> StaffingRule | None:
    """At least ``min_staff`` people on shift during the store's opening hours on
    ``weekday`` (None: every day without a rule of its own); ``min_staff`` None removes
    the rule."""
    ensure_role(user, STAFFING_RULE_SETTERS)
    ensure_store_in_scope(user, store)
    if weekday is not None and weekday not in range(7):
        raise ValidationError({"weekday": [_("Choose a weekday.")]})
    rules = StaffingRule.objects.select_for_update().filter(store=store, weekday=weekday)
    if min_staff is None:
        rules.delete()
        return None
    if not isinstance(min_staff, int) or not 1 <= min_staff <= 50:
        raise ValidationError({"min_staff": [_("Between 1 and 50 people.")]})
    rule = rules.first()
    if rule is None:
        rule = StaffingRule(store=store, weekday=weekday)
    rule.min_staff = min_staff
    rule.updated_at = timezone.now()
    rule.updated_by = user if user.is_authenticated else None
    try:
        with transaction.atomic():
            rule.save()
    except IntegrityError:  # set at the same moment by someone else: theirs stays
        raise ValidationError(
            _("The rule was changed at the same moment; try again."), code="conflict"
        ) from None
    return rule
