"""Every id taken from input (a body field, a form field, a query parameter) that names a
record outside the user's scope answers exactly like an id that exists nowhere: the same
status and the same body, so that the record's existence does not leak. (The ids in URL
paths are walked by tests/test_access_matrix.py.)

Each case names the user, the request, and an existing record outside that user's scope;
it is sent once with that record's id and once with an id that exists nowhere."""

import difflib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from stores.access import visible_region_ids, visible_store_ids
from stores.models import Region, Store

MISSING = 987_654_321


@pytest.fixture(scope="module")
def chain(django_db_setup, django_db_blocker):
    """The demo chain, seeded once: each test runs in a transaction that is rolled back."""
    from django.core.management import call_command

    from tests.conftest import seed_test_chain

    with django_db_blocker.unblock():
        seeded = seed_test_chain()
    yield seeded
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def demo(chain, db):
    return chain


def user(username):
    return get_user_model().objects.get(username=username)


def outside_store(who) -> Store:
    return Store.objects.exclude(pk__in=visible_store_ids(who)).order_by("pk").first()


def inside_store(who) -> Store:
    return Store.objects.filter(pk__in=visible_store_ids(who)).order_by("pk").first()


def outside_region(who) -> Region:
    return Region.objects.exclude(pk__in=visible_region_ids(who)).order_by("pk").first()


def outside_manager(who):
    """A store manager all of whose stores are outside ``who``'s scope."""
    return (
        get_user_model()
        .objects.filter(role="store_manager", is_active=True, store_assignments__isnull=False)
        .exclude(store_assignments__store__in=visible_store_ids(who))
        .order_by("pk")
        .first()
    )


def first(model, **filters):
    return model.objects.filter(**filters).order_by("pk").first()


@dataclass(frozen=True)
class Case:
    username: str
    path: Callable  # (user) -> URL
    body: Callable  # (user, the id) -> request body
    outside: Callable  # (user) -> an existing record outside the user's scope
    method: str = "post"
    kind: str = "api"  # "api": JSON with a token; "page": a form posted with the session
    expect: int | None = 404
    # The answer repeats the id it was given: True anywhere, or a pattern where ({pk}).
    echoes_id: bool | str = False


def _complaint(who):
    from customers.models import Complaint

    return Complaint.objects.visible_to(who).exclude(status="closed").order_by("pk").first()


def _complaint_body(who, store_id, **extra):
    return {
        "store": store_id,
        "channel": "phone",
        "category": "product_quality",
        "description": "Milk past its date.",
        **extra,
    }


def _sku():
    from inventory.models import Product

    return Product.objects.order_by("pk").values_list("sku", flat=True).first()


def _run(who):
    from stores.checklists.models import ChecklistRun

    return ChecklistRun.objects.visible_to(who).order_by("pk").first()


def _other_version_item(who):
    """An item of a checklist version that is not the version of the user's run."""
    from stores.checklists.models import TemplateItem

    return TemplateItem.objects.exclude(version_id=_run(who).version_id).order_by("pk").first()


def _photo_of(store):
    from stores.checklists.models import ChecklistPhoto

    photo = first(ChecklistPhoto, store=store)
    if photo is None:
        photo = ChecklistPhoto.objects.create(store=store, uploaded_by=user("headoffice"))
    return photo


def _action(who):
    from stores.checklists.models import CorrectiveAction

    return CorrectiveAction.objects.visible_to(who).order_by("pk").first()


def _supplier():
    from inventory.models import Supplier

    return first(Supplier)


def _count(who):
    from inventory.models import StockCount

    return StockCount.objects.visible_to(who).order_by("pk").first()


def _other_count_line(who):
    from inventory.models import StockCountLine

    return StockCountLine.objects.exclude(count=_count(who)).order_by("pk").first()


def _order(who):
    from inventory.models import PurchaseOrder

    open_orders = PurchaseOrder.objects.visible_to(who).filter(
        status__in=["submitted", "partially_received"]
    )
    return open_orders.order_by("pk").first()


def _other_order_line(who):
    from inventory.models import PurchaseOrderLine

    return PurchaseOrderLine.objects.exclude(purchase_order=_order(who)).order_by("pk").first()


def _employee_outside(who):
    from staff.models import Employee

    return Employee.objects.exclude(home_store__in=visible_store_ids(who)).order_by("pk").first()


def _employee_inside(who):
    from staff.models import Employee

    return Employee.objects.filter(home_store__in=visible_store_ids(who)).order_by("pk").first()


