"""One FilterSet per list, shared by the pages, the API and the exports."""

import django_filters
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from opsdesk.platform.filters import StrictBooleanFilter
from stores.models import Store
from stores.selectors import store_local_today

from .models import (
    Course,
    Employee,
    Position,
    Schedule,
    Shift,
    SwapRequest,
    TrainingAssignment,
)


def _visible_stores(request):
    if request is None:
        return Store.objects.none()
    return Store.objects.visible_to(request.user).order_by("code")


def _visible_employees(request):
    if request is None:
        return Employee.objects.none()
    return Employee.objects.visible_to(request.user).order_by("name", "pk")


def _store_filter(field_name="store"):
    # An out-of-scope store is refused exactly like an unknown one (404 in the API).
    return django_filters.ModelChoiceFilter(
        field_name=field_name, queryset=_visible_stores, label=_("Store"), help_text=_("Store id.")
    )


def _employee_filter(field_name="employee"):
    return django_filters.ModelChoiceFilter(
        field_name=field_name,
        queryset=_visible_employees,
        label=_("Employee"),
        help_text=_("Employee id."),
    )


class EmployeeFilterSet(django_filters.FilterSet):
    store = _store_filter("home_store")
    position = django_filters.ChoiceFilter(choices=Position.choices, label=_("Position"))
    active = StrictBooleanFilter(
        method="filter_active", label=_("Active today"), help_text=_("true or false.")
    )
    search = django_filters.CharFilter(method="filter_search", label=_("Search"))

    class Meta:
        model = Employee
        fields = ["store", "position", "active", "search"]

    def filter_active(self, queryset, name, value):
        # Active on the home store's own date (its time zone), in the list's single query.
        queryset = queryset.alias(store_today=store_local_today("home_store"))
        today = F("store_today")
        current = Q(active_from__lte=today) & (Q(active_to__isnull=True) | Q(active_to__gte=today))
        return queryset.filter(current) if value else queryset.exclude(current)

    def filter_search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(name__icontains=value) if value else queryset


class ShiftFilterSet(django_filters.FilterSet):
    store = _store_filter()
    employee = _employee_filter()
    date_from = django_filters.DateFilter(
        field_name="business_date", lookup_expr="gte", label=_("From")
    )
    date_to = django_filters.DateFilter(
        field_name="business_date", lookup_expr="lte", label=_("To")
    )
    status = django_filters.ChoiceFilter(
        field_name="schedule__status",
        choices=Schedule.Status.choices,
        label=_("Week status"),
    )
    position = django_filters.ChoiceFilter(choices=Position.choices, label=_("Position"))

    class Meta:
        model = Shift
        fields = ["store", "employee", "date_from", "date_to", "status", "position"]


class ScheduleFilterSet(django_filters.FilterSet):
    store = _store_filter()
    status = django_filters.ChoiceFilter(choices=Schedule.Status.choices, label=_("Status"))
    week_from = django_filters.DateFilter(
        field_name="week_start", lookup_expr="gte", label=_("Weeks from")
    )
    week_to = django_filters.DateFilter(
        field_name="week_start", lookup_expr="lte", label=_("Weeks to")
    )

    class Meta:
        model = Schedule
        fields = ["store", "status", "week_from", "week_to"]


class SwapRequestFilterSet(django_filters.FilterSet):
    store = _store_filter("shift__store")
    status = django_filters.ChoiceFilter(choices=SwapRequest.Status.choices, label=_("Status"))

    class Meta:
        model = SwapRequest
        fields = ["store", "status"]


class CourseFilterSet(django_filters.FilterSet):
    active = StrictBooleanFilter(label=_("Active"), help_text=_("true or false."))

    class Meta:
        model = Course
        fields = ["active"]


class TrainingAssignmentFilterSet(django_filters.FilterSet):
    store = _store_filter("employee__home_store")
    employee = _employee_filter()
    course = django_filters.ModelChoiceFilter(
        queryset=lambda request: Course.objects.order_by("code"),
        label=_("Course"),
        help_text=_("Course id."),
    )
    status = django_filters.ChoiceFilter(
        choices=TrainingAssignment.Status.choices, label=_("Status")
    )
    overdue = StrictBooleanFilter(
        field_name="overdue", label=_("Overdue"), help_text=_("true or false.")
    )
    due_from = django_filters.DateFilter(
        field_name="due_date", lookup_expr="gte", label=_("Due from")
    )
    due_to = django_filters.DateFilter(field_name="due_date", lookup_expr="lte", label=_("Due to"))

    class Meta:
        model = TrainingAssignment
        fields = ["store", "employee", "course", "status", "overdue", "due_from", "due_to"]
