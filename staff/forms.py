"""HTML input parsing only; the rules are in staff/services and staff/checks/."""

from __future__ import annotations

import datetime

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from stores.models import OpeningHours, Store, StoreAssignment

from .models import ContractType, Course, Employee, Position

WEEKDAYS = OpeningHours.Weekday.choices
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ShiftForm(forms.Form):
    employee = forms.ModelChoiceField(Employee.objects.none(), label=_("Employee"))
    business_date = forms.DateField(label=_("Day"), widget=DATE)
    starts = forms.TimeField(label=_("Starts"), widget=TIME)
    ends = forms.TimeField(
        label=_("Ends"), widget=TIME, help_text=_("At or before the start: the next day.")
    )
    break_minutes = forms.IntegerField(
        label=_("Unpaid break (minutes)"), min_value=0, max_value=240, initial=0
    )
    position = forms.ChoiceField(
        label=_("Position"),
        choices=[("", _("The person's own")), *list(Position.choices)],
        required=False,
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, employees, days=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["employee"].queryset = employees
        if days:
            self.fields["business_date"].widget = forms.Select(
                choices=[(d.isoformat(), d.strftime("%a %Y-%m-%d")) for d in days]
            )

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "employee": data["employee"],
            "business_date": data["business_date"],
            "starts": data["starts"],
            "ends": data["ends"],
            "break_minutes": data["break_minutes"],
            "position": data["position"] or None,
            "note": data["note"],
        }


class StaffingRuleForm(forms.Form):
    weekday = forms.TypedChoiceField(
        label=_("Day"),
        choices=[("", _("Every day")), *list(WEEKDAYS)],
        coerce=int,
        empty_value=None,
        required=False,
    )
    min_staff = forms.IntegerField(
        label=_("At least this many on shift"),
        min_value=1,
        max_value=50,
        required=False,
        help_text=_("Empty: remove the rule."),
    )


class SwapAskForm(forms.Form):
    mode = forms.ChoiceField(
        label=_("Give the shift to"),
        choices=[("open", _("Any colleague")), ("named", _("A colleague I name"))],
    )
    to_employee = forms.ModelChoiceField(
        Employee.objects.none(), label=_("Colleague"), required=False
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args, colleagues=(), **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["to_employee"]
        field.queryset = Employee.objects.filter(pk__in=[c.pk for c in colleagues]).order_by("name")
        # Rendered from the people already read (a page shows one form per shift): the
        # queryset only validates what is posted.
        field.widget.choices = [
            ("", field.empty_label),
            *((c.pk, field.label_from_instance(c)) for c in colleagues),
        ]

    def clean(self):
        data = super().clean()
        if data.get("mode") == "named" and not data.get("to_employee"):
            self.add_error("to_employee", _("Choose the colleague."))
        return data


class SwapRespondForm(forms.Form):
    response = forms.ChoiceField(
        choices=[("accept", _("Accept")), ("decline", _("Decline")), ("cancel", _("Cancel"))]
    )


class SwapDecideForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("refuse", _("Refuse"))])
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)


