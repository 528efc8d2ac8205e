"""The generic walk of NetBox's kind: every page and API route, as anonymous, wrong
role, out-of-scope and in-scope user. A named route missing from ROUTES fails."""

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.apps import apps
from django.urls import get_resolver, reverse
from django.urls.resolvers import URLPattern, URLResolver

from opsdesk.platform.roles import ALL_ROLES
from stores.access import visible_store_ids
from stores.models import Store

ROLE_USERS = ["headoffice", "regional", "manager", "staff", "admin", "norole"]


@dataclass(frozen=True)
class Route:
    """How one named route is reached and who may reach it.

    kind: "page" (anonymous -> login redirect) or "api" (anonymous -> 401).
    obj: the app label of the model whose pk the route takes ("stores.Store"); in- and
    out-of-scope objects come from ``Model.objects.visible_to(user)``.
    kwargs: builds the URL kwargs from the object (default ``{"pk": obj.pk}``).
    roles: the roles allowed; any other role gets 403.
    method: "get", or "post" for an action (posted with ``data``).
    ok: the in-scope status (200 for a GET; for a POST with empty data usually 400/200).
    """

    kind: str
    obj: str | None = None
    roles: frozenset = field(default_factory=lambda: ALL_ROLES)
    kwargs: Callable | None = None
    method: str = "get"
    data: dict = field(default_factory=dict)
    ok: int = 200


# Routes that anyone may use, or whose behaviour the special tests below pin down.
PUBLIC = {
    "healthz",
    "csp-report",
    "login",
    "logout",
    "language_set",
    "schema",
    "swagger-ui",
    "api-token",
}
SPECIAL = {
    "home",
    "password_change",
    "password_change_done",
    "api-me",
    # Photos: the demo chain stores no image files; tests/checklists/test_photos.py walks
    # both routes as anonymous, no role, out of scope (404) and in scope for every role.
    "checklists:photo",
    "checklists:photo_thumbnail",
    # Reports: export jobs belong to one user and the demo chain has none, nor schedules;
    # tests/reports/test_views.py and test_schedules.py walk these as anonymous, no role,
    # every role, another user's job (404) and their own.
    "reports:job_detail",
    "reports:job_download",
    "reports-api:export-detail",
    "reports-api:export-download",
    "reports:schedule_edit",
    "reports:schedule_delete",
    # Staff: whether one may accept, decline or cancel a swap, or mark a course done,
    # depends on being the person concerned, not on the role; approving or refusing on the
    # request's state. tests/staff/test_access.py walks these as anonymous, no role, out
    # of scope (404) and in scope for every role.
    "staff-api:swaprequest-accept",
    "staff-api:swaprequest-decline",
    "staff-api:swaprequest-cancel",
    "staff-api:swaprequest-approve",
    "staff-api:swaprequest-refuse",
    "staff-api:assignment-complete",
}

# Checklists (stores/checklists/services): who may take which action.
EDITORS = frozenset({"head_office", "admin"})
AUDITORS = frozenset({"regional_ops", "head_office", "admin"})
REOPEN = frozenset({"store_manager", "regional_ops", "head_office", "admin"})
ACKNOWLEDGE = frozenset({"store_manager", "admin"})


def _run_item(run):
    return {"pk": run.pk, "item": run.version.items.order_by("pk").first().pk}


def _version_item(version):
    return {"pk": version.pk, "item": version.items.order_by("pk").first().pk}


# Sales roles (sales/rules.py): POS importers, target setters and adjusters.
SALES_IMPORTERS = frozenset({"store_manager", "head_office", "admin"})
TARGET_SETTERS = frozenset({"head_office", "admin"})
TARGET_ADJUSTERS = frozenset({"regional_ops", "head_office", "admin"})
SALES_PROMOTERS = frozenset({"head_office", "admin"})
FOOTFALL_RECORDERS = frozenset({"store_manager", "head_office", "admin"})


def _month_target_region(region):
    from sales.models import MonthTarget

    return {"pk": MonthTarget.objects.order_by("pk").first().pk, "region": region.pk}


# Inventory write roles (inventory/rules.py): stock writers, and transfer approvers.
INV_WRITERS = frozenset({"store_manager", "regional_ops", "head_office", "admin"})
INV_APPROVERS = frozenset({"regional_ops", "head_office", "admin"})

