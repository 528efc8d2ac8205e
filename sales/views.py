"""Sales pages: selectors for reads, services for writes, templates/sales/*."""

from __future__ import annotations

import csv
import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView

from opsdesk.formulas import escape_row
from stores.access import ScopedPageMixin, user_role
from stores.models import Region, Store

from . import selectors, services
from .filters import AttainmentFilterSet, ImportBatchFilterSet, PromotionFilterSet
from .forms import (
    FootfallForm,
    MappingForm,
    MonthTargetForm,
    PromotionForm,
    UploadForm,
    amounts_from_post,
)
from .models import MonthTarget, Receipt, StoreTarget
from .rules import FOOTFALL_RECORDERS, IMPORTERS, PROMOTERS, TARGET_ADJUSTERS, TARGET_SETTERS
from .services.imports import FIELDS, ImportRejected


def _errors(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [m for values in error.message_dict.values() for m in values]
    return error.messages


def _date(request, default: datetime.date) -> datetime.date:
    try:
        return datetime.date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        return default


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


# --- Targets -----------------------------------------------------------------------


def _month(request) -> datetime.date:
    raw = request.GET.get("month", "")
    try:
        return datetime.date.fromisoformat(raw + "-01" if len(raw) == 7 else raw).replace(day=1)
    except ValueError:
        return timezone.localdate().replace(day=1)


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


# --- Imports -----------------------------------------------------------------------


class ImportListView(ScopedPageMixin, View):
    """Upload a POS file; your recent imports (head office: all)."""

    allowed_roles = IMPORTERS

    def get(self, request, form=None, status=200):
        filterset = ImportBatchFilterSet(
            request.GET, queryset=selectors.import_batch_list(user=request.user), request=request
        )
        batches = filterset.qs if filterset.is_valid() else filterset.queryset.none()
        page = Paginator(batches, 25).get_page(request.GET.get("page"))
        return render(
            request,
            "sales/import_list.html",
            {"form": form or UploadForm(), "page_obj": page, "filter": filterset},
            status=status,
        )


class ImportUploadView(ScopedPageMixin, View):
    allowed_roles = IMPORTERS

    def post(self, request):
        form = UploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return ImportListView.get(self, request, form=form, status=400)
        try:
            batch = services.import_batch_create(
                user=request.user,
                upload=form.cleaned_data["file"],
                source=form.cleaned_data["source"],
                encoding=form.cleaned_data["encoding"],
                mode=form.cleaned_data["mode"],
            )
        except ValidationError as error:
            for message in _errors(error):
                form.add_error(None, message)
            return ImportListView.get(self, request, form=form, status=400)
        return HttpResponseRedirect(reverse("sales:import_detail", args=[batch.pk]))


class _BatchView(ScopedPageMixin, View):
    allowed_roles = IMPORTERS

    def batch(self, request, pk):
        return selectors.import_batch_get(user=request.user, pk=pk)


def _preview(batch):
    """(header, rows, error message) of an uploaded batch's first rows."""
    if not batch.file:
        return [], [], ""
    try:
        header, rows = services.file_preview(batch.file.open, encoding=batch.encoding)
    except ImportRejected as error:
        return [], [], " ".join(error.messages)
    return header, rows, ""


class ImportDetailView(_BatchView):
    """Preview and mapping before the import; progress and results after."""

    def get(self, request, pk, form=None, errors=(), status=200):
        batch = self.batch(request, pk)
        header, rows, preview_error = ([], [], "")
        if batch.status == batch.Status.UPLOADED:
            header, rows, preview_error = _preview(batch)
            if form is None:
                lower = {h.lower(): h for h in header}
                initial = {"mode": batch.mode}
                for name in FIELDS:
                    wanted = (batch.column_mapping.get(name) or name).lower()
                    initial[f"col_{name}"] = lower.get(wanted, "")
                form = MappingForm(header=header, initial=initial)
        done, total = services.batch_progress(batch)
        return render(
            request,
            "sales/import_detail.html",
            {
                "batch": batch,
                "header": header,
                "rows": rows,
                "preview_error": preview_error,
                "form": form,
                "errors": errors,
                "done": done,
                "total": total,
            },
            status=status,
        )


class ImportStartView(_BatchView):
    def post(self, request, pk):
        batch = self.batch(request, pk)
        header, _rows, preview_error = _preview(batch)
        form = MappingForm(request.POST, header=header)
        if preview_error or not form.is_valid():
            errors = [preview_error] if preview_error else []
            return ImportDetailView.get(self, request, pk, form=form, errors=errors, status=400)
        try:
            services.import_batch_start(
                user=request.user,
                batch=batch,
                mapping=form.mapping(),
                mode=form.cleaned_data["mode"],
                remember_mapping=form.cleaned_data["remember"],
            )
        except ValidationError as error:
            return ImportDetailView.get(
                self, request, pk, form=form, errors=_errors(error), status=400
            )
        return HttpResponseRedirect(reverse("sales:import_detail", args=[batch.pk]))


class ImportProgressView(_BatchView):
    """The progress bar, polled by htmx while the batch runs."""

    def get(self, request, pk):
        batch = self.batch(request, pk)
        done, total = services.batch_progress(batch)
        response = render(
            request, "sales/_import_progress.html", {"batch": batch, "done": done, "total": total}
        )
        if not batch.is_active and request.htmx:
            # Finished: reload the page to show the results.
            response["HX-Refresh"] = "true"
        return response


def _csv_download(filename: str, header: list[str], rows) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(escape_row(header))
    writer.writerows(escape_row(row) for row in rows)
    return response


def _file_download(field, filename: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    with field.open("rb") as source:
        for chunk in source.chunks():
            response.write(chunk)
    return response


class ImportErrorsView(_BatchView):
    """The row-by-row error report (row, column, message) as CSV."""

    def get(self, request, pk):
        batch = self.batch(request, pk)
        name = f"import-{batch.pk}-errors.csv"
        if batch.error_file:
            return _file_download(batch.error_file, name)
        rows = [[e.get("row"), e.get("column"), e.get("message")] for e in batch.errors]
        return _csv_download(name, ["row", "column", "message"], rows)


class ImportRejectedView(_BatchView):
    """Good-rows mode: the rows left out, as they were, with an ``errors`` column."""

    def get(self, request, pk):
        batch = self.batch(request, pk)
        name = f"import-{batch.pk}-rejected.csv"
        if batch.rejected_file:
            return _file_download(batch.rejected_file, name)
        return _csv_download(name, [*FIELDS, "errors"], [])


# --- Promotions --------------------------------------------------------------------


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


def _form_errors(form, error: ValidationError) -> None:
    """A service's errors onto the form: per field where the form has it."""
    mapping = {"store_ids": "stores", "product_ids": "products"}
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, messages_ in error.message_dict.items():
        field = mapping.get(field, field)
        form.add_error(field if field in form.fields else None, messages_)
