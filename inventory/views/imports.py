"""Catalogue and opening-stock imports and their error files."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from opsdesk.platform.imports import ImportRejected, error_report_csv
from stores.access import ScopedPageMixin

from .. import services
from ..forms import (
    ImportUploadForm,
)
from ..rules import CATALOGUE_WRITERS
from ..services import imports as import_services


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
