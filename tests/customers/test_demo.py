"""The customers part of seed_demo: realistic, consistent, deterministic and fast."""

import datetime

from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from customers.demo import seed_customers
from customers.models import Complaint, ComplaintEvent, Customer, SlaTarget
from opsdesk.platform.notifications.models import Notification
from stores.demo import seed_stores

TODAY = datetime.date(2026, 6, 1)


def _seed(seed=42, stores=12, days=14):
    chain = seed_stores(stores=stores, seed=seed, password="x", today=TODAY)
    reverse("home")  # load the URLconf first: a one-off import, not seeding
    with CaptureQueriesContext(connection) as queries:
        summary = seed_customers(chain=chain, days=days, seed=seed, today=TODAY)
    return chain, summary, len(queries)


def _snapshot():
    return list(
        Complaint.objects.order_by("store__code", "received_at", "pk").values_list(
            "store__code",
            "received_at",
            "kind",
            "category",
            "severity",
            "status",
            "first_responded_at",
            "first_resolved_at",
            "escalated_at",
            "customer__member_number",
        )
    )


def test_seed_is_realistic_and_fast(db):
    chain, summary, queries = _seed()
    # Bulk inserts only: a fixed number of statements whatever the size of the chain.
    assert queries <= 12, queries
    trading = [s for s in chain.stores if s.status != "planned"]
    # A few per store per week (14 days + today, 11 trading stores, plus the open ones).
    assert 3 * len(trading) <= summary["complaints"] <= 25 * len(trading)
    assert SlaTarget.objects.count() == 6
    complaints = Complaint.objects.filter(kind="complaint")
    assert complaints.count() > 0.6 * summary["complaints"]
    feedback = Complaint.objects.exclude(kind="complaint")
    assert feedback.exists() and not feedback.filter(first_response_due_at__isnull=False).exists()
    # Most answered in time; some breached and escalated; some still open; some reopened.
    statuses = dict(complaints.values_list("status").annotate(n=Count("pk")))
    assert statuses.get("closed", 0) > statuses.get("new", 0)
    assert complaints.filter(status__in=["new", "in_progress"]).exists()
    escalated = complaints.filter(escalated_at__isnull=False)
    assert 0 < escalated.count() < complaints.count() / 3
    assert all(c.breached(c.escalated_at + datetime.timedelta(seconds=1)) for c in escalated)
    # Every complaint's clocks follow the policy and every record has its timeline.
    assert not Complaint.objects.filter(events__isnull=True).exists()
    assert ComplaintEvent.objects.filter(kind="escalated").count() == escalated.count()
    assert Customer.objects.filter(complaints__isnull=False).exclude(member_number="").exists()
    # The first store (the demo users' own) has open complaints, one escalated.
    first = chain.stores[0]
    assert complaints.filter(store=first, status__in=["new", "in_progress"]).count() >= 2
    assert complaints.filter(store=first, escalated_at__isnull=False).exists()
    assert Notification.objects.filter(topic__startswith="complaint-escalated:").exists()
    # Nothing in the future.
    now = datetime.datetime.combine(TODAY, datetime.time(23, 30), tzinfo=datetime.UTC)
    assert not Complaint.objects.filter(received_at__gt=now).exists()
    assert not ComplaintEvent.objects.filter(at__gt=now).exists()


def _empty():
    from django.contrib.auth import get_user_model

    from stores.models import Region, Store

    ComplaintEvent.objects.all().delete()
    Complaint.objects.all().delete()
    Customer.objects.all().delete()
    SlaTarget.objects.all().delete()
    Notification.objects.all().delete()
    get_user_model().objects.all().delete()
    Store.objects.all().delete()
    Region.objects.all().delete()


def test_seed_is_deterministic(db):
    _seed(seed=7)
    first = _snapshot()
    _empty()
    _seed(seed=7)
    assert _snapshot() == first
    _empty()
    _seed(seed=8)
    assert _snapshot() != first


def test_seed_scales_with_stores_and_days(db):
    _chain, small, queries_small = _seed(stores=4, days=7)
    _empty()
    _chain, big, queries_big = _seed(stores=24, days=28)
    assert big["complaints"] > 4 * small["complaints"]
    assert queries_big == queries_small
