"""Presentation only: the rules are in staff/services and staff/checks/.

Inputs are JSON and typed strictly (``opsdesk.platform.api.fields``); wall-clock times are
"HH:MM" on the store's clock. What the schema states is checked here (400); what the
services refuse after that (a break as long as the shift, a time the clocks skip, a rule
broken on a published week, a request no longer open) is a 409.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from opsdesk.platform.api.fields import (
    PatternField,
    StrictBooleanField,
    StrictCharField,
    StrictDecimalField,
    StrictIntegerField,
)
from opsdesk.platform.roles import Role
from stores.access import user_role

from .. import times
from ..models import (
    Availability,
    ContractType,
    Course,
    Employee,
    Position,
    Schedule,
    Shift,
    SwapRequest,
    TrainingAssignment,
)
from ..rules import MAX_BREAK_MINUTES

CLOCK = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"


def clock_field(**kwargs) -> PatternField:
    return PatternField(
        pattern=CLOCK,
        message=_("Enter a time as HH:MM."),
        example="09:00",
        **kwargs,
    )


class AvailabilitySerializer(serializers.ModelSerializer):
    class Meta:
        model = Availability
        fields = ["weekday", "starts", "ends"]


class EmployeeSerializer(serializers.ModelSerializer):
    home_store_code = serializers.CharField(source="home_store.code", read_only=True)
    username = serializers.CharField(source="user.username", read_only=True, allow_null=True)

    class Meta:
        model = Employee
        fields = [
            "id",
            "home_store",
            "home_store_code",
            "name",
            "position",
            "contract_type",
            "weekly_hours_max",
            "hourly_rate",
            "active_from",
            "active_to",
            "username",
        ]


class EmployeeDetailSerializer(EmployeeSerializer):
    availability = AvailabilitySerializer(many=True, read_only=True)

    class Meta(EmployeeSerializer.Meta):
        fields = [*EmployeeSerializer.Meta.fields, "availability"]


class EmployeeCreateSerializer(serializers.Serializer):
    home_store = StrictIntegerField(help_text="Store id (in your scope, else 404).")
    name = StrictCharField(max_length=100)
    position = serializers.ChoiceField(choices=Position.choices)
    contract_type = serializers.ChoiceField(
        choices=ContractType.choices, default=ContractType.FULL_TIME
    )
    weekly_hours_max = StrictDecimalField(
        max_digits=5, decimal_places=2, help_text="From 1 to 80 hours (else 409)."
    )
    hourly_rate = StrictDecimalField(
        max_digits=12, decimal_places=2, help_text="0 or more (else 409)."
    )
    active_from = serializers.DateField(required=False, help_text="Default: the store's today.")
    active_to = serializers.DateField(required=False, allow_null=True)


class ShiftSerializer(serializers.ModelSerializer):
    store_code = serializers.CharField(source="store.code", read_only=True)
    employee_name = serializers.CharField(source="employee.name", read_only=True)
    week_status = serializers.ChoiceField(
        source="schedule.status", choices=Schedule.Status.choices, read_only=True
    )
    starts = serializers.SerializerMethodField(help_text="Store-local HH:MM.")
    ends = serializers.SerializerMethodField(help_text="Store-local HH:MM (maybe the next day).")
    paid_hours = serializers.DecimalField(max_digits=6, decimal_places=2, read_only=True)
    labor_cost = serializers.SerializerMethodField(
        help_text="At the person's hourly cost when saved; null for store staff."
    )

    class Meta:
        model = Shift
        fields = [
            "id",
            "schedule",
            "week_status",
            "store",
            "store_code",
            "employee",
            "employee_name",
            "business_date",
            "starts",
            "ends",
            "start_at",
            "end_at",
            "break_minutes",
            "paid_minutes",
            "paid_hours",
            "labor_cost",
            "position",
            "note",
        ]

    def get_starts(self, shift) -> str:
        return f"{times.local(shift.start_at, shift.store.tz):%H:%M}"

    def get_ends(self, shift) -> str:
        return f"{times.local(shift.end_at, shift.store.tz):%H:%M}"

    @extend_schema_field(
        {
            "type": "string",
            "format": "decimal",
            "pattern": r"^-?\d{0,10}(?:\.\d{0,2})?$",
            "nullable": True,
        }
    )
    def get_labor_cost(self, shift):
        request = self.context.get("request")
        if request is not None and user_role(request.user) == Role.STORE_STAFF:
            return None
        return f"{shift.labor_cost:.2f}"


class ShiftWriteSerializer(serializers.Serializer):
    """A new shift: ``ends`` at or before ``starts`` is on the next day."""

    store = StrictIntegerField(help_text="Store id.")
    employee = StrictIntegerField(help_text="Employee id (in your scope).")
    business_date = serializers.DateField(help_text="The store-local date the shift starts on.")
    starts = clock_field()
    ends = clock_field()
    break_minutes = StrictIntegerField(min_value=0, max_value=MAX_BREAK_MINUTES, default=0)
    position = serializers.ChoiceField(choices=Position.choices, required=False)
    note = StrictCharField(max_length=200, required=False, allow_blank=True)


class ShiftUpdateSerializer(ShiftWriteSerializer):
    """A change to a shift (its store stays); every field optional."""

    store = None
    employee = StrictIntegerField(required=False, help_text="Employee id (in your scope).")
    business_date = serializers.DateField(required=False, help_text="Within the shift's week.")
    starts = clock_field(required=False)
    ends = clock_field(required=False)
    break_minutes = StrictIntegerField(min_value=0, max_value=MAX_BREAK_MINUTES, required=False)


class ViolationSerializer(serializers.Serializer):
    rule = serializers.ChoiceField(
        choices=[
            "not_employed",
            "overlap",
            "leave",
            "rest",
            "weekly_hours",
            "min_staffing",
            "availability",
        ]
    )
    severity = serializers.ChoiceField(choices=["error", "warning"])
    message = serializers.CharField()
    date = serializers.DateField()
    store_id = serializers.IntegerField()
    employee_id = serializers.IntegerField(allow_null=True)
    employee = serializers.CharField(allow_blank=True)
    shift_ids = serializers.ListField(child=serializers.IntegerField())


class ChecksSerializer(serializers.Serializer):
    violations = ViolationSerializer(many=True)


class RefusedSerializer(serializers.Serializer):
    """409: what refused it, one message per violation, and the violations themselves
    (a refusal of one field's value: that field name and its messages, as a 400's)."""

    non_field_errors = serializers.ListField(child=serializers.CharField(), required=False)
    violations = ViolationSerializer(many=True, required=False)


class ScheduleSerializer(serializers.ModelSerializer):
    store_code = serializers.CharField(source="store.code", read_only=True)
    shift_count = serializers.IntegerField(read_only=True)
    paid_minutes = serializers.IntegerField(read_only=True)

    class Meta:
        model = Schedule
        fields = [
            "id",
            "store",
            "store_code",
            "week_start",
            "status",
            "published_at",
            "shift_count",
            "paid_minutes",
        ]


class ScheduleCreateSerializer(serializers.Serializer):
    store = StrictIntegerField(help_text="Store id.")
    week_start = serializers.DateField(help_text="A Monday (else 409).")


class CopyResultSerializer(serializers.Serializer):
    schedule = ScheduleSerializer()
    copied = serializers.IntegerField()


class SwapRequestSerializer(serializers.ModelSerializer):
    store = serializers.IntegerField(source="shift.store_id", read_only=True)
    from_name = serializers.CharField(source="from_employee.name", read_only=True)
    to_name = serializers.CharField(source="to_employee.name", read_only=True, allow_null=True)

    class Meta:
        model = SwapRequest
        fields = [
            "id",
            "shift",
            "store",
            "from_employee",
            "from_name",
            "to_employee",
            "to_name",
            "status",
            "note",
            "created_at",
            "accepted_at",
            "decided_at",
            "reason",
        ]


class SwapCreateSerializer(serializers.Serializer):
    shift = StrictIntegerField(help_text="One of your published, future shifts.")
    to_employee = StrictIntegerField(
        required=False, allow_null=True, help_text="A colleague of the store; null: anyone."
    )
    note = StrictCharField(max_length=300, required=False, allow_blank=True)


class SwapRefuseSerializer(serializers.Serializer):
    reason = StrictCharField(max_length=500, required=False, allow_blank=True)


class CourseSerializer(serializers.ModelSerializer):
    mandatory_for = serializers.ListField(child=serializers.ChoiceField(choices=Position.choices))

    class Meta:
        model = Course
        fields = [
            "id",
            "code",
            "name",
            "name_zh",
            "mandatory_for",
            "validity_months",
            "due_days",
            "active",
        ]


class CourseWriteSerializer(serializers.Serializer):
    code = PatternField(
        pattern=r"^[-a-zA-Z0-9_]{1,40}$",
        message=_("A code of letters, digits, - and _ (at most 40)."),
        example="fire-safety",
    )
    name = StrictCharField(max_length=120)
    name_zh = StrictCharField(max_length=120, required=False, allow_blank=True)
    mandatory_for = serializers.ListField(
        child=serializers.ChoiceField(choices=Position.choices), required=False
    )
    validity_months = StrictIntegerField(
        min_value=1, max_value=120, required=False, allow_null=True
    )
    due_days = StrictIntegerField(min_value=1, max_value=365, default=30)
    active = StrictBooleanField(default=True)


class CourseUpdateSerializer(CourseWriteSerializer):
    code = None
    name = StrictCharField(max_length=120, required=False)
    due_days = StrictIntegerField(min_value=1, max_value=365, required=False)
    active = StrictBooleanField(required=False)


class TrainingAssignmentSerializer(serializers.ModelSerializer):
    store = serializers.IntegerField(source="employee.home_store_id", read_only=True)
    employee_name = serializers.CharField(source="employee.name", read_only=True)
    course_code = serializers.CharField(source="course.code", read_only=True)
    overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = TrainingAssignment
        fields = [
            "id",
            "store",
            "employee",
            "employee_name",
            "course",
            "course_code",
            "status",
            "reason",
            "assigned_at",
            "due_date",
            "completed_at",
            "overdue",
        ]


class AssignmentCreateSerializer(serializers.Serializer):
    employee = StrictIntegerField(help_text="Employee id (in your scope).")
    course = StrictIntegerField(help_text="Course id.")
    due_date = serializers.DateField(help_text="From the home store's today on (else 409).")
