"""Attainment, a store's day, footfall and receipts."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView

from stores.access import ScopedPageMixin, user_role
from stores.models import Store

from .. import selectors, services
from ..filters import AttainmentFilterSet
from ..forms import (
    FootfallForm,
)
from ..models import Receipt
from ..rules import FOOTFALL_RECORDERS
from .common import _date, _errors


class AttainmentView(ScopedPageMixin, View):
    """Stores in scope: MTD sales, MTD target, attainment and pacing; region roll-ups."""

    def get(self, request):
        date = _date(request, timezone.localdate())
        groups = selectors.attainment_by_region(user=request.user, date=date)
        filterset = AttainmentFilterSet(request.GET, request=request)
        if filterset.is_valid() and filterset.form.cleaned_data.get("region"):
            groups = [g for g in groups if g.region == filterset.form.cleaned_data["region"]]
        total = selectors.Attainment.total([g.figures for g in groups], date)
        return render(
            request,
            "sales/attainment.html",
            {"groups": groups, "date": date, "total": total, "filter": filterset},
        )


class StoreDayView(ScopedPageMixin, View):
    """A store's sales day: totals, the day's target, MTD attainment, the receipts."""

    def get(self, request, pk):
        store = get_object_or_404(Store.objects.visible_to(request.user), pk=pk)
        return self.page(request, store, _date(request, store.business_date()))

    @staticmethod
    def page(request, store, date, footfall_form=None, status=200):
        day = selectors.store_day(user=request.user, store_pk=store.pk, date=date)
        receipts = selectors.receipt_list(user=request.user).filter(store=store, business_date=date)
        page = Paginator(receipts, 50).get_page(request.GET.get("page"))
        can_record = user_role(request.user) in FOOTFALL_RECORDERS
        if can_record and footfall_form is None:
            footfall_form = FootfallForm(
                initial={"date": date, "footfall": day.daily.footfall if day.daily else None}
            )
        return render(
            request,
            "sales/store_day.html",
            {
                "day": day,
                "store": day.store,
                "page_obj": page,
                "previous": date - datetime.timedelta(days=1),
                "next": date + datetime.timedelta(days=1),
                "footfall_form": footfall_form if can_record else None,
            },
            status=status,
        )


class FootfallRecordView(ScopedPageMixin, View):
    """POST a day's footfall from the store's sales day."""

    allowed_roles = FOOTFALL_RECORDERS

    def post(self, request, pk):
        store = get_object_or_404(Store.objects.visible_to(request.user), pk=pk)
        form = FootfallForm(request.POST)
        if form.is_valid():
            date = form.cleaned_data["date"]
            try:
                services.daily_footfall_record(
                    user=request.user,
                    store=store,
                    business_date=date,
                    footfall=form.cleaned_data["footfall"],
                )
            except ValidationError as error:
                for message in _errors(error):
                    form.add_error(None, message)
            else:
                messages.success(request, _("Footfall saved."))
                url = reverse("sales:store_day", args=[store.pk])
                return HttpResponseRedirect(f"{url}?date={date:%Y-%m-%d}")
        date = form.cleaned_data.get("date") if hasattr(form, "cleaned_data") else None
        return StoreDayView().page(request, store, date or store.business_date(), form, 400)


class ReceiptDetailView(ScopedPageMixin, DetailView):
    template_name = "sales/receipt_detail.html"
    context_object_name = "receipt"

    def get_object(self, queryset=None) -> Receipt:
        return selectors.receipt_get(user=self.request.user, pk=self.kwargs["pk"])
