"""Monthly targets: setting, locking and splitting them over regions, stores and days."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView

from stores.access import ScopedPageMixin, user_role
from stores.models import Region

from .. import selectors, services
from ..forms import (
    MonthTargetForm,
    amounts_from_post,
)
from ..models import MonthTarget, StoreTarget
from ..rules import TARGET_ADJUSTERS, TARGET_SETTERS
from .common import _errors, _month


class TargetView(ScopedPageMixin, View):
    """Head office: the chain's month target and its regions; regional ops: their regions'
    stores; everyone: the targets of the stores they see."""

    def get(self, request):
        month = _month(request)
        return render(request, "sales/targets.html", self.context(request, month))

    @staticmethod
    def context(request, month, form=None, errors=None):
        user = request.user
        target = selectors.month_target_list(user=user).filter(month=month).first()
        role = user_role(user)
        regions, stores = [], []
        if target is not None:
            regions = list(selectors.region_target_list(user=user).filter(month_target=target))
            stores = list(selectors.store_target_list(user=user).filter(month_target=target))
        by_region = {}
        for store_target in stores:
            by_region.setdefault(store_target.store.region_id, []).append(store_target)
        region_rows = [(rt, by_region.get(rt.region_id, [])) for rt in regions]
        return {
            "month": month,
            "previous": (month - datetime.timedelta(days=1)).replace(day=1),
            "next": (month + datetime.timedelta(days=32)).replace(day=1),
            "target": target,
            "region_rows": region_rows,
            "can_set": role in TARGET_SETTERS,
            "can_adjust": role in TARGET_ADJUSTERS,
            "form": form
            or MonthTargetForm(
                initial={
                    "month": month,
                    "amount": target.amount if target else None,
                    "method": target.method if target else "last_year",
                }
            ),
            "errors": errors or [],
        }


class TargetSetView(ScopedPageMixin, View):
    allowed_roles = TARGET_SETTERS

    def post(self, request):
        form = MonthTargetForm(request.POST)
        month = timezone.localdate().replace(day=1)
        if form.is_valid():
            month = form.cleaned_data["month"].replace(day=1)
            try:
                services.month_target_set(
                    user=request.user,
                    month=form.cleaned_data["month"],
                    amount=form.cleaned_data["amount"],
                    method=form.cleaned_data["method"],
                )
            except ValidationError as error:
                context = TargetView.context(request, month, form, _errors(error))
                return render(request, "sales/targets.html", context, status=400)
            messages.success(request, _("The month's target is set and split."))
            return HttpResponseRedirect(f"{reverse('sales:targets')}?month={month:%Y-%m}")
        context = TargetView.context(request, month, form)
        return render(request, "sales/targets.html", context, status=400)


class _TargetChange(ScopedPageMixin, View):
    def target(self, request, pk) -> MonthTarget:
        return get_object_or_404(selectors.month_target_list(user=request.user), pk=pk)

    def done(self, request, target, call):
        try:
            call()
        except ValidationError as error:
            context = TargetView.context(request, target.month, errors=_errors(error))
            return render(request, "sales/targets.html", context, status=400)
        messages.success(request, _("Targets saved."))
        return HttpResponseRedirect(f"{reverse('sales:targets')}?month={target.month:%Y-%m}")


class TargetLockView(_TargetChange):
    allowed_roles = TARGET_SETTERS

    def post(self, request, pk):
        target = self.target(request, pk)
        locked = request.POST.get("locked", "1") != "0"
        return self.done(
            request,
            target,
            lambda: services.month_target_lock(user=request.user, target=target, locked=locked),
        )


class TargetRegionsView(_TargetChange):
    allowed_roles = TARGET_SETTERS

    def post(self, request, pk):
        target = self.target(request, pk)
        amounts = amounts_from_post(request.POST, "region")
        if not amounts:
            return self.done(request, target, _missing_amounts)
        return self.done(
            request,
            target,
            lambda: services.region_targets_adjust(
                user=request.user, target=target, amounts=amounts
            ),
        )


class TargetStoresView(_TargetChange):
    allowed_roles = TARGET_ADJUSTERS

    def post(self, request, pk, region):
        target = self.target(request, pk)
        region = get_object_or_404(Region.objects.visible_to(request.user), pk=region)
        amounts = amounts_from_post(request.POST, "store")
        if not amounts:
            return self.done(request, target, _missing_amounts)
        return self.done(
            request,
            target,
            lambda: services.store_targets_adjust(
                user=request.user, target=target, region=region, amounts=amounts
            ),
        )


def _missing_amounts():
    raise ValidationError(_("Enter the new amounts."))


class StoreTargetDaysView(ScopedPageMixin, DetailView):
    """One store's month target split over its days, with each day's sales."""

    template_name = "sales/store_target_days.html"
    context_object_name = "store_target"

    def get_object(self, queryset=None) -> StoreTarget:
        return get_object_or_404(
            selectors.store_target_list(user=self.request.user), pk=self.kwargs["pk"]
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        st = self.object
        days = list(st.days.order_by("date"))
        sales = dict(
            selectors.daily_sales_list(user=self.request.user)
            .filter(store=st.store, business_date__gte=st.month_target.month)
            .filter(business_date__lte=days[-1].date if days else st.month_target.month)
            .values_list("business_date", "net_sales")
        )
        context["rows"] = [(d, sales.get(d.date)) for d in days]
        return context
