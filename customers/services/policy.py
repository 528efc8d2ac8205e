"""The SLA policy: head office's targets per severity (and per category), with the
defaults of ``rules.DEFAULT_TARGETS`` for a severity that has no row of its own."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from stores.access import ensure_role

from ..models import Category, Severity, SlaTarget
from ..rules import DEFAULT_TARGETS, MAX_TARGET_MINUTES, MIN_TARGET_MINUTES, POLICY_SETTERS


def sla_target_for(severity: str, category: str) -> tuple[int, int]:
    """(first response, resolution) minutes for a new complaint: the category's override
    for its severity, else the severity's target, else the built-in default. One query."""
    rows = {
        row.category: row
        for row in SlaTarget.objects.filter(severity=severity, category__in=[category, ""])
    }
    row = rows.get(category) or rows.get("")
    if row is not None:
        return row.first_response_minutes, row.resolution_minutes
    return DEFAULT_TARGETS[severity]


def _check_minutes(value, field: str, errors: dict) -> None:
    if not isinstance(value, int) or isinstance(value, bool):
        errors[field] = [_("Enter a whole number of minutes.")]
    elif not MIN_TARGET_MINUTES <= value <= MAX_TARGET_MINUTES:
        errors[field] = [
            _("Enter between %(low)d and %(high)d minutes.")
            % {"low": MIN_TARGET_MINUTES, "high": MAX_TARGET_MINUTES}
        ]


@transaction.atomic
def sla_target_set(
    *,
    user,
    severity: str,
    category: str = "",
    first_response_minutes: int,
    resolution_minutes: int,
) -> SlaTarget:
    """Set (create or change) the target of a severity, or of a severity in a category.
    Only complaints logged from now on get it: existing ones keep their due times."""
    ensure_role(user, POLICY_SETTERS)
    errors: dict = {}
    if severity not in Severity.values:
        errors["severity"] = [_("Choose a severity.")]
    if category not in ("", *Category.values):
        errors["category"] = [_("Choose a category, or none for every category.")]
    _check_minutes(first_response_minutes, "first_response_minutes", errors)
    _check_minutes(resolution_minutes, "resolution_minutes", errors)
    if not errors and resolution_minutes < first_response_minutes:
        errors["resolution_minutes"] = [
            _("The resolution target cannot be shorter than the first response target.")
        ]
    if errors:
        raise ValidationError(errors)
    target, _created = SlaTarget.objects.select_for_update().update_or_create(
        severity=severity,
        category=category,
        defaults={
            "first_response_minutes": first_response_minutes,
            "resolution_minutes": resolution_minutes,
            "updated_by": user,
        },
    )
    return target


@transaction.atomic
def sla_target_delete(*, user, target: SlaTarget) -> None:
    """Remove a target: a category override falls back to its severity's target, a
    severity's target to the built-in default."""
    ensure_role(user, POLICY_SETTERS)
    SlaTarget.objects.filter(pk=target.pk).delete()
