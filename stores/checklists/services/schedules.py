"""Schedules (head office): which stores or regions get a template, when, due when."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from stores.access import ensure_role

from ..models import ChecklistSchedule, ChecklistTemplate
from .templates import TEMPLATE_EDITORS

FIELDS = ("recurrence", "weekdays", "day_of_month", "due_time", "grace_minutes", "allow_late")


def _validate(schedule: ChecklistSchedule, stores, regions) -> None:
    errors = {}
    if schedule.template.kind != ChecklistTemplate.Kind.CHECKLIST:
        errors["template"] = [_("Visit audits are started by regional ops, not scheduled.")]
    weekdays = schedule.weekdays or []
    if not isinstance(weekdays, list) or any(
        not isinstance(d, int) or isinstance(d, bool) or not 0 <= d <= 6 for d in weekdays
    ):
        errors["weekdays"] = [_("Weekdays are numbers from 0 (Monday) to 6 (Sunday).")]
    elif schedule.recurrence == ChecklistSchedule.Recurrence.WEEKDAYS and not weekdays:
        errors["weekdays"] = [_("Choose at least one weekday.")]
    elif schedule.recurrence == ChecklistSchedule.Recurrence.WEEKLY and len(set(weekdays)) != 1:
        errors["weekdays"] = [_("A weekly schedule has exactly one weekday.")]
    if schedule.recurrence == ChecklistSchedule.Recurrence.MONTHLY and not (
        schedule.day_of_month and 1 <= schedule.day_of_month <= 31
    ):
        errors["day_of_month"] = [_("Choose a day of the month from 1 to 31.")]
    if not isinstance(schedule.due_time, datetime.time):
        errors["due_time"] = [_("Enter the due time, such as 09:30.")]
    if not stores and not regions:
        errors["stores"] = [_("Choose at least one store or region.")]
    if errors:
        raise ValidationError(errors)
    schedule.weekdays = sorted(set(weekdays))


@transaction.atomic
def schedule_create(
    *,
    user,
    template: ChecklistTemplate,
    due_time: datetime.time,
    recurrence: str = "daily",
    weekdays: list[int] | None = None,
    day_of_month: int | None = None,
    grace_minutes: int = 0,
    allow_late: bool = True,
    stores=(),
    regions=(),
) -> ChecklistSchedule:
    ensure_role(user, TEMPLATE_EDITORS)
    schedule = ChecklistSchedule(
        template=template,
        recurrence=recurrence,
        weekdays=list(weekdays or []),
        day_of_month=day_of_month,
        due_time=due_time,
        grace_minutes=grace_minutes,
        allow_late=allow_late,
    )
    stores, regions = list(stores), list(regions)
    _validate(schedule, stores, regions)
    schedule.full_clean()
    schedule.save()
    schedule.stores.set(stores)
    schedule.regions.set(regions)
    return schedule


@transaction.atomic
def schedule_update(*, user, schedule: ChecklistSchedule, **changes) -> ChecklistSchedule:
    """Change a schedule; runs already made keep the times they were made with."""
    ensure_role(user, TEMPLATE_EDITORS)
    stores = changes.pop("stores", None)
    regions = changes.pop("regions", None)
    for name, value in changes.items():
        if name not in (*FIELDS, "active"):
            raise ValidationError({name: [_("This field cannot be changed.")]})
        setattr(schedule, name, value)
    new_stores = list(schedule.stores.all()) if stores is None else list(stores)
    new_regions = list(schedule.regions.all()) if regions is None else list(regions)
    _validate(schedule, new_stores, new_regions)
    schedule.full_clean()
    schedule.save()
    if stores is not None:
        schedule.stores.set(new_stores)
    if regions is not None:
        schedule.regions.set(new_regions)
    return schedule
