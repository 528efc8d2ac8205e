"""Presentation only: the rules are in the services."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from stores.models import Region, Store

from ..models import (
    Answer,
    ChecklistPhoto,
    ChecklistRun,
    ChecklistSchedule,
    ChecklistTemplate,
    CorrectiveAction,
    RunEvent,
    TemplateItem,
    TemplateSection,
    TemplateVersion,
)


class TemplateItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = TemplateItem
        fields = [
            "id",
            "section",
            "kind",
            "prompt",
            "prompt_zh",
            "instructions",
            "instructions_zh",
            "points",
            "critical",
            "required",
            "min_value",
            "max_value",
            "unit",
            "options",
            "order",
        ]
        read_only_fields = ["id"]


class TemplateSectionSerializer(serializers.ModelSerializer):
    items = TemplateItemSerializer(many=True, read_only=True)

    class Meta:
        model = TemplateSection
        fields = ["id", "title", "title_zh", "order", "items"]
        read_only_fields = ["id", "items"]


class TemplateVersionSerializer(serializers.ModelSerializer):
    template_code = serializers.CharField(source="template.code", read_only=True)
    sections = TemplateSectionSerializer(many=True, read_only=True)

    class Meta:
        model = TemplateVersion
        fields = [
            "id",
            "template",
            "template_code",
            "number",
            "status",
            "published_at",
            "sections",
        ]


class VersionSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = TemplateVersion
        fields = ["id", "number", "status", "published_at"]


class ChecklistTemplateSerializer(serializers.ModelSerializer):
    versions = VersionSummarySerializer(many=True, read_only=True, source="current_versions")

    class Meta:
        model = ChecklistTemplate
        fields = ["id", "code", "name", "name_zh", "kind", "versions"]
        read_only_fields = ["id", "versions"]
        extra_kwargs = {"code": {"validators": []}}


class ItemCreateSerializer(serializers.Serializer):
    section = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=TemplateItem.Kind.choices)
    prompt = serializers.CharField(max_length=255)
    prompt_zh = serializers.CharField(max_length=255, required=False, allow_blank=True)
    instructions = serializers.CharField(required=False, allow_blank=True)
    instructions_zh = serializers.CharField(required=False, allow_blank=True)
    points = serializers.IntegerField(min_value=0, max_value=100, default=1)
    critical = serializers.BooleanField(default=False)
    required = serializers.BooleanField(default=True)
    min_value = serializers.DecimalField(
        max_digits=10, decimal_places=2, required=False, allow_null=True
    )
    max_value = serializers.DecimalField(
        max_digits=10, decimal_places=2, required=False, allow_null=True
    )
    unit = serializers.CharField(max_length=16, required=False, allow_blank=True)
    options = serializers.ListField(child=serializers.DictField(), required=False)


class SectionCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=120)
    title_zh = serializers.CharField(max_length=120, required=False, allow_blank=True)


class ChecklistScheduleSerializer(serializers.ModelSerializer):
    template = serializers.PrimaryKeyRelatedField(queryset=ChecklistTemplate.objects.all())
    stores = serializers.PrimaryKeyRelatedField(
        many=True, queryset=Store.objects.all(), required=False
    )
    regions = serializers.PrimaryKeyRelatedField(
        many=True, queryset=Region.objects.all(), required=False
    )
    weekdays = serializers.ListField(
        child=serializers.IntegerField(min_value=0, max_value=6), required=False
    )

    class Meta:
        model = ChecklistSchedule
        fields = [
            "id",
            "template",
            "stores",
            "regions",
            "recurrence",
            "weekdays",
            "day_of_month",
            "due_time",
            "grace_minutes",
            "allow_late",
            "active",
        ]
        read_only_fields = ["id"]


class AnswerSerializer(serializers.ModelSerializer):
    answered_by = serializers.CharField(source="answered_by.username", read_only=True)

    class Meta:
        model = Answer
        fields = [
            "id",
            "item",
            "not_applicable",
            "choice",
            "number",
            "text",
            "photo",
            "note",
            "passed",
            "answered_by",
            "answered_at",
        ]


class AnswerInputSerializer(serializers.Serializer):
    item = serializers.IntegerField()
    value = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    not_applicable = serializers.BooleanField(default=False)
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    photo = serializers.IntegerField(required=False, allow_null=True)


class RunEventSerializer(serializers.ModelSerializer):
    user = serializers.CharField(source="user.username", read_only=True, allow_null=True)

    class Meta:
        model = RunEvent
        fields = ["kind", "user", "at", "note"]


class ChecklistRunSerializer(serializers.ModelSerializer):
    store_code = serializers.CharField(source="store.code", read_only=True)
    template = serializers.IntegerField(source="version.template_id", read_only=True)
    template_code = serializers.CharField(source="version.template.code", read_only=True)
    version_number = serializers.IntegerField(source="version.number", read_only=True)
    open_actions = serializers.IntegerField(read_only=True)

    class Meta:
        model = ChecklistRun
        fields = [
            "id",
            "kind",
            "store",
            "store_code",
            "template",
            "template_code",
            "version",
            "version_number",
            "schedule",
            "business_date",
            "status",
            "timeliness",
            "due_at",
            "deadline_at",
            "allow_late",
            "started_at",
            "submitted_at",
            "score",
            "points_earned",
            "points_possible",
            "failed_critical",
            "passed",
            "acknowledged_at",
            "open_actions",
        ]
        read_only_fields = fields


class SectionScoreSerializer(serializers.Serializer):
    section = serializers.IntegerField()
    title = serializers.CharField()
    score = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)


class ChecklistRunDetailSerializer(ChecklistRunSerializer):
    answers = AnswerSerializer(many=True, read_only=True)
    events = RunEventSerializer(many=True, read_only=True)
    section_scores = serializers.SerializerMethodField()

    class Meta(ChecklistRunSerializer.Meta):
        fields = [*ChecklistRunSerializer.Meta.fields, "answers", "events", "section_scores"]
        read_only_fields = fields

    @extend_schema_field(SectionScoreSerializer(many=True))
    def get_section_scores(self, run):
        from ..selectors import run_sheet

        sheet, _score = run_sheet(run)
        return [
            {
                "section": b.section.pk,
                "title": b.section.title,
                "score": None if b.percent is None else str(b.percent),
            }
            for b in sheet
        ]


class AuditStartSerializer(serializers.Serializer):
    store = serializers.IntegerField()
    template = serializers.IntegerField()


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class CorrectiveActionSerializer(serializers.ModelSerializer):
    store_code = serializers.CharField(source="store.code", read_only=True)
    assignee_username = serializers.CharField(
        source="assignee.username", read_only=True, allow_null=True
    )

    class Meta:
        model = CorrectiveAction
        fields = [
            "id",
            "store",
            "store_code",
            "run",
            "item",
            "title",
            "critical",
            "assignee",
            "assignee_username",
            "due_date",
            "status",
            "note",
            "evidence",
            "created_at",
            "closed_at",
            "verified_at",
        ]
        read_only_fields = fields


class CorrectiveActionUpdateSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=CorrectiveAction.Status.choices, required=False)
    note = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    evidence = serializers.IntegerField(required=False, allow_null=True)
    due_date = serializers.DateField(required=False)


class PhotoUploadSerializer(serializers.Serializer):
    store = serializers.IntegerField()
    run = serializers.IntegerField(required=False, allow_null=True)
    photo = serializers.FileField()


class ChecklistPhotoSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField()

    class Meta:
        model = ChecklistPhoto
        fields = [
            "id",
            "store",
            "run",
            "width",
            "height",
            "size",
            "uploaded_at",
            "url",
            "thumbnail_url",
        ]

    def get_url(self, photo) -> str:
        from django.urls import reverse

        return reverse("checklists:photo", kwargs={"pk": photo.pk})

    def get_thumbnail_url(self, photo) -> str:
        from django.urls import reverse

        return reverse("checklists:photo_thumbnail", kwargs={"pk": photo.pk})
