"""The customers API: scope, roles, the statuses of docs/api.md (400 schema, 404 unknown
or out of scope, 409 refused by state or rule, 403 wrong role) and constant query
counts on every list endpoint."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from customers.models import Complaint, Customer, SlaTarget
from inventory.models import Product
from stores.models import Store

pytestmark = pytest.mark.django_db

LIST = reverse("customers-api:complaint-list")


def _url(name, pk):
    return reverse(f"customers-api:complaint-{name}", args=[pk])


def _body(store, **extra):
    return {
        "store": store.pk,
        "channel": "phone",
        "category": "pricing",
        "severity": "low",
        "description": "Charged twice",
        **extra,
    }


@pytest.mark.parametrize("username", ["headoffice", "regional", "manager", "staff"])
def test_the_list_is_scoped(demo, api_as, username):
    user = demo.user(username)
    api = api_as(user)
    body = api.get(LIST, {"page_size": 500}).json()
    assert body["count"] == Complaint.objects.visible_to(user).count() > 0
    row = body["results"][0]
    assert {"number", "store_code", "first_response_sla", "resolution_sla", "version"} <= set(row)
    customers = api.get(reverse("customers-api:customer-list"), {"page_size": 500}).json()
    assert {c["id"] for c in customers["results"]} == set(
        Customer.objects.visible_to(user).values_list("pk", flat=True)
    )


def test_create_and_handle_a_complaint(demo, api_as):
    manager = demo.user("manager")
    api = api_as(manager)
    store = Store.objects.get(code="SH001")
    product = Product.objects.order_by("pk").first()
    received = timezone.now() - datetime.timedelta(hours=2)
    response = api.post(
        LIST,
        _body(
            store,
            received_at=received.isoformat(),
            product=product.pk,
            customer={"member_number": "m-777", "phone": "+8613911112222", "name": "Wu Fang"},
        ),
        format="json",
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["product_sku"] == product.sku
    assert created["customer"]["member_number"] == "M-777"
    assert created["first_response_sla"] == "running" and created["status"] == "new"
    assert [e["kind"] for e in created["events"]] == ["logged"]
    pk = created["id"]
    answered = api.post(_url("respond", pk), {"text": "Called"}, format="json")
    assert answered.status_code == 200 and answered.json()["status"] == "in_progress"
    version = answered.json()["version"]
    stale = api.post(
        _url("resolve", pk), {"resolution_note": "Refund", "version": version - 1}, format="json"
    )
    assert stale.status_code == 409
    assert "Somebody else changed" in stale.json()["non_field_errors"][0]
    resolved = api.post(
        _url("resolve", pk),
        {"resolution_note": "Refund", "compensation": "8.80", "version": version},
        format="json",
    )
    assert resolved.status_code == 200, resolved.content
    assert (resolved.json()["status"], resolved.json()["compensation"]) == ("resolved", "8.80")
    again = api.post(_url("resolve", pk), {"resolution_note": "Again"}, format="json")
    assert again.status_code == 409
    closed = api.post(_url("close", pk), {}, format="json")
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    reopened = api.post(_url("reopen", pk), {"reason": "Came back"}, format="json")
    assert reopened.status_code == 200 and reopened.json()["reopen_count"] == 1
    regional = demo.user("regional")
    assigned = api.post(_url("assign", pk), {"assignee": regional.pk}, format="json")
    assert assigned.status_code == 200 and assigned.json()["assignee"] == regional.pk
    detail = api.get(reverse("customers-api:complaint-detail", args=[pk])).json()
    assert [e["kind"] for e in detail["events"]] == [
        "logged",
        "response",
        "resolved",
        "closed",
        "reopened",
        "assigned",
    ]


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"description": ""}, 400),
        ({"description": 12}, 400),
        ({"severity": "huge"}, 400),
        ({"received_at": "yesterday"}, 400),
        ({"customer": {"phone": "call me"}}, 400),
        ({"customer": {"member_number": "a b"}}, 400),
        ({"store": "1"}, 400),
        ({"store": 10**9}, 404),
        ({"product": 10**9}, 404),
        ({"assignee": 10**9}, 404),
        ({"received_at": "2999-01-01T00:00:00Z"}, 400),
        ({"received_at": "2026-11-22T14:30:00"}, 400),  # no offset
        ({"received_at": "2099-01-01T00:00:00Z"}, 409),
        ({"received_at": "2026-02-30T10:00:00+08:00"}, 409),
        ({"received_at": "2000-01-01T00:00:00Z"}, 409),
        ({"customer": {"email": "nope"}}, 409),
    ],
)
def test_create_refusals(demo, api_as, body, status):
    api = api_as(demo.user("manager"))
    before = Complaint.objects.count()
    store = Store.objects.get(code="SH001")
    response = api.post(LIST, {**_body(store), **body}, format="json")
    assert response.status_code == status, response.content
    assert Complaint.objects.count() == before


def test_scope_and_roles_on_the_actions(demo, api_as):
    store = Store.objects.get(code="SH001")
    other = Store.objects.get(code="GZ002")
    manager = api_as(demo.user("manager"))
    assert manager.post(LIST, _body(other), format="json").status_code == 404
    theirs = Complaint.objects.filter(store=other).first()
    assert (
        manager.get(reverse("customers-api:complaint-detail", args=[theirs.pk])).status_code == 404
    )
    assert manager.post(_url("respond", theirs.pk), {"text": "x"}, format="json").status_code == 404
    staff = api_as(demo.user("staff"))
    assert staff.post(LIST, _body(store), format="json").status_code == 201
    # Staff log complaints but do not assign them, not even while logging (nothing saved).
    count = Complaint.objects.count()
    assignee = demo.user("manager").pk
    refused = staff.post(LIST, _body(store, assignee=assignee), format="json")
    assert refused.status_code == 403 and Complaint.objects.count() == count
    mine = Complaint.objects.filter(store=store, status="new").first()
    assert staff.post(_url("respond", mine.pk), {"text": "x"}, format="json").status_code == 403
    # Assigning a manager of another store (outside the manager's scope): the same 404 as
    # a user id that exists nowhere, so the account's existence does not leak.
    gz = demo.user("manager-GZ002")
    outside = manager.post(_url("assign", mine.pk), {"assignee": gz.pk}, format="json")
    missing = manager.post(_url("assign", mine.pk), {"assignee": 10**9}, format="json")
    assert outside.status_code == missing.status_code == 404
    assert outside.json() == missing.json()
    assert (
        manager.post(_url("respond", mine.pk), "text", content_type="text/plain").status_code == 415
    )


def test_sla_targets(demo, api_as):
    url = reverse("customers-api:slatarget-list")
    manager = api_as(demo.user("manager"))
    assert manager.get(url).json()["count"] == SlaTarget.objects.count() > 0
    body = {
        "severity": "low",
        "category": "cleanliness",
        "first_response_minutes": 60,
        "resolution_minutes": 600,
    }
    assert manager.post(url, body, format="json").status_code == 403
    head = api_as(demo.user("headoffice"))
    created = head.post(url, body, format="json")
    assert created.status_code == 201
    replaced = head.post(url, {**body, "first_response_minutes": 30}, format="json")
    assert replaced.status_code == 200 and replaced.json()["id"] == created.json()["id"]
    detail = reverse("customers-api:slatarget-detail", args=[created.json()["id"]])
    assert head.patch(detail, {"resolution_minutes": 10}, format="json").status_code == 409
    assert (
        head.patch(detail, {"resolution_minutes": 900}, format="json").json()["resolution_minutes"]
        == 900
    )
    assert head.post(url, {**body, "first_response_minutes": 0}, format="json").status_code == 400
    assert manager.delete(detail).status_code == 403
    assert head.delete(detail).status_code == 204
    assert head.delete(detail).status_code == 404


@pytest.mark.parametrize(
    "name",
    ["customers-api:complaint-list", "customers-api:customer-list", "customers-api:slatarget-list"],
)
def test_list_endpoints_run_the_same_queries_for_one_row_or_many(demo, api_as, name):
    api = api_as(demo.user("headoffice"))
    url = reverse(name)

    def count(params):
        with CaptureQueriesContext(connection) as queries:
            response = api.get(url, params)
        assert response.status_code == 200
        return len(queries), len(response.json()["results"])

    many, rows = count({"page_size": 200})
    one, single = count({"page_size": 1})
    assert rows > 1 and single == 1
    assert one == many


def test_the_sweeps_escalation_reads_in_the_callers_language(demo, api_as, client_as):
    """The demo's escalations are written as the sweep writes them (no stored text): the
    API and the page each say which clock breached in the reader's language."""
    regional = demo.user("regional")
    complaint = (
        Complaint.objects.visible_to(regional)
        .filter(escalated_at__isnull=False, events__kind="escalated", events__text="")
        .order_by("pk")
        .first()
    )
    assert complaint is not None
    url = _url("detail", complaint.pk)
    texts = {}
    for language in ("en", "zh-hans"):
        events = api_as(regional).get(url, HTTP_ACCEPT_LANGUAGE=language).json()["events"]
        (texts[language],) = [e["text"] for e in events if e["kind"] == "escalated"]
    assert "due by" in texts["en"] and "(store time)" in texts["en"]
    assert "截止时间为" in texts["zh-hans"] and "（门店时间）" in texts["zh-hans"]
    page = reverse("customers:complaint_detail", args=[complaint.pk])
    html = client_as(regional).get(page, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert texts["zh-hans"] in html
