"""The complaint rules through the services: SLA clocks fixed at intake, the lifecycle,
customers, scope and roles, refusals that change nothing, concurrent changes."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import translation

from customers import services
from customers.models import Complaint, ComplaintEvent, Customer, SlaTarget
from opsdesk.platform.notifications.models import Notification
from stores.access import OutOfScope
from stores.models import RegionAssignment, Store
from tests.notifications.readers import received, speaks

from .conftest import utc

NOW = utc(2026, 3, 10, 2, 0)  # 10:00 in Shanghai
H = datetime.timedelta(hours=1)


def person(username, role, region, **extra):
    user = get_user_model().objects.create_user(
        username, password="x", role=role, email=f"{username}@example.com", **extra
    )
    RegionAssignment.objects.create(user=user, region=region)
    return user


def codes(exc: ValidationError) -> set:
    return (
        {e.code for errors in exc.error_dict.values() for e in errors}
        if hasattr(exc, "error_dict")
        else {e.code for e in exc.error_list}
    )


# --- Intake and the SLA clocks ---------------------------------------------------------


def test_due_times_come_from_the_policy_at_intake(world, log):
    received = NOW - 2 * H
    medium = log(received_at=received, now=NOW)
    assert medium.first_response_due_at == received + 24 * H  # the default of medium
    assert medium.resolution_due_at == received + 72 * H
    assert (medium.status, medium.kind, medium.version) == ("new", "complaint", 1)
    critical = log(severity="critical", received_at=received, now=NOW)
    assert critical.first_response_due_at == received + H
    assert critical.resolution_due_at == received + 24 * H
    # Head office's row for a severity, then a category's override for it, win.
    services.sla_target_set(
        user=world.head, severity="high", first_response_minutes=180, resolution_minutes=1440
    )
    services.sla_target_set(
        user=world.head,
        severity="high",
        category="safety",
        first_response_minutes=15,
        resolution_minutes=240,
    )
    high = log(severity="high", received_at=received, now=NOW)
    assert high.first_response_due_at == received + 3 * H
    safety = log(severity="high", category="safety", received_at=received, now=NOW)
    assert safety.first_response_due_at == received + datetime.timedelta(minutes=15)
    assert safety.resolution_due_at == received + 4 * H
    event = ComplaintEvent.objects.get(complaint=safety)
    assert (event.kind, event.user, event.at) == ("logged", world.manager, NOW)


def test_a_policy_change_does_not_touch_existing_complaints(world, log):
    before = log(severity="high", received_at=NOW, now=NOW)
    due = (before.first_response_due_at, before.resolution_due_at)
    target = services.sla_target_set(
        user=world.head, severity="high", first_response_minutes=30, resolution_minutes=60
    )
    services.sla_target_set(
        user=world.head, severity="high", first_response_minutes=5, resolution_minutes=10
    )
    before.refresh_from_db()
    assert (before.first_response_due_at, before.resolution_due_at) == due
    after = log(severity="high", received_at=NOW, now=NOW)
    assert after.first_response_due_at == NOW + datetime.timedelta(minutes=5)
    services.sla_target_delete(user=world.head, target=SlaTarget.objects.get(pk=target.pk))
    assert log(severity="high", received_at=NOW, now=NOW).first_response_due_at == NOW + 4 * H
    after.refresh_from_db()
    assert after.first_response_due_at == NOW + datetime.timedelta(minutes=5)


def test_feedback_has_no_clocks_and_closes_from_new(world, log):
    thanks = log(kind="compliment", description="Lovely staff.", now=NOW)
    assert thanks.first_response_due_at is None and thanks.resolution_due_at is None
    assert not thanks.breached(NOW + 1000 * H)
    closed = services.complaint_close(user=world.manager, complaint=thanks, now=NOW + H)
    assert (closed.status, closed.closed_at) == ("closed", NOW + H)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"description": "   "}, "description"),
        ({"channel": "pigeon"}, "channel"),
        ({"severity": "apocalyptic"}, "severity"),
        ({"received_at": NOW + H}, "received_at"),
        ({"received_at": NOW - datetime.timedelta(days=31)}, "received_at"),
        ({"received_at": datetime.datetime(2026, 3, 10, 9)}, "received_at"),
        ({"customer_phone": "12"}, "customer_phone"),
        ({"customer_email": "not-an-address"}, "customer_email"),
        ({"member_number": "M 1"}, "member_number"),
        ({"receipt_reference": "R" * 65}, "receipt_reference"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_writes_nothing(world, log, overrides, field):
    with pytest.raises(ValidationError) as refused:
        log(now=NOW, customer_name="Someone", **overrides)
    assert field in refused.value.message_dict
    assert all(refused.value.message_dict[field])
    assert not Complaint.objects.exists() and not Customer.objects.exists()
    assert not ComplaintEvent.objects.exists()


def test_scope_and_roles(world, log):
    # Store staff log one for their store; nobody logs for a store out of scope (404).
    staff_one = log(user=world.staff, now=NOW)
    assert staff_one.created_by == world.staff
    with pytest.raises(OutOfScope):
        log(store=world.hz, now=NOW)
    with pytest.raises(OutOfScope):
        log(user=world.regional_west, now=NOW)
    # Staff see but do not handle (403); another store's manager gets 404.
    with pytest.raises(PermissionDenied):
        services.complaint_respond(user=world.staff, complaint=staff_one, text="Hi")
    with pytest.raises(OutOfScope):
        services.complaint_respond(user=world.hz_manager, complaint=staff_one, text="Hi")
    with pytest.raises(PermissionDenied):
        services.sla_target_set(
            user=world.regional, severity="low", first_response_minutes=5, resolution_minutes=9
        )
    services.complaint_respond(user=world.regional, complaint=staff_one, text="On it", now=NOW)
    assert not SlaTarget.objects.exists()


# --- Customers ---------------------------------------------------------------------------


def test_members_are_found_by_number_then_phone_and_keep_their_details(world, log):
    first = log(
        member_number="m-100",
        customer_name="Li Na",
        customer_phone="+86 138-0013-8000",
        now=NOW,
    )
    member = first.customer
    assert (member.member_number, member.phone, member.name) == ("M-100", "+8613800138000", "Li Na")
    # By number: another name typed does not overwrite; a missing email is filled in.
    second = log(member_number="M-100", customer_name="L. Na", customer_email="LI@x.CN", now=NOW)
    assert second.customer_id == member.pk
    member.refresh_from_db()
    assert (member.name, member.email) == ("Li Na", "li@x.cn")
    # By phone, without a number.
    assert log(customer_phone="+8613800138000", now=NOW).customer_id == member.pk
    # A phone known under another member number is somebody else.
    other = log(member_number="M-200", customer_phone="+8613800138000", now=NOW).customer
    assert other.pk != member.pk and other.member_number == "M-200"
    # Nothing that identifies anybody: no customer.
    assert log(now=NOW).customer is None
    assert Customer.objects.count() == 2


def test_a_phone_never_finds_a_customer_known_only_outside_the_users_scope(world, log):
    known_at_london = log(
        user=world.ld_manager,
        store=world.ld,
        customer_name="Jane Roe",
        customer_phone="+44 20 7946 0000",
        customer_email="jane@example.com",
        now=NOW,
    ).customer
    # SH1's manager types the same phone: a new customer, nothing of Jane's shown or filled.
    mine = log(customer_phone="+442079460000", customer_name="Caller", now=NOW).customer
    assert mine.pk != known_at_london.pk
    assert (mine.name, mine.email) == ("Caller", "")
    known_at_london.refresh_from_db()
    assert (known_at_london.name, known_at_london.email) == ("Jane Roe", "jane@example.com")
    # Their region's ops, who see London, do find her by phone.
    found = log(
        user=world.regional_west, store=world.ld, customer_phone="+442079460000", now=NOW
    ).customer
    assert found.pk == known_at_london.pk


def test_store_staff_log_complaints_but_do_not_assign_them(world, log):
    before = Complaint.objects.count()
    with pytest.raises(PermissionDenied):
        log(user=world.staff, assignee=world.manager, now=NOW)
    assert Complaint.objects.count() == before
    assert not Notification.objects.exists()
    assert log(user=world.manager, assignee=world.manager2, now=NOW).assignee == world.manager2


def test_a_store_not_open_yet_takes_no_complaint(world, log):
    Store.objects.filter(pk=world.sh.pk).update(status=Store.Status.PLANNED)
    world.sh.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        log(now=NOW)
    assert "store" in refused.value.error_dict
    assert not Complaint.objects.exists()


# --- The lifecycle -----------------------------------------------------------------------


def test_respond_note_resolve_close_reopen(world, log):
    complaint = log(received_at=NOW, now=NOW)
    noted = services.complaint_respond(
        user=world.manager, complaint=complaint, text="Checking CCTV", internal=True, now=NOW + H
    )
    assert (noted.status, noted.first_responded_at, noted.version) == ("new", None, 2)
    answered = services.complaint_respond(
        user=world.manager, complaint=complaint, text="Sorry, we called you", now=NOW + 2 * H
    )
    assert (answered.status, answered.first_responded_at) == ("in_progress", NOW + 2 * H)
    services.complaint_respond(
        user=world.manager2, complaint=complaint, text="Voucher sent", now=NOW + 3 * H
    )
    assert Complaint.objects.get(pk=complaint.pk).first_responded_at == NOW + 2 * H
    with pytest.raises(ValidationError) as refused:
        services.complaint_close(user=world.manager, complaint=complaint, now=NOW + 3 * H)
    assert codes(refused.value) == {"conflict"}
    resolved = services.complaint_resolve(
        user=world.manager,
        complaint=complaint,
        resolution_note="Refunded",
        compensation="25.50",
        now=NOW + 4 * H,
    )
    assert (resolved.status, resolved.resolved_at, resolved.first_resolved_at) == (
        "resolved",
        NOW + 4 * H,
        NOW + 4 * H,
    )
    assert resolved.compensation == Decimal("25.50")
    with pytest.raises(ValidationError) as refused:
        services.complaint_respond(user=world.manager, complaint=complaint, text="More?")
    assert codes(refused.value) == {"conflict"}
    closed = services.complaint_close(user=world.manager, complaint=complaint, now=NOW + 5 * H)
    assert (closed.status, closed.closed_at) == ("closed", NOW + 5 * H)
    with pytest.raises(ValidationError):
        services.complaint_reopen(user=world.manager, complaint=complaint, reason=" ")
    reopened = services.complaint_reopen(
        user=world.regional, complaint=complaint, reason="Customer called back", now=NOW + 30 * H
    )
    assert (reopened.status, reopened.resolved_at, reopened.closed_at) == (
        "in_progress",
        None,
        None,
    )
    assert (reopened.first_resolved_at, reopened.reopen_count) == (NOW + 4 * H, 1)
    again = services.complaint_resolve(
        user=world.manager, complaint=complaint, resolution_note="Replaced", now=NOW + 40 * H
    )
    assert (again.resolved_at, again.first_resolved_at) == (NOW + 40 * H, NOW + 4 * H)
    kinds = list(
        ComplaintEvent.objects.filter(complaint=complaint).values_list("kind", "user__username")
    )
    assert kinds == [
        ("logged", "mgr"),
        ("note", "mgr"),
        ("response", "mgr"),
        ("response", "mgr2"),
        ("resolved", "mgr"),
        ("closed", "mgr"),
        ("reopened", "reg1"),
        ("resolved", "mgr"),
    ]
    services.complaint_reopen(user=world.manager, complaint=complaint, reason="Again", now=NOW)
    with pytest.raises(ValidationError) as refused:  # open already
        services.complaint_reopen(user=world.manager, complaint=complaint, reason="x", now=NOW)
    assert codes(refused.value) == {"conflict"}
    assert Complaint.objects.get(pk=complaint.pk).reopen_count == 2


def test_resolving_counts_as_the_first_response(world, log):
    complaint = log(received_at=NOW, now=NOW)
    resolved = services.complaint_resolve(
        user=world.manager, complaint=complaint, resolution_note="Fixed on the spot", now=NOW + H
    )
    assert resolved.first_responded_at == resolved.first_resolved_at == NOW + H


@pytest.mark.parametrize(
    ("note", "compensation", "field"),
    [
        ("", None, "resolution_note"),
        ("ok", "-1", "compensation"),
        ("ok", "100000.01", "compensation"),
        ("ok", "1.005", "compensation"),
        ("ok", "lots", "compensation"),
        ("ok", "NaN", "compensation"),
    ],
)
def test_a_bad_resolution_changes_nothing(world, log, note, compensation, field):
    complaint = log(received_at=NOW, now=NOW)
    with pytest.raises(ValidationError) as refused:
        services.complaint_resolve(
            user=world.manager,
            complaint=complaint,
            resolution_note=note,
            compensation=compensation,
        )
    assert field in refused.value.message_dict
    stored = Complaint.objects.get(pk=complaint.pk)
    assert (stored.status, stored.version, stored.resolved_at) == ("new", 1, None)
    assert ComplaintEvent.objects.filter(complaint=complaint).count() == 1


def test_assign_only_to_people_who_handle_the_store(world, log):
    complaint = log(now=NOW)
    for refused_user in (world.hz_manager, world.staff, world.regional_west):
        with pytest.raises(ValidationError) as refused:
            services.complaint_assign(
                user=world.manager, complaint=complaint, assignee=refused_user
            )
        assert "assignee" in refused.value.message_dict
    mail.outbox.clear()
    assigned = services.complaint_assign(
        user=world.manager, complaint=complaint, assignee=world.regional, now=NOW
    )
    assert assigned.assignee == world.regional
    note = Notification.objects.get(user=world.regional)
    assert complaint.number in note.title and f"/customers/{complaint.pk}/" == note.url
    # Assigning the same person again changes nothing.
    again = services.complaint_assign(
        user=world.manager, complaint=complaint, assignee=world.regional
    )
    assert again.version == assigned.version


def test_a_stale_version_is_refused_and_changes_nothing(world, log):
    complaint = log(now=NOW)
    read = complaint.version
    services.complaint_respond(user=world.manager2, complaint=complaint, text="Called", now=NOW)
    with pytest.raises(ValidationError) as refused:
        services.complaint_resolve(
            user=world.manager,
            complaint=complaint,
            resolution_note="Done",
            expected_version=read,
        )
    assert codes(refused.value) == {"conflict"}
    assert "Somebody else changed this complaint" in refused.value.messages[0]
    assert Complaint.objects.get(pk=complaint.pk).status == "in_progress"
    fresh = Complaint.objects.get(pk=complaint.pk)
    done = services.complaint_resolve(
        user=world.manager,
        complaint=complaint,
        resolution_note="Done",
        expected_version=fresh.version,
    )
    assert done.status == "resolved"


def _at_once(*calls):
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait(timeout=10)
            results[i] = call()
        except Exception as exc:
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


@pytest.mark.django_db(transaction=True)
def test_two_people_resolving_at_once_one_wins_the_other_is_told(world, log):
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent connections (PostgreSQL)")
    complaint = log(now=NOW)
    results = _at_once(
        lambda: services.complaint_resolve(
            user=world.manager, complaint=complaint, resolution_note="Refund", compensation="10"
        ),
        lambda: services.complaint_resolve(
            user=world.manager2, complaint=complaint, resolution_note="Voucher", compensation="20"
        ),
    )
    won = [r for r in results if isinstance(r, Complaint)]
    lost = [r for r in results if isinstance(r, ValidationError)]
    assert len(won) == 1 and len(lost) == 1, results
    assert codes(lost[0]) == {"conflict"}
    stored = Complaint.objects.get(pk=complaint.pk)
    assert (stored.resolution_note, stored.compensation) == (
        won[0].resolution_note,
        won[0].compensation,
    )
    assert stored.version == 2
    assert ComplaintEvent.objects.filter(complaint=complaint, kind="resolved").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_people_responding_at_once_lose_nothing(world, log):
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent connections (PostgreSQL)")
    complaint = log(now=NOW)
    results = _at_once(
        lambda: services.complaint_respond(user=world.manager, complaint=complaint, text="A"),
        lambda: services.complaint_respond(user=world.manager2, complaint=complaint, text="B"),
    )
    assert all(isinstance(r, Complaint) for r in results), results
    stored = Complaint.objects.get(pk=complaint.pk)
    texts = set(
        ComplaintEvent.objects.filter(complaint=complaint, kind="response").values_list(
            "text", flat=True
        )
    )
    assert texts == {"A", "B"}
    assert (stored.version, stored.status) == (3, "in_progress")
    first = ComplaintEvent.objects.filter(complaint=complaint, kind="response").order_by("at")[0]
    assert stored.first_responded_at == first.at


# --- The SLA policy ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"severity": "urgent"}, "severity"),
        ({"category": "weather"}, "category"),
        ({"first_response_minutes": 0}, "first_response_minutes"),
        ({"resolution_minutes": 90 * 24 * 60 + 1}, "resolution_minutes"),
        ({"first_response_minutes": 120, "resolution_minutes": 60}, "resolution_minutes"),
    ],
)
def test_a_bad_target_is_refused(world, kwargs, field):
    values = {
        "severity": "low",
        "category": "",
        "first_response_minutes": 60,
        "resolution_minutes": 600,
        **kwargs,
    }
    with pytest.raises(ValidationError) as refused:
        services.sla_target_set(user=world.head, **values)
    assert field in refused.value.message_dict
    assert not SlaTarget.objects.exists()


# --- The sweep -----------------------------------------------------------------------------


def test_the_sweep_escalates_a_breach_once_to_the_regions_ops_only(
    world, log, django_capture_on_commit_callbacks
):
    late = log(severity="critical", received_at=NOW, now=NOW)  # first response due NOW + 1 h
    fine = log(severity="low", received_at=NOW, now=NOW)
    answered_late = log(severity="critical", received_at=NOW, now=NOW)
    done = log(severity="critical", received_at=NOW, now=NOW)
    thanks = log(kind="compliment", received_at=NOW, now=NOW)
    far = log(store=world.ld, user=world.ld_manager, severity="critical", received_at=NOW, now=NOW)
    assert services.complaints_escalate_breached(now=NOW + H / 2) == 0  # nothing due yet
    services.complaint_respond(
        user=world.manager, complaint=answered_late, text="Sorry", now=NOW + 2 * H
    )
    services.complaint_resolve(  # resolved late, but resolved: nothing left to chase
        user=world.manager, complaint=done, resolution_note="Fixed", now=NOW + 3 * H
    )
    mail.outbox.clear()
    sweep_at = NOW + 4 * H
    with django_capture_on_commit_callbacks(execute=True):
        assert services.complaints_escalate_breached(now=sweep_at) == 3
    escalated = set(Complaint.objects.filter(escalated_at=sweep_at).values_list("pk", flat=True))
    assert escalated == {late.pk, answered_late.pk, far.pk}
    assert not Complaint.objects.filter(
        pk__in=[fine.pk, done.pk, thanks.pk], escalated_at__isnull=False
    ).exists()
    # Run again (beat's next run, a retry): nothing more, nobody notified twice.
    with django_capture_on_commit_callbacks(execute=True):
        assert services.complaints_escalate_breached(now=sweep_at + H) == 0
    notes = Notification.objects.filter(topic__startswith="complaint-escalated:")
    assert sorted(notes.values_list("user__username", "topic")) == sorted(
        [
            ("reg1", f"complaint-escalated:{late.pk}"),
            ("reg1", f"complaint-escalated:{answered_late.pk}"),
            ("reg2", f"complaint-escalated:{far.pk}"),
        ]
    )
    assert ComplaintEvent.objects.filter(kind="escalated").count() == 3
    assert Complaint.objects.get(pk=late.pk).version == 2
    assert sorted(m.to[0] for m in mail.outbox) == [
        "reg1@example.com",
        "reg1@example.com",
        "reg2@example.com",
    ]


def test_the_sweep_writes_to_each_regional_ops_in_their_language(
    world, log, django_capture_on_commit_callbacks
):
    """The region's ops: one reads Chinese, one English, one follows the browser (the site's
    English, not the language the sweep's caller has active). The due time is the store's
    local time in every language."""
    Store.objects.filter(pk=world.sh.pk).update(name_zh="上海店")
    speaks(world.regional, "zh-hans")
    english = speaks(person("reg3", "regional_ops", world.east), "en")
    browser = person("reg4", "regional_ops", world.east)
    late = log(severity="critical", received_at=NOW, now=NOW)  # first response due 11:00
    translation.activate("zh-hans")
    with django_capture_on_commit_callbacks(execute=True):
        assert services.complaints_escalate_breached(now=NOW + 4 * H) == 1
    assert translation.get_language() == "zh-hans"
    topic = f"complaint-escalated:{late.pk}"
    assert received(world.regional, topic=topic) == (
        f"SH1 上海店 的投诉 {late.number} 超出服务时限",
        "首次响应截止时间为 2026-03-10 11:00（门店时间）。\n\nRude at the till.",
    )
    in_english = (
        f"Complaint {late.number} at SH1 Shanghai breached its SLA",
        "The first response was due by 2026-03-10 11:00 (store time).\n\nRude at the till.",
    )
    assert received(english, topic=topic) == in_english
    assert received(browser, topic=topic) == in_english
    # The timeline's escalation reads in the reader's language too, whoever ran the sweep.
    event = ComplaintEvent.objects.get(complaint=late, kind="escalated")
    assert event.text == ""
    with translation.override("en"):
        assert event.display_text == in_english[1].split("\n")[0]
    with translation.override("zh-hans"):
        assert event.display_text == "首次响应截止时间为 2026-03-10 11:00（门店时间）。"
    # The assignee of a complaint reads its assignment in their language too.
    speaks(world.manager2, "zh-hans")
    mail.outbox.clear()
    translation.activate("en")
    with django_capture_on_commit_callbacks(execute=True):
        services.complaint_assign(user=world.manager, complaint=late, assignee=world.manager2)
    assert received(world.manager2, topic__startswith="complaint-assigned:")[0] == (
        f"SH1 上海店 的投诉 {late.number} 已指派给您"
    )
