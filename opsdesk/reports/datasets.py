"""The export datasets: one per list page (and the KPI table), each built from the list's
own scoped selector and FilterSet, so that an export holds exactly the rows the user sees
on the matching page with the same filters.

A dataset is ``prepare``d for a user and the request's parameters (invalid filters raise
``ExportError`` with the FilterSet's messages), then gives ``count()`` and ``rows()``,
an iterator of tuples read with ``values_list`` over a server-side cursor: no model
objects, one query however many rows.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from types import SimpleNamespace

from django.db.models import Case, TextField, Value, When
from django.db.models.functions import Cast, Concat, LPad
from django.db.models.lookups import Exact
from django.http import QueryDict
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from customers import filters as customer_filters
from customers import selectors as customer_selectors
from customers.models import Category as ComplaintCategory
from customers.models import Channel as ComplaintChannel
from customers.models import Complaint
from customers.models import Kind as ComplaintKind
from customers.models import Severity as ComplaintSeverity
from inventory import filters as inventory_filters
from inventory import selectors as inventory_selectors
from inventory.models import MovementKind, PurchaseOrder, StockCount, Transfer
from sales import filters as sales_filters
from sales import selectors as sales_selectors
from sales.models import ImportBatch
from staff import filters as staff_filters
from staff import selectors as staff_selectors
from staff.models import Position, Schedule, TrainingAssignment
from stores import filters as store_filters
from stores import selectors as store_selectors
from stores.checklists import filters as checklist_filters
from stores.checklists import selectors as checklist_selectors
from stores.checklists.models import ChecklistRun, ChecklistTemplate, CorrectiveAction
from stores.models import Store

from ..formulas import DANGEROUS

CHUNK_SIZE = 5000
# Query-string keys of the export route itself, never passed to a FilterSet.
RESERVED = frozenset({"dataset", "format", "page"})


class ExportError(Exception):
    """A request that cannot be exported (unknown dataset or format, bad filters)."""

    def __init__(self, messages: str | Iterable[str]):
        self.messages = [str(messages)] if isinstance(messages, str | Promise) else list(messages)
        super().__init__("; ".join(str(m) for m in self.messages))


@dataclass(frozen=True)
class Column:
    """One column: its header and how a database value becomes a cell.

    kind: "text" (escaped against formula injection), "number" (int or Decimal, left a
    number), "date", "datetime", "bool"; ``convert`` maps the raw value first (a choice's
    label, a document number from its id)."""

    title: str | Promise
    kind: str = "text"
    convert: Callable | None = None


def choice_labels(choices) -> Callable:
    """A choice's label in the active language; ``.sql`` builds the same in SQL."""
    labels = dict(choices)

    def label(value):
        return str(labels.get(value, value)) if value is not None else ""

    def sql(expression):
        whens = [
            When(Exact(expression, key), then=Value(str(text))) for key, text in labels.items()
        ]
        return Case(*whens, default=expression, output_field=TextField())

    label.sql = sql
    label.labels = labels  # for the CSV fast path (sqlcsv), which escapes them once
    return label


def numbered(prefix: str) -> Callable:
    """A document number from its id (``PO-000123``); ``.sql`` builds the same in SQL."""

    def number(pk):
        return f"{prefix}-{pk:06d}"

    def sql(expression):
        return Concat(
            Value(f"{prefix}-"),
            LPad(Cast(expression, TextField()), 6, Value("0")),
            output_field=TextField(),
        )

    number.sql = sql
    # The SQL text needs no formula escape when the prefix does not begin a formula.
    number.sql_safe = bool(prefix) and not prefix.startswith(DANGEROUS)
    return number


def to_querydict(params) -> QueryDict:
    """Request parameters (a QueryDict, or the JSON form ``{key: [values]}`` / ``{key:
    value}`` stored on a job) as a QueryDict without the export's own keys."""
    query = QueryDict(mutable=True)
    if isinstance(params, QueryDict):
        items = params.lists()
    else:
        items = (
            (key, value if isinstance(value, list | tuple) else [value])
            for key, value in (params or {}).items()
        )
    for key, values in items:
        if key in RESERVED:
            continue
        query.setlist(key, [str(v) for v in values if v is not None])
    return query


def params_to_json(params) -> dict[str, list[str]]:
    query = to_querydict(params)
    return {key: values for key, values in query.lists() if any(values)}


