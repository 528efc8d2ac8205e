"""Inventory reads: scoped querysets with their relations fetched here (no N+1)."""

from __future__ import annotations

from django.db.models import Count, F, Prefetch, QuerySet, Sum
from django.shortcuts import get_object_or_404

from .models import (
    Category,
    Product,
    ProductSupplier,
    PurchaseOrder,
    PurchaseOrderLine,
    StockCount,
    StockCountLine,
    StockLevel,
    StockMovement,
    Supplier,
    Transfer,
    TransferLine,
)


def category_list(*, user) -> QuerySet[Category]:
    return (
        Category.objects.visible_to(user).annotate(product_count=Count("products")).order_by("code")
    )


def product_list(*, user) -> QuerySet[Product]:
    return Product.objects.visible_to(user).select_related("category").order_by("sku")


def product_get(*, user, pk: int) -> Product:
    terms = ProductSupplier.objects.select_related("supplier").order_by(
        "-preferred", "supplier__code"
    )
    return get_object_or_404(
        product_list(user=user).prefetch_related(Prefetch("supplier_terms", queryset=terms)), pk=pk
    )


def supplier_list(*, user) -> QuerySet[Supplier]:
    return (
        Supplier.objects.visible_to(user)
        .annotate(product_count=Count("product_terms"))
        .order_by("code")
    )


def stock_level_list(*, user) -> QuerySet[StockLevel]:
    return (
        StockLevel.objects.visible_to(user)
        .select_related("store", "product", "product__category")
        .annotate(value_at_cost=F("on_hand") * F("avg_cost"))
        .order_by("store__code", "product__sku")
    )


def stock_movement_list(*, user) -> QuerySet[StockMovement]:
    return (
        StockMovement.objects.visible_to(user)
        .select_related("store", "product", "created_by")
        .order_by("-id")
    )


def purchase_order_list(*, user) -> QuerySet[PurchaseOrder]:
    return (
        PurchaseOrder.objects.visible_to(user)
        .select_related("store", "supplier")
        .annotate(
            line_count=Count("lines"),
            total=Sum(F("lines__quantity_ordered") * F("lines__unit_cost")),
        )
        .order_by("-created_at", "-id")
    )


def purchase_order_get(*, user, pk: int) -> PurchaseOrder:
    lines = PurchaseOrderLine.objects.select_related("product").order_by("pk")
    return get_object_or_404(
        purchase_order_list(user=user).prefetch_related(Prefetch("lines", queryset=lines)), pk=pk
    )


def transfer_list(*, user) -> QuerySet[Transfer]:
    return (
        Transfer.objects.visible_to(user)
        .select_related("source_store", "destination_store", "requested_by", "approved_by")
        .annotate(line_count=Count("lines"))
        .order_by("-requested_at", "-id")
    )


def transfer_get(*, user, pk: int) -> Transfer:
    lines = TransferLine.objects.select_related("product").order_by("pk")
    return get_object_or_404(
        transfer_list(user=user).prefetch_related(Prefetch("lines", queryset=lines)), pk=pk
    )


def stock_count_list(*, user) -> QuerySet[StockCount]:
    return (
        StockCount.objects.visible_to(user)
        .select_related("store", "category", "created_by", "approved_by")
        .annotate(line_count=Count("lines"), counted_count=Count("lines__counted_quantity"))
        .order_by("-created_at", "-id")
    )


def stock_count_get(*, user, pk: int) -> StockCount:
    lines = StockCountLine.objects.select_related("product", "product__category").order_by(
        "product__category__code", "product__sku"
    )
    return get_object_or_404(
        stock_count_list(user=user).prefetch_related(Prefetch("lines", queryset=lines)), pk=pk
    )


def stock_count_line_get(*, user, pk: int) -> StockCountLine:
    return get_object_or_404(
        StockCountLine.objects.visible_to(user).select_related("count", "product"), pk=pk
    )
