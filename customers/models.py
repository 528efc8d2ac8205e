"""Customers (members) and their complaints and feedback, with SLA clocks.

A complaint's two clocks, first response and resolution, start at intake
(``received_at``); their due times are fixed when it is logged, from the SLA policy then
in force (``SlaTarget``, head office; defaults in ``rules.py``), so a later policy change
never rewrites an existing complaint. Compliments and suggestions are feedback: they have
no clocks and never count as complaints in the KPIs. The workflow lives in
``services.py``; the rules as implemented are in docs/customers.md.
"""

from __future__ import annotations

import datetime
import re

from django.conf import settings
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from stores.access import ChainWideQuerySet, RuleScopedQuerySet, ScopedQuerySet, visible_store_ids

MONEY = {"max_digits": 12, "decimal_places": 2}


def normalize_phone(raw: str) -> str:
    """Digits only, with a leading + kept for an international number."""
    raw = (raw or "").strip()
    digits = re.sub(r"\D", "", raw)
    if not digits:
        return ""
    return ("+" if raw.startswith("+") else "") + digits


def breached_q(now: datetime.datetime, prefix: str = "") -> Q:
    """Complaints that have breached a clock as of ``now`` (the SQL of
    ``Complaint.breached``)."""

    def clock(due: str, met: str) -> Q:
        return Q(**{f"{prefix}{met}__isnull": True, f"{prefix}{due}__lt": now}) | Q(
            **{f"{prefix}{met}__gt": F(f"{prefix}{due}")}
        )

    return clock("first_response_due_at", "first_responded_at") | clock(
        "resolution_due_at", "first_resolved_at"
    )


class Kind(models.TextChoices):
    COMPLAINT = "complaint", _("Complaint")
    COMPLIMENT = "compliment", _("Compliment")
    SUGGESTION = "suggestion", _("Suggestion")


class Channel(models.TextChoices):
    IN_STORE = "in_store", _("In store")
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("Email")
    SOCIAL = "social", _("Social media")
    WEB = "web", _("Website")
    APP = "app", _("App")
    OTHER = "other", pgettext_lazy("complaint channel", "Other")


class Category(models.TextChoices):
    PRODUCT_QUALITY = "product_quality", _("Product quality")
    SERVICE = "service", _("Service")
    PRICING = "pricing", _("Pricing")
    CLEANLINESS = "cleanliness", _("Cleanliness")
    STOCK_AVAILABILITY = "stock_availability", _("Stock availability")
    CHECKOUT = "checkout", _("Checkout and queues")
    RETURNS = "returns", _("Returns and refunds")
    SAFETY = "safety", _("Safety")
    OTHER = "other", pgettext_lazy("complaint category", "Other")


