from django.contrib import admin

from opsdesk.platform.admin import ReadOnlyAdmin

from .models import (
    Category,
    Product,
    ProductSupplier,
    PurchaseOrder,
    PurchaseOrderLine,
    ReorderRule,
    ReplenishmentBatch,
    StockCount,
    StockLevel,
    StockMovement,
    StockSnapshot,
    StockSnapshotRun,
    StockSnapshotSummary,
    Supplier,
    Transfer,
)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_zh"]
    search_fields = ["code", "name", "name_zh"]


class ProductSupplierInline(admin.TabularInline):
    model = ProductSupplier
    extra = 0
    autocomplete_fields = ["supplier"]


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = [
        "sku",
        "barcode",
        "name",
        "name_zh",
        "category",
        "cost",
        "retail_price",
        "active",
    ]
    list_filter = ["category", "active"]
    search_fields = ["sku", "barcode", "name", "name_zh"]
    list_select_related = ["category"]
    inlines = [ProductSupplierInline]


@admin.register(Supplier)
class SupplierAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "lead_time_days", "min_order_value", "active"]
    search_fields = ["code", "name"]


@admin.register(StockMovement)
class StockMovementAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "business_date",
        "store",
        "product",
        "kind",
        "quantity",
        "unit_cost",
        "reference",
        "created_by",
    ]
    list_filter = ["kind"]
    search_fields = ["reference", "product__sku", "store__code"]
    list_select_related = ["store", "product", "created_by"]


@admin.register(StockLevel)
class StockLevelAdmin(ReadOnlyAdmin):
    list_display = ["store", "product", "on_hand", "avg_cost", "last_counted_at"]
    search_fields = ["product__sku", "store__code"]
    list_select_related = ["store", "product"]


class PurchaseOrderLineInline(admin.TabularInline):
    model = PurchaseOrderLine
    extra = 0
    can_delete = False


@admin.register(PurchaseOrder)
class PurchaseOrderAdmin(ReadOnlyAdmin):
    list_display = ["id", "store", "supplier", "status", "submitted_at", "received_at"]
    list_filter = ["status"]
    list_select_related = ["store", "supplier"]
    inlines = [PurchaseOrderLineInline]


@admin.register(Transfer)
class TransferAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "source_store",
        "destination_store",
        "status",
        "approved_at",
        "received_at",
    ]
    list_filter = ["status"]
    list_select_related = ["source_store", "destination_store"]


@admin.register(StockCount)
class StockCountAdmin(ReadOnlyAdmin):
    list_display = ["id", "store", "category", "status", "created_at", "posted_at"]
    list_filter = ["status"]
    list_select_related = ["store", "category"]


@admin.register(ReorderRule)
class ReorderRuleAdmin(admin.ModelAdmin):
    list_display = ["store", "product", "reorder_point", "order_up_to", "method"]
    search_fields = ["product__sku", "store__code"]
    list_select_related = ["store", "product"]
    raw_id_fields = ["store", "product"]


@admin.register(StockSnapshot)
class StockSnapshotAdmin(ReadOnlyAdmin):
    list_display = ["business_date", "store", "product", "on_hand", "value", "last_sold_on"]
    list_filter = ["business_date"]
    search_fields = ["product__sku", "store__code"]
    list_select_related = ["store", "product"]
    date_hierarchy = "business_date"
    show_full_result_count = False  # millions of rows: no COUNT(*) per page


@admin.register(StockSnapshotRun)
class StockSnapshotRunAdmin(ReadOnlyAdmin):
    list_display = ["business_date", "store", "rows", "finished_at"]
    search_fields = ["store__code"]
    list_select_related = ["store"]
    date_hierarchy = "business_date"


@admin.register(StockSnapshotSummary)
class StockSnapshotSummaryAdmin(ReadOnlyAdmin):
    list_display = ["business_date", "store", "skus", "on_hand", "value"]
    search_fields = ["store__code"]
    list_select_related = ["store"]
    date_hierarchy = "business_date"


@admin.register(ReplenishmentBatch)
class ReplenishmentBatchAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "store", "created_by", "key"]
    search_fields = ["store__code", "key"]
    list_select_related = ["store", "created_by"]
    filter_horizontal = ["purchase_orders", "transfers"]
