"""The admin's read-only base classes. Domain records change only through their services
(role, scope, rules, notifications), so every domain's admin shows them and nothing more."""

from django.contrib import admin


class _NoWrites:
    """No add, change or delete, for a model admin and an inline alike."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(_NoWrites, admin.ModelAdmin):
    pass


class ReadOnlyInline(_NoWrites, admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False
