"""One FilterSet per list, shared by the pages, the API and the exports."""

import django_filters
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opsdesk.platform.filters import ChoicesFilter, StrictBooleanFilter
from stores.access import visible_store_ids
from stores.models import Region, Store
from stores.selectors import store_local_date

from .models import Category, Channel, Complaint, Customer, Kind, Severity, breached_q


def _visible_stores(request):
    if request is None:
        return Store.objects.none()
    return Store.objects.visible_to(request.user).order_by("code")


def _visible_regions(request):
    if request is None:
        return Region.objects.none()
    return Region.objects.visible_to(request.user).order_by("code")


def _visible_handlers(request):
    """Assignees one may filter by: people who handle complaints at a store in scope."""
    users = get_user_model().objects.order_by("username")
    if request is None:
        return users.none()
    ids = visible_store_ids(request.user)
    return users.filter(
        Q(assigned_complaints__store__in=ids) | Q(store_assignments__store__in=ids)
    ).distinct()


class ComplaintFilterSet(django_filters.FilterSet):
    # Out-of-scope and unknown stores are refused alike (the API answers 404).
    store = django_filters.ModelChoiceFilter(
        queryset=_visible_stores, label=_("Store"), help_text=_("Store id.")
    )
    region = django_filters.ModelChoiceFilter(
        field_name="store__region",
        queryset=_visible_regions,
        label=_("Region"),
        help_text=_("Region id."),
    )
    kind = django_filters.ChoiceFilter(choices=Kind.choices, label=_("Kind"))
    status = ChoicesFilter(choices=Complaint.Status.choices, label=_("Status"))
    category = django_filters.ChoiceFilter(choices=Category.choices, label=_("Category"))
    severity = django_filters.ChoiceFilter(choices=Severity.choices, label=_("Severity"))
    channel = django_filters.ChoiceFilter(choices=Channel.choices, label=_("Channel"))
    overdue = StrictBooleanFilter(
        method="filter_overdue",
        label=_("Overdue"),
        help_text=_("Open, and past an SLA due time not met."),
    )
    breached = StrictBooleanFilter(
        method="filter_breached",
        label=_("SLA breached"),
        help_text=_("A clock was met late, or is past due (open or not)."),
    )
    escalated = StrictBooleanFilter(
        field_name="escalated_at",
        lookup_expr="isnull",
        exclude=True,
        label=_("Escalated"),
        help_text=_("Escalated to regional ops on a breach."),
    )
    assignee = django_filters.ModelChoiceFilter(
        queryset=_visible_handlers, label=_("Assignee"), help_text=_("User id.")
    )
    received = django_filters.DateFromToRangeFilter(
        method="filter_received",
        label=_("Received (store date)"),
        help_text=_("Store-local dates of intake, both included."),
    )
    search = django_filters.CharFilter(
        method="filter_search",
        label=_("Search"),
        help_text=_("Part of the description, the receipt reference or the member number."),
    )

    class Meta:
        model = Complaint
        fields = [
            "store",
            "region",
            "kind",
            "status",
            "category",
            "severity",
            "channel",
            "overdue",
            "breached",
            "escalated",
            "assignee",
            "received",
            "search",
        ]

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        overdue = Q(status__in=list(Complaint.OPEN_STATUSES)) & breached_q(timezone.now())
        return queryset.filter(overdue) if value else queryset.exclude(overdue)

    def filter_breached(self, queryset, name, value):
        if value is None:
            return queryset
        breached = breached_q(timezone.now())
        return queryset.filter(breached) if value else queryset.exclude(breached)

    def filter_received(self, queryset, name, value):
        if not value or (value.start is None and value.stop is None):
            return queryset
        queryset = queryset.alias(received_on=store_local_date("received_at"))
        if value.start is not None:
            queryset = queryset.filter(received_on__gte=value.start)
        if value.stop is not None:
            queryset = queryset.filter(received_on__lte=value.stop)
        return queryset

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(description__icontains=value)
            | Q(receipt_reference__icontains=value)
            | Q(customer__member_number__iexact=value)
        )


class CustomerFilterSet(django_filters.FilterSet):
    member_number = django_filters.CharFilter(
        lookup_expr="iexact", label=_("Member number"), help_text=_("Exact member number.")
    )
    search = django_filters.CharFilter(
        method="filter_search",
        label=_("Search"),
        help_text=_("Part of the name, the phone number or the member number."),
    )

    class Meta:
        model = Customer
        fields = ["member_number", "search"]

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(name__icontains=value) | Q(phone__icontains=value) | Q(member_number__icontains=value)
        )
