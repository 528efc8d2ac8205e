"""Report pages: the export route, export jobs, the monthly report and its schedules."""

from __future__ import annotations

import tempfile

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from stores.access import ScopedPageMixin

from . import exports, monthly, selectors, services
from .datasets import ExportError
from .forms import MonthlyReportForm, ReportScheduleForm
from .rules import MONTHLY_READERS, SCHEDULE_MANAGERS


def _messages(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [m for values in error.message_dict.values() for m in values]
    return error.messages


def _attachment(response, filename: str):
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


class ExportView(ScopedPageMixin, View):
    """GET ?dataset=…&format=csv|xlsx&<the list's filters>: a small export streams at
    once; one above OPSDESK_EXPORT_ASYNC_ROWS rows becomes a job on a worker."""

    def get(self, request):
        dataset = request.GET.get("dataset", "")
        fmt = request.GET.get("format", "")
        try:
            prepared = exports.prepare(dataset, fmt, request.user, request.GET)
            count = prepared.count()
            if count > services.export_async_rows():
                job = services.export_job_create(
                    user=request.user, dataset=dataset, fmt=fmt, params=request.GET, count=count
                )
                return redirect("reports:job_detail", pk=job.pk)
        except ExportError as error:
            return render(
                request, "reports/export_error.html", {"errors": error.messages}, status=400
            )
        filename = exports.file_name(dataset, fmt)
        if fmt == "csv":
            response = StreamingHttpResponse(
                exports.csv_chunks(prepared), content_type=exports.CONTENT_TYPES["csv"]
            )
            return _attachment(response, filename)
        # XLSX is a zip written at the end: build it in a temporary file (deleted when
        # the response closes it), then stream the file.
        handle = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
        try:
            exports.write_prepared(prepared, fmt, handle)
        except ExportError as error:
            handle.close()
            return render(
                request, "reports/export_error.html", {"errors": error.messages}, status=400
            )
        handle.seek(0)
        response = FileResponse(
            handle, as_attachment=True, filename=filename, content_type=exports.CONTENT_TYPES[fmt]
        )
        response["Cache-Control"] = "private, no-store"
        return response


class ExportJobListView(ScopedPageMixin, View):
    def get(self, request):
        jobs = selectors.export_job_list(user=request.user)[:50]
        return render(request, "reports/job_list.html", {"jobs": jobs})


class ExportJobDetailView(ScopedPageMixin, View):
    """The job page; htmx polls it for the progress bar while the job runs."""

    def get(self, request, pk):
        job = selectors.export_job_get(user=request.user, pk=pk)
        if request.htmx and not request.htmx.boosted:
            response = render(request, "reports/_job_progress.html", {"job": job})
            if not job.is_active:
                response["HX-Refresh"] = "true"
            return response
        return render(request, "reports/job_detail.html", {"job": job})


class ExportJobDownloadView(ScopedPageMixin, View):
    """The file, to its owner only (anyone else: 404)."""

    def get(self, request, pk):
        job = selectors.export_job_get(user=request.user, pk=pk)
        return export_job_file_response(job)


def export_job_file_response(job) -> FileResponse:
    if job.status != job.Status.DONE or not job.file:
        raise Http404(_("This export has no file (not finished, failed or expired)."))
    try:
        handle = job.file.open("rb")
    except FileNotFoundError:
        raise Http404(_("This export's file is gone.")) from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=job.file_name or f"export-{job.pk}.{job.format}",
        content_type=exports.CONTENT_TYPES[job.format],
    )
    response["Cache-Control"] = "private, no-store"
    return response


# --- Monthly operations report --------------------------------------------------------------


class MonthlyReportView(ScopedPageMixin, View):
    """Pick a region (in scope) and a month; with both, the report downloads."""

    allowed_roles = MONTHLY_READERS

    def get(self, request):
        if not {"region", "month"} & set(request.GET):
            form = MonthlyReportForm(user=request.user, initial={"format": "xlsx"})
            return render(request, "reports/monthly.html", {"form": form})
        form = MonthlyReportForm(request.GET, user=request.user)
        if not form.is_valid():
            return render(request, "reports/monthly.html", {"form": form}, status=400)
        data = form.cleaned_data
        report = monthly.monthly_report(
            user=request.user, region=data["region"], month=data["month"]
        )
        fmt = data["format"]
        if fmt == "pdf":
            content, content_type = monthly.render_pdf(report), "application/pdf"
        else:
            content, content_type = monthly.render_xlsx(report), monthly.XLSX_TYPE
        response = HttpResponse(content, content_type=content_type)
        return _attachment(response, monthly.report_file_name(report, fmt))


# --- Schedules (head office) ------------------------------------------------------------------


def _schedule_data(form) -> dict:
    data = form.cleaned_data
    return {
        "region": data["region"],
        "recipients": data["recipients"],
        "day_of_month": data["day_of_month"],
        "language": data["language"],
        "active": data["active"],
    }


class ScheduleListView(ScopedPageMixin, View):
    allowed_roles = SCHEDULE_MANAGERS

    def _render(self, request, form, status=200, errors=None):
        schedules = selectors.report_schedule_list(user=request.user)
        return render(
            request,
            "reports/schedule_list.html",
            {"schedules": schedules, "form": form, "errors": errors or []},
            status=status,
        )

    def get(self, request):
        return self._render(
            request, ReportScheduleForm(user=request.user, initial={"day_of_month": 1})
        )

    def post(self, request):
        form = ReportScheduleForm(request.POST, user=request.user)
        if not form.is_valid():
            return self._render(request, form, status=400)
        try:
            services.report_schedule_create(user=request.user, **_schedule_data(form))
        except ValidationError as error:
            return self._render(request, form, status=400, errors=_messages(error))
        messages.success(request, _("The report is scheduled."))
        return redirect("reports:schedule_list")


class ScheduleEditView(ScopedPageMixin, View):
    allowed_roles = SCHEDULE_MANAGERS

    def _render(self, request, schedule, form, status=200, errors=None):
        return render(
            request,
            "reports/schedule_edit.html",
            {"schedule": schedule, "form": form, "errors": errors or []},
            status=status,
        )

    def get(self, request, pk):
        schedule = selectors.report_schedule_get(user=request.user, pk=pk)
        form = ReportScheduleForm(
            user=request.user,
            initial={
                "region": schedule.region,
                "recipients": schedule.recipients,
                "day_of_month": schedule.day_of_month,
                "language": schedule.language,
                "active": schedule.active,
            },
        )
        return self._render(request, schedule, form)

    def post(self, request, pk):
        schedule = selectors.report_schedule_get(user=request.user, pk=pk)
        form = ReportScheduleForm(request.POST, user=request.user)
        if not form.is_valid():
            return self._render(request, schedule, form, status=400)
        try:
            services.report_schedule_update(
                user=request.user, schedule=schedule, **_schedule_data(form)
            )
        except ValidationError as error:
            return self._render(request, schedule, form, status=400, errors=_messages(error))
        messages.success(request, _("Saved."))
        return redirect("reports:schedule_list")


class ScheduleDeleteView(ScopedPageMixin, View):
    allowed_roles = SCHEDULE_MANAGERS
    http_method_names = ["post"]

    def post(self, request, pk):
        schedule = selectors.report_schedule_get(user=request.user, pk=pk)
        services.report_schedule_delete(user=request.user, schedule=schedule)
        messages.success(request, _("The schedule is deleted."))
        return redirect("reports:schedule_list")
