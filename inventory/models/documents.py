"""Purchase orders, transfers between stores and stock counts: the documents whose
workflow (``services/``) posts movements to the ledger."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from stores.access import (
    RuleScopedQuerySet,
    ScopedQuerySet,
    visible_store_ids,
)
from stores.models import Store

from .catalogue import Category, Product, Supplier
from .stock import COST, QTY

USER = settings.AUTH_USER_MODEL
ZERO = Decimal("0")


def _user_fk(verbose_name, **kwargs):
    return models.ForeignKey(
        USER,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=verbose_name,
        **kwargs,
    )


class PurchaseOrder(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        PARTIALLY_RECEIVED = "partially_received", _("Partially received")
        RECEIVED = "received", _("Received")
        CANCELLED = "cancelled", _("Cancelled")

    store = models.ForeignKey(
        Store, on_delete=models.PROTECT, related_name="purchase_orders", verbose_name=_("store")
    )
    supplier = models.ForeignKey(
        Supplier,
        on_delete=models.PROTECT,
        related_name="purchase_orders",
        verbose_name=_("supplier"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    expected_date = models.DateField(_("expected"), null=True, blank=True)
    created_by = _user_fk(_("created by"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)

    scope_store_path = "store"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("purchase order")
        verbose_name_plural = _("purchase orders")
        indexes = [
            models.Index(fields=["store", "status"], name="po_store_status"),
            models.Index(fields=["received_at"], name="po_received_at"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        return f"PO-{self.pk:06d}" if self.pk else "PO-new"

    @property
    def receivable(self) -> bool:
        return self.status in (self.Status.SUBMITTED, self.Status.PARTIALLY_RECEIVED)


class PurchaseOrderLine(models.Model):
    purchase_order = models.ForeignKey(
        PurchaseOrder, on_delete=models.CASCADE, related_name="lines", verbose_name=_("order")
    )
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="+", verbose_name=_("product")
    )
    quantity_ordered = models.DecimalField(_("ordered"), **QTY)
    quantity_received = models.DecimalField(_("received"), default=ZERO, **QTY)
    unit_cost = models.DecimalField(_("unit cost"), **COST)

    scope_store_path = "purchase_order__store"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["purchase_order", "id"]
        verbose_name = _("purchase order line")
        verbose_name_plural = _("purchase order lines")
        constraints = [
            models.UniqueConstraint(fields=["purchase_order", "product"], name="uniq_po_product"),
            models.CheckConstraint(
                condition=models.Q(quantity_ordered__gt=0), name="po_line_ordered_gt_0"
            ),
            models.CheckConstraint(
                condition=models.Q(quantity_received__gte=0)
                & models.Q(quantity_received__lte=models.F("quantity_ordered")),
                name="po_line_received_within_ordered",
            ),
            models.CheckConstraint(
                condition=models.Q(unit_cost__gte=0), name="po_line_unit_cost_gte_0"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity_ordered} × {self.product_id}"

    @property
    def outstanding(self) -> Decimal:
        return self.quantity_ordered - self.quantity_received


class TransferQuerySet(RuleScopedQuerySet, ScopedQuerySet):
    """A transfer is visible to whoever sees its source or its destination store."""

    def in_scope(self, user) -> TransferQuerySet:
        ids = visible_store_ids(user)
        prefix = self.model.scope_transfer_prefix
        return self.filter(
            models.Q(**{f"{prefix}source_store__in": ids})
            | models.Q(**{f"{prefix}destination_store__in": ids})
        )


class Transfer(models.Model):
    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        APPROVED = "approved", _("Approved")
        SHIPPED = "shipped", _("In transit")
        RECEIVED = "received", _("Received")
        CANCELLED = "cancelled", _("Cancelled")

    source_store = models.ForeignKey(
        Store, on_delete=models.PROTECT, related_name="transfers_out", verbose_name=_("from")
    )
    destination_store = models.ForeignKey(
        Store, on_delete=models.PROTECT, related_name="transfers_in", verbose_name=_("to")
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.REQUESTED
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    requested_by = _user_fk(_("requested by"))
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    approved_by = _user_fk(_("approved by"))
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    shipped_at = models.DateTimeField(_("shipped at"), null=True, blank=True)
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)

    # The source store is the primary path; visible_to also admits the destination's users.
    scope_store_path = "source_store"
    scope_transfer_prefix = ""
    objects = TransferQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        # The transfer cycle time KPI reads one day's receipts.
        indexes = [models.Index(fields=["received_at"], name="transfer_received_at")]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(source_store=models.F("destination_store")),
                name="transfer_not_to_same_store",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        return f"TR-{self.pk:06d}" if self.pk else "TR-new"


class TransferLine(models.Model):
    transfer = models.ForeignKey(
        Transfer, on_delete=models.CASCADE, related_name="lines", verbose_name=_("transfer")
    )
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="+", verbose_name=_("product")
    )
    quantity_requested = models.DecimalField(_("requested"), **QTY)
    quantity_shipped = models.DecimalField(_("shipped"), null=True, blank=True, **QTY)
    quantity_received = models.DecimalField(_("received"), null=True, blank=True, **QTY)
    # The sender's average cost when shipped: the receiver takes the stock at this cost.
    unit_cost = models.DecimalField(_("unit cost"), null=True, blank=True, **COST)

    scope_store_path = "transfer__source_store"
    scope_transfer_prefix = "transfer__"
    objects = TransferQuerySet.as_manager()

    class Meta:
        ordering = ["transfer", "id"]
        verbose_name = _("transfer line")
        verbose_name_plural = _("transfer lines")
        constraints = [
            models.UniqueConstraint(fields=["transfer", "product"], name="uniq_transfer_product"),
            models.CheckConstraint(
                condition=models.Q(quantity_requested__gt=0), name="transfer_line_requested_gt_0"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity_requested} × {self.product_id}"

    @property
    def difference(self) -> Decimal | None:
        """Received minus shipped (negative: lost in transit), once received."""
        if self.quantity_received is None or self.quantity_shipped is None:
            return None
        return self.quantity_received - self.quantity_shipped


class StockCount(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Counting")
        RECOUNT = "recount", _("Recount requested")
        SUBMITTED = "submitted", _("Submitted")
        APPROVED = "approved", _("Approved")
        POSTED = "posted", _("Posted")
        CANCELLED = "cancelled", _("Cancelled")

    # While counting (and recounting) the expected quantities stay hidden when blind.
    COUNTING = (Status.OPEN, Status.RECOUNT)

    store = models.ForeignKey(
        Store, on_delete=models.PROTECT, related_name="stock_counts", verbose_name=_("store")
    )
    category = models.ForeignKey(
        Category,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("category"),
        help_text=_("Empty: the whole store."),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.OPEN
    )
    blind = models.BooleanField(_("blind"), default=True)
    created_by = _user_fk(_("created by"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    approved_by = _user_fk(_("approved by"))
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    posted_at = models.DateTimeField(_("posted at"), null=True, blank=True)

    scope_store_path = "store"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("stock count")
        verbose_name_plural = _("stock counts")

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        return f"SC-{self.pk:06d}" if self.pk else "SC-new"

    @property
    def expected_hidden(self) -> bool:
        return self.blind and self.status in self.COUNTING


class StockCountLine(models.Model):
    count = models.ForeignKey(
        StockCount, on_delete=models.CASCADE, related_name="lines", verbose_name=_("count")
    )
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="+", verbose_name=_("product")
    )
    # Frozen when the count starts: the adjustment posted is counted − expected, so that
    # movements made while counting are kept.
    expected_quantity = models.DecimalField(_("expected"), **QTY)
    unit_cost = models.DecimalField(_("unit cost"), **COST)
    counted_quantity = models.DecimalField(_("counted"), null=True, blank=True, **QTY)
    first_count = models.DecimalField(_("first count"), null=True, blank=True, **QTY)
    recount_required = models.BooleanField(_("recount required"), default=False)
    counted_by = _user_fk(_("counted by"))
    counted_at = models.DateTimeField(_("counted at"), null=True, blank=True)

    scope_store_path = "count__store"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["count", "id"]
        verbose_name = _("stock count line")
        verbose_name_plural = _("stock count lines")
        constraints = [
            models.UniqueConstraint(fields=["count", "product"], name="uniq_count_product"),
            models.CheckConstraint(
                condition=models.Q(counted_quantity__isnull=True)
                | models.Q(counted_quantity__gte=0),
                name="count_line_counted_gte_0",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product_id}: {self.counted_quantity}"

    @property
    def variance(self) -> Decimal | None:
        if self.counted_quantity is None:
            return None
        return self.counted_quantity - self.expected_quantity

    @property
    def variance_value(self) -> Decimal | None:
        variance = self.variance
        return None if variance is None else variance * self.unit_cost