def _course():
    from staff.models import Course

    return first(Course)


def _month_target():
    from sales.models import MonthTarget

    return first(MonthTarget)


def _version_of_other_template(who):
    from stores.checklists.models import TemplateSection

    version = _draft_version()
    return TemplateSection.objects.exclude(version=version).order_by("pk").first()


def _draft_version():
    from stores.checklists.models import TemplateVersion

    return first(TemplateVersion, status="draft") or first(TemplateVersion)


TODAY = "2026-01-05"
LINES = [{"product": "SKU", "quantity": "1"}]


def _lines():
    return [{"product": _sku(), "quantity": "1"}]


API = {
    # Customers: the store a complaint is logged at; who handles it (at logging, later).
    "complaint store": Case(
        "manager",
        lambda u: reverse("customers-api:complaint-list"),
        lambda u, pk: _complaint_body(u, pk),
        outside_store,
    ),
    "complaint assignee at logging": Case(
        "manager",
        lambda u: reverse("customers-api:complaint-list"),
        lambda u, pk: _complaint_body(u, inside_store(u).pk, assignee=pk),
        outside_manager,
    ),
    "complaint assignee": Case(
        "manager",
        lambda u: reverse("customers-api:complaint-assign", args=[_complaint(u).pk]),
        lambda u, pk: {"assignee": pk},
        outside_manager,
    ),
    # Checklists: a visit audit's store; a run's item and photo; an action's evidence;
    # a photo's store; a draft's section.
    "audit store": Case(
        "regional",
        lambda u: reverse("checklists-api:run-list"),
        lambda u, pk: {"store": pk, "template": _audit_template().pk},
        outside_store,
    ),
    "answer item": Case(
        "manager",
        lambda u: reverse("checklists-api:run-answers", args=[_run(u).pk]),
        lambda u, pk: {"item": pk, "value": "yes"},
        _other_version_item,
    ),
    "answer photo": Case(
        "manager",
        lambda u: reverse("checklists-api:run-answers", args=[_run(u).pk]),
        lambda u, pk: {"item": _run(u).version.items.order_by("pk").first().pk, "photo": pk},
        lambda u: _photo_of(outside_store(u)),
    ),
    "action evidence": Case(
        "manager",
        lambda u: reverse("checklists-api:correctiveaction-detail", args=[_action(u).pk]),
        lambda u, pk: {"evidence": pk},
        lambda u: _photo_of(outside_store(u)),
        method="patch",
    ),
    "section of another version": Case(
        "headoffice",
        lambda u: reverse("checklists-api:templateversion-items", args=[_draft_version().pk]),
        lambda u, pk: {"section": pk, "prompt": "Floor clean", "kind": "yes_no"},
        _version_of_other_template,
    ),
    # Inventory: documents' stores, a count's line, an order's line.
    "order store": Case(
        "manager",
        lambda u: reverse("inventory-api:purchaseorder-list"),
        lambda u, pk: {"store": pk, "supplier": _supplier().pk, "lines": _lines()},
        outside_store,
    ),
    "transfer source": Case(
        "manager",
        lambda u: reverse("inventory-api:transfer-list"),
        lambda u, pk: {
            "source_store": pk,
            "destination_store": inside_store(u).pk,
            "lines": _lines(),
        },
        outside_store,
    ),
    "transfer both ends": Case(
        "manager",
        lambda u: reverse("inventory-api:transfer-list"),
        lambda u, pk: {"source_store": pk, "destination_store": pk, "lines": _lines()},
        outside_store,
    ),
    "count store": Case(
        "manager",
        lambda u: reverse("inventory-api:stockcount-list"),
        lambda u, pk: {"store": pk},
        outside_store,
    ),
    "count line": Case(
        "manager",
        lambda u: reverse("inventory-api:stockcount-count-line", args=[_count(u).pk]),
        lambda u, pk: {"line": pk, "quantity": "1"},
        _other_count_line,
    ),
    "received line": Case(
        "manager",
        lambda u: reverse("inventory-api:purchaseorder-receive", args=[_order(u).pk]),
        lambda u, pk: {"lines": [{"line": pk, "quantity": "1"}]},
        _other_order_line,
        expect=409,  # "not on the order", for both
    ),
    "replenishment store": Case(
        "manager",
        lambda u: reverse("inventory-api:replenishment-create-orders"),
        lambda u, pk: {"store": pk, "lines": _lines()},
        outside_store,
    ),
    "replenishment source": Case(
        "manager",
        lambda u: reverse("inventory-api:replenishment-request-transfer"),
        lambda u, pk: {"store": inside_store(u).pk, "source_store": pk, "lines": _lines()},
        outside_store,
    ),
    # Sales: footfall's store; a region's store amounts.
    "footfall store": Case(
        "manager",
        lambda u: reverse("sales-api:dailysales-footfall"),
        lambda u, pk: {"store": pk, "business_date": TODAY, "footfall": 10},
        outside_store,
    ),
    "target region": Case(
        "regional",
        lambda u: reverse("sales-api:monthtarget-stores", args=[_month_target().pk]),
        lambda u, pk: {"region": pk, "amounts": {str(inside_store(u).pk): "1.00"}},
        outside_region,
    ),
    "target store amounts": Case(
        "regional",
        lambda u: reverse("sales-api:monthtarget-stores", args=[_month_target().pk]),
        lambda u, pk: {"region": inside_store(u).region_id, "amounts": {str(pk): "1.00"}},
        outside_store,
        expect=409,  # "not part of this target: <the id>", for both
        echoes_id=True,
    ),
    # Staff: a person's home store; a shift's store and person; a swap's colleague; a
    # training assignment's person.
    "employee home store": Case(
        "manager",
        lambda u: reverse("staff-api:employee-list"),
        lambda u, pk: {
            "home_store": pk,
            "name": "Li",
            "position": "sales_associate",
            "weekly_hours_max": "40.00",
            "hourly_rate": "30.00",
        },
        outside_store,
    ),
    "shift store": Case(
        "manager",
        lambda u: reverse("staff-api:shift-list"),
        lambda u, pk: {
            "store": pk,
            "employee": _employee_inside(u).pk,
            "business_date": TODAY,
            "starts": "09:00",
            "ends": "17:00",
        },
        outside_store,
    ),
    "shift employee": Case(
        "manager",
        lambda u: reverse("staff-api:shift-list"),
        lambda u, pk: {
            "store": inside_store(u).pk,
            "employee": pk,
            "business_date": TODAY,
            "starts": "09:00",
            "ends": "17:00",
        },
        _employee_outside,
    ),
    "training employee": Case(
        "manager",
        lambda u: reverse("staff-api:assignment-list"),
        lambda u, pk: {"employee": pk, "course": _course().pk, "due_date": TODAY},
        _employee_outside,
    ),
    # Reports and KPIs: a filter naming a store.
    "export filter": Case(
        "manager",
        lambda u: reverse("reports-api:export-list"),
        lambda u, pk: {"dataset": "stock_levels", "format": "csv", "params": {"store": pk}},
        outside_store,
        expect=400,  # the filter's own message, for both
    ),
}