class Prepared:
    """A dataset bound to one user and one set of filters.

    ``rows()`` gives typed values (numbers, dates) for XLSX and for the Python CSV path;
    ``csv_rows()``, when the dataset is a queryset on PostgreSQL, gives the CSV cells
    already formatted and escaped by the database (see ``sqlcsv``), so that rows go from
    the server-side cursor to ``csv.writer`` untouched; None otherwise."""

    def __init__(
        self,
        dataset: Dataset,
        count: Callable[[], int],
        rows: Callable[[], Iterator],
        csv_rows: Callable[[], Iterator] | None = None,
        copy_csv: Callable | None = None,
    ):
        self.dataset = dataset
        self._count = count
        self._rows = rows
        self._csv_rows = csv_rows
        self._copy_csv = copy_csv

    def count(self) -> int:
        return self._count()

    def rows(self) -> Iterator[tuple]:
        return self._rows()

    def csv_rows(self) -> Iterator[tuple] | None:
        return self._csv_rows() if self._csv_rows is not None else None

    @property
    def can_copy(self) -> bool:
        return self._copy_csv is not None

    def copy_csv(self, out) -> int:
        """The CSV rows written into ``out`` by PostgreSQL's COPY (see ``can_copy``)."""
        return self._copy_csv(out)


@dataclass(frozen=True)
class Dataset:
    name: str
    title: str | Promise
    columns: tuple[Column, ...]
    prepare_fn: Callable[..., Prepared] = field(repr=False, default=None)
    # The page the export's rows match (for links and docs).
    list_route: str = ""

    def prepare(self, user, params) -> Prepared:
        return self.prepare_fn(self, user, to_querydict(params))

    @property
    def headers(self) -> list[str]:
        return [str(column.title) for column in self.columns]


def filtered_queryset(selector, filterset_class, user, query: QueryDict):
    """The list page's queryset: the scoped selector narrowed by the page's FilterSet."""
    request = SimpleNamespace(user=user, GET=query, query_params=query)
    filterset = filterset_class(query, queryset=selector(user=user), request=request)
    if not filterset.is_valid():
        problems = []
        for name, errors in filterset.errors.items():
            label = filterset.form.fields[name].label if name in filterset.form.fields else name
            problems.extend(f"{label}: {error}" for error in errors)
        raise ExportError(problems)
    return filterset.qs


def queryset_dataset(
    name: str,
    title,
    *,
    selector,
    filterset,
    fields: list[tuple[str, Column]],
    list_route: str = "",
) -> Dataset:
    paths = [path for path, _column in fields]

    def prepare(dataset: Dataset, user, query: QueryDict) -> Prepared:
        queryset = filtered_queryset(selector, filterset, user, query).prefetch_related(None)

        def rows():
            return queryset.values_list(*paths).iterator(chunk_size=CHUNK_SIZE)

        def csv_rows():
            from .sqlcsv import csv_queryset

            texts = csv_queryset(queryset, paths, dataset.columns)
            return texts.iterator(chunk_size=CHUNK_SIZE) if texts is not None else None

        def copy_csv(out):
            from .sqlcsv import copy_csv, csv_queryset

            return copy_csv(csv_queryset(queryset, paths, dataset.columns, copy=True), out)

        from .sqlcsv import sql_available

        copy = copy_csv if sql_available(dataset.columns) else None
        return Prepared(dataset, queryset.count, rows, csv_rows, copy)

    return Dataset(
        name=name,
        title=title,
        columns=tuple(column for _path, column in fields),
        prepare_fn=prepare,
        list_route=list_route,
    )


REGISTRY: dict[str, Dataset] = {}


def register(dataset: Dataset) -> Dataset:
    if dataset.name in REGISTRY:
        raise ValueError(f"dataset {dataset.name} is registered twice")
    REGISTRY[dataset.name] = dataset
    return dataset


def get(name: str) -> Dataset:
    try:
        return REGISTRY[name]
    except KeyError:
        raise ExportError(_("There is no export named “%(name)s”.") % {"name": name}) from None


def all_datasets() -> list[Dataset]:
    return sorted(REGISTRY.values(), key=lambda d: d.name)


TEXT = "text"
NUMBER = "number"
DATE = "date"
DATETIME = "datetime"
BOOL = "bool"

# --- Stores ----------------------------------------------------------------------------

