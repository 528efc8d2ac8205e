"""Runs: creation from schedules (idempotent), answers, submit, reopen, audits, sweeps."""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from opsdesk.platform.roles import ALL_ROLES, Role
from stores.access import ensure_role, ensure_store_in_scope, user_role
from stores.i18n import store_label
from stores.models import OpeningHours, Store
from stores.selectors import store_managers

from ..models import (
    Answer,
    AnswerHistory,
    ChecklistPhoto,
    ChecklistRun,
    ChecklistSchedule,
    ChecklistTemplate,
    RunEvent,
    TemplateItem,
    TemplateVersion,
)
from ..scheduling import occurs_on, run_times, store_open_on
from ..scoring import item_passes, score_run
from .templates import CONFLICT

# Who fills a run: anyone in scope fills a store checklist; only auditors fill an audit.
AUDIT_ROLES = frozenset({Role.REGIONAL_OPS, Role.HEAD_OFFICE, Role.ADMIN})
REOPEN_ROLES = frozenset({Role.STORE_MANAGER, Role.REGIONAL_OPS, Role.HEAD_OFFICE, Role.ADMIN})
ACKNOWLEDGE_ROLES = frozenset({Role.STORE_MANAGER, Role.ADMIN})
YES, NO = "yes", "no"


class MissingRequiredItems(ValidationError):
    """Submit refused: these required items have no answer (the answers given stay)."""

    def __init__(self, items: list[TemplateItem]):
        self.items = items
        super().__init__(
            {"missing_items": [ValidationError(item.prompt, code=CONFLICT) for item in items]}
        )


def _fill_roles(run: ChecklistRun) -> frozenset:
    return AUDIT_ROLES if run.kind == ChecklistTemplate.Kind.AUDIT else ALL_ROLES


def _ensure_can_fill(user, run: ChecklistRun) -> None:
    ensure_store_in_scope(user, run.store_id)
    ensure_role(user, _fill_roles(run))


def _ensure_editable(run: ChecklistRun) -> None:
    if run.status not in ChecklistRun.EDITABLE:
        raise ValidationError(
            _("This run is %(status)s and can no longer change.")
            % {"status": run.get_status_display().lower()},
            code=CONFLICT,
        )


# --- Creating runs from schedules --------------------------------------------------------


def _published_versions(template_ids) -> dict[int, TemplateVersion]:
    versions = TemplateVersion.objects.filter(
        template_id__in=template_ids, status=TemplateVersion.Status.PUBLISHED
    )
    return {v.template_id: v for v in versions}


def _active_schedules():
    """Active schedules with their target store and region ids: three queries."""
    schedules = list(ChecklistSchedule.objects.filter(active=True).select_related("template"))
    ids = [s.pk for s in schedules]
    stores, regions = defaultdict(set), defaultdict(set)
    for sid, store_id in ChecklistSchedule.stores.through.objects.filter(
        checklistschedule_id__in=ids
    ).values_list("checklistschedule_id", "store_id"):
        stores[sid].add(store_id)
    for sid, region_id in ChecklistSchedule.regions.through.objects.filter(
        checklistschedule_id__in=ids
    ).values_list("checklistschedule_id", "region_id"):
        regions[sid].add(region_id)
    for schedule in schedules:
        schedule.target_store_ids = stores[schedule.pk]
        schedule.target_region_ids = regions[schedule.pk]
    return schedules


def plan_runs(store: Store, date: datetime.date, schedules, versions, open_weekdays) -> list:
    """The runs one store owes on one business date (unsaved; no query)."""
    if not store_open_on(store, date, open_weekdays):
        return []
    rows = []
    for schedule in schedules:
        version = versions.get(schedule.template_id)
        if version is None or not occurs_on(schedule, date):
            continue
        if (
            store.pk not in schedule.target_store_ids
            and store.region_id not in schedule.target_region_ids
        ):
            continue
        rows.append(
            ChecklistRun(
                kind=ChecklistTemplate.Kind.CHECKLIST,
                version=version,
                schedule=schedule,
                store=store,
                business_date=date,
                allow_late=schedule.allow_late,
                **run_times(store, date, schedule),
            )
        )
    return rows


def _open_weekdays(store_ids) -> dict[int, set[int]]:
    weekdays = defaultdict(set)
    for store_id, weekday in OpeningHours.objects.filter(store_id__in=store_ids).values_list(
        "store_id", "weekday"
    ):
        weekdays[store_id].add(weekday)
    return weekdays


