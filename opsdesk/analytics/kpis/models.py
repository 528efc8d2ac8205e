"""The KPI fact table and its run log.

One row per store, business date and KPI code, with numerator and denominator, so that
any roll-up (region, chain, week, month) is a ratio of sums, never an average of ratios.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from stores.access import ScopedQuerySet

MONEY_OR_COUNT = {"max_digits": 24, "decimal_places": 6}


class KpiRun(models.Model):
    """One execution of the KPI job for one business date (the run log)."""

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Skipped: another run was computing this date")

    business_date = models.DateField(_("business date"), db_index=True)
    trigger = models.CharField(_("trigger"), max_length=20, default="command")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    store_count = models.PositiveIntegerField(_("stores"), default=0)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("KPI run")
        verbose_name_plural = _("KPI runs")

    def __str__(self) -> str:
        return f"{self.business_date} {self.status}"


class KpiStoreDay(models.Model):
    """When a store's KPIs for a business date were last computed ("data as of")."""

    store = models.ForeignKey("stores.Store", on_delete=models.CASCADE, related_name="+")
    business_date = models.DateField(_("business date"))
    computed_at = models.DateTimeField(_("computed at"))
    run = models.ForeignKey(KpiRun, on_delete=models.SET_NULL, null=True, related_name="+")

    scope_store_path = "store"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("KPI store day")
        verbose_name_plural = _("KPI store days")
        constraints = [
            models.UniqueConstraint(fields=["store", "business_date"], name="uniq_kpi_store_day")
        ]

    def __str__(self) -> str:
        return f"{self.store_id} {self.business_date} @ {self.computed_at:%Y-%m-%d %H:%M}"


class KpiFact(models.Model):
    store = models.ForeignKey("stores.Store", on_delete=models.CASCADE, related_name="+")
    business_date = models.DateField(_("business date"))
    code = models.CharField(_("KPI"), max_length=64)
    numerator = models.DecimalField(_("numerator"), **MONEY_OR_COUNT)
    denominator = models.DecimalField(_("denominator"), **MONEY_OR_COUNT)
    # numerator / denominator x the KPI's scale; null when the denominator is zero.
    value = models.DecimalField(_("value"), null=True, blank=True, **MONEY_OR_COUNT)

    scope_store_path = "store"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("KPI fact")
        verbose_name_plural = _("KPI facts")
        constraints = [
            models.UniqueConstraint(fields=["store", "business_date", "code"], name="uniq_kpi_fact")
        ]
        indexes = [
            models.Index(fields=["code", "business_date"], name="kpi_fact_code_date"),
            # The dashboards' roll-ups (stores × a period): index-only scans.
            models.Index(
                fields=["store", "business_date"],
                include=["code", "numerator", "denominator"],
                name="kpi_fact_store_date_cover",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.store_id} {self.business_date} {self.code}={self.value}"


class KpiThreshold(models.Model):
    """Head office's red/amber/green bands for one KPI (chain-wide)."""

    code = models.CharField(_("KPI"), max_length=64, unique=True)
    green = models.DecimalField(_("green from"), **MONEY_OR_COUNT)
    amber = models.DecimalField(_("amber from"), **MONEY_OR_COUNT)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("KPI threshold")
        verbose_name_plural = _("KPI thresholds")

    def __str__(self) -> str:
        return self.code
