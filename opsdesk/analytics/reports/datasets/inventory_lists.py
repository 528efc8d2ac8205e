"""The exports of the inventory lists."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from inventory import filters as inventory_filters
from inventory import selectors as inventory_selectors

from .base import (
    BOOL,
    CHOICES,
    DATE,
    DATETIME,
    NUMBER,
    Column,
    numbered,
    register,
)
from .querysets import queryset_dataset

register(
    queryset_dataset(
        "stock_levels",
        _("Stock levels"),
        selector=inventory_selectors.stock_level_list,
        filterset=inventory_filters.StockLevelFilterSet,
        list_route="inventory:stocklevel_list",
        fields=[
            ("store__code", Column(_("Store"))),
            ("product__sku", Column(_("SKU"))),
            ("product__name", Column(_("Product"))),
            ("product__name_zh", Column(_("Product (Chinese)"))),
            ("product__category__code", Column(_("Category"))),
            ("on_hand", Column(_("On hand"), NUMBER)),
            ("avg_cost", Column(_("Average cost"), NUMBER)),
            ("value_at_cost", Column(_("Value"), NUMBER)),
            ("last_counted_at", Column(_("Last counted"), DATETIME)),
        ],
    )
)

register(
    queryset_dataset(
        "stock_movements",
        _("Stock movements"),
        selector=inventory_selectors.stock_movement_list,
        filterset=inventory_filters.StockMovementFilterSet,
        fields=[
            ("id", Column(_("Id"), NUMBER)),
            ("business_date", Column(_("Business date"), DATE)),
            ("created_at", Column(_("Created at"), DATETIME)),
            ("store__code", Column(_("Store"))),
            ("product__sku", Column(_("SKU"))),
            ("kind", Column(_("Kind"), convert=CHOICES)),
            ("quantity", Column(_("Quantity"), NUMBER)),
            ("unit_cost", Column(_("Unit cost"), NUMBER)),
            ("on_hand_after", Column(_("On hand after"), NUMBER)),
            ("avg_cost_after", Column(_("Average cost after"), NUMBER)),
            ("reference", Column(_("Reference"))),
            ("reason", Column(_("Reason"))),
            ("created_by__username", Column(_("By"))),
        ],
    )
)

register(
    queryset_dataset(
        "purchase_orders",
        _("Purchase orders"),
        selector=inventory_selectors.purchase_order_list,
        filterset=inventory_filters.PurchaseOrderFilterSet,
        list_route="inventory:purchaseorder_list",
        fields=[
            ("id", Column(_("Order"), convert=numbered("PO"))),
            ("store__code", Column(_("Store"))),
            ("supplier__code", Column(_("Supplier"))),
            ("supplier__name", Column(_("Supplier name"))),
            ("status", Column(_("Status"), convert=CHOICES)),
            ("created_at", Column(_("Created at"), DATETIME)),
            ("submitted_at", Column(_("Submitted at"), DATETIME)),
            ("expected_date", Column(_("Expected"), DATE)),
            ("received_at", Column(_("Received at"), DATETIME)),
            ("line_count", Column(_("Lines"), NUMBER)),
            ("total", Column(_("Total at cost"), NUMBER)),
        ],
    )
)

register(
    queryset_dataset(
        "transfers",
        _("Transfers"),
        selector=inventory_selectors.transfer_list,
        filterset=inventory_filters.TransferFilterSet,
        list_route="inventory:transfer_list",
        fields=[
            ("id", Column(_("Transfer"), convert=numbered("TR"))),
            ("source_store__code", Column(_("From"))),
            ("destination_store__code", Column(_("To"))),
            ("status", Column(_("Status"), convert=CHOICES)),
            ("requested_at", Column(_("Requested at"), DATETIME)),
            ("requested_by__username", Column(_("Requested by"))),
            ("approved_at", Column(_("Approved at"), DATETIME)),
            ("shipped_at", Column(_("Shipped at"), DATETIME)),
            ("received_at", Column(_("Received at"), DATETIME)),
            ("line_count", Column(_("Lines"), NUMBER)),
        ],
    )
)

register(
    queryset_dataset(
        "stock_counts",
        _("Stock counts"),
        selector=inventory_selectors.stock_count_list,
        filterset=inventory_filters.StockCountFilterSet,
        list_route="inventory:stockcount_list",
        fields=[
            ("id", Column(_("Count"), convert=numbered("SC"))),
            ("store__code", Column(_("Store"))),
            ("category__code", Column(_("Category"))),
            ("status", Column(_("Status"), convert=CHOICES)),
            ("blind", Column(_("Blind"), BOOL)),
            ("created_at", Column(_("Created at"), DATETIME)),
            ("submitted_at", Column(_("Submitted at"), DATETIME)),
            ("approved_at", Column(_("Approved at"), DATETIME)),
            ("posted_at", Column(_("Posted at"), DATETIME)),
            ("line_count", Column(_("Lines"), NUMBER)),
            ("counted_count", Column(_("Counted"), NUMBER)),
        ],
    )
)
