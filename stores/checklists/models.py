"""Checklists and visit audits: versioned templates, schedules, runs, answers, photos,
corrective actions. Imported by ``stores/models.py`` (app label ``stores``).

The rules (versioning, scoring, timeliness, schedules) are in ``docs/checklists.md``;
the workflow lives in ``services.py``. Templates, their versions, sections and items
are chain-wide configuration: everyone with a role reads them, head office writes them.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from stores.access import (
    ChainWideQuerySet,
    RuleScopedQuerySet,
    ScopedQuerySet,
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


class ChecklistRun(models.Model):
    """One filling of one template version at one store for one business date."""

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("checklist run status", "Open")
        IN_PROGRESS = "in_progress", _("In progress")
        SUBMITTED = "submitted", _("Submitted")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        MISSED = "missed", _("Missed")

    class Timeliness(models.TextChoices):
        PENDING = "pending", _("Pending")
        ON_TIME = "on_time", _("On time")
        LATE = "late", _("Late")
        MISSED = "missed", _("Missed")

    EDITABLE = frozenset({Status.OPEN, Status.IN_PROGRESS})
    DONE = frozenset({Status.SUBMITTED, Status.ACKNOWLEDGED})

    kind = models.CharField(_("kind"), max_length=10, choices=ChecklistTemplate.Kind.choices)
    version = models.ForeignKey(
        TemplateVersion, on_delete=models.PROTECT, related_name="runs", verbose_name=_("version")
    )
    schedule = models.ForeignKey(
        ChecklistSchedule,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="runs",
        verbose_name=_("schedule"),
    )
    store = models.ForeignKey(
        "stores.Store",
        on_delete=models.CASCADE,
        related_name="checklist_runs",
        verbose_name=_("store"),
    )
    business_date = models.DateField(_("business date"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default="open")
    timeliness = models.CharField(
        _("timeliness"), max_length=8, choices=Timeliness.choices, default="pending"
    )
    # Copied from the schedule when the run is made, so that a later change never
    # rewrites a past run. Unscheduled runs (audits) have no due time.
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    deadline_at = models.DateTimeField(_("due, with grace"), null=True, blank=True)
    day_ends_at = models.DateTimeField(_("end of business day"), null=True, blank=True)
    allow_late = models.BooleanField(_("late submission allowed"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("started by"),
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    first_submitted_at = models.DateTimeField(_("first submitted"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    points_earned = models.DecimalField(
        _("points earned"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    points_possible = models.DecimalField(
        _("points possible"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    score = models.DecimalField(
        _("score (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    failed_critical = models.BooleanField(_("a critical item failed"), default=False)
    passed = models.BooleanField(_("passed"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("acknowledged by"),
    )

    scope_store_path = "store"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-business_date", "due_at", "pk"]
        verbose_name = _("checklist run")
        verbose_name_plural = _("checklist runs")
        constraints = [
            # A scheduled run exists once, however often the creating task runs.
            models.UniqueConstraint(
                fields=["schedule", "store", "business_date"],
                condition=Q(schedule__isnull=False),
                name="uniq_run_per_schedule_day",
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=0, score__lte=100),
                name="run_score_percent",
            ),
        ]
        indexes = [
            models.Index(fields=["store", "business_date"], name="run_store_date_idx"),
            models.Index(fields=["business_date", "kind"], name="run_date_kind_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.store_id} {self.business_date} v{self.version_id}"

    @property
    def editable(self) -> bool:
        return self.status in self.EDITABLE


class RunEvent(models.Model):
    """What happened to a run, by whom and when: the record of reopenings and reviews."""

    class Kind(models.TextChoices):
        STARTED = "started", _("Started")
        SUBMITTED = "submitted", _("Submitted")
        REOPENED = "reopened", _("Reopened")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        MISSED = "missed", _("Missed")

    run = models.ForeignKey(
        ChecklistRun, on_delete=models.CASCADE, related_name="events", verbose_name=_("run")
    )
    kind = models.CharField(_("event"), max_length=12, choices=Kind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    note = models.TextField(_("note"), blank=True)

    scope_store_path = "run__store"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("run event")
        verbose_name_plural = _("run events")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"


class ChecklistPhoto(models.Model):
    """An uploaded photo: re-encoded (no EXIF), with a thumbnail, served only in scope."""

    store = models.ForeignKey(
        "stores.Store", on_delete=models.CASCADE, related_name="+", verbose_name=_("store")
    )
    run = models.ForeignKey(
        ChecklistRun,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="photos",
        verbose_name=_("run"),
    )
    image = models.CharField(_("image file"), max_length=200)
    thumbnail = models.CharField(_("thumbnail file"), max_length=200)
    width = models.PositiveIntegerField(_("width"))
    height = models.PositiveIntegerField(_("height"))
    size = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_at = models.DateTimeField(_("uploaded"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )

    scope_store_path = "store"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-uploaded_at", "pk"]
        verbose_name = _("checklist photo")
        verbose_name_plural = _("checklist photos")

    def __str__(self) -> str:
        return f"photo {self.pk}"


class Answer(models.Model):
    """The current answer to one item of one run (one row, updated on each answer)."""

    run = models.ForeignKey(
        ChecklistRun, on_delete=models.CASCADE, related_name="answers", verbose_name=_("run")
    )
    item = models.ForeignKey(
        TemplateItem, on_delete=models.PROTECT, related_name="answers", verbose_name=_("item")
    )
    not_applicable = models.BooleanField(_("not applicable"), default=False)
    choice = models.CharField(_("choice"), max_length=64, blank=True)
    number = models.DecimalField(_("number"), max_digits=12, decimal_places=2, null=True)
    text = models.TextField(_("text"), blank=True)
    photo = models.ForeignKey(
        ChecklistPhoto,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("photo"),
    )
    note = models.TextField(_("note"), blank=True)
    # True pass, False fail, None not scored (text, photo, signature, not applicable).
    passed = models.BooleanField(_("passed"), null=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("answered by"),
    )
    answered_at = models.DateTimeField(_("answered"))

    scope_store_path = "run__store"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["run", "item__section__order", "item__order", "item__pk"]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(fields=["run", "item"], name="uniq_answer_per_item"),
        ]

    def __str__(self) -> str:
        return f"{self.run_id}/{self.item_id}"


class AnswerHistory(models.Model):
    """Every answer given, in order: two people answering one item both stay on record."""

    run = models.ForeignKey(
        ChecklistRun, on_delete=models.CASCADE, related_name="+", verbose_name=_("run")
    )
    item = models.ForeignKey(
        TemplateItem, on_delete=models.CASCADE, related_name="+", verbose_name=_("item")
    )
    value = models.JSONField(_("value"))
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("answered by"),
    )
    answered_at = models.DateTimeField(_("answered"))

    scope_store_path = "run__store"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["answered_at", "pk"]
        verbose_name = _("answer history")
        verbose_name_plural = _("answer history")

    def __str__(self) -> str:
        return f"{self.run_id}/{self.item_id} {self.answered_at:%Y-%m-%d %H:%M}"


class CorrectiveAction(models.Model):
    """Opened for each failed item when a run is submitted."""

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("corrective action status", "Open")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        VERIFIED = "verified", _("Verified")

    OPEN_STATUSES = frozenset({Status.OPEN, Status.IN_PROGRESS})

    store = models.ForeignKey(
        "stores.Store",
        on_delete=models.CASCADE,
        related_name="corrective_actions",
        verbose_name=_("store"),
    )
    run = models.ForeignKey(
        ChecklistRun,
        on_delete=models.CASCADE,
        related_name="corrective_actions",
        verbose_name=_("run"),
    )
    item = models.ForeignKey(
        TemplateItem, on_delete=models.PROTECT, related_name="+", verbose_name=_("item")
    )
    title = models.CharField(_("title"), max_length=255)
    critical = models.BooleanField(_("critical"), default=False)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="corrective_actions",
        verbose_name=_("assignee"),
    )
    due_date = models.DateField(_("due date"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default="open")
    note = models.TextField(_("note"), blank=True)
    evidence = models.ForeignKey(
        ChecklistPhoto,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("photo evidence"),
    )
    created_at = models.DateTimeField(_("created"))
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("closed by"),
    )
    verified_at = models.DateTimeField(_("verified"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("verified by"),
    )
    # The store-local date of the last overdue reminder: at most one per action per day.
    overdue_notified_on = models.DateField(_("overdue reminder sent"), null=True, blank=True)

    scope_store_path = "store"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["due_date", "pk"]
        verbose_name = _("corrective action")
        verbose_name_plural = _("corrective actions")
        constraints = [
            models.UniqueConstraint(fields=["run", "item"], name="uniq_action_per_failed_item"),
        ]
        indexes = [
            models.Index(
                fields=["due_date"],
                name="action_open_due_idx",
                condition=Q(status__in=["open", "in_progress"]),
            ),
            # The overdue KPI reads the actions open at a date's close: not closed, or
            # closed after it (a bounded read, however long the history).
            models.Index(fields=["closed_at"], name="action_closed_at_idx"),
        ]

    def __str__(self) -> str:
        return self.title
