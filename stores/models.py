"""Regions, stores, opening hours and the user's access assignments.

Every store-owned model in every app declares its path to ``Store`` in
``scope_store_path`` (or to ``Region`` in ``scope_region_path``) and uses
``ScopedQuerySet`` as its manager: see ``stores/access.py``.
"""

import datetime
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from opsdesk.platform.roles import Role

from .access import ScopedQuerySet


def validate_time_zone(value: str) -> None:
    """An IANA time zone name such as Asia/Shanghai."""
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValidationError(
            _("%(value)s is not a time zone (use a name like Asia/Shanghai)."),
            params={"value": value},
        ) from None


class Region(models.Model):
    code = models.CharField(_("code"), max_length=16, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_zh = models.CharField(_("name (Chinese)"), max_length=100, blank=True)

    scope_region_path = "pk"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Store(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        OPEN = "open", pgettext_lazy("store status", "Open")
        TEMPORARILY_CLOSED = "temporarily_closed", _("Temporarily closed")
        CLOSED = "closed", pgettext_lazy("store status", "Closed")

    code = models.CharField(_("code"), max_length=16, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_zh = models.CharField(_("name (Chinese)"), max_length=100, blank=True)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="stores", verbose_name=_("region")
    )
    address = models.TextField(_("address"), blank=True)
    time_zone = models.CharField(
        _("time zone"), max_length=64, validators=[validate_time_zone], default="UTC"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.OPEN
    )
    opening_date = models.DateField(_("opening date"), null=True, blank=True)

    scope_store_path = "pk"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("store")
        verbose_name_plural = _("stores")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    def local_now(self, now: datetime.datetime | None = None) -> datetime.datetime:
        return (now or timezone.now()).astimezone(self.tz)

    def business_date(self, now: datetime.datetime | None = None) -> datetime.date:
        """The store's local date: the date its day's records belong to."""
        return self.local_now(now).date()


class OpeningHours(models.Model):
    """Regular opening hours for one weekday; no row for a weekday means closed."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    store = models.ForeignKey(
        Store, on_delete=models.CASCADE, related_name="opening_hours", verbose_name=_("store")
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))

    scope_store_path = "store"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["store", "weekday"]
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        constraints = [
            models.UniqueConstraint(fields=["store", "weekday"], name="uniq_store_weekday"),
            models.CheckConstraint(
                condition=models.Q(closes__gt=models.F("opens")), name="hours_close_after_open"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"

    def clean(self) -> None:
        if self.opens and self.closes and self.closes <= self.opens:
            raise ValidationError({"closes": _("A store must close after it opens.")})


class StoreAssignment(models.Model):
    """Gives a store manager or store staff member access to one store."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="store_assignments",
        verbose_name=_("user"),
    )
    store = models.ForeignKey(
        Store, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("store")
    )

    scope_store_path = "store"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("store assignment")
        verbose_name_plural = _("store assignments")
        constraints = [
            models.UniqueConstraint(fields=["user", "store"], name="uniq_user_store"),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.store}"

    def clean(self) -> None:
        if self.user_id is None:
            return  # the form reports the missing user itself
        user = self.user
        if user.role not in (Role.STORE_MANAGER, Role.STORE_STAFF):
            raise ValidationError(_("Only store managers and store staff are assigned to stores."))
        if user.role == Role.STORE_STAFF:
            others = StoreAssignment.objects.filter(user=user).exclude(pk=self.pk)
            if others.exists():
                raise ValidationError(_("A store staff member works in one store only."))


class RegionAssignment(models.Model):
    """Gives a regional ops user access to every store of one region."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="region_assignments",
        verbose_name=_("user"),
    )
    region = models.ForeignKey(
        Region, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("region")
    )

    scope_region_path = "region"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("region assignment")
        verbose_name_plural = _("region assignments")
        constraints = [
            models.UniqueConstraint(fields=["user", "region"], name="uniq_user_region"),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.region}"

    def clean(self) -> None:
        if self.user_id is None:
            return  # the form reports the missing user itself
        if self.user.role != Role.REGIONAL_OPS:
            raise ValidationError(_("Only regional ops users are assigned to regions."))
