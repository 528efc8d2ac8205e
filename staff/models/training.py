"""Training courses, assignments and certifications."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from stores.access import (
    ChainWideQuerySet,
    ScopedQuerySet,
)

from .people import Employee, _StoreStaffNarrowed


class TrainingAssignmentQuerySet(_StoreStaffNarrowed):
    """Store staff see their own training."""

    store_path = "employee__home_store"

    def for_store_staff(self, user) -> Q:
        return Q(employee__user=user)


class Course(models.Model):
    """A training course (chain-wide; head office configures them)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    name_zh = models.CharField(_("name (Chinese)"), max_length=120, blank=True)
    mandatory_for = models.JSONField(
        _("mandatory for positions"),
        default=list,
        blank=True,
        help_text=_("Positions that must hold it; new people in them are assigned it."),
    )
    validity_months = models.PositiveSmallIntegerField(
        _("valid for (months)"),
        null=True,
        blank=True,
        help_text=_("Empty: a completion never expires."),
    )
    due_days = models.PositiveSmallIntegerField(
        _("days to complete"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )
    active = models.BooleanField(_("active"), default=True)

    objects = ChainWideQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("training course")
        verbose_name_plural = _("training courses")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class TrainingAssignment(models.Model):
    """A course a person must complete by ``due_date``."""

    class Status(models.TextChoices):
        ASSIGNED = "assigned", _("To do")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", pgettext_lazy("training assignment", "Cancelled")

    employee = models.ForeignKey(
        Employee, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("employee")
    )
    course = models.ForeignKey(
        Course, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("course")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ASSIGNED
    )
    assigned_at = models.DateTimeField(_("assigned at"), default=timezone.now)
    due_date = models.DateField(_("due date"))
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    # Why it was assigned: "mandatory" (new person), "renewal" (expiring certificate) or
    # "manual" (a manager or head office).
    reason = models.CharField(_("reason"), max_length=12, default="manual")
    overdue_notified_on = models.DateField(_("overdue reminder sent"), null=True, blank=True)

    objects = TrainingAssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["due_date", "pk"]
        verbose_name = _("training assignment")
        verbose_name_plural = _("training assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["employee", "course"],
                condition=Q(status="assigned"),
                name="one_open_assignment",
            ),
            models.CheckConstraint(
                condition=~Q(status="completed") | Q(completed_at__isnull=False),
                name="assignment_completed_at",
            ),
        ]
        indexes = [
            models.Index(fields=["due_date", "status"], name="assignment_due_status"),
        ]

    def __str__(self) -> str:
        return f"{self.employee_id} {self.course_id} {self.due_date}"


class Certification(models.Model):
    """A completed course, valid until ``expires_on`` (never, when empty)."""

    employee = models.ForeignKey(
        Employee,
        on_delete=models.CASCADE,
        related_name="certifications",
        verbose_name=_("employee"),
    )
    course = models.ForeignKey(
        Course, on_delete=models.PROTECT, related_name="certifications", verbose_name=_("course")
    )
    assignment = models.OneToOneField(
        TrainingAssignment,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="certification",
        verbose_name=_("assignment"),
    )
    issued_on = models.DateField(_("issued on"))
    expires_on = models.DateField(_("expires on"), null=True, blank=True)

    scope_store_path = "employee__home_store"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["employee", "course", "-issued_on"]
        verbose_name = _("certification")
        verbose_name_plural = _("certifications")

    def __str__(self) -> str:
        return f"{self.employee_id} {self.course_id} {self.issued_on}"
