"""The catalogue: global, not store-owned. Everyone with a role reads it; head office
writes it (see ``services/catalogue.py``)."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from stores.access import ChainWideQuerySet

ZERO = Decimal("0")


class Category(models.Model):
    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_zh = models.CharField(_("name (Chinese)"), max_length=100, blank=True)

    objects = ChainWideQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Product(models.Model):
    class Unit(models.TextChoices):
        EACH = "each", _("each")
        KG = "kg", _("kg")
        LITRE = "l", _("litre")
        PACK = "pack", _("pack")
        BOX = "box", _("box")

    sku = models.CharField(_("SKU"), max_length=32, unique=True)
    # NULL, not "", when a product has no barcode: the unique key ignores NULLs.
    barcode = models.CharField(_("barcode"), max_length=32, unique=True, null=True, blank=True)
    name = models.CharField(_("name"), max_length=200)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200, blank=True)
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="products", verbose_name=_("category")
    )
    unit = models.CharField(_("unit"), max_length=8, choices=Unit.choices, default=Unit.EACH)
    cost = models.DecimalField(
        _("standard cost"),
        max_digits=12,
        decimal_places=4,
        default=ZERO,
        validators=[MinValueValidator(ZERO)],
    )
    retail_price = models.DecimalField(
        _("retail price"),
        max_digits=12,
        decimal_places=2,
        default=ZERO,
        validators=[MinValueValidator(ZERO)],
    )
    active = models.BooleanField(_("active"), default=True)

    objects = ChainWideQuerySet.as_manager()

    class Meta:
        ordering = ["sku"]
        verbose_name = _("product")
        verbose_name_plural = _("products")
        constraints = [
            models.CheckConstraint(condition=models.Q(cost__gte=0), name="product_cost_gte_0"),
            models.CheckConstraint(
                condition=models.Q(retail_price__gte=0), name="product_price_gte_0"
            ),
            models.CheckConstraint(
                condition=~models.Q(barcode=""), name="product_barcode_null_not_blank"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sku} {self.name}"


class Supplier(models.Model):
    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    lead_time_days = models.PositiveSmallIntegerField(_("lead time (days)"), default=2)
    min_order_value = models.DecimalField(
        _("minimum order value"), max_digits=12, decimal_places=2, default=ZERO
    )
    contact_name = models.CharField(_("contact name"), max_length=100, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    active = models.BooleanField(_("active"), default=True)

    objects = ChainWideQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("supplier")
        verbose_name_plural = _("suppliers")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(min_order_value__gte=0), name="supplier_min_order_gte_0"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class ProductSupplier(models.Model):
    """A supplier's terms for one product."""

    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, related_name="supplier_terms", verbose_name=_("product")
    )
    supplier = models.ForeignKey(
        Supplier, on_delete=models.CASCADE, related_name="product_terms", verbose_name=_("supplier")
    )
    supplier_sku = models.CharField(_("supplier SKU"), max_length=64, blank=True)
    unit_cost = models.DecimalField(_("unit cost"), max_digits=12, decimal_places=4)
    pack_size = models.PositiveIntegerField(_("pack size"), default=1)
    # Replenishment: a suggestion is raised to at least this, then to whole packs.
    min_order_quantity = models.DecimalField(
        _("minimum order quantity"), max_digits=12, decimal_places=3, default=ZERO
    )
    # Overrides the supplier's lead time for this product when set.
    lead_time_days = models.PositiveSmallIntegerField(_("lead time (days)"), null=True, blank=True)
    preferred = models.BooleanField(_("preferred"), default=False)

    objects = ChainWideQuerySet.as_manager()

    class Meta:
        ordering = ["product", "supplier"]
        verbose_name = _("product supplier terms")
        verbose_name_plural = _("product supplier terms")
        constraints = [
            models.UniqueConstraint(fields=["product", "supplier"], name="uniq_product_supplier"),
            # At most one preferred supplier per product.
            models.UniqueConstraint(
                fields=["product"],
                condition=models.Q(preferred=True),
                name="uniq_preferred_supplier",
            ),
            models.CheckConstraint(
                condition=models.Q(unit_cost__gte=0), name="terms_unit_cost_gte_0"
            ),
            models.CheckConstraint(condition=models.Q(pack_size__gte=1), name="terms_pack_gte_1"),
            models.CheckConstraint(
                condition=models.Q(min_order_quantity__gte=0), name="terms_min_order_qty_gte_0"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product.sku} @ {self.supplier.code}"