register(
    queryset_dataset(
        "stores",
        _("Stores"),
        selector=store_selectors.store_list,
        filterset=store_filters.StoreFilterSet,
        list_route="stores:store_list",
        fields=[
            ("code", Column(_("Code"))),
            ("name", Column(_("Name"))),
            ("name_zh", Column(_("Name (Chinese)"))),
            ("region__code", Column(_("Region"))),
            ("status", Column(_("Status"), convert=choice_labels(Store.Status.choices))),
            ("time_zone", Column(_("Time zone"))),
            ("opening_date", Column(_("Opening date"), DATE)),
            ("address", Column(_("Address"))),
        ],
    )
)

# --- Inventory -------------------------------------------------------------------------

register(
    queryset_dataset(
        "stock_levels",
        _("Stock levels"),
        selector=inventory_selectors.stock_level_list,
        filterset=inventory_filters.StockLevelFilterSet,
        list_route="inventory:stocklevel_list",
        fields=[
            ("store__code", Column(_("Store"))),
            ("product__sku", Column(_("SKU"))),
            ("product__name", Column(_("Product"))),
            ("product__name_zh", Column(_("Product (Chinese)"))),
            ("product__category__code", Column(_("Category"))),
            ("on_hand", Column(_("On hand"), NUMBER)),
            ("avg_cost", Column(_("Average cost"), NUMBER)),
            ("value_at_cost", Column(_("Value"), NUMBER)),
            ("last_counted_at", Column(_("Last counted"), DATETIME)),
        ],
    )
)

register(
    queryset_dataset(
        "stock_movements",
        _("Stock movements"),
        selector=inventory_selectors.stock_movement_list,
        filterset=inventory_filters.StockMovementFilterSet,
        fields=[
            ("id", Column(_("Id"), NUMBER)),
            ("business_date", Column(_("Business date"), DATE)),
            ("created_at", Column(_("Created at"), DATETIME)),
            ("store__code", Column(_("Store"))),
            ("product__sku", Column(_("SKU"))),
            ("kind", Column(_("Kind"), convert=choice_labels(MovementKind.choices))),
            ("quantity", Column(_("Quantity"), NUMBER)),
            ("unit_cost", Column(_("Unit cost"), NUMBER)),
            ("on_hand_after", Column(_("On hand after"), NUMBER)),
            ("avg_cost_after", Column(_("Average cost after"), NUMBER)),
            ("reference", Column(_("Reference"))),
            ("reason", Column(_("Reason"))),
            ("created_by__username", Column(_("By"))),
        ],
    )
)

register(
    queryset_dataset(
        "purchase_orders",
        _("Purchase orders"),
        selector=inventory_selectors.purchase_order_list,
        filterset=inventory_filters.PurchaseOrderFilterSet,
        list_route="inventory:purchaseorder_list",
        fields=[
            ("id", Column(_("Order"), convert=numbered("PO"))),
            ("store__code", Column(_("Store"))),
            ("supplier__code", Column(_("Supplier"))),
            ("supplier__name", Column(_("Supplier name"))),
            ("status", Column(_("Status"), convert=choice_labels(PurchaseOrder.Status.choices))),
            ("created_at", Column(_("Created at"), DATETIME)),
            ("submitted_at", Column(_("Submitted at"), DATETIME)),
            ("expected_date", Column(_("Expected"), DATE)),
            ("received_at", Column(_("Received at"), DATETIME)),
            ("line_count", Column(_("Lines"), NUMBER)),
            ("total", Column(_("Total at cost"), NUMBER)),
        ],
    )
)

register(
    queryset_dataset(
        "transfers",
        _("Transfers"),
        selector=inventory_selectors.transfer_list,
        filterset=inventory_filters.TransferFilterSet,
        list_route="inventory:transfer_list",
        fields=[
            ("id", Column(_("Transfer"), convert=numbered("TR"))),
            ("source_store__code", Column(_("From"))),
            ("destination_store__code", Column(_("To"))),
            ("status", Column(_("Status"), convert=choice_labels(Transfer.Status.choices))),
            ("requested_at", Column(_("Requested at"), DATETIME)),
            ("requested_by__username", Column(_("Requested by"))),
            ("approved_at", Column(_("Approved at"), DATETIME)),
            ("shipped_at", Column(_("Shipped at"), DATETIME)),
            ("received_at", Column(_("Received at"), DATETIME)),
            ("line_count", Column(_("Lines"), NUMBER)),
        ],
    )
)

