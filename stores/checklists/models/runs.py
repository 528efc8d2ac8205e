"""Checklist runs, their events, photos, answers and answer history."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from stores.access import (
    ScopedQuerySet,
)

from .templates import ChecklistSchedule, ChecklistTemplate, TemplateItem, TemplateVersion


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
