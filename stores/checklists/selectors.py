"""Reads of the checklist domain, scoped to the user, relations fetched here.

The ``kpi_*`` functions at the end are system reads for the nightly KPI job (no user):
per store, a numerator and a denominator for one business date.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Avg, Count, Exists, OuterRef, Prefetch, Q, QuerySet, Sum
from django.shortcuts import get_object_or_404
from django.utils import timezone

from stores.access import visible_store_ids
from stores.models import Region, Store
from stores.selectors import latest_local_date

from .models import (
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
from .scoring import score_run

# --- Templates ---------------------------------------------------------------------------


def template_list(*, user) -> QuerySet[ChecklistTemplate]:
    published = TemplateVersion.objects.filter(
        template=OuterRef("pk"), status=TemplateVersion.Status.PUBLISHED
    )
    return (
        ChecklistTemplate.objects.visible_to(user)
        .prefetch_related(
            Prefetch(
                "versions",
                queryset=TemplateVersion.objects.exclude(status=TemplateVersion.Status.RETIRED),
                to_attr="current_versions",
            )
        )
        .annotate(has_published=Exists(published))
        .order_by("kind", "code")
    )


def template_get(*, user, pk: int) -> ChecklistTemplate:
    return get_object_or_404(template_list(user=user), pk=pk)


def version_list(*, user) -> QuerySet[TemplateVersion]:
    items = TemplateItem.objects.order_by("order", "pk")
    return (
        TemplateVersion.objects.visible_to(user)
        .select_related("template", "published_by")
        .prefetch_related(
            Prefetch(
                "sections",
                queryset=TemplateSection.objects.order_by("order", "pk").prefetch_related(
                    Prefetch("items", queryset=items)
                ),
            )
        )
        .order_by("template__code", "-number")
    )


def version_get(*, user, pk: int) -> TemplateVersion:
    return get_object_or_404(version_list(user=user), pk=pk)


def published_audit_templates(*, user) -> QuerySet[ChecklistTemplate]:
    return template_list(user=user).filter(kind=ChecklistTemplate.Kind.AUDIT, has_published=True)


# --- Schedules ---------------------------------------------------------------------------


def schedule_list(*, user) -> QuerySet[ChecklistSchedule]:
    """Schedules reaching the user's stores; their targets narrowed to what they may see."""
    return (
        ChecklistSchedule.objects.visible_to(user)
        .select_related("template")
        .prefetch_related(
            Prefetch("stores", queryset=Store.objects.visible_to(user).order_by("code")),
            Prefetch("regions", queryset=Region.objects.visible_to(user).order_by("code")),
        )
        .order_by("template__code", "pk")
    )


# --- Runs --------------------------------------------------------------------------------


def run_list(*, user) -> QuerySet[ChecklistRun]:
    return (
        ChecklistRun.objects.visible_to(user)
        .select_related("store", "version__template", "submitted_by", "started_by")
        .annotate(
            open_actions=Count("corrective_actions", filter=_open_action_q("corrective_actions"))
        )
        .order_by("-business_date", "due_at", "pk")
    )


def _open_action_q(prefix: str) -> Q:
    return Q(**{f"{prefix}__status__in": list(CorrectiveAction.OPEN_STATUSES)})


def run_get(*, user, pk: int) -> ChecklistRun:
    """A run with everything its pages show: answers, events, actions, the version."""
    runs = (
        ChecklistRun.objects.visible_to(user)
        .select_related("store__region", "version__template", "submitted_by", "acknowledged_by")
        .prefetch_related(
            Prefetch(
                "answers", queryset=Answer.objects.select_related("answered_by", "photo", "item")
            ),
            Prefetch("events", queryset=RunEvent.objects.select_related("user")),
            Prefetch(
                "corrective_actions",
                queryset=CorrectiveAction.objects.select_related("assignee", "item"),
            ),
            Prefetch(
                "version__sections",
                queryset=TemplateSection.objects.order_by("order", "pk").prefetch_related(
                    Prefetch("items", queryset=TemplateItem.objects.order_by("order", "pk"))
                ),
            ),
        )
    )
    return get_object_or_404(runs, pk=pk)


@dataclass
class SheetRow:
    item: TemplateItem
    answer: Answer | None


@dataclass
class SheetSection:
    section: TemplateSection
    rows: list[SheetRow] = field(default_factory=list)
    percent: Decimal | None = None
    failed: list = field(default_factory=list)


