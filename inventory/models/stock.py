"""The stock ledger (append-only movements), stock levels, daily snapshots, reorder rules.

Quantities are ``Decimal`` with 3 decimal places (produce is sold by the kilogram),
signed on the movement: positive in, negative out. Costs are ``Decimal`` with 4 places.
See docs/inventory.md for the rules.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from stores.access import ScopedQuerySet
from stores.models import Store

from .catalogue import Product

QTY = {"max_digits": 12, "decimal_places": 3}
COST = {"max_digits": 12, "decimal_places": 4}
VALUE = {"max_digits": 18, "decimal_places": 4}
ZERO = Decimal("0")


class MovementKind(models.TextChoices):
    RECEIPT = "receipt", _("Receipt")
    SALE = "sale", _("Sale")
    CUSTOMER_RETURN = "customer_return", _("Customer return")
    RETURN_TO_SUPPLIER = "return_to_supplier", _("Return to supplier")
    TRANSFER_OUT = "transfer_out", _("Transfer out")
    TRANSFER_IN = "transfer_in", _("Transfer in")
    COUNT_ADJUSTMENT = "count_adjustment", _("Count adjustment")
    WRITE_OFF_DAMAGED = "write_off_damaged", _("Write-off (damaged)")
    WRITE_OFF_EXPIRED = "write_off_expired", _("Write-off (expired)")


INBOUND_KINDS = frozenset(
    {MovementKind.RECEIPT, MovementKind.CUSTOMER_RETURN, MovementKind.TRANSFER_IN}
)
OUTBOUND_KINDS = frozenset(
    {
        MovementKind.SALE,
        MovementKind.RETURN_TO_SUPPLIER,
        MovementKind.TRANSFER_OUT,
        MovementKind.WRITE_OFF_DAMAGED,
        MovementKind.WRITE_OFF_EXPIRED,
    }
)
# Inbound movements that bring their own cost into the moving weighted average.
COST_BEARING_KINDS = frozenset({MovementKind.RECEIPT, MovementKind.TRANSFER_IN})
WRITE_OFF_KINDS = frozenset({MovementKind.WRITE_OFF_DAMAGED, MovementKind.WRITE_OFF_EXPIRED})


class StockMovementQuerySet(ScopedQuerySet):
    """The ledger is append-only: no bulk update or delete through the ORM."""

    def update(self, **kwargs):
        raise TypeError("Stock movements are append-only: post a correcting movement instead.")

    def delete(self):
        raise TypeError("Stock movements are append-only: post a correcting movement instead.")


class StockMovement(models.Model):
    store = models.ForeignKey(
        Store, on_delete=models.PROTECT, related_name="stock_movements", verbose_name=_("store")
    )
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="movements", verbose_name=_("product")
    )
    kind = models.CharField(_("kind"), max_length=24, choices=MovementKind.choices)
    quantity = models.DecimalField(_("quantity"), **QTY)
    unit_cost = models.DecimalField(_("unit cost"), **COST)
    # The level right after this movement: snapshots of past dates and check_stock use them.
    on_hand_after = models.DecimalField(_("on hand after"), **QTY)
    avg_cost_after = models.DecimalField(_("average cost after"), **COST)
    reference = models.CharField(_("reference"), max_length=64, blank=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    business_date = models.DateField(_("business date"))

    scope_store_path = "store"
    objects = StockMovementQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")
        indexes = [
            models.Index(fields=["store", "product", "id"], name="mov_store_product_id"),
            models.Index(fields=["store", "business_date"], name="mov_store_date"),
            models.Index(fields=["store", "kind", "business_date"], name="mov_store_kind_date"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(kind__in=INBOUND_KINDS, quantity__gt=0)
                    | models.Q(kind__in=OUTBOUND_KINDS, quantity__lt=0)
                    | (models.Q(kind=MovementKind.COUNT_ADJUSTMENT) & ~models.Q(quantity=0))
                ),
                name="movement_sign_matches_kind",
            ),
            models.CheckConstraint(
                condition=models.Q(unit_cost__gte=0), name="movement_unit_cost_gte_0"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.quantity} × {self.product_id} @ {self.store_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise TypeError("Stock movements are append-only: post a correcting movement instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Stock movements are append-only: post a correcting movement instead.")

    @property
    def value(self) -> Decimal:
        return self.quantity * self.unit_cost


class StockLevel(models.Model):
    """The running state of the ledger for one store and product; rebuilt by check_stock."""

    store = models.ForeignKey(
        Store, on_delete=models.PROTECT, related_name="stock_levels", verbose_name=_("store")
    )
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="stock_levels", verbose_name=_("product")
    )
    on_hand = models.DecimalField(_("on hand"), default=ZERO, **QTY)
    avg_cost = models.DecimalField(_("average cost"), default=ZERO, **COST)
    last_counted_at = models.DateTimeField(_("last counted"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    scope_store_path = "store"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["store", "product"]
        verbose_name = _("stock level")
        verbose_name_plural = _("stock levels")
        constraints = [
            models.UniqueConstraint(fields=["store", "product"], name="uniq_level_store_product"),
            models.CheckConstraint(
                condition=models.Q(avg_cost__gte=0), name="level_avg_cost_gte_0"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product_id} @ {self.store_id}: {self.on_hand}"

    @property
    def value(self) -> Decimal:
        return self.on_hand * self.avg_cost


class StockSnapshot(models.Model):
    """Stock on hand and its value at a store's close of one business date.

    ``last_sold_on`` is the latest business date, on or before this one, with a ``sale``
    movement of the product in the store (a customer return is not a sale); empty when
    it never sold. The stockout KPI reads it from one day of snapshots instead of
    scanning 28 days of sales.
    """

    store = models.ForeignKey(
        Store, on_delete=models.PROTECT, related_name="stock_snapshots", verbose_name=_("store")
    )
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="+", verbose_name=_("product")
    )
    business_date = models.DateField(_("business date"))
    on_hand = models.DecimalField(_("on hand"), **QTY)
    avg_cost = models.DecimalField(_("average cost"), **COST)
    value = models.DecimalField(_("value"), **VALUE)
    last_sold_on = models.DateField(_("last sold on"), null=True, blank=True)

    scope_store_path = "store"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["store", "business_date", "product"]
        verbose_name = _("stock snapshot")
        verbose_name_plural = _("stock snapshots")
        constraints = [
            models.UniqueConstraint(
                fields=["store", "product", "business_date"], name="uniq_snapshot_key"
            ),
        ]
        indexes = [models.Index(fields=["store", "business_date"], name="snap_store_date")]

    def __str__(self) -> str:
        return f"{self.store_id}/{self.product_id} {self.business_date}: {self.on_hand}"


class StockSnapshotRun(models.Model):
    """The run log of the snapshot job: one row per store and business date."""

    store = models.ForeignKey(
        Store, on_delete=models.CASCADE, related_name="+", verbose_name=_("store")
    )
    business_date = models.DateField(_("business date"))
    rows = models.PositiveIntegerField(_("rows"), default=0)
    finished_at = models.DateTimeField(_("finished at"), default=timezone.now)

    scope_store_path = "store"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("stock snapshot run")
        verbose_name_plural = _("stock snapshot runs")
        constraints = [
            models.UniqueConstraint(fields=["store", "business_date"], name="uniq_snapshot_run"),
        ]

    def __str__(self) -> str:
        return f"{self.store_id} {self.business_date}: {self.rows}"


class StockSnapshotSummary(models.Model):
    """One store's snapshot of one business date, summed: the inventory KPIs read 30 of
    these rows per store instead of 30 × SKUs snapshot rows.

    Derived data: written in the same transaction as the snapshot rows it sums
    (``stock_snapshot_take``, the demo), rebuilt by ``stock_snapshot_summary_rebuild``
    (``manage.py rebuild_snapshot_summary``).
    """

    store = models.ForeignKey(
        Store, on_delete=models.CASCADE, related_name="+", verbose_name=_("store")
    )
    business_date = models.DateField(_("business date"))
    skus = models.PositiveIntegerField(_("SKUs"), default=0)
    on_hand = models.DecimalField(_("units on hand"), max_digits=18, decimal_places=3)
    value = models.DecimalField(_("value at cost"), max_digits=22, decimal_places=4)

    scope_store_path = "store"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["store", "business_date"]
        verbose_name = _("stock snapshot summary")
        verbose_name_plural = _("stock snapshot summaries")
        constraints = [
            models.UniqueConstraint(
                fields=["store", "business_date"], name="uniq_snapshot_summary"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.store_id} {self.business_date}: {self.value}"


class ReorderRule(models.Model):
    """Reorder point and order-up-to level of one product in one store."""

    class Method(models.TextChoices):
        MANUAL = "manual", _("Set by hand")
        # Recomputed nightly from sales velocity (services/replenishment/).
        VELOCITY = "velocity", _("Computed from sales velocity")

    store = models.ForeignKey(
        Store, on_delete=models.CASCADE, related_name="reorder_rules", verbose_name=_("store")
    )
    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, related_name="reorder_rules", verbose_name=_("product")
    )
    reorder_point = models.DecimalField(_("reorder point"), **QTY)
    order_up_to = models.DecimalField(_("order up to"), **QTY)
    safety_stock = models.DecimalField(_("safety stock"), default=ZERO, **QTY)
    method = models.CharField(
        _("method"), max_length=10, choices=Method.choices, default=Method.MANUAL
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    scope_store_path = "store"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["store", "product"]
        verbose_name = _("reorder rule")
        verbose_name_plural = _("reorder rules")
        constraints = [
            models.UniqueConstraint(fields=["store", "product"], name="uniq_reorder_rule"),
            models.CheckConstraint(
                condition=models.Q(reorder_point__gte=0), name="rule_reorder_point_gte_0"
            ),
            models.CheckConstraint(
                condition=models.Q(order_up_to__gte=models.F("reorder_point")),
                name="rule_order_up_to_gte_reorder_point",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.store_id}/{self.product_id}: {self.reorder_point}–{self.order_up_to}"
