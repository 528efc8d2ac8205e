"""POS imports: upload, preview, start, progress and their error files."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views import View

from stores.access import ScopedPageMixin

from .. import selectors, services
from ..filters import ImportBatchFilterSet
from ..forms import (
    MappingForm,
    UploadForm,
)
from ..rules import IMPORTERS
from ..services.imports import FIELDS, ImportRejected
from .common import _csv_download, _errors, _file_download


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