def run_sheet(run: ChecklistRun) -> tuple[list[SheetSection], object]:
    """The run's sections, items and answers, with section scores (no query after run_get)."""
    answers = {a.item_id: a for a in run.answers.all()}
    sections = list(run.version.sections.all())
    items = [item for s in sections for item in s.items.all()]
    score = score_run(sections, items, answers)
    by_pk = {s.section.pk: s for s in score.sections}
    sheet = []
    for section in sections:
        s = by_pk[section.pk]
        sheet.append(
            SheetSection(
                section=section,
                rows=[SheetRow(item, answers.get(item.pk)) for item in section.items.all()],
                percent=s.percent,
                failed=s.failed,
            )
        )
    return sheet, score


def runs_today(*, user, now: datetime.datetime | None = None) -> list[tuple[Store, list]]:
    """Each store in scope with its runs of its own business date (two queries)."""
    now = now or timezone.now()
    stores = list(Store.objects.visible_to(user).select_related("region").order_by("code"))
    local_dates = {store.pk: store.business_date(now) for store in stores}
    by_store = {store.pk: [] for store in stores}
    if stores:
        runs = run_list(user=user).filter(business_date__in=set(local_dates.values()))
        for run in runs.order_by("due_at", "pk"):
            if local_dates.get(run.store_id) == run.business_date:
                run.overdue = bool(
                    run.status in ChecklistRun.EDITABLE
                    and run.due_at is not None
                    and run.due_at < now
                )
                by_store[run.store_id].append(run)
    return [(store, by_store[store.pk]) for store in stores if by_store[store.pk]]


def photo_get(*, user, pk: int) -> ChecklistPhoto:
    return get_object_or_404(ChecklistPhoto.objects.visible_to(user), pk=pk)


# --- Corrective actions ------------------------------------------------------------------


def action_list(*, user) -> QuerySet[CorrectiveAction]:
    return (
        CorrectiveAction.objects.visible_to(user)
        .select_related(
            "store", "assignee", "run__version__template", "item", "closed_by", "verified_by"
        )
        .order_by("due_date", "pk")
    )


def action_get(*, user, pk: int) -> CorrectiveAction:
    return get_object_or_404(action_list(user=user), pk=pk)


# --- Region comparison -------------------------------------------------------------------


def _window(prefix: str, days: int, until: datetime.date) -> Q:
    since = until - datetime.timedelta(days=days - 1)
    return Q(**{f"{prefix}business_date__gte": since, f"{prefix}business_date__lte": until})


def region_comparison(*, user, until: datetime.date | None = None) -> list[Store]:
    """Per store in scope: checklist compliance (on time ÷ runs decided) and the average
    checklist score over the last 7 and 30 days, and the latest-30-days audit score.

    One query. A run is decided once it is submitted or missed; runs still open today
    are not counted yet. The nightly KPI reads ``kpi_checklist_compliance`` instead.
    """
    stores = (
        Store.objects.visible_to(user).select_related("region").order_by("region__code", "code")
    )
    if until is None:
        zones = Store.objects.visible_to(user).values_list("time_zone", flat=True).distinct()
        until = latest_local_date(zones)
    decided = ~Q(checklist_runs__timeliness=ChecklistRun.Timeliness.PENDING)
    checklist = Q(checklist_runs__kind=ChecklistTemplate.Kind.CHECKLIST)
    on_time = Q(checklist_runs__timeliness=ChecklistRun.Timeliness.ON_TIME)
    audit = Q(
        checklist_runs__kind=ChecklistTemplate.Kind.AUDIT, checklist_runs__score__isnull=False
    )
    annotations = {}
    for days in (7, 30):
        window = _window("checklist_runs__", days, until)
        annotations[f"due_{days}"] = Count("checklist_runs", filter=checklist & decided & window)
        annotations[f"on_time_{days}"] = Count(
            "checklist_runs", filter=checklist & on_time & window
        )
        annotations[f"score_{days}"] = Avg("checklist_runs__score", filter=checklist & window)
    annotations["audit_score_30"] = Avg(
        "checklist_runs__score", filter=audit & _window("checklist_runs__", 30, until)
    )
    rows = list(stores.annotate(**annotations))
    for store in rows:
        for days in (7, 30):
            due = getattr(store, f"due_{days}")
            on_time_count = getattr(store, f"on_time_{days}")
            store.__dict__[f"compliance_{days}"] = (
                (Decimal(on_time_count) * 100 / due).quantize(Decimal("0.1")) if due else None
            )
    return rows


