from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from stores.models import RegionAssignment, StoreAssignment

from .models import User
from .services import user_sync_role_access


class StoreAssignmentInline(admin.TabularInline):
    model = StoreAssignment
    extra = 0
    autocomplete_fields = ["store"]


class RegionAssignmentInline(admin.TabularInline):
    model = RegionAssignment
    extra = 0
    autocomplete_fields = ["region"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "first_name", "last_name", "role", "is_active", "is_staff"]
    list_filter = ["role", "is_active", "is_staff", "is_superuser"]
    fieldsets = (*BaseUserAdmin.fieldsets, (_("OpsDesk"), {"fields": ("role", "language")}))
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        (_("OpsDesk"), {"fields": ("role", "language")}),
    )
    inlines = [StoreAssignmentInline, RegionAssignmentInline]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        user_sync_role_access(user=obj)