def _insert_new(rows: list[ChecklistRun]) -> int:
    """Insert the runs not there yet; ON CONFLICT DO NOTHING makes a race harmless."""
    if not rows:
        return 0
    dates = {r.business_date for r in rows}
    stores = {r.store_id for r in rows}
    existing = set(
        ChecklistRun.objects.filter(
            schedule__isnull=False, business_date__in=dates, store_id__in=stores
        ).values_list("schedule_id", "store_id", "business_date")
    )
    new = [r for r in rows if (r.schedule_id, r.store_id, r.business_date) not in existing]
    ChecklistRun.objects.bulk_create(new, ignore_conflicts=True, batch_size=1000)
    return len(new)


def runs_create_for_business_day(*, store: Store, business_date: datetime.date) -> int:
    """Create the store's scheduled runs for that business date; safe to repeat."""
    schedules = _active_schedules()
    versions = _published_versions({s.template_id for s in schedules})
    weekdays = _open_weekdays([store.pk])[store.pk]
    return _insert_new(plan_runs(store, business_date, schedules, versions, weekdays))


def runs_create_due(*, now: datetime.datetime | None = None) -> int:
    """Every store's runs for its own current business date (the beat task, every 15 min).

    A constant number of queries whatever the number of stores.
    """
    now = now or timezone.now()
    stores = list(Store.objects.filter(status=Store.Status.OPEN))
    schedules = _active_schedules()
    if not schedules:
        return 0
    versions = _published_versions({s.template_id for s in schedules})
    weekdays = _open_weekdays([s.pk for s in stores])
    rows = []
    for store in stores:
        rows += plan_runs(store, store.business_date(now), schedules, versions, weekdays[store.pk])
    return _insert_new(rows)


def runs_mark_missed(*, now: datetime.datetime | None = None) -> int:
    """Runs never submitted become missed once their deadline passed (late submission not
    allowed) or their business day ended. Idempotent; skips rows being submitted."""
    now = now or timezone.now()
    with transaction.atomic():
        due = (
            ChecklistRun.objects.select_for_update(skip_locked=True)
            .filter(status__in=ChecklistRun.EDITABLE, first_submitted_at__isnull=True)
            .filter(Q(allow_late=False, deadline_at__lt=now) | Q(day_ends_at__lte=now))
        )
        ids = list(due.values_list("pk", flat=True))
        ChecklistRun.objects.filter(pk__in=ids).update(
            status=ChecklistRun.Status.MISSED, timeliness=ChecklistRun.Timeliness.MISSED
        )
        RunEvent.objects.bulk_create(RunEvent(run_id=pk, kind=RunEvent.Kind.MISSED) for pk in ids)
    return len(ids)


# --- Audits ------------------------------------------------------------------------------


@transaction.atomic
def audit_start(
    *, user, store: Store, template: ChecklistTemplate, now: datetime.datetime | None = None
) -> ChecklistRun:
    """Regional ops (or head office) start a visit audit of a store in their scope."""
    ensure_role(user, AUDIT_ROLES)
    ensure_store_in_scope(user, store)
    if template.kind != ChecklistTemplate.Kind.AUDIT:
        raise ValidationError({"template": [_("Choose a visit audit template.")]})
    version = _published_versions([template.pk]).get(template.pk)
    if version is None:
        message = _("This template has no published version.")
        raise ValidationError({"template": [ValidationError(message, code=CONFLICT)]})
    now = now or timezone.now()
    run = ChecklistRun.objects.create(
        kind=ChecklistTemplate.Kind.AUDIT,
        version=version,
        store=store,
        business_date=store.business_date(now),
        status=ChecklistRun.Status.IN_PROGRESS,
        started_at=now,
        started_by=user,
    )
    RunEvent.objects.create(run=run, kind=RunEvent.Kind.STARTED, user=user)
    return run


# --- Answers -----------------------------------------------------------------------------


