"""People, their availability and leave, and staffing rules."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opsdesk.platform.roles import Role
from stores.access import (
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
