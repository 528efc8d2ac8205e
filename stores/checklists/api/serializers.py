"""Presentation only: the rules are in the services.

Inputs are JSON (the viewsets parse nothing else, photos aside) and typed strictly: a
number where a text is expected is refused (``StrictCharField``), as the schema says.
"""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from opsdesk.platform.api.fields import StrictCharField, StrictSlugField
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
    code = StrictSlugField(max_length=40)
    name = StrictCharField(max_length=120)
    name_zh = StrictCharField(max_length=120, required=False, allow_blank=True)

    class Meta:
        model = ChecklistTemplate
        fields = ["id", "code", "name", "name_zh", "kind", "versions"]
        read_only_fields = ["id", "versions"]


class OptionSerializer(serializers.Serializer):
    """One choice of a single-choice item; its value is what an answer gives."""

    value = StrictCharField(max_length=64)
    label = StrictCharField(max_length=255, required=False, allow_blank=True)
    label_zh = StrictCharField(max_length=255, required=False, allow_blank=True)
    fails = serializers.BooleanField(default=False, help_text="Choosing it fails the item.")


class ItemCreateSerializer(serializers.Serializer):
    section = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=TemplateItem.Kind.choices)
    prompt = StrictCharField(max_length=255)
    prompt_zh = StrictCharField(max_length=255, required=False, allow_blank=True)
    instructions = StrictCharField(required=False, allow_blank=True)
    instructions_zh = StrictCharField(required=False, allow_blank=True)
    points = serializers.IntegerField(min_value=0, max_value=100, default=1)
    critical = serializers.BooleanField(default=False)
    required = serializers.BooleanField(default=True)
    min_value = serializers.DecimalField(
        max_digits=10, decimal_places=2, required=False, allow_null=True
    )
    max_value = serializers.DecimalField(
        max_digits=10, decimal_places=2, required=False, allow_null=True
    )
    unit = StrictCharField(max_length=16, required=False, allow_blank=True)
    options = OptionSerializer(many=True, required=False)

    @staticmethod
    def schema_rules(*, partial: bool) -> dict:
        """The service's rules across fields, for the schema: only yes/no, number and
        single-choice items can be critical; a number item needs a minimum or maximum; a
        single-choice item at least two options. (Options' values must also be distinct,
        and a maximum not below the minimum: JSON Schema cannot say so.)"""
        kinds = set(TemplateItem.Kind.values)

        def kind(*names) -> dict:  # allOf: see ChecklistScheduleSerializer.schema_rules
            return {"kind": {"allOf": [{"enum": sorted(names)}]}}

        bound = {"type": "string"}  # given, and not null
        critical = [
            {"properties": {"critical": {"allOf": [{"enum": [False]}]}}},
            {"properties": kind(*TemplateItem.SCORED_KINDS)},
        ]
        number = [
            {"properties": kind(*kinds - {"number"})},
            {"properties": {**kind("number"), "min_value": bound}, "required": ["min_value"]},
            {"properties": {**kind("number"), "max_value": bound}, "required": ["max_value"]},
        ]
        choices = [
            {"properties": kind(*kinds - {"single_choice"})},
            {
                "properties": {**kind("single_choice"), "options": {"minItems": 2}},
                "required": ["options"],
            },
        ]
        return {"allOf": [{"anyOf": critical}, {"anyOf": number}, {"anyOf": choices}]}


class SectionCreateSerializer(serializers.Serializer):
    title = StrictCharField(max_length=120)
    title_zh = StrictCharField(max_length=120, required=False, allow_blank=True)


class ChecklistScheduleSerializer(serializers.ModelSerializer):
    """The rules across fields are checked here, on the body alone (a 400), and in the
    schema (``schema_rules``); a change that only clashes with the schedule's stored
    values (``stores: []`` while it has no region) is refused by the service (a 409)."""

    # Visit audits are started by regional ops, not scheduled: no such checklist (404).
    template = serializers.PrimaryKeyRelatedField(
        queryset=ChecklistTemplate.objects.filter(kind=ChecklistTemplate.Kind.CHECKLIST)
    )
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

    def validate(self, attrs):
        partial = self.partial
        recurrence = attrs.get("recurrence", None if partial else "daily")
        weekdays = attrs.get("weekdays", None if partial else [])
        errors = {}
        R = ChecklistSchedule.Recurrence
        if recurrence == R.WEEKDAYS and weekdays is not None and not weekdays:
            errors["weekdays"] = [_("Choose at least one weekday.")]
        elif recurrence == R.WEEKLY and weekdays is not None and len(weekdays) != 1:
            errors["weekdays"] = [_("A weekly schedule has exactly one weekday.")]
        day_of_month = attrs.get("day_of_month", "unchanged" if partial else None)
        if recurrence == R.MONTHLY and day_of_month is None:
            errors["day_of_month"] = [_("Choose a day of the month from 1 to 31.")]
        targets = [attrs.get(name, None if partial else []) for name in ("stores", "regions")]
        if all(t is not None and not t for t in targets):
            errors["stores"] = [_("Choose at least one store or region.")]
        if errors:
            raise serializers.ValidationError(errors)
        return attrs

    @staticmethod
    def schema_rules(*, partial: bool) -> dict:
        """What ``validate()`` checks, for the schema: the weekdays or the day of the month
        a recurrence needs, and at least one store or region."""
        needed = {"weekdays": "weekdays", "weekly": "weekdays", "monthly": "day_of_month"}
        # {"allOf": [{"enum": …}]}: a bare enum would be replaced by the whole choice set
        # (drf-spectacular's enum post-processing), which would lose the rule.
        recurrences = [{"properties": {"recurrence": {"allOf": [{"enum": ["daily"]}]}}}]
        for recurrence, extra in (
            ("weekdays", {"weekdays": {"minItems": 1}}),
            ("weekly", {"weekdays": {"minItems": 1, "maxItems": 1}}),
            ("monthly", {"day_of_month": {"type": "integer"}}),  # not null
        ):
            rule = {"properties": {"recurrence": {"allOf": [{"enum": [recurrence]}]}, **extra}}
            rule["required"] = ["recurrence"] if partial else ["recurrence", needed[recurrence]]
            recurrences.append(rule)
        targets = [
            {"properties": {name: {"minItems": 1}}, **({} if partial else {"required": [name]})}
            for name in ("stores", "regions")
        ]
        return {"allOf": [{"anyOf": recurrences}, {"anyOf": targets}]}


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
    value = StrictCharField(required=False, allow_blank=True, max_length=4000)
    not_applicable = serializers.BooleanField(default=False)
    note = StrictCharField(required=False, allow_blank=True, max_length=2000)
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
    open_actions = serializers.SerializerMethodField()

    class Meta(ChecklistRunSerializer.Meta):
        fields = [*ChecklistRunSerializer.Meta.fields, "answers", "events", "section_scores"]
        read_only_fields = fields

    def get_open_actions(self, run) -> int:
        """From the actions ``selectors.run_get`` prefetches (the list counts in SQL)."""
        return sum(a.status in CorrectiveAction.OPEN_STATUSES for a in run.corrective_actions.all())

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
    reason = StrictCharField(max_length=2000)


class NoteSerializer(serializers.Serializer):
    note = StrictCharField(max_length=2000, required=False, allow_blank=True)


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
    note = StrictCharField(required=False, allow_blank=True, max_length=4000)
    evidence = serializers.IntegerField(required=False, allow_null=True)
    due_date = serializers.DateField(required=False)


class PhotoUploadSerializer(serializers.Serializer):
    store = serializers.IntegerField()
    run = serializers.IntegerField(required=False)
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