def _page(username, name, body, outside, expect=400, **kwargs):
    return Case(
        username, lambda u: reverse(name), body, outside, kind="page", expect=expect, **kwargs
    )


PAGES = {
    # Forms: a choice outside the user's scope is refused exactly like an unknown one.
    "complaint form store": _page(
        "manager",
        "customers:complaint_create",
        lambda u, pk: {
            "store": pk,
            "kind": "complaint",
            "category": "product_quality",
            "severity": "medium",
            "channel": "phone",
            "description": "Milk past its date.",
        },
        outside_store,
        echoes_id='name="store" value="{pk}"',  # one store: a hidden field, as posted
    ),
    "complaint form assignee": Case(
        "manager",
        lambda u: reverse("customers:complaint_assign", args=[_complaint(u).pk]),
        lambda u, pk: {"assignee": pk, "version": _complaint(u).version},
        outside_manager,
        kind="page",
        expect=400,
    ),
    "audit form store": _page(
        "regional",
        "checklists:audit_start",
        lambda u, pk: {"store": pk, "template": _audit_template().pk},
        outside_store,
    ),
    "count form store": _page(
        "manager",
        "inventory:stockcount_create",
        lambda u, pk: {"store": pk},
        outside_store,
        expect=302,  # back to the list, with the form's message
    ),
    "write-off form store": _page(
        "manager",
        "inventory:writeoff_create",
        lambda u, pk: {"store": pk, "product": _sku(), "quantity": "1", "reason": "damaged"},
        outside_store,
    ),
    "employee form home store": _page(
        "manager",
        "staff:employee_create",
        lambda u, pk: {
            "home_store": pk,
            "name": "Li",
            "position": "sales_associate",
            "contract_type": "full_time",
            "weekly_hours_max": "40",
            "hourly_rate": "30",
            "active_from": TODAY,
        },
        outside_store,
    ),
    "employee form account": _page(
        "manager",
        "staff:employee_create",
        lambda u, pk: {
            "home_store": inside_store(u).pk,
            "name": "Li",
            "position": "sales_associate",
            "contract_type": "full_time",
            "weekly_hours_max": "40",
            "hourly_rate": "30",
            "active_from": TODAY,
            "account": pk,
        },
        outside_manager,
    ),
    "training form employee": _page(
        "manager",
        "staff:assignment_create",
        lambda u, pk: {"employee": pk, "course": _course().pk, "due_date": TODAY},
        _employee_outside,
    ),
    "replenishment form source": Case(
        "manager",
        lambda u: reverse("inventory:replenishment_transfer", args=[inside_store(u).pk]),
        lambda u, pk: {"source": pk},
        lambda u: _other_region_store(u),
        kind="page",
        expect=400,
    ),
}