class Severity(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


class CustomerQuerySet(RuleScopedQuerySet):
    def in_scope(self, user) -> CustomerQuerySet:
        """A customer is visible to those who see a store the customer complained at
        (or gave feedback at): personal data never leaves that scope."""
        complained = Complaint.objects.filter(
            customer_id=OuterRef("pk"), store_id__in=visible_store_ids(user)
        )
        return self.filter(Exists(complained))


class Customer(models.Model):
    """A customer who complained or gave feedback; a member when they have a number."""

    name = models.CharField(_("name"), max_length=120, blank=True)
    # Digits only, with a leading + for an international number (services normalise it).
    phone = models.CharField(_("phone"), max_length=32, blank=True, db_index=True)
    email = models.EmailField(_("email"), blank=True)
    member_number = models.CharField(_("member number"), max_length=32, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = CustomerQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        constraints = [
            models.UniqueConstraint(
                fields=["member_number"],
                condition=~Q(member_number=""),
                name="uniq_customer_member_number",
            ),
        ]

    def __str__(self) -> str:
        return self.name or self.member_number or self.phone or f"#{self.pk}"

    @property
    def is_member(self) -> bool:
        return bool(self.member_number)


class SlaTarget(models.Model):
    """Head office's SLA target for a severity (``category`` blank) or for a severity in
    one category (an override). Chain-wide configuration: every role reads it."""

    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    category = models.CharField(
        _("category"), max_length=20, choices=Category.choices, blank=True, default=""
    )
    first_response_minutes = models.PositiveIntegerField(_("first response within (minutes)"))
    resolution_minutes = models.PositiveIntegerField(_("resolution within (minutes)"))
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("updated by"),
    )

    objects = ChainWideQuerySet.as_manager()

    class Meta:
        ordering = ["severity", "category"]
        verbose_name = _("SLA target")
        verbose_name_plural = _("SLA targets")
        constraints = [
            models.UniqueConstraint(fields=["severity", "category"], name="uniq_sla_target"),
            models.CheckConstraint(
                condition=Q(resolution_minutes__gte=models.F("first_response_minutes")),
                name="sla_resolution_not_before_response",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.severity}/{self.category or '*'}"


class Complaint(models.Model):
    class Status(models.TextChoices):
        NEW = "new", pgettext_lazy("complaint status", "New")
        IN_PROGRESS = "in_progress", _("In progress")
        RESOLVED = "resolved", _("Resolved")
        CLOSED = "closed", pgettext_lazy("complaint status", "Closed")

    OPEN_STATUSES = frozenset({Status.NEW, Status.IN_PROGRESS})

    store = models.ForeignKey(
        "stores.Store", on_delete=models.PROTECT, related_name="complaints", verbose_name=_("store")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.COMPLAINT)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    severity = models.CharField(
        _("severity"), max_length=10, choices=Severity.choices, default=Severity.MEDIUM
    )
    description = models.TextField(_("description"))
    received_at = models.DateTimeField(_("received at"))
    receipt_reference = models.CharField(_("receipt or transaction"), max_length=64, blank=True)
    product = models.ForeignKey(
        "inventory.Product",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("product"),
    )
    customer = models.ForeignKey(
        Customer,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints",
        verbose_name=_("customer"),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.NEW
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_complaints",
        verbose_name=_("assignee"),
    )
    # The clocks, fixed at intake from the policy then in force (null for feedback).
    first_response_due_at = models.DateTimeField(_("first response due"), null=True, blank=True)
    resolution_due_at = models.DateTimeField(_("resolution due"), null=True, blank=True)
    first_responded_at = models.DateTimeField(_("first responded"), null=True, blank=True)
    # The first resolution is what the resolution clock measures; ``resolved_at`` is the
    # latest one (cleared by a reopen).
    first_resolved_at = models.DateTimeField(_("first resolved"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    closed_at = models.DateTimeField(
        pgettext_lazy("time a record was closed", "Closed"), null=True, blank=True
    )
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True)
    resolution_note = models.TextField(_("resolution"), blank=True)
    compensation = models.DecimalField(_("compensation"), null=True, blank=True, **MONEY)
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("logged by"),
    )
    # Bumped by every change: a page or API client that sends the version it read is
    # refused (409) when somebody else changed the complaint in between.
    version = models.PositiveIntegerField(_("version"), default=1)

    scope_store_path = "store"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at", "-pk"]
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        constraints = [
            models.CheckConstraint(
                condition=Q(compensation__isnull=True) | Q(compensation__gte=0),
                name="complaint_compensation_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(kind="complaint", first_response_due_at__isnull=False)
                | ~Q(kind="complaint"),
                name="complaint_has_clocks",
            ),
        ]
        indexes = [
            models.Index(fields=["store", "received_at"], name="complaint_store_received"),
            models.Index(fields=["first_responded_at"], name="complaint_first_responded"),
            models.Index(fields=["first_resolved_at"], name="complaint_first_resolved"),
            models.Index(fields=["resolution_due_at"], name="complaint_resolution_due"),
            # The sweep's candidates: open complaints not escalated yet.
            models.Index(
                fields=["first_response_due_at"],
                name="complaint_open_unescalated",
                condition=Q(status__in=["new", "in_progress"], escalated_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        return f"CMP-{self.pk:06d}" if self.pk else "CMP-new"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def has_clocks(self) -> bool:
        return self.first_response_due_at is not None

    # The clocks as of ``now`` (docs/customers.md): a clock is breached when it was met
    # late, or when it is not met and its due time has passed.
    def first_response_breached(self, now: datetime.datetime) -> bool:
        return _breached(self.first_response_due_at, self.first_responded_at, now)

    def resolution_breached(self, now: datetime.datetime) -> bool:
        return _breached(self.resolution_due_at, self.first_resolved_at, now)

    def breached(self, now: datetime.datetime) -> bool:
        return self.first_response_breached(now) or self.resolution_breached(now)

    def breach_text(self, at: datetime.datetime) -> str:
        """Which clock had breached at ``at`` and when it was due, in the active language.
        Due times never move, so this is the same sentence whenever it is read."""
        local = self.store.tz
        if self.first_response_breached(at):
            return gettext("The first response was due by %(due)s (store time).") % {
                "due": f"{self.first_response_due_at.astimezone(local):%Y-%m-%d %H:%M}"
            }
        return gettext("The resolution was due by %(due)s (store time).") % {
            "due": f"{self.resolution_due_at.astimezone(local):%Y-%m-%d %H:%M}"
        }

    def next_due(self) -> tuple[str, datetime.datetime] | None:
        """The clock still running: ("first_response" | "resolution", its due time)."""
        if not self.has_clocks or not self.is_open:
            return None
        if self.first_responded_at is None:
            return ("first_response", self.first_response_due_at)
        if self.first_resolved_at is None:
            return ("resolution", self.resolution_due_at)
        return None


def _breached(due, met, now) -> bool:
    if due is None:
        return False
    if met is not None:
        return met > due
    return now > due


class ComplaintEvent(models.Model):
    """The timeline: who did what, when (responses to the customer, internal notes,
    assignments, status changes, escalation)."""

    class Kind(models.TextChoices):
        LOGGED = "logged", _("Logged")
        RESPONSE = "response", _("Response to the customer")
        NOTE = "note", _("Internal note")
        ASSIGNED = "assigned", _("Assigned")
        RESOLVED = "resolved", _("Resolved")
        CLOSED = "closed", pgettext_lazy("complaint event", "Closed")
        REOPENED = "reopened", _("Reopened")
        ESCALATED = "escalated", _("Escalated")

    complaint = models.ForeignKey(
        Complaint, on_delete=models.CASCADE, related_name="events", verbose_name=_("complaint")
    )
    kind = models.CharField(_("event"), max_length=10, choices=Kind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("at"))
    text = models.TextField(_("text"), blank=True)
    from_status = models.CharField(_("from"), max_length=12, blank=True)
    to_status = models.CharField(_("to"), max_length=12, blank=True)

    scope_store_path = "complaint__store"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("complaint event")
        verbose_name_plural = _("complaint events")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"

    @property
    def display_text(self) -> str:
        """The text as shown: the sweep's escalation is written without one and reads in
        the reader's language (rows escalated before that keep their stored text)."""
        if self.kind == self.Kind.ESCALATED and not self.text:
            return self.complaint.breach_text(self.at)
        return self.text
