"""POS receipts and their lines, daily sales, import sources and batches, targets and
promotions. Money is ``Decimal`` (2 places), quantities ``Decimal`` (3 places, negative =
a return). Rules live in ``sales/services``; see docs/sales.md."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from inventory.models import Product
from stores.access import (
    ChainWideQuerySet,
    RuleScopedQuerySet,
    ScopedQuerySet,
    visible_store_ids,
)
from stores.models import Region, Store

MONEY = {"max_digits": 14, "decimal_places": 2}
QTY = {"max_digits": 12, "decimal_places": 3}
ZERO = Decimal("0")


class ImportSource(models.Model):
    """A POS system that sends files, with the column mapping saved for it."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    # canonical field -> the file's column header (docs/sales.md lists the fields).
    column_mapping = models.JSONField(_("column mapping"), default=dict, blank=True)
    encoding = models.CharField(_("encoding"), max_length=16, default="auto")

    objects = ChainWideQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("import source")
        verbose_name_plural = _("import sources")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class ImportBatchQuerySet(RuleScopedQuerySet):
    """A batch belongs to its uploader (it may span stores); chain roles see every batch."""

    def in_scope(self, user) -> ImportBatchQuerySet:
        return self.filter(uploaded_by=user)


class ImportBatch(models.Model):
    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("Uploaded")
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        REJECTED = "rejected", _("Rejected")
        FAILED = "failed", _("Failed")

    class Mode(models.TextChoices):
        ALL_OR_NOTHING = "all", _("All or nothing")
        GOOD_ROWS = "good_rows", _("Import the good rows, return the bad ones")

    class Channel(models.TextChoices):
        FILE = "file", _("File upload")
        API = "api", _("API")
        DEMO = "demo", _("Demo data")

    source = models.ForeignKey(
        ImportSource,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="batches",
        verbose_name=_("source"),
    )
    channel = models.CharField(
        _("channel"), max_length=8, choices=Channel.choices, default=Channel.FILE
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    file = models.FileField(_("file"), upload_to="sales/imports/%Y/%m/", blank=True)
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    file_size = models.BigIntegerField(_("file size"), default=0)
    encoding = models.CharField(_("encoding"), max_length=16, default="auto")
    column_mapping = models.JSONField(_("column mapping"), default=dict, blank=True)
    mode = models.CharField(
        _("mode"), max_length=16, choices=Mode.choices, default=Mode.ALL_OR_NOTHING
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.UPLOADED
    )
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_done = models.PositiveIntegerField(_("rows done"), default=0)
    receipts_created = models.PositiveIntegerField(_("receipts created"), default=0)
    lines_created = models.PositiveIntegerField(_("lines created"), default=0)
    duplicates = models.PositiveIntegerField(_("duplicate lines skipped"), default=0)
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    # The first errors, for the page; all of them are in error_file.
    errors = models.JSONField(_("first errors"), default=list, blank=True)
    error_file = models.FileField(_("error report"), upload_to="sales/errors/%Y/%m/", blank=True)
    rejected_file = models.FileField(
        _("rejected rows"), upload_to="sales/rejected/%Y/%m/", blank=True
    )

    objects = ImportBatchQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("import batch")
        verbose_name_plural = _("import batches")

    def __str__(self) -> str:
        return f"#{self.pk} {self.file_name or self.get_channel_display()}"

    @property
    def progress_percent(self) -> int:
        if not self.rows_total:
            return 100 if self.status in (self.Status.DONE, self.Status.REJECTED) else 0
        return min(100, int(self.rows_done * 100 / self.rows_total))

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)


class Receipt(models.Model):
    store = models.ForeignKey(
        Store, on_delete=models.PROTECT, related_name="receipts", verbose_name=_("store")
    )
    business_date = models.DateField(_("business date"))
    sold_at = models.DateTimeField(_("sold at"))
    receipt_number = models.CharField(_("receipt number"), max_length=64)
    till = models.CharField(_("till"), max_length=32, blank=True)
    cashier = models.CharField(_("cashier"), max_length=100, blank=True)
    source = models.CharField(
        _("channel"),
        max_length=8,
        choices=ImportBatch.Channel.choices,
        default=ImportBatch.Channel.FILE,
    )
    batch = models.ForeignKey(
        ImportBatch,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="receipts",
        verbose_name=_("import batch"),
    )

    scope_store_path = "store"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["store", "sold_at", "id"]
        verbose_name = _("receipt")
        verbose_name_plural = _("receipts")
        constraints = [
            models.UniqueConstraint(
                fields=["store", "receipt_number", "business_date"], name="uniq_receipt"
            ),
        ]
        indexes = [models.Index(fields=["store", "business_date"], name="receipt_store_date")]

    def __str__(self) -> str:
        return f"{self.receipt_number} ({self.business_date})"


class SalesLine(models.Model):
    receipt = models.ForeignKey(
        Receipt, on_delete=models.CASCADE, related_name="lines", verbose_name=_("receipt")
    )
    line_number = models.PositiveIntegerField(_("line"))
    sku = models.CharField(_("SKU"), max_length=32)
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="sales_lines", verbose_name=_("product")
    )
    quantity = models.DecimalField(_("quantity"), **QTY)
    unit_price = models.DecimalField(_("unit price"), **MONEY)
    discount = models.DecimalField(_("discount"), default=ZERO, **MONEY)
    net_amount = models.DecimalField(_("net amount"), **MONEY)

    scope_store_path = "receipt__store"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["receipt", "line_number"]
        verbose_name = _("sales line")
        verbose_name_plural = _("sales lines")
        constraints = [
            models.UniqueConstraint(fields=["receipt", "line_number"], name="uniq_receipt_line"),
            models.CheckConstraint(condition=~models.Q(quantity=0), name="salesline_qty_not_0"),
        ]

    def __str__(self) -> str:
        return f"{self.sku} × {self.quantity}"

    @property
    def is_return(self) -> bool:
        return self.quantity < 0