class EmployeeForm(forms.Form):
    home_store = forms.ModelChoiceField(Store.objects.none(), label=_("Home store"))
    name = forms.CharField(label=_("Name"), max_length=100)
    position = forms.ChoiceField(label=_("Position"), choices=Position.choices)
    contract_type = forms.ChoiceField(label=_("Contract"), choices=ContractType.choices)
    weekly_hours_max = forms.DecimalField(
        label=_("Weekly hour limit"), max_digits=5, decimal_places=2
    )
    hourly_rate = forms.DecimalField(label=_("Hourly cost"), max_digits=12, decimal_places=2)
    active_from = forms.DateField(label=_("Active from"), widget=DATE)
    active_to = forms.DateField(label=_("Active to"), widget=DATE, required=False)
    account = forms.ModelChoiceField(
        get_user_model().objects.none(),
        label=_("User account"),
        required=False,
        help_text=_("The account that sees these shifts under “My shifts”."),
    )

    def __init__(self, *args, user, employee=None, **kwargs):
        super().__init__(*args, **kwargs)
        stores = Store.objects.visible_to(user).order_by("code")
        self.fields["home_store"].queryset = stores
        # Accounts working at a store in scope, not linked to someone else yet.
        free = Q(employee__isnull=True)
        if employee is not None:
            del self.fields["home_store"]
            if employee.user_id:
                free |= Q(pk=employee.user_id)
        working = StoreAssignment.objects.filter(store__in=stores).values("user_id")
        self.fields["account"].queryset = (
            get_user_model()
            .objects.filter(free, pk__in=working, is_active=True)
            .order_by("username")
        )

    @classmethod
    def initial_from(cls, employee: Employee) -> dict:
        return {
            "name": employee.name,
            "position": employee.position,
            "contract_type": employee.contract_type,
            "weekly_hours_max": employee.weekly_hours_max,
            "hourly_rate": employee.hourly_rate,
            "active_from": employee.active_from,
            "active_to": employee.active_to,
            "account": employee.user_id,
        }


class AvailabilityForm(forms.Form):
    """One range per weekday (both empty: not available that day)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for number, label in WEEKDAYS:
            self.fields[f"starts_{number}"] = forms.TimeField(
                label=label, widget=TIME, required=False
            )
            self.fields[f"ends_{number}"] = forms.TimeField(
                label=_("until"), widget=TIME, required=False
            )

    @classmethod
    def initial_from(cls, ranges) -> dict:
        initial = {}
        for row in ranges:
            initial.setdefault(f"starts_{row.weekday}", row.starts)
            initial.setdefault(f"ends_{row.weekday}", row.ends)
        return initial

    def clean(self):
        data = super().clean()
        for number, _label in WEEKDAYS:
            if bool(data.get(f"starts_{number}")) != bool(data.get(f"ends_{number}")):
                self.add_error(f"ends_{number}", _("Give both times, or neither."))
        return data

    def ranges(self) -> list[tuple[int, datetime.time, datetime.time]]:
        data = self.cleaned_data
        return [
            (number, data[f"starts_{number}"], data[f"ends_{number}"])
            for number, _label in WEEKDAYS
            if data.get(f"starts_{number}") and data.get(f"ends_{number}")
        ]

    def rows(self):
        return [(self[f"starts_{n}"], self[f"ends_{n}"]) for n, _label in WEEKDAYS]


class LeaveForm(forms.Form):
    start_date = forms.DateField(label=_("First day"), widget=DATE)
    end_date = forms.DateField(label=_("Last day"), widget=DATE)
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)


class CourseForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=40)
    name = forms.CharField(label=_("Name"), max_length=120)
    name_zh = forms.CharField(label=_("Name (Chinese)"), max_length=120, required=False)
    mandatory_for = forms.MultipleChoiceField(
        label=_("Mandatory for"),
        choices=Position.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    validity_months = forms.IntegerField(
        label=_("Valid for (months)"),
        min_value=1,
        max_value=120,
        required=False,
        help_text=_("Empty: a completion never expires."),
    )
    due_days = forms.IntegerField(label=_("Days to complete"), min_value=1, max_value=365)
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    @classmethod
    def initial_from(cls, course: Course) -> dict:
        return {
            "code": course.code,
            "name": course.name,
            "name_zh": course.name_zh,
            "mandatory_for": course.mandatory_for,
            "validity_months": course.validity_months,
            "due_days": course.due_days,
            "active": course.active,
        }


class AssignmentForm(forms.Form):
    employee = forms.ModelChoiceField(Employee.objects.none(), label=_("Employee"))
    course = forms.ModelChoiceField(Course.objects.none(), label=_("Course"))
    due_date = forms.DateField(label=_("Due date"), widget=DATE)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["employee"].queryset = Employee.objects.visible_to(user).order_by("name")
        self.fields["course"].queryset = Course.objects.filter(active=True).order_by("code")


class ConfirmForm(forms.Form):
    confirm = forms.BooleanField(widget=forms.HiddenInput, initial=True)
