"""Inventory pages: selectors for reads, services for writes, templates/inventory/*."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, ListView

from stores.access import ScopedPageMixin, user_role
from stores.models import Store

from . import selectors, services
from .filters import (
    PurchaseOrderFilterSet,
    StockCountFilterSet,
    StockLevelFilterSet,
    TransferFilterSet,
)
from .forms import CountLineForm, StockCountCreateForm, line_quantities
from .models import Category, StockCount
from .rules import COUNTERS, STOCK_WRITERS, TRANSFER_APPROVERS


def _errors(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [m for messages_ in error.message_dict.values() for m in messages_]
    return error.messages


class FilteredListView(ScopedPageMixin, ListView):
    """A list with its FilterSet; an htmx request gets only the results."""

    filterset_class = None
    results_template = None
    paginate_by = 50

    def get_queryset(self):
        self.filterset = self.filterset_class(
            self.request.GET, queryset=super().get_queryset(), request=self.request
        )
        return self.filterset.qs if self.filterset.is_valid() else self.filterset.queryset.none()

    def get_template_names(self):
        if self.request.htmx and not self.request.htmx.boosted and self.results_template:
            return [self.results_template]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filter"] = self.filterset
        query = self.request.GET.copy()
        query.pop("page", None)
        context["query"] = query.urlencode()
        return context


class StockLevelListView(FilteredListView):
    template_name = "inventory/stocklevel_list.html"
    results_template = "inventory/_stocklevel_results.html"
    selector = staticmethod(selectors.stock_level_list)
    filterset_class = StockLevelFilterSet


class ProductDetailView(ScopedPageMixin, DetailView):
    template_name = "inventory/product_detail.html"
    context_object_name = "product"

    def get_object(self, queryset=None):
        return selectors.product_get(user=self.request.user, pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["levels"] = selectors.stock_level_list(user=user).filter(product=self.object)
        context["movements"] = selectors.stock_movement_list(user=user).filter(product=self.object)[
            :50
        ]
        return context


class PurchaseOrderListView(FilteredListView):
    template_name = "inventory/purchaseorder_list.html"
    results_template = "inventory/_purchaseorder_results.html"
    selector = staticmethod(selectors.purchase_order_list)
    filterset_class = PurchaseOrderFilterSet


class PurchaseOrderDetailView(ScopedPageMixin, DetailView):
    template_name = "inventory/purchaseorder_detail.html"
    context_object_name = "order"

    def get_object(self, queryset=None):
        return selectors.purchase_order_get(user=self.request.user, pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_write"] = user_role(self.request.user) in STOCK_WRITERS
        return context


class ActionView(ScopedPageMixin, View):
    """A POST action on one object: role checked first (403), then scope (404); a refused
    action shows its messages on the object's page."""

    http_method_names = ["post"]
    actions: dict = {}

    def get_target(self):
        raise NotImplementedError

    def post(self, request, pk, action):
        handler = self.actions.get(action)
        if handler is None:
            raise Http404
        target = self.get_target()
        try:
            done = getattr(self, handler)(target)
        except ValidationError as error:
            for message in _errors(error):
                messages.error(request, message)
        else:
            messages.success(request, done)
        return HttpResponseRedirect(self.success_url(target))


class PurchaseOrderActionView(ActionView):
    allowed_roles = STOCK_WRITERS
    actions = {"submit": "submit", "cancel": "cancel", "receive": "receive"}

    def get_target(self):
        return selectors.purchase_order_get(user=self.request.user, pk=self.kwargs["pk"])

    def success_url(self, order):
        return reverse("inventory:purchaseorder_detail", kwargs={"pk": order.pk})

    def submit(self, order):
        services.purchase_order_submit(user=self.request.user, purchase_order=order)
        return _("The order was submitted.")

    def cancel(self, order):
        services.purchase_order_cancel(user=self.request.user, purchase_order=order)
        return _("The order was cancelled.")

    def receive(self, order):
        quantities = line_quantities(self.request.POST)
        if not quantities:
            raise ValidationError(_("Enter at least one received quantity."))
        services.purchase_order_receive(
            user=self.request.user,
            purchase_order=order,
            lines=[{"line": line, "quantity": qty} for line, qty in quantities.items()],
        )
        return _("The delivery was received.")


class TransferListView(FilteredListView):
    template_name = "inventory/transfer_list.html"
    results_template = "inventory/_transfer_results.html"
    selector = staticmethod(selectors.transfer_list)
    filterset_class = TransferFilterSet


class TransferDetailView(ScopedPageMixin, DetailView):
    template_name = "inventory/transfer_detail.html"
    context_object_name = "transfer"

    def get_object(self, queryset=None):
        return selectors.transfer_get(user=self.request.user, pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        role = user_role(self.request.user)
        context["can_write"] = role in STOCK_WRITERS
        context["can_approve"] = role in TRANSFER_APPROVERS
        context["movements"] = selectors.stock_movement_list(user=self.request.user).filter(
            reference=self.object.number
        )
        return context


class TransferActionView(ActionView):
    allowed_roles = STOCK_WRITERS
    actions = {"approve": "approve", "ship": "ship", "receive": "receive", "cancel": "cancel"}

    def get_target(self):
        return selectors.transfer_get(user=self.request.user, pk=self.kwargs["pk"])

    def success_url(self, transfer):
        return reverse("inventory:transfer_detail", kwargs={"pk": transfer.pk})

    def approve(self, transfer):
        services.transfer_approve(user=self.request.user, transfer=transfer)
        return _("The transfer was approved.")

    def ship(self, transfer):
        services.transfer_ship(
            user=self.request.user,
            transfer=transfer,
            quantities=line_quantities(self.request.POST) or None,
        )
        return _("The transfer was shipped.")

    def receive(self, transfer):
        services.transfer_receive(
            user=self.request.user,
            transfer=transfer,
            quantities=line_quantities(self.request.POST) or None,
        )
        return _("The transfer was received.")

    def cancel(self, transfer):
        services.transfer_cancel(user=self.request.user, transfer=transfer)
        return _("The transfer was cancelled.")


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
