"""Stock counts: list, start, count sheet, lines and actions."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView

from stores.access import ScopedPageMixin, user_role
from stores.models import Store

from .. import selectors, services
from ..filters import (
    StockCountFilterSet,
)
from ..forms import (
    CountLineForm,
    StockCountCreateForm,
)
from ..models import Category, StockCount
from ..rules import COUNTERS, STOCK_WRITERS
from .common import ActionView, FilteredListView, _errors


class StockCountListView(FilteredListView):
    template_name = "inventory/stockcount_list.html"
    results_template = "inventory/_stockcount_results.html"
    selector = staticmethod(selectors.stock_count_list)
    filterset_class = StockCountFilterSet

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if user_role(self.request.user) in STOCK_WRITERS:
            context["create_form"] = _count_form(self.request)
        return context


def _count_form(request, data=None):
    return StockCountCreateForm(
        data,
        prefix="new",
        stores=Store.objects.visible_to(request.user).exclude(status=Store.Status.PLANNED),
        categories=Category.objects.visible_to(request.user),
    )


class StockCountCreateView(ScopedPageMixin, View):
    allowed_roles = STOCK_WRITERS
    http_method_names = ["post"]

    def post(self, request):
        form = _count_form(request, request.POST)
        if not form.is_valid():
            for field, errors in form.errors.items():
                for error in errors:
                    messages.error(request, f"{form.fields[field].label}: {error}")
            return HttpResponseRedirect(reverse("inventory:stockcount_list"))
        try:
            count = services.stock_count_create(
                user=request.user,
                store=form.cleaned_data["store"],
                category=form.cleaned_data["category"],
                blind=form.cleaned_data["blind"],
            )
        except ValidationError as error:
            for message in _errors(error):
                messages.error(request, message)
            return HttpResponseRedirect(reverse("inventory:stockcount_list"))
        return HttpResponseRedirect(reverse("inventory:stockcount_detail", kwargs={"pk": count.pk}))


class StockCountDetailView(ScopedPageMixin, DetailView):
    template_name = "inventory/stockcount_detail.html"
    context_object_name = "count"

    def get_object(self, queryset=None):
        return selectors.stock_count_get(user=self.request.user, pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        count = self.object
        role = user_role(self.request.user)
        context["can_count"] = role in COUNTERS and count.status in StockCount.COUNTING
        context["can_approve"] = role in STOCK_WRITERS and count.status in (
            StockCount.Status.SUBMITTED,
            StockCount.Status.APPROVED,
        )
        lines = list(count.lines.all())
        context["lines"] = lines
        context["variance_value"] = sum(
            (abs(line.variance_value) for line in lines if line.variance_value is not None), 0
        )
        return context


class StockCountLineView(ScopedPageMixin, View):
    """Save one counted line (htmx: answers the line's row; otherwise back to the count)."""

    allowed_roles = COUNTERS
    http_method_names = ["post"]

    def post(self, request, pk):
        line = selectors.stock_count_line_get(user=request.user, pk=pk)
        form = CountLineForm(request.POST)
        error = None
        if form.is_valid():
            try:
                line = services.stock_count_line_set(
                    user=request.user, line=line, quantity=form.cleaned_data["quantity"]
                )
            except ValidationError as refused:
                error = " ".join(_errors(refused))
        else:
            error = " ".join(e for errors in form.errors.values() for e in errors)
        if request.htmx:
            line.refresh_from_db()
            return render(
                request,
                "inventory/_count_line.html",
                {"line": line, "count": line.count, "can_count": True, "error": error},
                status=200 if error is None else 422,
            )
        if error:
            messages.error(request, error)
        return HttpResponseRedirect(
            reverse("inventory:stockcount_detail", kwargs={"pk": line.count_id})
        )


class StockCountActionView(ActionView):
    allowed_roles = COUNTERS
    actions = {"submit": "submit", "approve": "approve", "cancel": "cancel"}

    def get_target(self):
        return get_object_or_404(
            StockCount.objects.visible_to(self.request.user), pk=self.kwargs["pk"]
        )

    def success_url(self, count):
        return reverse("inventory:stockcount_detail", kwargs={"pk": count.pk})

    def submit(self, count):
        count = services.stock_count_submit(user=self.request.user, count=count)
        if count.status == StockCount.Status.RECOUNT:
            return _("Some lines are far from the expected quantity: please count them again.")
        return _("The count was submitted.")

    def approve(self, count):
        """Approve and post in one step (the page's button)."""
        count = services.stock_count_approve(user=self.request.user, count=count)
        services.stock_count_post(user=self.request.user, count=count)
        return _("The count was approved and posted.")

    def cancel(self, count):
        services.stock_count_cancel(user=self.request.user, count=count)
        return _("The count was cancelled.")