class DailySales(models.Model):
    """One store's day, recomputed from its receipts whenever receipts arrive."""

    store = models.ForeignKey(
        Store, on_delete=models.PROTECT, related_name="daily_sales", verbose_name=_("store")
    )
    business_date = models.DateField(_("business date"))
    net_sales = models.DecimalField(_("net sales"), default=ZERO, **MONEY)
    transactions = models.PositiveIntegerField(_("transactions"), default=0)
    units = models.DecimalField(_("units"), default=ZERO, **QTY)
    returns_value = models.DecimalField(_("returns"), default=ZERO, **MONEY)
    footfall = models.PositiveIntegerField(_("footfall"), null=True, blank=True)

    scope_store_path = "store"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["store", "business_date"]
        verbose_name = _("daily sales")
        verbose_name_plural = _("daily sales")
        constraints = [
            models.UniqueConstraint(fields=["store", "business_date"], name="uniq_daily_sales"),
        ]

    def __str__(self) -> str:
        return f"{self.store_id} {self.business_date}: {self.net_sales}"


class Method(models.TextChoices):
    LAST_YEAR = "last_year", _("Last year's same period")
    WEEKDAY = "weekday", _("Weekday profile")
    EQUAL = "equal", _("Equal")


class MonthTarget(models.Model):
    """The chain's target for one month; split to regions, stores and days."""

    month = models.DateField(_("month"), unique=True, help_text=_("The first day of the month."))
    amount = models.DecimalField(_("target"), **MONEY)
    method = models.CharField(_("split by"), max_length=16, choices=Method.choices)
    locked = models.BooleanField(_("locked"), default=False)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("set by"),
    )
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    objects = ChainWideQuerySet.as_manager()

    class Meta:
        ordering = ["-month"]
        verbose_name = _("month target")
        verbose_name_plural = _("month targets")
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="month_target_gt_0"),
            models.CheckConstraint(condition=models.Q(month__day=1), name="month_target_first"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}: {self.amount}"


class RegionTarget(models.Model):
    month_target = models.ForeignKey(
        MonthTarget, on_delete=models.CASCADE, related_name="regions", verbose_name=_("month")
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="targets", verbose_name=_("region")
    )
    amount = models.DecimalField(_("target"), **MONEY)

    scope_region_path = "region"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["month_target", "region__code"]
        verbose_name = _("region target")
        verbose_name_plural = _("region targets")
        constraints = [
            models.UniqueConstraint(fields=["month_target", "region"], name="uniq_region_target")
        ]

    def __str__(self) -> str:
        return f"{self.region_id}: {self.amount}"


class StoreTarget(models.Model):
    month_target = models.ForeignKey(
        MonthTarget, on_delete=models.CASCADE, related_name="stores", verbose_name=_("month")
    )
    store = models.ForeignKey(
        Store, on_delete=models.PROTECT, related_name="targets", verbose_name=_("store")
    )
    amount = models.DecimalField(_("target"), **MONEY)

    scope_store_path = "store"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["month_target", "store__code"]
        verbose_name = _("store target")
        verbose_name_plural = _("store targets")
        constraints = [
            models.UniqueConstraint(fields=["month_target", "store"], name="uniq_store_target")
        ]

    def __str__(self) -> str:
        return f"{self.store_id}: {self.amount}"


class DayTarget(models.Model):
    store_target = models.ForeignKey(
        StoreTarget, on_delete=models.CASCADE, related_name="days", verbose_name=_("store target")
    )
    store = models.ForeignKey(
        Store, on_delete=models.PROTECT, related_name="day_targets", verbose_name=_("store")
    )
    date = models.DateField(_("date"))
    amount = models.DecimalField(_("target"), **MONEY)

    scope_store_path = "store"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["store", "date"]
        verbose_name = _("day target")
        verbose_name_plural = _("day targets")
        constraints = [models.UniqueConstraint(fields=["store", "date"], name="uniq_day_target")]

    def __str__(self) -> str:
        return f"{self.store_id} {self.date}: {self.amount}"


class PromotionQuerySet(RuleScopedQuerySet):
    """A promotion reaching one of your stores is visible to you (it may span many)."""

    def in_scope(self, user) -> PromotionQuerySet:
        return self.filter(
            pk__in=Promotion.stores.through.objects.filter(
                store_id__in=visible_store_ids(user)
            ).values("promotion_id")
        )


class Promotion(models.Model):
    name = models.CharField(_("name"), max_length=200)
    start_date = models.DateField(_("starts"))
    end_date = models.DateField(_("ends"))
    discount_pct = models.DecimalField(_("discount %"), max_digits=5, decimal_places=2)
    stores = models.ManyToManyField(Store, related_name="promotions", verbose_name=_("stores"))
    products = models.ManyToManyField(
        Product, related_name="promotions", verbose_name=_("products")
    )

    objects = PromotionQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date", "name"]
        verbose_name = _("promotion")
        verbose_name_plural = _("promotions")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")), name="promo_dates"
            ),
            models.CheckConstraint(
                condition=models.Q(discount_pct__gt=0, discount_pct__lt=100), name="promo_pct"
            ),
        ]

    def __str__(self) -> str:
        return self.name
