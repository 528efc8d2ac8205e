"""Dashboard pages: store, region and chain dashboards, a store's KPI detail and the
out-of-band list. Reads only (selectors); period, region and store live in the query
string so a view can be shared; bad parameters answer 400 with the reason."""

from __future__ import annotations

from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from opsdesk.analytics.kpis import registry
from opsdesk.analytics.kpis.periods import PERIODS, Period, last_closed_day, parse_period
from opsdesk.analytics.kpis.selectors import kpi_fact_list
from opsdesk.analytics.kpis.thresholds import bands, rag
from opsdesk.platform.roles import CHAIN_ROLES, Role
from stores.access import ScopedPageMixin, user_role
from stores.checklists.selectors import run_list
from stores.models import Region, Store

from . import drilldown, panels, selectors

REGION_ROLES = frozenset({Role.REGIONAL_OPS}) | CHAIN_ROLES
RUN_KINDS = {"checklist_compliance": "checklist", "audit_score": "audit"}
RUNS_SHOWN = 200


def _messages(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [m for values in error.message_dict.values() for m in values]
    return list(error.messages)


def _bad_request(request, errors: list[str]):
    return render(request, "dashboards/bad_request.html", {"errors": errors}, status=400)


def _export_links(period: Period, **params) -> list[tuple[str, str]]:
    """Export CSV / XLSX of the KPI league table through the reports app (the one export
    path): the same dates as the page (``start``/``end``), the same stores or regions."""
    params = {"start": period.start.isoformat(), "end": period.end.isoformat(), **params}
    url = reverse("reports:export")
    return [
        (fmt.upper(), f"{url}?{urlencode({'dataset': 'kpi_table', 'format': fmt, **params})}")
        for fmt in ("csv", "xlsx")
    ]


def _period_context(period: Period, extra: dict | None = None) -> dict:
    params = {**period.params(), **(extra or {})}
    return {
        "period": period,
        "periods": PERIODS,
        "period_query": urlencode(params),
        "period_params": params,
    }


class DashboardIndexView(ScopedPageMixin, View):
    """The dashboards this user may open: the chain, their regions, their stores."""

    def get(self, request):
        if request.GET.get("store") or request.GET.get("region"):
            return self._by_code(request)
        role = user_role(request.user)
        regions = []
        if role in REGION_ROLES:
            regions = list(Region.objects.visible_to(request.user).order_by("code"))
        stores = list(selectors.trading_stores(user=request.user))
        return render(
            request,
            "dashboards/index.html",
            {"show_chain": role in CHAIN_ROLES, "regions": regions, "stores": stores},
        )

    def _by_code(self, request):
        """``?store=<code>`` or ``?region=<code>`` (with the period): a shareable address
        by codes, redirected to that dashboard; unknown and out-of-scope codes alike 400."""
        keep = {k: request.GET[k] for k in ("period", "month") if request.GET.get(k)}
        query = f"?{urlencode(keep)}" if keep else ""
        store_code = request.GET.get("store")
        if store_code:
            store = Store.objects.visible_to(request.user).filter(code=store_code).first()
            if store is None:
                return _bad_request(request, [_("Unknown store: %(code)s.") % {"code": store_code}])
            return redirect(reverse("dashboards:store", args=[store.pk]) + query)
        if user_role(request.user) not in REGION_ROLES:
            raise PermissionDenied
        region_code = request.GET["region"]
        region = Region.objects.visible_to(request.user).filter(code=region_code).first()
        if region is None:
            return _bad_request(request, [_("Unknown region: %(code)s.") % {"code": region_code}])
        return redirect(reverse("dashboards:region", args=[region.pk]) + query)


class StoreDashboardView(ScopedPageMixin, View):
    """One store: today's sales against target, checklists due, low stock, every KPI."""

    def get(self, request, pk):
        store = get_object_or_404(
            Store.objects.visible_to(request.user).select_related("region"), pk=pk
        )
        try:
            period = parse_period(request.GET, last_closed_day(store.business_date()))
        except ValidationError as error:
            return _bad_request(request, _messages(error))
        tiles = selectors.kpi_tiles(user=request.user, period=period, store_ids=[store.pk])
        tiles = [
            (
                cell,
                drilldown.kpi_link(cell.kpi.code, store, period),
                drilldown.records_link(cell.kpi.code, store, period),
            )
            for cell in tiles
        ]
        context = {
            "store": store,
            "tiles": tiles,
            "today": selectors.store_today(user=request.user, store=store),
            "as_of": selectors.data_as_of(user=request.user, store_ids=[store.pk]),
            "can_see_region": user_role(request.user) in REGION_ROLES,
            **_period_context(period),
        }
        return render(request, "dashboards/store.html", context)


class StoreKpiView(ScopedPageMixin, View):
    """The records behind one store's KPI value: each day's numerator and denominator,
    the checklist runs it counts (checklist KPIs), and the list page of the records."""

    def get(self, request, pk, code):
        store = get_object_or_404(
            Store.objects.visible_to(request.user).select_related("region"), pk=pk
        )
        try:
            kpi = registry.get_for(request.user, code)  # a KPI they may not read: 404
        except KeyError:
            raise Http404 from None
        try:
            period = parse_period(request.GET, last_closed_day(store.business_date()))
        except ValidationError as error:
            return _bad_request(request, _messages(error))
        threshold = bands().get(code)
        facts = list(
            kpi_fact_list(user=request.user)
            .filter(store=store, code=code, business_date__range=(period.start, period.end))
            .order_by("business_date")
        )
        days = [(fact, rag(fact.value, threshold, kpi.higher_is_better)) for fact in facts]
        total = selectors.kpi_tiles(user=request.user, period=period, store_ids=[store.pk])
        cell = next(c for c in total if c.kpi.code == code)
        runs = None
        if code in RUN_KINDS:
            runs = list(
                run_list(user=request.user)
                .filter(
                    store=store,
                    kind=RUN_KINDS[code],
                    business_date__range=(period.start, period.end),
                )
                .order_by("-business_date", "due_at")[:RUNS_SHOWN]
            )
        context = {
            "store": store,
            "kpi": kpi,
            "cell": cell,
            "days": days,
            "runs": runs,
            "records": drilldown.records_link(code, store, period),
            "as_of": selectors.data_as_of(user=request.user, store_ids=[store.pk]),
            **_period_context(period),
        }
        return render(request, "dashboards/store_kpi.html", context)


def _panels_context(shown: panels.Panels) -> dict:
    """The KPI panels (cached HTML) and the figures behind them, for the page context."""
    return {
        "panels": shown.html,
        "table": shown.table,
        "tiles": shown.tiles,
        "trends": shown.trends,
        "as_of": shown.as_of,
    }


class RegionDashboardView(ScopedPageMixin, View):
    """A region: KPI tiles, the league table of its stores, daily trends."""

    allowed_roles = REGION_ROLES

    def get(self, request, pk):
        stores = list(selectors.trading_stores(user=request.user, region=pk))
        # A store in scope means its region is in scope for the roles allowed here
        # (regional ops see their regions' stores, chain roles everything): the region
        # comes with its stores, and is read on its own only when it has none.
        if stores:
            region = stores[0].region
        else:
            region = get_object_or_404(Region.objects.visible_to(request.user), pk=pk)
        try:
            period = parse_period(request.GET, selectors.last_day_for(stores))
        except ValidationError as error:
            return _bad_request(request, _messages(error))
        period_context = _period_context(period)
        shown = panels.kpi_panels(
            user=request.user,
            period=period,
            entities=stores,
            group="store",
            store_ids=[s.pk for s in stores],
            zones=[s.time_zone for s in stores],
            # The whole content of the page but the layout around it: it shows nothing of
            # the user but whether the chain's dashboard is theirs (part of the key).
            template="dashboards/_region_page.html",
            context={
                "region_code": region.code,
                "region_name": region.name,
                "chain_link": user_role(request.user) in CHAIN_ROLES,
                "period_query": period_context["period_query"],
                "exports": _export_links(period, region=region.code, group="store"),
            },
            fixed_context={"period": period, "periods": period_context["periods"]},
        )
        context = {"region": region, **_panels_context(shown), **period_context}
        return render(request, "dashboards/region.html", context)


class ChainDashboardView(ScopedPageMixin, View):
    """Head office: chain tiles, the league table of the regions, daily trends."""

    allowed_roles = CHAIN_ROLES

    def get(self, request):
        stores = list(selectors.trading_stores(user=request.user))
        try:
            period = parse_period(request.GET, selectors.last_day_for(stores))
        except ValidationError as error:
            return _bad_request(request, _messages(error))
        regions = list(Region.objects.visible_to(request.user).order_by("code"))
        period_context = _period_context(period)
        shown = panels.kpi_panels(
            user=request.user,
            period=period,
            entities=regions,
            group="region",
            store_ids=[s.pk for s in stores],
            zones=[s.time_zone for s in stores],
            template="dashboards/_chain_panels.html",
            context={
                "period_query": period_context["period_query"],
                "exports": _export_links(period, group="region"),
            },
        )
        context = {**_panels_context(shown), **period_context}
        return render(request, "dashboards/chain.html", context)


class OutOfBandView(ScopedPageMixin, View):
    """Stores in scope whose KPI value over the period is red (or amber), per KPI."""

    def get(self, request):
        all_stores = list(selectors.trading_stores(user=request.user))
        errors = []
        stores = all_stores
        region_code = request.GET.get("region", "")
        store_code = request.GET.get("store", "")
        level = request.GET.get("level", "amber")
        regions = sorted({s.region for s in all_stores}, key=lambda r: r.code)
        if region_code:
            stores = [s for s in stores if s.region.code == region_code]
            if not stores:
                errors.append(_("Unknown region: %(code)s.") % {"code": region_code})
        if store_code:
            stores = [s for s in stores if s.code == store_code]
            if not stores:
                errors.append(_("Unknown store: %(code)s.") % {"code": store_code})
        if level not in ("red", "amber"):
            errors.append(_("Unknown level: choose red or amber."))
        try:
            period = parse_period(request.GET, selectors.last_day_for(all_stores))
        except ValidationError as error:
            errors.extend(_messages(error))
        if errors:
            return _bad_request(request, errors)
        groups = selectors.out_of_band(
            user=request.user, period=period, stores=stores, include_amber=level == "amber"
        )
        groups = [
            (
                group,
                [
                    (store, cell, drilldown.kpi_link(group.kpi.code, store, period))
                    for store, cell in group.rows
                ],
            )
            for group in groups
        ]
        filters = {k: v for k, v in (("region", region_code), ("store", store_code)) if v}
        context = {
            "groups": groups,
            "regions": regions,
            "stores": all_stores,
            "region_code": region_code,
            "store_code": store_code,
            "level": level,
            **_period_context(period, {**filters, "level": level}),
        }
        return render(request, "dashboards/out_of_band.html", context)
