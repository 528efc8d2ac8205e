"""Write-offs and the line forms of new purchase orders and transfers."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from opsdesk.platform.roles import Role
from stores.access import OutOfScope, ScopedPageMixin, user_role
from stores.models import Store

from .. import selectors, services
from ..forms import (
    PurchaseOrderCreateForm,
    TransferCreateForm,
    WriteOffForm,
    check_lines,
    lines_from_post,
)
from ..models import WRITE_OFF_KINDS, Supplier
from ..rules import STOCK_WRITERS
from ..services.transfers import transfer_counterpart_stores
from ..services.writeoffs import WRITE_OFF_REFERENCE
from .common import _form_errors, _writable_stores


class WriteOffView(ScopedPageMixin, View):
    """Record a write-off (damaged, expired, stolen…): one movement through the ledger."""

    allowed_roles = STOCK_WRITERS
    template_name = "inventory/writeoff.html"

    def form(self, request, data=None):
        initial = {}
        store = request.GET.get("store")
        if store and store.isdigit():
            initial["store"] = int(store)
        if request.GET.get("product"):
            initial["product"] = request.GET["product"][:64]
        return WriteOffForm(
            data,
            stores=_writable_stores(request.user),
            reasons=services.WriteOffReason.choices,
            initial=initial,
        )

    def page(self, request, form, status=200):
        recent = selectors.stock_movement_list(user=request.user).filter(
            kind__in=WRITE_OFF_KINDS, reference=WRITE_OFF_REFERENCE
        )[:10]
        return render(request, self.template_name, {"form": form, "recent": recent}, status=status)

    def get(self, request):
        return self.page(request, self.form(request))

    def post(self, request):
        form = self.form(request, request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                movement = services.stock_write_off_post(
                    user=request.user,
                    store=data["store"],
                    product=data["product"],
                    quantity=data["quantity"],
                    reason=data["reason"],
                    note=data["note"],
                )
            except ValidationError as error:
                _form_errors(form, error)
            else:
                messages.success(
                    request,
                    _("%(quantity)s × %(sku)s written off at %(store)s: %(on_hand)s left on hand.")
                    % {
                        "quantity": f"{-movement.quantity.normalize():f}",
                        "sku": data["product"].sku,
                        "store": data["store"].code,
                        "on_hand": f"{movement.on_hand_after.normalize():f}",
                    },
                )
                return HttpResponseRedirect(
                    f"{reverse('inventory:writeoff_create')}?store={data['store'].pk}"
                )
        return self.page(request, form, status=400)


class LineRowView(ScopedPageMixin, View):
    """One empty line row (htmx "add a line" on the new order and transfer pages)."""

    allowed_roles = STOCK_WRITERS

    def get(self, request):
        return render(request, "inventory/_line_row.html", {"line": {}})


class _LinesCreateView(ScopedPageMixin, View):
    """A document with lines: the header form, then line rows added/removed with htmx.
    Bad input re-renders the page with per-field and per-line messages (nothing made)."""

    allowed_roles = STOCK_WRITERS
    template_name = ""

    def form(self, request, data=None):
        raise NotImplementedError

    def create(self, request, form, lines):
        raise NotImplementedError

    def page(self, request, form, lines, errors=(), status=200):
        return render(
            request,
            self.template_name,
            {"form": form, "lines": lines or [{}, {}], "errors": errors},
            status=status,
        )

    def get(self, request):
        return self.page(request, self.form(request), [])

    def post(self, request):
        form = self.form(request, request.POST)
        lines = check_lines(lines_from_post(request.POST))
        errors = []
        if not lines:
            errors.append(_("Enter at least one line."))
        line_errors = any(line["errors"] for line in lines)
        if form.is_valid() and lines and not line_errors:
            try:
                document = self.create(request, form, lines)
            except ValidationError as error:
                if hasattr(error, "error_dict"):
                    errors += error.message_dict.pop("lines", [])
                    _form_errors(form, ValidationError(error.message_dict))
                else:
                    errors += error.messages
            else:
                return HttpResponseRedirect(self.success_url(document))
        return self.page(request, form, lines, errors, status=400)


class PurchaseOrderCreateView(_LinesCreateView):
    template_name = "inventory/purchaseorder_form.html"

    def form(self, request, data=None):
        return PurchaseOrderCreateForm(
            data,
            stores=_writable_stores(request.user).exclude(status=Store.Status.PLANNED),
            suppliers=Supplier.objects.visible_to(request.user).filter(active=True),
        )

    def create(self, request, form, lines):
        data = form.cleaned_data
        order = services.purchase_order_create(
            user=request.user,
            store=data["store"],
            supplier=data["supplier"],
            lines=[{"product": line["product"], "quantity": line["quantity"]} for line in lines],
            note=data["note"],
            expected_date=data["expected_date"],
        )
        messages.success(
            request,
            _("Purchase order %(number)s was created as a draft.") % {"number": order.number},
        )
        return order

    def success_url(self, order):
        return reverse("inventory:purchaseorder_detail", kwargs={"pk": order.pk})


class TransferCreateView(_LinesCreateView):
    template_name = "inventory/transfer_form.html"

    def form(self, request, data=None):
        stores = transfer_counterpart_stores(request.user).order_by("code")
        initial = {}
        own = _writable_stores(request.user)
        if user_role(request.user) == Role.STORE_MANAGER and own.count() == 1:
            initial["destination_store"] = own.first()
        return TransferCreateForm(data, stores=stores, initial=initial)

    def create(self, request, form, lines):
        data = form.cleaned_data
        try:
            transfer = services.transfer_request(
                user=request.user,
                source_store=data["source_store"],
                destination_store=data["destination_store"],
                lines=[
                    {"product": line["product"], "quantity": line["quantity"]} for line in lines
                ],
                note=data["note"],
            )
        except OutOfScope:
            raise ValidationError(
                _("A transfer you request must come from or go to one of your stores.")
            ) from None
        messages.success(
            request, _("Transfer %(number)s was requested.") % {"number": transfer.number}
        )
        return transfer

    def success_url(self, transfer):
        return reverse("inventory:transfer_detail", kwargs={"pk": transfer.pk})
