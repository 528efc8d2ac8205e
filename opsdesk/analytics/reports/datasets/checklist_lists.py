"""The exports of the checklist lists."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from stores.checklists import filters as checklist_filters
from stores.checklists import selectors as checklist_selectors

from .base import (
    BOOL,
    CHOICES,
    DATE,
    DATETIME,
    NUMBER,
    Column,
    register,
)
from .querysets import queryset_dataset

register(
    queryset_dataset(
        "checklist_runs",
        _("Checklist runs"),
        selector=checklist_selectors.run_list,
        filterset=checklist_filters.ChecklistRunFilterSet,
        list_route="checklists:today",
        fields=[
            ("business_date", Column(_("Business date"), DATE)),
            ("store__code", Column(_("Store"))),
            ("version__template__code", Column(_("Template"))),
            ("kind", Column(_("Kind"), convert=CHOICES)),
            ("status", Column(_("Status"), convert=CHOICES)),
            (
                "timeliness",
                Column(_("Timeliness"), convert=CHOICES),
            ),
            ("due_at", Column(_("Due"), DATETIME)),
            ("submitted_at", Column(_("Submitted"), DATETIME)),
            ("submitted_by__username", Column(_("Submitted by"))),
            ("score", Column(_("Score %"), NUMBER)),
            ("failed_critical", Column(_("A critical item failed"), BOOL)),
            ("open_actions", Column(_("Open corrective actions"), NUMBER)),
        ],
    )
)

register(
    queryset_dataset(
        "corrective_actions",
        _("Corrective actions"),
        selector=checklist_selectors.action_list,
        filterset=checklist_filters.CorrectiveActionFilterSet,
        list_route="checklists:action_list",
        fields=[
            ("id", Column(_("Id"), NUMBER)),
            ("store__code", Column(_("Store"))),
            ("title", Column(_("Title"))),
            ("critical", Column(_("Critical"), BOOL)),
            (
                "status",
                Column(_("Status"), convert=CHOICES),
            ),
            ("assignee__username", Column(_("Assignee"))),
            ("due_date", Column(_("Due date"), DATE)),
            ("created_at", Column(_("Created"), DATETIME)),
            ("closed_at", Column(pgettext_lazy("time a record was closed", "Closed"), DATETIME)),
            ("verified_at", Column(_("Verified"), DATETIME)),
        ],
    )
)
