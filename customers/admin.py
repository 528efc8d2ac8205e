"""Head office reads complaints and customers in the admin; changes go through the pages
and the API (the services), so the admin is read-only for them."""

from django.contrib import admin

from opsdesk.platform.admin import ReadOnlyAdmin

from .models import Complaint, ComplaintEvent, Customer, SlaTarget


class ComplaintEventInline(admin.TabularInline):
    model = ComplaintEvent
    extra = 0
    fields = ["at", "kind", "user", "text", "from_status", "to_status"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Complaint)
class ComplaintAdmin(ReadOnlyAdmin):
    list_display = [
        "number",
        "store",
        "kind",
        "category",
        "severity",
        "status",
        "received_at",
        "escalated_at",
    ]
    list_filter = ["kind", "status", "severity", "category", "channel", "store__region"]
    search_fields = ["description", "receipt_reference", "store__code"]
    list_select_related = ["store"]
    date_hierarchy = "received_at"
    inlines = [ComplaintEventInline]


@admin.register(Customer)
class CustomerAdmin(ReadOnlyAdmin):
    list_display = ["name", "member_number", "phone", "email", "created_at"]
    search_fields = ["name", "member_number", "phone", "email"]


@admin.register(SlaTarget)
class SlaTargetAdmin(ReadOnlyAdmin):
    list_display = [
        "severity",
        "category",
        "first_response_minutes",
        "resolution_minutes",
        "updated_at",
    ]
