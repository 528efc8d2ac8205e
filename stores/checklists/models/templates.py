"""Checklist templates, their versions, sections and items, and schedules."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from stores.access import (
    ChainWideQuerySet,
    RuleScopedQuerySet,
    visible_store_ids,
)


class ChecklistTemplate(models.Model):
    class Kind(models.TextChoices):
        CHECKLIST = "checklist", _("Checklist")
        AUDIT = "audit", _("Visit audit")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    name_zh = models.CharField(_("name (Chinese)"), max_length=120, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.CHECKLIST)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ChainWideQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("checklist template")
        verbose_name_plural = _("checklist templates")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class TemplateVersion(models.Model):
    """A frozen copy of a template. Only a draft changes; runs point at their version."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        RETIRED = "retired", _("Retired")

    template = models.ForeignKey(
        ChecklistTemplate,
        on_delete=models.CASCADE,
        related_name="versions",
        verbose_name=_("template"),
    )
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("published by"),
    )

    objects = ChainWideQuerySet.as_manager()

    class Meta:
        ordering = ["template", "-number"]
        verbose_name = _("template version")
        verbose_name_plural = _("template versions")
        constraints = [
            models.UniqueConstraint(fields=["template", "number"], name="uniq_template_version"),
            models.UniqueConstraint(
                fields=["template"],
                condition=Q(status="published"),
                name="one_published_version",
            ),
            models.UniqueConstraint(
                fields=["template"], condition=Q(status="draft"), name="one_draft_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.template.code} v{self.number}"


class TemplateSection(models.Model):
    version = models.ForeignKey(
        TemplateVersion,
        on_delete=models.CASCADE,
        related_name="sections",
        verbose_name=_("version"),
    )
    title = models.CharField(_("title"), max_length=120)
    title_zh = models.CharField(_("title (Chinese)"), max_length=120, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = ChainWideQuerySet.as_manager()

    class Meta:
        ordering = ["version", "order", "pk"]
        verbose_name = _("template section")
        verbose_name_plural = _("template sections")

    def __str__(self) -> str:
        return self.title


class TemplateItem(models.Model):
    class Kind(models.TextChoices):
        YES_NO = "yes_no", _("Yes / no")
        NUMBER = "number", _("Number")
        TEXT = "text", _("Text")
        SINGLE_CHOICE = "single_choice", _("Single choice")
        PHOTO = "photo", _("Photo")
        SIGNATURE = "signature", _("Signature")

    # Kinds that pass or fail, and so carry points; the others are only answered.
    SCORED_KINDS = frozenset({Kind.YES_NO, Kind.NUMBER, Kind.SINGLE_CHOICE})

    section = models.ForeignKey(
        TemplateSection, on_delete=models.CASCADE, related_name="items", verbose_name=_("section")
    )
    # Denormalised from the section: answers and scores are looked up by version.
    version = models.ForeignKey(
        TemplateVersion, on_delete=models.CASCADE, related_name="items", verbose_name=_("version")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    prompt = models.CharField(_("prompt"), max_length=255)
    prompt_zh = models.CharField(_("prompt (Chinese)"), max_length=255, blank=True)
    instructions = models.TextField(_("instructions"), blank=True)
    instructions_zh = models.TextField(_("instructions (Chinese)"), blank=True)
    points = models.PositiveSmallIntegerField(
        _("points"), default=1, validators=[MaxValueValidator(100)]
    )
    critical = models.BooleanField(_("critical"), default=False)
    required = models.BooleanField(_("required"), default=True)
    min_value = models.DecimalField(
        _("minimum"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    max_value = models.DecimalField(
        _("maximum"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    unit = models.CharField(_("unit"), max_length=16, blank=True)
    # single_choice: [{"value": "clean", "label": "Clean", "label_zh": "干净", "fails": false}]
    options = models.JSONField(_("options"), default=list, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = ChainWideQuerySet.as_manager()

    class Meta:
        ordering = ["version", "section__order", "order", "pk"]
        verbose_name = _("template item")
        verbose_name_plural = _("template items")
        constraints = [
            models.CheckConstraint(
                condition=Q(min_value__isnull=True)
                | Q(max_value__isnull=True)
                | Q(max_value__gte=models.F("min_value")),
                name="item_max_not_below_min",
            ),
        ]

    def __str__(self) -> str:
        return self.prompt

    @property
    def scored(self) -> bool:
        return self.kind in self.SCORED_KINDS and self.points > 0


class ScheduleQuerySet(RuleScopedQuerySet):
    def in_scope(self, user) -> ScheduleQuerySet:
        """The schedules reaching one of the user's stores, directly or by region."""
        ids = visible_store_ids(user)
        through_store = ChecklistSchedule.stores.through.objects.filter(
            checklistschedule_id=models.OuterRef("pk"), store_id__in=ids
        )
        through_region = ChecklistSchedule.regions.through.objects.filter(
            checklistschedule_id=models.OuterRef("pk"), region__stores__in=ids
        )
        return self.filter(models.Exists(through_store) | models.Exists(through_region))


class ChecklistSchedule(models.Model):
    """Which stores get a template's runs, on which days, due when (store-local time)."""

    class Recurrence(models.TextChoices):
        DAILY = "daily", _("Every day")
        WEEKDAYS = "weekdays", _("Chosen weekdays")
        WEEKLY = "weekly", _("Weekly")
        MONTHLY = "monthly", _("Monthly")

    template = models.ForeignKey(
        ChecklistTemplate,
        on_delete=models.CASCADE,
        related_name="schedules",
        verbose_name=_("template"),
    )
    stores = models.ManyToManyField(
        "stores.Store", blank=True, related_name="checklist_schedules", verbose_name=_("stores")
    )
    regions = models.ManyToManyField(
        "stores.Region", blank=True, related_name="checklist_schedules", verbose_name=_("regions")
    )
    recurrence = models.CharField(
        _("recurrence"), max_length=10, choices=Recurrence.choices, default=Recurrence.DAILY
    )
    # 0 = Monday … 6 = Sunday; "weekdays" uses all of them, "weekly" exactly one.
    weekdays = models.JSONField(_("weekdays"), default=list, blank=True)
    day_of_month = models.PositiveSmallIntegerField(
        _("day of month"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(31)],
        help_text=_("31 means the last day of every month."),
    )
    due_time = models.TimeField(_("due at (store time)"))
    grace_minutes = models.PositiveIntegerField(_("grace period (minutes)"), default=0)
    allow_late = models.BooleanField(_("late submission allowed"), default=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ScheduleQuerySet.as_manager()

    class Meta:
        ordering = ["template__code", "pk"]
        verbose_name = _("checklist schedule")
        verbose_name_plural = _("checklist schedules")

    def __str__(self) -> str:
        return f"{self.template.code} {self.get_recurrence_display()} {self.due_time:%H:%M}"
