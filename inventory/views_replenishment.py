"""Replenishment pages: a store's suggestions grouped by supplier, "create purchase
orders" in one action, and transfer requests from stores of the same region.

Reads: ``selectors.replenishment_rule_list`` + ``services.replenishment.suggestion_lines``;
writes: ``services.replenishment_orders_create`` / ``replenishment_transfer_request``.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from stores.access import ScopedPageMixin
from stores.models import Store

from . import selectors
from .forms import line_quantities
from .rules import STOCK_WRITERS
from .services import replenishment as replen
from .services.transfers import transfer_counterpart_stores

QTY_PREFIX = "qty-"
TRANSFER_PREFIX = "tqty-"


def _scoped_store(request, pk) -> Store:
    return get_object_or_404(Store.objects.visible_to(request.user).select_related("region"), pk=pk)


def _qty(value) -> str:
    """A quantity as typed in a field: no trailing zeros, no exponent."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _messages(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [m for messages in error.message_dict.values() for m in messages]
    return error.messages


class ReplenishmentIndexView(ScopedPageMixin, View):
    """The stores in scope, each linking to its suggestions."""

    allowed_roles = STOCK_WRITERS

    def get(self, request):
        stores = list(
            Store.objects.visible_to(request.user)
            .filter(status__in=replen.ACTIVE_STORE_STATUSES)
            .select_related("region")
            .order_by("region__code", "code")
        )
        return render(request, "inventory/replenishment_index.html", {"stores": stores})


class ReplenishmentStoreView(ScopedPageMixin, View):
    """GET: the suggestions. POST (``action`` = orders): create the purchase orders."""

    allowed_roles = STOCK_WRITERS

    def get(self, request, pk):
        store = _scoped_store(request, pk)
        created = request.GET.get("created")
        batch = (
            selectors.replenishment_batch_get(user=request.user, store_id=store.pk, key=created)
            if created
            else None
        )
        return self._page(request, store, batch=batch)

    def _page(self, request, store, *, batch=None, entered=None, errors=None, status=200):
        rules = list(selectors.replenishment_rule_list(user=request.user).filter(store=store))
        lines = replen.suggestion_lines(rules)
        errors = errors or {}
        entered = entered or {}
        transfer_entered = errors.get("transfer_entered", {})
        line_errors = errors.get("lines", {})
        for line in lines:
            pk = str(line.rule.product_id)
            # After a refused submit the fields show what was typed (blank = left out).
            line.value = entered.get(pk, "" if entered else _qty(line.suggested))
            if line.transfer is not None:
                line.transfer_value = transfer_entered.get(
                    pk, "" if transfer_entered else _qty(line.transfer.quantity)
                )
            line.error = line_errors.get(pk, "")
        context = {
            "store": store,
            "groups": replen.group_by_supplier(lines),
            "transfer_groups": replen.group_by_transfer_source(lines),
            "line_count": len(lines),
            "batch": batch,
            "key": replen.new_key(),
            "order_errors": errors.get("orders", []),
            "transfer_errors": errors.get("transfers", []),
        }
        return render(request, "inventory/replenishment_store.html", context, status=status)


class ReplenishmentOrdersView(ReplenishmentStoreView):
    """Create one draft purchase order per supplier; back to the page with the orders."""

    http_method_names = ["post"]

    def post(self, request, pk):
        store = _scoped_store(request, pk)
        entered = line_quantities(request.POST, prefix=QTY_PREFIX)
        try:
            result = replen.replenishment_orders_create(
                user=request.user,
                store=store,
                lines=[{"product": p, "quantity": q} for p, q in entered.items()],
                key=request.POST.get("key"),
            )
        except ValidationError as error:
            errors = {
                "lines": getattr(error, "by_product", {}),
                "orders": _messages(error),
            }
            return self._page(request, store, entered=entered, errors=errors, status=400)
        url = reverse("inventory:replenishment_store", kwargs={"pk": store.pk})
        return HttpResponseRedirect(f"{url}?created={result.batch.key}#created")


class ReplenishmentTransferView(ReplenishmentStoreView):
    """Request a transfer from one store of the region (the ``source`` field)."""

    http_method_names = ["post"]

    def post(self, request, pk):
        store = _scoped_store(request, pk)
        entered = line_quantities(request.POST, prefix=TRANSFER_PREFIX)
        source = (
            transfer_counterpart_stores(request.user).filter(pk=request.POST["source"]).first()
            if request.POST.get("source", "").isdigit()
            else None
        )
        try:
            if source is None:
                raise ValidationError(
                    {"source_store": _("Choose the store to take the stock from.")}
                )
            result = replen.replenishment_transfer_request(
                user=request.user,
                store=store,
                source_store=source,
                lines=[{"product": p, "quantity": q} for p, q in entered.items()],
                key=request.POST.get("key"),
            )
        except ValidationError as error:
            errors = {"transfers": _messages(error), "transfer_entered": entered}
            return self._page(request, store, errors=errors, status=400)
        url = reverse("inventory:replenishment_store", kwargs={"pk": store.pk})
        return HttpResponseRedirect(f"{url}?created={result.batch.key}#created")
