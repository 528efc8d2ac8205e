"""The staff models in the Django admin, read-only (for admins): people, availability,
leave, staffing rules, schedules, shifts, swaps and training change only through the
staff pages and API, whose services check the role, the scope and the rules (hours,
rest, overlaps, published weeks) and notify the people concerned."""

from django.contrib import admin

from opsdesk.platform.admin import ReadOnlyAdmin, ReadOnlyInline

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


class AvailabilityInline(ReadOnlyInline):
    model = Availability


class LeaveInline(ReadOnlyInline):
    model = Leave


@admin.register(Employee)
class EmployeeAdmin(ReadOnlyAdmin):
    list_display = ["name", "home_store", "position", "contract_type", "weekly_hours_max", "user"]
    list_filter = ["position", "contract_type", "home_store"]
    list_select_related = ["home_store", "user"]
    search_fields = ["name", "home_store__code", "user__username"]
    inlines = [AvailabilityInline, LeaveInline]


@admin.register(StaffingRule)
class StaffingRuleAdmin(ReadOnlyAdmin):
    list_display = ["store", "weekday", "min_staff", "updated_at"]
    list_select_related = ["store"]


@admin.register(Schedule)
class ScheduleAdmin(ReadOnlyAdmin):
    list_display = ["store", "week_start", "status", "published_at"]
    list_filter = ["status", "week_start"]
    list_select_related = ["store"]


@admin.register(Shift)
class ShiftAdmin(ReadOnlyAdmin):
    list_display = ["business_date", "store", "employee", "start_at", "end_at", "paid_minutes"]
    list_filter = ["business_date"]
    list_select_related = ["store", "employee"]
    search_fields = ["employee__name", "store__code"]


@admin.register(SwapRequest)
class SwapRequestAdmin(ReadOnlyAdmin):
    list_display = ["pk", "shift", "from_employee", "to_employee", "status", "created_at"]
    list_filter = ["status"]
    list_select_related = ["shift", "from_employee", "to_employee"]


@admin.register(Course)
class CourseAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "name_zh", "validity_months", "due_days", "active"]
    search_fields = ["code", "name", "name_zh"]


@admin.register(TrainingAssignment)
class TrainingAssignmentAdmin(ReadOnlyAdmin):
    list_display = ["employee", "course", "status", "due_date", "completed_at"]
    list_filter = ["status", "course"]
    list_select_related = ["employee", "course"]


@admin.register(Certification)
class CertificationAdmin(ReadOnlyAdmin):
    list_display = ["employee", "course", "issued_on", "expires_on"]
    list_select_related = ["employee", "course"]