def _parse_value(item: TemplateItem, value, photo) -> dict:
    """The answer's fields for one item kind; a bad value raises ValidationError."""
    kind = item.kind
    text = "" if value is None else str(value).strip()
    if kind == TemplateItem.Kind.YES_NO:
        if text not in (YES, NO):
            raise ValidationError({"value": [_("Answer yes or no.")]})
        return {"choice": text}
    if kind == TemplateItem.Kind.NUMBER:
        try:
            number = Decimal(text.replace(",", "."))
        except InvalidOperation:
            raise ValidationError({"value": [_("Enter a number.")]}) from None
        if not number.is_finite() or abs(number) >= Decimal("1e10"):
            raise ValidationError({"value": [_("Enter a number.")]})
        return {"number": number.quantize(Decimal("0.01"))}
    if kind == TemplateItem.Kind.SINGLE_CHOICE:
        if text not in {o.get("value") for o in item.options or []}:
            raise ValidationError({"value": [_("Choose one of the options.")]})
        return {"choice": text}
    if kind == TemplateItem.Kind.PHOTO:
        if photo is None:
            raise ValidationError({"photo": [_("Add a photo.")]})
        return {"photo": photo}
    if not text:
        message = _("Sign with your full name.") if kind == "signature" else _("Enter a text.")
        raise ValidationError({"value": [message]})
    return {"text": text[:4000]}


def _history_value(fields: dict, not_applicable: bool, note: str) -> dict:
    value = {"not_applicable": not_applicable, "note": note}
    for name, v in fields.items():
        value[name] = v.pk if name == "photo" else str(v)
    return value


def answer_save(
    *,
    user,
    run: ChecklistRun,
    item: TemplateItem,
    value=None,
    not_applicable: bool = False,
    note: str = "",
    photo: ChecklistPhoto | None = None,
    now: datetime.datetime | None = None,
) -> Answer:
    """Save one item's answer on its own row: answers to other items are never touched.

    The same item answered twice: the last write wins, and both stay in AnswerHistory.
    """
    _ensure_can_fill(user, run)
    if item.version_id != run.version_id:
        raise ValidationError({"item": [_("This item is not part of this run.")]})
    if photo is not None and (photo.store_id != run.store_id):
        raise ValidationError({"photo": [_("This photo belongs to another store.")]})
    note = (note or "").strip()[:2000]
    if not_applicable:
        if item.kind == TemplateItem.Kind.SIGNATURE:
            raise ValidationError({"not_applicable": [_("A signature cannot be skipped.")]})
        fields = {}
    else:
        fields = _parse_value(item, value, photo)
    now = now or timezone.now()
    with transaction.atomic():
        current = ChecklistRun.objects.select_for_update(of=("self",)).get(pk=run.pk)
        _ensure_editable(current)
        defaults = {
            "not_applicable": not_applicable,
            "choice": fields.get("choice", ""),
            "number": fields.get("number"),
            "text": fields.get("text", ""),
            "photo": fields.get("photo"),
            "note": note,
            "answered_by": user,
            "answered_at": now,
        }
        defaults["passed"] = item_passes(
            item,
            not_applicable=not_applicable,
            choice=defaults["choice"],
            number=defaults["number"],
        )
        answer, _created = Answer.objects.update_or_create(run=run, item=item, defaults=defaults)
        AnswerHistory.objects.create(
            run=run,
            item=item,
            value=_history_value(fields, not_applicable, note),
            answered_by=user,
            answered_at=now,
        )
        if current.status == ChecklistRun.Status.OPEN:
            ChecklistRun.objects.filter(pk=run.pk).update(
                status=ChecklistRun.Status.IN_PROGRESS, started_at=now, started_by=user
            )
            RunEvent.objects.create(run=run, kind=RunEvent.Kind.STARTED, user=user)
            run.status, run.started_at, run.started_by = "in_progress", now, user
    return answer


# --- Submit, reopen, acknowledge ---------------------------------------------------------


def _timeliness(run: ChecklistRun, submitted_at: datetime.datetime) -> str:
    if run.deadline_at is None or submitted_at <= run.deadline_at:
        return ChecklistRun.Timeliness.ON_TIME
    return ChecklistRun.Timeliness.LATE