# Reports (opsdesk/analytics/reports/rules.py): monthly report readers and schedule managers.
REPORT_READERS = frozenset({"regional_ops", "head_office", "admin"})
REPORT_SCHEDULERS = frozenset({"head_office", "admin"})

# Customers (customers/rules.py): everyone logs and reads complaints in scope; store
# managers, regional ops and head office handle them; head office sets the SLA policy.
COMPLAINT_HANDLERS = frozenset({"store_manager", "regional_ops", "head_office", "admin"})
SLA_SETTERS = frozenset({"head_office", "admin"})
STALE = {"version": 10**6}  # a version nobody read: refused (409) whatever the state
# Staff (staff/rules.py): schedule readers, schedulers, people editors, swap approvers,
# course editors, training recorders.
STAFF_READERS = frozenset({"store_manager", "regional_ops", "head_office", "admin"})
SCHEDULERS = frozenset({"store_manager", "head_office", "admin"})


def _this_week(store):
    """The store's week (its Monday): published in the demo chain."""
    import datetime

    today = store.business_date()
    return {"pk": store.pk, "week": today - datetime.timedelta(days=today.weekday())}


# Dashboards: who opens a region's dashboard (the chain's and the thresholds: EDITORS).
DASHBOARD_REGION_ROLES = frozenset({"regional_ops", "head_office", "admin"})

