"""Stock levels, products, purchase orders and transfers: lists, details and actions."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import DetailView

from stores.access import ScopedPageMixin, user_role

from .. import selectors, services
from ..filters import (
    PurchaseOrderFilterSet,
    StockLevelFilterSet,
    TransferFilterSet,
)
from ..forms import (
    line_quantities,
)
from ..rules import STOCK_WRITERS, TRANSFER_APPROVERS
from .common import ActionView, FilteredListView


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
