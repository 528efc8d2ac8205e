from django.contrib import admin

from .models import DailySales, ImportBatch, ImportSource, MonthTarget, Promotion, Receipt


@admin.register(ImportSource)
class ImportSourceAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "encoding"]


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = ["pk", "file_name", "channel", "status", "rows_total", "error_count"]
    list_filter = ["status", "channel"]
    readonly_fields = [f.name for f in ImportBatch._meta.fields]


@admin.register(Receipt)
class ReceiptAdmin(admin.ModelAdmin):
    list_display = ["receipt_number", "store", "business_date", "till", "cashier"]
    list_filter = ["business_date"]
    list_select_related = ["store"]
    search_fields = ["receipt_number"]
    readonly_fields = [f.name for f in Receipt._meta.fields]


@admin.register(DailySales)
class DailySalesAdmin(admin.ModelAdmin):
    list_display = ["store", "business_date", "net_sales", "transactions", "units", "footfall"]
    list_select_related = ["store"]


@admin.register(MonthTarget)
class MonthTargetAdmin(admin.ModelAdmin):
    list_display = ["month", "amount", "method", "locked"]


@admin.register(Promotion)
class PromotionAdmin(admin.ModelAdmin):
    list_display = ["name", "start_date", "end_date", "discount_pct"]
