"""Complaints and feedback: log (with the customer), respond, note, assign, resolve,
close, reopen. Every change locks the complaint's row (``select_for_update``), so two
people acting on one complaint at once never lose an update: the second waits, then
sees the first's change (a second "resolve" is refused). A caller that sends the
``expected_version`` it read is refused when somebody changed the complaint since.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from opsdesk.platform.notifications.services import notify
from stores.access import can_see_store, ensure_role, ensure_store_in_scope, user_role
from stores.i18n import store_label

from ..models import (
    Category,
    Channel,
    Complaint,
    ComplaintEvent,
    Customer,
    Kind,
    Severity,
    normalize_phone,
)
from ..rules import (
    HANDLERS,
    INTAKE_CLOCK_SKEW_MINUTES,
    INTAKE_MAX_AGE_DAYS,
    LOGGERS,
    MAX_COMPENSATION,
    MAX_TEXT,
)
from .policy import sla_target_for

CONFLICT = "conflict"
S = Complaint.Status
E = ComplaintEvent.Kind


def _conflict(message: str) -> ValidationError:
    return ValidationError(message, code=CONFLICT)


def _text(value: str | None, field: str, errors: dict, *, required: bool, limit: int) -> str:
    value = (value or "").strip()
    if required and not value:
        errors[field] = [_("This field is required.")]
    elif len(value) > limit:
        errors[field] = [_("At most %(limit)d characters.") % {"limit": limit}]
    return value


def _customer(*, user, name: str, phone: str, email: str, member_number: str, errors: dict):
    """The complaint's customer: the chain's member with this number (a member card is
    good in every store), else a customer with this phone among those the user already
    sees, else a new one; None when nothing identifies anybody. A match keeps its stored
    details and only gains the ones it lacked. A phone never finds a customer known only
    at stores outside the user's scope: that would hand their details to whoever typed
    the number."""
    name = (name or "").strip()[:120]
    raw_phone = (phone or "").strip()
    phone = normalize_phone(raw_phone)
    email = (email or "").strip().lower()
    member_number = (member_number or "").strip().upper()
    if raw_phone and not 5 <= len(phone.lstrip("+")) <= 20:
        errors["customer_phone"] = [_("Enter a phone number of 5 to 20 digits.")]
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["customer_email"] = [_("Enter a valid email address.")]
    if member_number and not re.fullmatch(r"[A-Z0-9-]{3,32}", member_number):
        errors["member_number"] = [_("A member number has 3 to 32 letters, digits or dashes.")]
    if errors or not (name or phone or email or member_number):
        return None
    match = None
    if member_number:
        match = Customer.objects.filter(member_number=member_number).first()
    if match is None and phone:
        # A phone known under another member number is another person's.
        candidates = Customer.objects.visible_to(user).filter(phone=phone).order_by("pk")
        if member_number:
            candidates = candidates.filter(member_number="")
        match = candidates.first()
    if match is None:
        try:
            with transaction.atomic():
                return Customer.objects.create(
                    name=name, phone=phone, email=email, member_number=member_number
                )
        except IntegrityError:  # the same new member number, logged at the same moment
            match = Customer.objects.get(member_number=member_number)
    changed = []
    for field, value in (
        ("name", name),
        ("phone", phone),
        ("email", email),
        ("member_number", member_number),
    ):
        if value and not getattr(match, field):
            setattr(match, field, value)
            changed.append(field)
    if changed:
        match.save(update_fields=changed)
    return match


def _check_assignee(assignee, store_id: int, errors: dict) -> None:
    if assignee is None:
        return
    if (
        not assignee.is_active
        or user_role(assignee) not in HANDLERS
        or not can_see_store(assignee, store_id)
    ):
        errors["assignee"] = [_("The assignee must be able to handle this store's complaints.")]


def _notify_assignee(complaint: Complaint, by, title: Promise) -> None:
    """Tell the assignee (unless they did it themself); ``title`` is a lazy message with
    ``%(number)s`` and ``%(store)s``, rendered in the assignee's language."""
    if complaint.assignee_id and complaint.assignee_id != getattr(by, "pk", None):
        notify(
            users=[complaint.assignee],
            title=lambda: (
                str(title) % {"number": complaint.number, "store": store_label(complaint.store)}
            ),
            body=complaint.description[:300],
            url=reverse("customers:complaint_detail", kwargs={"pk": complaint.pk}),
            topic=f"complaint-assigned:{complaint.pk}:{complaint.version}",
        )


