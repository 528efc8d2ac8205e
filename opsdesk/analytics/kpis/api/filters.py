"""The KPI API's filters (django-filter, through the scoped backend): a store or region
outside your scope is refused like an unknown one (404), and so is a KPI you may not read
(``registry.kpis_for``); a malformed value (an unknown code) is a 400."""

import django_filters
from django.utils.choices import BaseChoiceIterator
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework.exceptions import NotFound

from stores.filters import ScopedFilterBackend
from stores.models import Region, Store

from .. import registry
from ..models import KpiFact
from ..periods import PERIODS

MONTH_PATTERN = r"^[1-9][0-9]{3}-(0[1-9]|1[0-2])$"


class KpiChoices(BaseChoiceIterator):
    """The registered KPI codes, read when a form or the schema is built (the registry
    is complete once the apps are ready)."""

    def __iter__(self):
        yield from ((kpi.code, kpi.code) for kpi in registry.all_kpis())


@extend_schema_field({"type": "string", "pattern": MONTH_PATTERN, "example": "2026-10"})
class MonthFilter(django_filters.CharFilter):
    pass


def _visible_stores(request):
    return Store.objects.none() if request is None else Store.objects.visible_to(request.user)


def _visible_regions(request):
    return Region.objects.none() if request is None else Region.objects.visible_to(request.user)


class KpiFilterBackend(ScopedFilterBackend):
    """``ScopedFilterBackend``, and ``?code=`` naming a KPI the user may not read answers
    404 like a store outside their scope (an unknown code stays a 400)."""

    def get_filterset(self, request, queryset, view):
        code = request.query_params.get("code")
        if code and code not in registry.kpi_codes_for(request.user):
            try:
                registry.get(code)
            except KeyError:
                pass  # not a KPI at all: the filter's 400
            else:
                raise NotFound(_("No such %(object)s.") % {"object": _("KPI")})
        return super().get_filterset(request, queryset, view)


def _keep(queryset, name, value):
    """Parameters the view reads itself (validated here, applied there)."""
    return queryset


class KpiFactFilterSet(django_filters.FilterSet):
    code = django_filters.ChoiceFilter(
        choices=KpiChoices(), label=_("KPI"), help_text=_("KPI code.")
    )
    start = django_filters.DateFilter(
        field_name="business_date",
        lookup_expr="gte",
        label=_("From"),
        help_text=_("First business date (YYYY-MM-DD)."),
    )
    end = django_filters.DateFilter(
        field_name="business_date",
        lookup_expr="lte",
        label=_("To"),
        help_text=_("Last business date (YYYY-MM-DD)."),
    )
    store = django_filters.ModelChoiceFilter(
        queryset=_visible_stores, label=_("Store"), help_text=_("Store id.")
    )
    region = django_filters.ModelChoiceFilter(
        field_name="store__region",
        queryset=_visible_regions,
        label=_("Region"),
        help_text=_("Region id."),
    )

    class Meta:
        model = KpiFact
        fields = ["code", "start", "end", "store", "region"]


GROUPS = [("store", "store"), ("region", "region"), ("chain", "chain")]


class KpiRollupFilterSet(KpiFactFilterSet):
    group = django_filters.ChoiceFilter(
        choices=GROUPS,
        method=_keep,
        label=_("Group"),
        help_text=_("Roll up per store, per region or for the chain (default: store)."),
    )
    period = django_filters.ChoiceFilter(
        choices=[(key, key) for key in PERIODS],
        method=_keep,
        label=_("Period"),
        help_text=_(
            "7d, 30d, mtd or month, ending on the last closed business date of your stores "
            "(yesterday) or on the last day of month (default: 30d, or that month); start "
            "and end replace the period's first and last dates."
        ),
    )
    month = MonthFilter(
        method=_keep,
        label=_("Month"),
        help_text=_(
            "YYYY-MM: the period ends on that month's last day (period=month: that month)."
        ),
    )

    class Meta:
        model = KpiFact
        fields = ["code", "start", "end", "store", "region", "group", "period", "month"]
