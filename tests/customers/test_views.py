"""The complaint pages for every role: the list and its filters, logging on a phone,
the detail page's actions, refusals shown on the page, the SLA policy, the store
dashboard's tile, and query counts that do not grow with the number of rows."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from customers import services
from customers.models import Complaint, ComplaintEvent, Customer, SlaTarget
from stores.models import Store

pytestmark = pytest.mark.django_db


def _ids(response):
    return {c.pk for c in response.context["complaints"]}


@pytest.mark.parametrize("username", ["headoffice", "regional", "manager", "staff", "admin"])
def test_the_list_shows_exactly_the_complaints_in_scope(demo, client_as, username):
    user = demo.user(username)
    response = client_as(user).get(reverse("customers:complaint_list") + "?page_size=500")
    assert response.status_code == 200
    visible = Complaint.objects.visible_to(user)
    shown = set()
    page = 1
    while True:
        response = client_as(user).get(reverse("customers:complaint_list") + f"?page={page}")
        shown |= _ids(response)
        if not response.context["page_obj"].has_next():
            break
        page += 1
    assert shown == set(visible.values_list("pk", flat=True)) and shown
    html = response.content.decode()
    assert 'data-testid="export-csv"' in html and "dataset=complaints" in html


def test_filters_narrow_the_list_and_bad_values_are_shown(demo, client_as):
    head = demo.user("headoffice")
    client = client_as(head)
    store = Store.objects.get(code="SH001")
    url = reverse("customers:complaint_list")
    response = client.get(url, {"store": store.pk, "escalated": "true"})
    rows = Complaint.objects.filter(store=store, escalated_at__isnull=False)
    assert _ids(response) == set(rows.values_list("pk", flat=True)) and rows.exists()
    response = client.get(url, {"overdue": "true"})
    now = timezone.now()
    assert all(c.is_open and c.breached(now) for c in response.context["complaints"])
    assert response.context["complaints"]
    response = client.get(url, {"kind": "compliment", "status": ["closed"]})
    assert {(c.kind, c.status) for c in response.context["complaints"]} == {
        ("compliment", "closed")
    }
    # The store-local day of its latest complaint (the demo's "today" may have none yet
    # in the first hours of the store's day).
    latest = Complaint.objects.filter(store=store).order_by("-received_at").first()
    day = latest.received_at.astimezone(store.tz).date()
    response = client.get(url, {"store": store.pk, "received_after": day, "received_before": day})
    assert all(
        c.received_at.astimezone(store.tz).date() == day for c in response.context["complaints"]
    )
    assert latest in response.context["complaints"]
    response = client.get(url, {"overdue": "maybe", "store": 10**9})
    assert (
        response.status_code == 200 and 'data-testid="filter-errors"' in response.content.decode()
    )
    assert not response.context["complaints"]
    # A store out of scope is refused like an unknown one.
    manager = client_as(demo.user("manager"))
    other = Store.objects.get(code="GZ002")
    response = manager.get(url, {"store": other.pk})
    assert not response.context["complaints"]
    assert "filter-errors" in response.content.decode()


def test_the_list_runs_the_same_queries_for_one_row_or_many(demo, client_as):
    client = client_as(demo.user("headoffice"))
    url = reverse("customers:complaint_list")
    first = Complaint.objects.exclude(receipt_reference="").order_by("pk").first()
    Complaint.objects.filter(receipt_reference=first.receipt_reference).exclude(pk=first.pk).update(
        receipt_reference=""
    )

    def count(params):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, params)
        assert response.status_code == 200
        return len(queries), len(response.context["complaints"])

    # The same parameters (a filter naming a store is one query of its own), other rows.
    many, rows = count({"search": ""})
    one, single = count({"search": first.receipt_reference})
    assert rows == 50 and single == 1
    assert one == many


def _form(store, **extra):
    return {
        "store": store.pk,
        "kind": "complaint",
        "category": "product_quality",
        "severity": "high",
        "channel": "in_store",
        "description": "Mouldy bread",
        "received_at": "",
        "receipt_reference": "R123",
        "product_code": "",
        "member_number": "",
        "customer_phone": "",
        "customer_name": "",
        "customer_email": "",
        **extra,
    }


def test_staff_log_a_complaint_and_see_it(demo, client_as):
    staff = demo.user("staff")
    client = client_as(staff)
    store = Store.objects.get(code="SH001")
    form = client.get(reverse("customers:complaint_create"))
    assert form.status_code == 200
    assert form.context["form"]["store"].is_hidden  # one store: nothing to choose
    local = timezone.now().astimezone(store.tz) - datetime.timedelta(hours=1)
    response = client.post(
        reverse("customers:complaint_create"),
        _form(
            store,
            received_at=local.strftime("%Y-%m-%dT%H:%M"),
            member_number="M100000",
            customer_name="Someone Else",
        ),
    )
    complaint = Complaint.objects.latest("pk")
    assert response.status_code == 302
    assert response["Location"] == reverse("customers:complaint_detail", args=[complaint.pk])
    assert complaint.created_by == staff and complaint.store == store
    assert complaint.received_at == local.replace(second=0, microsecond=0)
    assert complaint.customer.member_number == "M100000"
    assert complaint.customer.name != "Someone Else"  # a member's details stay
    detail = client.get(response["Location"])
    assert detail.status_code == 200 and not detail.context["can_handle"]
    assert 'data-testid="respond-form"' not in detail.content.decode()
    # Staff may not act (403) even on their own store's complaint.
    url = reverse("customers:complaint_respond", args=[complaint.pk])
    assert client.post(url, {"text": "hi"}).status_code == 403


def test_the_store_choices_of_the_log_form_are_one_query(demo, client_as):
    """The stores one may log for are read once: showing them as choices and checking
    the one posted make no query of their own."""

    def store_queries(client, method, *args):
        with CaptureQueriesContext(connection) as queries:
            response = getattr(client, method)(reverse("customers:complaint_create"), *args)
        return response, [q for q in queries if '"stores_store"' in q["sql"]]

    client = client_as(demo.user("headoffice"))
    page, queries = store_queries(client, "get")
    assert len(queries) == 1
    codes = re.findall(r'<option value="\d+"[^>]*>(\w+) ', page.content.decode())
    expected = Store.objects.exclude(status=Store.Status.PLANNED).order_by("code")
    assert codes == [s.code for s in expected]
    # A bad form shown again, with an out-of-scope store refused: still one.
    manager = client_as(demo.user("manager"))
    other = Store.objects.get(code="GZ002")
    page, queries = store_queries(manager, "post", _form(other))
    assert page.status_code == 400 and "store" in page.context["form"].errors
    assert len(queries) == 1
    page, queries = store_queries(client_as(demo.user("staff")), "get")
    assert page.context["form"]["store"].is_hidden and len(queries) == 1


def test_a_bad_form_is_shown_again_with_the_messages_and_writes_nothing(demo, client_as):
    client = client_as(demo.user("manager"))
    store = Store.objects.get(code="SH001")
    before = Complaint.objects.count()
    future = (timezone.now() + datetime.timedelta(days=1)).astimezone(store.tz)
    response = client.post(
        reverse("customers:complaint_create"),
        _form(
            store,
            description=" ",
            product_code="NO-SUCH",
            received_at=future.strftime("%Y-%m-%dT%H:%M"),
        ),
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert {"description", "product_code"} <= set(errors)
    response = client.post(
        reverse("customers:complaint_create"),
        _form(store, received_at=future.strftime("%Y-%m-%dT%H:%M"), customer_email="nope"),
    )
    assert response.status_code == 400
    assert {"received_at", "customer_email"} <= set(response.context["form"].errors)
    assert Complaint.objects.count() == before
    # Another store's id is not a choice for this manager.
    other = Store.objects.get(code="GZ002")
    response = client.post(reverse("customers:complaint_create"), _form(other))
    assert response.status_code == 400 and "store" in response.context["form"].errors


def test_the_manager_responds_resolves_and_closes_on_the_detail_page(demo, client_as):
    manager = demo.user("manager")
    client = client_as(manager)
    complaint = Complaint.objects.filter(
        store__code="SH001", status="new", kind="complaint"
    ).first()
    url = reverse("customers:complaint_detail", args=[complaint.pk])
    page = client.get(url)
    html = page.content.decode()
    assert 'data-testid="sla-clocks"' in html and "left" in html
    response = client.post(
        reverse("customers:complaint_respond", args=[complaint.pk]), {"text": "Called back"}
    )
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == "in_progress" and complaint.first_responded_at
    response = client.post(
        reverse("customers:complaint_resolve", args=[complaint.pk]),
        {"resolution_note": "Refunded", "compensation": "12.50", "version": complaint.version},
    )
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert (complaint.status, str(complaint.compensation)) == ("resolved", "12.50")
    # A second resolve from a page read before: refused, said clearly, nothing changed.
    stale = client.post(
        reverse("customers:complaint_resolve", args=[complaint.pk]),
        {"resolution_note": "Voucher", "version": complaint.version - 1},
    )
    assert stale.status_code == 409
    assert "Somebody else changed this complaint" in stale.content.decode()
    again = client.post(
        reverse("customers:complaint_resolve", args=[complaint.pk]),
        {"resolution_note": "Voucher", "version": complaint.version},
    )
    assert again.status_code == 409 and "already resolved" in again.content.decode()
    response = client.post(
        reverse("customers:complaint_close", args=[complaint.pk]), {"version": complaint.version}
    )
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == "closed" and complaint.resolution_note == "Refunded"
    timeline = client.get(url).content.decode()
    for kind in ("logged", "response", "resolved", "closed"):
        assert f'data-kind="{kind}"' in timeline


def test_assign_and_reopen_from_the_page(demo, client_as):
    regional = demo.user("regional")
    client = client_as(regional)
    complaint = Complaint.objects.filter(store__code="SH001", status="closed").first()
    bad = client.post(reverse("customers:complaint_reopen", args=[complaint.pk]), {"reason": ""})
    assert bad.status_code == 400
    response = client.post(
        reverse("customers:complaint_reopen", args=[complaint.pk]),
        {"reason": "Customer came back", "version": complaint.version},
    )
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == "in_progress" and complaint.reopen_count >= 1
    manager = demo.user("manager-GZ002")  # a manager of another store may not be assigned
    response = client.post(
        reverse("customers:complaint_assign", args=[complaint.pk]),
        {"assignee": manager.pk, "version": complaint.version},
    )
    assert response.status_code == 400
    response = client.post(
        reverse("customers:complaint_assign", args=[complaint.pk]),
        {"assignee": regional.pk, "version": complaint.version},
    )
    assert response.status_code == 302
    assert Complaint.objects.get(pk=complaint.pk).assignee == regional


def test_the_customer_page_and_look_up_stay_in_scope(demo, client_as):
    manager = client_as(demo.user("manager"))
    mine = Customer.objects.visible_to(demo.user("manager"))
    theirs = Customer.objects.exclude(pk__in=mine.values("pk")).exclude(member_number="").first()
    customer = mine.exclude(member_number="").first()
    page = manager.get(reverse("customers:customer_detail", args=[customer.pk]))
    assert page.status_code == 200 and customer.member_number in page.content.decode()
    assert {c.store.code for c in page.context["complaints"]} == {"SH001"}
    assert manager.get(reverse("customers:customer_detail", args=[theirs.pk])).status_code == 404
    lookup = reverse("customers:customer_lookup")
    found = manager.get(lookup, {"member_number": customer.member_number})
    assert found.context["matches"] == [customer]
    hidden = manager.get(lookup, {"member_number": theirs.member_number})
    assert hidden.context["matches"] == [] and theirs.name not in hidden.content.decode()


def test_the_sla_policy_page(demo, client_as):
    manager = client_as(demo.user("manager"))
    page = manager.get(reverse("customers:sla_policy"))
    assert page.status_code == 200 and not page.context["can_edit"]
    assert manager.post(reverse("customers:sla_policy"), {}).status_code == 403
    head = client_as(demo.user("headoffice"))
    assert head.get(reverse("customers:sla_policy")).context["can_edit"]
    bad = head.post(
        reverse("customers:sla_policy"),
        {"severity": "low", "category": "", "first_response_hours": "10", "resolution_hours": "2"},
    )
    assert bad.status_code == 400 and "cannot be shorter" in bad.content.decode()
    ok = head.post(
        reverse("customers:sla_policy"),
        {
            "severity": "low",
            "category": "pricing",
            "first_response_hours": "1.5",
            "resolution_hours": "12",
        },
    )
    assert ok.status_code == 302
    target = SlaTarget.objects.get(severity="low", category="pricing")
    assert (target.first_response_minutes, target.resolution_minutes) == (90, 720)
    html = head.get(reverse("customers:sla_policy")).content.decode()
    assert 'data-category="pricing"' in html and "1 h 30 min" in html
    delete = reverse("customers:sla_target_delete", args=[target.pk])
    assert client_as(demo.user("manager")).post(delete).status_code == 403
    assert client_as(demo.user("headoffice")).post(delete).status_code == 302
    assert not SlaTarget.objects.filter(pk=target.pk).exists()


def test_the_store_dashboard_tile_and_its_constant_queries(demo, client_as):
    manager = demo.user("manager")
    client = client_as(manager)
    store = Store.objects.get(code="SH001")
    url = reverse("dashboards:store", args=[store.pk])
    open_ = Complaint.objects.filter(store=store, status__in=["new", "in_progress"])

    def load():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        return response, len(queries)

    response, many = load()
    tile = response.context["today"].complaints
    assert tile.count == open_.count() >= 2
    now = timezone.now()
    assert tile.breached == sum(1 for c in open_ if c.breached(now)) >= 1
    html = response.content.decode()
    assert 'data-testid="open-complaints"' in html
    oldest = open_.order_by("received_at").first()
    assert reverse("customers:complaint_detail", args=[oldest.pk]) in html
    # One open complaint, then none: the same number of queries.
    open_.exclude(pk=oldest.pk).update(status="closed")
    response, one = load()
    assert response.context["today"].complaints.count == 1
    Complaint.objects.filter(pk=oldest.pk).update(status="closed")
    response, none = load()
    assert "No complaint is open." in response.content.decode()
    assert many == one == none


def test_a_refused_action_leaves_the_timeline_alone(demo, client_as):
    manager = demo.user("manager")
    complaint = Complaint.objects.filter(store__code="SH001", status="closed").first()
    events = ComplaintEvent.objects.filter(complaint=complaint).count()
    response = client_as(manager).post(
        reverse("customers:complaint_respond", args=[complaint.pk]), {"text": "Hello?"}
    )
    assert response.status_code == 409
    assert re.search(r"reopen it to respond", response.content.decode())
    assert ComplaintEvent.objects.filter(complaint=complaint).count() == events
    services.complaint_reopen(user=manager, complaint=complaint, reason="Back")


@pytest.mark.parametrize(
    ("code", "extra"),
    [
        ("complaints_per_1k_txn", ""),
        ("complaint_first_response_h", ""),
        ("complaint_resolution_h", ""),
        ("complaint_sla_breach_rate", "breached=true"),
    ],
)
def test_a_complaint_kpi_drills_down_to_the_complaint_list(demo, client_as, code, extra):
    client = client_as(demo.user("manager"))
    store = Store.objects.get(code="SH001")
    response = client.get(reverse("dashboards:store_kpi", args=[store.pk, code]) + "?period=7d")
    assert response.status_code == 200
    _label, url = response.context["records"]
    period = response.context["period"]
    assert url.startswith(reverse("customers:complaint_list"))
    for part in (
        f"store={store.pk}",
        "kind=complaint",
        f"received_after={period.start}",
        f"received_before={period.end}",
        extra,
    ):
        assert part in url
    listed = client.get(url)
    assert listed.status_code == 200 and not listed.context["filter"].errors
    for complaint in listed.context["complaints"]:
        local = complaint.received_at.astimezone(store.tz).date()
        assert complaint.store == store and period.start <= local <= period.end


def test_head_office_reads_complaints_in_the_admin_only(demo, client_as):
    head = client_as(demo.user("headoffice"))
    complaint = Complaint.objects.first()
    for path in (
        "/admin/customers/complaint/",
        f"/admin/customers/complaint/{complaint.pk}/change/",
        "/admin/customers/customer/",
        "/admin/customers/slatarget/",
    ):
        assert head.get(path).status_code == 200, path
    for model in ("complaint", "customer", "slatarget"):
        assert head.get(f"/admin/customers/{model}/add/").status_code == 403, model
    page = head.get(f"/admin/customers/complaint/{complaint.pk}/change/")
    assert 'name="_save"' not in page.text  # a view page, no save button
    # A forged change or delete is refused and changes nothing.
    change = f"/admin/customers/complaint/{complaint.pk}/change/"
    assert head.post(change, {"status": "closed", "description": "x"}).status_code == 403
    delete = f"/admin/customers/complaint/{complaint.pk}/delete/"
    assert head.post(delete, {"post": "yes"}).status_code == 403
    after = Complaint.objects.get(pk=complaint.pk)
    assert (after.status, after.description) == (complaint.status, complaint.description)