def most_failed_items(*, user, until: datetime.date, days: int = 30, limit: int = 10) -> list[dict]:
    """The items failed most often in the user's stores over the window (one query)."""
    since = until - datetime.timedelta(days=days - 1)
    return list(
        Answer.objects.filter(
            run__store__in=visible_store_ids(user),
            run__business_date__gte=since,
            run__business_date__lte=until,
            passed=False,
        )
        .values("item__version__template__code", "item__prompt", "item__prompt_zh")
        .annotate(failures=Count("pk"), stores=Count("run__store", distinct=True))
        .order_by("-failures", "item__prompt")[:limit]
    )


def failed_items_between(
    *, user, store_ids: list[int], start: datetime.date, end: datetime.date, limit: int
) -> list[dict]:
    """The items failed most often in these stores from ``start`` to ``end`` (one query;
    the monthly report's region and calendar month)."""
    return list(
        Answer.objects.visible_to(user)
        .filter(
            run__store__in=store_ids,
            run__business_date__gte=start,
            run__business_date__lte=end,
            passed=False,
        )
        .values("item__version__template__code", "item__prompt", "item__prompt_zh")
        .annotate(failures=Count("pk"), stores=Count("run__store", distinct=True))
        .order_by("-failures", "item__prompt")[:limit]
    )


# --- KPI inputs (system reads, no user) ---------------------------------------------------


def kpi_checklist_compliance(*, business_date: datetime.date) -> dict[int, tuple[int, int]]:
    """store id -> (checklist runs completed on time, checklist runs due) for that date."""
    rows = (
        ChecklistRun.objects.filter(
            business_date=business_date, kind=ChecklistTemplate.Kind.CHECKLIST
        )
        .values("store_id")
        .annotate(
            due=Count("pk"),
            on_time=Count("pk", filter=Q(timeliness=ChecklistRun.Timeliness.ON_TIME)),
        )
    )
    return {r["store_id"]: (r["on_time"], r["due"]) for r in rows}


def kpi_audit_score(*, business_date: datetime.date) -> dict[int, tuple[Decimal, int]]:
    """store id -> (sum of audit scores in %, audits submitted) for that business date."""
    rows = (
        ChecklistRun.objects.filter(
            business_date=business_date,
            kind=ChecklistTemplate.Kind.AUDIT,
            status__in=ChecklistRun.DONE,
            score__isnull=False,
        )
        .values("store_id")
        .annotate(total=Sum("score"), audits=Count("pk"))
    )
    return {r["store_id"]: (r["total"], r["audits"]) for r in rows}


def kpi_corrective_actions_overdue(*, business_date: datetime.date) -> dict[int, tuple[int, int]]:
    """store id -> (actions overdue at the close of that date, 1): due before that date,
    created by its end and not done by its end. Rebuildable for any past date."""
    stores = {s.pk: s for s in Store.objects.only("pk", "time_zone")}
    by_store = {}
    # The end of the day is store-local, so the last comparison happens here. SQL reads
    # only what may be open then, whatever the length of the history: nothing closed
    # before the earliest end of that day anywhere (UTC+14), nothing created after the
    # latest (UTC-12), and no action verified without a closing time.
    day_end = datetime.datetime.combine(
        business_date + datetime.timedelta(days=1), datetime.time(0), tzinfo=datetime.UTC
    )
    candidates = (
        CorrectiveAction.objects.filter(
            Q(closed_at__isnull=True) | Q(closed_at__gte=day_end - datetime.timedelta(hours=14)),
            due_date__lt=business_date,
            created_at__lt=day_end + datetime.timedelta(hours=12),
        )
        .exclude(status=CorrectiveAction.Status.VERIFIED, closed_at__isnull=True)
        .values_list("store_id", "created_at", "closed_at")
    )
    ends = {}
    for store_id, created_at, closed_at in candidates:
        end = ends.get(store_id)
        if end is None:
            tz = stores[store_id].tz
            end = datetime.datetime.combine(
                business_date + datetime.timedelta(days=1), datetime.time(0), tzinfo=tz
            )
            ends[store_id] = end
        closed_by_end = closed_at is not None and closed_at < end
        if created_at < end and not closed_by_end:
            by_store[store_id] = by_store.get(store_id, 0) + 1
    return {store_id: (count, 1) for store_id, count in by_store.items()}
