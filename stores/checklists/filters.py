"""One FilterSet per list, shared by the pages and the API."""

import django_filters
from django.contrib.auth import get_user_model
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from opsdesk.platform.filters import ChoicesFilter, StrictBooleanFilter
from stores.access import visible_store_ids
from stores.models import Store
from stores.selectors import store_local_today

from .models import ChecklistRun, ChecklistSchedule, ChecklistTemplate, CorrectiveAction


def _visible_stores(request):
    if request is None:
        return Store.objects.none()
    return Store.objects.visible_to(request.user).order_by("code")


def _visible_people(request):
    """Assignees one may filter by: people working at a store in the user's scope."""
    users = get_user_model().objects.order_by("username")
    if request is None:
        return users.none()
    return users.filter(store_assignments__store__in=visible_store_ids(request.user)).distinct()


def _store_filter():
    # An out-of-scope store is refused exactly like an unknown one (404 in the API).
    return django_filters.ModelChoiceFilter(
        queryset=_visible_stores, label=_("Store"), help_text=_("Store id.")
    )


class CorrectiveActionFilterSet(django_filters.FilterSet):
    store = _store_filter()
    status = ChoicesFilter(choices=CorrectiveAction.Status.choices, label=_("Status"))
    overdue = StrictBooleanFilter(
        method="filter_overdue",
        label=_("Overdue"),
        help_text=_("Open and past the due date."),
    )
    assignee = django_filters.ModelChoiceFilter(
        queryset=_visible_people, label=_("Assignee"), help_text=_("User id.")
    )

    class Meta:
        model = CorrectiveAction
        fields = ["store", "status", "overdue", "assignee"]

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        # Past due = due before today in the store's own time zone (as the sweep
        # decides), in the same single query as the list.
        queryset = queryset.alias(store_today=store_local_today())
        overdue = Q(status__in=list(CorrectiveAction.OPEN_STATUSES)) & Q(
            due_date__lt=F("store_today")
        )
        return queryset.filter(overdue) if value else queryset.exclude(overdue)


class ChecklistRunFilterSet(django_filters.FilterSet):
    store = _store_filter()
    kind = django_filters.ChoiceFilter(choices=ChecklistTemplate.Kind.choices, label=_("Kind"))
    status = ChoicesFilter(choices=ChecklistRun.Status.choices, label=_("Status"))
    timeliness = django_filters.ChoiceFilter(
        choices=ChecklistRun.Timeliness.choices, label=_("Timeliness")
    )
    business_date = django_filters.DateFromToRangeFilter(label=_("Business date"))
    template = django_filters.CharFilter(
        field_name="version__template__code", label=_("Template code")
    )

    class Meta:
        model = ChecklistRun
        fields = ["store", "kind", "status", "timeliness", "business_date", "template"]


class ChecklistTemplateFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=ChecklistTemplate.Kind.choices, label=_("Kind"))

    class Meta:
        model = ChecklistTemplate
        fields = ["kind"]


class ChecklistScheduleFilterSet(django_filters.FilterSet):
    template = django_filters.CharFilter(field_name="template__code", label=_("Template code"))
    active = StrictBooleanFilter(label=_("Active"))

    class Meta:
        model = ChecklistSchedule
        fields = ["template", "active"]
