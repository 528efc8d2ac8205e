"""The monthly report as a PDF."""

from __future__ import annotations

import io
from decimal import Decimal

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .data import MonthlyReport
from .tables import _failed_rows, _kpi_header, _kpi_rows, _ranking_rows, _title


def _fmt(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    return str(value)


def render_pdf(report: MonthlyReport) -> bytes:
    """A4 PDF. Chinese text uses reportlab's built-in CID font (STSong-Light), so no
    font file or system package is needed."""
    from xml.sax.saxutils import escape as xml_escape

    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    zh = (translation.get_language() or "").startswith("zh")
    font = "Helvetica"
    if zh:
        font = "STSong-Light"
        if font not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(UnicodeCIDFont(font))
    styles = getSampleStyleSheet()
    for style in styles.byName.values():
        if hasattr(style, "fontName"):
            style.fontName = font
    body = styles["BodyText"]

    def para(value) -> Paragraph:
        return Paragraph(xml_escape(_fmt(value)), body)

    def table(header, rows) -> Table:
        data = [[para(h) for h in header], *[[para(v) for v in row] for row in rows]]
        result = Table(data, repeatRows=1)
        result.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef5")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        return result

    buffer = io.BytesIO()
    title = _title(report)
    document = SimpleDocTemplate(
        buffer,
        pagesize=landscape(A4),
        title=title,
        author="OpsDesk",
        subject=report.region_name(),
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=12 * mm,
        bottomMargin=12 * mm,
    )
    story = [
        Paragraph(xml_escape(title), styles["Title"]),
        Paragraph(
            xml_escape(
                _("%(count)s stores · data as of %(as_of)s")
                % {
                    "count": len(report.stores),
                    "as_of": (
                        f"{timezone.localtime(report.data_as_of):%Y-%m-%d %H:%M}"
                        if report.data_as_of
                        else "—"
                    ),
                }
            ),
            body,
        ),
        Spacer(1, 4 * mm),
        Paragraph(xml_escape(_("KPIs")), styles["Heading2"]),
        table(_kpi_header(), _kpi_rows(report)),
        Spacer(1, 4 * mm),
        Paragraph(xml_escape(_("Best and worst stores")), styles["Heading2"]),
        table(
            [_("KPI"), _("Rank"), _("Position"), _("Store"), _("Name"), _("Value")],
            _ranking_rows(report),
        ),
        Spacer(1, 4 * mm),
        Paragraph(xml_escape(_("Checklist failures")), styles["Heading2"]),
    ]
    if report.failed_items:
        story.append(
            table([_("Template"), _("Item"), _("Failures"), _("Stores")], _failed_rows(report))
        )
    else:
        story.append(para(_("No checklist item failed this month.")))
    if report.complaints is not None:
        story += [Spacer(1, 4 * mm), Paragraph(xml_escape(_("Complaints")), styles["Heading2"])]
        story += [para(f"{label}: {_fmt(value)}") for label, value in report.complaints.figures]
        if report.complaints.rows:
            story.append(table(report.complaints.header, report.complaints.rows))
    document.build(story)
    return buffer.getvalue()
