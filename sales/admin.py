from django.contrib import admin

from opsdesk.platform.admin import ReadOnlyAdmin

# Receipts and batches come from imports, daily sales are derived from them, and
# targets and promotions change through their services (splits, overlap rules): the admin
# only shows them.
from .models import DailySales, ImportBatch, ImportSource, MonthTarget, Promotion, Receipt


@admin.register(ImportSource)
class ImportSourceAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "encoding"]


@admin.register(ImportBatch)
class ImportBatchAdmin(ReadOnlyAdmin):
    list_display = ["pk", "file_name", "channel", "status", "rows_total", "error_count"]
    list_filter = ["status", "channel"]


@admin.register(Receipt)
class ReceiptAdmin(ReadOnlyAdmin):
    list_display = ["receipt_number", "store", "business_date", "till", "cashier"]
    list_filter = ["business_date"]
    list_select_related = ["store"]
    search_fields = ["receipt_number"]


@admin.register(DailySales)
class DailySalesAdmin(ReadOnlyAdmin):
    list_display = ["store", "business_date", "net_sales", "transactions", "units", "footfall"]
    list_select_related = ["store"]


@admin.register(MonthTarget)
class MonthTargetAdmin(ReadOnlyAdmin):
    list_display = ["month", "amount", "method", "locked"]


@admin.register(Promotion)
class PromotionAdmin(ReadOnlyAdmin):
    list_display = ["name", "start_date", "end_date", "discount_pct"]