register(
    queryset_dataset(
        "stock_counts",
        _("Stock counts"),
        selector=inventory_selectors.stock_count_list,
        filterset=inventory_filters.StockCountFilterSet,
        list_route="inventory:stockcount_list",
        fields=[
            ("id", Column(_("Count"), convert=numbered("SC"))),
            ("store__code", Column(_("Store"))),
            ("category__code", Column(_("Category"))),
            ("status", Column(_("Status"), convert=choice_labels(StockCount.Status.choices))),
            ("blind", Column(_("Blind"), BOOL)),
            ("created_at", Column(_("Created at"), DATETIME)),
            ("submitted_at", Column(_("Submitted at"), DATETIME)),
            ("approved_at", Column(_("Approved at"), DATETIME)),
            ("posted_at", Column(_("Posted at"), DATETIME)),
            ("line_count", Column(_("Lines"), NUMBER)),
            ("counted_count", Column(_("Counted"), NUMBER)),
        ],
    )
)

# --- Sales -----------------------------------------------------------------------------

register(
    queryset_dataset(
        "daily_sales",
        _("Daily sales"),
        selector=sales_selectors.daily_sales_list,
        filterset=sales_filters.DailySalesFilterSet,
        fields=[
            ("business_date", Column(_("Business date"), DATE)),
            ("store__region__code", Column(_("Region"))),
            ("store__code", Column(_("Store"))),
            ("net_sales", Column(_("Net sales"), NUMBER)),
            ("transactions", Column(_("Transactions"), NUMBER)),
            ("units", Column(_("Units"), NUMBER)),
            ("returns_value", Column(_("Returns"), NUMBER)),
            ("footfall", Column(_("Footfall"), NUMBER)),
        ],
    )
)

register(
    queryset_dataset(
        "receipts",
        _("Receipts"),
        selector=sales_selectors.receipt_list,
        filterset=sales_filters.ReceiptFilterSet,
        fields=[
            ("business_date", Column(_("Business date"), DATE)),
            ("store__code", Column(_("Store"))),
            ("receipt_number", Column(_("Receipt number"))),
            ("sold_at", Column(_("Sold at"), DATETIME)),
            ("till", Column(_("Till"))),
            ("cashier", Column(_("Cashier"))),
            ("source", Column(_("Channel"), convert=choice_labels(ImportBatch.Channel.choices))),
            ("line_count", Column(_("Lines"), NUMBER)),
            ("total", Column(_("Total"), NUMBER)),
        ],
    )
)

register(
    queryset_dataset(
        "store_targets",
        _("Store targets"),
        selector=sales_selectors.store_target_list,
        filterset=sales_filters.StoreTargetFilterSet,
        list_route="sales:targets",
        fields=[
            ("month_target__month", Column(_("Month"), DATE)),
            ("store__region__code", Column(_("Region"))),
            ("store__code", Column(_("Store"))),
            ("amount", Column(_("Target"), NUMBER)),
            ("month_target__locked", Column(_("Locked"), BOOL)),
        ],
    )
)

register(
    queryset_dataset(
        "promotions",
        _("Promotions"),
        selector=sales_selectors.promotion_list,
        filterset=sales_filters.PromotionFilterSet,
        fields=[
            ("name", Column(_("Name"))),
            ("start_date", Column(_("Starts"), DATE)),
            ("end_date", Column(_("Ends"), DATE)),
            ("discount_pct", Column(_("Discount %"), NUMBER)),
        ],
    )
)


def _attainment(dataset: Dataset, user, query: QueryDict) -> Prepared:
    """The attainment page (sales:attainment): stores with MTD sales against target."""
    from django.utils import timezone

    raw = query.get("date", "")
    try:
        date = datetime.date.fromisoformat(raw) if raw else timezone.localdate()
    except ValueError:
        raise ExportError(_("Date: enter a date as YYYY-MM-DD.")) from None
    filterset = sales_filters.AttainmentFilterSet(query, request=SimpleNamespace(user=user))
    if not filterset.is_valid():
        raise ExportError([f"{k}: {e}" for k, errors in filterset.errors.items() for e in errors])
    region = filterset.form.cleaned_data.get("region")
    stores = sales_selectors.attainment_list(user=user, date=date)
    if region is not None:
        stores = stores.filter(region=region)

    def rows():
        for store in stores.iterator(chunk_size=CHUNK_SIZE):
            figures = sales_selectors.store_attainment(store, date)
            yield (
                date,
                store.region.code,
                store.code,
                store.name,
                figures.mtd_sales,
                figures.mtd_target,
                figures.attainment,
                figures.month_target,
                figures.projection,
                figures.pacing,
            )

    return Prepared(dataset, stores.count, rows)


