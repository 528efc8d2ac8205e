"""Reads: scope by role (complaints, customers, the look-up), the policy in force, the
store dashboard's open complaints in two queries, the clocks as the model reads them."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext

from customers import selectors, services
from customers.models import Complaint
from customers.rules import DEFAULT_TARGETS

from .conftest import utc

NOW = utc(2026, 3, 10, 2, 0)
H = datetime.timedelta(hours=1)


def test_complaints_and_customers_are_scoped_by_role(world, log):
    sh = log(member_number="M-1", customer_name="Sun Li", now=NOW)
    hz = log(user=world.hz_manager, store=world.hz, member_number="M-2", now=NOW)
    ld = log(user=world.ld_manager, store=world.ld, customer_phone="+4420700000", now=NOW)
    # The same member complains in London too: London's people see them from then on.
    log(user=world.ld_manager, store=world.ld, member_number="M-1", now=NOW)

    def seen(user):
        return (
            set(selectors.complaint_list(user=user).values_list("pk", flat=True)),
            set(selectors.customer_list(user=user).values_list("member_number", "phone")),
        )

    complaints, customers = seen(world.manager)
    assert complaints == {sh.pk} and customers == {("M-1", "")}
    complaints, customers = seen(world.staff)
    assert complaints == {sh.pk}
    complaints, customers = seen(world.regional)
    assert complaints == {sh.pk, hz.pk} and customers == {("M-1", ""), ("M-2", "")}
    complaints, customers = seen(world.ld_manager)
    assert ld.pk in complaints and customers == {("", "+4420700000"), ("M-1", "")}
    assert len(seen(world.head)[0]) == 4
    # complaint_count counts only the complaints the reader may see.
    member = selectors.customer_get(user=world.manager, pk=sh.customer_id)
    assert member.complaint_count == 1
    assert selectors.customer_get(user=world.head, pk=sh.customer_id).complaint_count == 2
    # The look-up: exact member number or phone, never outside scope.
    assert selectors.customer_lookup(user=world.manager, query="m-1") == [member]
    assert selectors.customer_lookup(user=world.manager, query="M-2") == []
    assert selectors.customer_lookup(user=world.manager, query="+44 20700000") == []
    assert [
        c.phone for c in selectors.customer_lookup(user=world.ld_manager, query="+44 20700000")
    ] == ["+4420700000"]
    assert selectors.customer_lookup(user=world.manager, query="") == []


def test_the_policy_in_force_shows_defaults_rows_and_overrides(world):
    services.sla_target_set(
        user=world.head, severity="low", first_response_minutes=30, resolution_minutes=90
    )
    services.sla_target_set(
        user=world.head,
        severity="critical",
        category="safety",
        first_response_minutes=10,
        resolution_minutes=60,
    )
    policy = selectors.sla_policy(user=world.staff)
    rows = [
        (r.severity, r.category, r.first_response_minutes, r.target is not None) for r in policy
    ]
    assert rows == [
        ("critical", "", DEFAULT_TARGETS["critical"][0], False),
        ("high", "", DEFAULT_TARGETS["high"][0], False),
        ("medium", "", DEFAULT_TARGETS["medium"][0], False),
        ("low", "", 30, True),
        ("critical", "safety", 10, True),
    ]


def test_open_complaints_of_a_store_in_two_queries(world, log):
    old = log(severity="critical", received_at=NOW - 5 * H, now=NOW)  # past its first hour
    new = log(received_at=NOW - H, now=NOW)
    log(kind="compliment", received_at=NOW - 2 * H, now=NOW)
    done = log(received_at=NOW - 3 * H, now=NOW)
    services.complaint_resolve(user=world.manager, complaint=done, resolution_note="ok", now=NOW)
    log(user=world.hz_manager, store=world.hz, now=NOW)
    Complaint.objects.filter(pk=old.pk).update(escalated_at=NOW)
    with CaptureQueriesContext(connection) as queries:
        tile = selectors.open_complaints(user=world.manager, store=world.sh, now=NOW)
    assert len(queries) == 2
    assert (tile.count, tile.breached, tile.escalated) == (3, 1, 1)
    assert tile.oldest[0] == old and new in tile.oldest


def test_the_clocks_as_the_model_reads_them(world, log):
    complaint = log(severity="high", received_at=NOW, now=NOW)  # 4 h, 48 h
    assert complaint.next_due() == ("first_response", NOW + 4 * H)
    assert not complaint.breached(NOW + 3 * H) and complaint.breached(NOW + 5 * H)
    services.complaint_respond(user=world.manager, complaint=complaint, text="x", now=NOW + H)
    complaint.refresh_from_db()
    assert complaint.next_due() == ("resolution", NOW + 48 * H)
    assert not complaint.breached(NOW + 47 * H) and complaint.resolution_breached(NOW + 49 * H)
    services.complaint_resolve(
        user=world.manager, complaint=complaint, resolution_note="x", now=NOW + 50 * H
    )
    complaint.refresh_from_db()
    assert complaint.next_due() is None and complaint.breached(NOW + 50 * H)
    assert not complaint.first_response_breached(NOW + 100 * H)
    assert complaint.number == f"CMP-{complaint.pk:06d}"


def test_the_monthly_report_reads_the_stores_once_by_store_local_dates(world, log):
    """complaint_report: the stores (and their time zones) read once for both months;
    a complaint belongs to the month of its store-local intake date."""
    # 1 March 01:00 in Shanghai (still February in UTC): March. 28 February 23:30 in
    # London: February.
    log(received_at=utc(2026, 2, 28, 17, 0), now=NOW)
    log(received_at=utc(2026, 3, 5, 2, 0), now=NOW)
    log(user=world.hz_manager, store=world.hz, received_at=utc(2026, 2, 20, 2, 0), now=NOW)
    log(user=world.ld_manager, store=world.ld, received_at=utc(2026, 2, 28, 23, 30), now=NOW)
    stores = [world.sh.pk, world.hz.pk, world.ld.pk]
    march = (datetime.date(2026, 3, 1), datetime.date(2026, 3, 31))
    with CaptureQueriesContext(connection) as queries:
        report = selectors.complaint_report(
            user=world.head, store_ids=stores, start=march[0], end=march[1]
        )
    assert len(queries) == 4
    # (code, complaints this month, last month), worst first.
    assert [r[:1] + r[2:4] for r in report["rows"]] == [["SH1", 2, 0], ["HZ1", 0, 1], ["LD1", 0, 1]]
    # Regional ops of the East: the London store is out of scope, left out.
    with CaptureQueriesContext(connection) as queries:
        report = selectors.complaint_report(
            user=world.regional, store_ids=stores, start=march[0], end=march[1]
        )
    assert len(queries) == 4
    assert [r[0] for r in report["rows"]] == ["SH1", "HZ1"]
