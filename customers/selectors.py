"""Customers reads, scoped to the user, with their relations and aggregates fetched here;
the inputs of the complaint KPIs; the complaints section of the monthly report."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, DurationField, ExpressionWrapper, F, Prefetch, Q, QuerySet, Sum
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from stores.models import Store
from stores.selectors import local_days_condition

from .models import (
    Category,
    Complaint,
    ComplaintEvent,
    Customer,
    Kind,
    Severity,
    SlaTarget,
    breached_q,
    normalize_phone,
)
from .rules import DEFAULT_TARGETS

ZERO = Decimal(0)
OPEN_SHOWN = 5


# --- Complaints and customers ----------------------------------------------------------


def complaint_list(*, user) -> QuerySet[Complaint]:
    return (
        Complaint.objects.visible_to(user)
        .select_related("store", "store__region", "customer", "assignee", "product")
        .order_by("-received_at", "-pk")
    )


def complaint_get(*, user, pk: int) -> Complaint:
    events = ComplaintEvent.objects.select_related("user").order_by("at", "pk")
    return get_object_or_404(
        complaint_list(user=user)
        .select_related("created_by")
        .prefetch_related(Prefetch("events", queryset=events)),
        pk=pk,
    )


def customer_list(*, user) -> QuerySet[Customer]:
    """Customers who complained (or gave feedback) at a store in scope, with how many
    complaints each made there."""
    return (
        Customer.objects.visible_to(user)
        .annotate(
            complaint_count=Count(
                "complaints",
                filter=Q(complaints__in=Complaint.objects.visible_to(user).values("pk")),
            )
        )
        .order_by("name", "pk")
    )


def customer_get(*, user, pk: int) -> Customer:
    return get_object_or_404(customer_list(user=user), pk=pk)


def customer_complaints(*, user, customer: Customer) -> QuerySet[Complaint]:
    return complaint_list(user=user).filter(customer=customer)


def customer_lookup(*, user, query: str, limit: int = 5) -> list[Customer]:
    """Customers in scope whose member number or phone is exactly ``query`` (what the
    log form's look-up shows): never anybody outside the user's scope."""
    query = (query or "").strip()
    if not query:
        return []
    phone = normalize_phone(query)
    match = Q(member_number=query.upper())
    if phone and len(phone.lstrip("+")) >= 5:
        match |= Q(phone=phone)
    return list(customer_list(user=user).filter(match)[:limit])


def _assignable(store: Store):
    from django.contrib.auth import get_user_model

    from .rules import HANDLERS

    users = get_user_model().objects.filter(is_active=True, role__in=HANDLERS)
    return users.filter(
        Q(role__in=["head_office", "admin"])
        | Q(store_assignments__store=store)
        | Q(region_assignments__region_id=store.region_id)
    ).distinct()


def assignable_users(*, store: Store) -> list:
    """Who may handle this store's complaints: its managers, its region's ops, head office.
    One query."""
    return list(_assignable(store).order_by("role", "username"))


def assignable_user_get(*, store: Store, pk: int):
    """One of ``assignable_users``, or None: a user id from input that names anybody else
    (an account outside your scope, one who may not handle the store) is not told apart
    from an id that exists nowhere."""
    return _assignable(store).filter(pk=pk).first()


# --- The SLA policy ------------------------------------------------------------------


@dataclass(frozen=True)
class PolicyRow:
    severity: str
    category: str
    first_response_minutes: int
    resolution_minutes: int
    target: SlaTarget | None  # None: the built-in default

    @property
    def severity_label(self) -> str:
        return Severity(self.severity).label

    @property
    def category_label(self) -> str:
        return Category(self.category).label if self.category else ""


def sla_target_list(*, user) -> QuerySet[SlaTarget]:
    return SlaTarget.objects.visible_to(user).select_related("updated_by")


def sla_policy(*, user) -> list[PolicyRow]:
    """The policy in force: each severity's target (its row, or the default), then the
    category overrides. One query."""
    rows = list(sla_target_list(user=user))
    by_severity = {r.severity: r for r in rows if not r.category}
    order = {value: i for i, value in enumerate(reversed(Severity.values))}
    policy = []
    for severity in sorted(Severity.values, key=order.get):
        row = by_severity.get(severity)
        first, resolution = (
            (row.first_response_minutes, row.resolution_minutes)
            if row
            else DEFAULT_TARGETS[severity]
        )
        policy.append(PolicyRow(severity, "", first, resolution, row))
    overrides = sorted(
        (r for r in rows if r.category), key=lambda r: (order[r.severity], r.category)
    )
    policy += [
        PolicyRow(r.severity, r.category, r.first_response_minutes, r.resolution_minutes, r)
        for r in overrides
    ]
    return policy


# --- The store dashboard ---------------------------------------------------------------


@dataclass(frozen=True)
class OpenComplaints:
    count: int
    breached: int
    escalated: int
    oldest: list[Complaint]


def open_complaints(
    *, user, store: Store, now: datetime.datetime | None = None, shown: int = OPEN_SHOWN
) -> OpenComplaints:
    """A store's open complaints and feedback: how many, how many breached an SLA (and
    were escalated), and the oldest few. Two queries."""
    now = now or timezone.now()
    open_ = complaint_list(user=user).filter(store=store, status__in=Complaint.OPEN_STATUSES)
    counts = open_.aggregate(
        count=Count("pk"),
        breached=Count("pk", filter=breached_q(now)),
        escalated=Count("pk", filter=Q(escalated_at__isnull=False)),
    )
    return OpenComplaints(
        count=counts["count"],
        breached=counts["breached"],
        escalated=counts["escalated"],
        oldest=list(open_.order_by("received_at", "pk")[:shown]),
    )


# --- What the KPI job reads -------------------------------------------------------------
# One store-local day (or range) for many stores: the stores' time zones (one query),
# then one aggregate grouped by store, whatever the number of stores. Feedback
# (compliments, suggestions) is never a complaint here.

_COMPLAINTS = Q(kind=Kind.COMPLAINT)


def _hours(duration: datetime.timedelta | None) -> Decimal:
    if duration is None:
        return ZERO
    return Decimal(duration // datetime.timedelta(microseconds=1)) / Decimal(3_600_000_000)


def _on_local_days(field, store_ids, start, end, stores=None) -> Q:
    return local_days_condition(
        field=field,
        store_field="store_id",
        store_ids=store_ids,
        stores=stores,
        start=start,
        end=end,
    )


def kpi_complaints_received(
    *, start: datetime.date, end: datetime.date, store_ids: list[int]
) -> dict[int, int]:
    """Per store with any: complaints received on a store-local date in ``start``..``end``.
    Two queries."""
    rows = (
        Complaint.objects.filter(_on_local_days("received_at", store_ids, start, end), _COMPLAINTS)
        .values("store_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["store_id"]: row["n"] for row in rows}


def _clock_hours(field: str, store_ids, start, end) -> dict[int, tuple[Decimal, int]]:
    duration = ExpressionWrapper(F(field) - F("received_at"), output_field=DurationField())
    rows = (
        Complaint.objects.filter(_on_local_days(field, store_ids, start, end), _COMPLAINTS)
        .values("store_id")
        .annotate(total=Sum(duration), n=Count("pk"))
        .order_by()
    )
    return {row["store_id"]: (_hours(row["total"]), row["n"]) for row in rows}


def kpi_first_response_hours(
    *, start: datetime.date, end: datetime.date, store_ids: list[int]
) -> dict[int, tuple[Decimal, int]]:
    """Per store: (Σ hours from intake to first response, complaints) over the complaints
    first responded to on a store-local date in ``start``..``end``. Two queries."""
    return _clock_hours("first_responded_at", store_ids, start, end)


def kpi_resolution_hours(
    *, start: datetime.date, end: datetime.date, store_ids: list[int]
) -> dict[int, tuple[Decimal, int]]:
    """Per store: (Σ hours from intake to first resolution, complaints) over the
    complaints first resolved on a store-local date in ``start``..``end`` (a reopened
    complaint counts once, on its first resolution). Two queries."""
    return _clock_hours("first_resolved_at", store_ids, start, end)


def kpi_sla_outcomes(
    *,
    start: datetime.date,
    end: datetime.date,
    store_ids: list[int],
    as_of: datetime.datetime | None = None,
) -> dict[int, tuple[int, int]]:
    """Per store: (complaints that breached an SLA, complaints due) where "due" means the
    resolution is due on a store-local date in ``start``..``end`` (by then both clocks
    have run out), judged as of ``as_of`` (default now). Two queries."""
    as_of = as_of or timezone.now()
    rows = (
        Complaint.objects.filter(
            _on_local_days("resolution_due_at", store_ids, start, end), _COMPLAINTS
        )
        .values("store_id")
        .annotate(due=Count("pk"), breached=Count("pk", filter=breached_q(as_of)))
        .order_by()
    )
    return {row["store_id"]: (row["breached"], row["due"]) for row in rows}


# --- The monthly report -----------------------------------------------------------------

WORST_SHOWN = 3


def _mean(total: datetime.timedelta | None, count: int) -> Decimal | None:
    if not count:
        return None
    return (_hours(total) / count).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def complaint_report(*, user, store_ids: list[int], start: datetime.date, end: datetime.date):
    """The monthly report's complaints section for these stores (those in the user's
    scope) and store-local dates: headline figures against the month before, a table per
    store (worst first) and the worst stores. Returns the fields of
    ``opsdesk.analytics.reports.monthly.ComplaintSection`` as a dict (a domain app does not import
    the reports). No personal data: no customer appears in it. Four queries: the stores
    (their time zones read once, for both months), then three aggregates."""
    stores = {
        s.pk: s for s in Store.objects.visible_to(user).filter(pk__in=store_ids).order_by("code")
    }
    in_scope = list(stores.values())
    previous_end = start - datetime.timedelta(days=1)
    previous_start = previous_end.replace(day=1)
    visible = Complaint.objects.visible_to(user)
    month = visible.filter(_on_local_days("received_at", None, start, end, stores=in_scope))
    complaint = Q(kind=Kind.COMPLAINT)
    now = timezone.now()
    first_h = ExpressionWrapper(
        F("first_responded_at") - F("received_at"), output_field=DurationField()
    )
    resolve_h = ExpressionWrapper(
        F("first_resolved_at") - F("received_at"), output_field=DurationField()
    )
    per_store = {
        row["store_id"]: row
        for row in month.values("store_id")
        .annotate(
            complaints=Count("pk", filter=complaint),
            feedback=Count("pk", filter=~complaint),
            breached=Count("pk", filter=complaint & breached_q(now)),
            escalated=Count("pk", filter=complaint & Q(escalated_at__isnull=False)),
            still_open=Count("pk", filter=complaint & Q(status__in=Complaint.OPEN_STATUSES)),
            responded=Count("pk", filter=complaint & Q(first_responded_at__isnull=False)),
            response_time=Sum(first_h, filter=complaint & Q(first_responded_at__isnull=False)),
            resolved=Count("pk", filter=complaint & Q(first_resolved_at__isnull=False)),
            resolution_time=Sum(resolve_h, filter=complaint & Q(first_resolved_at__isnull=False)),
            compensation=Sum("compensation"),
        )
        .order_by()
    }
    before = dict(
        visible.filter(
            _on_local_days("received_at", None, previous_start, previous_end, stores=in_scope),
            complaint,
        )
        .values("store_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("store_id", "n")
    )
    categories: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for row in (
        month.filter(complaint).values("store_id", "category").annotate(n=Count("pk")).order_by()
    ):
        categories[row["store_id"]].append((row["n"], row["category"]))

    def total(name):
        return sum((row[name] or 0) for row in per_store.values())

    def total_time(name):
        values = [row[name] for row in per_store.values() if row[name] is not None]
        return sum(values, datetime.timedelta()) if values else None

    received, last_month = total("complaints"), sum(before.values())
    breached = total("breached")
    table = []
    for store_id, store in stores.items():
        row = per_store.get(store_id)
        if row is None and not before.get(store_id):
            continue
        row = row or defaultdict(lambda: None)
        top = sorted(categories.get(store_id, []), key=lambda c: (-c[0], c[1]))
        table.append(
            [
                store.code,
                store.name,
                row["complaints"] or 0,
                before.get(store_id, 0),
                row["breached"] or 0,
                row["escalated"] or 0,
                _mean(row["response_time"], row["responded"] or 0),
                _mean(row["resolution_time"], row["resolved"] or 0),
                row["compensation"] or ZERO,
                str(Category(top[0][1]).label) if top else "",
                row["feedback"] or 0,
            ]
        )
    table.sort(key=lambda r: (-r[2], -r[4], r[0]))
    worst = [f"{r[0]} ({r[2]})" for r in table if r[2]][:WORST_SHOWN]
    change = received - last_month
    figures = [
        (_("Complaints received"), received),
        (_("Complaints last month"), last_month),
        (_("Change against last month"), f"{change:+d}"),
        (_("Compliments and suggestions"), total("feedback")),
        (
            _("Of these, breached an SLA"),
            f"{breached} ({Decimal(breached * 100) / received:.1f} %)" if received else "0",
        ),
        (_("Escalated to regional ops"), total("escalated")),
        (
            _("Of these, mean hours to first response"),
            _mean(total_time("response_time"), total("responded")),
        ),
        (
            _("Of these, mean hours to resolution"),
            _mean(total_time("resolution_time"), total("resolved")),
        ),
        (_("Compensation"), sum((r[8] for r in table), ZERO)),
        (_("Of these, still open"), total("still_open")),
        (_("Worst stores"), ", ".join(worst) or "—"),
    ]
    header = [
        _("Store"),
        _("Name"),
        _("Complaints"),
        _("Last month"),
        _("Breached SLA"),
        _("Escalated"),
        _("Mean hours to first response"),
        _("Mean hours to resolution"),
        _("Compensation"),
        _("Top category"),
        _("Compliments and suggestions"),
    ]
    return {"figures": figures, "header": header, "rows": table}