@transaction.atomic
def complaint_log(
    *,
    user,
    store,
    kind: str = Kind.COMPLAINT,
    channel: str,
    category: str,
    severity: str = Severity.MEDIUM,
    description: str,
    received_at: datetime.datetime | None = None,
    receipt_reference: str = "",
    product=None,
    customer_name: str = "",
    customer_phone: str = "",
    customer_email: str = "",
    member_number: str = "",
    assignee=None,
    now: datetime.datetime | None = None,
) -> Complaint:
    """Log a complaint (or a compliment or suggestion) received at ``received_at``
    (default now). A complaint's two clocks start then: its due times come from the SLA
    policy in force now and never change afterwards."""
    ensure_role(user, LOGGERS)
    ensure_store_in_scope(user, store)
    if assignee is not None:
        ensure_role(user, HANDLERS)  # store staff log complaints; they do not assign them
    now = now or timezone.now()
    errors: dict = {}
    if store.status == store.Status.PLANNED:
        errors["store"] = [_("This store has not opened yet.")]
    for field, value, choices in (
        ("kind", kind, Kind),
        ("channel", channel, Channel),
        ("category", category, Category),
        ("severity", severity, Severity),
    ):
        if value not in choices.values:
            errors[field] = [_("Select a valid choice.")]
    description = _text(description, "description", errors, required=True, limit=MAX_TEXT)
    receipt_reference = _text(
        receipt_reference, "receipt_reference", errors, required=False, limit=64
    )
    received_at = received_at or now
    if timezone.is_naive(received_at):
        errors["received_at"] = [_("Give the time with its time zone.")]
    elif received_at > now + datetime.timedelta(minutes=INTAKE_CLOCK_SKEW_MINUTES):
        errors["received_at"] = [_("A complaint cannot be received in the future.")]
    elif received_at < now - datetime.timedelta(days=INTAKE_MAX_AGE_DAYS):
        errors["received_at"] = [
            _("Log complaints when they come in: this is more than %(days)d days ago.")
            % {"days": INTAKE_MAX_AGE_DAYS}
        ]
    _check_assignee(assignee, store.pk, errors)
    customer = _customer(
        user=user,
        name=customer_name,
        phone=customer_phone,
        email=customer_email,
        member_number=member_number,
        errors=errors,
    )
    if errors:
        raise ValidationError(errors)
    first_due = resolution_due = None
    if kind == Kind.COMPLAINT:
        first_minutes, resolution_minutes = sla_target_for(severity, category)
        first_due = received_at + datetime.timedelta(minutes=first_minutes)
        resolution_due = received_at + datetime.timedelta(minutes=resolution_minutes)
    complaint = Complaint.objects.create(
        store=store,
        kind=kind,
        channel=channel,
        category=category,
        severity=severity,
        description=description,
        received_at=received_at,
        receipt_reference=receipt_reference,
        product=product,
        customer=customer,
        assignee=assignee,
        first_response_due_at=first_due,
        resolution_due_at=resolution_due,
        created_by=user,
    )
    ComplaintEvent.objects.create(
        complaint=complaint, kind=E.LOGGED, user=user, at=now, to_status=complaint.status
    )
    _notify_assignee(
        complaint,
        user,
        gettext_lazy("Complaint %(number)s at %(store)s assigned to you"),
    )
    return complaint


def _locked(user, complaint: Complaint, expected_version: int | None) -> Complaint:
    """The complaint's row, locked until the transaction ends, after the role, scope and
    version checks."""
    ensure_role(user, HANDLERS)
    ensure_store_in_scope(user, complaint.store_id)
    # Only the complaint's row: FOR UPDATE would lock the joined store row as well, making
    # every complaint (and stock) action of the store wait for this one.
    locked = (
        Complaint.objects.select_for_update(of=("self",))
        .select_related("store")
        .get(pk=complaint.pk)
    )
    if expected_version is not None and locked.version != expected_version:
        raise _conflict(
            _(
                "Somebody else changed this complaint while you had it open. "
                "Look at its latest state and try again."
            )
        )
    return locked


def _save(complaint: Complaint, fields: list[str]) -> None:
    complaint.version = F("version") + 1
    complaint.save(update_fields=[*fields, "version"])
    complaint.refresh_from_db(fields=["version"])


@transaction.atomic
def complaint_respond(
    *,
    user,
    complaint: Complaint,
    text: str,
    internal: bool = False,
    expected_version: int | None = None,
    now: datetime.datetime | None = None,
) -> Complaint:
    """A response to the customer (the first one stops the first-response clock and
    puts a new complaint in progress), or an internal note (no clock changes)."""
    complaint = _locked(user, complaint, expected_version)
    now = now or timezone.now()
    errors: dict = {}
    text = _text(text, "text", errors, required=True, limit=MAX_TEXT)
    if errors:
        raise ValidationError(errors)
    if not complaint.is_open:
        raise _conflict(_("This complaint is resolved or closed: reopen it to respond."))
    fields = []
    before = complaint.status
    if not internal:
        if complaint.first_responded_at is None:
            complaint.first_responded_at = now
            fields.append("first_responded_at")
        if complaint.status == S.NEW:
            complaint.status = S.IN_PROGRESS
            fields.append("status")
    ComplaintEvent.objects.create(
        complaint=complaint,
        kind=E.NOTE if internal else E.RESPONSE,
        user=user,
        at=now,
        text=text,
        from_status=before if before != complaint.status else "",
        to_status=complaint.status if before != complaint.status else "",
    )
    _save(complaint, fields)
    return complaint


