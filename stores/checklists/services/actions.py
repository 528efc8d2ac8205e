"""Corrective actions: opened on submit for each failed item; updated, closed, verified;
overdue ones chased by a sweep (at most one reminder per action per store-local day)."""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from opsdesk.platform.notifications.services import notify
from opsdesk.platform.notifications.texts import overdue_text
from opsdesk.platform.roles import Role
from stores.access import ensure_role, ensure_store_in_scope, user_role
from stores.i18n import local_text, store_label
from stores.models import RegionAssignment

from ..models import ChecklistPhoto, ChecklistRun, CorrectiveAction
from .templates import CONFLICT

# Days from the run's business date to the action's due date.
CRITICAL_DUE_DAYS = 1
DEFAULT_DUE_DAYS = 3
UPDATE_ROLES = frozenset({Role.STORE_MANAGER, Role.REGIONAL_OPS, Role.HEAD_OFFICE, Role.ADMIN})
VERIFY_ROLES = frozenset({Role.REGIONAL_OPS, Role.HEAD_OFFICE, Role.ADMIN})
S = CorrectiveAction.Status
TRANSITIONS = {
    S.OPEN: {S.OPEN, S.IN_PROGRESS, S.DONE},
    S.IN_PROGRESS: {S.IN_PROGRESS, S.DONE, S.OPEN},
    S.DONE: {S.DONE, S.VERIFIED, S.IN_PROGRESS},
    S.VERIFIED: {S.VERIFIED},
}


def corrective_actions_open_for_run(
    *, run: ChecklistRun, failed_items, now: datetime.datetime
) -> list[CorrectiveAction]:
    """One action per failed item (a resubmission after a reopen adds none twice)."""
    from stores.selectors import store_managers

    if not failed_items:
        return []
    existing = set(CorrectiveAction.objects.filter(run=run).values_list("item_id", flat=True))
    manager = (store_managers([run.store_id])[run.store_id] or [None])[0]
    new = [
        CorrectiveAction(
            store_id=run.store_id,
            run=run,
            item=item,
            title=item.prompt[:255],
            critical=item.critical,
            assignee=manager,
            due_date=run.business_date
            + datetime.timedelta(days=CRITICAL_DUE_DAYS if item.critical else DEFAULT_DUE_DAYS),
            created_at=now,
        )
        for item in failed_items
        if item.pk not in existing
    ]
    CorrectiveAction.objects.bulk_create(new, ignore_conflicts=True)
    if new and manager is not None:
        notify(
            users=[manager],
            title=lambda: (
                ngettext(
                    "%(count)d corrective action opened at %(store)s",
                    "%(count)d corrective actions opened at %(store)s",
                    len(new),
                )
                % {"count": len(new), "store": store_label(run.store)}
            ),
            body=lambda: "\n".join(local_text(a.item, "prompt") for a in new),
            url=reverse("checklists:action_list") + f"?store={run.store_id}&status=open",
            topic=f"actions-opened:{run.pk}",
        )
    return new


def _can_update(user, action: CorrectiveAction) -> bool:
    return user_role(user) in UPDATE_ROLES or action.assignee_id == user.pk


@transaction.atomic
def corrective_action_update(
    *,
    user,
    action: CorrectiveAction,
    status: str | None = None,
    note: str | None = None,
    assignee=None,
    evidence: ChecklistPhoto | None = None,
    due_date: datetime.date | None = None,
    now: datetime.datetime | None = None,
) -> CorrectiveAction:
    """Work on an action: status, note, photo evidence, assignee, due date.

    Done needs a note or a photo and records who closed it; verified (regional ops or
    head office) needs done first; a verified action no longer changes.
    """
    ensure_store_in_scope(user, action.store_id)
    action = CorrectiveAction.objects.select_for_update().get(pk=action.pk)
    if not _can_update(user, action):
        ensure_role(user, UPDATE_ROLES)
    if action.status == S.VERIFIED:
        raise ValidationError(_("A verified action no longer changes."), code=CONFLICT)
    now = now or timezone.now()
    if note is not None:
        action.note = note.strip()[:4000]
    if evidence is not None:
        if evidence.store_id != action.store_id:
            raise ValidationError({"evidence": [_("This photo belongs to another store.")]})
        action.evidence = evidence
    if assignee is not None:
        ensure_role(user, UPDATE_ROLES)
        if not type(action.store).objects.visible_to(assignee).filter(pk=action.store_id).exists():
            raise ValidationError({"assignee": [_("The assignee does not work at this store.")]})
        action.assignee = assignee
    if due_date is not None:
        ensure_role(user, UPDATE_ROLES)
        action.due_date = due_date
    if status is not None and status != action.status:
        if status not in S.values or status not in TRANSITIONS[action.status]:
            raise ValidationError(
                {
                    "status": [
                        ValidationError(_("This status change is not allowed."), code=CONFLICT)
                    ]
                }
            )
        if status == S.DONE:
            if not action.note and action.evidence_id is None:
                message = _("Say what was done, or add a photo, before closing.")
                raise ValidationError({"note": [ValidationError(message, code=CONFLICT)]})
            action.closed_at, action.closed_by = now, user
        elif status == S.VERIFIED:
            ensure_role(user, VERIFY_ROLES)
            action.verified_at, action.verified_by = now, user
        else:
            action.closed_at = action.closed_by = None
        action.status = status
    action.save()
    return action


def corrective_actions_notify_overdue(*, now: datetime.datetime | None = None) -> int:
    """Remind the assignee and the store's regional ops of each overdue open action.

    Overdue: its due date is before the store's local date. At most one reminder per
    action per local day: the claim is an UPDATE … WHERE, so concurrent sweeps and
    retries never send twice. Returns the number of actions reminded.
    """
    now = now or timezone.now()
    # No store anywhere is further ahead than UTC+14: a cheap first filter in SQL.
    latest_local_date = (now + datetime.timedelta(hours=14)).date()
    candidates = list(
        CorrectiveAction.objects.filter(
            status__in=CorrectiveAction.OPEN_STATUSES, due_date__lt=latest_local_date
        )
        .select_related("store", "assignee", "item")
        .order_by("pk")
    )
    overdue = []
    for action in candidates:
        today = action.store.business_date(now)
        if action.due_date < today and action.overdue_notified_on != today:
            overdue.append((action, today))
    if not overdue:
        return 0
    regional = defaultdict(list)
    for assignment in RegionAssignment.objects.filter(
        region_id__in={a.store.region_id for a, _t in overdue}, user__is_active=True
    ).select_related("user"):
        regional[assignment.region_id].append(assignment.user)
    sent = 0
    for action, today in overdue:
        with transaction.atomic():
            claimed = (
                CorrectiveAction.objects.filter(
                    pk=action.pk, status__in=CorrectiveAction.OPEN_STATUSES
                )
                .exclude(overdue_notified_on=today)
                .update(overdue_notified_on=today)
            )
            if not claimed:
                continue
            _notify_overdue(action, today, [action.assignee, *regional[action.store.region_id]])
            sent += 1
    return sent


def _notify_overdue(action: CorrectiveAction, today: datetime.date, users: list) -> None:
    notify(
        users=users,
        title=lambda: (
            _("Overdue at %(store)s: %(title)s")
            % {"store": store_label(action.store), "title": local_text(action.item, "prompt")[:120]}
        ),
        body=lambda: overdue_text(action.due_date, today),
        url=reverse("checklists:action_detail", kwargs={"pk": action.pk}),
        topic=f"action-overdue:{action.pk}:{today.isoformat()}",
    )