ROUTES = {
    # Reports: the export route without a dataset is a 400 page; jobs are the user's own.
    "reports:export": Route("page", ok=400),
    "reports:job_list": Route("page"),
    "reports:monthly": Route("page", roles=REPORT_READERS),
    "reports:schedule_list": Route("page", roles=REPORT_SCHEDULERS),
    "reports-api:export-list": Route("api"),
    "stores:store_list": Route("page"),
    "stores:store_detail": Route("page", obj="stores.Store"),
    "stores-api:store-list": Route("api"),
    "stores-api:store-detail": Route("api", obj="stores.Store"),
    "stores-api:region-list": Route("api"),
    "stores-api:region-detail": Route("api", obj="stores.Region"),
    # Checklists (stores/checklists). The first runs of the demo chain are past ones,
    # submitted or missed: filling them is refused (400) and their fill page redirects.
    "checklists:today": Route("page"),
    "checklists:run_detail": Route("page", obj="stores.ChecklistRun"),
    "checklists:run_fill": Route("page", obj="stores.ChecklistRun", ok=302),
    "checklists:answer_save": Route(
        "page", obj="stores.ChecklistRun", kwargs=_run_item, method="post", ok=400
    ),
    "checklists:run_submit": Route("page", obj="stores.ChecklistRun", method="post", ok=400),
    "checklists:run_reopen": Route(
        "page", obj="stores.ChecklistRun", roles=REOPEN, method="post", ok=400
    ),
    "checklists:run_acknowledge": Route(
        "page", obj="stores.ChecklistRun", roles=ACKNOWLEDGE, method="post", ok=400
    ),
    "checklists:audit_start": Route("page", roles=AUDITORS),
    "checklists:action_list": Route("page"),
    "checklists:action_detail": Route("page", obj="stores.CorrectiveAction"),
    "checklists:region_comparison": Route("page", roles=AUDITORS),
    "checklists:template_list": Route("page"),
    "checklists:template_create": Route("page", roles=EDITORS),
    "checklists:template_detail": Route("page", obj="stores.ChecklistTemplate"),
    "checklists:template_edit": Route(
        "page", obj="stores.ChecklistTemplate", roles=EDITORS, method="post", ok=302
    ),
    # Published versions: the editor redirects to the template, changes are refused.
    "checklists:version_edit": Route("page", obj="stores.TemplateVersion", roles=EDITORS, ok=302),
    "checklists:section_add": Route(
        "page", obj="stores.TemplateVersion", roles=EDITORS, method="post", ok=400
    ),
    "checklists:item_add": Route(
        "page", obj="stores.TemplateVersion", roles=EDITORS, method="post", ok=400
    ),
    "checklists:item_delete": Route(
        "page",
        obj="stores.TemplateVersion",
        roles=EDITORS,
        kwargs=_version_item,
        method="post",
        ok=400,
    ),
    "checklists:version_publish": Route(
        "page", obj="stores.TemplateVersion", roles=EDITORS, method="post", ok=400
    ),
    "notifications:notification_list": Route("page"),
    "notifications:notification_badge": Route("page"),
    "notifications:notification_read": Route("page", method="post", ok=302),
    "checklists-api:template-list": Route("api"),
    "checklists-api:template-detail": Route("api", obj="stores.ChecklistTemplate"),
    "checklists-api:template-draft": Route(
        "api", obj="stores.ChecklistTemplate", roles=EDITORS, method="post", ok=201
    ),
    "checklists-api:templateversion-list": Route("api"),
    "checklists-api:templateversion-detail": Route("api", obj="stores.TemplateVersion"),
    "checklists-api:templateversion-sections": Route(
        "api", obj="stores.TemplateVersion", roles=EDITORS, method="post", ok=400
    ),
    "checklists-api:templateversion-items": Route(
        "api", obj="stores.TemplateVersion", roles=EDITORS, method="post", ok=400
    ),
    "checklists-api:templateversion-publish": Route(
        "api", obj="stores.TemplateVersion", roles=EDITORS, method="post", ok=409
    ),
    "checklists-api:schedule-list": Route("api"),
    "checklists-api:schedule-detail": Route("api", obj="stores.ChecklistSchedule"),
    "checklists-api:run-list": Route("api"),
    "checklists-api:run-detail": Route("api", obj="stores.ChecklistRun"),
    "checklists-api:run-answers": Route("api", obj="stores.ChecklistRun", method="post", ok=400),
    # 409: the record's state refuses it (already submitted, not an audit, not a draft).
    "checklists-api:run-submit": Route("api", obj="stores.ChecklistRun", method="post", ok=409),
    "checklists-api:run-reopen": Route(
        "api", obj="stores.ChecklistRun", roles=REOPEN, method="post", ok=400
    ),
    "checklists-api:run-acknowledge": Route(
        "api", obj="stores.ChecklistRun", roles=ACKNOWLEDGE, method="post", ok=409
    ),
    "checklists-api:correctiveaction-list": Route("api"),
    "checklists-api:correctiveaction-detail": Route("api", obj="stores.CorrectiveAction"),
    # 415: a photo is uploaded as multipart/form-data, never as JSON.
    "checklists-api:photo-list": Route("api", method="post", ok=415),
    # Inventory: every role reads; writes by role (rules.py), checked before the object.
    "inventory:stocklevel_list": Route("page"),
    "inventory:product_detail": Route("page", obj="inventory.Product"),
    "inventory:purchaseorder_list": Route("page"),
    "inventory:purchaseorder_detail": Route("page", obj="inventory.PurchaseOrder"),
    "inventory:purchaseorder_action": Route(
        "page",
        obj="inventory.PurchaseOrder",
        roles=INV_WRITERS,
        method="post",
        ok=302,
        kwargs=lambda o: {"pk": o.pk, "action": "submit"},
    ),
    "inventory:transfer_list": Route("page"),
    "inventory:transfer_detail": Route("page", obj="inventory.Transfer"),
    "inventory:transfer_action": Route(
        "page",
        obj="inventory.Transfer",
        roles=INV_WRITERS,
        method="post",
        ok=302,
        kwargs=lambda o: {"pk": o.pk, "action": "ship"},
    ),
    "inventory:stockcount_list": Route("page"),
    "inventory:stockcount_create": Route("page", roles=INV_WRITERS, method="post", ok=302),
    "inventory:stockcount_detail": Route("page", obj="inventory.StockCount"),
    "inventory:stockcount_action": Route(
        "page",
        obj="inventory.StockCount",
        method="post",
        ok=302,
        kwargs=lambda o: {"pk": o.pk, "action": "submit"},
    ),
    "inventory:stockcount_line": Route(
        "page", obj="inventory.StockCountLine", method="post", ok=302
    ),
    # New orders, transfers and write-offs (stock writers); CSV imports: the catalogue
    # (head office), opening stock (head office, store managers for their own stores).
    "inventory:purchaseorder_create": Route("page", roles=INV_WRITERS),
    "inventory:transfer_create": Route("page", roles=INV_WRITERS),
    "inventory:line_row": Route("page", roles=INV_WRITERS),
    "inventory:writeoff_create": Route("page", roles=INV_WRITERS),
    "inventory:catalogue_import": Route("page", roles=frozenset({"head_office", "admin"})),
    "inventory:catalogue_import_errors": Route("page", roles=frozenset({"head_office", "admin"})),
    "inventory:opening_import": Route(
        "page", roles=frozenset({"store_manager", "head_office", "admin"})
    ),
    "inventory:opening_import_errors": Route(
        "page", roles=frozenset({"store_manager", "head_office", "admin"})
    ),
    "inventory-api:category-list": Route("api"),
    "inventory-api:category-detail": Route("api", obj="inventory.Category"),
    "inventory-api:product-list": Route("api"),
    "inventory-api:product-detail": Route("api", obj="inventory.Product"),
    "inventory-api:product-supplier-terms": Route(
        "api",
        obj="inventory.Product",
        roles=frozenset({"head_office", "admin"}),
        method="post",
        ok=400,
    ),
    "inventory-api:supplier-list": Route("api"),
    "inventory-api:supplier-detail": Route("api", obj="inventory.Supplier"),
    "inventory-api:stocklevel-list": Route("api"),
    "inventory-api:stocklevel-detail": Route("api", obj="inventory.StockLevel"),
    "inventory-api:stockmovement-list": Route("api"),
    "inventory-api:stockmovement-detail": Route("api", obj="inventory.StockMovement"),
    "inventory-api:purchaseorder-list": Route("api"),
    "inventory-api:purchaseorder-detail": Route("api", obj="inventory.PurchaseOrder"),
    # A document's action in a state that does not allow it (the fixture's object) is a
    # 409; an empty body where lines are needed is a 400.
    "inventory-api:purchaseorder-submit": Route(
        "api", obj="inventory.PurchaseOrder", roles=INV_WRITERS, method="post", ok=409
    ),
    "inventory-api:purchaseorder-cancel": Route(
        "api", obj="inventory.PurchaseOrder", roles=INV_WRITERS, method="post", ok=409
    ),
    "inventory-api:purchaseorder-receive": Route(
        "api", obj="inventory.PurchaseOrder", roles=INV_WRITERS, method="post", ok=400
    ),
    "inventory-api:transfer-list": Route("api"),
    "inventory-api:transfer-detail": Route("api", obj="inventory.Transfer"),
    "inventory-api:transfer-approve": Route(
        "api", obj="inventory.Transfer", roles=INV_APPROVERS, method="post", ok=409
    ),
    "inventory-api:transfer-ship": Route(
        "api", obj="inventory.Transfer", roles=INV_WRITERS, method="post", ok=409
    ),
    "inventory-api:transfer-receive": Route(
        "api", obj="inventory.Transfer", roles=INV_WRITERS, method="post", ok=409
    ),
    "inventory-api:transfer-cancel": Route(
        "api", obj="inventory.Transfer", roles=INV_WRITERS, method="post", ok=409
    ),
    "inventory-api:stockcount-list": Route("api"),
    "inventory-api:stockcount-detail": Route("api", obj="inventory.StockCount"),
    "inventory-api:stockcount-count-line": Route(
        "api", obj="inventory.StockCount", method="post", ok=400
    ),
    "inventory-api:stockcount-submit": Route(
        "api", obj="inventory.StockCount", method="post", ok=409
    ),
    "inventory-api:stockcount-approve": Route(
        "api", obj="inventory.StockCount", roles=INV_WRITERS, method="post", ok=409
    ),
    "inventory-api:stockcount-post-count": Route(
        "api", obj="inventory.StockCount", roles=INV_WRITERS, method="post", ok=409
    ),
    # Replenishment (inventory/views_replenishment.py, api/replenishment.py): stock
    # writers only; the store's page 404 out of scope; an empty POST is refused (400).
    "inventory:replenishment_index": Route("page", roles=INV_WRITERS),
    "inventory:replenishment_store": Route("page", obj="stores.Store", roles=INV_WRITERS),
    "inventory:replenishment_orders": Route(
        "page", obj="stores.Store", roles=INV_WRITERS, method="post", ok=400
    ),
    "inventory:replenishment_transfer": Route(
        "page", obj="stores.Store", roles=INV_WRITERS, method="post", ok=400
    ),
    "inventory-api:replenishment-list": Route("api", roles=INV_WRITERS),
    "inventory-api:replenishment-create-orders": Route(
        "api", roles=INV_WRITERS, method="post", ok=400
    ),
    "inventory-api:replenishment-request-transfer": Route(
        "api", roles=INV_WRITERS, method="post", ok=400
    ),
    # Sales (sales/): every role reads sales and targets in scope; imports by importers
    # (a batch belongs to its uploader); targets set by head office, adjusted by regional.
    "sales:attainment": Route("page"),
    "sales:store_day": Route("page", obj="stores.Store"),
    "sales:receipt_detail": Route("page", obj="sales.Receipt"),
    "sales:targets": Route("page"),
    "sales:target_set": Route("page", roles=TARGET_SETTERS, method="post", ok=400),
    "sales:target_lock": Route(
        "page", obj="sales.MonthTarget", roles=TARGET_SETTERS, method="post", ok=302
    ),
    "sales:target_regions": Route(
        "page", obj="sales.MonthTarget", roles=TARGET_SETTERS, method="post", ok=400
    ),
    "sales:target_stores": Route(
        "page",
        obj="stores.Region",
        roles=TARGET_ADJUSTERS,
        kwargs=_month_target_region,
        method="post",
        ok=400,
    ),
    "sales:store_target_days": Route("page", obj="sales.StoreTarget"),
    "sales:footfall_record": Route(
        "page", obj="stores.Store", roles=FOOTFALL_RECORDERS, method="post", ok=400
    ),
    "sales:promotion_list": Route("page"),
    "sales:promotion_detail": Route("page", obj="sales.Promotion"),
    "sales:promotion_create": Route("page", roles=SALES_PROMOTERS),
    "sales:promotion_edit": Route("page", obj="sales.Promotion", roles=SALES_PROMOTERS),
    "sales:import_list": Route("page", roles=SALES_IMPORTERS),
    "sales:import_upload": Route("page", roles=SALES_IMPORTERS, method="post", ok=400),
    "sales:import_detail": Route("page", obj="sales.ImportBatch", roles=SALES_IMPORTERS),
    "sales:import_start": Route(
        "page", obj="sales.ImportBatch", roles=SALES_IMPORTERS, method="post", ok=400
    ),
    "sales:import_progress": Route("page", obj="sales.ImportBatch", roles=SALES_IMPORTERS),
    "sales:import_errors": Route("page", obj="sales.ImportBatch", roles=SALES_IMPORTERS),
    "sales:import_rejected": Route("page", obj="sales.ImportBatch", roles=SALES_IMPORTERS),
    "sales-api:receipt-list": Route("api"),
    "sales-api:receipt-detail": Route("api", obj="sales.Receipt"),
    "sales-api:receipt-bulk": Route("api", roles=SALES_IMPORTERS, method="post", ok=400),
    "sales-api:dailysales-list": Route("api"),
    "sales-api:dailysales-detail": Route("api", obj="sales.DailySales"),
    "sales-api:dailysales-footfall": Route("api", roles=FOOTFALL_RECORDERS, method="post", ok=400),
    "sales-api:monthtarget-list": Route("api"),
    "sales-api:monthtarget-detail": Route("api", obj="sales.MonthTarget"),
    "sales-api:monthtarget-lock": Route(
        "api", obj="sales.MonthTarget", roles=TARGET_SETTERS, method="post", ok=200
    ),
    "sales-api:monthtarget-regions": Route(
        "api", obj="sales.MonthTarget", roles=TARGET_SETTERS, method="post", ok=400
    ),
    "sales-api:monthtarget-stores": Route(
        "api", obj="sales.MonthTarget", roles=TARGET_ADJUSTERS, method="post", ok=400
    ),
    "sales-api:storetarget-list": Route("api"),
    "sales-api:storetarget-detail": Route("api", obj="sales.StoreTarget"),
    "sales-api:attainment-list": Route("api"),
    "sales-api:promotion-list": Route("api"),
    "sales-api:promotion-detail": Route("api", obj="sales.Promotion"),
    "sales-api:promotion-uplift": Route("api", obj="sales.Promotion"),
    "sales-api:importbatch-list": Route("api", roles=SALES_IMPORTERS),
    "sales-api:importbatch-detail": Route("api", obj="sales.ImportBatch", roles=SALES_IMPORTERS),
    # Dashboards (opsdesk/analytics/dashboards): the region dashboard for regional ops and head
    # office, the chain for head office; thresholds are set by head office (opsdesk/analytics/kpis).
    "dashboards:index": Route("page"),
    "dashboards:store": Route("page", obj="stores.Store"),
    "dashboards:store_kpi": Route(
        "page", obj="stores.Store", kwargs=lambda o: {"pk": o.pk, "code": "checklist_compliance"}
    ),
    "dashboards:region": Route("page", obj="stores.Region", roles=DASHBOARD_REGION_ROLES),
    "dashboards:chain": Route("page", roles=EDITORS),
    "dashboards:out_of_band": Route("page"),
    "kpis:thresholds": Route("page", roles=EDITORS),
    # Staff (staff/): schedules for readers, edits for schedulers; swaps and training for
    # everyone (services decide who may act: an empty form is a 400 before that); the
    # demo's current weeks are published, so publishing or copying into them is refused.
    "staff:index": Route("page", ok=302),
    "staff:my_shifts": Route("page"),
    "staff:schedule_index": Route("page", roles=STAFF_READERS),
    "staff:schedule_week": Route(
        "page", obj="stores.Store", roles=STAFF_READERS, kwargs=_this_week
    ),
    "staff:shift_create": Route(
        "page", obj="stores.Store", roles=SCHEDULERS, kwargs=_this_week, method="post", ok=400
    ),
    "staff:schedule_publish": Route(
        "page", obj="stores.Store", roles=SCHEDULERS, kwargs=_this_week, method="post", ok=400
    ),
    "staff:schedule_copy": Route(
        "page", obj="stores.Store", roles=SCHEDULERS, kwargs=_this_week, method="post", ok=400
    ),
    "staff:staffing_rule_set": Route(
        "page", obj="stores.Store", roles=SCHEDULERS, method="post", ok=302
    ),
    "staff:shift_list": Route("page"),
    "staff:shift_edit": Route("page", obj="staff.Shift", roles=SCHEDULERS),
    "staff:shift_delete": Route("page", obj="staff.Shift", roles=SCHEDULERS, method="post", ok=400),
    "staff:swap_ask": Route("page", obj="staff.Shift", method="post", ok=400),
    "staff:swap_list": Route("page"),
    "staff:swap_respond": Route("page", obj="staff.SwapRequest", method="post", ok=400),
    "staff:swap_decide": Route(
        "page", obj="staff.SwapRequest", roles=SCHEDULERS, method="post", ok=400
    ),
    "staff:employee_list": Route("page", roles=STAFF_READERS),
    "staff:employee_create": Route("page", roles=SCHEDULERS),
    "staff:employee_detail": Route("page", obj="staff.Employee", roles=STAFF_READERS),
    "staff:employee_edit": Route("page", obj="staff.Employee", roles=SCHEDULERS),
    "staff:availability_set": Route(
        "page", obj="staff.Employee", roles=SCHEDULERS, method="post", ok=302
    ),
    "staff:leave_add": Route("page", obj="staff.Employee", roles=SCHEDULERS, method="post", ok=400),
    "staff:leave_delete": Route(
        "page",
        obj="staff.Leave",
        roles=SCHEDULERS,
        kwargs=lambda o: {"pk": o.employee_id, "leave": o.pk},
        method="post",
        ok=302,
    ),
    "staff:training": Route("page"),
    "staff:course_create": Route("page", roles=EDITORS),
    "staff:course_edit": Route("page", obj="staff.Course", roles=EDITORS),
    "staff:assignment_list": Route("page"),
    "staff:assignment_create": Route("page", roles=SCHEDULERS, method="post", ok=400),
    "staff:assignment_complete": Route(
        "page", obj="staff.TrainingAssignment", method="post", ok=400
    ),
    "staff-api:employee-list": Route("api", roles=STAFF_READERS),
    "staff-api:employee-detail": Route("api", obj="staff.Employee", roles=STAFF_READERS),
    "staff-api:shift-list": Route("api"),
    "staff-api:shift-detail": Route("api", obj="staff.Shift"),
    "staff-api:schedule-list": Route("api", roles=STAFF_READERS),
    "staff-api:schedule-detail": Route("api", obj="staff.Schedule", roles=STAFF_READERS),
    "staff-api:schedule-check": Route("api", obj="staff.Schedule", roles=STAFF_READERS),
    # The demo's first weeks are published: publishing or copying into them again is a 409.
    "staff-api:schedule-publish": Route(
        "api", obj="staff.Schedule", roles=SCHEDULERS, method="post", ok=409
    ),
    "staff-api:schedule-copy-previous": Route(
        "api", obj="staff.Schedule", roles=SCHEDULERS, method="post", ok=409
    ),
    "staff-api:swaprequest-list": Route("api", method="post", ok=400),
    "staff-api:swaprequest-detail": Route("api", obj="staff.SwapRequest"),
    "staff-api:course-list": Route("api"),
    "staff-api:course-detail": Route("api", obj="staff.Course"),
    "staff-api:assignment-list": Route("api"),
    "staff-api:assignment-detail": Route("api", obj="staff.TrainingAssignment"),
    "kpis-api:value-list": Route("api"),
    "kpis-api:rollup-list": Route("api"),
    "kpis-api:definition-list": Route("api"),
    # Customers (customers/): an empty action form is a 400; a stale version a 409.
    "customers:complaint_list": Route("page"),
    "customers:complaint_create": Route("page"),
    "customers:complaint_detail": Route("page", obj="customers.Complaint"),
    "customers:complaint_respond": Route(
        "page", obj="customers.Complaint", roles=COMPLAINT_HANDLERS, method="post", ok=400
    ),
    "customers:complaint_assign": Route(
        "page", obj="customers.Complaint", roles=COMPLAINT_HANDLERS, method="post", ok=400
    ),
    "customers:complaint_resolve": Route(
        "page", obj="customers.Complaint", roles=COMPLAINT_HANDLERS, method="post", ok=400
    ),
    "customers:complaint_close": Route(
        "page",
        obj="customers.Complaint",
        roles=COMPLAINT_HANDLERS,
        method="post",
        data=STALE,
        ok=409,
    ),
    "customers:complaint_reopen": Route(
        "page", obj="customers.Complaint", roles=COMPLAINT_HANDLERS, method="post", ok=400
    ),
    "customers:customer_detail": Route("page", obj="customers.Customer"),
    "customers:customer_lookup": Route("page"),
    "customers:sla_policy": Route("page"),
    "customers:sla_target_delete": Route(
        "page", obj="customers.SlaTarget", roles=SLA_SETTERS, method="post", ok=302
    ),
    "customers-api:complaint-list": Route("api"),
    "customers-api:complaint-detail": Route("api", obj="customers.Complaint"),
    "customers-api:complaint-respond": Route(
        "api", obj="customers.Complaint", roles=COMPLAINT_HANDLERS, method="post", ok=400
    ),
    "customers-api:complaint-assign": Route(
        "api", obj="customers.Complaint", roles=COMPLAINT_HANDLERS, method="post", ok=400
    ),
    "customers-api:complaint-resolve": Route(
        "api", obj="customers.Complaint", roles=COMPLAINT_HANDLERS, method="post", ok=400
    ),
    "customers-api:complaint-close": Route(
        "api",
        obj="customers.Complaint",
        roles=COMPLAINT_HANDLERS,
        method="post",
        data=STALE,
        ok=409,
    ),
    "customers-api:complaint-reopen": Route(
        "api", obj="customers.Complaint", roles=COMPLAINT_HANDLERS, method="post", ok=400
    ),
    "customers-api:customer-list": Route("api"),
    "customers-api:customer-detail": Route("api", obj="customers.Customer"),
    "customers-api:slatarget-list": Route("api"),
    "customers-api:slatarget-detail": Route("api", obj="customers.SlaTarget"),
}


