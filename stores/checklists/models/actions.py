"""Corrective actions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from stores.access import (
    ScopedQuerySet,
)

from .runs import ChecklistPhoto, ChecklistRun
from .templates import TemplateItem


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
