from django.contrib import admin

from opsdesk.platform.accounts.admin import UserAdmin
from opsdesk.platform.accounts.models import User

from .models import OpeningHours, Region, RegionAssignment, Store, StoreAssignment


class OpeningHoursInline(admin.TabularInline):
    model = OpeningHours
    extra = 0


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_zh"]
    search_fields = ["code", "name", "name_zh"]


@admin.register(Store)
class StoreAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "region", "status", "time_zone", "opening_date"]
    list_filter = ["region", "status"]
    search_fields = ["code", "name", "name_zh"]
    list_select_related = ["region"]
    inlines = [OpeningHoursInline]


@admin.register(StoreAssignment)
class StoreAssignmentAdmin(admin.ModelAdmin):
    list_display = ["user", "store"]
    list_select_related = ["user", "store"]
    autocomplete_fields = ["store"]
    search_fields = ["user__username", "store__code"]


@admin.register(RegionAssignment)
class RegionAssignmentAdmin(admin.ModelAdmin):
    list_display = ["user", "region"]
    list_select_related = ["user", "region"]
    autocomplete_fields = ["region"]
    search_fields = ["user__username", "region__code"]


class StoreAssignmentInline(admin.TabularInline):
    model = StoreAssignment
    extra = 0
    autocomplete_fields = ["store"]


class RegionAssignmentInline(admin.TabularInline):
    model = RegionAssignment
    extra = 0
    autocomplete_fields = ["region"]


# The platform's user admin, with the user's store and region assignments inline.
admin.site.unregister(User)


@admin.register(User)
class UserWithAssignmentsAdmin(UserAdmin):
    inlines = [*UserAdmin.inlines, StoreAssignmentInline, RegionAssignmentInline]
