"""The exports of the complaints list."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from customers import filters as customer_filters
from customers import selectors as customer_selectors

from .base import (
    CHOICES,
    DATETIME,
    NUMBER,
    Column,
    numbered,
    register,
)
from .querysets import queryset_dataset

# No personal data: the customer appears only as a member number (none for a non-member).

register(
    queryset_dataset(
        "complaints",
        _("Complaints"),
        selector=customer_selectors.complaint_list,
        filterset=customer_filters.ComplaintFilterSet,
        list_route="customers:complaint_list",
        fields=[
            ("id", Column(_("Complaint"), convert=numbered("CMP"))),
            ("received_at", Column(_("Received at"), DATETIME)),
            ("store__region__code", Column(_("Region"))),
            ("store__code", Column(_("Store"))),
            ("kind", Column(_("Kind"), convert=CHOICES)),
            ("channel", Column(_("Channel"), convert=CHOICES)),
            ("category", Column(_("Category"), convert=CHOICES)),
            ("severity", Column(_("Severity"), convert=CHOICES)),
            ("status", Column(_("Status"), convert=CHOICES)),
            ("description", Column(_("Description"))),
            ("receipt_reference", Column(_("Receipt or transaction"))),
            ("product__sku", Column(_("SKU"))),
            ("customer__member_number", Column(_("Member number"))),
            ("assignee__username", Column(_("Assignee"))),
            ("first_response_due_at", Column(_("First response due"), DATETIME)),
            ("first_responded_at", Column(_("First responded"), DATETIME)),
            ("resolution_due_at", Column(_("Resolution due"), DATETIME)),
            ("first_resolved_at", Column(_("First resolved"), DATETIME)),
            ("closed_at", Column(pgettext_lazy("time a record was closed", "Closed"), DATETIME)),
            ("escalated_at", Column(_("Escalated"), DATETIME)),
            ("compensation", Column(_("Compensation"), NUMBER)),
            ("reopen_count", Column(_("Times reopened"), NUMBER)),
        ],
    )
)
