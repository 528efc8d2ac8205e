"""Promotions: list, detail, create and edit."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from stores.access import ScopedPageMixin, user_role

from .. import selectors, services
from ..filters import PromotionFilterSet
from ..forms import (
    PromotionForm,
)
from ..rules import PROMOTERS
from .common import _form_errors


class PromotionListView(ScopedPageMixin, View):
    """Promotions reaching a store in your scope, newest first."""

    def get(self, request):
        filterset = PromotionFilterSet(
            request.GET, queryset=selectors.promotion_list(user=request.user), request=request
        )
        promotions = filterset.qs if filterset.is_valid() else filterset.queryset.none()
        page = Paginator(promotions, 25).get_page(request.GET.get("page"))
        return render(
            request,
            "sales/promotion_list.html",
            {
                "page_obj": page,
                "filter": filterset,
                "can_edit": user_role(request.user) in PROMOTERS,
            },
        )


class PromotionDetailView(ScopedPageMixin, View):
    """A promotion (only its stores in your scope) and its uplift against the baseline."""

    def get(self, request, pk):
        promotion = selectors.promotion_get(user=request.user, pk=pk)
        return render(
            request,
            "sales/promotion_detail.html",
            {
                "promotion": promotion,
                "uplift": selectors.promotion_uplift(user=request.user, promotion=promotion),
                "can_edit": user_role(request.user) in PROMOTERS,
            },
        )


class PromotionCreateView(ScopedPageMixin, View):
    allowed_roles = PROMOTERS

    def get(self, request):
        return self.page(request, PromotionForm(user=request.user))

    def post(self, request):
        form = PromotionForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                promotion = services.promotion_create(user=request.user, **form.service_kwargs())
            except ValidationError as error:
                _form_errors(form, error)
            else:
                messages.success(request, _("Promotion saved."))
                return HttpResponseRedirect(reverse("sales:promotion_detail", args=[promotion.pk]))
        return self.page(request, form, status=400)

    def page(self, request, form, status=200, promotion=None):
        return render(
            request,
            "sales/promotion_form.html",
            {"form": form, "promotion": promotion},
            status=status,
        )


class PromotionEditView(PromotionCreateView):
    def get(self, request, pk):
        promotion = selectors.promotion_get(user=request.user, pk=pk)
        form = PromotionForm(
            user=request.user, promotion=promotion, initial=PromotionForm.initial_from(promotion)
        )
        return self.page(request, form, promotion=promotion)

    def post(self, request, pk):
        promotion = selectors.promotion_get(user=request.user, pk=pk)
        form = PromotionForm(request.POST, user=request.user, promotion=promotion)
        if form.is_valid():
            try:
                services.promotion_update(
                    user=request.user, promotion=promotion, **form.service_kwargs()
                )
            except ValidationError as error:
                _form_errors(form, error)
            else:
                messages.success(request, _("Promotion saved."))
                return HttpResponseRedirect(reverse("sales:promotion_detail", args=[promotion.pk]))
        return self.page(request, form, status=400, promotion=promotion)
