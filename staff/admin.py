"""The staff models in the Django admin (admins; the app's pages and services are the way
people, shifts and training change, so the records written by services are read-only)."""

from django.contrib import admin

from .models import (
    Availability,
    Certification,
    Course,
    Employee,
    Leave,
    Schedule,
    Shift,
    StaffingRule,
    SwapRequest,
    TrainingAssignment,
)


class AvailabilityInline(admin.TabularInline):
    model = Availability
    extra = 0


class LeaveInline(admin.TabularInline):
    model = Leave
    extra = 0


@admin.register(Employee)
class EmployeeAdmin(admin.ModelAdmin):
    list_display = ["name", "home_store", "position", "contract_type", "weekly_hours_max", "user"]
    list_filter = ["position", "contract_type", "home_store"]
    list_select_related = ["home_store", "user"]
    search_fields = ["name", "home_store__code", "user__username"]
    autocomplete_fields = ["home_store"]
    raw_id_fields = ["user"]
    inlines = [AvailabilityInline, LeaveInline]


@admin.register(StaffingRule)
class StaffingRuleAdmin(admin.ModelAdmin):
    list_display = ["store", "weekday", "min_staff", "updated_at"]
    list_select_related = ["store"]


@admin.register(Schedule)
class ScheduleAdmin(admin.ModelAdmin):
    list_display = ["store", "week_start", "status", "published_at"]
    list_filter = ["status", "week_start"]
    list_select_related = ["store"]
    readonly_fields = [f.name for f in Schedule._meta.fields]


@admin.register(Shift)
class ShiftAdmin(admin.ModelAdmin):
    list_display = ["business_date", "store", "employee", "start_at", "end_at", "paid_minutes"]
    list_filter = ["business_date"]
    list_select_related = ["store", "employee"]
    search_fields = ["employee__name", "store__code"]
    readonly_fields = [f.name for f in Shift._meta.fields]


@admin.register(SwapRequest)
class SwapRequestAdmin(admin.ModelAdmin):
    list_display = ["pk", "shift", "from_employee", "to_employee", "status", "created_at"]
    list_filter = ["status"]
    list_select_related = ["shift", "from_employee", "to_employee"]
    readonly_fields = [f.name for f in SwapRequest._meta.fields]


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_zh", "validity_months", "due_days", "active"]
    search_fields = ["code", "name", "name_zh"]


@admin.register(TrainingAssignment)
class TrainingAssignmentAdmin(admin.ModelAdmin):
    list_display = ["employee", "course", "status", "due_date", "completed_at"]
    list_filter = ["status", "course"]
    list_select_related = ["employee", "course"]
    readonly_fields = [f.name for f in TrainingAssignment._meta.fields]


@admin.register(Certification)
class CertificationAdmin(admin.ModelAdmin):
    list_display = ["employee", "course", "issued_on", "expires_on"]
    list_select_related = ["employee", "course"]
    readonly_fields = [f.name for f in Certification._meta.fields]