def _other_region_store(who):
    return Store.objects.exclude(region__in=visible_region_ids(who)).order_by("pk").first()


def _get(username, name, param, outside, kind="api", expect=404):
    return Case(
        username,
        lambda u: reverse(name),
        lambda u, pk: {param: pk},
        outside,
        method="get",
        kind=kind,
        expect=expect,
        # The page's own links repeat its query string.
        echoes_id=param + r"={pk}\b" if kind == "page" else False,
    )


FILTERS = {
    # Query parameters naming a record: the API answers 404 for both (its filter backend),
    # a page shows the filter's message for both.
    "complaints by assignee": _get(
        "manager", "customers-api:complaint-list", "assignee", outside_manager
    ),
    "complaints by store": _get("manager", "customers-api:complaint-list", "store", outside_store),
    "actions by assignee": _get(
        "manager", "checklists-api:correctiveaction-list", "assignee", outside_manager
    ),
    "stock by store": _get("manager", "inventory-api:stocklevel-list", "store", outside_store),
    "shifts by employee": _get("manager", "staff-api:shift-list", "employee", _employee_outside),
    "KPIs by region": _get("manager", "kpis-api:value-list", "region", outside_region),
    "complaint page by assignee": _get(
        "manager", "customers:complaint_list", "assignee", outside_manager, "page", 200
    ),
    "action page by assignee": _get(
        "manager", "checklists:action_list", "assignee", outside_manager, "page", 200
    ),
    "monthly report region": _get(
        "regional", "reports:monthly", "region", outside_region, "page", 400
    ),
}


def _audit_template():
    from stores.checklists.models import ChecklistTemplate

    return first(ChecklistTemplate, kind="audit")


# What a page draws afresh on every request: CSRF tokens, idempotency keys.
RANDOM = re.compile(r'(csrfmiddlewaretoken" value=|"X-CSRFToken": |name="key" value=)"[^"]*"')


def _send(case, who, pk, client, api_as):
    body = case.body(who, pk)
    url = case.path(who)
    status = None
    if case.kind == "api":
        http = api_as(who)
        extra = {} if case.method == "get" else {"format": "json"}
        response = getattr(http, case.method)(url, body, **extra)
        text = json.dumps(response.json(), sort_keys=True) if response.content else ""
    else:
        client.force_login(who)
        # Followed: a form that redirects with its message shows that message next.
        response = getattr(client, case.method)(url, body, follow=True)
        if response.redirect_chain:
            status = response.redirect_chain[0][1]
        text = RANDOM.sub("RANDOM", response.content.decode())
    if case.echoes_id:
        where = rf"\b{pk}\b" if case.echoes_id is True else case.echoes_id.format(pk=pk)
        text = re.sub(where, "ID", text)
    return status or response.status_code, text


CASES = {**API, **PAGES, **FILTERS}


@pytest.mark.parametrize("name", sorted(CASES))
def test_an_id_out_of_scope_answers_like_a_missing_one(name, demo, client, api_as):
    case = CASES[name]
    who = user(case.username)
    outside = case.outside(who)
    assert outside is not None, f"{name}: the demo chain has nothing outside {who}'s scope"
    seen = _send(case, who, outside.pk, client, api_as)
    missing = _send(case, who, MISSING, client, api_as)
    if seen != missing:
        diff = "\n".join(
            difflib.unified_diff(missing[1].splitlines(), seen[1].splitlines(), lineterm="", n=0)
        )
        pytest.fail(f"{name}: out of scope {seen[0]}, missing {missing[0]}:\n{diff[:3000]}")
    if case.expect is not None:
        assert missing[0] == case.expect, f"{name}: {missing}"
