"""The Django admin for checklists: read-only, for support and head office.

Templates, schedules, runs and corrective actions change only through the checklist
pages and API, whose services keep templates versioned (a published version is never
edited), answers attributed and actions closed with evidence. The admin shows the same
records with filters and search, and changes nothing.
"""

from django.contrib import admin

from opsdesk.platform.admin import ReadOnlyAdmin, ReadOnlyInline

from .models import (
    Answer,
    ChecklistRun,
    ChecklistSchedule,
    ChecklistTemplate,
    CorrectiveAction,
    RunEvent,
    TemplateItem,
    TemplateSection,
    TemplateVersion,
)


class VersionInline(ReadOnlyInline):
    model = TemplateVersion
    fields = ["number", "status", "published_at"]
    readonly_fields = fields


@admin.register(ChecklistTemplate)
class ChecklistTemplateAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "name_zh", "kind", "created_at"]
    list_filter = ["kind"]
    search_fields = ["code", "name", "name_zh"]
    inlines = [VersionInline]


class SectionInline(ReadOnlyInline):
    model = TemplateSection


class ItemInline(ReadOnlyInline):
    model = TemplateItem


@admin.register(TemplateVersion)
class TemplateVersionAdmin(ReadOnlyAdmin):
    list_display = ["template", "number", "status", "published_at"]
    list_filter = ["status", "template__kind"]
    search_fields = ["template__code", "template__name"]
    list_select_related = ["template"]
    inlines = [SectionInline]


@admin.register(ChecklistSchedule)
class ChecklistScheduleAdmin(ReadOnlyAdmin):
    list_display = ["template", "recurrence", "due_time", "active"]
    list_filter = ["recurrence", "active"]
    search_fields = ["template__code", "template__name"]
    list_select_related = ["template"]


class AnswerInline(ReadOnlyInline):
    model = Answer


class EventInline(ReadOnlyInline):
    model = RunEvent


@admin.register(ChecklistRun)
class ChecklistRunAdmin(ReadOnlyAdmin):
    list_display = ["store", "business_date", "kind", "status", "timeliness", "score"]
    list_filter = ["kind", "status", "timeliness", "store__region"]
    search_fields = ["store__code", "store__name"]
    date_hierarchy = "business_date"
    list_select_related = ["store"]
    inlines = [AnswerInline, EventInline]


@admin.register(CorrectiveAction)
class CorrectiveActionAdmin(ReadOnlyAdmin):
    list_display = ["title", "store", "status", "critical", "assignee", "due_date"]
    list_filter = ["status", "critical", "store__region"]
    search_fields = ["title", "store__code"]
    date_hierarchy = "due_date"
    list_select_related = ["store", "assignee"]