register(
    Dataset(
        name="attainment",
        title=_("Sales attainment"),
        list_route="sales:attainment",
        columns=(
            Column(_("Date"), DATE),
            Column(_("Region")),
            Column(_("Store")),
            Column(_("Name")),
            Column(_("MTD net sales"), NUMBER),
            Column(_("MTD target"), NUMBER),
            Column(_("Attainment"), NUMBER),
            Column(_("Month target"), NUMBER),
            Column(_("Projection"), NUMBER),
            Column(_("Pacing"), NUMBER),
        ),
        prepare_fn=_attainment,
    )
)

# --- Checklists ------------------------------------------------------------------------

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
            ("kind", Column(_("Kind"), convert=choice_labels(ChecklistTemplate.Kind.choices))),
            ("status", Column(_("Status"), convert=choice_labels(ChecklistRun.Status.choices))),
            (
                "timeliness",
                Column(_("Timeliness"), convert=choice_labels(ChecklistRun.Timeliness.choices)),
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
                Column(_("Status"), convert=choice_labels(CorrectiveAction.Status.choices)),
            ),
            ("assignee__username", Column(_("Assignee"))),
            ("due_date", Column(_("Due date"), DATE)),
            ("created_at", Column(_("Created"), DATETIME)),
            ("closed_at", Column(pgettext_lazy("time a record was closed", "Closed"), DATETIME)),
            ("verified_at", Column(_("Verified"), DATETIME)),
        ],
    )
)

# --- Complaints ------------------------------------------------------------------------
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
            ("kind", Column(_("Kind"), convert=choice_labels(ComplaintKind.choices))),
            ("channel", Column(_("Channel"), convert=choice_labels(ComplaintChannel.choices))),
            ("category", Column(_("Category"), convert=choice_labels(ComplaintCategory.choices))),
            ("severity", Column(_("Severity"), convert=choice_labels(ComplaintSeverity.choices))),
            ("status", Column(_("Status"), convert=choice_labels(Complaint.Status.choices))),
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

# --- Staff -----------------------------------------------------------------------------

register(
    queryset_dataset(
        "shifts",
        _("Shifts"),
        selector=staff_selectors.shift_list,
        filterset=staff_filters.ShiftFilterSet,
        list_route="staff:shift_list",
        fields=[
            ("business_date", Column(_("Business date"), DATE)),
            ("store__code", Column(_("Store"))),
            ("employee__name", Column(_("Employee"))),
            ("position", Column(_("Position"), convert=choice_labels(Position.choices))),
            ("start_at", Column(_("Starts"), DATETIME)),
            ("end_at", Column(_("Ends"), DATETIME)),
            ("break_minutes", Column(_("Unpaid break (minutes)"), NUMBER)),
            ("paid_minutes", Column(_("Paid minutes"), NUMBER)),
            (
                "schedule__status",
                Column(_("Week status"), convert=choice_labels(Schedule.Status.choices)),
            ),
        ],
    )
)

register(
    queryset_dataset(
        "training_assignments",
        _("Training assignments"),
        selector=staff_selectors.assignment_list,
        filterset=staff_filters.TrainingAssignmentFilterSet,
        list_route="staff:assignment_list",
        fields=[
            ("employee__home_store__code", Column(_("Store"))),
            ("employee__name", Column(_("Employee"))),
            ("course__code", Column(_("Course"))),
            ("course__name", Column(_("Course name"))),
            (
                "status",
                Column(_("Status"), convert=choice_labels(TrainingAssignment.Status.choices)),
            ),
            ("due_date", Column(_("Due date"), DATE)),
            ("completed_at", Column(_("Completed at"), DATETIME)),
            ("overdue", Column(_("Overdue"), BOOL)),
        ],
    )
)

# --- KPIs ------------------------------------------------------------------------------

from . import kpi_table  # noqa: E402  (registers "kpi_table"; it uses the helpers above)

register(kpi_table.DATASET)
