"""Inventory pages: selectors for reads, services for writes, templates/inventory/*."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import DetailView, ListView

from opsdesk.platform.imports import ImportRejected, error_report_csv
from opsdesk.platform.roles import Role
from stores.access import OutOfScope, ScopedPageMixin, user_role
from stores.models import Store

from . import selectors, services
from .filters import (
    PurchaseOrderFilterSet,
    StockCountFilterSet,
    StockLevelFilterSet,
    TransferFilterSet,
)
from .forms import (
    CountLineForm,
    ImportUploadForm,
    PurchaseOrderCreateForm,
    StockCountCreateForm,
    TransferCreateForm,
    WriteOffForm,
    check_lines,
    line_quantities,
    lines_from_post,
)
from .models import WRITE_OFF_KINDS, Category, StockCount, Supplier
from .rules import CATALOGUE_WRITERS, COUNTERS, STOCK_WRITERS, TRANSFER_APPROVERS
from .services import imports as import_services
from .services.transfers import transfer_counterpart_stores
from .services.writeoffs import WRITE_OFF_REFERENCE


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


# --- CSV imports: the catalogue (head office) and opening stock ----------------------


class _ImportView(ScopedPageMixin, View):
    """Upload a CSV file: nothing is written unless every row is good; the row errors
    are shown on the page and kept in the session for the CSV download."""

    kind = ""
    title = ""
    template_name = "inventory/import.html"
    required: tuple = ()
    optional: tuple = ()
    errors_url_name = ""

    def service(self, request, upload):
        raise NotImplementedError

    def render_page(self, request, form, result=None, status=200):
        errors = result.errors if result is not None else []
        return render(
            request,
            self.template_name,
            {
                "form": form,
                "kind": self.kind,
                "title": self.title,
                "required": self.required,
                "optional": self.optional,
                "result": result,
                "errors": errors[:ERRORS_SHOWN],
                "error_count": len(errors),
                "errors_url": reverse(self.errors_url_name),
                "max_bytes": import_services.max_bytes(),
            },
            status=status,
        )

    def get(self, request):
        return self.render_page(request, ImportUploadForm())

    def post(self, request):
        form = ImportUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_page(request, form, status=400)
        upload = form.cleaned_data["file"]
        try:
            result = self.service(request, upload)
        except ImportRejected as error:
            for message in error.messages:
                form.add_error("file", message)
            return self.render_page(request, form, status=400)
        if result.errors:
            request.session[_session_key(self.kind)] = [
                e.as_dict() for e in result.errors[:ERRORS_KEPT]
            ]
            return self.render_page(request, ImportUploadForm(), result=result, status=400)
        request.session.pop(_session_key(self.kind), None)
        messages.success(
            request,
            _(
                "%(name)s: %(rows)s rows read; %(created)s created, %(updated)s updated, "
                "%(unchanged)s unchanged."
            )
            % {
                "name": upload.name,
                "rows": result.rows,
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
            },
        )
        return HttpResponseRedirect(request.path)


ERRORS_SHOWN = 200
ERRORS_KEPT = 10_000


def _session_key(kind: str) -> str:
    return f"inventory-import-errors-{kind}"


class CatalogueImportView(_ImportView):
    allowed_roles = CATALOGUE_WRITERS
    kind = "catalogue"
    title = gettext_lazy("Import the catalogue")
    required = import_services.CATALOGUE_REQUIRED
    optional = import_services.CATALOGUE_OPTIONAL
    errors_url_name = "inventory:catalogue_import_errors"

    def service(self, request, upload):
        return services.catalogue_import(user=request.user, upload=upload)


class OpeningStockImportView(_ImportView):
    allowed_roles = import_services.OPENING_STOCK_IMPORTERS
    kind = "opening"
    title = gettext_lazy("Import opening stock")
    required = import_services.OPENING_REQUIRED
    optional = import_services.OPENING_OPTIONAL
    errors_url_name = "inventory:opening_import_errors"

    def service(self, request, upload):
        return services.opening_stock_import(
            user=request.user, upload=upload, file_name=upload.name
        )


class _ImportErrorsView(ScopedPageMixin, View):
    """The last refused file's row-by-row report (row, column, message) as CSV."""

    kind = ""

    def get(self, request):
        errors = request.session.get(_session_key(self.kind), [])
        response = HttpResponse(error_report_csv(errors), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{self.kind}-import-errors.csv"'
        return response


class CatalogueImportErrorsView(_ImportErrorsView):
    allowed_roles = CATALOGUE_WRITERS
    kind = "catalogue"


class OpeningImportErrorsView(_ImportErrorsView):
    allowed_roles = import_services.OPENING_STOCK_IMPORTERS
    kind = "opening"


# --- Write-offs --------------------------------------------------------------------


def _writable_stores(user):
    return Store.objects.visible_to(user).exclude(status=Store.Status.CLOSED).order_by("code")


def _form_errors(form, error: ValidationError) -> None:
    """A service's refusal shown on the form: beside the field it names, else on top."""
    if hasattr(error, "error_dict"):
        for field, field_errors in error.message_dict.items():
            target = field if field in form.fields else None
            for message in field_errors:
                form.add_error(target, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


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


# --- New purchase orders and transfers -------------------------------------------


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
