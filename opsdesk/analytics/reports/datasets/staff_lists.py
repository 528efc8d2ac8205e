"""The exports of the staff lists."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from staff import filters as staff_filters
from staff import selectors as staff_selectors

from .base import (
    BOOL,
    CHOICES,
    DATE,
    DATETIME,
    NUMBER,
    Column,
    register,
)
from .querysets import queryset_dataset

register(
    queryset_dataset(
        "shifts",
        _("Shifts"),
        selector=staff_selectors.shift_list,
        filterset=staff_filters.ShiftFilterSet,
        list_route="staff:shift_list",
        fields=[
            ("business_date", Column(_("Business date"), DATE)),
            ("store__code", Column(_("Store"))),
            ("employee__name", Column(_("Employee"))),
            ("position", Column(_("Position"), convert=CHOICES)),
            ("start_at", Column(_("Starts"), DATETIME)),
            ("end_at", Column(_("Ends"), DATETIME)),
            ("break_minutes", Column(_("Unpaid break (minutes)"), NUMBER)),
            ("paid_minutes", Column(_("Paid minutes"), NUMBER)),
            (
                "schedule__status",
                Column(_("Week status"), convert=CHOICES),
            ),
        ],
    )
)

register(
    queryset_dataset(
        "training_assignments",
        _("Training assignments"),
        selector=staff_selectors.assignment_list,
        filterset=staff_filters.TrainingAssignmentFilterSet,
        list_route="staff:assignment_list",
        fields=[
            ("employee__home_store__code", Column(_("Store"))),
            ("employee__name", Column(_("Employee"))),
            ("course__code", Column(_("Course"))),
            ("course__name", Column(_("Course name"))),
            (
                "status",
                Column(_("Status"), convert=CHOICES),
            ),
            ("due_date", Column(_("Due date"), DATE)),
            ("completed_at", Column(_("Completed at"), DATETIME)),
            ("overdue", Column(_("Overdue"), BOOL)),
        ],
    )
)
