"""Presentation only: the rules are in the services.

Inputs are JSON and typed strictly (``opsdesk.platform.api.fields``): a number where a text is
expected, ``"yes"`` for a boolean or a JSON number for an amount is refused (400), as the
schema says. What the services still refuse (a time in the future, an assignee who may
not handle the store, a complaint no longer open, a stale ``version``) is a 409.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from opsdesk.platform.api.exceptions import CONFLICT
from opsdesk.platform.api.fields import (
    PatternField,
    StrictBooleanField,
    StrictCharField,
    StrictDecimalField,
    StrictIntegerField,
)

from ..models import (
    Category,
    Channel,
    Complaint,
    ComplaintEvent,
    Customer,
    Kind,
    Severity,
    SlaTarget,
)
from ..rules import MAX_TARGET_MINUTES, MAX_TEXT, MIN_TARGET_MINUTES

MONEY = {"max_digits": 12, "decimal_places": 2}


class CustomerSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Customer
        fields = ["id", "name", "member_number"]


class CustomerSerializer(serializers.ModelSerializer):
    email = serializers.CharField(read_only=True)
    complaint_count = serializers.IntegerField(
        read_only=True, help_text="Their complaints and feedback at stores in your scope."
    )

    class Meta:
        model = Customer
        fields = ["id", "name", "phone", "email", "member_number", "created_at", "complaint_count"]


def _clock(due, met, now) -> str:
    if due is None:
        return "none"
    if met is not None:
        return "breached" if met > due else "met"
    return "breached" if now > due else "running"


class ComplaintSerializer(serializers.ModelSerializer):
    number = serializers.CharField(read_only=True)
    store_code = serializers.CharField(source="store.code", read_only=True)
    product_sku = serializers.CharField(
        source="product.sku", read_only=True, allow_null=True, default=None
    )
    customer = CustomerSummarySerializer(read_only=True, allow_null=True)
    assignee_name = serializers.SerializerMethodField()
    first_response_sla = serializers.SerializerMethodField(
        help_text="none (feedback), running, met or breached."
    )
    resolution_sla = serializers.SerializerMethodField(
        help_text="none (feedback), running, met or breached."
    )

    class Meta:
        model = Complaint
        fields = [
            "id",
            "number",
            "store",
            "store_code",
            "kind",
            "channel",
            "category",
            "severity",
            "description",
            "received_at",
            "receipt_reference",
            "product",
            "product_sku",
            "customer",
            "status",
            "assignee",
            "assignee_name",
            "first_response_due_at",
            "resolution_due_at",
            "first_responded_at",
            "first_resolved_at",
            "resolved_at",
            "closed_at",
            "escalated_at",
            "first_response_sla",
            "resolution_sla",
            "resolution_note",
            "compensation",
            "reopen_count",
            "version",
        ]

    def get_assignee_name(self, complaint) -> str | None:
        user = complaint.assignee
        return (user.get_full_name() or user.get_username()) if user else None

    def get_first_response_sla(self, complaint) -> str:
        return _clock(complaint.first_response_due_at, complaint.first_responded_at, timezone.now())

    def get_resolution_sla(self, complaint) -> str:
        return _clock(complaint.resolution_due_at, complaint.first_resolved_at, timezone.now())


class ComplaintEventSerializer(serializers.ModelSerializer):
    user = serializers.CharField(
        source="user.username", read_only=True, allow_null=True, default=None
    )

    text = serializers.CharField(
        source="display_text", read_only=True, help_text="In the request's language."
    )

    class Meta:
        model = ComplaintEvent
        fields = ["kind", "user", "at", "text", "from_status", "to_status"]


class ComplaintDetailSerializer(ComplaintSerializer):
    events = ComplaintEventSerializer(many=True, read_only=True)

    class Meta(ComplaintSerializer.Meta):
        fields = [*ComplaintSerializer.Meta.fields, "events"]


PHONE_PATTERN = r"^\+?[0-9]{5,20}$"
# An ISO 8601 date and time with its offset, years 1900-2099 (what parse_datetime reads).
DATETIME_PATTERN = (
    r"^(19|20)[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
    r"T([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?"
    r"(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$"
)
MEMBER_PATTERN = r"^[A-Za-z0-9-]{3,32}$"


class CustomerInSerializer(serializers.Serializer):
    name = StrictCharField(max_length=120, required=False, allow_blank=True)
    phone = PatternField(
        pattern=PHONE_PATTERN,
        message=_("Enter 5 to 20 digits, with a + in front for an international number."),
        example="+8613800138000",
        required=False,
    )
    email = StrictCharField(max_length=254, required=False, allow_blank=True)
    member_number = PatternField(
        pattern=MEMBER_PATTERN,
        message=_("A member number has 3 to 32 letters, digits or dashes."),
        example="M-102938",
        required=False,
        help_text="A member with this number is linked, else one with this phone, else a "
        "new customer is recorded.",
    )


class ComplaintCreateSerializer(serializers.Serializer):
    store = StrictIntegerField(help_text="Store id.")
    kind = serializers.ChoiceField(choices=Kind.choices, default=Kind.COMPLAINT)
    channel = serializers.ChoiceField(choices=Channel.choices)
    category = serializers.ChoiceField(choices=Category.choices)
    severity = serializers.ChoiceField(choices=Severity.choices, default=Severity.MEDIUM)
    description = StrictCharField(max_length=MAX_TEXT)
    received_at = PatternField(
        pattern=DATETIME_PATTERN,
        message=_("Enter a date and time with its offset, such as 2026-11-22T14:30:00+08:00."),
        example="2026-11-22T14:30:00+08:00",
        required=False,
        help_text="Intake time with its offset (default now); not in the future, at most 30 "
        "days ago, a real date (else 409).",
    )

    def validate_received_at(self, value):
        try:
            parsed = parse_datetime(value)
        except ValueError:
            parsed = None
        if parsed is None:  # matches the pattern, but no such day (30 February)
            raise serializers.ValidationError(_("There is no such date."), code=CONFLICT)
        return parsed

    receipt_reference = StrictCharField(max_length=64, required=False, allow_blank=True)
    product = StrictIntegerField(required=False, allow_null=True, help_text="Product id.")
    customer = CustomerInSerializer(required=False)
    assignee = StrictIntegerField(
        required=False,
        allow_null=True,
        help_text="User id: who handles it (404 if they may not, as for an unknown id).",
    )


class VersionMixin(serializers.Serializer):
    version = StrictIntegerField(
        required=False,
        min_value=1,
        help_text="The version you read: 409 when the complaint changed since.",
    )


class RespondSerializer(VersionMixin):
    text = StrictCharField(max_length=MAX_TEXT)
    internal = StrictBooleanField(
        default=False,
        help_text="An internal note: no message to the customer, the clock keeps running.",
    )


class AssignSerializer(VersionMixin):
    assignee = StrictIntegerField(
        help_text="User id of somebody who may handle the store's complaints (else 404)."
    )


class ResolveSerializer(VersionMixin):
    resolution_note = StrictCharField(max_length=MAX_TEXT)
    compensation = StrictDecimalField(
        required=False,
        allow_null=True,
        min_value=Decimal(0),
        help_text="In the chain's currency, at most 100000.00 (else 409).",
        **MONEY,
    )


class ReopenSerializer(VersionMixin):
    reason = StrictCharField(max_length=MAX_TEXT)


class CloseSerializer(VersionMixin):
    pass


class SlaTargetSerializer(serializers.ModelSerializer):
    class Meta:
        model = SlaTarget
        fields = [
            "id",
            "severity",
            "category",
            "first_response_minutes",
            "resolution_minutes",
            "updated_at",
        ]


def _minutes(**kwargs):
    return StrictIntegerField(min_value=MIN_TARGET_MINUTES, max_value=MAX_TARGET_MINUTES, **kwargs)


class SlaTargetInSerializer(serializers.Serializer):
    severity = serializers.ChoiceField(choices=Severity.choices)
    category = serializers.ChoiceField(
        choices=[("", "every category"), *Category.choices],
        required=False,
        allow_blank=True,
        default="",
        help_text="Empty: the severity's target; a category: an override for it.",
    )
    first_response_minutes = _minutes()
    resolution_minutes = _minutes(help_text="Not shorter than the first response (else 409).")


class SlaTargetUpdateSerializer(serializers.Serializer):
    first_response_minutes = _minutes(required=False)
    resolution_minutes = _minutes(required=False)