@transaction.atomic
def complaint_assign(
    *,
    user,
    complaint: Complaint,
    assignee,
    expected_version: int | None = None,
    now: datetime.datetime | None = None,
) -> Complaint:
    """Give the complaint to somebody who may handle it at its store."""
    complaint = _locked(user, complaint, expected_version)
    now = now or timezone.now()
    errors: dict = {}
    if assignee is None:
        errors["assignee"] = [_("Choose who handles this complaint.")]
    _check_assignee(assignee, complaint.store_id, errors)
    if errors:
        raise ValidationError(errors)
    if complaint.status == S.CLOSED:
        raise _conflict(_("A closed complaint is not assigned any more."))
    if complaint.assignee_id == assignee.pk:
        return complaint
    complaint.assignee = assignee
    ComplaintEvent.objects.create(
        complaint=complaint,
        kind=E.ASSIGNED,
        user=user,
        at=now,
        text=assignee.get_full_name() or assignee.get_username(),
    )
    _save(complaint, ["assignee"])
    _notify_assignee(
        complaint,
        user,
        gettext_lazy("Complaint %(number)s at %(store)s assigned to you"),
    )
    return complaint


def _compensation(value, errors: dict) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        errors["compensation"] = [_("Enter an amount.")]
        return None
    if not amount.is_finite() or amount < 0 or amount > MAX_COMPENSATION:
        errors["compensation"] = [
            _("Enter an amount from 0 to %(max)s.") % {"max": MAX_COMPENSATION}
        ]
    elif amount != amount.quantize(Decimal("0.01")):
        errors["compensation"] = [_("At most 2 decimals.")]
    return amount


@transaction.atomic
def complaint_resolve(
    *,
    user,
    complaint: Complaint,
    resolution_note: str,
    compensation: Decimal | str | None = None,
    expected_version: int | None = None,
    now: datetime.datetime | None = None,
) -> Complaint:
    """Resolved: what was done (required) and any compensation. The resolution is told
    to the customer, so it is also the first response when there was none."""
    complaint = _locked(user, complaint, expected_version)
    now = now or timezone.now()
    errors: dict = {}
    note = _text(resolution_note, "resolution_note", errors, required=True, limit=MAX_TEXT)
    amount = _compensation(compensation, errors)
    if errors:
        raise ValidationError(errors)
    if not complaint.is_open:
        raise _conflict(_("This complaint is already resolved or closed."))
    before = complaint.status
    if complaint.first_responded_at is None:
        complaint.first_responded_at = now
    if complaint.first_resolved_at is None:
        complaint.first_resolved_at = now
    complaint.resolved_at = now
    complaint.status = S.RESOLVED
    complaint.resolution_note = note
    complaint.compensation = amount
    ComplaintEvent.objects.create(
        complaint=complaint,
        kind=E.RESOLVED,
        user=user,
        at=now,
        text=note,
        from_status=before,
        to_status=S.RESOLVED,
    )
    _save(
        complaint,
        [
            "first_responded_at",
            "first_resolved_at",
            "resolved_at",
            "status",
            "resolution_note",
            "compensation",
        ],
    )
    return complaint


@transaction.atomic
def complaint_close(
    *,
    user,
    complaint: Complaint,
    expected_version: int | None = None,
    now: datetime.datetime | None = None,
) -> Complaint:
    """Close a resolved complaint; feedback (a compliment, a suggestion) closes from any
    open status."""
    complaint = _locked(user, complaint, expected_version)
    now = now or timezone.now()
    if complaint.status == S.CLOSED:
        raise _conflict(_("This complaint is already closed."))
    if complaint.kind == Kind.COMPLAINT and complaint.status != S.RESOLVED:
        raise _conflict(_("Resolve the complaint before closing it."))
    before = complaint.status
    complaint.status = S.CLOSED
    complaint.closed_at = now
    ComplaintEvent.objects.create(
        complaint=complaint,
        kind=E.CLOSED,
        user=user,
        at=now,
        from_status=before,
        to_status=S.CLOSED,
    )
    _save(complaint, ["status", "closed_at"])
    return complaint


@transaction.atomic
def complaint_reopen(
    *,
    user,
    complaint: Complaint,
    reason: str,
    expected_version: int | None = None,
    now: datetime.datetime | None = None,
) -> Complaint:
    """Back in progress (the customer came back): the reason is required. The clocks keep
    their due times; the first resolution stays what the resolution clock measured."""
    complaint = _locked(user, complaint, expected_version)
    now = now or timezone.now()
    errors: dict = {}
    reason = _text(reason, "reason", errors, required=True, limit=MAX_TEXT)
    if errors:
        raise ValidationError(errors)
    if complaint.is_open:
        raise _conflict(_("This complaint is still open."))
    before = complaint.status
    complaint.status = S.IN_PROGRESS
    complaint.resolved_at = None
    complaint.closed_at = None
    complaint.reopen_count += 1
    ComplaintEvent.objects.create(
        complaint=complaint,
        kind=E.REOPENED,
        user=user,
        at=now,
        text=reason,
        from_status=before,
        to_status=S.IN_PROGRESS,
    )
    _save(complaint, ["status", "resolved_at", "closed_at", "reopen_count"])
    _notify_assignee(
        complaint,
        user,
        gettext_lazy("Complaint %(number)s at %(store)s was reopened"),
    )
    return complaint
