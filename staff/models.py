"""People, availability and leave, week schedules and shifts, swap requests, staffing
rules, training courses, assignments and certifications.

Fields and constraints only: the rules (the checks before publishing, swaps, training)
live in ``staff/services`` and ``staff/checks.py``; see docs/staff.md. Times of a shift
are stored as aware datetimes (UTC in the database) computed from the store-local date
and wall-clock times, so that a shift's length is real elapsed time across a DST change.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from opsdesk.platform.roles import Role
from stores.access import (
    ChainWideQuerySet,
    RuleScopedQuerySet,
    ScopedQuerySet,
    user_role,
    visible_store_ids,
)
from stores.models import OpeningHours, Store

MONEY = {"max_digits": 12, "decimal_places": 2}
HOURS = {"max_digits": 5, "decimal_places": 2}
ZERO = Decimal("0")
Weekday = OpeningHours.Weekday


class _StoreStaffNarrowed(RuleScopedQuerySet):
    """The rows of the stores in scope, and for store staff only those they may see
    (``for_store_staff``): one scope for pages, API and exports alike."""

    store_path = "store"

    def in_scope(self, user):
        rows = self.filter(**{f"{self.store_path}__in": visible_store_ids(user)})
        if user_role(user) == Role.STORE_STAFF:
            rows = rows.filter(self.for_store_staff(user))
        return rows

    def for_store_staff(self, user) -> Q:
        raise NotImplementedError


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


class TrainingAssignmentQuerySet(_StoreStaffNarrowed):
    """Store staff see their own training."""

    store_path = "employee__home_store"

    def for_store_staff(self, user) -> Q:
        return Q(employee__user=user)


class Position(models.TextChoices):
    """What a person does in a store: shifts and mandatory training name it."""

    STORE_MANAGER = "store_manager", _("Store manager")
    SUPERVISOR = "supervisor", _("Shift supervisor")
    CASHIER = "cashier", _("Cashier")
    SALES_ASSOCIATE = "sales_associate", _("Sales associate")
    STOCK_CLERK = "stock_clerk", _("Stock clerk")


class ContractType(models.TextChoices):
    FULL_TIME = "full_time", _("Full time")
    PART_TIME = "part_time", _("Part time")
    TEMPORARY = "temporary", _("Temporary")


class Employee(models.Model):
    """A store's person. ``user`` links the account that sees "my shifts"."""

    home_store = models.ForeignKey(
        Store, on_delete=models.PROTECT, related_name="employees", verbose_name=_("home store")
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="employee",
        verbose_name=_("user account"),
    )
    name = models.CharField(_("name"), max_length=100)
    position = models.CharField(_("position"), max_length=20, choices=Position.choices)
    contract_type = models.CharField(
        _("contract"), max_length=12, choices=ContractType.choices, default=ContractType.FULL_TIME
    )
    weekly_hours_max = models.DecimalField(
        _("weekly hour limit"),
        validators=[MinValueValidator(Decimal("1")), MaxValueValidator(Decimal("80"))],
        help_text=_("The contracted maximum of paid hours in a week (Monday to Sunday)."),
        **HOURS,
    )
    hourly_rate = models.DecimalField(
        _("hourly cost"),
        validators=[MinValueValidator(ZERO)],
        help_text=_("Cost of one paid hour, for the labor cost."),
        **MONEY,
    )
    active_from = models.DateField(_("active from"))
    active_to = models.DateField(_("active to"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    scope_store_path = "home_store"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["home_store", "name", "pk"]
        verbose_name = _("employee")
        verbose_name_plural = _("employees")
        constraints = [
            models.CheckConstraint(
                condition=Q(active_to__isnull=True) | Q(active_to__gte=models.F("active_from")),
                name="employee_active_dates",
            ),
            models.CheckConstraint(condition=Q(weekly_hours_max__gt=0), name="employee_hours_gt_0"),
            models.CheckConstraint(condition=Q(hourly_rate__gte=0), name="employee_rate_gte_0"),
        ]

    def __str__(self) -> str:
        return self.name

    def is_active_on(self, date) -> bool:
        return self.active_from <= date and (self.active_to is None or date <= self.active_to)


class Availability(models.Model):
    """A recurring weekly time range when the person can work (store-local wall clock).

    ``ends`` at or before ``starts`` runs past midnight into the next day; 00:00–00:00 is
    the whole day. A person with no range at all is available at any time."""

    employee = models.ForeignKey(
        Employee, on_delete=models.CASCADE, related_name="availability", verbose_name=_("employee")
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    starts = models.TimeField(_("from"))
    ends = models.TimeField(_("until"))

    scope_store_path = "employee__home_store"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["employee", "weekday", "starts"]
        verbose_name = _("availability")
        verbose_name_plural = _("availability")

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.starts:%H:%M}–{self.ends:%H:%M}"


class Leave(models.Model):
    """Dated unavailability (holiday, sick leave, training away), days included."""

    employee = models.ForeignKey(
        Employee, on_delete=models.CASCADE, related_name="leaves", verbose_name=_("employee")
    )
    start_date = models.DateField(_("first day"))
    end_date = models.DateField(_("last day"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    scope_store_path = "employee__home_store"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["employee", "start_date"]
        verbose_name = _("leave")
        verbose_name_plural = _("leave")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")), name="leave_dates"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.employee} {self.start_date}–{self.end_date}"


class StaffingRule(models.Model):
    """At least ``min_staff`` people on shift at every moment of the store's opening hours,
    on one weekday (or on every day: ``weekday`` empty). A weekday's own rule wins."""

    store = models.ForeignKey(
        Store, on_delete=models.CASCADE, related_name="staffing_rules", verbose_name=_("store")
    )
    weekday = models.PositiveSmallIntegerField(
        _("weekday"), choices=Weekday.choices, null=True, blank=True
    )
    min_staff = models.PositiveSmallIntegerField(
        _("minimum on shift"), validators=[MinValueValidator(1), MaxValueValidator(50)]
    )
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("updated by"),
    )

    scope_store_path = "store"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["store", "weekday"]
        verbose_name = _("staffing rule")
        verbose_name_plural = _("staffing rules")
        constraints = [
            models.UniqueConstraint(fields=["store", "weekday"], name="uniq_staffing_rule_weekday"),
            models.UniqueConstraint(
                fields=["store"], condition=Q(weekday__isnull=True), name="uniq_staffing_rule_all"
            ),
            models.CheckConstraint(condition=Q(min_staff__gte=1), name="staffing_min_gte_1"),
        ]

    def __str__(self) -> str:
        return f"{self.store_id} {self.weekday}: {self.min_staff}"


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
