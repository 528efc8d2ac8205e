from django.contrib import admin

from .models import KpiRun, KpiThreshold


@admin.register(KpiRun)
class KpiRunAdmin(admin.ModelAdmin):
    list_display = [
        "business_date",
        "status",
        "trigger",
        "store_count",
        "row_count",
        "started_at",
        "finished_at",
    ]
    list_filter = ["status", "trigger"]
    date_hierarchy = "business_date"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(KpiThreshold)
class KpiThresholdAdmin(admin.ModelAdmin):
    list_display = ["code", "green", "amber", "updated_by", "updated_at"]
