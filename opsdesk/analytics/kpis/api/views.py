"""KPI API: store-day values, roll-ups (ratio of sums) and the registry, scoped like
every other endpoint. Thin views over opsdesk.analytics.kpis.selectors and thresholds."""

from __future__ import annotations

import datetime

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.response import Response

from stores.access import ScopedAPIMixin
from stores.models import Region, Store
from stores.selectors import latest_local_date

from .. import registry, selectors
from ..models import KpiFact
from ..periods import last_closed_day, parse_period
from ..thresholds import bands, rag
from . import serializers as s
from .filters import KpiFactFilterSet, KpiFilterBackend, KpiRollupFilterSet

RULE_HIGHER = "green when value >= green, amber when value >= amber, otherwise red"
RULE_LOWER = "green when value <= green, amber when value <= amber, otherwise red"


class KpiValueViewSet(ScopedAPIMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Store-day KPI values in your scope, of the KPIs you may read (numerator,
    denominator, value, RAG state); filters ``code``, ``start``, ``end``, ``store``,
    ``region``."""

    serializer_class = s.KpiFactSerializer
    queryset = KpiFact.objects.none()
    filterset_class = KpiFactFilterSet
    filter_backends = [KpiFilterBackend]
    selector = staticmethod(selectors.kpi_fact_list)

    def get_queryset(self):
        return super().get_queryset().order_by("-business_date", "store__code", "code", "pk")

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["kpis"] = {kpi.code: kpi for kpi in registry.kpis_for(self.request.user)}
        context["bands"] = bands()
        return context


def _range(request, data: dict, user) -> tuple[datetime.date, datetime.date]:
    """The period's dates (``period``/``month``, default the last 30 closed days); an
    explicit ``start`` or ``end`` replaces the period's own."""
    zones = Store.objects.visible_to(user).values_list("time_zone", flat=True).distinct()
    period = parse_period(
        {"period": data.get("period"), "month": data.get("month")},
        last_closed_day(latest_local_date(zones)),
    )
    return data.get("start") or period.start, data.get("end") or period.end


class KpiRollupViewSet(ScopedAPIMixin, viewsets.GenericViewSet):
    """Every KPI you may read (or ``code``) over a period, Σ numerators ÷ Σ denominators
    per store, per region or for the chain, over the stores in your scope
    (``store``/``region`` narrow them), with the RAG state."""

    serializer_class = s.KpiRollupSerializer
    filterset_class = KpiRollupFilterSet
    filter_backends = [KpiFilterBackend]
    pagination_class = None
    queryset = KpiFact.objects.none()
    selector = staticmethod(selectors.kpi_fact_list)

    @extend_schema(responses=s.KpiRollupSerializer(many=True))
    def list(self, request):
        backend = KpiFilterBackend()
        queryset = self.get_queryset()
        filterset = backend.get_filterset(request, queryset, self)
        if not filterset.is_valid():
            backend.filter_queryset(request, queryset, self)  # raises its 400 or 404
        data = filterset.form.cleaned_data
        group = data.get("group") or "store"
        start, end = _range(request, data, request.user)
        store_ids = None
        if data.get("store") is not None:
            store_ids = [data["store"].pk]
        if data.get("region") is not None:
            in_region = Store.objects.visible_to(request.user).filter(region=data["region"])
            if store_ids is not None:
                in_region = in_region.filter(pk__in=store_ids)
            store_ids = list(in_region.values_list("pk", flat=True))
        codes = [data["code"]] if data.get("code") else None
        table = selectors.kpi_table(
            user=request.user, start=start, end=end, group=group, codes=codes, store_ids=store_ids
        )
        labels = {}
        if group == "store":
            labels = dict(Store.objects.visible_to(request.user).values_list("pk", "code"))
        elif group == "region":
            labels = dict(Region.objects.visible_to(request.user).values_list("pk", "code"))
        thresholds = bands()
        rows = []
        for kpi in registry.kpis_for(request.user, codes):
            for key, row in table[kpi.code].items():
                rows.append(
                    {
                        "code": kpi.code,
                        "group": group,
                        "key": None if group == "chain" else key,
                        "key_code": labels.get(key),
                        "start": start,
                        "end": end,
                        "numerator": row["numerator"],
                        "denominator": row["denominator"],
                        "value": row["value"],
                        "rag": rag(row["value"], thresholds.get(kpi.code), kpi.higher_is_better),
                    }
                )
        return Response(s.KpiRollupSerializer(rows, many=True).data)


class KpiDefinitionViewSet(ScopedAPIMixin, viewsets.GenericViewSet):
    """The registered KPIs you may read: names (en, zh), unit, direction, numerator and
    denominator, head office's thresholds and how they colour a value."""

    serializer_class = s.KpiDefinitionSerializer
    pagination_class = None
    filter_backends = []

    def get_queryset(self):  # pragma: no cover - no model behind the registry
        return Store.objects.none()

    @extend_schema(responses=s.KpiDefinitionSerializer(many=True))
    def list(self, request):
        thresholds = bands()
        rows = []
        for kpi in registry.kpis_for(request.user):
            band = thresholds.get(kpi.code)
            rows.append(
                {
                    "code": kpi.code,
                    "name": str(kpi.name),
                    "name_zh": kpi.name_zh,
                    "unit": kpi.unit,
                    "higher_is_better": kpi.higher_is_better,
                    "direction": "higher_is_better" if kpi.higher_is_better else "lower_is_better",
                    "numerator": str(kpi.numerator),
                    "denominator": str(kpi.denominator),
                    "scale": kpi.scale,
                    "thresholds": {"green": band.green, "amber": band.amber} if band else None,
                    "rag_rule": RULE_HIGHER if kpi.higher_is_better else RULE_LOWER,
                }
            )
        return Response(s.KpiDefinitionSerializer(rows, many=True).data)