def _route_names(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue  # Django's admin: checked in test_admin_is_head_office_only
            ns = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _route_names(pattern, ns)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}"


def test_every_route_is_in_the_access_matrix():
    names = set(_route_names())
    missing = names - set(ROUTES) - PUBLIC - SPECIAL
    assert not missing, f"routes missing from the access matrix: {sorted(missing)}"
    assert not (set(ROUTES) - names), "the matrix names routes that no longer exist"


@pytest.fixture(scope="module")
def matrix_chain(django_db_setup, django_db_blocker):
    """The chain, seeded once for the whole walk: each test runs in a transaction that
    is rolled back (POST actions included), and the module empties the database after."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from tests.conftest import seed_test_chain

    with django_db_blocker.unblock():
        chain = seed_test_chain()
        get_user_model().objects.create_user("norole", password="x")
    yield chain
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def demo(matrix_chain, db):
    return matrix_chain


@pytest.fixture
def people(demo):
    return demo.users


def _objects(label, user, in_scope):
    model = apps.get_model(label)
    visible = model.objects.visible_to(user).values("pk")
    qs = model.objects.filter(pk__in=visible) if in_scope else model.objects.exclude(pk__in=visible)
    return qs.order_by("pk")


def _call(http, route, name, obj):
    kwargs = {}
    if obj is not None:
        kwargs = route.kwargs(obj) if route.kwargs else {"pk": obj.pk}
    url = reverse(name, kwargs=kwargs)
    if route.method == "get":
        return http.get(url)
    return http.post(url, route.data, **({"format": "json"} if route.kind == "api" else {}))


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_anonymous_is_refused(name, client, demo):
    route = ROUTES[name]
    obj = apps.get_model(route.obj).objects.order_by("pk").first() if route.obj else None
    assert route.obj is None or obj is not None, f"the demo chain has no {route.obj}"
    response = _call(client, route, name, obj)
    if route.kind == "page":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    else:
        assert response.status_code == 401


@pytest.mark.parametrize("username", ROLE_USERS)
@pytest.mark.parametrize("name", sorted(ROUTES))
def test_route_by_role_and_scope(name, username, people, client, api_as):
    route = ROUTES[name]
    user = people[username]
    if route.kind == "page":
        client.force_login(user)
        http = client
    else:
        http = api_as(user)
    role = user.role or None
    if user.is_superuser:
        role = "admin"
    if role not in route.roles:
        obj = apps.get_model(route.obj).objects.order_by("pk").first() if route.obj else None
        assert _call(http, route, name, obj).status_code == 403
        return
    if route.obj is None:
        response = _call(http, route, name, None)
        assert response.status_code == route.ok, response.content[:500]
        return
    inside = _objects(route.obj, user, in_scope=True)
    outside = _objects(route.obj, user, in_scope=False)
    assert inside.exists(), f"{username} should have a {route.obj} in scope"
    for obj in inside[:3]:
        response = _call(http, route, name, obj)
        assert response.status_code == route.ok, response.content[:500]
    for obj in outside[:3]:
        assert _call(http, route, name, obj).status_code == 404
    # An id that exists nowhere answers exactly like an out-of-scope one.
    if route.kwargs is None:
        missing = type(inside.first())(pk=10**9)
        assert _call(http, route, name, missing).status_code == 404
    if role in ("head_office", "admin"):
        assert not outside.exists()


def test_home_by_role(people, client):
    assert client.get(reverse("home")).status_code == 302
    for username in ROLE_USERS:
        client.force_login(people[username])
        response = client.get(reverse("home"))
        assert response.status_code == 200
        shown = {s.code for region, stores in response.context["groups"] for s, _c in stores}
        expected = set(
            Store.objects.filter(pk__in=visible_store_ids(people[username])).values_list(
                "code", flat=True
            )
        )
        assert shown == expected


def test_password_pages_need_login(people, client):
    for name in ("password_change", "password_change_done"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and reverse("login") in response["Location"]
    client.force_login(people["staff"])
    for name in ("password_change", "password_change_done"):
        assert client.get(reverse(name)).status_code == 200


def test_me_endpoint(people, api_client, api_as):
    assert api_client.get(reverse("api-me")).status_code == 401
    body = api_as(people["manager"]).get(reverse("api-me")).json()
    assert body["role"] == "store_manager"
    assert body["store_ids"] == list(
        Store.objects.filter(code="SH001").values_list("pk", flat=True)
    )
    assert api_as(people["norole"]).get(reverse("api-me")).json()["store_ids"] == []


def test_admin_is_head_office_only(people, client):
    assert client.get("/admin/").status_code == 302
    for username, status in [
        ("headoffice", 200),
        ("admin", 200),
        ("regional", 302),
        ("manager", 302),
        ("staff", 302),
    ]:
        client.force_login(people[username])
        assert client.get("/admin/").status_code == status, username
    client.force_login(people["headoffice"])
    for path in (
        "/admin/stores/store/",
        "/admin/stores/region/",
        "/admin/accounts/user/",
        "/admin/stores/storeassignment/",
        "/admin/stores/regionassignment/",
    ):
        assert client.get(path).status_code == 200, path
    # Head office may not reach what it has no business in.
    assert client.get("/admin/auth/group/").status_code == 403
