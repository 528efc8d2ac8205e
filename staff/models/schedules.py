"""Week schedules, shifts and swap requests."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from stores.access import (
    ScopedQuerySet,
)
from stores.models import Store

from .people import MONEY, Employee, Position, _StoreStaffNarrowed


class ShiftQuerySet(_StoreStaffNarrowed):
    """Store staff see the published shifts of their store (the rota on the wall)."""

    def for_store_staff(self, user) -> Q:
        return Q(schedule__status="published")


class SwapRequestQuerySet(_StoreStaffNarrowed):
    """Store staff see their own requests, those asked of them, and the open requests of
    their store still waiting for a colleague."""

    store_path = "shift__store"

    def for_store_staff(self, user) -> Q:
        return (
            Q(from_employee__user=user)
            | Q(to_employee__user=user)
            | Q(to_employee__isnull=True, status="pending")
        )


class Schedule(models.Model):
    """One store's week (Monday to Sunday, by the shifts' business dates)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", pgettext_lazy("schedule status", "Published")

    store = models.ForeignKey(
        Store, on_delete=models.PROTECT, related_name="schedules", verbose_name=_("store")
    )
    week_start = models.DateField(_("week of"), help_text=_("The Monday the week starts on."))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("published by"),
    )

    scope_store_path = "store"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-week_start", "store"]
        verbose_name = _("schedule")
        verbose_name_plural = _("schedules")
        constraints = [
            models.UniqueConstraint(fields=["store", "week_start"], name="uniq_schedule_week"),
        ]

    def __str__(self) -> str:
        return f"{self.store_id} {self.week_start}"

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED


class Shift(models.Model):
    """A person's shift at a store. ``business_date`` is the store-local date it starts on
    (a shift across midnight belongs to that date); ``start_at``/``end_at`` are the real
    instants. Paid minutes = the elapsed minutes − the unpaid break; the labor cost is
    taken at the person's hourly cost when the shift is saved."""

    schedule = models.ForeignKey(
        Schedule, on_delete=models.CASCADE, related_name="shifts", verbose_name=_("schedule")
    )
    store = models.ForeignKey(
        Store, on_delete=models.PROTECT, related_name="shifts", verbose_name=_("store")
    )
    employee = models.ForeignKey(
        Employee, on_delete=models.PROTECT, related_name="shifts", verbose_name=_("employee")
    )
    business_date = models.DateField(_("business date"))
    start_at = models.DateTimeField(_("starts"))
    end_at = models.DateTimeField(_("ends"))
    break_minutes = models.PositiveSmallIntegerField(_("unpaid break (minutes)"), default=0)
    paid_minutes = models.PositiveIntegerField(_("paid minutes"))
    labor_cost = models.DecimalField(_("labor cost"), **MONEY)
    position = models.CharField(_("position"), max_length=20, choices=Position.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    objects = ShiftQuerySet.as_manager()

    class Meta:
        ordering = ["business_date", "start_at", "pk"]
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")
        constraints = [
            models.CheckConstraint(condition=Q(end_at__gt=models.F("start_at")), name="shift_ends"),
            models.CheckConstraint(condition=Q(paid_minutes__gt=0), name="shift_paid_gt_0"),
        ]
        indexes = [
            models.Index(fields=["store", "business_date"], name="shift_store_date"),
            models.Index(fields=["employee", "start_at"], name="shift_employee_start"),
        ]

    def __str__(self) -> str:
        return f"{self.employee_id} {self.start_at:%Y-%m-%d %H:%M}"

    @property
    def paid_hours(self) -> Decimal:
        return (Decimal(self.paid_minutes) / 60).quantize(Decimal("0.01"))


class SwapRequest(models.Model):
    """A person asks to hand a published shift to a named colleague or to anyone (open);
    the colleague accepts; a manager approves (the checks run again) or refuses."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a colleague")
        ACCEPTED = "accepted", _("Waiting for approval")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined by the colleague")
        REFUSED = "refused", _("Refused by the manager")
        CANCELLED = "cancelled", _("Cancelled")

    OPEN_STATUSES = (Status.PENDING, Status.ACCEPTED)

    shift = models.ForeignKey(
        Shift, on_delete=models.CASCADE, related_name="swap_requests", verbose_name=_("shift")
    )
    from_employee = models.ForeignKey(
        Employee, on_delete=models.CASCADE, related_name="+", verbose_name=_("from")
    )
    to_employee = models.ForeignKey(
        Employee,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("to"),
        help_text=_("Empty: any colleague of the store may take it."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("asked at"), default=timezone.now)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    reason = models.CharField(_("reason"), max_length=500, blank=True)

    objects = SwapRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("swap request")
        verbose_name_plural = _("swap requests")
        constraints = [
            # One open request per shift at a time.
            models.UniqueConstraint(
                fields=["shift"],
                condition=Q(status__in=["pending", "accepted"]),
                name="one_open_swap_per_shift",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.shift_id} {self.status}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES
