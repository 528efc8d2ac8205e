"""The monthly report as an XLSX workbook."""

from __future__ import annotations

import io

from django.utils import timezone
from django.utils.translation import gettext as _

from .data import MonthlyReport
from .tables import _failed_rows, _kpi_header, _kpi_rows, _ranking_rows, _title


def render_xlsx(report: MonthlyReport) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from ..exports import _xlsx_text

    def text(value):
        return _xlsx_text(value) if isinstance(value, str) else value

    bold = Font(bold=True)
    workbook = Workbook()
    summary = workbook.active
    summary.title = _("Summary")[:31]
    summary.append([text(_title(report))])
    summary["A1"].font = Font(bold=True, size=14)
    summary.append([text(_("Region")), text(report.region.code), text(report.region_name())])
    summary.append([text(_("Month")), f"{report.month:%Y-%m}"])
    summary.append([text(_("Stores")), len(report.stores)])
    as_of = (
        timezone.localtime(report.data_as_of).replace(tzinfo=None) if report.data_as_of else None
    )
    summary.append([text(_("Data as of")), as_of])
    summary.append([])
    summary.append([text(h) for h in _kpi_header()])
    for cell in summary[summary.max_row]:
        cell.font = bold
    for row in _kpi_rows(report):
        summary.append([text(v) for v in row])

    sheets = [
        (
            _("Best and worst"),
            [_("KPI"), _("Rank"), _("Position"), _("Store"), _("Name"), _("Value")],
            _ranking_rows(report),
        ),
        (
            _("Checklist failures"),
            [_("Template"), _("Item"), _("Failures"), _("Stores")],
            _failed_rows(report),
        ),
    ]
    if report.complaints is not None:
        sheets.append((_("Complaints"), report.complaints.header, report.complaints.rows))
    for title, header, rows in sheets:
        sheet = workbook.create_sheet(title=title[:31])
        if title == _("Complaints") and report.complaints is not None:
            for label, value in report.complaints.figures:
                sheet.append([text(label), text(value)])
            sheet.append([])
        sheet.append([text(h) for h in header])
        for cell in sheet[sheet.max_row]:
            cell.font = bold
        for row in rows:
            sheet.append([text(v) for v in row])
    workbook.properties.title = _title(report)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
