"""The SLA sweep (celery beat, every 5 minutes): an open complaint that has breached a
clock escalates to the regional ops of its store's region, exactly once.

A breach: the first response or the resolution came after its due time, or has not come
and its due time has passed (``Complaint.breached``). Each complaint is claimed with an
``UPDATE … WHERE escalated_at IS NULL`` in its own transaction together with its timeline
event and its notifications, so a sweep that is retried, runs twice at once or is killed
half-way never escalates or notifies a complaint twice, and loses none.
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from opsdesk.platform.notifications.services import notify
from stores.i18n import store_label
from stores.models import RegionAssignment

from ..models import Complaint, ComplaintEvent, Kind, breached_q


def complaints_escalate_breached(*, now: datetime.datetime | None = None) -> int:
    """Escalate every open complaint that has breached a clock and is not escalated yet;
    returns how many this run escalated."""
    now = now or timezone.now()
    candidates = list(
        Complaint.objects.filter(
            breached_q(now),
            kind=Kind.COMPLAINT,
            status__in=Complaint.OPEN_STATUSES,
            escalated_at__isnull=True,
        )
        .select_related("store")
        .order_by("pk")
    )
    if not candidates:
        return 0
    regional = defaultdict(list)
    for assignment in RegionAssignment.objects.filter(
        region_id__in={c.store.region_id for c in candidates}, user__is_active=True
    ).select_related("user"):
        regional[assignment.region_id].append(assignment.user)
    escalated = 0
    for complaint in candidates:
        with transaction.atomic():
            claimed = (
                Complaint.objects.filter(
                    pk=complaint.pk,
                    escalated_at__isnull=True,
                    status__in=Complaint.OPEN_STATUSES,
                )
                .filter(breached_q(now))
                .update(escalated_at=now, version=F("version") + 1)
            )
            if not claimed:
                continue
            # No text: the timeline says which clock breached in each reader's language.
            ComplaintEvent.objects.create(
                complaint=complaint, kind=ComplaintEvent.Kind.ESCALATED, at=now
            )
            _notify_escalated(complaint, now, regional[complaint.store.region_id])
            escalated += 1
    return escalated


def _notify_escalated(complaint: Complaint, now: datetime.datetime, users: list) -> None:
    """Tell the region's ops, each in their own language."""
    notify(
        users=users,
        title=lambda: (
            _("Complaint %(number)s at %(store)s breached its SLA")
            % {"number": complaint.number, "store": store_label(complaint.store)}
        ),
        body=lambda: f"{complaint.breach_text(now)}\n\n{complaint.description[:300]}",
        url=reverse("customers:complaint_detail", kwargs={"pk": complaint.pk}),
        topic=f"complaint-escalated:{complaint.pk}",
    )