def run_submit(*, user, run: ChecklistRun, now: datetime.datetime | None = None) -> ChecklistRun:
    """Submit: refused with the missing required items (answers stay); scores the run and
    opens a corrective action for each failed item."""
    from .actions import corrective_actions_open_for_run

    _ensure_can_fill(user, run)
    now = now or timezone.now()
    with transaction.atomic():
        run = (
            ChecklistRun.objects.select_for_update(of=("self",))
            .select_related("store")
            .get(pk=run.pk)
        )
        _ensure_editable(run)
        if run.first_submitted_at is None:
            if run.day_ends_at is not None and now >= run.day_ends_at:
                raise ValidationError(
                    _("The business day of this checklist has ended."), code=CONFLICT
                )
            if not run.allow_late and run.deadline_at is not None and now > run.deadline_at:
                raise ValidationError(
                    _("This checklist is past its deadline and does not accept late submission."),
                    code=CONFLICT,
                )
        sections = list(run.version.sections.all())
        items = list(TemplateItem.objects.filter(version_id=run.version_id))
        answers = {a.item_id: a for a in Answer.objects.filter(run=run)}
        missing = [i for i in items if i.required and i.pk not in answers]
        if missing:
            raise MissingRequiredItems(missing)
        score = score_run(sections, items, answers)
        run.points_earned, run.points_possible = score.earned, score.possible
        run.score = score.percent
        run.failed_critical = score.failed_critical
        run.passed = score.passed
        run.first_submitted_at = run.first_submitted_at or now
        run.timeliness = _timeliness(run, run.first_submitted_at)
        run.submitted_at, run.submitted_by = now, user
        run.status = ChecklistRun.Status.SUBMITTED
        run.save()
        RunEvent.objects.create(run=run, kind=RunEvent.Kind.SUBMITTED, user=user)
        corrective_actions_open_for_run(run=run, failed_items=score.failed_items, now=now)
        if run.kind == ChecklistTemplate.Kind.AUDIT:
            _notify_audit_submitted(run)
    return run


def _notify_audit_submitted(run: ChecklistRun) -> None:
    from opsdesk.platform.notifications.services import notify

    score = "—" if run.score is None else f"{run.score}%"
    notify(
        users=store_managers([run.store_id])[run.store_id],
        title=lambda: (
            _("Visit audit of %(store)s submitted: %(score)s")
            % {"store": store_label(run.store), "score": score}
        ),
        body=gettext_lazy("Please review the result and acknowledge it."),
        url=reverse("checklists:run_detail", kwargs={"pk": run.pk}),
        topic=f"audit-submitted:{run.pk}",
    )


@transaction.atomic
def run_reopen(*, user, run: ChecklistRun, reason: str) -> ChecklistRun:
    """A store manager or regional ops reopens a submitted run; who, when and why stay."""
    ensure_store_in_scope(user, run.store_id)
    ensure_role(user, AUDIT_ROLES if run.kind == "audit" else REOPEN_ROLES)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why the run is reopened.")]})
    run = ChecklistRun.objects.select_for_update().get(pk=run.pk)
    if run.status not in ChecklistRun.DONE:
        raise ValidationError(_("Only a submitted run can be reopened."), code=CONFLICT)
    run.status = ChecklistRun.Status.IN_PROGRESS
    run.submitted_at = None
    run.acknowledged_at = run.acknowledged_by = None
    run.save(update_fields=["status", "submitted_at", "acknowledged_at", "acknowledged_by"])
    RunEvent.objects.create(run=run, kind=RunEvent.Kind.REOPENED, user=user, note=reason[:2000])
    return run


@transaction.atomic
def run_acknowledge(*, user, run: ChecklistRun, note: str = "") -> ChecklistRun:
    """The store manager acknowledges a submitted visit audit (recorded)."""
    ensure_store_in_scope(user, run.store_id)
    ensure_role(user, ACKNOWLEDGE_ROLES)
    run = ChecklistRun.objects.select_for_update().get(pk=run.pk)
    if run.kind != ChecklistTemplate.Kind.AUDIT:
        raise ValidationError(_("Only visit audits are acknowledged."), code=CONFLICT)
    if run.status != ChecklistRun.Status.SUBMITTED:
        raise ValidationError(_("Only a submitted audit can be acknowledged."), code=CONFLICT)
    run.status = ChecklistRun.Status.ACKNOWLEDGED
    run.acknowledged_at, run.acknowledged_by = timezone.now(), user
    run.save(update_fields=["status", "acknowledged_at", "acknowledged_by"])
    RunEvent.objects.create(
        run=run, kind=RunEvent.Kind.ACKNOWLEDGED, user=user, note=(note or "").strip()[:2000]
    )
    return run


def can_fill(user, run: ChecklistRun) -> bool:
    return run.editable and user_role(user) in _fill_roles(run)


def can_reopen(user, run: ChecklistRun) -> bool:
    roles = AUDIT_ROLES if run.kind == "audit" else REOPEN_ROLES
    return run.status in ChecklistRun.DONE and user_role(user) in roles


def can_acknowledge(user, run: ChecklistRun) -> bool:
    return (
        run.kind == "audit" and run.status == "submitted" and user_role(user) in ACKNOWLEDGE_ROLES
    )
