"""Export jobs (one user's large export, built by a worker) and monthly report schedules."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, validate_email
from django.db import models
from django.utils.translation import gettext_lazy as _

from stores.access import ScopedQuerySet, user_role

from .storage import private_storage


class ExportJobQuerySet(models.QuerySet):
    """An export job belongs to the user who asked for it: nobody else, head office
    included, ever sees it (its file holds what *that* user may see)."""

    def visible_to(self, user) -> ExportJobQuerySet:
        if user_role(user) is None:
            return self.none()
        return self.filter(user=user)


class ExportJob(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")
        EXPIRED = "expired", _("Expired")

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "XLSX"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="export_jobs",
        verbose_name=_("user"),
    )
    dataset = models.CharField(_("dataset"), max_length=64)
    format = models.CharField(_("format"), max_length=8, choices=Format.choices)
    params = models.JSONField(_("filters"), default=dict, blank=True)
    language = models.CharField(_("language"), max_length=16, default="en")
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.QUEUED
    )
    rows_done = models.PositiveIntegerField(_("rows done"), default=0)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    file = models.FileField(
        _("file"), storage=private_storage, upload_to="exports/%Y/%m/", blank=True
    )
    file_name = models.CharField(_("file name"), max_length=200, blank=True)
    error = models.TextField(_("error"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    objects = ExportJobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("export job")
        verbose_name_plural = _("export jobs")
        indexes = [models.Index(fields=["user", "-created_at"], name="reports_job_user_created")]

    def __str__(self) -> str:
        return f"{self.dataset}.{self.format} #{self.pk} ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.rows_total:
            return 0
        return min(100, int(self.rows_done * 100 / self.rows_total))


def split_recipients(value: str) -> list[str]:
    """Addresses separated by commas, semicolons, spaces or new lines."""
    for separator in ",;\n\r\t":
        value = value.replace(separator, " ")
    return [part for part in value.split(" ") if part]


def validate_recipients(value: str) -> None:
    addresses = split_recipients(value)
    if not addresses:
        raise ValidationError(_("Enter at least one email address."), code="required")
    bad = []
    for address in addresses:
        try:
            validate_email(address)
        except ValidationError:
            bad.append(address)
    if bad:
        raise ValidationError(
            _("Not a valid email address: %(addresses)s"),
            code="invalid",
            params={"addresses": ", ".join(bad)},
        )
    if len(addresses) > 50:
        raise ValidationError(_("At most 50 recipients."), code="max")


class ReportSchedule(models.Model):
    """Head office's standing order: the monthly report of one region (or of every
    region) emailed on a day of each month, for the month before."""

    region = models.ForeignKey(
        "stores.Region",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("region"),
        help_text=_("Leave empty for every region (one report each)."),
    )
    recipients = models.TextField(
        _("recipients"),
        validators=[validate_recipients],
        help_text=_("Email addresses, separated by commas or new lines."),
    )
    day_of_month = models.PositiveSmallIntegerField(
        _("day of the month"),
        validators=[MinValueValidator(1), MaxValueValidator(28)],
        help_text=_("1 to 28: the report of the previous month is sent on this day."),
    )
    language = models.CharField(
        _("language"), max_length=16, choices=settings.LANGUAGES, default="en"
    )
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_sent_month = models.DateField(_("last month sent"), null=True, blank=True)

    # A schedule of one region is in that region's scope; "every region" (no region) is
    # seen by chain roles only, who alone may manage schedules (opsdesk/analytics/reports/rules.py).
    scope_region_path = "region"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["region__code", "pk"]
        verbose_name = _("report schedule")
        verbose_name_plural = _("report schedules")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(day_of_month__gte=1, day_of_month__lte=28),
                name="reports_schedule_day_1_28",
            )
        ]

    def __str__(self) -> str:
        return f"{self.region or _('All regions')} / {self.day_of_month}"

    @property
    def recipient_list(self) -> list[str]:
        return split_recipients(self.recipients)


class ReportDelivery(models.Model):
    """One schedule's email for one month: the record that makes sending idempotent.

    The row is claimed (committed) before the email goes out and marked sent after, so a
    retried or concurrent task never sends the same month twice."""

    class Status(models.TextChoices):
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")

    schedule = models.ForeignKey(
        ReportSchedule, on_delete=models.CASCADE, related_name="deliveries"
    )
    month = models.DateField(_("month"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.SENDING
    )
    recipients = models.TextField(_("recipients"), blank=True)
    claimed_at = models.DateTimeField(_("claimed at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    scope_region_path = "schedule__region"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-month", "pk"]
        verbose_name = _("report delivery")
        verbose_name_plural = _("report deliveries")
        constraints = [
            models.UniqueConstraint(fields=["schedule", "month"], name="reports_delivery_once")
        ]

    def __str__(self) -> str:
        return f"{self.schedule_id} {self.month:%Y-%m} {self.status}"
